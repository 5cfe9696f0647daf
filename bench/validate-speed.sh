#!/usr/bin/env bash
# Speed of `suite validate` on HumanEval (164 tasks: each reference must pass, each bare prompt
# must fail, so 328 test runs) against the bare cost of the same checks: the same test command
# (python3 .driftwatch/unittest_junit.py) run with python3 directly, in ready-made folders, with
# the same parallelism. Prints tasks per second, per-check overhead and the ratio to bare.
#
# Usage: bench/validate-speed.sh [PARALLEL] [ROUNDS] [DATASET]
#   PARALLEL  checks at once (default 2), for both Driftwatch and the bare baseline
#   ROUNDS    times each mode runs, alternating bare / bwrap / none (default 3); medians reported
#   DATASET   HumanEval JSONL(.gz) (default ../shared/datasets/humaneval/HumanEval.jsonl.gz)
# The machine's load is printed with the figures: on a shared machine, re-run when it is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
parallel=${1:-2}
rounds=${2:-3}
dataset=${3:-../shared/datasets/humaneval/HumanEval.jsonl.gz}
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
checks=$(( tasks * 2 ))

bare() {
  ls -d "$work"/bare/*/ | xargs -P "$parallel" -I{} sh -c \
    'cd "$1" && DRIFTWATCH_JUNIT="$1/junit.xml" python3 .driftwatch/unittest_junit.py >/dev/null 2>&1 || true' _ {}
}
validate() {
  "${cli[@]}" suite validate "$work/suite" --parallel "$parallel" --sandbox "$1" --json 2>/dev/null > "$work/$1.json" || true
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["sound"] == int(sys.argv[2]) else 1)' "$work/$1.json" "$tasks" \
    || echo "warning: not every task was sound with --sandbox $1" >&2
}

# Rounds alternate the three modes, so that a change in the machine's load hits them alike.
echo "load average before: $(load); cores: $(nproc); parallel: $parallel; tasks: $tasks ($checks checks); rounds: $rounds"
declare -A times
for round in $(seq "$rounds"); do
  for mode in bare bwrap none; do
    start=$(now_ms)
    if [ "$mode" = bare ]; then bare; else validate "$mode"; fi
    times[$mode]+="$(( $(now_ms) - start )) "
  done
done
python3 - "$tasks" "$checks" "$parallel" "${times[bare]}" "${times[bwrap]}" "${times[none]}" <<'PY'
import statistics, sys
tasks, checks, parallel = map(int, sys.argv[1:4])
runs = {name: [int(x) for x in sys.argv[i].split()] for name, i in (("bare python3", 4), ("validate bwrap", 5), ("validate none", 6))}
bare = statistics.median(runs["bare python3"])
best_bare = min(runs["bare python3"])
for name, ms in runs.items():
    m = statistics.median(ms)
    line = f"{name:15} median {m / 1000:6.1f} s  {tasks * 1000 / m:5.1f} tasks/s  {m * parallel / checks:6.1f} ms per check"
    if name != "bare python3":
        line += f"  overhead {(m - bare) * parallel / checks:+6.1f} ms per check  {m / bare:.2f}x bare (best runs: {min(ms) / best_bare:.2f}x)"
    print(line + "   (runs: " + ", ".join(f"{x / 1000:.1f} s" for x in ms) + ")")
PY
echo "load average after: $(load)"
