import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JdmContent } from '../../src/handlers/gorules/state.js';
import { call, ENVIRONMENT_ID, FIXTURE, PROJECT_ID, useStandin } from '../support/standin.js';

/**
 * GoRules' BRMS document calls: a document created or given a new version through them is stored
 * in the namespace's state and evaluated at once by the environment's evaluate call; the list
 * shows the fixture's documents too; errors are the vendor's `{message}` with 401, 403, 404, 400.
 */
const standin = useStandin();

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const documentsUrl = (projectId = PROJECT_ID) =>
  `${standin.url}/gorules/api/projects/${projectId}/documents`;

const asAlice = {
  authorization: `Bearer ${FIXTURE.gorules.alice}`,
  'content-type': 'application/json',
};

const post = (url: string, body: unknown, headers: Record<string, string> = asAlice) =>
  call(url, { method: 'POST', headers, body: JSON.stringify(body) });
const get = (url: string, headers: Record<string, string> = asAlice) => call(url, { headers });

const evaluate = (docKey: string, context: unknown, token: string = FIXTURE.gorules.production) =>
  call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/${encodeURIComponent(docKey)}`,
    {
      method: 'POST',
      headers: { 'x-access-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ context }),
    },
  );

/** request -> an expression node computing `fee = <expression>` -> response. */
function feeGraph(expression: string): JdmContent {
  const position = { x: 0, y: 0 };
  // The state's type names only what standin reads of a node; the engine reads the rest.
  const nodes: Array<JdmContent['nodes'][number] & Record<string, unknown>> = [
    { id: 'request', type: 'inputNode', name: 'Request', position },
    {
      id: 'fee',
      type: 'expressionNode',
      name: 'Fee',
      position,
      content: { expressions: [{ id: 'e', key: 'fee', value: expression }] },
    },
    { id: 'response', type: 'outputNode', name: 'Response', position },
  ];
  return {
    nodes,
    edges: [
      { id: 'in', sourceId: 'request', targetId: 'fee' },
      { id: 'out', sourceId: 'fee', targetId: 'response' },
    ],
  };
}

interface DocumentAnswer {
  id: string;
  key: string;
  name: string;
  type: string;
  projectId: string;
  publishedId: string;
  published: { id: string; content: unknown };
  versions: Array<{ id: string; status: string; content: unknown; documentId: string }>;
}

async function createFeeDocument(name: string, expression: string): Promise<DocumentAnswer> {
  const answer = await post(documentsUrl(), { name, type: 'f', content: feeGraph(expression) });
  assert.equal(answer.status, 200, answer.text);
  return answer.json as DocumentAnswer;
}

test('the list shows the fixture documents with stable ids, each with its content', async () => {
  const first = await get(documentsUrl());
  assert.equal(first.status, 200, first.text);
  const { results } = first.json as { results: DocumentAnswer[] };
  assert.deepEqual(results.map((each) => each.key).sort(), ['customer-discount', 'shipping-fee']);
  for (const each of results) {
    assert.match(each.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(each.projectId, PROJECT_ID);
    assert.equal(each.versions.length, 1);
    assert.equal(each.publishedId, each.versions[0]?.id);
  }
  const again = (await get(documentsUrl())).json as { results: DocumentAnswer[] };
  assert.deepEqual(
    again.results.map((each) => each.id),
    results.map((each) => each.id),
  );
  const discount = results.find((each) => each.key === 'customer-discount');
  assert.ok(discount);
  const one = await get(`${documentsUrl()}/${discount.id}`);
  assert.equal(one.status, 200, one.text);
  assert.equal((one.json as DocumentAnswer).name, 'Customer discount');
  assert.ok(
    Array.isArray(((one.json as DocumentAnswer).published.content as JdmContent).nodes),
    'the document comes with its content',
  );
});

test('a created document is listed, readable, and evaluable at once by its name', async () => {
  const created = await createFeeDocument('handling-fee', 'weight * 2');
  assert.equal(created.key, 'handling-fee');
  assert.equal(created.type, 'f');
  assert.equal(created.versions.length, 1);
  assert.equal(created.versions[0]?.documentId, created.id);
  assert.deepEqual(created.published.content, feeGraph('weight * 2'));

  const { results } = (await get(documentsUrl())).json as { results: DocumentAnswer[] };
  assert.deepEqual(results.map((each) => each.key).sort(), [
    'customer-discount',
    'handling-fee',
    'shipping-fee',
  ]);
  const read = await get(`${documentsUrl()}/${created.id}`);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json, created);

  const evaluation = await evaluate('handling-fee', { weight: 21 });
  assert.equal(evaluation.status, 200, evaluation.text);
  assert.deepEqual((evaluation.json as { result: unknown }).result, { fee: 42 });
});

test('a new version replaces the content the evaluate call runs; the first stays readable', async () => {
  const created = await createFeeDocument('handling-fee', 'weight * 2');
  const firstVersion = created.versions[0]?.id;
  assert.ok(firstVersion);
  const before = await evaluate('handling-fee', { weight: 5 });
  assert.deepEqual((before.json as { result: unknown }).result, { fee: 10 });

  const versioned = await post(`${documentsUrl()}/${created.id}/versions`, {
    name: 'cheaper',
    versionId: firstVersion,
    content: feeGraph('weight + 1'),
  });
  assert.equal(versioned.status, 200, versioned.text);
  const document = versioned.json as DocumentAnswer & {
    versions: Array<{ id: string; name: string | null; parentId: string | null }>;
  };
  assert.equal(document.id, created.id, 'the call answers the document');
  assert.equal(document.versions.length, 2);
  const added = document.versions[1];
  assert.ok(added);
  assert.equal(added.name, 'cheaper');
  assert.equal(added.parentId, firstVersion, 'versionId is the parent');
  assert.equal(document.publishedId, added.id);

  const evaluation = await evaluate('handling-fee', { weight: 5 });
  assert.equal(evaluation.status, 200, evaluation.text);
  assert.deepEqual((evaluation.json as { result: unknown }).result, { fee: 6 });

  const first = await get(`${documentsUrl()}/${created.id}/versions/${firstVersion}`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual((first.json as { content: unknown }).content, feeGraph('weight * 2'));
  const latest = await get(`${documentsUrl()}/${created.id}/versions/${added.id}`);
  assert.deepEqual((latest.json as { content: unknown }).content, feeGraph('weight + 1'));

  const restored = await post(`${documentsUrl()}/${created.id}/versions`, {
    versionId: firstVersion,
    content: null,
  });
  assert.equal(restored.status, 200, restored.text);
  const again = await evaluate('handling-fee', { weight: 5 });
  assert.deepEqual(
    (again.json as { result: unknown }).result,
    { fee: 10 },
    "without content, the new version takes its parent version's",
  );
});

test('updating a document: new content is evaluable at once, a draft until published', async () => {
  const created = await createFeeDocument('handling-fee', 'weight * 2');
  const put = (body: unknown) =>
    call(`${documentsUrl()}/${created.id}`, {
      method: 'PUT',
      headers: asAlice,
      body: JSON.stringify(body),
    });

  const drafted = await put({ name: 'Handling fee', content: feeGraph('weight * 10') });
  assert.equal(drafted.status, 200, drafted.text);
  const draft = drafted.json as DocumentAnswer;
  assert.equal(draft.name, 'Handling fee');
  assert.equal(draft.key, 'handling-fee', 'the key the evaluate call names stays');
  assert.equal(draft.versions.length, 2);
  assert.equal(draft.versions[1]?.status, 'draft');
  assert.equal(draft.publishedId, created.versions[0]?.id, 'a draft is not published');
  const evaluation = await evaluate('handling-fee', { weight: 3 });
  assert.deepEqual((evaluation.json as { result: unknown }).result, { fee: 30 });

  const published = (await put({ publish: true })).json as DocumentAnswer;
  assert.equal(published.versions[1]?.status, 'completed');
  assert.equal(published.publishedId, published.versions[1]?.id);

  const deleted = await put({ deleted: true });
  assert.equal(deleted.status, 200, deleted.text);
  assert.equal(typeof (deleted.json as { deletedAt: unknown }).deletedAt, 'string');
  assert.equal((await get(`${documentsUrl()}/${created.id}`)).status, 404);
  const gone = await evaluate('handling-fee', { weight: 3 });
  assert.equal(gone.status, 404, gone.text);
  assert.deepEqual(gone.json, { message: 'Document not found' });
});

test('a fixture document takes a new version too, under its stable id', async () => {
  const { results } = (await get(documentsUrl())).json as { results: DocumentAnswer[] };
  const shipping = results.find((each) => each.key === 'shipping-fee');
  assert.ok(shipping);
  const before = await evaluate('shipping-fee', { customer: { country: 'FR' } });
  assert.deepEqual((before.json as { result: { fee?: unknown } }).result.fee, 25);

  const versioned = await post(`${documentsUrl()}/${shipping.id}/versions`, {
    content: feeGraph('7'),
  });
  assert.equal(versioned.status, 200, versioned.text);
  const after = await evaluate('shipping-fee', { customer: { country: 'FR' } });
  assert.deepEqual((after.json as { result: unknown }).result, { fee: 7 });

  const document = (await get(`${documentsUrl()}/${shipping.id}`)).json as DocumentAnswer;
  assert.equal(document.versions.length, 2);
  assert.equal(document.versions[0]?.id, shipping.versions[0]?.id, 'the fixture version is kept');
});

test('unknown project, document or version: 404 {message}', async () => {
  const project = await get(documentsUrl(UNKNOWN_ID));
  assert.equal(project.status, 404);
  assert.deepEqual(project.json, { message: 'Project not found' });
  const created = await post(documentsUrl(UNKNOWN_ID), { name: 'x', content: feeGraph('1') });
  assert.equal(created.status, 404);
  assert.deepEqual(created.json, { message: 'Project not found' });

  const document = await get(`${documentsUrl()}/${UNKNOWN_ID}`);
  assert.equal(document.status, 404);
  assert.deepEqual(document.json, { message: 'Document not found' });
  const version = await post(`${documentsUrl()}/${UNKNOWN_ID}/versions`, {
    content: feeGraph('1'),
  });
  assert.equal(version.status, 404);
  assert.deepEqual(version.json, { message: 'Document not found' });

  const created2 = await createFeeDocument('handling-fee', 'weight * 2');
  const missing = await get(`${documentsUrl()}/${created2.id}/versions/${UNKNOWN_ID}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json, { message: 'Version not found' });
  const noParent = await post(`${documentsUrl()}/${created2.id}/versions`, {
    versionId: UNKNOWN_ID,
    content: feeGraph('1'),
  });
  assert.equal(noParent.status, 404);
  assert.deepEqual(noParent.json, { message: 'Version not found' });
  const update = await call(`${documentsUrl()}/${UNKNOWN_ID}`, {
    method: 'PUT',
    headers: asAlice,
    body: JSON.stringify({ content: feeGraph('1') }),
  });
  assert.equal(update.status, 404);
  assert.deepEqual(update.json, { message: 'Document not found' });
});

test('content the engine cannot read is refused with 400 and nothing is stored', async () => {
  const notAGraph = await post(documentsUrl(), { name: 'broken', content: { nodes: 'x' } });
  assert.equal(notAGraph.status, 400, notAGraph.text);
  assert.equal(typeof (notAGraph.json as { message?: unknown }).message, 'string');

  const unknownNode = await post(documentsUrl(), {
    name: 'broken',
    content: { nodes: [{ id: 'a', type: 'bogusNode', name: 'A' }], edges: [] },
  });
  assert.equal(unknownNode.status, 400, unknownNode.text);
  assert.match((unknownNode.json as { message: string }).message, /bogusNode/);

  const { results } = (await get(documentsUrl())).json as { results: DocumentAnswer[] };
  assert.ok(!results.some((each) => each.key === 'broken'), 'nothing was stored');

  const created = await createFeeDocument('handling-fee', 'weight * 2');
  const badVersion = await post(`${documentsUrl()}/${created.id}/versions`, {
    content: { nodes: [{ id: 'a', type: 'bogusNode', name: 'A' }], edges: [] },
  });
  assert.equal(badVersion.status, 400, badVersion.text);
  const badUpdate = await call(`${documentsUrl()}/${created.id}`, {
    method: 'PUT',
    headers: asAlice,
    body: JSON.stringify({ content: { nodes: [], edges: 'none' } }),
  });
  assert.equal(badUpdate.status, 400, badUpdate.text);
  const still = await evaluate('handling-fee', { weight: 1 });
  assert.deepEqual((still.json as { result: unknown }).result, { fee: 2 }, 'the content is kept');

  const taken = await post(documentsUrl(), { name: 'handling-fee', content: feeGraph('1') });
  assert.equal(taken.status, 400, taken.text);
});

test('a missing or wrong token is 401, an outsider 403; an environment token is not a PAT', async () => {
  const missing = await get(documentsUrl(), {});
  assert.equal(missing.status, 401, missing.text);
  const wrong = await get(documentsUrl(), { authorization: 'Bearer not-a-token' });
  assert.equal(wrong.status, 401, wrong.text);
  const environmentToken = await get(documentsUrl(), {
    'x-access-token': FIXTURE.gorules.production,
  });
  assert.equal(environmentToken.status, 401, environmentToken.text);
  const outsider = await post(
    documentsUrl(),
    { name: 'sneaky', content: feeGraph('1') },
    { authorization: `Bearer ${FIXTURE.gorules.bob}`, 'content-type': 'application/json' },
  );
  assert.equal(outsider.status, 403, outsider.text);
  assert.deepEqual(outsider.json, { message: 'Forbidden resource' });
});

test('after a token rotation the new document is evaluable only with the new token', async () => {
  await createFeeDocument('handling-fee', 'weight * 3');
  const rotated = await post(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/regenerate-token`,
    {},
  );
  assert.equal(rotated.status, 200, rotated.text);
  const { accessToken } = rotated.json as { accessToken: string };

  const withOld = await evaluate('handling-fee', { weight: 2 });
  assert.equal(withOld.status, 401, withOld.text);
  assert.deepEqual(withOld.json, { message: 'Invalid X-Access-Token Header' });
  const withNew = await evaluate('handling-fee', { weight: 2 }, accessToken);
  assert.equal(withNew.status, 200, withNew.text);
  assert.deepEqual((withNew.json as { result: unknown }).result, { fee: 6 });
});
