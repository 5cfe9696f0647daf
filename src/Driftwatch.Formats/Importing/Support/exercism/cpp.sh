#!/usr/bin/env bash
# Exercism C++ tests, as the track's runner builds them: every .cpp of the exercise with the tests,
# all tests enabled (EXERCISM_RUN_ALL_TESTS), Catch2 v2 from the image (EXERCISM_TEST_SUITE; no -I.,
# so a catch2/ folder in the workspace cannot stand in for it) and its main precompiled there
# (/opt/exercism/catch_main.o). Catch2's JUnit XML is the report; junit.py checks that every hidden
# TEST_CASE got a verdict.
set -u
here=$(dirname "$0")
out=${TMPDIR:-/tmp}/exercism-tests
report=${DRIFTWATCH_JUNIT:-${TMPDIR:-/tmp}/exercism-report.xml}
hidden=()
for f in ${DRIFTWATCH_TESTS:-}; do case $f in *.cpp|*.cc) hidden+=("$f") ;; esac; done
g++ -std=c++17 -Wall -DEXERCISM_TEST_SUITE -DEXERCISM_RUN_ALL_TESTS -o "$out" ./*.cpp /opt/exercism/catch_main.o || exit 1
rm -f "$report"
"$out" --reporter junit --out "$report"
status=$?
if [ "$status" -ne 0 ]; then
  "$out" --reporter console   # what failed, in words (Catch2 v2 takes one reporter per run)
else
  echo "the test binary reports every test passed"
fi
python3 -I "$here/junit.py" check "$report" "$status" "${hidden[@]}"
