"""The reference benchmark in plain Python: a heapq event loop, one timeline at a time."""
import heapq
import random
import sys
import time

from model_common import DURATION, HORIZON, MEDIAN, MISSIONS, SIGMA, STAND_DOWN, first, flies, lognormal


def timeline(rng):
    landings = {"A": None, "B": None}
    step = {"A": 0, "B": 0}
    queue = []  # (time, seq, agency, kind): kind 0 = launch, 1 = land
    seq = 0
    for agency in ("A", "B"):
        heapq.heappush(queue, (lognormal(rng, MEDIAN[agency], SIGMA), seq, agency, 0, None))
        seq += 1
    while queue:
        t, _, agency, kind, ok = heapq.heappop(queue)
        if t > HORIZON:
            break
        k = step[agency]
        if kind == 0:
            heapq.heappush(queue, (t + DURATION[k], seq, agency, 1, flies(rng, k)))
        elif ok:
            step[agency] = k + 1
            if k + 1 == MISSIONS:
                landings[agency] = t
                continue
            heapq.heappush(queue, (t + lognormal(rng, MEDIAN[agency], SIGMA), seq, agency, 0, None))
        else:
            extra = lognormal(rng, *STAND_DOWN)
            heapq.heappush(queue, (t + extra + lognormal(rng, MEDIAN[agency], SIGMA), seq, agency, 0, None))
        seq += 1
    return landings


def run(n, seed=1):
    rng = random.Random(seed)
    start = time.perf_counter()
    out = [timeline(rng) for _ in range(n)]
    return out, time.perf_counter() - start


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    results, secs = run(n)
    firsts = [first(r) for r in results]
    print(f"{n} timelines in {secs:.2f} s ({n / secs:,.0f}/s); A first {firsts.count('A') / n:.3f}")
