#!/usr/bin/env bash
# Speed of `suite validate` on HumanEval (164 tasks: each reference must pass, each bare prompt
# must fail, so 328 test runs) against the bare cost of the same checks: the same test command
# (python3 .driftwatch/unittest_junit.py) run with python3 directly, in ready-made folders, with
# the same parallelism. Prints tasks per second, per-check overhead and the ratio to bare.
#
# Usage: bench/validate-speed.sh [PARALLEL] [DATASET]
#   PARALLEL  checks at once (default 2), for both Driftwatch and the bare baseline
#   DATASET   HumanEval JSONL(.gz) (default ../shared/datasets/humaneval/HumanEval.jsonl.gz)
# Runs `suite validate` once with bubblewrap and once with --sandbox none. The machine's load is
# printed with the figures: on a shared machine, re-run when it is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
parallel=${1:-2}
dataset=${2:-../shared/datasets/humaneval/HumanEval.jsonl.gz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/Driftwatch.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/Driftwatch.Cli/bin/Release/net10.0/Driftwatch.Cli.dll)
"${cli[@]}" suite import humaneval "$dataset" --out "$work/suite" >/dev/null
tasks=$(ls "$work/suite/tasks" | wc -l)

# The bare baseline: every check's folder (workspace + hidden tests + support, and the reference
# overlaid for the reference check) made in advance, outside the timing.
python3 - "$work/suite" "$work/bare" <<'PY'
import os, shutil, sys
suite, out = sys.argv[1], sys.argv[2]
for task in sorted(os.listdir(os.path.join(suite, "tasks"))):
    root = os.path.join(suite, "tasks", task)
    for kind in ("bare", "ref"):
        target = os.path.join(out, f"{task}-{kind}")
        shutil.copytree(os.path.join(root, "workspace"), target)
        if kind == "ref":
            shutil.copytree(os.path.join(root, "solution"), target, dirs_exist_ok=True)
        shutil.copytree(os.path.join(root, "tests"), target, dirs_exist_ok=True)
        shutil.copytree(os.path.join(suite, "support"), os.path.join(target, ".driftwatch"))
PY

now_ms() { date +%s%3N; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

load_before=$(load)
start=$(now_ms)
ls -d "$work"/bare/*/ | xargs -P "$parallel" -I{} sh -c \
  'cd "$1" && DRIFTWATCH_JUNIT="$1/junit.xml" python3 .driftwatch/unittest_junit.py >/dev/null 2>&1 || true' _ {}
bare_ms=$(( $(now_ms) - start ))
checks=$(( tasks * 2 ))
echo "load average before: $load_before; cores: $(nproc); parallel: $parallel; tasks: $tasks ($checks checks)"
printf 'bare python3        %6.1f s  %6.1f tasks/s  %5.1f ms per check\n' \
  "$(echo "$bare_ms/1000" | bc -l)" "$(echo "$tasks*1000/$bare_ms" | bc -l)" "$(echo "$bare_ms*$parallel/$checks" | bc -l)"

for sandbox in bwrap none; do
  start=$(now_ms)
  "${cli[@]}" suite validate "$work/suite" --parallel "$parallel" --sandbox "$sandbox" --json > "$work/$sandbox.json" || true
  ms=$(( $(now_ms) - start ))
  sound=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["sound"], "sound,", d["unsound"], "unsound")' "$work/$sandbox.json")
  printf 'validate --sandbox %-5s %6.1f s  %6.1f tasks/s  %5.1f ms per check, overhead %+5.1f ms per check, %.2fx bare (%s)\n' \
    "$sandbox" "$(echo "$ms/1000" | bc -l)" "$(echo "$tasks*1000/$ms" | bc -l)" "$(echo "$ms*$parallel/$checks" | bc -l)" \
    "$(echo "($ms-$bare_ms)*$parallel/$checks" | bc -l)" "$(echo "$ms/$bare_ms" | bc -l)" "$sound"
done
echo "load average after: $(load)"
