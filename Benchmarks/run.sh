#!/usr/bin/env bash
# Builds everything in release mode, generates the benchmark data in a temporary directory
# (never in the repository), and runs the Swift and Python benchmarks side by side in one
# run. Prints markdown; the same text is saved to $DATA/results.md.
#
#   Benchmarks/run.sh                 # 1M rows, best of 5
#   ROWS=200000 REPEATS=3 Benchmarks/run.sh
#   KEEP_DATA=1 Benchmarks/run.sh     # keep the generated CSV and matrices
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROWS=${ROWS:-1000000}
REPEATS=${REPEATS:-5}
PIPELINE_REPEATS=${PIPELINE_REPEATS:-3}
# Registered customers of the generated order log: 260,000 give about 10M lines (1 GB).
ORDER_CUSTOMERS=${ORDER_CUSTOMERS:-260000}
FEATURE_ROUNDS=${FEATURE_ROUNDS:-3}
RETAIL="$ROOT/../shared/datasets/online_retail/online_retail.csv.gz"
PYTHON=${PYTHON:-python3}
DATA=${DATA:-$(mktemp -d "${TMPDIR:-/tmp}/persona-bench.XXXXXX")}
mkdir -p "$DATA"
OUT="$DATA/results.md"
export ROWS REPEATS PIPELINE_REPEATS PYTHON DATA ORDER_CUSTOMERS FEATURE_ROUNDS RETAIL

PERSONA="$ROOT/.build/release/persona"
DATAGEN="$ROOT/.build/release/persona-datagen"
BENCH="$HERE/.build/release/persona-bench"
CSV="$DATA/matrix_${ROWS}x16.csv"

# The measured part runs as one child process under /usr/bin/time, so its CPU time can be
# subtracted from the whole machine's: what is left was used by other processes and is
# printed with the results (on 2 cores, anything else running skews the figures).
measure() {
    echo "# Persona benchmark run"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    DIRTY=$(git -C "$ROOT" status --porcelain -- Sources Package.swift | head -1)
    echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD)${DIRTY:+ (plus uncommitted changes under Sources/)}"
    AVX512=$(grep -q avx512f /proc/cpuinfo && echo "AVX-512" || echo "no AVX-512")
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $AVX512, L3 $(lscpu | sed -n 's/^L3 cache: *//p')"
    echo "- memory: $(free -g | awk '/^Mem:/ {print $2 " GB total, " $7 " GB available"}')"
    echo "- load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- $(swift --version 2>&1 | head -1)"
    echo "- $($PYTHON --version 2>&1); $($PYTHON -c 'import numpy, pandas, sklearn; print(f"numpy {numpy.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")')"
    echo "- data: \`persona-datagen matrix --rows $ROWS --dims 16 --clusters 8 --spread 8 --seed 7\` ($(du -m "$CSV" | cut -f1) MB) for the pipeline and CSV figures; persona-bench's own uniform random matrix (exported for sklearn) for the Lloyd figures"
    echo
    echo "Commands (BENCH = Benchmarks/.build/release/persona-bench, PERSONA = .build/release/persona${REFERENCE_KERNEL:+, LLOYD_AVX2 = Benchmarks/reference/lloyd_avx2.c built by run.sh}):"
    echo
    echo '```'
    echo "BENCH --rows $ROWS --repeats $REPEATS --csv CSV --export DIR"
    echo "python3 Benchmarks/sklearn_lloyd.py DIR --rows $ROWS --rounds $REPEATS --persona-bench BENCH${REFERENCE_KERNEL:+ --reference-kernel LLOYD_AVX2}"
    echo "python3 Benchmarks/compare_pipeline.py CSV --persona PERSONA --repeats $PIPELINE_REPEATS"
    echo "python3 Benchmarks/csv_compare.py CSV --persona-bench BENCH --rounds $REPEATS"
    echo '```'
    echo
    "$BENCH" --rows "$ROWS" --repeats "$REPEATS" --csv "$CSV" --export "$DATA"
    "$PYTHON" "$HERE/sklearn_lloyd.py" "$DATA" --rows "$ROWS" --rounds "$REPEATS" --persona-bench "$BENCH" \
        ${REFERENCE_KERNEL:+--reference-kernel "$REFERENCE_KERNEL"}
    "$PYTHON" "$HERE/compare_pipeline.py" "$CSV" --persona "$PERSONA" --repeats "$PIPELINE_REPEATS" --workdir "$DATA"
    "$PYTHON" "$HERE/csv_compare.py" "$CSV" --persona-bench "$BENCH" --rounds "$REPEATS"
    echo "## Churn model (issue 4)"
    echo
    echo "Data: compare_logistic.py's seeded $ROWS × 20 design; \`persona-datagen customers --rows $ROWS\` for scoring."
    echo '`python3 Benchmarks/compare_logistic.py --bench BENCH --workdir DIR --rows '"$ROWS"' --rounds '"$REPEATS"' --customers CUSTOMERS.csv`'
    echo
    "$PYTHON" "$HERE/compare_logistic.py" --bench "$BENCH" --workdir "$DATA" --rows "$ROWS" --rounds "$REPEATS" \
        --customers "$DATA/customers_$ROWS.csv"
    echo "## Order log → features (issue 3)"
    echo
    echo '`python3 Benchmarks/compare_features.py ORDERS.csv --persona PERSONA --rounds '"$FEATURE_ROUNDS"' [--as-of 2011-12-10]`'
    echo
    if [[ -f "$DATA/online_retail.csv" ]]; then
        "$PYTHON" "$HERE/compare_features.py" "$DATA/online_retail.csv" --persona "$PERSONA" --rounds "$FEATURE_ROUNDS" \
            --as-of 2011-12-10 --label "UCI Online Retail, uncompressed"
    fi
    "$PYTHON" "$HERE/compare_features.py" "$DATA/orders.csv" --persona "$PERSONA" --rounds "$FEATURE_ROUNDS" \
        --label "\`persona-datagen orders --customers $ORDER_CUSTOMERS\`"
    echo "## Segmentation (issue 5)"
    echo
    echo '`python3 Benchmarks/segment_bench.py --persona PERSONA --workdir DIR --rows '"$ROWS"' --rounds '"$FEATURE_ROUNDS"'`'
    echo
    "$PYTHON" "$HERE/segment_bench.py" --persona "$PERSONA" --workdir "$DATA" --rows "$ROWS" --rounds "$FEATURE_ROUNDS"
}

if [[ "${1:-}" == "--measure" ]]; then
    measure
    exit 0
fi

cleanup() {
    if [[ -z "${KEEP_DATA:-}" ]]; then
        rm -f "$DATA"/*.csv "$DATA"/*.f64 "$DATA"/*.json "$DATA/lloyd_avx2"
    fi
}
trap cleanup EXIT

if [[ ! -x /usr/bin/time ]]; then
    echo "run.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
    exit 1
fi

echo "building (release)..." >&2
(cd "$ROOT" && swift build -c release --product persona >&2 && swift build -c release --product persona-datagen >&2)
(cd "$HERE" && swift build -c release >&2)
# The hand-written C Lloyd iteration (reference/lloyd_avx2.c), where gcc and AVX2 are there.
REFERENCE_KERNEL=""
if command -v gcc > /dev/null && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    REFERENCE_KERNEL="$DATA/lloyd_avx2"
    gcc -O3 -march=native -ffp-contract=off -fopenmp "$HERE/reference/lloyd_avx2.c" -o "$REFERENCE_KERNEL" >&2
else
    echo "run.sh: no gcc, AVX2 or FMA here; the hand-written C Lloyd reference is skipped" >&2
fi
export REFERENCE_KERNEL

# Blobs with --spread 8 overlap heavily, so k-means keeps relabelling rows for all 20
# iterations on both sides (compare_pipeline.py checks and reports the iteration counts).
DATAGEN_CMD=("$DATAGEN" matrix --rows "$ROWS" --dims 16 --clusters 8 --spread 8 --seed 7 --out "$CSV")
echo "generating $CSV..." >&2
"${DATAGEN_CMD[@]}" >&2
echo "generating customers and an order log..." >&2
"$DATAGEN" customers --rows "$ROWS" --out "$DATA/customers_$ROWS.csv" >&2
"$DATAGEN" orders --customers "$ORDER_CUSTOMERS" --out "$DATA/orders.csv" >&2
if [[ -f "$RETAIL" ]]; then gzip -dc "$RETAIL" > "$DATA/online_retail.csv"; fi

# Busy jiffies of the whole machine (user nice system irq softirq steal) and steal alone.
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $9}' /proc/stat; }
read -r BUSY0 STEAL0 < <(busy)
/usr/bin/time -f '%e %U %S' -o "$DATA/cpu.txt" "$HERE/run.sh" --measure | tee "$OUT"
read -r BUSY1 STEAL1 < <(busy)
read -r WALL USER SYS < "$DATA/cpu.txt"
HZ=$(getconf CLK_TCK)
{
    echo "- load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    awk -v b0="$BUSY0" -v b1="$BUSY1" -v s0="$STEAL0" -v s1="$STEAL1" -v hz="$HZ" -v cores="$(nproc)" -v w="$WALL" -v u="$USER" -v s="$SYS" 'BEGIN {
        total = (b1 - b0) / hz; own = u + s; other = total - own; if (other < 0) other = 0
        printf "- CPU time during the run: %.0f s wall; this run %.1f s, other processes %.1f s (%.1f%% of the %d-core capacity), hypervisor steal %.1f s\n", w, own, other, 100 * other / (w * cores), cores, (s1 - s0) / hz
    }'
} | tee -a "$OUT"
