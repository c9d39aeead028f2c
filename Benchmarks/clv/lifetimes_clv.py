"""What persona clv does, done with lifetimes 0.11.3 (default tolerances), timed per stage.
Usage: python lifetimes_clv.py LOG.csv"""
import sys
import time
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

t0 = time.perf_counter()
log = pd.read_csv(sys.argv[1], dtype={"customer": str})
t1 = time.perf_counter()
s = summary_data_from_transaction_data(log, "customer", "date", monetary_value_col="amount", freq="D")
t2 = time.perf_counter()
bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
t3 = time.perf_counter()
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
ggf = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
t4 = time.perf_counter()
s["p_alive"] = bgf.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
s["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(360, s["frequency"], s["recency"], s["T"])
s["clv"] = ggf.customer_lifetime_value(bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12, discount_rate=0.01, freq="D")
t5 = time.perf_counter()
s.to_csv("/tmp/lifetimes_clv_out.csv")
t6 = time.perf_counter()
print(f"customers {len(s)}; read {t1-t0:.2f} s, summary {t2-t1:.2f} s, BG/NBD fit {t3-t2:.2f} s, "
      f"Gamma-Gamma fit {t4-t3:.2f} s, predictions {t5-t4:.2f} s, write {t6-t5:.2f} s; total {t6-t0:.2f} s")
print("BG/NBD", dict(bgf.params_), "GG", dict(ggf.params_))
