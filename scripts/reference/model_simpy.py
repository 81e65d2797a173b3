#!/usr/bin/env python3
"""The reference benchmark model in SimPy: one generator process per agency, `env.timeout` waits.

The model's definition (steps, phase days, failure probabilities, durations, horizon) is imported
from `model_plain.py`; see its docstring and README.md. Each timeline builds a fresh
`simpy.Environment` with two processes and runs it until both have finished.

A process never schedules a wait that would end after the horizon (starcity processes no event
later than `end`): it stops instead, so `env.run()` ends by itself.
"""
import argparse
import math
import random
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts

try:
    import simpy
except ImportError:  # compare.py checks for this and tells the user what to install
    simpy = None

from model_plain import HORIZON, PREP, STAND_DOWN, STEPS, Result


def agency(env, a, rng, reached):
    rand, gauss, exp = rng.random, rng.gauss, math.exp
    prep_m, prep_s = PREP
    sd_m, sd_s = STAND_DOWN
    for days, fails in STEPS:
        duration = days[-1]
        phases = tuple(zip(days, fails))
        wait = prep_m * exp(prep_s * gauss(0.0, 1.0))  # preparation, from the previous landing
        while True:
            if env.now + wait > HORIZON:
                return
            yield env.timeout(wait)
            launch = env.now
            success = True
            back = duration  # a success lands at launch + the last phase's day
            for day, q in phases:  # phases in order; the first failure ends the flight on its day
                if rand() < q:
                    success = False
                    back = day
                    break
            if launch + back > HORIZON:
                return
            yield env.timeout(back)
            if success:
                break
            wait = sd_m * exp(sd_s * gauss(0.0, 1.0)) + prep_m * exp(prep_s * gauss(0.0, 1.0))
    reached[a] = launch + duration  # the milestone phase is the last phase of the last step


def run(n, seed=1):
    """Runs n timelines; returns a model_plain.Result."""
    if simpy is None:
        raise RuntimeError("SimPy is not installed: pip install simpy")
    rng = random.Random(seed)
    res = Result(n)
    for _ in range(n):
        env = simpy.Environment()
        reached = [math.inf, math.inf]
        env.process(agency(env, 0, rng, reached))
        env.process(agency(env, 1, rng, reached))
        env.run()
        res.add(reached)
    return res


def main():
    if simpy is None:
        sys.exit("SimPy is not installed: pip install simpy")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=5_000, help="timelines")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    t0 = time.perf_counter()
    r = run(a.n, a.seed)
    dt = time.perf_counter() - t0
    print(f"{a.n} timelines in {dt:.2f} s = {a.n / dt:,.0f}/s; first A/B/none = {r.first}")


if __name__ == "__main__":
    main()
