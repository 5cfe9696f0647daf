'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { CircularReferenceError, Sheet, calc } = require('../index.js');

test('a sign binds less tightly than ^', () => {
  assert.strictEqual(calc('-2^2'), -4);
  assert.strictEqual(calc('-x^2', { x: 3 }), -9);
  assert.strictEqual(calc('+2^2'), 4);
  assert.strictEqual(calc('1 - -2^2'), 5);
});

test('^ is right-associative', () => {
  assert.strictEqual(calc('2^3^2'), 512);
  assert.strictEqual(calc('2^1^3'), 2);
  assert.strictEqual(calc('(2^3)^2'), 64);
});

test('the exponent may carry a sign', () => {
  assert.strictEqual(calc('2^-1'), 0.5);
  assert.strictEqual(calc('-2^-2'), -0.25);
  assert.strictEqual(calc('2^-3^2'), 2 ** -9);
  assert.strictEqual(calc('2^--2'), 4);
});

test('signs next to * and /', () => {
  assert.strictEqual(calc('2*-3'), -6);
  assert.strictEqual(calc('-6/-2'), 3);
  assert.strictEqual(calc('-2*3'), -6);
  assert.strictEqual(calc('--2'), 2);
  assert.strictEqual(calc('1 - -2'), 3);
});

test('left-associative + - * / and usual precedence', () => {
  assert.strictEqual(calc('10-4-3'), 3);
  assert.strictEqual(calc('8/2/2'), 2);
  assert.strictEqual(calc('2*3^2'), 18);
  assert.strictEqual(calc('2^3*2'), 16);
  assert.strictEqual(calc(' 1.5 * 2 + 0.25 '), 3.25);
});

test('parentheses', () => {
  assert.strictEqual(calc('(-2)^2'), 4);
  assert.strictEqual(calc('-(2^2)'), -4);
  assert.strictEqual(calc('((1+2))*(3-1)'), 6);
});

test('functions', () => {
  assert.strictEqual(calc('MIN(-2^2, 0)'), -4);
  assert.strictEqual(calc('max(1, 2^3^2, 3)'), 512);
  assert.strictEqual(calc('abs(-3) + Abs(2 - 5)'), 6);
  assert.throws(() => calc('abs(1, 2)'), SyntaxError);
  assert.throws(() => calc('max()'), SyntaxError);
});

test('errors', () => {
  for (const bad of ['2 +', '(1', '2 3', '2 ^', '1 # 2', ')', 'max(1,']) {
    assert.throws(() => calc(bad), SyntaxError, bad);
  }
  assert.throws(() => calc('y + 1', { x: 1 }), ReferenceError);
  assert.throws(() => calc('toString'), ReferenceError);
  assert.throws(() => calc('sqrt(4)'), ReferenceError);
  assert.throws(() => calc('1 / (2 - 2)'), RangeError);
});

test('sheet formulas with powers and negation', () => {
  const sheet = new Sheet();
  sheet.set('A1', 3);
  sheet.set('B1', '=-A1^2');
  sheet.set('C1', '=2^B1^0 * 4');
  sheet.set('D1', '=-B1 - 2^-A1');
  assert.strictEqual(sheet.value('B1'), -9);
  assert.strictEqual(sheet.value('C1'), 8); // 2^((-9)^0) * 4
  assert.strictEqual(sheet.value('D1'), 9 - 0.125);
});

test('sheet: empty cells, circular references and invalid content', () => {
  const sheet = new Sheet();
  sheet.set('A1', '=B1 + 1');
  assert.strictEqual(sheet.value('A1'), 1);
  sheet.set('B1', '=C1 * 2');
  sheet.set('C1', '=A1');
  assert.throws(() => sheet.value('A1'), CircularReferenceError);
  sheet.set('D1', '=D1');
  assert.throws(() => sheet.value('D1'), CircularReferenceError);
  assert.throws(() => sheet.set('E1', 'A1+1'), TypeError);
  assert.throws(() => sheet.set('E1', '=1 +'), SyntaxError);
});
