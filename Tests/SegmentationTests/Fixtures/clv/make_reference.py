"""Reference values for persona clv, computed by lifetimes (an independent implementation).

Writes orders.csv (a small seeded order log) and reference.json. Rerun:

    python3 -m venv /tmp/ltenv --system-site-packages && /tmp/ltenv/bin/pip install lifetimes==0.11.3
    /tmp/ltenv/bin/python make_reference.py

Made with lifetimes 0.11.3, numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, autograd 1.9.1.
lifetimes stops BFGS at tol=1e-7, which leaves the parameters ~1e-5 from the maximum, and
fails ("did not converge") when asked for less. So each lifetimes fit is polished by Newton
steps on lifetimes' own `_negative_log_likelihood` (autograd gradient and Hessian, in
lifetimes' log-parameters and time scaling) until the gradient is ~1e-13.
"""
import json
import numpy as np
import pandas as pd
import lifetimes
from autograd import grad, hessian
from lifetimes.utils import _scale_time
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data, calibration_and_holdout_data


def make_log():
    """The seeded fixture log, written to orders.csv and read back as persona reads it."""
    rng = np.random.default_rng(20)
    rows = []
    start = pd.Timestamp("2021-01-04")
    for c in range(150):
        cid = f"{c:05d}"  # leading zeros must survive
        first = rng.integers(0, 120)
        lam = rng.gamma(0.6, 1 / 12.0)  # purchases per day while alive
        life = rng.exponential(250)
        t = first
        spend_level = rng.gamma(4, 10)
        while t < 420 and t - first < life:
            for _ in range(rng.integers(1, 3)):  # sometimes several lines on one day
                amount = 0.0 if rng.random() < 0.02 else round(float(rng.gamma(6, spend_level / 6)), 2)
                rows.append((cid, (start + pd.Timedelta(days=int(t))).strftime("%Y-%m-%d"), amount))
            t += 1 + int(rng.exponential(1 / max(lam, 1e-3)))
    log = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    log = log.sample(frac=1, random_state=1).reset_index(drop=True)  # file order is not date order
    log.to_csv("orders.csv", index=False)
    log = pd.read_csv("orders.csv", dtype={"customer": str})
    return log


def polish(nll, log_params, args):
    x = np.asarray(log_params, dtype=float)
    for _ in range(50):
        g = grad(nll)(x, *args)
        if np.max(np.abs(g)) < 1e-13:
            break
        x = x - np.linalg.solve(hessian(nll)(x, *args), g)
    assert np.max(np.abs(grad(nll)(x, *args))) < 1e-11
    return np.exp(x)


def fit_bgf(s, penalizer=0.0):
    bgf = BetaGeoFitter(penalizer_coef=penalizer)
    bgf.fit(s["frequency"], s["recency"], s["T"])
    scale = _scale_time(np.asarray(s["T"]))
    f = np.asarray(s["frequency"]).astype(int)
    args = (f, np.asarray(s["recency"]) * scale, np.asarray(s["T"]) * scale, np.ones_like(f), penalizer)
    start = np.log([bgf.params_["r"], bgf.params_["alpha"] * scale, bgf.params_["a"], bgf.params_["b"]])
    r, alpha, a, b = polish(bgf._negative_log_likelihood, start, args)
    bgf.params_ = pd.Series([r, alpha / scale, a, b], index=["r", "alpha", "a", "b"])
    return bgf


def fit_ggf(rep, penalizer=0.0):
    ggf = GammaGammaFitter(penalizer_coef=penalizer)
    ggf.fit(rep["frequency"], rep["monetary_value"])
    args = (np.asarray(rep["frequency"], float), np.asarray(rep["monetary_value"], float), np.ones(len(rep)), penalizer)
    ggf.params_ = pd.Series(polish(ggf._negative_log_likelihood, np.log(ggf.params_.values), args), index=["p", "q", "v"])
    return ggf


def case(s, freq, penalizer=0.0, horizon_months=12, discount=0.01, customers=None):
    bgf = fit_bgf(s, penalizer)
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    ggf = fit_ggf(rep, penalizer)
    factor = {"W": 4.345, "D": 30}[freq]
    t = horizon_months * factor
    f, r, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
    ev = ggf.conditional_expected_average_profit(f, m)
    alive = pd.Series(bgf.conditional_probability_alive(f, r, T), index=s.index)
    purchases = pd.Series(bgf.conditional_expected_number_of_purchases_up_to_time(t, f, r, T), index=s.index)
    clv = lifetimes.utils._customer_lifetime_value(bgf, f, r, T, ev, time=horizon_months, discount_rate=discount, freq=freq)
    return {
        "penalizer": penalizer,
        "horizon_months": horizon_months,
        "discount": discount,
        "bg_nbd": {k: float(bgf.params_[k]) for k in ["r", "alpha", "a", "b"]},
        "gamma_gamma": {k: float(ggf.params_[k]) for k in ["p", "q", "v"]},
        "gamma_gamma_customers": int(len(rep)),
        "customers": {
            cid: {
                "frequency": float(f[cid]), "recency": float(r[cid]), "T": float(T[cid]), "monetary_value": float(m[cid]),
                "p_alive": float(alive[cid]),
                "expected_purchases": float(purchases[cid]),
                "expected_value": float(ev[cid]),
                "clv": float(clv[cid]),
            } for cid in (s.index if customers is None else s.index[:customers])
        },
    }


def main():
    log = make_log()
    daily = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
    weekly_cal = calibration_and_holdout_data(log, "customer", "date", calibration_period_end="2021-12-31",
                                              freq="W", monetary_value_col="amount")
    weekly_cal = weekly_cal.rename(columns={"frequency_cal": "frequency", "recency_cal": "recency", "T_cal": "T",
                                            "monetary_value_cal": "monetary_value"})
    reference = {
        "lifetimes": lifetimes.__version__,
        "log": "orders.csv",
        "daily": case(daily, "D"),
        "daily_penalized": case(daily, "D", penalizer=0.01, horizon_months=6, discount=0.02, customers=30),
        "weekly_calibration": case(weekly_cal, "W"),
        "weekly_holdout": {
            cid: {"frequency_holdout": float(row.frequency_holdout), "monetary_value_holdout": float(row.monetary_value_holdout),
                  "duration_holdout": float(row.duration_holdout)}
            for cid, row in weekly_cal.iterrows()
        },
    }
    with open("reference.json", "w") as out:
        json.dump(reference, out, sort_keys=True, separators=(",", ":"))
    print(len(log), "lines,", len(daily), "customers")
    print("daily BG/NBD", reference["daily"]["bg_nbd"], "GG", reference["daily"]["gamma_gamma"])


if __name__ == "__main__":
    main()
