'use strict';

const { parse } = require('./src/parser');
const { evaluate } = require('./src/evaluate');
const { CircularReferenceError, Sheet } = require('./src/sheet');

/** Evaluate a formula with variables from `vars` (a plain object of numbers). */
function calc(formula, vars = {}) {
  return evaluate(parse(formula), (name) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new ReferenceError(`unknown variable ${name}`);
    return vars[name];
  });
}

module.exports = { CircularReferenceError, Sheet, calc, parse };
