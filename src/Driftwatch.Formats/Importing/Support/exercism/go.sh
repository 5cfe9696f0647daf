#!/usr/bin/env bash
# Exercism Go tests: `go test -v` with no network and no module downloads, caches under /tmp;
# each (sub)test's verdict becomes a JUnit case.
set -u
export GOCACHE=${TMPDIR:-/tmp}/go-cache GOPATH=${TMPDIR:-/tmp}/go GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GO111MODULE=on
log=${TMPDIR:-/tmp}/exercism-go.log
go test -v ./... 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ -n "${DRIFTWATCH_JUNIT:-}" ] && python3 -I "$(dirname "$0")/junit.py" go "$log" "$DRIFTWATCH_JUNIT"
exit "$status"
