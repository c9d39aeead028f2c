#!/usr/bin/env bash
# The whole pipeline at 1M, 10M and 100M customers (issue 17): for each size, generates the
# matrix CSV in a temporary directory, runs Benchmarks/compare_pipeline.py on it (persona and
# Python + scikit-learn alternating, Python only where it fits in memory, and Python with
# scikit-learn-intelex where that is installed), deletes the CSV
# and prints one markdown table of all sizes at the end. The same text goes to $DATA/scale.md.
#
#   Benchmarks/scale.sh                          # 1M, 10M, 100M
#   SIZES="1000000 10000000" Benchmarks/scale.sh # without 100M (14.5 GB of CSV, ~10 minutes)
#   REPEATS=3 SIZES=1000000 Benchmarks/scale.sh
#   BASELINE=/path/to/older/persona SIZES=1000000 Benchmarks/scale.sh  # before/after, alternating
#
# Disk: the largest CSV plus its SEGMENTS.csv (about 17 GB at 100M) under $DATA.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SIZES=${SIZES:-"1000000 10000000 100000000"}
PYTHON=${PYTHON:-python3}
DATA=${DATA:-$(mktemp -d "${TMPDIR:-/tmp}/persona-scale.XXXXXX")}
mkdir -p "$DATA"
OUT="$DATA/scale.md"
PERSONA="$ROOT/.build/release/persona"
DATAGEN="$ROOT/.build/release/persona-datagen"

if [[ ! -x /usr/bin/time ]]; then
    echo "scale.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
    exit 1
fi
cleanup() { rm -f "$DATA"/matrix_*.csv "$DATA"/persona_segments*.csv "$DATA"/baseline_segments.csv "$DATA"/python_segments.csv; }
trap cleanup EXIT

echo "building (release)..." >&2
(cd "$ROOT" && swift build -c release --product persona >&2 && swift build -c release --product persona-datagen >&2)

# Fewer repeats as the data grows: each 10M Python run takes about half a minute.
repeats_for() {
    if [[ -n "${REPEATS:-}" ]]; then echo "$REPEATS"; elif (( $1 <= 1000000 )); then echo 3;
    elif (( $1 <= 10000000 )); then echo 2; else echo 1; fi
}

{
    echo "# Whole pipeline by size"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD)"
    AVX512=$(grep -q avx512f /proc/cpuinfo && echo "AVX-512" || echo "no AVX-512")
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $AVX512; memory $(free -g | awk '/^Mem:/ {print $2 " GB"}')"
    echo "- $(swift --version 2>&1 | head -1)"
    echo "- $($PYTHON -c 'import numpy, pandas, sklearn; print(f"numpy {numpy.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}")')"
    echo "- data: \`persona-datagen matrix --rows N --dims 16 --clusters 8 --seed 5\`"
    echo "- per size: \`python3 Benchmarks/compare_pipeline.py CSV --persona PERSONA --repeats R --json FILE\`"
    echo
} | tee "$OUT"

for ROWS in $SIZES; do
    CSV="$DATA/matrix_${ROWS}x16.csv"
    echo "generating $CSV..." >&2
    GEN_START=$(date +%s)
    "$DATAGEN" matrix --rows "$ROWS" --dims 16 --clusters 8 --seed 5 --out "$CSV" >&2
    echo "generated in $(( $(date +%s) - GEN_START )) s" >&2
    "$PYTHON" "$HERE/compare_pipeline.py" "$CSV" --persona "$PERSONA" --repeats "$(repeats_for "$ROWS")" \
        --workdir "$DATA" --json "$DATA/scale_$ROWS.json" --float32 ${BASELINE:+--baseline "$BASELINE"} | tee -a "$OUT"
    cleanup
done

"$PYTHON" - "$DATA" $SIZES <<'EOF' | tee -a "$OUT"
import json, sys
data, sizes = sys.argv[1], sys.argv[2:]
print("## Summary")
print()
print("| rows × 16 | CSV | persona | Python + scikit-learn | python ÷ persona | + sklearnex | sklearnex ÷ persona | persona peak RSS | peak ÷ matrix | Python peak RSS | persona stages |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
floats = []
for size in sizes:
    with open(f"{data}/scale_{size}.json") as f:
        r = json.load(f)
    rows = f"{r['rows'] / 1e6:g}M"
    if r["python_seconds"] is None:
        python, ratio, python_rss = f"not run (needs ≈ {r['python_needs'] / 1e9:.0f} GB)", "", ""
    else:
        python, ratio = f"{r['python_seconds']:.2f} s", f"**{r['ratio']:.2f}×**"
        python_rss = f"{r['python_rss'] / 1e6:,.0f} MB"
    intelex = r.get("intelex_seconds")
    intelex_cells = f"{intelex:.2f} s | {intelex / r['persona_seconds']:.2f}×" if intelex else "not run | "
    print(f"| {rows} | {r['csv_bytes'] / 1e9:.2f} GB | {r['persona_seconds']:.2f} s | {python} | {ratio} | {intelex_cells} | "
          f"{r['persona_rss'] / 1e6:,.0f} MB | {r['persona_rss'] / r['matrix_bytes']:.2f}× | {python_rss} | {r['persona_stages']} |")
    if r.get("float32"):
        floats.append((rows, r))
if floats:
    print()
    print("persona `--float32` (matrix in floats), alternating with the default runs:")
    print()
    print("| rows × 16 | --float32 | default | peak RSS | peak ÷ double matrix | default peak | relative inertia difference | customers in another cluster |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for rows, r in floats:
        f = r["float32"]
        print(f"| {rows} | {f['seconds']:.2f} s | {r['persona_seconds']:.2f} s | {f['rss'] / 1e6:,.0f} MB | "
              f"{f['rss'] / r['matrix_bytes']:.2f}× | {r['persona_rss'] / 1e6:,.0f} MB | {f['relative_inertia_difference']:.2e} | "
              f"{f['differing_clusters']:,} |")
EOF
