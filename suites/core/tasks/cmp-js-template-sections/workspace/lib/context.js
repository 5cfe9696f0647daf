'use strict';

const hasOwn = (value, key) =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && Object.hasOwn(value, key);

/**
 * A stack of values that names are looked up in, innermost first. Each frame may carry loop
 * metadata ({ index, first, last }) when it was pushed for an item of a list.
 */
class Context {
  constructor(value, parent = null, meta = null) {
    this.value = value;
    this.parent = parent;
    this.meta = meta;
  }

  /** A new context with `value` on top of this one. */
  push(value, meta = null) {
    return new Context(value, this, meta);
  }

  /**
   * "."            -> the innermost value
   * "@index" etc.  -> the metadata of the innermost list item being rendered (undefined outside lists)
   * "a.b.c"        -> "a" is looked up from the innermost frame outwards (own properties only);
   *                   "b" and "c" are then read from what was found. Missing -> undefined.
   */
  lookup(name) {
    if (name === '.') return this.value;
    if (name.startsWith('@')) {
      for (let frame = this; frame; frame = frame.parent) {
        if (frame.meta) return frame.meta[name.slice(1)];
      }
      return undefined;
    }
    const [first, ...rest] = name.split('.');
    let frame = this;
    while (frame && !hasOwn(frame.value, first)) frame = frame.parent;
    if (!frame) return undefined;
    let value = frame.value[first];
    for (const key of rest) {
      if (!hasOwn(value, key)) return undefined;
      value = value[key];
    }
    return value;
  }
}

module.exports = { Context };
