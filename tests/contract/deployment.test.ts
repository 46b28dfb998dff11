import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ROOT } from '../support/cli.js';

/**
 * There is no Docker engine here to run docker-compose.yml (CI checks its syntax with
 * `docker-compose config -q`); this checks its wiring: Redis, two replicas on it, one proxy that
 * knows both, a healthcheck on every service, and a small, non-root image.
 */
interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

async function compose(): Promise<Record<string, Service>> {
  const text = await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  // `merge: true`: the replicas share their settings through a YAML anchor (`<<: *standin`).
  return (parse(text, { merge: true }) as { services: Record<string, Service> }).services;
}

test('compose: two standin replicas on one Redis, each waiting for it to be healthy', async () => {
  const services = await compose();
  const replicas = Object.entries(services).filter(([, service]) => service.build !== undefined);
  assert.equal(replicas.length, 2);
  assert.match(services.redis?.image ?? '', /^redis:/);
  for (const [name, replica] of replicas) {
    assert.equal(replica.environment?.STANDIN_STORE, 'redis://redis:6379/0', name);
    assert.equal(replica.depends_on?.redis?.condition, 'service_healthy', name);
  }
});

test('compose: one published address, on the host loopback, in front of every replica', async () => {
  const services = await compose();
  const published = Object.entries(services).filter(([, service]) => service.ports?.length);
  assert.deepEqual(
    published.map(([name, service]) => [name, service.ports]),
    [['proxy', ['127.0.0.1:4010:8080']]],
  );
  const nginx = await readFile(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const upstreams = [...nginx.matchAll(/^\s*server ([\w-]+):4010\b/gm)].map((match) => match[1]);
  const replicas = Object.keys(services).filter((name) => services[name]?.build !== undefined);
  assert.deepEqual(upstreams.sort(), replicas.sort());
  assert.match(nginx, /listen 8080;/);
  assert.doesNotMatch(nginx, /non_idempotent/, 'a rotation is never replayed on another replica');
});

test('compose: every service has a healthcheck; the replicas’ asks the store', async () => {
  const services = await compose();
  for (const [name, service] of Object.entries(services)) {
    assert.ok(service.healthcheck?.test.length, `${name} has a healthcheck`);
  }
  assert.ok(services['standin-a']?.healthcheck?.test.join(' ').includes('/__health'));
});

test('Dockerfile: multi-stage, runs as a non-root user, ships no dev dependencies', async () => {
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2, 'multi-stage');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  assert.match(runtime, /^USER node$/m);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.doesNotMatch(
    runtime,
    /COPY (--chown=\S+ )?\. /,
    'the runtime stage copies only what it needs',
  );
});
