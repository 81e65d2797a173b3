#!/usr/bin/env python3
"""Peak memory of the largest run the limits allow (docs/limits.md, "Memory of a run").

Generates a scenario at the limits that drive memory -- 16 agencies x 32 milestones x 1,024 days
(= the 524,288 date-histogram cells allowed), 500 programs, 2,000 rules, 2,000 missions,
1,000 vehicles, 64 eras (1,500 rules: with the divergence's 500 scalings, the 2,000 allowed), 1,000 history points -- and a divergence with the most interventions,
then runs `compare` (the heavier command: twin summaries) with --threads 32 (the limit) and prints
the peak resident memory against the formula's bound and against a `run` of the default scenario
measured in the same script.

    cargo build --release && python3 scripts/limits_memory.py [-n 20000]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "starcity")

AGENCIES, MILESTONES, DAYS = 16, 32, 1024
PROGRAMS, RULES, MISSIONS, VEHICLES, ERAS, HISTORY = 500, 1500, 2000, 1000, 64, 1000


def largest_scenario() -> str:
    out = ["[scenario]", 'id = "largest"', 'name = "At the limits"', "start = 1960-01-01",
           "end = 1962-10-20", ""]  # 1,023 days: (days + 1) x 16 x 32 = 524,288 cells
    for a in range(AGENCIES):
        out += ["[[agency]]", f'id = "A{a}"', f'name = "Agency {a}"', "risk = 0.1",
                "crew = [" + ", ".join(f'"P{a}-{i}"' for i in range(50)) + "]",
                "budget = [{ from = 1960-01-01, level = 1.0 }]", ""]
    for v in range(VEHICLES):
        out += ["[[vehicle]]", f'id = "v{v}"', 'name = "V"', f'agency = "A{v % AGENCIES}"',
                "prior = { mean = 0.2, strength = 10 }", ""]
    for m in range(MILESTONES):
        out += ["[[milestone]]", f'id = "m{m}"', f'name = "Milestone {m}"', ""]
    for i in range(MISSIONS):
        out += ["[[mission]]", f'id = "mi{i}"', 'name = "Mission"', "crew = 2", "[[mission.phase]]",
                'name = "launch"', f'vehicle = "v{i % VEHICLES}"', "loss = 0.3",
                f'achieves = ["m{i % MILESTONES}"]', ""]
    for p in range(PROGRAMS):
        a = p % AGENCIES
        out += ["[[program]]", f'id = "p{p}"', 'name = "Program"', f'agency = "A{a}"',
                "start = 1960-01-01", "stand_down = { median_days = 30, sigma = 0.5 }",
                "loss_stand_down = { median_days = 200, sigma = 0.3 }"]
        for s in range(3):
            out += ["[[program.step]]", f'mission = "mi{(p * 3 + s) % MISSIONS}"',
                    "prep = { median_days = 60, sigma = 0.4 }", "repeat = 2"]
        out.append("")
    for r in range(RULES):
        out += ["[[rule]]", f'id = "r{r}"', f'when = "reached(A{r % AGENCIES}, m{r % MILESTONES})"',
                'text = "t"', f'effects = [{{ do = "pace", program = "p{r % PROGRAMS}", scale = 0.99 }}]', ""]
    for e in range(ERAS):
        out += ["[[era]]", f"date = 1960-{1 + e % 12:02d}-{1 + e // 12:02d}", f'name = "Era {e}"', ""]
    for h in range(HISTORY):
        out += ["[[history]]", f'milestone = "m{h % MILESTONES}"', f'agency = "A{h % AGENCIES}"',
                "date = 1961-04-12", ""]
    return "\n".join(out)


def largest_divergence() -> str:
    out = ["[divergence]", 'id = "many"', 'name = "Many changes"', 'base = "largest"', ""]
    for i in range(500):
        out += ["[[intervention]]", 'do = "scale"', "from = 1961-01-01", f'agency = "A{i % AGENCIES}"',
                "budget = 1.01", ""]
    return "\n".join(out)


def peak_rss_mib(args) -> float:
    """Runs the binary and returns its peak RSS, in MiB, from a fresh child rusage."""
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);sys.exit(r.returncode)")
    out = subprocess.run([sys.executable, "-c", code, BIN, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"starcity {' '.join(args)} failed:\n{out.stderr}")
    return int(out.stdout.strip()) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20_000)
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        sc, div = os.path.join(d, "largest.toml"), os.path.join(d, "many.toml")
        with open(sc, "w") as f:
            f.write(largest_scenario())
        with open(div, "w") as f:
            f.write(largest_divergence())
        size = os.path.getsize(sc)
        ref = peak_rss_mib(["run", "-n", str(opts.n), "-q", "--threads", "2"])
        big = peak_rss_mib(["compare", sc, "-d", div, "-n", str(opts.n), "-q", "--threads", "32"])
    cells = AGENCIES * MILESTONES * DAYS
    rules = RULES + 500
    small = PROGRAMS * 4 * (1 + ERAS) + rules + ERAS * AGENCIES * (MILESTONES + 2) + MILESTONES * (AGENCIES + 1) * 2
    world = (VEHICLES * (2 * 64 * 8 + 64 * 8 + 64) + PROGRAMS * 128 + ERAS * (AGENCIES * 16 + PROGRAMS)
             + MILESTONES * AGENCIES * 8)
    bound = (33 * (16 * cells + 16 * small) + 2 * 32 * world) / 2**20  # limits::run_memory_bound
    print(f"largest scenario: {size / 2**20:.2f} MiB of TOML, {cells} histogram cells")
    print(f"reference  run space-race, 2 threads:           {ref:8.1f} MiB peak RSS")
    print(f"largest    compare + 500 interventions, 32 thr: {big:8.1f} MiB peak RSS "
          f"({big / ref:.1f}x the reference; bound for this shape {bound:.0f} MiB + scenarios; limit 1024 MiB)")
    if big >= 1024:
        sys.exit("over 1 GiB")


if __name__ == "__main__":
    main()
