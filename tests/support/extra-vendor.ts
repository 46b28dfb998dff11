import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { ROOT } from './cli.js';

/**
 * A sixth vendor that standin does not ship: one spec and one module folder in a temporary
 * directory, and nothing else, as a user adds their own. Tests serve it beside the five built-in
 * ones (`specs: [DEFAULT_SPECS_DIR, extra.specFile], vendorModulesDir: extra.modulesDir`) and must
 * treat it like them.
 */
export interface ExtraVendor {
  name: string;
  specFile: string;
  modulesDir: string;
  /** The key its fixture starts with. */
  initialKey: string;
  /** The spec file of any served vendor: this one's, or a built-in one's. */
  specFileOf(vendor: string): string;
  remove(): Promise<void>;
}

export const EXTRA_VENDOR = 'acme-keys';
const INITIAL_KEY = 'acme_0123456789abcdef0123456789abcdef';

const SPEC = `openapi: 3.0.3
info:
  title: Acme Keys
  version: '1'
servers:
  - url: https://api.acme.example/v1
security:
  - acmeKey: []
paths:
  /me:
    get:
      operationId: getMe
      responses:
        '200':
          description: Who the key belongs to
          content:
            application/json:
              schema:
                type: object
                required: [id, name]
                additionalProperties: false
                properties:
                  id: { type: string }
                  name: { type: string }
              example: { id: owner, name: Acme owner }
        '401':
          $ref: '#/components/responses/Unauthorized'
  /keys/rotate:
    post:
      operationId: rotateKey
      responses:
        '200':
          description: A new key; the old one dies at once
          content:
            application/json:
              schema:
                type: object
                required: [key]
                additionalProperties: false
                properties:
                  key: { type: string, pattern: '^acme_' }
              example: { key: acme_fedcba9876543210fedcba9876543210 }
        '401':
          $ref: '#/components/responses/Unauthorized'
components:
  securitySchemes:
    acmeKey:
      type: apiKey
      in: header
      name: X-Acme-Key
  responses:
    Unauthorized:
      description: A missing or unknown key
      content:
        application/json:
          schema:
            type: object
            required: [message]
            properties:
              message: { type: string }
          example: { message: Unauthorized }
`;

/** Written against the published toolkit only, as a user's module would be. */
const MODULE = (toolkit: string): string => `import {
  newSecret,
  refuse,
  sameSecret,
  type VendorModule,
} from ${JSON.stringify(toolkit)};

interface AcmeState {
  key: string;
}

const acme: VendorModule<AcmeState> = {
  state: {
    schema: {
      type: 'object',
      required: ['key'],
      additionalProperties: false,
      properties: { key: { type: 'string', pattern: '^acme_' } },
    },
    initial: () => ({ key: ${JSON.stringify(INITIAL_KEY)} }),
  },
  authenticate(credentials, state) {
    const credential = credentials[0];
    return credential && sameSecret(credential.value, state.key)
      ? { ok: true, principal: { id: 'owner', credential } }
      : { ok: false, detail: 'Unauthorized' };
  },
  credentials: (state) => [
    { principal: 'owner', header: 'X-Acme-Key', value: state.key, expiresAt: null },
  ],
  handlers: {
    getMe: () => ({ status: 200, body: { id: 'owner', name: 'Acme owner' } }),
    rotateKey: ({ principal, state }) =>
      state.update((current) => {
        if (!principal || !sameSecret(principal.credential.value, current.key))
          throw refuse(401, 'Unauthorized');
        const key = newSecret.prefixed('acme_', 16);
        return { value: { key }, result: { status: 200, body: { key } } };
      }),
  },
  actions: {
    'set-key': {
      description: 'Gives the owner this key',
      body: {
        type: 'object',
        required: ['key'],
        additionalProperties: false,
        properties: { key: { type: 'string', pattern: '^acme_' } },
      },
      run: ({ request, state }) =>
        state.update(() => {
          const { key } = request.body as { key: string };
          return { value: { key }, result: { status: 200, body: { key } } };
        }),
    },
  },
};

export default acme;
`;

export async function writeExtraVendor(): Promise<ExtraVendor> {
  const directory = await mkdtemp(path.join(tmpdir(), 'standin-extra-vendor-'));
  const specFile = path.join(directory, 'specs', `${EXTRA_VENDOR}.yaml`);
  const modulesDir = path.join(directory, 'handlers');
  await mkdir(path.dirname(specFile), { recursive: true });
  await mkdir(path.join(modulesDir, EXTRA_VENDOR), { recursive: true });
  await writeFile(specFile, SPEC);
  // An ES module project, as standin's users' are (else tsx would load the module as CommonJS).
  await writeFile(path.join(directory, 'package.json'), '{ "type": "module" }\n');
  // Under tsx, the toolkit's sources; a built user module would import 'standin' itself.
  const toolkit = pathToFileURL(path.join(ROOT, 'src', 'index.ts')).href;
  await writeFile(path.join(modulesDir, EXTRA_VENDOR, 'index.ts'), MODULE(toolkit));
  return {
    name: EXTRA_VENDOR,
    specFile,
    modulesDir,
    initialKey: INITIAL_KEY,
    specFileOf: (vendor) =>
      vendor === EXTRA_VENDOR ? specFile : path.join(DEFAULT_SPECS_DIR, `${vendor}.yaml`),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
