#!/usr/bin/env python3
"""Measures the engine: throughput per core, scaling from 1 to 2 threads, and memory against N.

Run from the repository root: `python3 scripts/bench.py` (builds the release binary first).
Every figure is printed as a ratio against a reference run made in the same script, on the same
machine, a moment earlier: never a bare wall-clock against a fixed number.

  throughput  timelines/s with --threads 1 on the default scenario (target: >= 60,000)
  scaling     timelines/s with --threads 2 over --threads 1          (target: >= 1.9)
  memory      peak RSS of `run -n 1000000` over `run -n 10000`       (target: <= 1.5)

With `--replay`, the cost of conditioning on the real record, per timeline on one thread, each
against the free run of the same command measured in alternation (target: <= 1.5):

  replay        run --history-until <the record's end> over run --history-until none
  counterfact.  compare -d star-city --given-history over compare -d star-city --history-until none

With `--against OTHER_BINARY` (for instance a build of an earlier commit:
`git worktree add /tmp/old REV && CARGO_TARGET_DIR=/tmp/oldtarget cargo build --release
--manifest-path /tmp/old/Cargo.toml`), the one-thread throughput of both binaries is measured
in alternation, best of --repeat each, in CPU time (steadier than wall time on a shared machine),
and their ratio printed: a change's cost, measured on the same machine in the same minute. Use
--repeat 7 or more: a difference under about 2 % is within the noise here.
"""
import argparse
import os
import subprocess
import sys
import time

BIN = os.path.join("target", "release", "starcity")


def run(args, binary=BIN):
    """Runs the binary, returns (wall seconds, peak RSS in KiB) of that child alone."""
    wall, rss, _ = run_full(args, binary)
    return wall, rss


def run_full(args, binary=BIN):
    """Runs the binary: (wall seconds, peak RSS in KiB, CPU seconds) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"starcity {' '.join(args)} failed with status {status}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def cpu(args, binary=BIN):
    """CPU seconds of one run. On one thread it is the wall time less what other tenants of a
    shared machine took: the steadier measure of a change's cost (wall times here drift 5-10 %)."""
    return run_full(args, binary)[2]


def best_of(k, args, binary=BIN):
    return min(run(args, binary)[0] for _ in range(k))


def against(a, other):
    """One-thread throughput of this build over `other`'s, measured in alternation."""
    args = ["run", a.scenario, "-n", str(a.n), "--threads", "1", "-q", "--json"]
    one = ["run", a.scenario, "-n", "1", "--threads", "1", "-q", "--json"]
    ours, theirs, ours1, theirs1 = [], [], [], []
    for _ in range(a.repeat):
        ours.append(cpu(args))
        theirs.append(cpu(args, other))
        ours1.append(cpu(one))
        theirs1.append(cpu(one, other))
    mine, base = a.n / (min(ours) - min(ours1)), a.n / (min(theirs) - min(theirs1))
    print(f"against {other}: {mine:,.0f} vs {base:,.0f} timelines/s of CPU time on 1 thread = {mine / base:.3f} x")


def replay(a):
    """Per-timeline cost of replaying / conditioning on the record, over the free run."""
    cases = [
        ("replay (run)", ["run", a.scenario, "--history-until", "1976-01-01"], ["run", a.scenario, "--history-until", "none"]),
        ("given history (compare)", ["compare", "-d", "star-city", "--given-history"],
         ["compare", "-d", "star-city", "--history-until", "none"]),
    ]
    for name, cond, free in cases:
        tail = ["--threads", "1", "-q", "--json"]
        times = {"cond": [], "free": []}
        for _ in range(a.repeat):
            for key, args in (("cond", cond), ("free", free)):
                full = run([*args, "-n", str(a.n), *tail])[0]
                one = run([*args, "-n", "1", *tail])[0]
                times[key].append(full - one)
        ratio = min(times["cond"]) / min(times["free"])
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        print(f"{name:<24}: {a.n / min(times['cond']):>9,.0f} vs {a.n / min(times['free']):>9,.0f} timelines/s free"
              f" = {ratio:.2f} x the free cost   (target <= 1.5: {verdict})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default="space-race")
    p.add_argument("-n", type=int, default=100_000, help="timelines for the throughput runs")
    p.add_argument("--big", type=int, default=1_000_000, help="timelines for the memory run")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--against", metavar="BINARY", help="another starcity binary to compare throughput with")
    p.add_argument("--replay", action="store_true", help="the cost of replaying and conditioning on the record")
    a = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    if a.replay:
        replay(a)
        return
    if a.against:
        against(a, a.against)
        return

    # Loading the scenario (fitting priors on the record) is a fixed cost: measure it with a
    # one-timeline run and subtract it, so the figures are the engine's.
    fixed = best_of(a.repeat, ["run", a.scenario, "-n", "1", "--threads", "1", "-q", "--json"])
    t1 = best_of(a.repeat, ["run", a.scenario, "-n", str(a.n), "--threads", "1", "-q", "--json"]) - fixed
    t2 = best_of(a.repeat, ["run", a.scenario, "-n", str(a.n), "--threads", "2", "-q", "--json"]) - fixed
    per_core = a.n / t1
    scaling = t1 / t2
    _, rss_small = run(["run", a.scenario, "-n", "10000", "-q", "--json"])
    _, rss_big = run(["run", a.scenario, "-n", str(a.big), "-q", "--json"])
    mem_ratio = rss_big / rss_small

    print(f"scenario {a.scenario}, {os.cpu_count()} cores; load cost {fixed * 1000:.0f} ms subtracted")
    print(f"throughput, 1 thread : {per_core:>12,.0f} timelines/s   (target >= 60,000: {'ok' if per_core >= 60_000 else 'MISSED'})")
    print(f"scaling, 2 threads   : {scaling:>12.2f} x            (target >= 1.9: {'ok' if scaling >= 1.9 else 'MISSED'})")
    print(f"memory, n={a.big:,} vs 10,000: {rss_big / 1024:.1f} MiB vs {rss_small / 1024:.1f} MiB = {mem_ratio:.2f} x"
          f"   (target <= 1.5: {'ok' if mem_ratio <= 1.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
