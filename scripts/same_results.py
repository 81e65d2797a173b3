#!/usr/bin/env python3
"""Checks that an engine change changed no result: runs the same commands with this build and
with OTHER_BINARY (a build of an earlier commit) and compares their outputs byte for byte.

Run from the repository root:

    git worktree add /tmp/old REV
    CARGO_TARGET_DIR=/tmp/oldtarget cargo build --release --manifest-path /tmp/old/Cargo.toml
    python3 scripts/same_results.py /tmp/oldtarget/release/starcity

A speed-up of the engine must leave every timeline as it was: the commands below cover free runs
of both built-in scenarios, every built-in divergence's comparison, replays of the record, the
counterfactual twins given the whole record, and chronicles (which print every event). Exits 1
naming each command whose output differs.
"""
import argparse
import hashlib
import os
import subprocess
import sys

BIN = os.path.join("target", "release", "starcity")


def commands(n):
    """The commands compared: (label, argv without the binary)."""
    n = str(n)
    out = [
        ("run space-race", ["run", "-n", n, "--json"]),
        ("run tiny-race", ["run", "tiny-race", "-n", n, "--json"]),
        ("run replayed to 1976", ["run", "-n", n, "--history-until", "1976-01-01", "--json"]),
        ("compare given history", ["compare", "-d", "star-city", "--given-history", "-n", n, "--json"]),
        ("export (a row per timeline)", ["export", "-n", n, "--format", "csv"]),
        ("export of star-city", ["export", "-d", "star-city", "-n", n, "--format", "csv"]),
        ("chronicle --where", ["chronicle", "--where", "first(crewed_lunar_landing, USSR)", "--format", "json"]),
    ]
    out += [(f"chronicle {k}", ["chronicle", "--timeline", str(k), "--format", "json"]) for k in range(4)]
    listing = subprocess.run([BIN, "scenarios"], capture_output=True, text=True, check=True).stdout
    divergences = listing.split("Built-in divergences", 1)[-1].splitlines()[1:]
    for name in (line.split()[0] for line in divergences if line.strip()):
        out.append((f"compare -d {name}", ["compare", "-d", name, "-n", n, "--json"]))
    return out


def digest(binary, argv):
    proc = subprocess.run([binary, *argv, "-q"], capture_output=True, check=False)
    return proc.returncode, hashlib.sha256(proc.stdout).hexdigest(), proc.stderr.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("other", help="the binary to compare against (a build of an earlier commit)")
    ap.add_argument("-n", type=int, default=3000, help="timelines per command (default 3000)")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "-q"], check=True)
    differ = 0
    for label, argv in commands(a.n):
        ours, theirs = digest(BIN, argv), digest(a.other, argv)
        same = ours[:2] == theirs[:2]
        differ += not same
        print(f"{'same   ' if same else 'DIFFERS'}  {label}  ({ours[1][:12]})")
        if ours[0] != 0:
            print(f"         exit {ours[0]}: {ours[2].strip()[:300]}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
