import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { enginesInUse, FUNCTION_TIME_LIMIT_MS } from '../../src/handlers/gorules/engine.js';
import type {
  GoRulesDocument,
  GoRulesState,
  JdmContent,
} from '../../src/handlers/gorules/state.js';
import {
  call,
  ENVIRONMENT_ID,
  FIXTURE,
  PROJECT_ID,
  putState,
  startStandin,
  stateOf,
  useStandin,
} from '../support/standin.js';
import { ROOT } from '../support/cli.js';

/**
 * GoRules evaluates with the real engine: any JDM document of the state, decision nodes that load
 * other documents from the same state, engine errors in the vendor's format, function nodes that
 * cannot run forever, and no engine left behind.
 */
const standin = useStandin();

const evaluate = (docKey: string, body: unknown, namespace?: string) =>
  call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/${encodeURIComponent(docKey)}`,
    {
      method: 'POST',
      headers: {
        'x-access-token': FIXTURE.gorules.production,
        'content-type': 'application/json',
        ...(namespace ? { 'x-standin-namespace': namespace } : {}),
      },
      body: JSON.stringify(body),
    },
  );

type JdmNode = JdmContent['nodes'][number] & Record<string, unknown>;

/** A graph request -> one node -> response, the shape of most tests' documents. */
function graph(node: JdmNode): JdmContent {
  const position = { x: 0, y: 0 };
  const nodes: JdmNode[] = [
    { id: 'request', type: 'inputNode', name: 'Request', position },
    { position, ...node },
    { id: 'response', type: 'outputNode', name: 'Response', position },
  ];
  return {
    nodes,
    edges: [
      { id: 'in', sourceId: 'request', targetId: node.id },
      { id: 'out', sourceId: node.id, targetId: 'response' },
    ],
  };
}

const doubling = graph({
  id: 'double',
  type: 'expressionNode',
  name: 'Double',
  content: { expressions: [{ id: 'x', key: 'doubled', value: 'amount * 2' }] },
});
const referring = graph({
  id: 'sub',
  type: 'decisionNode',
  name: 'Doubling',
  content: { key: 'maths/double.json' },
});
const loopingForever = graph({
  id: 'loop',
  type: 'functionNode',
  name: 'Forever',
  content: { source: 'export const handler = async () => { while (true) {} };' },
});

/** Adds documents to the fixture's project through the control plane, in one namespace. */
async function addDocuments(documents: GoRulesDocument[], namespace?: string): Promise<void> {
  const headers = namespace ? { 'x-standin-namespace': namespace } : undefined;
  const current = (await call(`${standin.url}/__admin/state/gorules`, { headers }))
    .json as GoRulesState;
  const projects = current.projects.map((project) =>
    project.id === PROJECT_ID
      ? { ...project, documents: [...project.documents, ...documents] }
      : project,
  );
  const answer = await call(`${standin.url}/__admin/state/gorules`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...current, projects }),
  });
  assert.equal(answer.status, 200, answer.text);
}

test('a document added through the control plane is evaluable at once, its key with a folder percent-encoded', async () => {
  await addDocuments([{ key: 'maths/double.json', name: 'Double', content: doubling }]);
  const answer = await evaluate('maths/double.json', { context: { amount: 21 } });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual((answer.json as { result: unknown }).result, { doubled: 42 });
  const stored = await stateOf<GoRulesState>(standin.url, 'gorules');
  assert.deepEqual(
    stored.projects[0]?.documents.map((document) => document.key),
    ['customer-discount', 'shipping-fee', 'maths/double.json'],
    'the state holds the document as it was sent',
  );
});

test('a decision node loads the document it names from the state of the request’s namespace', async () => {
  await addDocuments(
    [
      { key: 'maths/double.json', name: 'Double', content: doubling },
      { key: 'refers', name: 'Refers', content: referring },
    ],
    'worker-7',
  );
  const answer = await evaluate('refers', { context: { amount: 4 }, trace: true }, 'worker-7');
  assert.equal(answer.status, 200, answer.text);
  const { result, trace } = answer.json as {
    result: unknown;
    trace: Record<string, { name: string }>;
  };
  assert.deepEqual(result, { doubled: 8 });
  assert.equal(trace.sub?.name, 'Doubling');

  // The default namespace has `refers` only once it is added there, and without its target
  // the engine's loader error is the answer.
  assert.equal((await evaluate('refers', { context: {} })).status, 404);
  await addDocuments([{ key: 'refers', name: 'Refers', content: referring }]);
  const missing = await evaluate('refers', { context: { amount: 4 } });
  assert.equal(missing.status, 400);
  const error = JSON.parse((missing.json as { message: string }).message) as {
    type: string;
    nodeId: string;
    source: string;
  };
  assert.equal(error.type, 'NodeError');
  assert.equal(error.nodeId, 'sub');
  assert.match(error.source, /maths\/double\.json/);
});

test('an engine error answers 400 {message} with the engine’s own error, and nothing else', async () => {
  const answer = await evaluate('customer-discount', { context: { cart: { total: 'lots' } } });
  assert.equal(answer.status, 400);
  assert.deepEqual(Object.keys(answer.json as object), ['message']);
  const { message } = answer.json as { message: string };
  assert.doesNotMatch(message, /backtrace/i, 'the binding’s backtrace is not the vendor’s');
  assert.deepEqual(JSON.parse(message), {
    nodeId: 'discounted-total',
    source:
      'Failed to evaluate expression: "round(cart.total * (1 - pricing.discount) * 100) / 100"',
    type: 'NodeError',
  });

  await addDocuments([{ key: 'empty', name: 'Empty', content: { nodes: [], edges: [] } }]);
  const invalid = await evaluate('empty', { context: {} });
  assert.equal(invalid.status, 400);
  assert.equal(
    (JSON.parse((invalid.json as { message: string }).message) as { type: string }).type,
    'InvalidGraph',
  );
});

test('a function node that never ends is interrupted at the time limit and answers 400; the server goes on', async () => {
  await addDocuments([{ key: 'forever', name: 'Forever', content: loopingForever }]);
  const started = Date.now();
  const answer = await evaluate('forever', { context: {} });
  const elapsed = Date.now() - started;
  assert.equal(answer.status, 400);
  const error = JSON.parse((answer.json as { message: string }).message) as {
    nodeId: string;
    source: string;
  };
  assert.equal(error.nodeId, 'loop');
  assert.match(error.source, /interrupted/);
  assert.ok(
    elapsed >= FUNCTION_TIME_LIMIT_MS - 50,
    `stopped by the limit, not before: ${elapsed} ms`,
  );
  assert.ok(elapsed < FUNCTION_TIME_LIMIT_MS + 3_000, `within the limit: ${elapsed} ms`);
  assert.equal(
    (await evaluate('shipping-fee', { context: { customer: { country: 'US' } } })).status,
    200,
  );
});

test('every evaluation’s engine is disposed when it ends: none is left, whatever the outcome', async () => {
  await addDocuments([{ key: 'empty', name: 'Empty', content: { nodes: [], edges: [] } }]);
  const answers = await Promise.all([
    ...Array.from({ length: 10 }, () =>
      evaluate('customer-discount', { context: { cart: { total: 10 } }, trace: true }),
    ),
    evaluate('empty', { context: {} }),
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.status),
    [...Array.from({ length: 10 }, () => 200), 400],
  );
  assert.equal(enginesInUse(), 0);
});

test('the built-in decisions are JDM documents of the state, editable like any other', async () => {
  const state = await stateOf<GoRulesState>(standin.url, 'gorules');
  const project = state.projects.find((each) => each.id === PROJECT_ID);
  const shipping = project?.documents.find((each) => each.key === 'shipping-fee');
  assert.ok(shipping?.content.nodes.some((node) => node.type === 'decisionTableNode'));
  // Shipping becomes free everywhere: change the table's international fee.
  const edited = JSON.parse(JSON.stringify(shipping?.content).replace('"25"', '"0"')) as JdmContent;
  const answer = await putState(standin.url, 'gorules', {
    ...state,
    projects: state.projects.map((each) =>
      each.id === PROJECT_ID
        ? {
            ...each,
            documents: each.documents.map((document) =>
              document.key === 'shipping-fee' ? { ...document, content: edited } : document,
            ),
          }
        : each,
    ),
  });
  assert.equal(answer.status, 200, answer.text);
  const evaluated = await evaluate('shipping-fee', { context: { customer: { country: 'DE' } } });
  assert.deepEqual((evaluated.json as { result: unknown }).result, { fee: 0, currency: 'USD' });
});

test('documents of a --state fixture are evaluated like the built-in ones', async () => {
  const fixture = path.join(ROOT, 'tests', 'fixtures', 'states', 'gorules-documents.yaml');
  const custom = await startStandin({ state: fixture });
  try {
    const evaluateLoan = (applicant: Record<string, unknown>) =>
      call(
        `${custom.url}/gorules/api/projects/loans/environments/production/evaluate/${encodeURIComponent('loans/eligibility.json')}`,
        {
          method: 'POST',
          headers: {
            'x-access-token': '1234567890abcdef1234567890abcdef1234567890abcdef',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ context: { applicant } }),
        },
      );
    const young = await evaluateLoan({ age: 16, income: 50_000 });
    assert.equal(young.status, 200, young.text);
    assert.deepEqual((young.json as { result: unknown }).result, {
      eligible: false,
      reason: 'too young',
    });
    const adult = await evaluateLoan({ age: 40, income: 50_000 });
    assert.deepEqual((adult.json as { result: unknown }).result, { eligible: true, reason: 'ok' });
  } finally {
    await custom.close();
  }
});

test('a document whose decision node refers to itself stops at the depth limit with the engine’s 400', async () => {
  const itself = graph({
    id: 'again',
    type: 'decisionNode',
    name: 'Again',
    content: { key: 'itself' },
  });
  await addDocuments([{ key: 'itself', name: 'Itself', content: itself }]);
  const answer = await evaluate('itself', { context: {} });
  assert.equal(answer.status, 400);
  const error = JSON.parse((answer.json as { message: string }).message) as { source: string };
  assert.equal(error.source, 'Depth limit exceeded');
});
