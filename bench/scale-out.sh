#!/usr/bin/env bash
# Scale-out of distributed execution (issue #15): trials per hour with 1, 2 and 4 `driftwatch worker`
# processes, and the queue's enqueue-to-start latency at a steady rate.
#
# Usage: bench/scale-out.sh [--out FILE] [--parallel P] [--delay-ms MS] [--per-thread N]
#                           [--rate R] [--seconds S] [--latency-workers N] [--latency-parallel P]
#                           [--latency-only]
#
# Everything runs against a throw-away PostgreSQL server started here (initdb into a temp folder,
# a free loopback port, run as the `postgres` user when root), stopped and removed at exit, also on
# failure or Ctrl-C; each round gets a fresh database. The CLI is built once in Release.
#
# Throughput: for W in 1 2 4, W workers with --parallel P each run a `driftwatch run` of
# W × P × N trials of a simulated agent that waits MS per trial, on a suite whose hidden test is
# a trivial shell command (so the harness and the queue are measured, not the CPU). Wall time is
# the run's own startedAt → finishedAt (from `run --json`); the process's wall time, which adds the
# CLI's start, is shown beside it. Ideal = W × P × 3600 / (MS / 1000) trials per hour.
#
# Queue latency: with L workers × --parallel Q, bench/ScaleOut enqueues jobs with
# TrialQueue.Enqueue at R per second for S seconds, once with real trials of a planned run (simulated
# agent, no delay, the same trivial test) and once with jobs that do nothing (the queue alone), and
# reads enqueue → first Processing per job from Hangfire's state rows.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

out=""
parallel=2
delay_ms=4000
per_thread=8
rate=50
seconds=20
latency_workers=4
latency_parallel=16
throughput=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --delay-ms) delay_ms=$2; shift 2 ;;
    --per-thread) per_thread=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --latency-workers) latency_workers=$2; shift 2 ;;
    --latency-parallel) latency_parallel=$2; shift 2 ;;
    --latency-only) throughput=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [[ -n $out ]]; then
  mkdir -p "$(dirname "$out")"
  out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
fi

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

# --- a throw-away PostgreSQL server -------------------------------------------------------------
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $pgbin/initdb ]] || pgbin=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
[[ -x $pgbin/initdb ]] || { echo "no PostgreSQL (initdb) found under /usr/lib/postgresql/*/bin or on PATH" >&2; exit 1; }

work=$(mktemp -d /tmp/driftwatch-scaleout-XXXXXX)
chmod 755 "$work"
pgdir=$work/pg
mkdir -p "$pgdir"
as_pg=()
if [[ $(id -u) == 0 ]]; then
  chown postgres: "$pgdir"
  as_pg=(runuser -u postgres --)
fi
worker_pids=()
pg_started=0

stop_workers() {
  local pid
  for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${worker_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  worker_pids=()
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_workers
  if [[ $pg_started == 1 ]]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [[ $status != 0 && -d $work ]]; then
    log "failed (exit $status); last lines of the logs:"
    for f in "$work"/logs/*.log; do [[ -f $f ]] && { echo "== $f" >&2; tail -5 "$f" >&2; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w start \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" >/dev/null
pg_started=1
psql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -t -A "$@"; }
log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($pgdir)"

# --- the CLI and the driver, built once in Release ----------------------------------------------
log "building the CLI and bench/ScaleOut in Release"
dotnet build src/Driftwatch.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/ScaleOut -c Release -v q -nologo >/dev/null
cli=(dotnet "$repo/src/Driftwatch.Cli/bin/Release/net10.0/Driftwatch.Cli.dll")
driver=(dotnet "$repo/bench/ScaleOut/bin/Release/net10.0/ScaleOut.dll")

# --- a suite whose hidden test costs nothing ----------------------------------------------------
suite=$work/suite
mkdir -p "$suite/tasks" "$work/logs"
cat > "$suite/suite.yaml" <<'EOF'
name: scale-bench
description: Four tasks whose hidden test is one shell builtin, so that a trial costs the harness and the agent's delay only.
defaults:
  timeouts:
    agent: 120
    test: 30
EOF
tasks=4
for i in $(seq 1 $tasks); do
  t=$suite/tasks/mark-$i
  mkdir -p "$t/workspace" "$t/solution" "$t/tests"
  cat > "$t/task.yaml" <<EOF
id: mark-$i
category: generation
language: shell
difficulty: easy
instruction: Write the word done into answer.txt.
test_command: read -r answer < answer.txt && test "\$answer" = done
EOF
  echo todo > "$t/workspace/answer.txt"
  echo done > "$t/solution/answer.txt"
  echo "the hidden test is the task's test_command" > "$t/tests/README"
done

write_config() { # DELAY_MS
  cat > "$work/driftwatch.yaml" <<EOF
storage: { kind: postgres, connection_env: DW_PG }
workers: { lease_seconds: 60 }
agents:
  sim: { kind: simulated, delay_ms: $1, seed: 4 }
EOF
}

fresh_database() { # NAME → exports DW_PG
  psql -d postgres -c "CREATE DATABASE $1 TEMPLATE template0 ENCODING 'UTF8'"
  current_db=$1
  export DW_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=$1;Maximum Pool Size=200"
}

start_workers() { # COUNT PARALLEL TAG
  local i
  for i in $(seq 1 "$1"); do
    (cd "$work" && XDG_CACHE_HOME=$work/cache-$3-$i exec "${cli[@]}" worker --parallel "$2") > "$work/logs/worker-$3-$i.log" 2>&1 &
    worker_pids+=($!)
  done
  # Ready once every one is in Hangfire's list of servers.
  local deadline=$((SECONDS + 180)) n=0
  while (( SECONDS < deadline )); do
    n=$(psql -d "$current_db" -c "SELECT count(*) FROM hangfire.server" 2>/dev/null | head -1 || true)
    [[ $n == "$1" ]] && return 0
    sleep 0.5
  done
  echo "only ${n:-0} of $1 workers registered within 180 s" >&2
  return 1
}

log "validating the bench suite once (sandbox none)"
(cd "$work" && "${cli[@]}" suite validate "$suite" --sandbox none --db "$work/validate.db") > "$work/logs/validate.log" 2>&1 \
  || { cat "$work/logs/validate.log" >&2; exit 1; }

# --- throughput ---------------------------------------------------------------------------------
write_config "$delay_ms"
declare -A tph wall procwall planned errors jobtime util enqspan
for w in $( ((throughput)) && echo 1 2 4); do
  fresh_database "dw_tp_$w"
  start_workers "$w" "$parallel" "w$w"
  total=$((w * parallel * per_thread))
  per_task=$(( (total + tasks - 1) / tasks ))
  log "throughput: $w worker(s) × --parallel $parallel, $((per_task * tasks)) trials of ${delay_ms} ms"
  t0=$(date +%s.%N)
  (cd "$work" && "${cli[@]}" run --agent sim --suite "$suite" --trials "$per_task" --seed 5 --sandbox none --json) \
    > "$work/run-$w.json" 2> "$work/logs/run-$w.log"
  t1=$(date +%s.%N)
  stop_workers
  read -r n secs errs < <(python3 - "$work/run-$w.json" <<'PY'
import json, sys
from datetime import datetime
run = json.load(open(sys.argv[1]))
wall = (datetime.fromisoformat(run["finishedAt"]) - datetime.fromisoformat(run["startedAt"])).total_seconds()
trials = run["trials"]
print(len(trials), f"{wall:.3f}", sum(1 for t in trials if t["outcome"] == "error"))
PY
)
  planned[$w]=$n
  # Where the time went, from Hangfire's state rows: a trial job's mean time in its worker
  # (Processing → Succeeded), the share of the threads' time spent in jobs between the first
  # enqueue and the last job's end, and how long the run took to enqueue its jobs.
  read -r jobtime[$w] util[$w] enqspan[$w] < <(psql -d "dw_tp_$w" -F ' ' -c "
    WITH s AS (
      SELECT s.jobid,
             min(s.createdat) FILTER (WHERE s.name = 'Enqueued') AS e,
             min(s.createdat) FILTER (WHERE s.name = 'Processing') AS p,
             max(s.createdat) FILTER (WHERE s.name = 'Succeeded') AS d
      FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
      WHERE j.invocationdata->>'Type' LIKE 'Driftwatch.Jobs.Distributed.TrialJob,%'
      GROUP BY s.jobid)
    SELECT round(avg(extract(epoch FROM d - p))::numeric, 3),
           round((sum(extract(epoch FROM d - p)) / ($w * $parallel) / extract(epoch FROM max(d) - min(e)))::numeric, 3),
           round(extract(epoch FROM max(e) - min(e))::numeric, 3)
    FROM s;")
  wall[$w]=$secs
  errors[$w]=$errs
  procwall[$w]=$(echo "$t1 - $t0" | bc -l)
  tph[$w]=$(echo "$n * 3600 / $secs" | bc -l)
  log "  $n trials in ${secs} s (process ${procwall[$w]} s), $(printf %.0f "${tph[$w]}") trials/h, $errs errors; mean job ${jobtime[$w]} s, threads busy ${util[$w]}, enqueued in ${enqspan[$w]} s"
done

# --- queue latency ------------------------------------------------------------------------------
write_config 0
fresh_database dw_latency
start_workers "$latency_workers" "$latency_parallel" lat
log "latency: $latency_workers workers × --parallel $latency_parallel; real trials at $rate/s for $seconds s"
(cd "$work" && "${driver[@]}" latency real --rate "$rate" --seconds "$seconds" --suite "$suite") \
  > "$work/latency-real.json" 2> "$work/logs/latency-real.log"
log "  $(cat "$work/latency-real.json")"
log "latency: the queue alone (jobs that do nothing) at $rate/s for $seconds s"
(cd "$work" && "${driver[@]}" latency trivial --rate "$rate" --seconds "$seconds") \
  > "$work/latency-trivial.json" 2> "$work/logs/latency-trivial.log"
log "  $(cat "$work/latency-trivial.json")"
stop_workers

# --- the table ----------------------------------------------------------------------------------
ideal() { echo "$1 * $parallel * 3600 * 1000 / $delay_ms" | bc -l; }
{
  echo "Machine: $(nproc) cores, $(uname -sr); load average (1, 5, 15 min) at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync off."
  if ((throughput)); then
  echo
  echo "Throughput: simulated agent with delay_ms $delay_ms, trivial hidden test, \`driftwatch worker --parallel $parallel\` per worker, $per_thread trials per worker thread, \`--sandbox none\`."
  echo
  echo "| workers | threads | trials | run wall (s) | process wall (s) | trials/hour | ideal trials/hour | of ideal | speed-up vs 1 | efficiency (speed-up / W) | error trials | mean job (s) | threads busy | run's enqueue span (s) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for w in 1 2 4; do
    i=$(ideal "$w")
    speedup=$(echo "${tph[$w]} / ${tph[1]}" | bc -l)
    printf '| %d | %d | %d | %.2f | %.2f | %.0f | %.0f | %.2f | %.2f | %.2f | %d | %.2f | %.2f | %.2f |\n' \
      "$w" $((w * parallel)) "${planned[$w]}" "${wall[$w]}" "${procwall[$w]}" "${tph[$w]}" "$i" \
      "$(echo "${tph[$w]} / $i" | bc -l)" "$speedup" "$(echo "$speedup / $w" | bc -l)" "${errors[$w]}" \
      "${jobtime[$w]}" "${util[$w]}" "${enqspan[$w]}"
  done
  fi
  echo
  echo "Queue latency: enqueue → start (Hangfire's Enqueued state createdat → first Processing state createdat), $latency_workers workers × \`--parallel $latency_parallel\`, target $rate jobs/s for $seconds s."
  echo
  echo "| jobs | kind | enqueued/s (client) | enqueued/s (state rows) | started/s | median (ms) | p95 (ms) | p99 (ms) | max (ms) | first enqueue → last job ended (s) | one Enqueue call, median / p95 (ms), enqueuing threads | final states |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for kind in real trivial; do
    jq -r --arg kind "$kind" '"| \(.jobs) | \(if $kind == "real" then "real trials (delay 0, trivial test)" else "queue alone (job fails at once)" end) | \(.enqueueRate) | \(.enqueueRateStates) | \(.startRate) | \(.medianMs) | \(.p95Ms) | \(.p99Ms) | \(.maxMs) | \(.drainSeconds) | \(.enqueueCallMedianMs) / \(.enqueueCallP95Ms), \(.enqueuers) | \(.states | to_entries | map("\(.key) \(.value)") | join(", "))\(if .outcomes then " (trials: \(.outcomes); run \(.runStatus))" else "" end) |"' \
      "$work/latency-$kind.json"
  done
} > "$work/table.md"
echo
cat "$work/table.md"
if [[ -n $out ]]; then cp "$work/table.md" "$out"; log "table written to $out"; fi
