#!/usr/bin/env bash
# Adds a churn-like label to persona-datagen matrix output: y = Yes when f1 - f2 plus uniform
# noise (seeded, width 20) is positive. Not separable, so AUC is well below 1.
#   bash Benchmarks/spark/label.sh m1m.csv > m1m_labelled.csv
set -euo pipefail
awk -F, 'BEGIN { srand(7) } NR == 1 { print $0 ",y"; next } { print $0 "," ($2 - $3 + 20 * (rand() - 0.5) > 0 ? "Yes" : "No") }' "$1"
