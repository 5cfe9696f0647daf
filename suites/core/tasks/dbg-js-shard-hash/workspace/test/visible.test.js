'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { ShardRouter, fnv1a32 } = require('..');

test('hash of the empty string is the FNV offset basis', () => {
  assert.strictEqual(fnv1a32(''), 2166136261);
});

test('a single shard gets every key', () => {
  const router = new ShardRouter(['only']);
  assert.strictEqual(router.shardFor('user:1'), 'only');
});
