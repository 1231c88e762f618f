#!/usr/bin/env bash
# Runs the scale benchmark (benches/phases.rs) and prints the machine it ran
# on, in the form docs/performance.md records. Arguments go to the benchmark,
# e.g. `scripts/bench.sh --sizes 10,100,1000 --runs 5`.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## Machine"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- cores (nproc): $(nproc)"
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(rustc --version)"
echo
cargo bench --quiet --bench phases -- "$@"
