#!/usr/bin/env bash
# The packet path of the nftables output, on real packets: loads rulesets
# into a router network namespace and measures what a TCP connect costs
# when the first, a middle and the last conduit of the plan allows it,
# beside an empty ruleset. Prints the figures; asserts nothing.
#
# Needs root, nft, ip and python3. Usage:
#
#   scripts/bench-packet-path.sh REFERENCE.nft [LABEL=FILE.nft ...]
#
# REFERENCE is a rule-walk output (one accept rule per conduit, as
# conduit wrote it before set lookups, or any file holding such rules): the
# probed flows are taken from its accept rules with one source address,
# one destination address, one TCP port and no time condition, in file
# order (the plan's order), so that every ruleset is probed with the same
# flows. Each LABEL=FILE is then loaded and measured; the reference itself
# and an empty ruleset always are. Environment: CONNECTS (per flow and
# ruleset, default 2000), ROUNDS (default 3; the median is printed),
# SKIP_REFERENCE=1 (take the flows from REFERENCE but do not load it: a
# 20,000-zone rule walk takes minutes to load).
#
# Example (see docs/performance.md):
#
#   cargo run --release --example gen_plant -- --sites 1900 --seed 1 --out /tmp/p20k
#   git stash; cargo run --release -- compile --backend nftables --as-of 2026-12-01 /tmp/p20k -o /tmp/before.nft
#   git stash pop; cargo run --release -- compile --backend nftables --as-of 2026-12-01 /tmp/p20k -o /tmp/after.nft
#   sudo scripts/bench-packet-path.sh /tmp/before.nft sets=/tmp/after.nft
set -euo pipefail

ref=${1:?usage: $0 REFERENCE.nft [LABEL=FILE.nft ...]}
shift
connects=${CONNECTS:-2000}
rounds=${ROUNDS:-3}
tag="cbp$$"
r="${tag}r" c="${tag}c" s="${tag}s"

cleanup() {
    for ns in "$r" "$c" "$s"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT

# first, middle and last probe-able rule: "src dst port comment"
mapfile -t flows < <(awk '
    /counter accept comment "conduit / && !/meta (time|day|hour)/ && !/iifname|oifname/ {
        if (match($0, /ip saddr [0-9.]+ ip daddr [0-9.]+ tcp dport [0-9]+ ct state new/)) {
            split(substr($0, RSTART, RLENGTH), f, " ")
            c = $0; sub(/.*comment "/, "", c); sub(/[;"].*/, "", c)
            n++; line[n] = f[3] " " f[6] " " f[9] " " c
        }
    }
    END {
        if (n == 0) exit 1
        print line[1]; print line[int((n + 1) / 2)]; print line[n]
    }' "$ref") || { echo "no probe-able accept rule in $ref" >&2; exit 2; }
names=(first middle last)

for ns in "$r" "$c" "$s"; do ip netns add "$ns"; done
ip link add "${tag}c0" netns "$c" type veth peer name "${tag}r0" netns "$r"
ip link add "${tag}s0" netns "$s" type veth peer name "${tag}r1" netns "$r"
for ns in "$r" "$c" "$s"; do ip -n "$ns" link set lo up; done
ip -n "$c" link set "${tag}c0" up
ip -n "$s" link set "${tag}s0" up
ip -n "$r" link set "${tag}r0" up
ip -n "$r" link set "${tag}r1" up
ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$r" sysctl -qw "net.ipv4.conf.${tag}r0.proxy_arp=1"
ip netns exec "$r" sysctl -qw "net.ipv4.conf.${tag}r1.proxy_arp=1"
ip -n "$c" route add default dev "${tag}c0"
ip -n "$s" route add default dev "${tag}s0"

for f in "${flows[@]}"; do
    read -r src dst port _ <<<"$f"
    ip -n "$c" addr add "$src/32" dev "${tag}c0" 2>/dev/null || true
    ip -n "$s" addr add "$dst/32" dev "${tag}s0" 2>/dev/null || true
    ip -n "$r" route replace "$src/32" dev "${tag}r0"
    ip -n "$r" route replace "$dst/32" dev "${tag}r1"
    ip netns exec "$s" python3 -c '
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()
' "$dst" "$port" &
done
sleep 1

# median microseconds per connect from src to dst:port
probe() {
    ip netns exec "$c" python3 - "$1" "$2" "$3" "$connects" "$rounds" <<'EOF'
import socket, struct, sys, time
src, dst, port, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
linger = struct.pack("ii", 1, 0)
def once():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    s.settimeout(2)
    s.bind((src, 0))
    s.connect((dst, port))
    s.close()
for _ in range(50):
    once()
res = []
for _ in range(rounds):
    t = time.perf_counter()
    for _ in range(n):
        once()
    res.append((time.perf_counter() - t) / n * 1e6)
res.sort()
print(f"{res[len(res) // 2]:.1f}")
EOF
}

measure() {
    local label=$1 file=$2
    ip netns exec "$r" nft flush ruleset
    if [ -n "$file" ]; then
        local t0 t1
        t0=$(date +%s.%N)
        ip netns exec "$r" nft -f "$file"
        t1=$(date +%s.%N)
        printf '%-12s load %6.2f s  ' "$label" "$(echo "$t1 - $t0" | bc)"
    else
        printf '%-12s load %6s    ' "$label" "-"
    fi
    local out=()
    for i in 0 1 2; do
        read -r src dst port _ <<<"${flows[$i]}"
        ip netns exec "$r" conntrack -F >/dev/null 2>&1 || true
        out+=("${names[$i]} $(probe "$src" "$dst" "$port") us")
    done
    echo "${out[0]}  ${out[1]}  ${out[2]}"
}

echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(nft --version)"
echo "# median of $rounds rounds of $connects TCP connects per flow (SO_LINGER 0)"
for i in 0 1 2; do echo "# ${names[$i]}: ${flows[$i]}"; done
measure empty ""
[ -n "${SKIP_REFERENCE:-}" ] || measure reference "$ref"
for arg in "$@"; do
    measure "${arg%%=*}" "${arg#*=}"
done
