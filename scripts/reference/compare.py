#!/usr/bin/env python3
"""Compares starcity with the same benchmark model written in SimPy, in plain Python and as the floor.

Run from anywhere: `python3 scripts/reference/compare.py` (builds the release binaries first).

  agreement  P(A first), P(B first), P(nobody), P(each lands by the end) and the 10/50/90 % landing
             dates per agency, each Python model and the floor against starcity, with standard
             errors; any difference beyond 4 standard errors is flagged and makes the exit status 1
  speed      timelines/s of each on one core and the ratios starcity/SimPy and starcity/plain, the
             floor's over SimPy and plain, and starcity's time per timeline over the floor's
             (starcity: wall clock of `run -n N --threads 1` minus that of `run -n 1`;
             Python and the floor: timed in-process around the model's loop). Ratios only, no
             fixed targets.

The floor (floor/, a cargo project of its own) is the same model as the leanest single-threaded
Rust loop: no event queue, a hand-written xoshiro256++, ziggurat normals. It runs the same number
of timelines as starcity (`--starcity-n`); `--no-floor` skips it. The keyed floor is the same loop
drawing as starcity must (the brief's keyed streams, inverse-CDF durations: the very functions of
starcity_core), so the gap splits into what the invariants cost and what the engine costs; the
keyed floor with ziggurat durations separates the keys (the brief's) from the inverse CDF (ours).

The model is defined once, in model_plain.py; benchmark.toml must be exactly what
`model_plain.py --toml` writes (checked here). Exit status: 0 all agree, 1 a disagreement,
2 a setup error, 3 agreement with plain Python only because SimPy is not installed.
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
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ next to the scripts

import model_plain  # noqa: E402
import model_simpy  # noqa: E402

SCENARIO = os.path.join("scripts", "reference", "benchmark.toml")
FLOOR_DIR = os.path.join(HERE, "floor")


def target_dir(project):
    """Where cargo puts `project`'s builds: $CARGO_TARGET_DIR when set (as cargo itself does), else project/target."""
    return os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or os.path.join(project, "target"))


BIN = os.path.join(target_dir(REPO), "release", "starcity")
FLOOR_BIN = os.path.join(target_dir(FLOOR_DIR), "release", "starcity-floor")
LIMIT = 4.0  # standard errors


def starcity(n, seed):
    """(wall seconds, report) of one single-threaded run."""
    cmd = [BIN, "run", SCENARIO, "-n", str(n), "--seed", str(seed), "--json", "-q", "--threads", "1"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"starcity failed ({proc.returncode}):\n{proc.stderr}")
    return wall, json.loads(proc.stdout)


def floor(n, seed, luck="ziggurat"):
    """(seconds of the loop, Result) of the floor, which counts landings per whole day: the Result's landing
    lists hold those whole days, which is exact for every statistic here (each uses floor(day) only).
    `luck` is its --normal: the leanest (ziggurat), or `keyed` (starcity's keyed streams and quantiles)."""
    if not os.path.exists(FLOOR_BIN):
        print(f"no floor binary at {FLOOR_BIN}: build it (drop --no-build) or pass --no-floor", file=sys.stderr)
        sys.exit(2)
    cmd = [FLOOR_BIN, "-n", str(n), "--seed", str(seed), "--json", "--normal", luck]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"the floor failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
        sys.exit(2)
    out = json.loads(proc.stdout)
    res = model_plain.Result(out["n"])
    res.first = out["first"]
    res.events = out["events"]
    res.landing = [[d for d, c in enumerate(out["landing_days"][ag]) for _ in range(c)] for ag in model_plain.AGENCIES]
    return out["seconds"], res


def day_of(date):
    return (datetime.date.fromisoformat(date) - model_plain.START).days


def date_of(day):
    return (model_plain.START + datetime.timedelta(days=math.floor(day))).isoformat()


def py_quantile(xs, q):
    """The same quantile starcity reports: the smallest whole day with >= ceil(q * n) landings on or before it."""
    s = sorted(xs)
    return date_of(s[max(math.ceil(q * len(s)), 1) - 1])


def frac_below(xs, day):
    """Share of landings before starcity's quantile day `day` (a whole day: the continuous quantile lies in
    [day, day + 1), so landings inside that day count half)."""
    below = sum(1 for x in xs if x < day)
    inside = sum(1 for x in xs if day <= x < day + 1)
    return (below + 0.5 * inside) / max(len(xs), 1)


def compare(name, res, sc, n_sc):
    """Rows (label, starcity, python, z) of one Python model against starcity; z = difference / SE."""
    ms = next(m for m in sc["milestones"] if m["id"] == "landing")
    rows = []
    n_py = res.n

    def prob(label, p_sc, k_py):
        p_py = k_py / n_py
        pool = (p_sc * n_sc + k_py) / (n_sc + n_py)
        se = math.sqrt(max(pool * (1 - pool), 1e-12) * (1 / n_sc + 1 / n_py))
        rows.append((label, f"{p_sc:.4f}", f"{p_py:.4f}", f"{se:.4f}", (p_py - p_sc) / se))

    prob("P(A first)", ms["first"]["A"], res.first[0])
    prob("P(B first)", ms["first"]["B"], res.first[1])
    prob("P(nobody)", ms["first"]["none"], res.first[2])
    for i, ag in enumerate(model_plain.AGENCIES):
        prob(f"P({ag} lands)", ms["reached"][ag], len(res.landing[i]))
    for i, ag in enumerate(model_plain.AGENCIES):
        band = ms["date"].get(ag)
        xs = res.landing[i]
        n_l_sc = ms["reached"][ag] * n_sc
        for key, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
            if band is None or not xs:
                rows.append((f"{ag} landing {key}", "-", "-", "-", math.inf))
                continue
            f = frac_below(xs, day_of(band[key]))
            se = math.sqrt(q * (1 - q) * (1 / len(xs) + 1 / max(n_l_sc, 1)))
            rows.append(
                (
                    f"{ag} landing {key} (share of {name} below)",
                    f"{band[key]}",
                    f"{py_quantile(xs, q)}  {f:.4f} vs {q:.1f}",
                    f"{se:.4f}",
                    (f - q) / se,
                )
            )
    return rows


def as_report(res):
    """A Result in the shape of starcity's JSON report, so that `compare` can check a model against the
    floor (whole-day quantiles, as starcity reports them)."""
    n = res.n
    ags = model_plain.AGENCIES
    bands = {ag: {key: py_quantile(xs, q) for key, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))}
             for ag, xs in zip(ags, res.landing) if xs}
    return {"milestones": [{
        "id": "landing",
        "first": {"A": res.first[0] / n, "B": res.first[1] / n, "none": res.first[2] / n},
        "reached": {ag: len(xs) / n for ag, xs in zip(ags, res.landing)},
        "date": bands,
    }]}


def print_table(name, rows, against="starcity"):
    head = ("statistic", against, name, "SE", "z", "")
    table = [head] + [(a, b, c, d, f"{z:+.2f}", "ok" if abs(z) <= LIMIT else "DISAGREES") for a, b, c, d, z in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return all(abs(r[4]) <= LIMIT for r in rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=200_000, help="timelines for each Python model (default 200,000)")
    p.add_argument("--starcity-n", type=int, default=None, help="timelines for starcity (default 5 x n)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-build", action="store_true", help="use the existing target/release/starcity")
    p.add_argument("--no-simpy", action="store_true", help="skip the SimPy model")
    p.add_argument("--no-floor", action="store_true", help="skip the floor (the lean Rust loop in floor/)")
    a = p.parse_args()
    n_sc = a.starcity_n or 5 * a.n
    if n_sc < a.n:
        sys.exit("--starcity-n must be at least -n")

    with open(os.path.join(REPO, SCENARIO)) as f:
        if f.read() != model_plain.scenario_toml():
            print(f"{SCENARIO} is not the model of model_plain.py; regenerate it with\n"
                  f"  python3 scripts/reference/model_plain.py --toml > {SCENARIO}", file=sys.stderr)
            return 2
    use_simpy = not a.no_simpy and model_simpy.simpy is not None
    if not a.no_simpy and not use_simpy:
        print("SimPy is not installed: `pip install simpy` (or pass --no-simpy). Comparing with plain Python only.\n")

    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        if not a.no_floor:
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=FLOOR_DIR, check=True)

    # starcity: the fixed cost (process start, scenario load, JSON) measured by a one-timeline run.
    fixed = min(starcity(1, a.seed)[0] for _ in range(3))
    wall, sc = starcity(n_sc, a.seed)
    t_sc = max(wall - fixed, 1e-9)

    fl = None if a.no_floor else floor(n_sc, a.seed + 3)  # (seconds, Result)
    fz = None if a.no_floor else floor(n_sc, a.seed + 5, "keyed-ziggurat")
    fk = None if a.no_floor else floor(n_sc, a.seed + 4, "keyed")

    models = [("plain", model_plain.run, a.seed + 1)]
    if use_simpy:
        models.append(("SimPy", model_simpy.run, a.seed + 2))
    results = {}
    for name, fn, seed in models:
        t0 = time.perf_counter()
        res = fn(a.n, seed)
        results[name] = (res, time.perf_counter() - t0)

    floor_n = "" if fl is None else f", floor N = {n_sc:,}"
    print(f"benchmark model, {os.cpu_count()} cores, one thread each; starcity N = {n_sc:,}, Python N = {a.n:,}{floor_n}")
    print(f"(starcity: {wall:.2f} s wall minus {fixed * 1000:.0f} ms fixed cost of a one-timeline run)\n")
    ok = True
    checked = dict(results)
    if fl is not None:
        checked["floor"] = (fl[1], fl[0])
        checked["keyed floor, ziggurat"] = (fz[1], fz[0])
        checked["keyed floor"] = (fk[1], fk[0])
    for name, (res, _) in checked.items():
        print(f"agreement, {name} vs starcity (flagged beyond {LIMIT:g} SE):")
        ok &= print_table(name, compare(name, res, sc, n_sc))
        print()
    for name, (res, _) in results.items() if fl is not None else ():
        # The floor against the Python models, the model's own definition, whatever starcity does.
        print(f"agreement, {name} vs floor (flagged beyond {LIMIT:g} SE):")
        ok &= print_table(name, compare(name, res, as_report(fl[1]), n_sc), against="floor")
        print()

    rate_sc = n_sc / t_sc
    print("speed, timelines/s on one core:")
    print(f"  starcity  {rate_sc:>12,.0f}   ({t_sc:.1f} s)")
    if fl is not None:
        rate_fl = n_sc / fl[0]
        rate_fz, rate_fk = n_sc / fz[0], n_sc / fk[0]
        print(f"  floor     {rate_fl:>12,.0f}   ({fl[0]:.1f} s)")
        print(f"  keyed, zi {rate_fz:>12,.0f}   ({fz[0]:.1f} s)   the floor with keyed streams, durations by ziggurat")
        print(f"  keyed fl. {rate_fk:>12,.0f}   ({fk[0]:.1f} s)   the floor with starcity's draws: keyed, inverse CDF")
    for name, (res, dt) in results.items():
        print(f"  {name:<8}  {a.n / dt:>12,.0f}   ({dt:.1f} s)")
    for name, (res, dt) in results.items():
        print(f"  starcity / {name:<6} {rate_sc / (a.n / dt):8.1f} x")
    if fl is not None:
        for name, (res, dt) in results.items():
            print(f"  floor / {name:<6}    {rate_fl / (a.n / dt):8.1f} x")
        print(f"  starcity is {rate_fl / rate_sc:.1f}x the floor's time per timeline")
        print(f"  keyed streams alone (the brief's invariant 1) make the floor {rate_fl / rate_fz:.1f}x slower;")
        print(f"  with inverse-CDF durations too (twin alignment) {rate_fl / rate_fk:.1f}x: starcity's draws, no engine")
        print(f"  starcity is {rate_fk / rate_sc:.1f}x the keyed floor's: the cost of the general engine")
    print()
    if not ok:
        print("DISAGREEMENT: two of the implementations differ beyond 4 standard errors.")
        return 1
    print("all statistics agree within 4 standard errors.")
    return 0 if (use_simpy or a.no_simpy) else 3


if __name__ == "__main__":
    sys.exit(main())
