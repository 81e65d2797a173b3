#!/usr/bin/env python3
"""Peak memory of `starcity export` at 10^6 timelines against 10^5: streaming keeps it flat.

`export` writes one row per timeline, so its output grows with N; its memory must not. This runs
`export -n 100000` and `export -n 1000000` of the default scenario, as CSV and as Parquet, with
the rows sent to /dev/null (standard output redirected: `-o /dev/null` is refused, as it is not a
regular file), and prints the peak resident memory of each run and the ratio of the two sizes.
With `--file` the rows go through `-o` to a temporary file instead (the atomic path), removed after.

    cargo build --release && python3 scripts/export_memory.py [--threads 2] [--file]

The binary is `$CARGO_TARGET_DIR/release/starcity` (default `target/`).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "starcity")


def peak_rss_mib(args, stdout) -> tuple[float, float]:
    """Runs the binary and returns (its peak RSS in MiB, seconds), from a fresh child's rusage."""
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:]);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
            "sys.exit(r.returncode)")
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code, BIN, *args], stdout=stdout, stderr=subprocess.PIPE,
                         text=True)
    secs = time.monotonic() - started
    if out.returncode != 0:
        sys.exit(f"starcity {' '.join(args)} failed:\n{out.stderr}")
    return int(out.stderr.strip().splitlines()[-1]) / 1024, secs


def measure(fmt: str, n: int, threads: int, directory: str | None) -> tuple[float, float, int]:
    """(peak MiB, seconds, bytes written) of one export."""
    args = ["export", "-n", str(n), "-q", "--threads", str(threads), "--format", fmt]
    if directory is None:
        rss, secs = peak_rss_mib(args, subprocess.DEVNULL)
        return rss, secs, 0
    path = os.path.join(directory, f"rows.{fmt}")
    rss, secs = peak_rss_mib([*args, "-o", path], subprocess.DEVNULL)
    size = os.path.getsize(path)
    os.remove(path)
    return rss, secs, size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--small", type=int, default=100_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--file", action="store_true", help="write through -o to a temporary file")
    ap.add_argument("--formats", default="csv,parquet")
    opts = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"no binary at {BIN}: run `cargo build --release` first")
    with tempfile.TemporaryDirectory(dir=ROOT if opts.file else None) as d:
        directory = d if opts.file else None
        where = "-o a temporary file" if opts.file else "stdout to /dev/null"
        print(f"export of space-race, {opts.threads} threads, rows to {where}")
        for fmt in opts.formats.split(","):
            small = measure(fmt, opts.small, opts.threads, directory)
            large = measure(fmt, opts.large, opts.threads, directory)
            for n, (rss, secs, size) in ((opts.small, small), (opts.large, large)):
                written = f", {size / 2**20:8.1f} MiB written" if size else ""
                print(f"  {fmt:8} -n {n:>9,}: {rss:7.1f} MiB peak RSS, {secs:6.1f} s{written}")
            print(f"  {fmt:8} ratio {opts.large // opts.small}x timelines: {large[0] / small[0]:.2f}x the memory")


if __name__ == "__main__":
    main()
