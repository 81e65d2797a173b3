#!/usr/bin/env python3
"""For every built-in divergence: P(USSR makes the first crewed lunar landing) and the median date
of the Soviet landing, in the three modes of `compare` (free, replayed to the divergence's date,
given the whole record), baseline and divergent, with the paired effect.

Run from the repository root: `python3 scripts/three_modes.py [-n 20000]` (builds first).
"""
import argparse
import json
import subprocess

BIN = "target/release/starcity"
MODES = [("free", ["--history-until", "none"]), ("replayed", []), ("given history", ["--given-history"])]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=20_000)
    a = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    names = [l.split()[0] for l in subprocess.run([BIN, "scenarios"], capture_output=True, text=True).stdout.splitlines()
             if l.startswith("  ") and not l.startswith("   ")]
    divs = [n for n in names if n not in ("space-race", "tiny-race")]
    print(f"| divergence | mode | P(USSR first landing): baseline → divergent (paired effect, 95 %) | Soviet landing median: baseline → divergent |")
    print("|---|---|---|---|")
    for d in divs:
        for mode, flags in MODES:
            out = subprocess.run([BIN, "compare", "-d", d, "-n", str(a.n), "--json", "-q", *flags],
                                 capture_output=True, text=True, check=True).stdout
            v = json.loads(out)
            ms = next(m for m in v["paired"]["milestones"] if m["id"] == "crewed_lunar_landing")
            e = ms["first"]["USSR"]
            landing = lambda r: next(m for m in r["milestones"] if m["id"] == "crewed_lunar_landing")
            first = lambda r: landing(r)["first"]["USSR"] * 100
            median = lambda r: (landing(r)["date"].get("USSR") or {}).get("p50") or "never"
            print(f"| {d} | {mode} | {first(v['baseline']):.1f} % → {first(v['divergent']):.1f} % ({e['diff'] * 100:+.1f} pp, "
                  f"[{e['ci95'][0] * 100:+.1f}, {e['ci95'][1] * 100:+.1f}]) | {median(v['baseline'])} → {median(v['divergent'])} |")


if __name__ == "__main__":
    main()
