'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { mapLimit, uploadAll } = require('../index.js');

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An fn whose calls stay pending until the test settles them. */
function controlled() {
  const calls = [];
  let active = 0;
  let maxActive = 0;
  const fn = (item, index) => {
    active += 1;
    maxActive = Math.max(maxActive, active);
    return new Promise((resolve, reject) => {
      calls.push({
        item,
        index,
        resolve: (v) => { active -= 1; resolve(v); },
        reject: (e) => { active -= 1; reject(e); },
      });
    });
  };
  return { calls, fn, max: () => maxActive };
}

const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

test('results are in input order when calls finish out of order', async () => {
  const { calls, fn } = controlled();
  const p = mapLimit(['a', 'b', 'c', 'd'], 2, fn);
  await tick();
  calls[1].resolve('B');
  await tick();
  calls[2].resolve('C');
  await tick();
  calls[3].resolve('D');
  await tick();
  calls[0].resolve('A');
  assert.deepStrictEqual(await p, ['A', 'B', 'C', 'D']);
});

test('new calls start as slots free up, in input order, never above the limit', async () => {
  const { calls, fn, max } = controlled();
  const p = mapLimit([10, 20, 30, 40, 50], 2, fn);
  await tick();
  assert.deepStrictEqual(calls.map((c) => c.item), [10, 20]);
  calls[1].resolve(2);
  await tick();
  assert.deepStrictEqual(calls.map((c) => [c.item, c.index]), [[10, 0], [20, 1], [30, 2]]);
  calls[0].resolve(1);
  calls[2].resolve(3);
  await tick();
  assert.strictEqual(calls.length, 5);
  calls[4].resolve(5);
  calls[3].resolve(4);
  assert.deepStrictEqual(await p, [1, 2, 3, 4, 5]);
  assert.strictEqual(max(), 2);
});

test('limit larger than the input starts everything at once', async () => {
  const { calls, fn } = controlled();
  const p = mapLimit(new Set(['x', 'y', 'z']), 10, fn);
  await tick();
  assert.strictEqual(calls.length, 3);
  calls[2].resolve('Z');
  calls[0].resolve('X');
  calls[1].resolve('Y');
  assert.deepStrictEqual(await p, ['X', 'Y', 'Z']);
});

test('no new calls start after a failure', async () => {
  const { calls, fn } = controlled();
  const outcome = settle(mapLimit([1, 2, 3, 4, 5, 6], 2, fn));
  await tick();
  calls[0].reject(new Error('boom'));
  await tick();
  assert.strictEqual(calls.length, 2);
  calls[1].resolve('late');
  await tick();
  assert.strictEqual(calls.length, 2);
  const { error } = await outcome;
  assert.strictEqual(error.message, 'boom');
});

test('the first failure wins and later errors are ignored', async () => {
  const { calls, fn } = controlled();
  const outcome = settle(mapLimit(['a', 'b', 'c'], 3, fn));
  await tick();
  calls[2].reject(new Error('first'));
  await tick();
  calls[0].reject(new Error('second'));
  calls[1].resolve('ok');
  await tick();
  const { error } = await outcome;
  assert.strictEqual(error.message, 'first');
});

test('a synchronous throw in fn rejects the same way', async () => {
  const started = [];
  const fn = (item) => {
    started.push(item);
    if (item === 2) throw new TypeError('bad item');
    return Promise.resolve(item);
  };
  await assert.rejects(mapLimit([1, 2, 3, 4], 1, fn), TypeError);
  assert.deepStrictEqual(started, [1, 2]);
});

test('invalid limits reject with RangeError', async () => {
  await assert.rejects(mapLimit([1], 0, async (x) => x), RangeError);
  await assert.rejects(mapLimit([1], 1.5, async (x) => x), RangeError);
  await assert.rejects(mapLimit([1], '2', async (x) => x), RangeError);
});

test('empty input resolves without calling fn', async () => {
  let called = false;
  assert.deepStrictEqual(await mapLimit([], 3, () => { called = true; }), []);
  assert.strictEqual(called, false);
});

test('uploadAll pairs each file with its own URL', async () => {
  const pending = [];
  const client = {
    put: (name, data) => new Promise((resolve) => pending.push(() => resolve(`https://cdn.example/${name}?${data.length}`))),
  };
  const files = [{ name: 'big.bin', data: 'xxxxxxxx' }, { name: 'small.txt', data: 'x' }, { name: 'mid.png', data: 'xxxx' }];
  const p = uploadAll(files, client, { concurrency: 3 });
  await tick();
  pending[1]();
  pending[2]();
  await tick();
  pending[0]();
  assert.deepStrictEqual(await p, [
    { name: 'big.bin', url: 'https://cdn.example/big.bin?8' },
    { name: 'small.txt', url: 'https://cdn.example/small.txt?1' },
    { name: 'mid.png', url: 'https://cdn.example/mid.png?4' },
  ]);
});

test('uploadAll stops starting uploads after a failure', async () => {
  const started = [];
  const pending = [];
  const client = {
    put: (name) => {
      started.push(name);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  const files = ['a', 'b', 'c', 'd'].map((name) => ({ name, data: name }));
  const outcome = settle(uploadAll(files, client, { concurrency: 2 }));
  await tick();
  pending[1].reject(new Error('503'));
  await tick();
  pending[0].resolve('u');
  await tick();
  assert.deepStrictEqual(started, ['a', 'b']);
  assert.strictEqual((await outcome).error.message, '503');
});
