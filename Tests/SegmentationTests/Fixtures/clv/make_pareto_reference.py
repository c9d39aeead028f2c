"""Reference values for persona clv --model-type pareto, computed by lifetimes' ParetoNBDFitter.

Writes pareto_orders.csv (a seeded log drawn from a Pareto/NBD process, unseen by the
BG/NBD tests) and pareto_reference.json. Rerun beside make_reference.py (it imports it):

    python3 -m venv /tmp/ltenv --system-site-packages && /tmp/ltenv/bin/pip install lifetimes==0.11.3
    /tmp/ltenv/bin/python make_pareto_reference.py

Made with lifetimes 0.11.3, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, autograd 1.9.1, mpmath 1.3.0.

lifetimes fits Pareto/NBD by Nelder-Mead (tol=1e-4) from a random start (np.random, seeded
here with 0), so its parameters stop short of the maximum. Each case therefore keeps:
- `lifetimes_fit`: what ParetoNBDFitter.fit returned, and per customer lifetimes' own
  log-likelihood, P(alive), expected purchases and CLV *at those parameters* (`*_at_fit`):
  persona's formulas evaluated at the same parameters must agree to ~1e-9 (where lifetimes
  returns NaN, see `predictions`, the values are mpmath's and `lifetimes_nan` is 1);
- `polished`: lifetimes' own `_negative_log_likelihood` (same scaled time, same penalty)
  minimized further by repeated Nelder-Mead in log-parameters until it stops improving,
  with the central-difference gradient left there (`polished_gradient`), and lifetimes'
  predictions at the polished parameters: persona's own fit must reach them.
Gamma-Gamma (for expected_value and CLV) is make_reference.py's polished lifetimes fit.

`hard` holds single customers with large frequency and T, or α and β far apart, with
lifetimes' values (null where lifetimes overflows) and the same formulas evaluated with
mpmath at 50 digits (`exact_*`).
"""
import json
import warnings
import mpmath
import numpy as np
import pandas as pd
import lifetimes
from scipy.optimize import minimize
from lifetimes import ParetoNBDFitter
from lifetimes.utils import _scale_time, _customer_lifetime_value
from lifetimes.utils import summary_data_from_transaction_data, calibration_and_holdout_data
from make_reference import make_log, fit_ggf

warnings.simplefilter("ignore", RuntimeWarning)  # lifetimes' log(0) where recency == T


def make_pareto_log(customers=500, end=545):
    """Purchases drawn from Pareto/NBD (λ ~ Gamma(0.7, 14 days), μ ~ Gamma(0.9, 300 days)),
    spend from Gamma-Gamma, with same-day lines and zero amounts."""
    rng = np.random.default_rng(1987)
    start = pd.Timestamp("2022-03-07")
    rows = []
    for c in range(customers):
        cid = f"{c:06d}"
        first = float(rng.integers(0, 150))
        lam = rng.gamma(0.7, 1 / 14.0)
        death = first + rng.exponential(1 / rng.gamma(0.9, 1 / 300.0))
        nu = rng.gamma(4.0, 1 / 30.0)
        t = first
        while t <= min(death, end):
            for _ in range(rng.integers(1, 3)):
                amount = 0.0 if rng.random() < 0.02 else round(float(rng.gamma(3.0, 1 / nu)), 2)
                rows.append((cid, (start + pd.Timedelta(days=int(t))).strftime("%Y-%m-%d"), amount))
            t += rng.exponential(1 / max(lam, 1e-4))
    log = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    log = log.sample(frac=1, random_state=2).reset_index(drop=True)
    log.to_csv("pareto_orders.csv", index=False)
    return pd.read_csv("pareto_orders.csv", dtype={"customer": str})


def pareto_fit(s, penalizer):
    np.random.seed(0)
    ptf = ParetoNBDFitter(penalizer_coef=penalizer)
    ptf.fit(s["frequency"], s["recency"], s["T"])
    raw = ptf.params_.copy()
    scale = _scale_time(np.asarray(s["T"]))
    f = np.asarray(s["frequency"]).astype(int)
    args = (f, np.asarray(s["recency"]) * scale, np.asarray(s["T"]) * scale, np.ones(len(f), dtype=np.int64), penalizer)

    def nll(log_params):
        return ParetoNBDFitter._negative_log_likelihood(np.exp(log_params), *args)

    x = np.log([raw["r"], raw["alpha"] * scale, raw["s"], raw["beta"] * scale])
    best = nll(x)
    for _ in range(20):
        out = minimize(nll, x, method="Nelder-Mead",
                       options=dict(xatol=1e-13, fatol=1e-15, maxiter=40000, maxfev=80000))
        if not out.fun < best:
            break
        x, best = out.x, out.fun
    h = 1e-5
    gradient = [(nll(x + h * e) - nll(x - h * e)) / (2 * h) for e in np.eye(4)]
    r, alpha, s_, beta = np.exp(x)
    polished = pd.Series([r, alpha / scale, s_, beta / scale], index=["r", "alpha", "s", "beta"])
    return ptf, raw, polished, [float(g) for g in gradient]


def predictions(ptf, params, s, ev, horizon_months, discount, freq):
    ptf.params_ = params
    f, r, T = s["frequency"], s["recency"], s["T"]
    t = horizon_months * {"W": 4.345, "D": 30}[freq]
    p = [params[k] for k in ["r", "alpha", "s", "beta"]]
    ll = ParetoNBDFitter._conditional_log_likelihood(p, np.asarray(f, float), np.asarray(r), np.asarray(T))
    alive = ptf.conditional_probability_alive(np.asarray(f, float), np.asarray(r), np.asarray(T))
    purchases = ptf.conditional_expected_number_of_purchases_up_to_time(t, np.asarray(f, float), np.asarray(r), np.asarray(T))
    clv = _customer_lifetime_value(ptf, f, r, T, ev, time=horizon_months, discount_rate=discount, freq=freq)
    df = pd.DataFrame({"ll": ll, "p_alive": alive, "expected_purchases": purchases}, index=s.index).assign(clv=clv)
    # lifetimes gives NaN where scipy's logsumexp overflows (exp of more than ~709): a last
    # purchase on the last day (recency == T) with a large frequency, in natural time units.
    # There the same formulas are evaluated with mpmath, and the customer is flagged.
    df["lifetimes_nan"] = df.isna().any(axis=1)
    factor = {"W": 4.345, "D": 30}[freq]
    for cid in df.index[df["lifetimes_nan"]]:
        x, tx, age = f[cid], r[cid], T[cid]
        ll_c, alive_c, purchases_c = exact(p, x, tx, age, t)
        cumulative = [exact(p, x, tx, age, m * factor)[2] for m in range(horizon_months + 1)]
        clv_c = sum(ev[cid] * (cumulative[m] - cumulative[m - 1]) / (1 + discount) ** m for m in range(1, horizon_months + 1))
        df.loc[cid, ["ll", "p_alive", "expected_purchases", "clv"]] = [ll_c, alive_c, purchases_c, clv_c]
    return df


def digits15(v):
    """15 significant digits keep the JSON small and are ample for 1e-9 comparisons."""
    return float(f"{v:.15g}")


def case(log_name, s, freq, penalizer=0.0, horizon_months=12, discount=0.01, customers=None, calibration_end=None):
    ptf, raw, polished, gradient = pareto_fit(s, penalizer)
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    ggf = fit_ggf(rep, penalizer)
    ev = ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    at_fit = predictions(ptf, raw, s, ev, horizon_months, discount, freq)
    at_max = predictions(ptf, polished, s, ev, horizon_months, discount, freq)
    keep = s.index if customers is None else s.index[:customers]
    return {
        "log": log_name, "period": freq, "calibration_end": calibration_end, "penalizer": penalizer, "horizon_months": horizon_months, "discount": discount,
        "lifetimes_fit": {k: float(raw[k]) for k in raw.index},
        "polished": {k: float(polished[k]) for k in polished.index},
        "polished_gradient": gradient,
        "log_likelihood_at_fit": float(at_fit["ll"].sum()),
        "log_likelihood_at_polished": float(at_max["ll"].sum()),
        "gamma_gamma": {k: float(ggf.params_[k]) for k in ["p", "q", "v"]},
        "customers": {
            cid: {k: digits15(v) for k, v in {
                "frequency": float(s.at[cid, "frequency"]), "recency": float(s.at[cid, "recency"]), "T": float(s.at[cid, "T"]),
                "monetary_value": float(s.at[cid, "monetary_value"]), "expected_value": float(ev[cid]),
                "ll_at_fit": float(at_fit.at[cid, "ll"]), "p_alive_at_fit": float(at_fit.at[cid, "p_alive"]),
                "expected_purchases_at_fit": float(at_fit.at[cid, "expected_purchases"]),
                "clv_at_fit": float(at_fit.at[cid, "clv"]),
                "p_alive": float(at_max.at[cid, "p_alive"]),
                "expected_purchases": float(at_max.at[cid, "expected_purchases"]),
                "clv": float(at_max.at[cid, "clv"]),
                "lifetimes_nan": float(at_fit.at[cid, "lifetimes_nan"] or at_max.at[cid, "lifetimes_nan"]),
            }.items()} for cid in keep
        },
    }


def exact(params, x, tx, T, t):
    """lifetimes' Pareto/NBD formulas (Fader & Hardie 2005, (18), (19)-(20), (36)-(37), (41)) at 50 digits."""
    mpmath.mp.dps = 50
    r, alpha, s, beta = (mpmath.mpf(v) for v in params)
    x, tx, T, t = (mpmath.mpf(v) for v in (x, tx, T, t))
    a = r + s + x
    big, small, b = (alpha, beta, s + 1) if alpha >= beta else (beta, alpha, r + x)
    A0 = (mpmath.hyp2f1(a, b, a + 1, (big - small) / (big + tx)) / (big + tx) ** a
          - mpmath.hyp2f1(a, b, a + 1, (big - small) / (big + T)) / (big + T) ** a)
    alive = (alpha + T) ** -(r + x) * (beta + T) ** -s
    died = s / a * A0
    common = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha) + s * mpmath.log(beta)
    p_alive = alive / (alive + died)
    y = (beta + T) / (beta + T + t)
    horizon = -mpmath.log(y) if s == 1 else (1 - y ** (s - 1)) / (s - 1)
    expected = p_alive * (r + x) * (beta + T) / (alpha + T) * horizon
    return float(common + mpmath.log(alive + died)), float(p_alive), float(expected)


def finite(v):
    v = float(np.asarray(v).ravel()[0])
    return v if np.isfinite(v) else None


def hard_cases():
    cases = []
    table = [
        # lifetimes' own overflow tests (test_overflow_error, test_conditional_probability_alive_overflow_error)
        ([10.465, 7.98565181e-03, 3.0516, 2.820], [(400, 5, 6), (500, 1, 37), (500, 4, 37), (40, 5, 6), (50, 1, 37)], 10),
        # CDNOW (Fader, Hardie & Lee 2005) and the BTYD walkthrough's customer
        ([0.5534, 10.5776, 0.6061, 11.6650], [(26, 30.86, 31), (0, 0, 38.86), (1, 1.71, 38.86), (132, 190, 200)], 52),
        # daily periods over decades, large frequency
        ([0.7, 15.0, 0.8, 250.0], [(3000, 3600, 3650), (5000, 9000, 10000), (0, 0, 10000), (1, 1, 100000), (20000, 36000, 36500)], 360),
        # alpha << beta, large frequency, recency early: scipy's hyp2f1 overflows here
        ([0.7, 1.0, 0.8, 1000.0], [(1000, 10, 500), (300, 2, 50)], 30),
        # alpha >= beta with large frequency
        ([2.0, 100.0, 0.3, 0.5], [(2000, 300, 400), (7, 2, 400), (0, 0, 1)], 30),
        # alpha and beta 1e5 apart: the series needs ~1e6 terms at t = 0
        ([0.5, 0.01, 0.5, 1000.0], [(0, 0, 1), (1, 0.5, 3), (4, 2, 2.5)], 10),
        # s = 1 exactly (lifetimes divides 0 by 0 in the expectation)
        ([0.9, 5.0, 1.0, 40.0], [(3, 20, 30)], 12),
    ]
    for params, customers, t in table:
        ptf = ParetoNBDFitter()
        ptf.params_ = pd.Series(params, index=["r", "alpha", "s", "beta"])
        for x, tx, T in customers:
            fx, ftx, fT = np.array([float(x)]), np.array([float(tx)]), np.array([float(T)])
            ll, p_alive, expected = exact(params, x, tx, T, t)
            cases.append({
                "params": dict(zip(["r", "alpha", "s", "beta"], params)), "frequency": x, "recency": tx, "T": T, "t": t,
                "lifetimes_ll": finite(ParetoNBDFitter._conditional_log_likelihood(params, fx, ftx, fT)),
                "lifetimes_p_alive": finite(ptf.conditional_probability_alive(fx, ftx, fT)),
                "lifetimes_expected_purchases": finite(ptf.conditional_expected_number_of_purchases_up_to_time(t, fx, ftx, fT)),
                "exact_ll": ll, "exact_p_alive": p_alive, "exact_expected_purchases": expected,
            })
    return cases


def main():
    log = make_log()  # the BG/NBD fixture, orders.csv (rewritten identically)
    daily = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
    cal_end, pcal_end = "2021-12-31", "2023-03-05"
    weekly_cal = calibration_and_holdout_data(log, "customer", "date", calibration_period_end=cal_end,
                                              freq="W", monetary_value_col="amount")
    renames = {"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T", "monetary_value_cal": "monetary_value"}
    weekly_cal = weekly_cal.rename(columns=renames)
    plog = make_pareto_log()
    pdaily = summary_data_from_transaction_data(plog, "customer", "date", monetary_value_col="amount", freq="D")
    pweekly = calibration_and_holdout_data(plog, "customer", "date", calibration_period_end=pcal_end,
                                           freq="W", monetary_value_col="amount").rename(columns=renames)
    reference = {
        "lifetimes": lifetimes.__version__,
        "daily": case("orders.csv", daily, "D"),
        "daily_penalized": case("orders.csv", daily, "D", penalizer=5.0, horizon_months=6, discount=0.02, customers=30),
        "weekly_calibration": case("orders.csv", weekly_cal, "W", customers=50, calibration_end=cal_end),
        "generated_daily": case("pareto_orders.csv", pdaily, "D", customers=200),
        "generated_weekly_calibration": case("pareto_orders.csv", pweekly, "W", horizon_months=3, customers=100,
                                             calibration_end=pcal_end),
        "hard": hard_cases(),
    }
    with open("pareto_reference.json", "w") as out:
        json.dump(reference, out, sort_keys=True, separators=(",", ":"))
    print(len(plog), "lines,", len(pdaily), "customers in pareto_orders.csv")
    for name in ["daily", "daily_penalized", "weekly_calibration", "generated_daily", "generated_weekly_calibration"]:
        c = reference[name]
        print(name, "lifetimes", c["lifetimes_fit"], "polished", c["polished"], "gradient", c["polished_gradient"],
              "LL", c["log_likelihood_at_fit"], c["log_likelihood_at_polished"])


if __name__ == "__main__":
    main()
