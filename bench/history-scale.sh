#!/usr/bin/env bash
# History at scale (issue #20): builds a database of N trials from real rows, and times every
# dashboard page, /api/ endpoint and CLI command on it.
#
# Usage: bench/history-scale.sh --trials N --out DB [--source DEMO_DB] [--writers W] [--seed S] [--end YYYY-MM-DD]
#        bench/history-scale.sh --measure DB [--runs-each K] [--cli-runs K] [--budget-s S] [--out-md FILE]
#
# The CLI and bench/HistoryScale are built once in Release.
#
# Build (--trials): the real rows come from a database made by `driftwatch demo --no-serve --db
# PATH` (40 simulated days of the simulated agent on the 37 tasks of the built-in suite, about
# 1480 trials with real transcripts, diffs, test output and per-trial metrics). It takes several
# minutes on 2 cores, so it is made once and cached as
# ${XDG_CACHE_HOME:-~/.cache}/driftwatch/bench/demo-source.db, or read from --source DEMO_DB (made
# there when missing). bench/HistoryScale then writes N trials into a fresh DB (it refuses an
# existing file) through the store's own write API, as `driftwatch run` writes them: CreateRunAsync,
# RecordTrialAsync for each trial (its own transaction, artifacts compressed by the store),
# FinishRunAsync. 5 agents × 2 suites (core and core-mirror, the same tasks), one run per agent ×
# suite per day for 730 days up to --end (default 2026-06-30), N / 7300 trials per run spread over
# the tasks; each trial is a copy of a source trial of the same task (outcome, partial credit,
# usage, metrics, artifacts) re-dated, chosen pass or fail by a pass probability per history and
# task, so that each history has a stable pass rate; two histories (sim-atlas × core and sim-delta
# × core-mirror) drop by 10 points from a day in their last 130 days. Deterministic for a --seed
# (default 20) with one writer (--writers W > 1: W runs written at once, run ids of a day may then
# interleave). Progress and the rate (trials/s) go to standard error; the last line of standard
# output is a JSON summary.
#
# Measure (--measure): starts `driftwatch serve --db DB` on a free loopback port, waits until it
# answers, times every page and /api/ endpoint K times each (default 20, sequential, after one
# warm-up request each; median, p95, the warm-up, the response size; an endpoint that has taken
# more than S seconds, default 60, stops after at least 5), then the CLI commands
# (`--help` as the cost of starting the process, `runs --last 30`, `show RUN` of the latest run,
# `check --agent A --suite S`, `export --format json` and `--format openmetrics` of the latest run of
# each agent × suite; --cli-runs times each, default 5, after one warm-up run), and the raw SQLite
# queries that give check's and export's numbers, for the ratio; then the database's size per trial
# with and without the artifacts' bytes, and (with the sqlite3 shell) the bytes of each table and
# index. Prints a Markdown table (also to --out-md FILE), with the machine and the load average
# before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

trials=""
out=""
measure=""
source=""
pass=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --measure) measure=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --writers|--seed|--end|--runs-each|--cli-runs|--budget-s) pass+=("$1" "$2"); shift 2 ;;
    --out-md) mkdir -p "$(dirname "$2")"; pass+=("$1" "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if [[ -n $measure && -n $trials ]] || [[ -z $measure && ( -z $trials || -z $out ) ]]; then
  echo "usage: bench/history-scale.sh --trials N --out DB [--source DEMO_DB] | --measure DB (see --help)" >&2
  exit 2
fi

log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

log "building the CLI and bench/HistoryScale in Release"
dotnet build src/Driftwatch.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/HistoryScale -c Release -v q -nologo >/dev/null
cli=$repo/src/Driftwatch.Cli/bin/Release/net10.0/Driftwatch.Cli.dll
bench=(dotnet "$repo/bench/HistoryScale/bin/Release/net10.0/HistoryScale.dll")

if [[ -n $measure ]]; then
  load_start=$(uptime)
  "${bench[@]}" --measure "$measure" --cli "$cli" "${pass[@]}"
  # Where the bytes are, per table and index (the sqlite3 shell has dbstat; Microsoft.Data.Sqlite's build has not).
  if command -v sqlite3 >/dev/null && sqlite3 -readonly "$measure" "SELECT 1 FROM dbstat LIMIT 1" >/dev/null 2>&1; then
    echo
    echo "| table or index | bytes | bytes per trial |"
    echo "|---|---:|---:|"
    sqlite3 -readonly -separator ' | ' "$measure" "
      SELECT '| ' || name, sum(pgsize), printf('%.0f', sum(pgsize) * 1.0 / (SELECT count(*) FROM trials)) || ' |'
      FROM dbstat GROUP BY name HAVING sum(pgsize) > 4096 ORDER BY 2 DESC;
      SELECT '| all but artifacts', sum(pgsize), printf('%.0f', sum(pgsize) * 1.0 / (SELECT count(*) FROM trials)) || ' |'
      FROM dbstat WHERE name <> 'artifacts';"
    echo
  fi
  echo "Machine: $(nproc) cores, $(uname -sr). Load before: ${load_start#*load average: }; after: $(uptime | sed 's/.*load average: //')."
  exit 0
fi

if [[ -z $source ]]; then
  source=${XDG_CACHE_HOME:-$HOME/.cache}/driftwatch/bench/demo-source.db
fi
if [[ ! -f $source ]]; then
  mkdir -p "$(dirname "$source")"
  partial=$(mktemp -d "${TMPDIR:-/tmp}/driftwatch-demo-XXXXXX")
  trap 'rm -rf "$partial"' EXIT
  log "making the source: driftwatch demo --no-serve --db $source (several minutes)"
  (cd "$partial" && dotnet "$cli" demo --no-serve --db "$partial/demo.db") > "$partial/demo.log" 2>&1 \
    || { tail -20 "$partial/demo.log" >&2; exit 1; }
  # Moved into place only when complete, so that an interrupted demo is never taken for the source.
  [[ -f $partial/demo.db-wal ]] && mv "$partial/demo.db-wal" "$source-wal"
  mv "$partial/demo.db" "$source"
fi
mkdir -p "$(dirname "$out")"
load_start=$(uptime)
"${bench[@]}" --trials "$trials" --out "$out" --source "$source" "${pass[@]}"
log "load before: ${load_start#*load average: }; after: $(uptime | sed 's/.*load average: //')"
