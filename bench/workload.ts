import { randomUUID } from 'node:crypto';
import type autocannon from 'autocannon';

export const ROTATE = '/projectdiscovery/v1/user/apikey/rotate';

export type Requests = NonNullable<autocannon.Options['requests']>;

/** `count` ProjectDiscovery principals, seeded through the control plane; answers their keys. */
export async function seedPrincipals(baseUrl: string, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, () => randomUUID());
  const users = keys.map((apiKey, index) => ({
    id: `bench-${index}`,
    name: `Bench ${index}`,
    email: `bench-${index}@example.com`,
    teamName: 'Bench',
    plan: 'Growth',
    role: 'owner',
    apiKey,
  }));
  const answer = await fetch(`${baseUrl}/__admin/state/projectdiscovery`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ users }),
  });
  if (answer.status !== 200) throw new Error(`seeding answered ${answer.status}`);
  return keys;
}

/**
 * The stateful workload: every request rotates a principal's key with the key the previous
 * rotation of that principal answered, so each passes security, request validation, a store
 * transaction and response validation. autocannon gives each request a fresh context, so a
 * request borrows a principal from a pool and gives it back with its answer: no two requests in
 * flight ever use the same key (there are as many principals as connections).
 */
export function rotationRequests(keys: string[]): Requests {
  const free = keys.map((_, index) => index);
  return [
    {
      method: 'POST',
      path: ROTATE,
      setupRequest: (request, context: { slot?: number }) => {
        context.slot = free.pop() ?? 0;
        return {
          ...request,
          headers: { ...request.headers, 'x-api-key': keys[context.slot] ?? '' },
        };
      },
      onResponse: (status, body, context: { slot?: number }) => {
        if (context.slot === undefined) return;
        if (status === 200) keys[context.slot] = (JSON.parse(body) as { api_key: string }).api_key;
        free.push(context.slot);
      },
    },
  ];
}
