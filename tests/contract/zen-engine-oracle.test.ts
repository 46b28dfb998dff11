import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ZenDecisionContent, ZenEngine, type ZenEngineTrace } from '@gorules/zen-engine';
import { BUILT_IN_DECISIONS } from '../../src/handlers/gorules/decisions.js';
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
  type TestServer,
} from '../support/standin.js';

/**
 * GoRules' engine is the oracle: for a set of JDM documents and contexts, standin's answer to the
 * vendor's evaluate call (over HTTP, as a client gets it) equals what `@gorules/zen-engine`
 * answers when the test evaluates the same document itself: the same result, the same trace
 * (every node by id, with its name, order, input, output and trace data), and a performance for
 * the whole and for every node.
 */
const position = { x: 0, y: 0 };
type Node = JdmContent['nodes'][number] & Record<string, unknown>;
type Edge = JdmContent['edges'][number] & Record<string, unknown>;
const node = (id: string, type: string, name: string, content?: unknown): Node => ({
  id,
  type,
  name,
  position,
  ...(content === undefined ? {} : { content }),
});
const edge = (sourceId: string, targetId: string, sourceHandle?: string): Edge => ({
  id: `${sourceId}-${targetId}`,
  sourceId,
  targetId,
  ...(sourceHandle ? { sourceHandle } : {}),
});
/** request -> the given nodes in a chain -> response. */
const chain = (...nodes: Node[]): JdmContent => {
  const all = [
    node('request', 'inputNode', 'Request'),
    ...nodes,
    node('response', 'outputNode', 'Response'),
  ];
  return {
    nodes: all,
    edges: all.slice(1).map((each, index) => edge(all[index]?.id ?? '', each.id)),
  };
};
const table = (hitPolicy: 'first' | 'collect', rules: Array<[string, string, string]>) =>
  node('grade-table', 'decisionTableNode', `Grades (${hitPolicy})`, {
    hitPolicy,
    inputs: [
      { id: 'score', name: 'Score', field: 'score' },
      { id: 'subject', name: 'Subject', field: 'subject' },
    ],
    outputs: [{ id: 'grade', name: 'Grade', field: 'grade' }],
    rules: rules.map(([score, subject, grade], index) => ({
      _id: `rule-${index}`,
      score,
      subject,
      grade,
    })),
  });
const GRADES: Array<[string, string, string]> = [
  ['>= 90', '"maths"', '"A+"'],
  ['>= 90', '', '"A"'],
  ['[50..90)', '', '"B"'],
  ['', '', '"C"'],
];

const DOCUMENTS: Record<string, JdmContent> = {
  'customer-discount': BUILT_IN_DECISIONS['customer-discount'],
  'shipping-fee': BUILT_IN_DECISIONS['shipping-fee'],
  'tables/first.json': chain(table('first', GRADES)),
  'tables/collect.json': chain(table('collect', GRADES)),
  expression: chain(
    node('basket', 'expressionNode', 'Basket', {
      expressions: [
        { id: 'count', key: 'count', value: 'len(items)' },
        { id: 'sum', key: 'sum', value: 'sum(map(items, # .price * # .quantity))' },
        { id: 'names', key: 'names', value: 'map(items, upper(#.name))' },
        { id: 'big', key: 'big', value: 'some(items, #.price > 100)' },
      ],
    }),
  ),
  switch: {
    nodes: [
      node('request', 'inputNode', 'Request'),
      node('route', 'switchNode', 'Route', {
        hitPolicy: 'first',
        statements: [
          { id: 'express', condition: 'priority == "high"' },
          { id: 'standard', condition: '', isDefault: true },
        ],
      }),
      node('fast', 'expressionNode', 'Express', {
        expressions: [{ id: 'days', key: 'days', value: '1' }],
      }),
      node('slow', 'expressionNode', 'Standard', {
        expressions: [{ id: 'days', key: 'days', value: 'weight > 10 ? 7 : 4' }],
      }),
      node('response', 'outputNode', 'Response'),
    ],
    edges: [
      edge('request', 'route'),
      edge('route', 'fast', 'express'),
      edge('route', 'slow', 'standard'),
      edge('fast', 'response'),
      edge('slow', 'response'),
    ],
  },
  'checkout.json': {
    nodes: [
      node('request', 'inputNode', 'Request'),
      node('discount', 'decisionNode', 'Discount', { key: 'customer-discount' }),
      node('shipping', 'decisionNode', 'Shipping', { key: 'shipping-fee' }),
      node('response', 'outputNode', 'Response'),
    ],
    edges: [
      edge('request', 'discount'),
      edge('request', 'shipping'),
      edge('discount', 'response'),
      edge('shipping', 'response'),
    ],
  },
  function: chain(
    node('tax', 'functionNode', 'Tax', {
      source: [
        'export const handler = async (input) => {',
        '  const rate = input.country === "DE" ? 0.19 : 0.07;',
        '  return { net: input.amount, tax: Math.round(input.amount * rate * 100) / 100 };',
        '};',
      ].join('\n'),
    }),
  ),
};

const CASES: Array<[string, Record<string, unknown>]> = [
  ['customer-discount', { cart: { total: 1500 }, customer: { country: 'US', tier: 'gold' } }],
  ['customer-discount', { cart: { total: 99.99 } }],
  ['customer-discount', { cart: { total: 250 }, customer: { tier: 'platinum' } }],
  ['shipping-fee', { customer: { country: 'US' } }],
  ['shipping-fee', { customer: { country: 'DE' } }],
  ['tables/first.json', { score: 95, subject: 'maths' }],
  ['tables/first.json', { score: 70, subject: 'art' }],
  ['tables/collect.json', { score: 95, subject: 'maths' }],
  ['tables/collect.json', { score: 10, subject: 'art' }],
  [
    'expression',
    {
      items: [
        { name: 'pen', price: 2.5, quantity: 4 },
        { name: 'desk', price: 240, quantity: 1 },
      ],
    },
  ],
  ['switch', { priority: 'high', weight: 20 }],
  ['switch', { priority: 'low', weight: 20 }],
  ['switch', { priority: 'low', weight: 3 }],
  ['checkout.json', { cart: { total: 1200 }, customer: { country: 'FR' } }],
  ['function', { amount: 100, country: 'DE' }],
  ['function', { amount: 33.33, country: 'US' }],
];

interface EvaluateAnswer {
  result: unknown;
  performance: string;
  trace: Record<string, ZenEngineTrace>;
}

const DURATION = /^\d+(\.\d+)?(ns|µs|ms|s)$/;

let standin: TestServer;
let oracle: ZenEngine;

before(async () => {
  standin = await startStandin();
  const state = await stateOf<GoRulesState>(standin.url, 'gorules');
  const documents: GoRulesDocument[] = Object.entries(DOCUMENTS).map(([key, content]) => ({
    key,
    name: key,
    content,
  }));
  const put = await putState(standin.url, 'gorules', {
    ...state,
    projects: state.projects.map((project) =>
      project.id === PROJECT_ID ? { ...project, documents } : project,
    ),
  });
  assert.equal(put.status, 200, put.text);
  oracle = new ZenEngine({
    loader: (key) => {
      const content = DOCUMENTS[key];
      return content
        ? Promise.resolve(new ZenDecisionContent(content))
        : Promise.reject(new Error(`no document ${key}`));
    },
  });
});
after(async () => {
  oracle.dispose();
  await standin.close();
});

/**
 * What must be equal in a trace: everything but times. A decision node's trace data holds the trace
 * of the document it ran, with times of its own, so they are taken out at every depth.
 */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, each]) => !(key === 'performance' && typeof each === 'string'))
      .map(([key, each]) => [key, withoutTimes(each)]),
  );
}

for (const [key, context] of CASES) {
  test(`${key} with ${JSON.stringify(context)}: standin answers what the engine answers`, async () => {
    const answer = await call(
      `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/${encodeURIComponent(key)}`,
      {
        method: 'POST',
        headers: {
          'x-access-token': FIXTURE.gorules.production,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ context, trace: true }),
      },
    );
    assert.equal(answer.status, 200, answer.text);
    const served = answer.json as EvaluateAnswer;
    const own = (await oracle.evaluate(key, context, { trace: true })) as EvaluateAnswer;

    assert.deepEqual(served.result, own.result);
    const order = (trace: Record<string, ZenEngineTrace>) =>
      Object.values(trace)
        .sort((a, b) => a.order - b.order)
        .map((each) => [each.order, each.id, each.name]);
    assert.deepEqual(order(served.trace), order(own.trace), 'the same nodes, in the same order');
    assert.deepEqual(withoutTimes(served.trace), withoutTimes(own.trace));
    assert.match(served.performance, DURATION);
    for (const each of Object.values(served.trace))
      assert.match(each.performance ?? '', DURATION, `${each.name} has its performance`);
  });
}

test('without trace: {result, performance} only, as the engine answers without one', async () => {
  const answer = await call(
    `${standin.url}/gorules/api/projects/${PROJECT_ID}/environments/${ENVIRONMENT_ID}/evaluate/switch`,
    {
      method: 'POST',
      headers: { 'x-access-token': FIXTURE.gorules.production, 'content-type': 'application/json' },
      body: JSON.stringify({ context: { priority: 'high' } }),
    },
  );
  const own = await oracle.evaluate('switch', { priority: 'high' });
  assert.deepEqual(Object.keys(answer.json as object).sort(), ['performance', 'result']);
  assert.deepEqual((answer.json as { result: unknown }).result, own.result);
});
