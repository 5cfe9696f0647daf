"""Run the hidden unittest tests of a task and write a JUnit XML report.

Driftwatch copies this file into the workspace (as .driftwatch/unittest_junit.py) only after the
agent has finished, and runs it isolated (python3 -I: no user site-packages, no PYTHON* variables,
not its own folder on the path). It runs the hidden test files Driftwatch names in
$DRIFTWATCH_TESTS (or, without it, discovers test_*.py from the workspace root), writes JUnit XML
to $DRIFTWATCH_JUNIT (when set) so that partial credit is counted, and exits 0 only when every test
passed.

The code under test runs in this process, so the runner guards itself: before anything of the
workspace is imported it writes a report that says the run did not finish (overwritten at the end:
a process that exits early leaves it behind), and it remembers the test machinery (unittest's
classes, sys.exit, os._exit, this runner's own functions) and fails the run, naming what changed,
when the code under test replaced any of it.
"""
import os
import signal
import sys
import time
import unittest
import unittest.case
import unittest.loader
import unittest.result
import unittest.runner
import unittest.suite
from xml.sax.saxutils import escape, quoteattr


# A test method that runs longer than this is stopped and counted as an error, so that one
# endless loop costs one test, not the whole run (override with DRIFTWATCH_TEST_CASE_TIMEOUT).
CASE_TIMEOUT = float(os.environ.get("DRIFTWATCH_TEST_CASE_TIMEOUT", "10"))

# Exit status when the code under test changed the test machinery.
TAMPERED = 3


class TestCaseTimeout(BaseException):
    """Raised inside a test that ran too long; a BaseException so `except Exception` cannot swallow it."""


def _on_alarm(signum, frame):
    raise TestCaseTimeout(f"test ran longer than {CASE_TIMEOUT:g} s")


class _Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self._started = 0.0
        self._failed_by_subtest = set()

    def startTest(self, test):
        self._started = time.perf_counter()
        super().startTest(test)
        if CASE_TIMEOUT > 0:
            signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT)

    def stopTest(self, test):
        signal.setitimer(signal.ITIMER_REAL, 0)
        super().stopTest(test)

    def _record(self, test, kind, detail=""):
        self.cases.append((test.id(), kind, detail, time.perf_counter() - self._started))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        # A test method with failing subtests counts once, as a failure, whatever its subtests.
        if err is not None and test.id() not in self._failed_by_subtest:
            self._failed_by_subtest.add(test.id())
            kind = "failure" if issubclass(err[0], test.failureException) else "error"
            self._record(test, kind, f"{subtest}: " + self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "pass")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failure", "unexpected success")


def _write_junit(path, cases):
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    failures = sum(1 for c in cases if c[1] == "failure")
    errors = sum(1 for c in cases if c[1] == "error")
    skipped = sum(1 for c in cases if c[1] == "skipped")
    lines.append(
        f'<testsuite name="unittest" tests="{len(cases)}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}">'
    )
    for test_id, kind, detail, seconds in cases:
        classname, _, name = test_id.rpartition(".")
        head = f"  <testcase classname={quoteattr(classname)} name={quoteattr(name)} time=\"{seconds:.6f}\""
        if kind == "pass":
            lines.append(head + "/>")
        else:
            tag = "skipped" if kind == "skipped" else kind
            lines.append(head + ">")
            lines.append(f"    <{tag} message={quoteattr(detail.splitlines()[-1] if detail else kind)}>{escape(detail)}</{tag}>")
            lines.append("  </testcase>")
    lines.append("</testsuite>")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def _machinery():
    """Everything whose replacement would let code under test decide the verdict, by name."""
    watched = {"sys.exit": sys.exit, "os._exit": os._exit, "os.kill": os.kill, "signal.setitimer": signal.setitimer}
    for module in (unittest, unittest.case, unittest.suite, unittest.result, unittest.runner, unittest.loader):
        for name, value in vars(module).items():
            watched[f"{module.__name__}.{name}"] = value
    for cls in (unittest.TestCase, unittest.TestSuite, unittest.TestResult, unittest.TextTestResult,
                unittest.TextTestRunner, unittest.TestLoader, _Recorder):
        for name, value in vars(cls).items():
            watched[f"{cls.__module__}.{cls.__qualname__}.{name}"] = value
    for name in ("_write_junit", "_machinery", "_changed", "main", "_Recorder"):
        watched[f"runner.{name}"] = globals()[name]
    return watched


def _changed(before):
    """Names of the test machinery that are not what they were."""
    now = _machinery()
    return sorted(name for name, value in before.items() if now.get(name) is not value)


def _hidden_tests(root):
    """The hidden test files Driftwatch named, as module names (or None: discover)."""
    named = os.environ.get("DRIFTWATCH_TESTS")
    if named is None:
        return None
    modules = []
    for path in named.split():
        base = os.path.basename(path)
        if path.endswith(".py") and base.startswith("test"):
            modules.append(path[:-3].replace("/", "."))
    return modules


def main():
    signal.signal(signal.SIGALRM, _on_alarm)
    report = os.environ.get("DRIFTWATCH_JUNIT")
    unfinished = [("driftwatch.unfinished", "error", "the test run did not finish: the process ended before the tests had run", 0.0)]
    if report:
        _write_junit(report, unfinished)
    before = _machinery()
    exit_, write = sys.exit, _write_junit

    root = os.getcwd()
    sys.path.insert(0, root)
    loader = unittest.TestLoader()
    modules = _hidden_tests(root)
    if modules is None:
        suite = loader.discover(root, pattern="test_*.py", top_level_dir=root)
    else:
        suite = unittest.TestSuite(loader.loadTestsFromName(name) for name in modules)
    tampered = _changed(before)
    if not tampered:
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=_Recorder)
        result = runner.run(suite)
        tampered = _changed(before)
    if tampered:
        detail = "the code under test replaced the test machinery: " + ", ".join(tampered[:10])
        print(f"[driftwatch] {detail}", file=sys.stderr)
        if report:
            write(report, [("driftwatch.tampered", "error", detail, 0.0)])
        exit_(TAMPERED)
    if report:
        write(report, result.cases)
    ran_something = result.testsRun > 0
    exit_(0 if ran_something and result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
