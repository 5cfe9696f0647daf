'use strict';

const FUNCTIONS = {
  min: { arity: [1, Infinity], fn: (...xs) => Math.min(...xs) },
  max: { arity: [1, Infinity], fn: (...xs) => Math.max(...xs) },
  abs: { arity: [1, 1], fn: (x) => Math.abs(x) },
};

/** Evaluate an AST; `lookup(name)` supplies the value of a variable. */
function evaluate(node, lookup) {
  switch (node.type) {
    case 'num':
      return node.value;
    case 'var':
      return lookup(node.name);
    case 'neg':
      return -evaluate(node.arg, lookup);
    case 'call': {
      const entry = FUNCTIONS[node.name.toLowerCase()];
      if (!entry) throw new ReferenceError(`unknown function ${node.name}`);
      const [lo, hi] = entry.arity;
      if (node.args.length < lo || node.args.length > hi) {
        throw new SyntaxError(`${node.name} takes ${lo === hi ? lo : `at least ${lo}`} argument(s)`);
      }
      return entry.fn(...node.args.map((arg) => evaluate(arg, lookup)));
    }
    case 'bin': {
      const a = evaluate(node.left, lookup);
      const b = evaluate(node.right, lookup);
      switch (node.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/':
          if (b === 0) throw new RangeError('division by zero');
          return a / b;
        case '^': return a ** b;
        default: throw new SyntaxError(`unknown operator ${node.op}`);
      }
    }
    default:
      throw new TypeError(`unknown node ${node.type}`);
  }
}

module.exports = { evaluate };
