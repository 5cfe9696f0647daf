'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { Sheet, calc } = require('..');

test('arithmetic', () => {
  assert.strictEqual(calc('1 + 2 * 3'), 7);
  assert.strictEqual(calc('(1 + 2) * 3'), 9);
  assert.strictEqual(calc('2 ^ 10'), 1024);
});

test('sheet formulas', () => {
  const sheet = new Sheet();
  sheet.set('A1', 4);
  sheet.set('B1', '=A1 * 2 + max(A1, 10)');
  assert.strictEqual(sheet.value('B1'), 18);
});
