'use strict';

/** Return the operation that undoes op. */
function invert(op) {
  return { type: op.type === 'insert' ? 'delete' : 'insert', pos: op.pos, text: op.text };
}

/** A string that changes through insert/delete operations. */
class TextBuffer {
  constructor(text = '') {
    this._text = text;
  }

  get text() {
    return this._text;
  }

  /** Apply op and return its inverse. */
  apply(op) {
    const { type, pos, text } = op;
    if (type !== 'insert' && type !== 'delete') throw new RangeError(`unknown operation ${type}`);
    if (typeof text !== 'string' || text.length === 0) throw new RangeError('text must be a non-empty string');
    if (!Number.isInteger(pos)) throw new RangeError('pos must be an integer');
    if (type === 'insert') {
      if (pos < 0 || pos > this._text.length) throw new RangeError('insert position out of range');
      this._text = this._text.slice(0, pos) + text + this._text.slice(pos);
    } else {
      if (pos < 0 || this._text.slice(pos, pos + text.length) !== text) {
        throw new RangeError('the text to delete is not there');
      }
      this._text = this._text.slice(0, pos) + this._text.slice(pos + text.length);
    }
    return invert(op);
  }
}

module.exports = { TextBuffer, invert };
