import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit, type CommitTarget } from '../../src/state/group-commit.js';

/** A compare-and-set cell standing in for Redis, counting reads and writes. */
class Cell implements CommitTarget {
  raw: string | null = null;
  reads = 0;
  writes = 0;
  /** Before the next write, another replica changes the value this many times. */
  conflicts = 0;

  read(): Promise<{ raw: string | null; value: unknown }> {
    this.reads += 1;
    return Promise.resolve({
      raw: this.raw,
      value: this.raw === null ? undefined : (JSON.parse(this.raw) as unknown),
    });
  }

  write(_key: string, read: string | null, next: unknown): Promise<boolean> {
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      this.raw = JSON.stringify(Number(this.raw ?? 0) + 100);
      return Promise.resolve(false);
    }
    if (read !== this.raw) return Promise.resolve(false);
    this.writes += 1;
    this.raw = JSON.stringify(next);
    return Promise.resolve(true);
  }
}

const add = (by: number) => (current: number | undefined) => ({
  value: (current ?? 0) + by,
  result: (current ?? 0) + by,
});

test('updates waiting together go out in one read and one write, each seeing the one before', async () => {
  const cell = new Cell();
  const commits = new GroupCommit(cell);
  const results = await Promise.all(Array.from({ length: 20 }, () => commits.update('k', add(1))));
  assert.deepEqual(
    results,
    Array.from({ length: 20 }, (_, index) => index + 1),
  );
  assert.equal(cell.raw, '20');
  assert.ok(cell.writes <= 2, `${cell.writes} writes for 20 updates`);
});

test('a decision that throws fails alone; the others in its batch commit', async () => {
  const cell = new Cell();
  const commits = new GroupCommit(cell);
  const outcomes = await Promise.allSettled([
    commits.update('k', add(1)),
    commits.update<number, number>('k', () => {
      throw new RangeError('refused');
    }),
    commits.update('k', add(10)),
  ]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal(cell.raw, '11');
});

test('when another writer got there first, the batch reads again and decides again', async () => {
  const cell = new Cell();
  cell.raw = '0';
  cell.conflicts = 2;
  const commits = new GroupCommit(cell);
  assert.equal(await commits.update('k', add(1)), 201);
  assert.equal(cell.raw, '201');
  assert.equal(cell.reads, 3);
});

test('a read-only decision writes nothing', async () => {
  const cell = new Cell();
  const commits = new GroupCommit(cell);
  assert.equal(await commits.update('k', () => ({ result: 'looked' })), 'looked');
  assert.equal(cell.writes, 0);
});
