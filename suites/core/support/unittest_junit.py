"""Run the hidden unittest tests of a task and write a JUnit XML report.

Driftwatch copies this file into the workspace (as .driftwatch/unittest_junit.py) only after the
agent has finished. It discovers test_*.py files from the workspace root, runs them with the
standard library's unittest, writes JUnit XML to $DRIFTWATCH_JUNIT (when set) so that partial
credit is counted, and exits 0 only when every test passed.
"""
import os
import signal
import sys
import time
import unittest
from xml.sax.saxutils import escape, quoteattr


# A test method that runs longer than this is stopped and counted as an error, so that one
# endless loop costs one test, not the whole run (override with DRIFTWATCH_TEST_CASE_TIMEOUT).
CASE_TIMEOUT = float(os.environ.get("DRIFTWATCH_TEST_CASE_TIMEOUT", "10"))


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
        self.cases.append((test, kind, detail, time.perf_counter() - self._started))

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


def _write_junit(path, result):
    lines = ['<?xml version="1.0" encoding="utf-8"?>']
    failures = sum(1 for c in result.cases if c[1] == "failure")
    errors = sum(1 for c in result.cases if c[1] == "error")
    skipped = sum(1 for c in result.cases if c[1] == "skipped")
    lines.append(
        f'<testsuite name="unittest" tests="{len(result.cases)}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}">'
    )
    for test, kind, detail, seconds in result.cases:
        test_id = test.id()
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


def main():
    signal.signal(signal.SIGALRM, _on_alarm)
    root = os.getcwd()
    sys.path.insert(0, root)
    suite = unittest.defaultTestLoader.discover(root, pattern="test_*.py", top_level_dir=root)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=_Recorder)
    result = runner.run(suite)
    report = os.environ.get("DRIFTWATCH_JUNIT")
    if report:
        _write_junit(report, result)
    ran_something = result.testsRun > 0
    sys.exit(0 if ran_something and result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
