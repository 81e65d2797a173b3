#!/usr/bin/env python3
"""Runs the reference benchmark in starcity, plain Python and SimPy; checks that they agree
statistically and prints starcity's speed as ratios against the two Python implementations,
measured in this run (never against a fixed wall-clock number).

Run from anywhere: `python3 scripts/reference/compare.py [--n-starcity N] [--n-python N]`.
Exits non-zero if any quantity disagrees by more than four standard errors.
"""
import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import model_plain  # noqa: E402
from model_common import first  # noqa: E402

START = datetime.date(1960, 1, 1)
BIN = os.path.join(ROOT, "target", "release", "starcity")
SCENARIO = os.path.join(HERE, "benchmark.toml")


def starcity(n):
    """Runs starcity on one thread; returns (report, engine seconds)."""
    args = [BIN, "run", SCENARIO, "--json", "-q", "--threads", "1"]
    t0 = time.perf_counter()
    subprocess.run(args + ["-n", "1"], check=True, stdout=subprocess.DEVNULL)
    fixed = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run(args + ["-n", str(n)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout), max(time.perf_counter() - t0 - fixed, 1e-9)


def summarise(results):
    n = len(results)
    firsts = [first(r) for r in results]
    p = {k: firsts.count(k) / n for k in ("A", "B", "none")}
    days = {a: sorted(r[a] for r in results if r[a] is not None) for a in ("A", "B")}
    return n, p, days


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-starcity", type=int, default=400_000)
    ap.add_argument("--n-python", type=int, default=40_000)
    a = ap.parse_args()
    try:
        import model_simpy
    except SystemExit as e:
        sys.exit(f"{e} (needed for the SimPy reference)")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    report, sc_secs = starcity(a.n_starcity)
    landing = next(m for m in report["milestones"] if m["id"] == "landing")
    sc_p = {k: landing["first"][k] for k in ("A", "B", "none")}
    sc_median = {k: (datetime.date.fromisoformat(landing["date"][k]["p50"]) - START).days for k in ("A", "B")}
    runs = {"starcity": (a.n_starcity, sc_secs)}
    bad = 0
    print(f"starcity: {a.n_starcity:,} timelines; plain Python and SimPy: {a.n_python:,} each\n")
    print(f"{'quantity':<22}{'starcity':>10}{'python':>10}{'z':>7}    {'simpy':>10}{'z':>7}")
    refs = {}
    for name, module in (("python", model_plain), ("simpy", model_simpy)):
        results, secs = module.run(a.n_python)
        runs[name] = (a.n_python, secs)
        refs[name] = summarise(results)
    for k in ("A", "B", "none"):
        row = f"{'P(' + k + ' first)':<22}{sc_p[k]:>10.4f}"
        for name in ("python", "simpy"):
            n, p, _ = refs[name]
            se = math.sqrt(sc_p[k] * (1 - sc_p[k]) / a.n_starcity + p[k] * (1 - p[k]) / n) or 1e-12
            z = (p[k] - sc_p[k]) / se
            bad += abs(z) > 4
            row += f"{p[k]:>10.4f}{z:>7.2f}    " if name == "python" else f"{p[k]:>10.4f}{z:>7.2f}"
        print(row)
    for k in ("A", "B"):
        # Share of the reference's landings on or before starcity's median day: 0.5 if they agree
        # (starcity reports whole days, so count the day itself).
        row = f"{'median landing ' + k:<22}{sc_median[k]:>10d}"
        for name in ("python", "simpy"):
            _, _, days = refs[name]
            m = len(days[k])
            share = sum(d < sc_median[k] + 1 for d in days[k]) / m
            z = (share - 0.5) / math.sqrt(0.25 / m)
            bad += abs(z) > 4
            row += f"{days[k][m // 2]:>10.0f}{z:>7.2f}    " if name == "python" else f"{days[k][m // 2]:>10.0f}{z:>7.2f}"
        print(row)
    print("\n(z: the difference in standard errors; medians are days after 1960-01-01, and their z tests the")
    print(" share of the reference's landings on or before starcity's median day against one half)\n")
    rate = {k: n / s for k, (n, s) in runs.items()}
    for k in ("starcity", "python", "simpy"):
        print(f"{k:<10}{rate[k]:>14,.0f} timelines/s on one core")
    print(f"\nstarcity / plain Python: {rate['starcity'] / rate['python']:.1f} x")
    print(f"starcity / SimPy:        {rate['starcity'] / rate['simpy']:.1f} x")
    if bad:
        sys.exit(f"\n{bad} quantities disagree by more than 4 standard errors")
    print("\nall quantities agree within 4 standard errors")


if __name__ == "__main__":
    main()
