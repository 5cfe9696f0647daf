// Jest's globals (describe, test, xtest, expect, ...) on node:test, so that Exercism's JavaScript
// tests run with `node --test` and no npm install. Driftwatch copies this file into the workspace
// (as .driftwatch/jest_globals.mjs) with the hidden tests, and the test command preloads it with
// `node --import`. Only the matchers the Exercism tracks use are here; an unknown one fails loudly.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { register } from 'node:module';
import { inspect } from 'node:util';

// Jest resolves `import { f } from './two-fer'` without an extension; Node does not.
register(new URL('./extensionless.mjs', import.meta.url));

const show = (value) => inspect(value, { depth: 4, breakLength: Infinity });

// Jest's toEqual: recursive, ignores properties whose value is undefined, and the prototype.
function equals(a, b, strict) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) if (!b.has(key) || !equals(value, b.get(key), strict)) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const value of a) if (![...b].some((other) => equals(value, other, strict))) return false;
    return true;
  }
  if (Array.isArray(a) && a.length !== b.length) return false;
  const keys = (o) => Object.keys(o).filter((k) => strict || o[k] !== undefined);
  const [ka, kb] = [keys(a), keys(b)];
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equals(a[k], b[k], strict));
}

function matchesObject(actual, expected) {
  if (typeof expected !== 'object' || expected === null) return equals(actual, expected, false);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesObject(actual[i], e));
  return Object.keys(expected).every((k) => matchesObject(actual[k], expected[k]));
}

function thrownMatches(error, expected) {
  if (expected === undefined) return true;
  const message = error?.message ?? String(error);
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === 'function') return error instanceof expected;
  if (expected instanceof Error) return message === expected.message;
  return equals(error, expected, false);
}

function matchers(actual, negated) {
  const check = (pass, message) => {
    if (pass === negated) throw Object.assign(new Error(`expect(${show(actual)})${negated ? '.not' : ''}.${message}`), { name: 'AssertionError' });
  };
  const self = {
    toBe: (e) => check(Object.is(actual, e), `toBe(${show(e)})`),
    toEqual: (e) => check(equals(actual, e, false), `toEqual(${show(e)})`),
    toStrictEqual: (e) => check(equals(actual, e, true), `toStrictEqual(${show(e)})`),
    toMatchObject: (e) => check(matchesObject(actual, e), `toMatchObject(${show(e)})`),
    toBeTruthy: () => check(Boolean(actual), 'toBeTruthy()'),
    toBeFalsy: () => check(!actual, 'toBeFalsy()'),
    toBeNull: () => check(actual === null, 'toBeNull()'),
    toBeUndefined: () => check(actual === undefined, 'toBeUndefined()'),
    toBeDefined: () => check(actual !== undefined, 'toBeDefined()'),
    toBeNaN: () => check(Number.isNaN(actual), 'toBeNaN()'),
    toBeInstanceOf: (c) => check(actual instanceof c, `toBeInstanceOf(${c?.name})`),
    toBeGreaterThan: (n) => check(actual > n, `toBeGreaterThan(${n})`),
    toBeGreaterThanOrEqual: (n) => check(actual >= n, `toBeGreaterThanOrEqual(${n})`),
    toBeLessThan: (n) => check(actual < n, `toBeLessThan(${n})`),
    toBeLessThanOrEqual: (n) => check(actual <= n, `toBeLessThanOrEqual(${n})`),
    toBeCloseTo: (n, digits = 2) => check(Math.abs(actual - n) < 10 ** -digits / 2, `toBeCloseTo(${n}, ${digits})`),
    toContain: (e) => check(actual != null && (typeof actual === 'string' ? actual.includes(e) : [...actual].includes(e)), `toContain(${show(e)})`),
    toContainEqual: (e) => check(actual != null && [...actual].some((a) => equals(a, e, false)), `toContainEqual(${show(e)})`),
    toHaveLength: (n) => check(actual?.length === n, `toHaveLength(${n})`),
    toHaveProperty: (k) => check(actual != null && k in Object(actual), `toHaveProperty(${show(k)})`),
    toMatch: (p) => check(typeof actual === 'string' && (p instanceof RegExp ? p.test(actual) : actual.includes(p)), `toMatch(${show(p)})`),
    toThrow: (e) => {
      let threw = false;
      let error;
      try {
        actual();
      } catch (caught) {
        threw = true;
        error = caught;
      }
      check(threw && thrownMatches(error, e), `toThrow(${e === undefined ? '' : show(e)})${threw ? ` (threw ${show(error?.message ?? error)})` : ' (threw nothing)'}`);
    },
  };
  self.toThrowError = self.toThrow;
  return self;
}

function expect(actual) {
  const positive = matchers(actual, false);
  positive.not = matchers(actual, true);
  const settle = (rejects) => new Proxy({}, {
    get: (_, name) => async (...args) => {
      let value;
      let failed = false;
      try {
        value = await actual;
      } catch (error) {
        failed = true;
        value = error;
      }
      if (failed !== rejects) throw new Error(`expected the promise to ${rejects ? 'reject' : 'resolve'}, it ${failed ? 'rejected' : 'resolved'} with ${show(value)}`);
      if (rejects && (name === 'toThrow' || name === 'toThrowError')) return matchers(() => { throw value; }, false)[name](...args);
      return expect(value)[name](...args);
    },
  });
  Object.defineProperty(positive, 'resolves', { get: () => settle(false) });
  Object.defineProperty(positive, 'rejects', { get: () => settle(true) });
  return positive;
}

// Tests disabled with xtest/xit/xdescribe or .skip are run: the importer re-enables them in the
// test files too; these aliases are a second line for files written some other way.
const test = (name, fn, timeout) => it(name, timeout ? { timeout } : {}, fn);
test.skip = test;
test.only = test;
test.todo = (name) => it.todo(name);
const describeAll = (name, fn) => describe(name, fn);
describeAll.skip = describeAll;
describeAll.only = describeAll;

Object.assign(globalThis, {
  describe: describeAll,
  xdescribe: describeAll,
  test,
  it: test,
  xtest: test,
  xit: test,
  expect,
  beforeEach,
  afterEach,
  beforeAll: before,
  afterAll: after,
});

// `import { describe, expect, test, xtest } from '@jest/globals'` (newer Exercism tests) resolves here.
export { describeAll as describe, describeAll as xdescribe, test, test as it, test as xtest, test as xit, expect, beforeEach, afterEach, before as beforeAll, after as afterAll };
