#!/usr/bin/env bash
# Per-partition throughput of persona's map steps, for docs/scale-out.md: one partition of
# N rows (the whole file), the state driven to the round being timed with the real merge.
#
#   bash Benchmarks/spark/step_throughput.sh .build/release/persona m1m.csv
#
# m1m.csv: persona-datagen matrix --rows 1000000 --dims 16 --clusters 8 --seed 5. Times
# `persona step lloyd` (one Lloyd round, k = 8, k-means++ on a 10,000-row sample so Lloyd runs distributed) and `persona step newton` (one Newton pass,
# on the file with a noisy label column `y` added by label.sh) with OPENBLAS_NUM_THREADS=1, 3 runs each.
set -euo pipefail
here=$(dirname "$(realpath "$0")")
persona=$(realpath "$1"); data=$(realpath "$2")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
cd "$work"
# Drives a state until its next step is $2; prints nothing.
drive() {
  local state=$1 until=$2 input=$3 step
  while :; do
    step=$(python3 -c "
import json,sys; s=json.load(open(sys.argv[1]))
if s.get('format') == 'persona.scale-out.churn':
    print('labels' if s.get('label') is None else (s['features'].get('next') or ('newton' if s.get('newton') and not s['newton']['done'] else '')))
else:
    k = s.get('kmeans'); print(((k or {}).get('next') if k else s['features'].get('next')) or '')" "$state")
    [ "$step" = "$until" ] || [ -z "$step" ] && break
    "$persona" step "$step" "$input" --state "$state" > out.json
    "$persona" step merge "$state" out.json --out "$state" --model model.json
  done
}
timeit() {  # best of 3, seconds
  local best=999 t
  for _ in 1 2 3; do
    t=$( { /usr/bin/time -f %e "$@" > /dev/null; } 2>&1 | tail -1)
    best=$(python3 -c "print(min($best, $t))")
  done
  echo "$best"
}
rows=$(($(wc -l < "$data") - 1))
bytes=$(stat -c %s "$data")
"$persona" step plan-cluster "$data" --id id --k 8 --sample-size 10000 --out lloyd.json
drive lloyd.json lloyd "$data"
echo "persona step lloyd: $rows rows, $bytes bytes: $(timeit "$persona" step lloyd "$data" --state lloyd.json) s (best of 3)"
bash "$here/label.sh" "$data" > labelled.csv
"$persona" step plan-churn labelled.csv --id id --label y --out churn.json
drive churn.json newton labelled.csv
echo "persona step newton: $rows rows, $(stat -c %s labelled.csv) bytes: $(timeit "$persona" step newton labelled.csv --state churn.json) s (best of 3)"
echo "outputs: lloyd $(wc -c < <("$persona" step lloyd "$data" --state lloyd.json)) bytes, newton $(wc -c < <("$persona" step newton labelled.csv --state churn.json)) bytes per partition"
