#!/usr/bin/env bash
# Per-trial harness overhead of `driftwatch run`: the median time Driftwatch spends on a trial
# beyond the agent's and the test command's own time (workspace copy, diff, overlay of the hidden
# tests, JUnit parsing), measured with the simulated agent (which takes ~0 ms); and the same from
# the run's wall time, which adds the SQLite commit of each trial and the scheduling.
#
# Usage: bench/harness-overhead.sh [TRIALS_PER_TASK] [TASKS_GLOB]
# Runs the built-in suite sequentially (--parallel 1) once with bubblewrap and once without, in a
# throw-away database, and prints one line per sandbox mode.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-5}
tasks=${2:-'*'}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build src/Driftwatch.Cli -c Release -v q -nologo >/dev/null
cli=(dotnet src/Driftwatch.Cli/bin/Release/net10.0/Driftwatch.Cli.dll)

for sandbox in bwrap none; do
  "${cli[@]}" run --agent simulated --suite core --tasks "$tasks" --trials "$trials" --parallel 1 --seed 1 \
    --sandbox "$sandbox" --db "$work/$sandbox.db" --json > "$work/$sandbox.json" 2>/dev/null
  python3 - "$work/$sandbox.json" "$sandbox" <<'PY'
import json, statistics, sys
from datetime import datetime
run = json.load(open(sys.argv[1]))
wall_ms = (datetime.fromisoformat(run["finishedAt"]) - datetime.fromisoformat(run["startedAt"])).total_seconds() * 1000
trials = [t for t in run["trials"] if t["outcome"] != "error"]
overhead = sorted(t["durationMs"] - t["agentDurationMs"] - t["testDurationMs"] for t in trials)
tests = sorted(t["testDurationMs"] for t in trials)
total = sorted(t["durationMs"] for t in trials)
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
# Sequential run: wall time minus agent and test time, per trial, includes the SQLite commits.
wall_overhead = (wall_ms - sum(t["agentDurationMs"] + t["testDurationMs"] for t in trials)) / len(trials)
print(f"sandbox={sys.argv[2]:5} trials={len(trials)} "
      f"harness overhead median={statistics.median(overhead):.0f} ms p90={q(overhead, .9):.0f} ms "
      f"(with commit and scheduling: {wall_overhead:.0f} ms/trial) | "
      f"test command median={statistics.median(tests):.0f} ms | trial median={statistics.median(total):.0f} ms")
PY
done
