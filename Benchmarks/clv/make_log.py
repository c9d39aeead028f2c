"""A seeded order log drawn from the BG/NBD (default) or Pareto/NBD process with Gamma-Gamma
spend, for timing persona clv against lifetimes.
Usage: python3 make_log.py CUSTOMERS OUT.csv [bgnbd|pareto]"""
import sys
import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
process = sys.argv[3] if len(sys.argv) > 3 else "bgnbd"
rng = np.random.default_rng(7)
first = rng.integers(0, 90, n)                      # first purchase day (2023-01-01 + d)
lam = rng.gamma(0.5, 1 / 20.0, n)                   # purchases per day while alive
if process == "pareto":
    drop = np.zeros(n)                              # no dropout at purchases: death in continuous time
    death = first + rng.exponential(1 / rng.gamma(0.8, 1 / 250.0, n))  # death rate mu ~ Gamma(0.8, 250 days)
else:
    drop = rng.beta(0.8, 2.5, n)                    # dropout probability after a purchase
    death = np.full(n, np.inf)
nu = rng.gamma(4.0, 1 / 0.1, n)                     # spend scale per customer
end = 364
ids, days = [np.arange(n)], [first]
t = first.astype(float)
alive = np.ones(n, bool)
while alive.any():
    alive &= rng.random(n) >= drop
    t = t + rng.exponential(1 / np.maximum(lam, 1e-9))
    alive &= t <= np.minimum(end, death)
    ids.append(np.nonzero(alive)[0])
    days.append(t[alive].astype(int))
ids, days = np.concatenate(ids), np.concatenate(days)
amount = np.round(rng.gamma(3.0, 1.0, len(ids)) * nu[ids] / 30.0, 2)
dates = (np.datetime64("2023-01-01") + days.astype("timedelta64[D]")).astype(str)
with open(out, "w") as f:
    f.write("customer,date,amount\n")
    for chunk in range(0, len(ids), 1_000_000):
        s = slice(chunk, chunk + 1_000_000)
        f.write("".join(f"{i:07d},{d},{a}\n" for i, d, a in zip(ids[s], dates[s], amount[s])))
print(len(ids), "lines,", n, "customers")
