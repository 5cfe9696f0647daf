// Loaded before the hidden tests of a JavaScript task (node --import ./.driftwatch/guard.mjs --test …),
// in the test runner and in every test file's process. Driftwatch copies it into the workspace
// only after the agent has finished. The code under test runs in the tests' process, so this
// takes away the two ways it could decide the verdict instead of the tests: the functions of
// node:assert, and the module loader, can no longer be replaced (they are frozen), and leaving
// the process with status 0 before the tests ended (process.exit(0), which node --test counts
// as a passing file) ends it with status 86 and a note instead.
import assert from 'node:assert';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Module = require('node:module');
for (const exported of [assert, assert.strict, require('node:assert/strict')]) Object.freeze(exported);
for (const name of ['require']) Object.defineProperty(Module.prototype, name, { writable: false, configurable: false });
for (const name of ['_load', '_resolveFilename']) Object.defineProperty(Module, name, { writable: false, configurable: false });

const exit = process.exit.bind(process);
const reallyExit = process.reallyExit.bind(process);
const EXITED_EARLY = 86;

function guardedExit(code) {
  if ((code ?? process.exitCode ?? 0) == 0) {
    process.stderr.write('[driftwatch] process.exit(0) was called while the tests ran: the file does not count as passed\n');
    exit(EXITED_EARLY);
  }
  exit(code);
}

Object.defineProperty(process, 'exit', { value: guardedExit, writable: false, configurable: false });
Object.defineProperty(process, 'reallyExit', {
  value: (code) => ((code ?? 0) == 0 ? guardedExit(code) : reallyExit(code)),
  writable: false,
  configurable: false,
});
