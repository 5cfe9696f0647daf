'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Editor } = require('../lib/editor.js');

test('separate edits are undone and redone one by one', () => {
  const ed = new Editor('ab');
  ed.insert(2, 'c');
  ed.remove(0, 1);
  ed.insert(0, 'X');
  assert.equal(ed.text, 'Xbc');
  assert.equal(ed.undoDepth, 3);
  assert.equal(ed.undo(), true);
  assert.equal(ed.text, 'bc');
  assert.equal(ed.undo(), true);
  assert.equal(ed.text, 'abc');
  assert.equal(ed.redoDepth, 2);
  assert.equal(ed.redo(), true);
  assert.equal(ed.text, 'bc');
  assert.equal(ed.undo(), true);
  assert.equal(ed.undo(), true);
  assert.equal(ed.text, 'ab');
  assert.equal(ed.undo(), false);
  assert.equal(ed.text, 'ab');
  assert.equal(ed.redo(), true);
  assert.equal(ed.redo(), true);
  assert.equal(ed.redo(), true);
  assert.equal(ed.redo(), false);
  assert.equal(ed.text, 'Xbc');
  assert.equal(ed.undoDepth, 3);
  assert.equal(ed.redoDepth, 0);
});

test('a new edit empties the redo stack', () => {
  const ed = new Editor();
  ed.insert(0, 'one');
  ed.insert(3, ' two');
  ed.undo();
  assert.equal(ed.redoDepth, 1);
  ed.insert(0, '>');
  assert.equal(ed.redoDepth, 0);
  assert.equal(ed.redo(), false);
  assert.equal(ed.text, '>one');
});

test('typing right after the previous insert within 1000 ms merges', () => {
  const ed = new Editor('x');
  ed.insert(1, 'h', 0);
  ed.insert(2, 'e', 400);
  ed.insert(3, 'llo', 1400);
  assert.equal(ed.text, 'xhello');
  assert.equal(ed.undoDepth, 1);
  ed.insert(6, '!', 2401);
  assert.equal(ed.undoDepth, 2);
  ed.undo();
  assert.equal(ed.text, 'xhello');
  ed.undo();
  assert.equal(ed.text, 'x');
  ed.redo();
  assert.equal(ed.text, 'xhello');
  // a failed edit does not close the open step
  ed.insert(6, '?', 3000);
  assert.throws(() => ed.insert(99, 'z', 3050), RangeError);
  ed.insert(7, '?', 3100);
  assert.equal(ed.undoDepth, 2);
  assert.equal(ed.text, 'xhello??');
});

test('inserts elsewhere, without time or going back in time start a new step', () => {
  const ed = new Editor();
  ed.insert(0, 'ab', 0);
  ed.insert(1, 'Z', 10); // not right after "ab"
  assert.equal(ed.undoDepth, 2);
  ed.insert(2, 'c');  // no time
  ed.insert(3, 'd', 20);
  assert.equal(ed.undoDepth, 4);
  ed.insert(4, 'e', 10); // earlier than the previous edit
  assert.equal(ed.undoDepth, 5);
  ed.insert(5, 'f', 11);
  assert.equal(ed.undoDepth, 5);
  assert.equal(ed.text, 'aZcdefb');
});

test('backspace and delete runs merge, inserts and removals do not mix', () => {
  const ed = new Editor('abcdef');
  ed.remove(5, 1, 0);   // Backspace at the end: abcde
  ed.remove(4, 1, 100); // abcd
  ed.remove(2, 2, 200); // ab
  assert.equal(ed.undoDepth, 1);
  ed.remove(0, 1, 300); // does not touch the previous removal at 2: new step
  assert.equal(ed.undoDepth, 2);
  ed.remove(0, 1, 400); // Delete at the same position: merged
  assert.equal(ed.text, '');
  assert.equal(ed.undoDepth, 2);
  ed.insert(0, 'q', 500);
  ed.remove(0, 1, 600);
  assert.equal(ed.undoDepth, 4);
  ed.undo();
  ed.undo();
  assert.equal(ed.undoDepth, 2);
  ed.undo();
  assert.equal(ed.text, 'ab');
  ed.undo();
  assert.equal(ed.text, 'abcdef');
});

test('undo, redo and groups close the open step', () => {
  const ed = new Editor();
  ed.insert(0, 'a', 0);
  ed.insert(1, 'b', 100);
  ed.undo();
  ed.redo();
  ed.insert(2, 'c', 200);
  assert.equal(ed.undoDepth, 2);
  ed.undo();
  assert.equal(ed.text, 'ab');
  ed.redo();
  ed.beginGroup();
  ed.endGroup();
  ed.insert(3, 'd', 300);
  assert.equal(ed.undoDepth, 3);
  ed.insert(4, 'e', 400);
  assert.equal(ed.undoDepth, 3);
  assert.equal(ed.undo(), true);
  assert.equal(ed.text, 'abc');
});

test('an undone step is not extended, and even a redo() with nothing to redo closes the step', () => {
  const ed = new Editor('abcdef');
  ed.insert(0, '>');
  ed.remove(6, 1, 0);
  ed.undo();
  assert.equal(ed.text, '>abcdef');
  ed.remove(5, 1, 100);
  assert.equal(ed.undoDepth, 2);
  ed.remove(4, 1, 200);
  assert.equal(ed.undoDepth, 2);
  assert.equal(ed.redo(), false);
  ed.remove(3, 1, 300);
  assert.equal(ed.undoDepth, 3);
  ed.undo();
  assert.equal(ed.text, '>abcf');
});

test('edits inside a group become one step', () => {
  const ed = new Editor('name = 1');
  ed.beginGroup();
  ed.remove(0, 4);
  ed.insert(0, 'value');
  ed.beginGroup();
  ed.insert(ed.text.length, ';');
  ed.endGroup();
  assert.equal(ed.undoDepth, 0);
  ed.endGroup();
  assert.equal(ed.text, 'value = 1;');
  assert.equal(ed.undoDepth, 1);
  ed.undo();
  assert.equal(ed.text, 'name = 1');
  ed.redo();
  assert.equal(ed.text, 'value = 1;');
  ed.beginGroup();
  ed.endGroup();
  assert.equal(ed.undoDepth, 1);
});

test('group steps never merge with typing', () => {
  const ed = new Editor();
  ed.insert(0, 'a', 0);
  ed.beginGroup();
  ed.insert(1, 'b', 10);
  ed.insert(2, 'c', 20);
  ed.endGroup();
  ed.insert(3, 'd', 30);
  assert.equal(ed.undoDepth, 3);
  ed.undo();
  assert.equal(ed.text, 'abc');
  ed.undo();
  assert.equal(ed.text, 'a');
});

test('group misuse throws Error', () => {
  const ed = new Editor('t');
  assert.throws(() => ed.endGroup(), Error);
  ed.insert(1, 'u');
  ed.beginGroup();
  assert.throws(() => ed.undo(), Error);
  assert.throws(() => ed.redo(), Error);
  ed.insert(0, '>');
  ed.endGroup();
  assert.throws(() => ed.endGroup(), Error);
  assert.equal(ed.text, '>tu');
  assert.equal(ed.undoDepth, 2);
});

test('maxSteps drops the oldest steps', () => {
  const ed = new Editor('', { maxSteps: 2 });
  ed.insert(0, 'a');
  ed.insert(1, 'b');
  ed.insert(2, 'c');
  ed.insert(3, 'd', 0);
  ed.insert(4, 'e', 1); // merged, no new step
  assert.equal(ed.undoDepth, 2);
  assert.equal(ed.undo(), true);
  assert.equal(ed.undo(), true);
  assert.equal(ed.undo(), false);
  assert.equal(ed.text, 'ab');
});

test('invalid edits throw RangeError and change nothing', () => {
  const ed = new Editor('abc');
  ed.insert(3, 'd', 0);
  ed.undo();
  const calls = [
    () => ed.insert(4, 'x'), () => ed.insert(-1, 'x'), () => ed.insert(1.5, 'x'), () => ed.insert(0, ''),
    () => ed.insert(0, null), () => ed.insert(0, 'x', NaN), () => ed.insert(0, 'x', '5'),
    () => ed.remove(0, 0), () => ed.remove(2, 2), () => ed.remove(4, 1), () => ed.remove(-1, 1),
    () => ed.remove(0, 1.5), () => ed.remove(0, 1, Infinity),
  ];
  for (const call of calls) {
    assert.throws(call, RangeError, call.toString());
  }
  assert.equal(ed.text, 'abc');
  assert.equal(ed.undoDepth, 0);
  assert.equal(ed.redoDepth, 1);
  ed.remove(1, 2);
  assert.equal(ed.text, 'a');
});

test('edits with the same time (a gap of 0 ms) still merge', () => {
  const ed = new Editor('');
  ed.insert(0, 'a', 500);
  ed.insert(1, 'b', 500);
  ed.insert(2, 'c', 500.5);
  assert.equal(ed.undoDepth, 1);
  ed.remove(2, 1, 800);
  ed.remove(1, 1, 800);
  assert.equal(ed.undoDepth, 2);
  assert.equal(ed.text, 'a');
  ed.undo();
  assert.equal(ed.text, 'abc');
  ed.undo();
  assert.equal(ed.text, '');
});
