"""The reference benchmark in SimPy: one process per agency, `env.timeout` for every wait."""
import random
import sys
import time

try:
    import simpy
except ImportError:  # pragma: no cover - told to the user, not a crash
    sys.exit("SimPy is not installed: pip install simpy")

from model_common import DURATION, HORIZON, MEDIAN, MISSIONS, SIGMA, STAND_DOWN, first, flies, lognormal


def program(env, rng, agency, landings):
    k = 0
    yield env.timeout(lognormal(rng, MEDIAN[agency], SIGMA))
    while True:
        ok = flies(rng, k)
        yield env.timeout(DURATION[k])
        if ok:
            k += 1
            if k == MISSIONS:
                landings[agency] = env.now
                return
            yield env.timeout(lognormal(rng, MEDIAN[agency], SIGMA))
        else:
            yield env.timeout(lognormal(rng, *STAND_DOWN) + lognormal(rng, MEDIAN[agency], SIGMA))


def timeline(rng):
    env = simpy.Environment()
    landings = {"A": None, "B": None}
    for agency in ("A", "B"):
        env.process(program(env, rng, agency, landings))
    # `until` stops before events at the horizon itself; starcity processes those: measure zero.
    env.run(until=HORIZON + 1e-9)
    return landings


def run(n, seed=2):
    rng = random.Random(seed)
    start = time.perf_counter()
    out = [timeline(rng) for _ in range(n)]
    return out, time.perf_counter() - start


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    results, secs = run(n)
    firsts = [first(r) for r in results]
    print(f"{n} timelines in {secs:.2f} s ({n / secs:,.0f}/s); A first {firsts.count('A') / n:.3f}")
