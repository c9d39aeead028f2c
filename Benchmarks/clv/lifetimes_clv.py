"""What persona clv does, done with lifetimes 0.11.3 (default tolerances), timed per stage.
Usage: python lifetimes_clv.py LOG.csv [bgnbd|pareto] [CUSTOMERS]
With pareto, ParetoNBDFitter (seeded: its Nelder-Mead starts at random) replaces
BetaGeoFitter; CUSTOMERS fits and scores only the first that many customers of the summary
(the summary is still made from the whole log)."""
import sys
import time
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.utils import summary_data_from_transaction_data

model = sys.argv[2] if len(sys.argv) > 2 else "bgnbd"
t0 = time.perf_counter()
log = pd.read_csv(sys.argv[1], dtype={"customer": str})
t1 = time.perf_counter()
s = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
if len(sys.argv) > 3:
    s = s.iloc[:int(sys.argv[3])].copy()
t2 = time.perf_counter()
if model == "pareto":
    np.random.seed(0)
    fitter = ParetoNBDFitter().fit(s["frequency"], s["recency"], s["T"])
else:
    fitter = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
t3 = time.perf_counter()
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
ggf = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
t4 = time.perf_counter()
s["p_alive"] = fitter.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
s["expected_purchases"] = fitter.conditional_expected_number_of_purchases_up_to_time(360, s["frequency"], s["recency"], s["T"])
s["clv"] = ggf.customer_lifetime_value(fitter, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12, discount_rate=0.01, freq="D")
t5 = time.perf_counter()
s.to_csv("/tmp/lifetimes_clv_out.csv")
t6 = time.perf_counter()
name = "Pareto/NBD" if model == "pareto" else "BG/NBD"
print(f"customers {len(s)}; read {t1-t0:.2f} s, summary {t2-t1:.2f} s, {name} fit {t3-t2:.2f} s, "
      f"Gamma-Gamma fit {t4-t3:.2f} s, predictions {t5-t4:.2f} s, write {t6-t5:.2f} s; total {t6-t0:.2f} s")
print(name, dict(fitter.params_), "GG", dict(ggf.params_))
