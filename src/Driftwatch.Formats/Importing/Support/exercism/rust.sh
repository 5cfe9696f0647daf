#!/usr/bin/env bash
# Exercism Rust tests: `cargo test` offline (no crate downloads) on the hidden test targets only,
# ignored tests included, the build kept under /tmp. A build script or a .cargo/ configuration the
# workspace brings is removed first (either could rewrite the tests or run them some other way).
# Each test's verdict becomes a JUnit case, and junit.py checks that every hidden #[test] got one.
set -u
here=$(dirname "$0")
export CARGO_HOME=${TMPDIR:-/tmp}/cargo CARGO_TARGET_DIR=${TMPDIR:-/tmp}/cargo-target CARGO_TERM_COLOR=never
log=${TMPDIR:-/tmp}/exercism-rust.log
for planted in build.rs .cargo; do
  [ -e "$planted" ] && { echo "[driftwatch] $planted removed: the tests build without it"; rm -rf -- "$planted"; }
done
hidden=()
targets=()
for f in ${DRIFTWATCH_TESTS:-}; do
  case $f in tests/*/*) hidden+=("$f") ;; tests/*.rs) hidden+=("$f"); name=${f#tests/}; targets+=(--test "${name%.rs}") ;; esac
done
cargo test --offline "${targets[@]}" -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
python3 -I "$here/junit.py" rust "$log" "${DRIFTWATCH_JUNIT:-}" "$status" "${hidden[@]}"
