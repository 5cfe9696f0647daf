'use strict';

/**
 * Split a formula into tokens: { type: 'num', value, pos }, { type: 'ident', value, pos },
 * { type: 'op', value, pos } for + - * / ^ ( ) , and a final { type: 'end', pos }.
 */
function tokenize(source) {
  const tokens = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const num = /^\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ type: 'num', value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      tokens.push({ type: 'ident', value: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    if ('+-*/^(),'.includes(ch)) {
      tokens.push({ type: 'op', value: ch, pos: i });
      i++;
      continue;
    }
    throw new SyntaxError(`unexpected character '${ch}' at ${i}`);
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

module.exports = { tokenize };
