"""The reference benchmark model's parameters, shared by the plain-Python and SimPy versions.

Mirrors scripts/reference/benchmark.toml and the starcity engine's semantics (src/engine.rs):
  - each agency's program flies 12 missions in order, starting on day 0;
  - before each flight, a preparation ~ lognormal(median, sigma 0.4) from the moment the previous
    flight landed (or day 0);
  - a flight resolves its phases in order; phase j of mission k fails with probability
    0.10 - 0.09 * ((7k + 3j) mod 10) / 9; the first failure ends the mission;
  - the flight lands after the mission's full duration, 3 * (phases - 1) days, even if it failed
    early (the engine schedules the landing at launch);
  - after a failure, a stand-down ~ lognormal(180, 0.5) and a new preparation, then the same
    mission again; after a success, the next mission;
  - mission 12's last phase is the landing; its date is the landing time;
  - nothing happens after the horizon (events exactly at it still do).
"""
import math
import random

HORIZON = 7304.0  # days from 1960-01-01 to 1979-12-31
MEDIAN = {"A": 150.0, "B": 160.0}
SIGMA = 0.4
STAND_DOWN = (180.0, 0.5)
MISSIONS = 12


def phases(k):
    return 6 + k % 4


def p_fail(k, j):
    return round(0.10 - 0.09 * ((7 * k + 3 * j) % 10) / 9, 6)


P_FAIL = [[p_fail(k, j) for j in range(phases(k))] for k in range(MISSIONS)]
DURATION = [3.0 * (phases(k) - 1) for k in range(MISSIONS)]


def lognormal(rng, median, sigma):
    return median * math.exp(sigma * rng.gauss(0.0, 1.0))


def flies(rng, k):
    """True if mission k succeeds."""
    for p in P_FAIL[k]:
        if rng.random() < p:
            return False
    return True


def first(landings):
    """'A', 'B' or 'none' from the two landing days (None = never)."""
    a, b = landings["A"], landings["B"]
    if a is None and b is None:
        return "none"
    if b is None or (a is not None and a <= b):
        return "A"
    return "B"
