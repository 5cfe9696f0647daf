'use strict';
const { TextBuffer, invert } = require('./buffer');

/** A text with undo/redo history, typing coalescing and edit groups. */
class Editor {
  constructor(text = '', { maxSteps = Infinity } = {}) {
    throw new Error('not implemented');
  }

  get text() {
    throw new Error('not implemented');
  }

  get undoDepth() {
    throw new Error('not implemented');
  }

  get redoDepth() {
    throw new Error('not implemented');
  }

  insert(pos, text, time) {
    throw new Error('not implemented');
  }

  remove(pos, length, time) {
    throw new Error('not implemented');
  }

  undo() {
    throw new Error('not implemented');
  }

  redo() {
    throw new Error('not implemented');
  }

  beginGroup() {
    throw new Error('not implemented');
  }

  endGroup() {
    throw new Error('not implemented');
  }
}

module.exports = { Editor };
