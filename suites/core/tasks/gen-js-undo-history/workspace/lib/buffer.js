'use strict';

/** Return the operation that undoes op. */
function invert(op) {
  throw new Error('not implemented');
}

/** A string that changes through insert/delete operations. */
class TextBuffer {
  constructor(text = '') {
    throw new Error('not implemented');
  }

  get text() {
    throw new Error('not implemented');
  }

  /** Apply op and return its inverse. */
  apply(op) {
    throw new Error('not implemented');
  }
}

module.exports = { TextBuffer, invert };
