#!/usr/bin/env bash
# Peak memory and time of `conduit check --format sarif` (streamed) against
# `--format json` on a generated plant with about 60,800 findings (15,200
# zones in a chain of `<->` conduits with cleartext services). Prints one
# line per format. Usage: scripts/sarif-memory.sh [ZONES]
set -euo pipefail
cd "$(dirname "$0")/.."
zones="${1:-15200}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$zones" "$dir/plant.zc" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        f.write(f"zone z{i} {{\n purdue 2\n network 10.{i // 250}.{i % 250}.0/24\n}}\n")
    for i in range(n - 1):
        f.write(f"conduit c{i} {{\n z{i} <-> z{i + 1}\n allow telnet, modbus, ssh\n}}\n")
PY
cargo build --release --quiet
bin=target/release/conduit
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $zones zones"
for format in sarif json; do
    /usr/bin/time -f "%e %M" -o "$dir/time" "$bin" check "$dir/plant.zc" --as-of 2026-12-01 \
        --format "$format" > "$dir/out.$format" || true
    read -r secs kb < <(tail -n 1 "$dir/time")
    results=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['runs'][0]['results']) if 'runs' in d else len(d['findings']))" "$dir/out.$format")
    printf '%-5s %6d results  %6.2f s  peak RSS %5d MiB  output %4d MiB\n' \
        "$format" "$results" "$secs" $((kb / 1024)) $(( $(stat -c %s "$dir/out.$format") / 1048576 ))
done
