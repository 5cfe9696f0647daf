#!/usr/bin/env bash
# Added latency of the recording proxy per request: direct to a scripted Messages API on
# 127.0.0.1 vs through the proxy, streamed, alternating; median and p95 to first and last byte.
# Usage: bench/proxy-latency.sh [REQUESTS]   (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/ProxyLatency -v q -- "${1:-500}"
