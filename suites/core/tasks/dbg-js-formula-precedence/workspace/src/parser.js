'use strict';

const { tokenize } = require('./lexer');

/*
 * Recursive-descent parser producing an AST:
 *   { type: 'num', value }            { type: 'var', name }
 *   { type: 'neg', arg }              { type: 'bin', op, left, right }
 *   { type: 'call', name, args }
 */
class Parser {
  constructor(source) {
    this.tokens = tokenize(source);
    this.i = 0;
  }

  peek() {
    return this.tokens[this.i];
  }

  isOp(value) {
    const t = this.peek();
    return t.type === 'op' && t.value === value;
  }

  expectOp(value) {
    if (!this.isOp(value)) {
      const t = this.peek();
      throw new SyntaxError(`expected '${value}' at ${t.pos}`);
    }
    this.i++;
  }

  parseFormula() {
    const ast = this.parseSum();
    const t = this.peek();
    if (t.type !== 'end') throw new SyntaxError(`unexpected '${t.value}' at ${t.pos}`);
    return ast;
  }

  // sum := product (('+' | '-') product)*
  parseSum() {
    let left = this.parseProduct();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.tokens[this.i++].value;
      left = { type: 'bin', op, left, right: this.parseProduct() };
    }
    return left;
  }

  // product := power (('*' | '/') power)*
  parseProduct() {
    let left = this.parsePower();
    while (this.isOp('*') || this.isOp('/')) {
      const op = this.tokens[this.i++].value;
      left = { type: 'bin', op, left, right: this.parsePower() };
    }
    return left;
  }

  // power := unary ('^' unary)*
  parsePower() {
    let left = this.parseUnary();
    while (this.isOp('^')) {
      this.i++;
      left = { type: 'bin', op: '^', left, right: this.parseUnary() };
    }
    return left;
  }

  // unary := ('-' | '+') unary | primary
  parseUnary() {
    if (this.isOp('-')) {
      this.i++;
      return { type: 'neg', arg: this.parseUnary() };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.parseUnary();
    }
    return this.parsePrimary();
  }

  // primary := number | name | name '(' [sum (',' sum)*] ')' | '(' sum ')'
  parsePrimary() {
    const t = this.peek();
    if (t.type === 'num') {
      this.i++;
      return { type: 'num', value: t.value };
    }
    if (t.type === 'ident') {
      this.i++;
      if (!this.isOp('(')) return { type: 'var', name: t.value };
      this.i++;
      const args = [];
      if (!this.isOp(')')) {
        args.push(this.parseSum());
        while (this.isOp(',')) {
          this.i++;
          args.push(this.parseSum());
        }
      }
      this.expectOp(')');
      return { type: 'call', name: t.value, args };
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.parseSum();
      this.expectOp(')');
      return inner;
    }
    throw new SyntaxError(t.type === 'end' ? 'unexpected end of formula' : `unexpected '${t.value}' at ${t.pos}`);
  }
}

function parse(source) {
  return new Parser(source).parseFormula();
}

module.exports = { parse };
