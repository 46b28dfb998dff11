import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { FORBIDDEN_KEYWORD } from './to-json-schema.js';

export type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

export interface AjvPair {
  /** Bodies: no coercion, a value is what the client or handler sent. */
  body: Ajv2020;
  /** Parameters arrive as strings: coerce them to the schema's type, fill in defaults. */
  parameter: Ajv2020;
}

/**
 * All schemas are compiled by these two instances at startup (validators/schema-compiler.ts);
 * nothing compiles on the request path. Both OpenAPI versions are first rewritten as JSON Schema
 * 2020-12 (to-json-schema.ts), so one dialect serves both.
 */
export function createAjvPair(warn: (message: string) => void): AjvPair {
  const base: Options = {
    allErrors: true,
    // The specs are vendors' documents, already checked against the OpenAPI schema; JSON Schema
    // allows keywords ajv does not know, so unknown ones are ignored, not fatal.
    strict: false,
    validateFormats: true,
    // ajv's optimizer passes over the generated code are a third of compile time for a large
    // document (`npm run bench:large-spec`), and what they remove (unused names, empty branches)
    // costs nothing measurable per request.
    code: { optimize: false },
    logger: {
      log: () => undefined,
      warn: (...args: unknown[]) => warn(args.join(' ')),
      error: (...args: unknown[]) => warn(args.join(' ')),
    },
  };
  return {
    body: configure(new Ajv2020(base)),
    parameter: configure(new Ajv2020({ ...base, coerceTypes: 'array', useDefaults: true })),
  };
}

function configure(ajv: Ajv2020): Ajv2020 {
  // ajv-formats knows JSON Schema's formats and OpenAPI's own (int32, int64, float, double, byte,
  // binary, password).
  addFormats.default(ajv);
  ajv.addKeyword({
    keyword: FORBIDDEN_KEYWORD,
    schemaType: 'string',
    errors: true,
    validate: function forbidden(mark: string): boolean {
      const error: Partial<ErrorObject> = {
        keyword: mark,
        message:
          mark === 'readOnly'
            ? 'is readOnly: a request must not send it'
            : 'is writeOnly: a response must not return it',
        params: { [mark]: true },
      };
      (forbidden as unknown as { errors: Array<Partial<ErrorObject>> }).errors = [error];
      return false;
    },
  });
  return ajv;
}
