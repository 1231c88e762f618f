#!/usr/bin/env python3
"""Sample flow logs of the riverside plant (examples/riverside/plant.zc).

One day, Monday 2026-11-30 (UTC), of what a Zeek sensor on the plant's
core switch sees: the traffic the policy allows, and a handful of
deviations the policy does not allow (each listed in DEVIATIONS with the
reason `conduit observe` must give). Writes, deterministically:

  conn.log        Zeek conn.log, tab-separated
  conn.json       the same connections as Zeek JSON lines (ISO timestamps)
  kernel.log      what the firewall logs for the connections it drops or
                  would drop (journald short-iso and syslog timestamps,
                  mixed with other programs' lines)
  flows.csv       every deviation and one in twenty allowed connections,
                  in the simple CSV form

`generate.py --lines N --format zeek|zeek-json|kernel|csv OUT` writes N
lines of the same traffic mix spread over the day, for memory figures
(`-` for standard output); `--distinct K` makes every other line come from
one of K enterprise clients, so that the number of distinct flows grows.
"""

import argparse
import json
import random
import sys
from datetime import datetime, timezone

DAY = int(datetime(2026, 11, 30, tzinfo=timezone.utc).timestamp())
H = 3600

# (src, dst, proto, port, hours [from, to), connections per hour)
ALLOWED = [
    ("10.30.0.21", "10.40.1.10", "tcp", 102, (0, 24), 12),    # hmi-control
    ("10.30.0.5", "10.40.1.10", "tcp", 102, (0, 24), 6),      # hmi-control
    ("10.30.0.30", "10.40.1.10", "tcp", 102, (7, 16), 2),     # engineering, in its window
    ("10.25.0.10", "10.20.0.10", "tcp", 5450, (0, 24), 4),    # historian-mirror
    ("10.10.5.23", "10.20.0.10", "tcp", 443, (8, 17), 3),     # business-reports
    ("10.10.7.140", "10.20.0.10", "tcp", 443, (9, 12), 2),    # business-reports
    ("203.0.113.50", "10.20.0.20", "tcp", 443, (9, 15), 1),   # vendor-support, in its window
    ("10.20.0.20", "10.40.1.10", "tcp", 102, (10, 12), 2),    # vendor-to-plc
    ("10.40.1.10", "10.25.0.10", "udp", 123, (0, 24), 1),     # time-sync (monitor, service covered)
    ("10.25.0.10", "10.30.0.5", "udp", 123, (0, 24), 1),      # time-sync, the other way
]

# Inside one zone: never crosses a conduit.
INTRA = [("10.30.0.21", "10.30.0.5", "tcp", 102, (0, 24), 2)]

# (src, dst, proto, port, [instants as hour offsets], reason, verdict)
DEVIATIONS = [
    ("10.30.0.30", "10.40.1.10", "tcp", 102, [19.5, 19.75, 20.1], "outside-window", "drop"),
    ("203.0.113.50", "10.20.0.20", "tcp", 443, [18.5], "outside-window", "drop"),
    ("10.30.0.21", "10.25.0.10", "tcp", 22, [9.2, 9.3, 14.0], "wrong-service", "would-drop"),
    ("10.30.0.21", "10.40.1.10", "icmp", 8, [8.0, 8.01, 8.02, 8.03], "wrong-service", "drop"),
    ("10.20.0.10", "10.25.0.10", "tcp", 5450, [3.0, 3.5], "reverse-direction", "drop"),
    ("10.10.5.23", "10.25.0.10", "tcp", 443, [11.0, 11.1], "no-conduit", "drop"),
    ("10.40.1.10", "10.50.0.2", "tcp", 502, [6.0, 12.0, 18.0], "no-conduit", "drop"),
    ("10.30.0.99", "10.40.1.10", "tcp", 102, [13.0, 13.2], "no-conduit", "drop"),
    ("10.30.0.5", "8.8.8.8", "udp", 53, [1.0, 5.0, 9.0, 13.0, 17.0, 21.0], "no-conduit", "drop"),
    ("198.51.100.7", "10.20.0.20", "tcp", 22, [2.25], "wrong-service", "drop"),
]

STATES = ["SF", "SF", "SF", "S1", "RSTO"]
SERVICE = {102: "-", 5450: "-", 443: "ssl", 123: "ntp", 22: "ssh", 53: "dns", 502: "modbus"}


def connections(rng):
    """Every connection of the day as (ts, src, dst, proto, port, label)."""
    out = []
    for src, dst, proto, port, (a, b), per_hour in ALLOWED + INTRA:
        for hour in range(a, b):
            for _ in range(per_hour):
                out.append((DAY + hour * H + rng.uniform(0, H), src, dst, proto, port, "ok"))
    for src, dst, proto, port, hours, reason, verdict in DEVIATIONS:
        for h in hours:
            out.append((DAY + h * H + rng.uniform(0, 30), src, dst, proto, port, verdict))
    out.sort()
    return out


def uid(rng):
    return "C" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(17))


def zeek_fields(rng, c):
    ts, src, dst, proto, port, label = c
    sport = rng.randint(32768, 60999) if proto != "icmp" else port
    dport = port if proto != "icmp" else 0
    dropped = label != "ok"
    state = "S0" if dropped and label == "drop" else rng.choice(STATES)
    service = SERVICE.get(port, "-") if proto != "icmp" else "-"
    duration = "-" if state == "S0" else "%.6f" % rng.uniform(0.001, 30)
    ob = "0" if state == "S0" else str(rng.randint(40, 9000))
    rb = "0" if state == "S0" else str(rng.randint(40, 90000))
    return {
        "ts": ts, "uid": uid(rng), "id.orig_h": src, "id.orig_p": sport, "id.resp_h": dst,
        "id.resp_p": dport, "proto": proto, "service": service, "duration": duration,
        "orig_bytes": ob, "resp_bytes": rb, "conn_state": state, "local_orig": "T",
        "local_resp": "T" if not dst.startswith(("8.", "203.", "198.")) else "F",
        "missed_bytes": "0", "history": "S" if state == "S0" else "ShADadFf",
        "orig_pkts": str(rng.randint(1, 40)), "orig_ip_bytes": str(rng.randint(60, 9000)),
        "resp_pkts": "0" if state == "S0" else str(rng.randint(1, 40)),
        "resp_ip_bytes": "0" if state == "S0" else str(rng.randint(60, 90000)),
        "tunnel_parents": "-",
    }


FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
          "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
          "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
          "tunnel_parents"]
TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count",
         "count", "string", "bool", "bool", "count", "string", "count", "count", "count", "count",
         "set[string]"]


def zeek_header():
    return ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            "#path\tconn\n#open\t2026-11-30-00-00-00\n#fields\t" + "\t".join(FIELDS) + "\n"
            "#types\t" + "\t".join(TYPES) + "\n")


def zeek_line(f):
    vals = ["%.6f" % f["ts"]] + [str(f[k]) for k in FIELDS[1:]]
    return "\t".join(vals) + "\n"


def json_line(f):
    rec = {}
    for k in FIELDS:
        v = f[k]
        if v == "-":
            continue  # unset fields are absent
        if k == "ts":
            v = datetime.fromtimestamp(v, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif k in ("duration",):
            v = float(v)
        elif k in ("orig_bytes", "resp_bytes", "missed_bytes", "orig_pkts", "orig_ip_bytes",
                   "resp_pkts", "resp_ip_bytes"):
            v = int(v)
        elif k in ("local_orig", "local_resp"):
            v = v == "T"
        rec[k] = v
    return json.dumps(rec, separators=(",", ":")) + "\n"


IFACE = {"10.10": "ens3", "10.20": "ens4", "10.25": "ens5", "10.30": "ens6", "10.40": "ens7",
         "10.50": "ens8"}


def iface(addr):
    return IFACE.get(".".join(addr.split(".")[:2]), "ens2")


def kernel_line(rng, c, i):
    ts, src, dst, proto, port, label = c
    prefix = "conduit-monitor: " if label == "would-drop" else "conduit-deny: "
    when = datetime.fromtimestamp(ts, timezone.utc)
    stamp = (when.strftime("%Y-%m-%dT%H:%M:%S+0000") if i % 2 == 0
             else when.strftime("%b %e %H:%M:%S"))
    head = "%s fw-riverside kernel: %s" % (stamp, prefix)
    body = "IN=%s OUT=%s MAC=52:54:00:12:34:56:52:54:00:ab:cd:ef:08:00 SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=%d " % (
        iface(src), iface(dst), src, dst, rng.randint(1, 65535))
    if proto == "tcp":
        body += "DF PROTO=TCP SPT=%d DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0" % (rng.randint(32768, 60999), port)
    elif proto == "udp":
        body = body.replace("LEN=60", "LEN=76") + "PROTO=UDP SPT=%d DPT=%d LEN=56" % (rng.randint(32768, 60999), port)
    else:
        body = body.replace("LEN=60", "LEN=84") + "DF PROTO=ICMP TYPE=%d CODE=0 ID=%d SEQ=1" % (port, rng.randint(1, 65535))
    return head + body + "\n"


NOISE = [
    "{stamp} fw-riverside systemd[1]: Started Daily apt upgrade and clean activities.",
    "{stamp} fw-riverside sshd[2211]: Accepted publickey for ops from 10.25.0.40 port 51022 ssh2",
    "{stamp} fw-riverside kernel: conduit-invalid: IN=ens6 OUT=ens7 SRC=10.30.0.21 DST=10.40.1.10 LEN=40 PROTO=TCP SPT=50001 DPT=102 WINDOW=0 RES=0x00 RST URGP=0",
    "{stamp} fw-riverside kernel: nf_conntrack: default automatic helper assignment has been turned off for security reasons",
]


def write_day(outdir):
    rng = random.Random(20261130)
    conns = connections(rng)
    fields = [zeek_fields(rng, c) for c in conns]
    with open(outdir + "/conn.log", "w") as f:
        f.write(zeek_header())
        for z in fields:
            f.write(zeek_line(z))
        f.write("#close\t2026-12-01-00-00-00\n")
    with open(outdir + "/conn.json", "w") as f:
        for z in fields:
            f.write(json_line(z))
    with open(outdir + "/kernel.log", "w") as f:
        dropped = [c for c in conns if c[5] != "ok"]
        for i, c in enumerate(dropped):
            if i % 3 == 0:
                stamp = datetime.fromtimestamp(c[0] - 1, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
                f.write(NOISE[i % len(NOISE)].format(stamp=stamp) + "\n")
            f.write(kernel_line(rng, c, i))
    with open(outdir + "/flows.csv", "w") as f:
        f.write("ts,src,dst,proto,port\n")
        picked = [c for i, c in enumerate(conns) if c[5] != "ok" or i % 20 == 0]
        for c in picked:
            f.write("%d,%s,%s,%s,%d\n" % (int(c[0]), c[1], c[2], c[3], c[4]))


def write_many(n, fmt, out, distinct=0):
    """N lines of the day's traffic mix, spread evenly over the day."""
    rng = random.Random(n)
    day = connections(random.Random(1))
    w = sys.stdout if out == "-" else open(out, "w", buffering=1 << 20)
    if fmt == "zeek":
        w.write(zeek_header())
    for i in range(n):
        c = day[i % len(day)]
        # Vary the client and the second so that flows stay few but lines differ.
        ts = DAY + (i * 86400.0 / n)
        c = (ts,) + c[1:]
        if distinct and i % 2:
            k = (i // 2) % min(distinct, 64000)
            c = (ts, "10.10.%d.%d" % (k // 250, 1 + k % 250), "10.20.0.10", "tcp", 443, "ok")
        if fmt == "zeek":
            w.write("%.6f\tC%08d\t%s\t%d\t%s\t%d\t%s\t-\t0.1\t10\t10\tSF\tT\tT\t0\tShAF\t1\t60\t1\t60\t-\n" % (
                ts, i, c[1], 40000 + i % 20000 if c[3] != "icmp" else c[4], c[2],
                c[4] if c[3] != "icmp" else 0, c[3]))
        elif fmt == "zeek-json":
            w.write('{"ts":%.6f,"uid":"C%08d","id.orig_h":"%s","id.orig_p":%d,"id.resp_h":"%s","id.resp_p":%d,"proto":"%s","conn_state":"SF"}\n' % (
                ts, i, c[1], 40000 + i % 20000 if c[3] != "icmp" else c[4], c[2], c[4] if c[3] != "icmp" else 0, c[3]))
        elif fmt == "kernel":
            w.write(kernel_line(rng, c, i))
        else:
            w.write("%d,%s,%s,%s,%d\n" % (int(ts), c[1], c[2], c[3], c[4]))
    if fmt == "zeek":
        w.write("#close\t2026-12-01-00-00-00\n")
    if w is not sys.stdout:
        w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int)
    ap.add_argument("--format", default="zeek", choices=["zeek", "zeek-json", "kernel", "csv"])
    ap.add_argument("--distinct", type=int, default=0)
    ap.add_argument("out", nargs="?", default=".")
    a = ap.parse_args()
    if a.lines:
        write_many(a.lines, a.format, a.out, a.distinct)
    else:
        write_day(a.out)


if __name__ == "__main__":
    main()
