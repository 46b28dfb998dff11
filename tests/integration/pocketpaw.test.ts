import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  call,
  concurrently,
  credentials,
  FIXTURE,
  moveClock,
  useStandin,
} from '../support/standin.js';

/** PocketPaw: a new master token; the old one and every session die at once; API keys live on. */
const standin = useStandin();

const regenerate = (token: string) =>
  call(`${standin.url}/pocketpaw/api/token/regenerate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

async function newSession(ttlSeconds?: number): Promise<string> {
  const answer = await call(`${standin.url}/__admin/pocketpaw/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ttlSeconds ? { ttlSeconds } : {}),
  });
  assert.equal(answer.status, 201, answer.text);
  return (answer.json as { session_token: string }).session_token;
}

test('regeneration answers a new pk_ token; the old master fails at once, the new one works', async () => {
  const answer = await regenerate(FIXTURE.pocketpaw.master);
  assert.equal(answer.status, 200);
  const { token } = answer.json as { token: string };
  assert.match(token, /^pk_[0-9a-f]{40}$/);

  const stale = await regenerate(FIXTURE.pocketpaw.master);
  assert.equal(stale.status, 401);
  assert.deepEqual(stale.json, { detail: 'Unauthorized' });

  assert.equal((await regenerate(token)).status, 200);
});

test('every session token dies with the master token: every client must re-authenticate', async () => {
  const sessions = [await newSession(), await newSession()];
  assert.match(
    sessions[0] ?? '',
    /^\d+:[0-9a-f]{64}$/,
    'the real server’s {expires}:{hex hmac} shape',
  );
  const masterAfter = (await regenerate(sessions[0] ?? '')).json as { token: string };
  assert.ok(masterAfter.token, 'a session may regenerate too');
  for (const session of sessions) assert.equal((await regenerate(session)).status, 401);
  const fresh = await newSession();
  assert.equal((await regenerate(fresh)).status, 200, 'a session signed with the new master works');
});

test('a session expires on the virtual clock', async () => {
  const session = await newSession(3600);
  await moveClock(standin.url, { advance: 'PT1H1S' });
  assert.equal((await regenerate(session)).status, 401);
});

test('an API key (pp_...) survives a regeneration, and may regenerate itself', async () => {
  assert.equal((await regenerate(FIXTURE.pocketpaw.master)).status, 200);
  const answer = await regenerate(FIXTURE.pocketpaw.apiKey);
  assert.equal(answer.status, 200);
  const listed = await credentials(standin.url, 'pocketpaw');
  assert.deepEqual(
    listed.map((credential) => credential.principal),
    ['owner', 'ci-bot'],
  );
  assert.equal(listed[0]?.value, `Bearer ${(answer.json as { token: string }).token}`);
});

test('a missing or unknown token answers 401 {detail: Unauthorized}, even from localhost', async () => {
  const attempts: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer pk_unknown' },
    { authorization: 'Bearer 123:abc' },
  ];
  for (const headers of attempts) {
    const answer = await call(`${standin.url}/pocketpaw/api/token/regenerate`, {
      method: 'POST',
      headers,
    });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { detail: 'Unauthorized' });
  }
});

test('20 concurrent regenerations with the master token: exactly one 200, the rest 401', async () => {
  const { answers, statuses } = await concurrently(20, () => regenerate(FIXTURE.pocketpaw.master));
  assert.deepEqual(statuses, { 200: 1, 401: 19 });
  const winner = answers.find((answer) => answer.status === 200)?.json as { token: string };
  const [owner] = await credentials(standin.url, 'pocketpaw', 'owner');
  assert.equal(owner?.value, `Bearer ${winner.token}`);
});
