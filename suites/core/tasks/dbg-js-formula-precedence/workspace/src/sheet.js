'use strict';

const { parse } = require('./parser');
const { evaluate } = require('./evaluate');

class CircularReferenceError extends Error {
  constructor(path) {
    super(`circular reference: ${path.join(' -> ')}`);
    this.name = 'CircularReferenceError';
  }
}

/** Cells hold numbers or formulas ("=A1*2"); formulas refer to other cells by name. */
class Sheet {
  constructor() {
    this.cells = new Map();
  }

  set(name, content) {
    if (typeof content === 'string' && content.startsWith('=')) {
      this.cells.set(name, { formula: parse(content.slice(1)) });
    } else if (typeof content === 'number') {
      this.cells.set(name, { number: content });
    } else {
      throw new TypeError('a cell holds a number or a formula starting with "="');
    }
  }

  value(name) {
    return this.#valueOf(name, []);
  }

  #valueOf(name, path) {
    if (path.includes(name)) throw new CircularReferenceError([...path, name]);
    const cell = this.cells.get(name);
    if (!cell) return 0; // empty cells count as 0
    if (cell.formula === undefined) return cell.number;
    return evaluate(cell.formula, (ref) => this.#valueOf(ref, [...path, name]));
  }
}

module.exports = { CircularReferenceError, Sheet };
