#!/usr/bin/env bash
# Peak memory (maximum resident set size) and run time of `conduit observe`
# on generated multi-million-line logs of the riverside plant, in the form
# docs/performance.md records. The log is written to a temporary file first,
# so the time is conduit's alone. Arguments: line counts (default 1000000
# 5000000). Environment: FORMATS (default "zeek zeek-json"; empty for none), DISTINCT (extra
# runs with that many distinct enterprise clients on 1M and 5M lines; at most
# 64000; default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-1000000}")
[ $# -eq 0 ] && counts=(1000000 5000000)
formats=${FORMATS-"zeek zeek-json"}
distinct=${DISTINCT:-50000}
cargo build --release --quiet
bin=target/release/conduit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| format | lines | distinct flows | log size | peak RSS | wall time | lines/s |"
echo "|---|---|---|---|---|---|---|"
run() { # format lines distinct
    local log="$tmp/log"
    python3 examples/observe/generate.py --lines "$2" --distinct "$3" --format "$1" "$log"
    local size flows
    size=$(du -m "$log" | cut -f1)
    /usr/bin/time -f "%M %e" -o "$tmp/time" "$bin" observe examples/riverside/plant.zc \
        --log "$log" --format json --as-of 2026-12-01 > "$tmp/out.json" 2> "$tmp/err" || [ $? -eq 1 ]
    read -r kb secs < <(tail -n 1 "$tmp/time")
    flows=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; assert s['malformed'] == 0, s; print(s['allowed_flows']+s['deviation_flows'])" "$tmp/out.json")
    printf "| %s | %s | %s | %s MiB | %.1f MiB | %s s | %s |\n" "$1" "$2" "$flows" "$size" \
        "$(echo "$kb / 1024" | bc -l)" "$secs" "$(echo "$2 / $secs" | bc)"
    rm -f "$log"
}
for f in $formats; do
    for n in "${counts[@]}"; do
        run "$f" "$n" 0
    done
done
if [ "$distinct" -gt 0 ]; then
    for n in "${counts[@]}"; do
        run zeek "$n" "$distinct"
    done
fi
