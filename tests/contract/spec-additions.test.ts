import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_SPECS_DIR } from '../../src/index.js';
import { pointerFrom } from '../../src/spec/json-pointer.js';

/** Every `x-standin-*` mark in the specs, as (vendor, pointer of the marked object). */
async function marks(): Promise<Array<{ vendor: string; pointer: string }>> {
  const found: Array<{ vendor: string; pointer: string }> = [];
  for (const file of (await readdir(DEFAULT_SPECS_DIR)).filter((name) => name.endsWith('.yaml'))) {
    const vendor = file.replace(/\.yaml$/, '');
    const walk = (node: unknown, segments: string[]): void => {
      if (Array.isArray(node))
        node.forEach((item, index) => walk(item, [...segments, String(index)]));
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key.startsWith('x-standin')) found.push({ vendor, pointer: pointerFrom(segments) });
          else walk(value, [...segments, key]);
        }
      }
    };
    walk(parse(await readFile(path.join(DEFAULT_SPECS_DIR, file), 'utf8')), []);
  }
  return found;
}

test('specs/README.md lists every addition marked in the specs, by vendor and place', async () => {
  const readme = await readFile(path.join(DEFAULT_SPECS_DIR, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| '));
  const found = await marks();
  assert.ok(found.length >= 9, 'the known additions are marked');
  for (const { vendor, pointer } of found) {
    assert.ok(
      rows.some((row) => row.startsWith(`| ${vendor} |`) && row.includes(`\`${pointer}\``)),
      `specs/README.md has a row for ${vendor} ${pointer}`,
    );
  }
});

test('every added response is one the operations actually reference', async () => {
  for (const file of (await readdir(DEFAULT_SPECS_DIR)).filter((name) => name.endsWith('.yaml'))) {
    const source = await readFile(path.join(DEFAULT_SPECS_DIR, file), 'utf8');
    const document = parse(source) as {
      components?: { responses?: Record<string, Record<string, unknown>> };
    };
    for (const [name, response] of Object.entries(document.components?.responses ?? {})) {
      if (response['x-standin-added'] !== true) continue;
      assert.ok(
        source.includes(`$ref: '#/components/responses/${name}'`),
        `${file}: ${name} is referenced`,
      );
    }
  }
});
