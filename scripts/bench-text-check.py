#!/usr/bin/env python3
"""Text `conduit check` against the number of diagnostics it reports.

Generates two kinds of policy per size and times `conduit check` in text
and in JSON (the median of --runs runs, wall time of the process):

  findings: N zones without owner or SL targets, two rule findings each
            (DOC-001, DOC-002); the rules run.
  errors:   N conduits between undeclared zones, language errors (E0201);
            the rules do not run (the language-error path).

Text output prints at most 100 diagnostics per code and 1,000 in all
(then a count); the per-diagnostic cost is what this measures: text time
should grow like JSON time, linearly in the number of diagnostics.

    cargo build --release
    python3 scripts/bench-text-check.py                    # 1k, 10k, 60k
    python3 scripts/bench-text-check.py --sizes 1000,10000 --runs 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def findings_policy(zones):
    return "".join(
        f"zone z{i} {{\n    purdue 3\n    network 10.{i // 256}.{i % 256}.0/24\n}}\n"
        for i in range(zones)
    )


def errors_policy(conduits):
    return "zone a {\n    purdue 3\n    network 10.0.0.0/24\n}\n" + "".join(
        f"conduit c{i} {{\n    a -> missing{i}\n    allow tcp 22\n}}\n" for i in range(conduits)
    )


def timed(binary, path, fmt, runs):
    times, out = [], b""
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(
            [binary, "check", path, "--as-of", "2026-12-01", "--format", fmt],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
        times.append(time.perf_counter() - t)
        out = p.stdout
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,60000", help="diagnostics wanted")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/conduit"))
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} missing: cargo build --release")
    print("| policy | diagnostics | text s | json s | text/json | text bytes | s per 1k (text) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="conduit-bench-text-") as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            for kind, gen, per in (("findings", findings_policy, 2), ("errors", errors_policy, 1)):
                path = os.path.join(tmp, f"{kind}-{size}.zc")
                with open(path, "w") as f:
                    f.write(gen(max(1, size // per)))
                tj, out = timed(args.binary, path, "json", args.runs)
                doc = json.loads(out)
                n = len(doc.get("diagnostics", [])) + len(doc.get("findings", []))
                tt, text = timed(args.binary, path, "text", args.runs)
                print(
                    f"| {kind} | {n} | {tt:.3f} | {tj:.3f} | {tt / tj:.2f} | {len(text)} | {1000 * tt / max(n, 1):.4f} |"
                )
                sys.stdout.flush()


if __name__ == "__main__":
    main()
