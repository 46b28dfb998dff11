import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenAPIV3 } from 'openapi-types';
import { ResponseOracle, type AnswerToJudge } from '../support/response-oracle.js';

/** The fuzzer's judge must itself be able to fail: each wrong answer below is caught. */
const DOCUMENT: OpenAPIV3.Document = {
  openapi: '3.0.3',
  info: { title: 'oracle', version: '1' },
  paths: {
    '/keys/{id}': {
      get: {
        responses: {
          '200': {
            description: 'the key',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['key'],
                  properties: { key: { type: 'string', nullable: true, format: 'uuid' } },
                },
              },
            },
          },
          '204': { description: 'nothing' },
          '4XX': {
            description: 'refused',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
  },
};

const oracle = new ResponseOracle(DOCUMENT);
const answer = (change: Partial<AnswerToJudge>): AnswerToJudge => ({
  method: 'GET',
  template: '/keys/{id}',
  status: 200,
  contentType: 'application/json; charset=utf-8',
  text: JSON.stringify({ key: '3b9e2c4d-6f1a-4e8b-9c7d-5a2f1e0b8c41' }),
  ...change,
});

test('valid answers pass: the documented body, null where nullable, an empty 204, a 4XX range', () => {
  assert.deepEqual(oracle.judge(answer({})), []);
  assert.deepEqual(oracle.judge(answer({ text: '{"key":null}' })), []);
  assert.deepEqual(oracle.judge(answer({ status: 204, contentType: null, text: '' })), []);
  assert.deepEqual(
    oracle.judge(answer({ status: 401, contentType: 'text/plain', text: 'no' })),
    [],
  );
});

test('wrong answers fail: schema, format, media type, a body where none is documented', () => {
  const wrong: Array<[Partial<AnswerToJudge>, RegExp]> = [
    [{ text: '{}' }, /must have required property 'key'/],
    [{ text: '{"key":"not-a-uuid"}' }, /must match format "uuid"/],
    [{ contentType: 'text/plain' }, /answered text\/plain/],
    [{ text: '{"key":' }, /is not JSON/],
    [{ status: 204, contentType: null, text: 'x' }, /documents no body/],
  ];
  for (const [change, expected] of wrong) {
    const failures = oracle.judge(answer(change));
    assert.ok(
      failures.some((failure) => expected.test(failure)),
      `${JSON.stringify(change)}: ${failures.join('; ')}`,
    );
  }
});

test('an undocumented status is only acceptable as one of standin’s own problem+json refusals', () => {
  const problem = (type: string, status = 500) =>
    answer({
      status: 500,
      contentType: 'application/problem+json',
      text: JSON.stringify({ type, title: 'x', status }),
    });
  assert.deepEqual(oracle.judge(problem('urn:standin:problem:internal')), []);
  assert.match(oracle.judge(problem('about:blank')).join(), /not standin's/);
  assert.match(
    oracle.judge(problem('urn:standin:problem:internal', 502)).join(),
    /says status 502/,
  );
  assert.match(oracle.judge(answer({ status: 500, text: '{}' })).join(), /not problem\+json/);
  assert.match(oracle.judge(answer({ method: 'POST' })).join(), /not in the spec/);
});
