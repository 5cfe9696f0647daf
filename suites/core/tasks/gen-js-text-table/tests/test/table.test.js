'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { renderTable } = require('../lib/table.js');

test('renders the example from the specification', () => {
  assert.equal(renderTable(['Item', 'Qty', 'Note'], [['apple', 3, 'fresh'], ['kiwi', 12, null]]),
    'Item   Qty  Note\n-----  ---  -----\napple    3  fresh\nkiwi    12');
});

test('number columns are right-aligned, header included', () => {
  assert.equal(renderTable(['n', 'price'], [[1, 2.5], [100, -3]]),
    '  n  price\n---  -----\n  1    2.5\n100     -3');
});

test('a column mixing numbers and text is left-aligned', () => {
  assert.equal(renderTable(['Code', 'Name'], [[7, 'x'], ['12', 'y'], [true, 'z']]),
    'Code  Name\n----  ----\n7     x\n12    y\ntrue  z');
});

test('empty cells do not change numeric alignment, but an empty column is left-aligned', () => {
  assert.equal(renderTable(['Total', 'Memo', 'End'], [[null, undefined, 'a'], [1234, null, 'b']]),
    'Total  Memo  End\n-----  ----  ---\n             a\n 1234        b');
});

test('trailing spaces are removed from every line', () => {
  const out = renderTable(['Name', 'City'], [['Al', 'Rome'], ['Beatrice', '']]);
  assert.equal(out, 'Name      City\n--------  ----\nAl        Rome\nBeatrice');
  for (const l of out.split('\n')) assert.equal(l, l.trimEnd());
  assert.ok(!out.endsWith('\n'));
});

test('no rows gives the header and the separator only', () => {
  assert.equal(renderTable(['A', 'Long header'], []), 'A  Long header\n-  -----------');
});

test('maxWidth cuts long texts, headers included', () => {
  assert.equal(renderTable(['Description', 'Qty'], [['abcdefgh', 12345678], ['abcdef', 1]], { maxWidth: 6 }),
    'Descr…     Qty\n------  ------\nabcde…  12345…\nabcdef       1');
  assert.equal(renderTable(['ab', 'c'], [['xyz', 'q']], { maxWidth: 2 }), 'ab  c\n--  -\nx…  q');
});

test('invalid input throws RangeError', () => {
  assert.throws(() => renderTable(['a', 'b'], [['x']]), RangeError);
  assert.throws(() => renderTable(['a'], [['x'], ['y', 'z']]), RangeError);
  for (const maxWidth of [1, 0, -3, 2.5, '4', null]) {
    assert.throws(() => renderTable(['a'], [['x']], { maxWidth }), RangeError, String(maxWidth));
  }
});

test('inputs are left untouched', () => {
  const headers = ['a', 'b'];
  const rows = [[1, null], ['long text', 2]];
  const copy = JSON.parse(JSON.stringify(rows));
  renderTable(headers, rows, { maxWidth: 4 });
  assert.deepEqual(headers, ['a', 'b']);
  assert.deepEqual(rows, copy);
});
