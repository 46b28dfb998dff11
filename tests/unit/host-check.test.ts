import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHost, isLoopbackName, type HostPolicy } from '../../src/engine/host-check.js';

const loopback: HostPolicy = { loopbackOnly: true, allowed: [] };
const network: HostPolicy = { loopbackOnly: false, allowed: [] };
const networkListed: HostPolicy = {
  loopbackOnly: false,
  allowed: ['standin.internal', '.dev.test'],
};

const verdict = (host: string | undefined, policy: HostPolicy) => {
  const outcome = checkHost(host, policy);
  return outcome.ok ? 'ok' : outcome.status;
};

test('on loopback: loopback names and addresses only', () => {
  for (const host of [
    'localhost',
    'LOCALHOST:4010',
    'a.localhost',
    '127.0.0.1:1',
    '127.255.0.9',
    '[::1]',
    '[::1]:4010',
    'localhost.',
  ])
    assert.equal(verdict(host, loopback), 'ok', host);
  for (const host of [
    'rebind.attacker.example',
    '10.0.0.1',
    '0.0.0.0',
    'localhost.evil.test',
    '[::2]',
  ])
    assert.equal(verdict(host, loopback), 403, host);
});

test('malformed hosts are 400 whatever the policy', () => {
  for (const host of ['a"b', 'a b', '[::1', '[zz]', 'a/b', 'h:99999', 'h:', ':80', '.', 'a..', ''])
    for (const policy of [loopback, network]) assert.equal(verdict(host, policy), 400, host);
});

test('no Host at all (HTTP/1.0) is not a rebinding: served', () => {
  assert.equal(verdict(undefined, loopback), 'ok');
});

test('on a network address: anything until names are listed, then IP literals, loopback and the list', () => {
  assert.equal(verdict('standin:4010', network), 'ok');
  assert.equal(verdict('standin:4010', networkListed), 403);
  for (const host of [
    'standin.internal',
    'api.dev.test',
    'dev.test',
    '192.0.2.7:4010',
    '[2001:db8::1]',
    'localhost',
  ])
    assert.equal(verdict(host, networkListed), 'ok', host);
});

test('all turns the check off, but not the syntax check', () => {
  const all: HostPolicy = { loopbackOnly: true, allowed: 'all' };
  assert.equal(verdict('anything.example', all), 'ok');
  assert.equal(verdict('a"b', all), 400);
});

test('loopback names', () => {
  assert.ok(isLoopbackName('127.0.0.1'));
  assert.ok(isLoopbackName('::1'));
  assert.ok(!isLoopbackName('0.0.0.0'));
  assert.ok(!isLoopbackName('::'));
});
