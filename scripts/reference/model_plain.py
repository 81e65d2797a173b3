#!/usr/bin/env python3
"""The reference benchmark model in plain Python: a `heapq` event loop, one timeline at a time.

This file is also the single definition of the model: `model_simpy.py` imports its constants, and
`python3 scripts/reference/model_plain.py --toml > scripts/reference/benchmark.toml` writes the
starcity scenario of the same model (`compare.py` checks that the committed file is exactly that).

The model (see README.md next to this file):
  * two identical agencies A and B, each one program of 12 sequential steps k = 1..12, started on
    day 0; the horizon is 2000-01-01 .. 2020-01-01 (7,305 days);
  * step k flies one uncrewed mission of n_k = 6 + (k mod 4) phases j = 0..n_k-1; phase j happens on
    day 3j after launch and fails with probability p(k, j) = 0.10 - 0.01 * ((7k + 3j) mod 10)
    (= 0.10 - 0.09 * c / 9 for the class c, so 0.01..0.10); the phases are drawn in order and the
    first failure ends the draws (later phases do not happen);
  * before every flight a preparation, lognormal with median 150 d and sigma 0.4 (median * exp(sigma*z));
    it starts when the previous flight has landed (or at day 0); a flight that succeeds lands at
    launch + the last phase's day, a flight whose phase j fails lands at launch + 3j, the failed
    phase's day (starcity's engine: "a failed flight ends at its failed phase"); after a failure a
    stand-down, lognormal with median 180 d and sigma 0.5, is added, counted from that landing,
    before the retry's preparation;
  * the last phase of step 12 achieves milestone `landing`, dated launch + its day (= the landing);
  * an event later than the horizon is never processed: a flight landing after it reaches nothing.
"""
import argparse
import datetime
import heapq
import math
import random
import sys
import time

START = datetime.date(2000, 1, 1)
END = datetime.date(2020, 1, 1)
HORIZON = float((END - START).days)  # starcity: (end - start) in days; events at t > HORIZON never happen
AGENCIES = ("A", "B")
N_STEPS = 12
PREP = (150.0, 0.4)  # (median days, sigma)
STAND_DOWN = (180.0, 0.5)
PHASE_SPACING = 3.0  # phase j happens on day PHASE_SPACING * j after launch


def failure_of_class(c):
    """Per-phase failure probability of failure class c = 0..9: 0.10 down to 0.01."""
    return round(0.10 - 0.01 * c, 2)


def phase_class(k, j):
    return (7 * k + 3 * j) % 10


def steps():
    """[(days, failures)] for k = 1..12: the phase days and per-phase failure probabilities."""
    out = []
    for k in range(1, N_STEPS + 1):
        n = 6 + k % 4
        days = tuple(PHASE_SPACING * j for j in range(n))
        fails = tuple(failure_of_class(phase_class(k, j)) for j in range(n))
        out.append((days, fails))
    return out


STEPS = steps()


class Result:
    """Per-timeline outcomes, enough for every agreement statistic."""

    def __init__(self, n):
        self.n = n
        self.first = [0, 0, 0]  # A first, B first, nobody
        self.landing = [[], []]  # landing days (from START) per agency, among the timelines that landed
        self.events = 0  # launches + landings processed

    def add(self, reached):
        a, b = reached
        if a == math.inf and b == math.inf:
            self.first[2] += 1
        elif a <= b:  # ties go to the lower agency index, as in starcity
            self.first[0] += 1
        else:
            self.first[1] += 1
        for i, d in enumerate(reached):
            if d != math.inf:
                self.landing[i].append(d)


LAUNCH, LAND = 0, 1


def run(n, seed=1):
    """Runs n timelines; returns a Result."""
    rng = random.Random(seed)
    rand, gauss, exp = rng.random, rng.gauss, math.exp
    heappush, heappop = heapq.heappush, heapq.heappop
    prep_m, prep_s = PREP
    sd_m, sd_s = STAND_DOWN
    horizon = HORIZON
    # Per step: the full duration (a success lands then) and the (day, p) of each phase in order.
    plan = [(days[-1], tuple(zip(days, fails))) for days, fails in STEPS]
    last = len(plan) - 1
    res = Result(n)
    events = 0
    for _ in range(n):
        step = [0, 0]
        launched = [0.0, 0.0]
        ok = [False, False]
        reached = [math.inf, math.inf]
        heap = [(prep_m * exp(prep_s * gauss(0.0, 1.0)), 0, LAUNCH), (prep_m * exp(prep_s * gauss(0.0, 1.0)), 1, LAUNCH)]
        heapq.heapify(heap)
        while heap:
            t, a, kind = heappop(heap)
            if t > horizon:
                break
            events += 1
            if kind == LAUNCH:
                back, phases = plan[step[a]]
                success = True
                for day, q in phases:
                    if rand() < q:  # the first failure ends the flight: it comes home on that phase's day
                        success = False
                        back = day
                        break
                ok[a] = success
                launched[a] = t
                heappush(heap, (t + back, a, LAND))
            elif ok[a]:
                if step[a] == last:
                    reached[a] = launched[a] + plan[last][0]
                    continue  # program done
                step[a] += 1
                heappush(heap, (t + prep_m * exp(prep_s * gauss(0.0, 1.0)), a, LAUNCH))
            else:
                extra = sd_m * exp(sd_s * gauss(0.0, 1.0))
                heappush(heap, (t + extra + prep_m * exp(prep_s * gauss(0.0, 1.0)), a, LAUNCH))
        res.add(reached)
    res.events = events
    return res


def scenario_toml():
    """The starcity scenario of this model, as text."""
    out = [
        "# The reference benchmark model (scripts/reference/README.md), generated by",
        "#   python3 scripts/reference/model_plain.py --toml > scripts/reference/benchmark.toml",
        "# Do not edit by hand: compare.py checks this file is exactly what model_plain.py writes.",
        "",
        "[scenario]",
        'id = "reference-benchmark"',
        'name = "Reference benchmark: two identical 12-step programs"',
        'description = "The model also written in SimPy and plain Python (scripts/reference)."',
        f"start = {START.isoformat()}",
        f"end = {END.isoformat()}",
        "",
    ]
    for ag in AGENCIES:
        out += [
            "[[agency]]",
            f'id = "{ag}"',
            f'name = "Agency {ag}"',
            "risk = 1.0",
            "crew = []",
            f"budget = [{{ from = {START.isoformat()}, level = 1.0 }}]",
            "",
        ]
    classes = sorted({phase_class(k, j) for k in range(1, N_STEPS + 1) for j in range(len(STEPS[k - 1][0]))})
    for ag in AGENCIES:
        for c in classes:
            out += [
                "[[vehicle]]",
                f'id = "{ag}-v{c}"',
                f'name = "{ag} vehicle, failure class {c}"',
                f'agency = "{ag}"',
                f"failure = {failure_of_class(c)}  # known, constant: 0.10 - 0.01 * class",
                "",
            ]
    out += ["[[milestone]]", 'id = "landing"', 'name = "Landing"', ""]
    for ag in AGENCIES:
        for k in range(1, N_STEPS + 1):
            days, _ = STEPS[k - 1]
            out += ["[[mission]]", f'id = "{ag}-m{k}"', f'name = "{ag} mission {k}"', "crew = 0"]
            for j, day in enumerate(days):
                c = phase_class(k, j)
                out += ["[[mission.phase]]", f'name = "p{j}"', f'vehicle = "{ag}-v{c}"', f"day = {day:g}", "loss = 0.0"]
                if k == N_STEPS and j == len(days) - 1:
                    out.append('achieves = ["landing"]')
            out.append("")
    for ag in AGENCIES:
        out += [
            "[[program]]",
            f'id = "{ag}-program"',
            f'name = "{ag} program"',
            f'agency = "{ag}"',
            f"start = {START.isoformat()}",
            f"stand_down = {{ median_days = {STAND_DOWN[0]:g}, sigma = {STAND_DOWN[1]:g} }}",
            f"loss_stand_down = {{ median_days = {STAND_DOWN[0]:g}, sigma = {STAND_DOWN[1]:g} }}  # never used: loss = 0, no crew",
        ]
        for k in range(1, N_STEPS + 1):
            out += [
                "[[program.step]]",
                f'mission = "{ag}-m{k}"',
                f"prep = {{ median_days = {PREP[0]:g}, sigma = {PREP[1]:g} }}",
            ]
        out.append("")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=20_000, help="timelines")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--toml", action="store_true", help="print the starcity scenario of the model and exit")
    a = p.parse_args()
    if a.toml:
        sys.stdout.write(scenario_toml())
        return
    t0 = time.perf_counter()
    r = run(a.n, a.seed)
    dt = time.perf_counter() - t0
    print(f"{a.n} timelines in {dt:.2f} s = {a.n / dt:,.0f}/s, {r.events / a.n:.1f} events/timeline; first A/B/none = {r.first}")


if __name__ == "__main__":
    main()
