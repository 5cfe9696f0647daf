#!/usr/bin/env bash
# Exercism Rust tests: `cargo test` offline (no crate downloads), ignored tests included, the build
# kept under /tmp; each test's verdict becomes a JUnit case.
set -u
export CARGO_HOME=${TMPDIR:-/tmp}/cargo CARGO_TARGET_DIR=${TMPDIR:-/tmp}/cargo-target CARGO_TERM_COLOR=never
log=${TMPDIR:-/tmp}/exercism-rust.log
cargo test --offline -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ -n "${DRIFTWATCH_JUNIT:-}" ] && python3 -I "$(dirname "$0")/junit.py" rust "$log" "$DRIFTWATCH_JUNIT"
exit "$status"
