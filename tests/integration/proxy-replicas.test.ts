import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { eventually } from '../support/eventually.js';
import { skipWithoutNginx, startNginx, type NginxProxy } from '../support/nginx.js';
import { skipWithoutRedis, startRedis, type RedisServer } from '../support/redis-server.js';
import { startReplicas, stopReplica, type Replica } from '../support/replicas.js';
import { call, concurrently, FIXTURE, resetStandin, type Answer } from '../support/standin.js';

/**
 * The compose deployment without Docker: the very deploy/nginx.conf (addresses rewritten to
 * loopback ports) in front of two standin processes on one real Redis. It shows what the
 * proxy's rules promise: requests reach both replicas, the Host is passed on, a rotation is
 * never sent to a second replica once it reached one, and a dead replica is skipped.
 */
const skip = skipWithoutRedis() || skipWithoutNginx();

interface LoggedReplica extends Replica {
  /** Request log lines this replica wrote, by path. */
  served: Map<string, number>;
}
let redis: RedisServer | undefined;
let proxy: NginxProxy | undefined;
const replicas: LoggedReplica[] = [];

/** Replicas whose request log lines are counted from the moment they listen. */
async function startLoggedReplicas(redisUrl: string, count: number): Promise<LoggedReplica[]> {
  const started = await startReplicas(redisUrl, count);
  return started.map((replica) => ({ ...replica, served: servedPaths(replica.child) }));
}

/** Counts the request lines of a replica's JSON log by path, as they come. */
function servedPaths(child: ChildProcess): Map<string, number> {
  const served = new Map<string, number>();
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const path = requestPathOf(line);
      if (path !== undefined) served.set(path, (served.get(path) ?? 0) + 1);
    }
  });
  return served;
}

/** The path of a request log line; undefined for any other line. */
function requestPathOf(line: string): string | undefined {
  try {
    const { path } = JSON.parse(line) as { path?: unknown };
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

function proxyUrl(): string {
  if (!proxy) throw new Error('nginx is not running');
  return proxy.url;
}

before(async () => {
  if (skip) return;
  redis = await startRedis();
  const redisUrl = redis.url;
  replicas.push(...(await startLoggedReplicas(redisUrl, 2)));
  const [a, b] = replicas.map((replica) => Number(new URL(replica.url).port));
  if (a === undefined || b === undefined) throw new Error('two replicas expected');
  proxy = await startNginx({ 'standin-a': a, 'standin-b': b });
});

after(async () => {
  await proxy?.stop();
  for (const replica of replicas) await stopReplica(replica);
  await redis?.stop();
});

const PROFILE = '/projectdiscovery/v1/user';
const profile = (key: string): Promise<Answer> =>
  call(`${proxyUrl()}${PROFILE}`, { headers: { 'x-api-key': key } });
const rotateProjectDiscovery = (key: string): Promise<Answer> =>
  call(`${proxyUrl()}/projectdiscovery/v1/user/apikey/rotate`, {
    method: 'POST',
    headers: { 'x-api-key': key },
  });

/** How many ProjectDiscovery rotations the shared journal holds. */
async function rotationsJournalled(): Promise<number> {
  const answer = await call(`${proxyUrl()}/__admin/requests/count`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operationId: 'post-v1-user-apikey-rotate' }),
  });
  return (answer.json as { count: number }).count;
}

/** A path no test sends through the proxy: a replica's log line for it marks where its log is. */
const LOG_MARK = '/__health';

/**
 * Waits until each replica's log has caught up with the requests made so far: a replica writes
 * its lines in order, so once the line of a request sent to it now has come, so have the lines of
 * every request before (whose lines could otherwise still be on their way, and be counted later).
 */
async function logsCaughtUp(): Promise<void> {
  await Promise.all(
    replicas.map(async (replica) => {
      const marks = replica.served.get(LOG_MARK) ?? 0;
      await call(`${replica.url}${LOG_MARK}`);
      const seen = await eventually(
        () => replica.served.get(LOG_MARK) ?? 0,
        (count) => count > marks,
        { tries: 250 },
      );
      assert.ok(seen > marks, `${replica.url} logged its ${LOG_MARK} request within 5 s`);
    }),
  );
}

/** Ten profile calls through the proxy: every one answered once, and by both replicas. */
async function assertBothServe(key: string): Promise<void> {
  // Only these ten are to be counted, not a line of an earlier profile call that comes late.
  await logsCaughtUp();
  const servedBefore = replicas.map((replica) => replica.served.get(PROFILE) ?? 0);
  const servedNow = (): number[] =>
    replicas.map(
      (replica, index) => (replica.served.get(PROFILE) ?? 0) - (servedBefore[index] ?? 0),
    );
  const total = (): number => servedNow().reduce((sum, count) => sum + count, 0);
  for (let request = 0; request < 10; request += 1) {
    const answer = await profile(key);
    assert.equal(answer.status, 200, proxy?.errorLog());
  }
  // A request is logged as its answer leaves; the last lines may still be on their way.
  assert.equal(
    await eventually(total, (served) => served >= 10, { tries: 250 }),
    10,
    `every request served once: ${servedNow().join(' + ')}`,
  );
  assert.ok(
    servedNow().every((count) => count > 0),
    `both replicas served: ${servedNow().join(' + ')}`,
  );
}

test('nginx spreads requests over both replicas and passes the Host on', { skip }, async () => {
  const listing = await call(`${proxyUrl()}/`);
  const { vendors } = listing.json as { vendors: Array<{ baseUrl: string }> };
  assert.ok(vendors.length === 5, listing.text);
  for (const vendor of vendors) {
    assert.ok(vendor.baseUrl.startsWith(proxyUrl()), `${vendor.baseUrl}: the client's address`);
  }

  await assertBothServe(FIXTURE.projectdiscovery.alice);
});

test(
  '20 rotations at once through the proxy: one winner, as in one process',
  { skip },
  async () => {
    await resetStandin(proxyUrl());
    const { statuses } = await concurrently(20, () =>
      call(`${proxyUrl()}/thousandeyes/v7/api-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FIXTURE.thousandeyes.alice}` },
      }),
    );
    assert.deepEqual(statuses, { 201: 1, 409: 19 });
  },
);

test(
  'a rotation that reached a replica is never sent to the other, even when its answer is lost',
  { skip },
  async () => {
    await resetStandin(proxyUrl());
    await call(`${proxyUrl()}/__admin/requests`, { method: 'DELETE' });
    const fault = await call(`${proxyUrl()}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        vendor: 'projectdiscovery',
        operationId: 'post-v1-user-apikey-rotate',
        reset: true,
        phase: 'after-commit',
        times: 1,
      }),
    });
    assert.equal(fault.status, 201, fault.text);

    const lost = await rotateProjectDiscovery(FIXTURE.projectdiscovery.alice);
    assert.equal(lost.status, 502, 'nginx reports the cut connection; it does not retry');
    // Retried on the other replica, the old key would have been refused there: a second entry.
    const journalled = await eventually(rotationsJournalled, (count) => count >= 1);
    assert.equal(journalled, 1, 'the rotation was sent once');
    assert.equal((await profile(FIXTURE.projectdiscovery.alice)).status, 401, 'and it committed');
    // The cut was standin's own fault injection, not a broken replica: both stay in the rotation.
    await assertBothServe(FIXTURE.projectdiscovery.bob);
  },
);

test(
  'a replica that dies is skipped: even a rotation is tried on the other, since it never left',
  { skip },
  async () => {
    await resetStandin(proxyUrl());
    await call(`${proxyUrl()}/__admin/requests`, { method: 'DELETE' });
    const [dead] = replicas;
    if (!dead) throw new Error('no replica');
    await stopReplica(dead, 'SIGKILL');

    let key: string = FIXTURE.projectdiscovery.alice;
    for (let rotation = 0; rotation < 4; rotation += 1) {
      const rotated = await rotateProjectDiscovery(key);
      assert.equal(rotated.status, 200, `rotation ${rotation + 1}: ${proxy?.errorLog()}`);
      key = (rotated.json as { api_key: string }).api_key;
    }
    assert.equal((await profile(key)).status, 200, 'the last key works');
    const journalled = await eventually(rotationsJournalled, (count) => count >= 4);
    assert.equal(journalled, 4, 'each rotation served once');
  },
);
