'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { TextBuffer, invert } = require('../lib/buffer.js');

test('invert swaps the operation type', () => {
  const op = { type: 'insert', pos: 3, text: 'abc' };
  assert.deepEqual(invert(op), { type: 'delete', pos: 3, text: 'abc' });
  assert.deepEqual(invert({ type: 'delete', pos: 0, text: 'x' }), { type: 'insert', pos: 0, text: 'x' });
  assert.deepEqual(op, { type: 'insert', pos: 3, text: 'abc' });
});

test('apply edits the text and returns the inverse', () => {
  const buf = new TextBuffer('hello');
  assert.deepEqual(buf.apply({ type: 'insert', pos: 5, text: ' world' }), { type: 'delete', pos: 5, text: ' world' });
  assert.equal(buf.text, 'hello world');
  assert.deepEqual(buf.apply({ type: 'delete', pos: 0, text: 'hello' }), { type: 'insert', pos: 0, text: 'hello' });
  assert.equal(buf.text, ' world');
  buf.apply({ type: 'insert', pos: 0, text: 'big' });
  assert.equal(buf.text, 'big world');
  const inverse = buf.apply({ type: 'delete', pos: 3, text: ' ' });
  buf.apply(inverse);
  assert.equal(buf.text, 'big world');
  assert.equal(new TextBuffer().text, '');
});

test('apply rejects invalid operations and leaves the text alone', () => {
  const buf = new TextBuffer('abc');
  const bad = [
    { type: 'insert', pos: 4, text: 'x' },
    { type: 'insert', pos: -1, text: 'x' },
    { type: 'insert', pos: 1.5, text: 'x' },
    { type: 'insert', pos: '1', text: 'x' },
    { type: 'insert', pos: 1, text: '' },
    { type: 'insert', pos: 1, text: 5 },
    { type: 'delete', pos: 1, text: 'x' },
    { type: 'delete', pos: 2, text: 'cd' },
    { type: 'delete', pos: 3, text: 'c' },
    { type: 'delete', pos: -1, text: 'a' },
    { type: 'replace', pos: 0, text: 'a' },
  ];
  for (const op of bad) {
    assert.throws(() => buf.apply(op), RangeError, JSON.stringify(op));
    assert.equal(buf.text, 'abc');
  }
  buf.apply({ type: 'insert', pos: 3, text: 'd' });
  buf.apply({ type: 'delete', pos: 1, text: 'bcd' });
  assert.equal(buf.text, 'a');
});
