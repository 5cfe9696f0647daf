"""Turns the text report of `go test -v` or of Rust's libtest into JUnit XML, one case per test.

    python3 junit.py go|rust LOG OUT

Go: the `--- PASS/FAIL/SKIP: Name` lines; a test with subtests counts through its subtests only.
Rust: the `test name ... ok|FAILED|ignored` lines of every test binary.
"""
import re
import sys
from xml.sax.saxutils import quoteattr

GO = re.compile(r"^\s*--- (PASS|FAIL|SKIP): (\S+)")
RUST = re.compile(r"^test (\S+) \.\.\. (ok|FAILED|ignored)")


def cases(kind, lines):
    found = {}
    for line in lines:
        if kind == "go":
            m = GO.match(line)
            if m:
                found[m.group(2)] = {"PASS": "pass", "FAIL": "fail", "SKIP": "skip"}[m.group(1)]
        else:
            m = RUST.match(line)
            if m:
                found[m.group(1)] = {"ok": "pass", "FAILED": "fail", "ignored": "skip"}[m.group(2)]
    if kind == "go":
        parents = {name.rsplit("/", 1)[0] for name in found if "/" in name}
        found = {name: verdict for name, verdict in found.items() if name not in parents}
    return found


def main():
    kind, log, out = sys.argv[1:4]
    with open(log, encoding="utf-8", errors="replace") as f:
        found = cases(kind, f.read().splitlines())
    failed = sum(1 for v in found.values() if v == "fail")
    skipped = sum(1 for v in found.values() if v == "skip")
    parts = [f'<testsuite name={quoteattr(kind)} tests="{len(found)}" failures="{failed}" skipped="{skipped}">']
    for name, verdict in found.items():
        body = {"pass": "", "fail": '<failure message="failed"/>', "skip": "<skipped/>"}[verdict]
        parts.append(f"  <testcase classname={quoteattr(kind)} name={quoteattr(name)}>{body}</testcase>")
    parts.append("</testsuite>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
