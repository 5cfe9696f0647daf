'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { mapLimit } = require('..');

test('maps every item', async () => {
  const out = await mapLimit([1, 2, 3], 2, async (x) => x * 10);
  assert.deepStrictEqual(out, [10, 20, 30]);
});

test('empty input', async () => {
  assert.deepStrictEqual(await mapLimit([], 4, async (x) => x), []);
});
