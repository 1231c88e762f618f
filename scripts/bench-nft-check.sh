#!/usr/bin/env bash
# What `nft -c -f` costs on each given ruleset file: wall time, CPU and
# peak memory, over ROUNDS interleaved runs (file 1, file 2, ..., file 1,
# ...), so that a virtual machine whose speed drifts over minutes slows
# every file alike. Prints min, median and max wall time per file and the
# median CPU and memory; asserts nothing.
#
# Needs nft and root (the check runs the whole transaction in the kernel
# and aborts it; nothing is loaded). Usage:
#
#   scripts/bench-nft-check.sh FILE.nft [FILE.nft ...]
#
# Environment: ROUNDS (default 5). Example (see docs/performance.md):
#
#   cargo run --release --example gen_plant -- --sites 1900 --seed 1 --out /tmp/p20k
#   cargo run --release -- compile --backend nftables --as-of 2026-12-01 /tmp/p20k -o /tmp/p20k.nft
#   sudo scripts/bench-nft-check.sh /tmp/p20k.nft
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 FILE.nft [FILE.nft ...]" >&2; exit 2; }
rounds=${ROUNDS:-5}
for f in "$@"; do
    [ -r "$f" ] || { echo "cannot read $f" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

files=("$@")
echo "# $(nproc) cores, kernel $(uname -r), $(nft --version)"
echo "# $rounds interleaved rounds of nft -c -f per file"
for ((r = 0; r < rounds; r++)); do
    for i in "${!files[@]}"; do
        f=${files[$i]}
        if ! /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" nft -c -f "$f" >/dev/null 2>"$tmp/err"; then
            echo "nft -c -f $f failed:" >&2
            head -5 "$tmp/err" >&2
            exit 1
        fi
        cat "$tmp/t" >>"$tmp/$i"
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-32s %7s %9s %7s %7s %8s\n' file "min s" "median s" "max s" "CPU s" "RSS MiB"
for i in "${!files[@]}"; do
    walls=$(awk '{ print $1 }' "$tmp/$i" | sort -n)
    printf '%-32s %7.2f %9.2f %7.2f %7.2f %8.0f\n' "$(basename "${files[$i]}")" \
        "$(head -1 <<<"$walls")" "$(median <<<"$walls")" "$(tail -1 <<<"$walls")" \
        "$(awk '{ print $2 + $3 }' "$tmp/$i" | median)" \
        "$(awk '{ print $4 / 1024 }' "$tmp/$i" | median)"
done
