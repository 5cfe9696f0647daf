"""Turn a public benchmark's checks into unittest cases, one per assertion, for partial credit.

Driftwatch copies this file into the workspace (as .driftwatch/check_cases.py) with the hidden
tests of imported suites. The checks run the way the benchmarks' own harnesses run them -- the
dataset's test code in the namespace of the candidate's module -- but every top-level assertion
is its own test case, so that a solution that gets 7 of 9 assertions right scores 7/9:

- assertion_cases(): HumanEval's `check(candidate)` function (each top-level statement of its body
  that contains an `assert` is a case, run after the statements before it that contain none), or
  a file of top-level asserts such as MBPP's test_list (set-up statements run once, first);
- io_cases(): QuixBugs' JSON Lines of `[arguments, expected]`, one case per line.

`assert True` (a placeholder some HumanEval checks contain) tests nothing and is not a case.
"""
import ast
import copy
import importlib
import json
import os
import types
import unittest

_CASE = "__driftwatch_case__"


def _contains_assert(statement):
    return any(isinstance(node, ast.Assert) for node in ast.walk(statement))


def _is_placeholder(statement):
    return isinstance(statement, ast.Assert) and isinstance(statement.test, ast.Constant) and bool(statement.test.value)


def _function(statements, argument, filename, namespace):
    """Compiles `statements` as the body of a function of `argument` whose globals are `namespace`."""
    template = ast.parse(f"def {_CASE}({argument or ''}):\n    pass\n")
    template.body[0].body = [copy.deepcopy(s) for s in statements]
    ast.fix_missing_locations(template)
    exec(compile(template, filename, "exec"), namespace)
    return namespace.pop(_CASE)


def _suite(class_name, cases):
    """A TestSuite of one TestCase class whose test methods are `cases` (name, callable), in order.

    Once a case runs out of time (the runner's per-case alarm), the cases after it fail at once
    instead of running: code that hangs once (a gap left in a loop) hangs again, and waiting for
    every case would take the whole test command past its timeout.
    """
    hung = []

    def method(run, name):
        def test(self):
            if hung:
                self.fail(f"not run: {hung[0]} ran out of time before it")
            try:
                run()
            except BaseException as error:
                if type(error).__name__ == "TestCaseTimeout":
                    hung.append(name)
                raise
        return test

    methods = {name: method(run, name) for name, run in cases}
    case_class = type(class_name, (unittest.TestCase,), methods)
    return unittest.TestSuite(case_class(name) for name, _ in cases)


def _here(file_name):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", file_name)


def assertion_cases(check_file, module="solution", function=None, entry_point=None):
    """Cases from the assertions in `check_file` (in `function` when given, else at top level).

    With `function` (HumanEval), the whole file runs once in the module's namespace, like the
    upstream harness's `prompt + completion + test`, and each case calls the function's body up to
    one assertion with `entry_point` as its argument.
    """
    namespace = vars(importlib.import_module(module))
    path = _here(check_file)
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    tree = ast.parse(source, check_file)

    if function is not None:
        exec(compile(tree, check_file, "exec"), namespace)
        definition = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function)
        statements = definition.body
        argument = definition.args.args[0].arg if definition.args.args else None
        candidate = namespace[entry_point] if entry_point else None
        setup_runs_per_case = True
    else:
        setup = [s for s in tree.body if not _contains_assert(s)]
        exec(compile(ast.Module(body=setup, type_ignores=[]), check_file, "exec"), namespace)
        statements = [s for s in tree.body if _contains_assert(s)]
        argument, candidate = None, None
        setup_runs_per_case = False

    cases, before = [], []
    for statement in statements:
        if not _contains_assert(statement):
            if setup_runs_per_case:
                before.append(statement)
            continue
        if _is_placeholder(statement):
            continue
        body = before + [statement]
        run = _function(body, argument, check_file, namespace)
        call = (lambda run=run: run(candidate)) if argument else run
        cases.append((f"test_{len(cases) + 1:03d}_line_{statement.lineno}", call))
    if not cases:
        # No assertion to split on: the whole check is one case.
        whole = _function(statements or [ast.Pass()], argument, check_file, namespace)
        cases.append(("test_check", (lambda: whole(candidate)) if argument else whole))
    return _suite("DatasetCheck", cases)


def _plain(value):
    """Generators, tuples and other iterables as lists, recursively, to compare with JSON."""
    if isinstance(value, (types.GeneratorType, tuple, list, map, filter, range)):
        return [_plain(item) for item in value]
    return value


def _short(value, limit=200):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def io_cases(cases_file, module, function, tolerance_argument=None):
    """One case per JSON line `[arguments, expected]` of `cases_file`: function(*arguments) == expected.

    With `tolerance_argument` (an index into the arguments), numbers may differ by that argument's
    value (QuixBugs' sqrt takes its epsilon as the last argument, and its tests use it so).
    """
    target = getattr(importlib.import_module(module), function)
    cases = []
    with open(_here(cases_file), encoding="utf-8") as handle:
        lines = [(number, line) for number, line in enumerate(handle, start=1) if line.strip()]
    for number, line in lines:
        arguments, expected = json.loads(line)
        if not isinstance(arguments, list):
            arguments = [arguments]

        def run(arguments=arguments, expected=expected):
            result = _plain(target(*copy.deepcopy(arguments)))
            call = f"{function}({', '.join(_short(a) for a in arguments)})"
            if tolerance_argument is not None:
                tolerance = arguments[tolerance_argument]
                assert isinstance(result, (int, float)) and abs(result - expected) <= tolerance, \
                    f"{call} returned {_short(result)}, expected {expected} within {tolerance}"
            else:
                assert result == _plain(expected), f"{call} returned {_short(result)}, expected {_short(expected)}"

        cases.append((f"test_{len(cases) + 1:03d}_line_{number}", run))
    return _suite("DatasetCases", cases)
