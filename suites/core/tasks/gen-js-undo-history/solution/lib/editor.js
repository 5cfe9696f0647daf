'use strict';
const { TextBuffer, invert } = require('./buffer');

const MERGE_WINDOW = 1000;

/** A text with undo/redo history, typing coalescing and edit groups. */
class Editor {
  constructor(text = '', { maxSteps = Infinity } = {}) {
    this._buffer = new TextBuffer(text);
    this._maxSteps = maxSteps;
    this._undo = [];
    this._redo = [];
    this._groupDepth = 0;
    this._groupOps = [];
    this._last = null; // { kind, pos, length, time } of the newest open step's latest edit
  }

  get text() {
    return this._buffer.text;
  }

  get undoDepth() {
    return this._undo.length;
  }

  get redoDepth() {
    return this._redo.length;
  }

  insert(pos, text, time) {
    checkTime(time);
    if (!Number.isInteger(pos) || pos < 0 || pos > this.text.length) throw new RangeError('bad position');
    if (typeof text !== 'string' || text.length === 0) throw new RangeError('text must be a non-empty string');
    this._record({ type: 'insert', pos, text }, { kind: 'insert', pos, length: text.length, time });
  }

  remove(pos, length, time) {
    checkTime(time);
    if (!Number.isInteger(pos) || pos < 0 || pos > this.text.length) throw new RangeError('bad position');
    if (!Number.isInteger(length) || length < 1 || pos + length > this.text.length) {
      throw new RangeError('bad length');
    }
    const op = { type: 'delete', pos, text: this.text.slice(pos, pos + length) };
    this._record(op, { kind: 'remove', pos, length, time });
  }

  _record(op, edit) {
    this._buffer.apply(op);
    this._redo = [];
    if (this._groupDepth > 0) {
      this._groupOps.push(op);
      return;
    }
    if (this._canMerge(edit)) {
      this._undo[this._undo.length - 1].push(op);
    } else {
      this._push([op]);
    }
    this._last = edit;
  }

  _canMerge(edit) {
    const last = this._last;
    if (!last || last.kind !== edit.kind || last.time === undefined || edit.time === undefined) return false;
    const gap = edit.time - last.time;
    if (gap < 0 || gap > MERGE_WINDOW) return false;
    if (edit.kind === 'insert') return edit.pos === last.pos + last.length;
    return edit.pos + edit.length === last.pos || edit.pos === last.pos;
  }

  _push(step) {
    this._undo.push(step);
    while (this._undo.length > this._maxSteps) this._undo.shift();
  }

  undo() {
    if (this._groupDepth > 0) throw new Error('cannot undo while a group is open');
    this._last = null;
    const step = this._undo.pop();
    if (!step) return false;
    for (let i = step.length - 1; i >= 0; i--) this._buffer.apply(invert(step[i]));
    this._redo.push(step);
    return true;
  }

  redo() {
    if (this._groupDepth > 0) throw new Error('cannot redo while a group is open');
    this._last = null;
    const step = this._redo.pop();
    if (!step) return false;
    for (const op of step) this._buffer.apply(op);
    this._undo.push(step);
    return true;
  }

  beginGroup() {
    this._last = null;
    if (this._groupDepth === 0) this._groupOps = [];
    this._groupDepth += 1;
  }

  endGroup() {
    if (this._groupDepth === 0) throw new Error('no group is open');
    this._last = null;
    this._groupDepth -= 1;
    if (this._groupDepth === 0 && this._groupOps.length > 0) {
      this._push(this._groupOps);
      this._groupOps = [];
    }
  }
}

function checkTime(time) {
  if (time !== undefined && !Number.isFinite(time)) throw new RangeError('time must be a finite number');
}

module.exports = { Editor };
