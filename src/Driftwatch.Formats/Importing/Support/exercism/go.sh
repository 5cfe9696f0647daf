#!/usr/bin/env bash
# Exercism Go tests: `go test -v` with no network and no module downloads, caches under /tmp. Test
# files the hidden tests do not name are removed first (a planted TestMain must not run); each
# (sub)test's verdict becomes a JUnit case, and junit.py checks that every hidden TestX got one.
set -u
here=$(dirname "$0")
export GOCACHE=${TMPDIR:-/tmp}/go-cache GOPATH=${TMPDIR:-/tmp}/go GOPROXY=off GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local GO111MODULE=on
log=${TMPDIR:-/tmp}/exercism-go.log
hidden=()
for f in ${DRIFTWATCH_TESTS:-}; do case $f in *_test.go) hidden+=("$f") ;; esac; done
if [ -n "${DRIFTWATCH_TESTS:-}" ]; then
  while IFS= read -r -d '' file; do
    file=${file#./}
    case " ${hidden[*]} " in *" $file "*) ;; *) echo "[driftwatch] $file is not a hidden test file: removed"; rm -f -- "$file" ;; esac
  done < <(find . -name '*_test.go' -not -path './.driftwatch/*' -print0)
fi
# A test that hangs is stopped after 60 s by go test itself: the tests that finished keep their verdicts.
go test -v -timeout 60s ./... 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
python3 -I "$here/junit.py" go "$log" "${DRIFTWATCH_JUNIT:-}" "$status" "${hidden[@]}"
