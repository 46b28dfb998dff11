import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  call,
  concurrently,
  credentials,
  ENVIRONMENT_ID,
  FIXTURE,
  moveClock,
  PROJECT_ID,
  useStandin,
} from '../support/standin.js';

/** GoRules: a member's personal access token regenerates an environment's access token. */
const standin = useStandin();

const STAGING_ID = '1c0ffee0-2b3c-4d5e-8f90-a1b2c3d4e5f6';

const regenerate = (
  pat: string,
  projectId = PROJECT_ID,
  environmentId = ENVIRONMENT_ID,
  scheme = 'Bearer',
) =>
  call(
    `${standin.url}/gorules/api/projects/${projectId}/environments/${environmentId}/regenerate-token`,
    {
      method: 'POST',
      headers: { authorization: `${scheme} ${pat}` },
    },
  );

const environmentTokens = async (): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await credentials(standin.url, 'gorules'))
      .filter((credential) => credential.header === 'X-Access-Token')
      .map((credential) => [credential.principal, credential.value]),
  );

test('a member regenerates: 200 with the whole environment, a new accessToken and updatedAt = now', async () => {
  const now = await moveClock(standin.url, { set: '2027-05-05T08:30:00Z', frozen: true });
  const answer = await regenerate(FIXTURE.gorules.alice);
  assert.equal(answer.status, 200);
  const environment = answer.json as Record<string, unknown>;
  assert.equal(environment.id, ENVIRONMENT_ID);
  assert.equal(environment.projectId, PROJECT_ID);
  assert.equal(environment.name, 'Production');
  assert.notEqual(environment.accessToken, FIXTURE.gorules.production);
  assert.equal(environment.updatedAt, now);

  const tokens = await environmentTokens();
  assert.equal(
    tokens[ENVIRONMENT_ID],
    environment.accessToken,
    'the previous token is gone, the new one listed',
  );
  assert.equal(
    tokens[STAGING_ID],
    FIXTURE.gorules.staging,
    'the other environment keeps its token',
  );
});

test('a user who is not a member of the project answers 403', async () => {
  const answer = await regenerate(FIXTURE.gorules.bob);
  assert.equal(answer.status, 403);
  assert.deepEqual(answer.json, { message: 'Forbidden resource' });
  assert.equal((await environmentTokens())[ENVIRONMENT_ID], FIXTURE.gorules.production);
});

test('an unknown project or environment answers 404 {message}', async () => {
  const project = await regenerate(FIXTURE.gorules.alice, '00000000-0000-4000-8000-000000000000');
  assert.equal(project.status, 404);
  assert.deepEqual(project.json, { message: 'Project not found' });
  const environment = await regenerate(
    FIXTURE.gorules.alice,
    PROJECT_ID,
    '00000000-0000-4000-8000-000000000000',
  );
  assert.equal(environment.status, 404);
  assert.deepEqual(environment.json, { message: 'Environment not found' });
});

test('a bad personal access token, or the unusable internal scheme, answers 401', async () => {
  for (const answer of [
    await regenerate('not-a-token'),
    await regenerate(FIXTURE.gorules.alice, PROJECT_ID, ENVIRONMENT_ID, 'internal'),
  ]) {
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { message: 'Unauthorized' });
  }
});

test('20 concurrent regenerations of one environment all succeed in turn, and the last one is the token', async () => {
  // The caller's token (a personal access token) is not the one being rotated, so every call is
  // allowed; what must hold is that the environment ends with exactly one token, the last issued.
  const { answers, statuses } = await concurrently(20, () => regenerate(FIXTURE.gorules.alice));
  assert.deepEqual(statuses, { 200: 20 });
  const issued = answers.map((answer) => (answer.json as { accessToken: string }).accessToken);
  assert.equal(new Set(issued).size, 20, 'every regeneration issued its own token');
  assert.equal((await environmentTokens())[ENVIRONMENT_ID], issued.at(-1));
});
