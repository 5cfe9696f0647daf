'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { ShardRouter, fnv1a32 } = require('../index.js');

test('fnv1a32 matches the reference vectors', () => {
  assert.strictEqual(fnv1a32(''), 2166136261);
  assert.strictEqual(fnv1a32('a'), 3826002220);
  assert.strictEqual(fnv1a32('foobar'), 3214735720);
});

test('fnv1a32 is never negative and fits in 32 bits', () => {
  for (const key of ['x', 'order-17', 'order-18', 'café', 'user:1', 'user:2']) {
    const h = fnv1a32(key);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32, `${key} -> ${h}`);
  }
});

test('fnv1a32 hashes UTF-8 bytes', () => {
  assert.strictEqual(fnv1a32('é'), 513665217);
  assert.strictEqual(fnv1a32('café'), 2821410889);
  assert.strictEqual(fnv1a32('日本'), 2670128721);
});

test('keys with a small hash keep their shard', () => {
  const router = new ShardRouter(['db-a', 'db-b', 'db-c']);
  assert.deepStrictEqual(['user:1', 'user:2', 'user:3'].map((k) => router.shardFor(k)), ['db-b', 'db-a', 'db-c']);
});

test('keys with a large hash go to the shard of the unsigned hash (3 shards)', () => {
  const router = new ShardRouter(['db-a', 'db-b', 'db-c']);
  assert.deepStrictEqual(
    ['order-17', 'order-18', 'x', 'a', 'café'].map((k) => router.shardFor(k)),
    ['db-b', 'db-a', 'db-a', 'db-b', 'db-b'],
  );
});

test('keys with a large hash go to the shard of the unsigned hash (5 shards)', () => {
  const router = new ShardRouter(['s0', 's1', 's2', 's3', 's4']);
  assert.deepStrictEqual(['order-17', 'café', '日本', '', 'user:3'].map((k) => router.shardFor(k)), ['s2', 's4', 's1', 's1', 's0']);
});

test('non-string keys are converted with String()', () => {
  const router = new ShardRouter(['db-a', 'db-b', 'db-c']);
  assert.strictEqual(router.shardFor(17), router.shardFor('17'));
  assert.strictEqual(fnv1a32(String(17)) % 3, ['db-a', 'db-b', 'db-c'].indexOf(router.shardFor(17)));
});

test('group keeps shard order and input order', () => {
  const router = new ShardRouter(['db-a', 'db-b', 'db-c']);
  const groups = router.group(['order-17', 'user:2', 'user:1', 'x', 'user:3', 'a']);
  assert.deepStrictEqual([...groups.keys()], ['db-a', 'db-b', 'db-c']);
  assert.deepStrictEqual(groups.get('db-a'), ['user:2', 'x']);
  assert.deepStrictEqual(groups.get('db-b'), ['order-17', 'user:1', 'a']);
  assert.deepStrictEqual(groups.get('db-c'), ['user:3']);
});

test('group lists empty shards too', () => {
  const router = new ShardRouter(['p', 'q']);
  assert.deepStrictEqual([...router.group([]).entries()], [['p', []], ['q', []]]);
});

test('invalid shard lists are rejected', () => {
  assert.throws(() => new ShardRouter([]), RangeError);
  assert.throws(() => new ShardRouter(['a', 'a']), RangeError);
  assert.throws(() => new ShardRouter('db-a'), RangeError);
});
