'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { ColorError, parseHex, toHex, mix, textColorOn } = require('../src/color.js');

test('six-digit colours', () => {
  assert.deepStrictEqual(parseHex('#1e90ff'), { r: 30, g: 144, b: 255, a: 1 });
  assert.deepStrictEqual(parseHex('#000000'), { r: 0, g: 0, b: 0, a: 1 });
});

test('digits are case-insensitive and surrounding whitespace is ignored', () => {
  assert.deepStrictEqual(parseHex('  #FFaA01\n'), { r: 255, g: 170, b: 1, a: 1 });
});

test('three-digit colours double each digit', () => {
  assert.deepStrictEqual(parseHex('#f80'), { r: 255, g: 136, b: 0, a: 1 });
  assert.deepStrictEqual(parseHex('#09C'), { r: 0, g: 153, b: 204, a: 1 });
});

test('eight-digit colours carry an alpha rounded to three decimals', () => {
  assert.deepStrictEqual(parseHex('#11223380'), { r: 17, g: 34, b: 51, a: 0.502 });
  assert.deepStrictEqual(parseHex('#112233ff'), { r: 17, g: 34, b: 51, a: 1 });
  assert.deepStrictEqual(parseHex('#11223300'), { r: 17, g: 34, b: 51, a: 0 });
});

test('four-digit colours double the alpha digit too', () => {
  assert.deepStrictEqual(parseHex('#0f08'), { r: 0, g: 255, b: 0, a: 0.533 });
  assert.deepStrictEqual(parseHex('#abcf'), { r: 170, g: 187, b: 204, a: 1 });
});

test('the # is required', () => {
  assert.throws(() => parseHex('1e90ff'), ColorError);
  assert.throws(() => parseHex('##1e90ff'), ColorError);
});

test('other lengths are rejected', () => {
  for (const text of ['#', '#1', '#12', '#12345', '#1234567', '#123456789']) {
    assert.throws(() => parseHex(text), ColorError, text);
  }
});

test('non-hex characters are rejected', () => {
  for (const text of ['#12345g', '#1g0', '#-12345', '#12 345', '#0x1234']) {
    assert.throws(() => parseHex(text), ColorError, text);
  }
});

test('non-strings are rejected', () => {
  for (const value of [null, undefined, 0x1e90ff, ['#fff']]) {
    assert.throws(() => parseHex(value), ColorError, String(value));
  }
});

test('helpers that take hex strings use parseHex', () => {
  assert.strictEqual(toHex(mix('#000', '#ffffff80', 0.5)), '#808080c0');
  assert.strictEqual(textColorOn('#FFF'), '#000000');
  assert.strictEqual(textColorOn('#1e3a8a'), '#ffffff');
});
