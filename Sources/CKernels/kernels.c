// The fused nearest-centroid kernel at three vector levels, picked at run time, so that one
// binary runs AVX-512 code on CPUs that have it and plain x86-64 code elsewhere (no
// -target-cpu at build time). Every level computes each score as the same chain of fused
// multiply-adds in feature order, so labels do not depend on the level.
#include "ckernels.h"

#include <math.h>
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__GLIBC__)
/// mallopt(`option`, `value`) unless the environment sets it (`variable`, or `tunable` in
/// GLIBC_TUNABLES, which a later mallopt would override): 1 when it was set.
static int set_unless_given(int option, int64_t value, const char *variable, const char *tunable) {
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (getenv(variable) != NULL || (tunables != NULL && strstr(tunables, tunable) != NULL)) return 0;
    return mallopt(option, (int)value) == 1;
}
#endif

int persona_fixed_mmap_threshold(int64_t bytes) {
#if defined(__GLIBC__)
    return set_unless_given(M_MMAP_THRESHOLD, bytes, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold");
#else
    (void)bytes;
    return 0;
#endif
}

int persona_keep_freed_memory(int64_t mmap_bytes, int64_t trim_bytes) {
#if defined(__GLIBC__)
    return persona_fixed_mmap_threshold(mmap_bytes)
        + set_unless_given(M_TRIM_THRESHOLD, trim_bytes, "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold");
#else
    (void)mmap_bytes;
    (void)trim_bytes;
    return 0;
#endif
}

int persona_prefer_huge_pages(void *start, int64_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t first = ((uintptr_t)start + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)start + (uintptr_t)bytes) & ~(huge - 1);
    if (bytes <= 0 || end <= first) return 0;
    return madvise((void *)first, end - first, MADV_HUGEPAGE) == 0;
#else
    (void)start;
    (void)bytes;
    return 0;
#endif
}

#if defined(__x86_64__)
#include <immintrin.h>
#endif

int persona_vector_level_supported(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return PERSONA_VECTOR_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PERSONA_VECTOR_AVX2;
#endif
    return PERSONA_VECTOR_BASELINE;
}

/// The first smallest of `n` scores (ties to the lowest index).
static inline int64_t first_min(const double *s, int64_t n, double *best_out) {
    double best = s[0];
    int64_t index = 0;
    for (int64_t j = 1; j < n; j++) {
        if (s[j] < best) { best = s[j]; index = j; }
    }
    *best_out = best;
    return index;
}

/// Label from the 8·blocks scores of one row, block by block (a later block wins only when
/// strictly smaller), as the vector levels do it.
static inline int32_t label_of(const double *scores, int64_t blocks) {
    double best = INFINITY;
    int64_t label = 0;
    for (int64_t b = 0; b < blocks; b++) {
        double m;
        int64_t j = first_min(scores + b * 8, 8, &m);
        if (m < best) { best = m; label = b * 8 + j; }
    }
    return (int32_t)label;
}


/// Writes a row's label and, when sums are wanted, adds the row (still in cache) to its
/// cluster: one pass per iteration instead of two.
#define PERSONA_ASSIGNED(ADD, row_index, expression)                               \
    do {                                                                           \
        const int32_t label_ = (expression);                                       \
        labels[(row_index)] = label_;                                              \
        if (sums) {                                                                \
            ADD(x + (row_index) * d, sums + (int64_t)label_ * d, d);               \
            counts[label_] += 1;                                                   \
        }                                                                          \
    } while (0)

#if defined(__x86_64__)

/// The first lane holding the smallest of the 8 scores in (lo, hi), without branches: the
/// minimum, then the lowest lane equal to it (scores are never NaN). The same lane the
/// scalar first-minimum loop finds.
__attribute__((target("avx2,fma")))
static inline int32_t argmin8_avx2(__m256d lo, __m256d hi) {
    __m256d m = _mm256_min_pd(lo, hi);
    m = _mm256_min_pd(m, _mm256_permute2f128_pd(m, m, 1));
    m = _mm256_min_pd(m, _mm256_permute_pd(m, 5));
    const int mask = _mm256_movemask_pd(_mm256_cmp_pd(lo, m, _CMP_EQ_OQ))
        | (_mm256_movemask_pd(_mm256_cmp_pd(hi, m, _CMP_EQ_OQ)) << 4);
    return (int32_t)__builtin_ctz((unsigned)mask);
}

__attribute__((target("avx512f")))
static inline int32_t argmin8_avx512(__m512d v) {
    const __m512d m = _mm512_set1_pd(_mm512_reduce_min_pd(v));
    return (int32_t)__builtin_ctz((unsigned)_mm512_cmp_pd_mask(v, m, _CMP_EQ_OQ));
}
#endif

// The silhouette's tile: distances computed once and summed both ways. The dot product is a
// chain of fused multiply-adds in feature order (correctly rounded, so the same in every lane
// width and in libm's fma), square roots are correctly rounded, and the sums below are plain C
// in a fixed order: every level gives the same bits. The levels differ only in how many
// columns go at once.

static inline double tile_distance(const double *xr, const double *yT, int64_t stride, int64_t d, int64_t c, double ni,
                                   const double *norms) {
    double dot = 0;
    for (int64_t f = 0; f < d; f++) dot = fma(xr[f], yT[f * stride + c], dot);
    double v = (-2 * dot + ni) + norms[c];
    return sqrt(v >= 0 ? v : 0);
}

static void tile_distances_baseline(const double *xr, const double *yT, int64_t stride, int64_t d, const double *norms,
                                    int64_t from, int64_t w, double ni, double *out) {
    for (int64_t c = from; c < w; c++) out[c] = tile_distance(xr, yT, stride, d, c, ni, norms);
}

#if defined(__x86_64__)
/// Two rows' distances to the same columns (AVX2), each as `tile_distance` defines it: every
/// column load serves both rows, and eight accumulators keep the fused multiply-adds from
/// waiting on each other (one row's four chains left them latency-bound). A lone row goes as
/// both rows.
__attribute__((target("avx2,fma")))
static void tile_distances2_avx2(const double *x0, const double *x1, const double *yT, int64_t stride, int64_t d,
                                 const double *norms, int64_t w, double ni0, double ni1, double *out0, double *out1) {
    __m256d n0 = _mm256_set1_pd(ni0), n1 = _mm256_set1_pd(ni1), zero = _mm256_setzero_pd(), minus2 = _mm256_set1_pd(-2);
    int64_t c = 0;
    for (; c + 16 <= w; c += 16) {
        __m256d a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
        for (int64_t f = 0; f < d; f++) {
            const double *y = yT + f * stride + c;
            __m256d y0 = _mm256_loadu_pd(y), y1 = _mm256_loadu_pd(y + 4), y2 = _mm256_loadu_pd(y + 8), y3 = _mm256_loadu_pd(y + 12);
            __m256d u = _mm256_set1_pd(x0[f]), v = _mm256_set1_pd(x1[f]);
            a0 = _mm256_fmadd_pd(u, y0, a0);
            a1 = _mm256_fmadd_pd(u, y1, a1);
            a2 = _mm256_fmadd_pd(u, y2, a2);
            a3 = _mm256_fmadd_pd(u, y3, a3);
            b0 = _mm256_fmadd_pd(v, y0, b0);
            b1 = _mm256_fmadd_pd(v, y1, b1);
            b2 = _mm256_fmadd_pd(v, y2, b2);
            b3 = _mm256_fmadd_pd(v, y3, b3);
        }
        __m256d first[4] = {a0, a1, a2, a3}, second[4] = {b0, b1, b2, b3};
        for (int j = 0; j < 4; j++) {
            __m256d norm = _mm256_loadu_pd(norms + c + 4 * j);
            __m256d v0 = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(minus2, first[j]), n0), norm);
            __m256d v1 = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(minus2, second[j]), n1), norm);
            _mm256_storeu_pd(out0 + c + 4 * j, _mm256_sqrt_pd(_mm256_max_pd(v0, zero)));
            _mm256_storeu_pd(out1 + c + 4 * j, _mm256_sqrt_pd(_mm256_max_pd(v1, zero)));
        }
    }
    tile_distances_baseline(x0, yT, stride, d, norms, c, w, ni0, out0);
    tile_distances_baseline(x1, yT, stride, d, norms, c, w, ni1, out1);
}

__attribute__((target("avx512f")))
static void tile_distances_avx512(const double *xr, const double *yT, int64_t stride, int64_t d, const double *norms,
                                  int64_t w, double ni, double *out) {
    __m512d n = _mm512_set1_pd(ni), zero = _mm512_setzero_pd(), minus2 = _mm512_set1_pd(-2);
    int64_t c = 0;
    for (; c + 32 <= w; c += 32) {
        __m512d a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (int64_t f = 0; f < d; f++) {
            __m512d xf = _mm512_set1_pd(xr[f]);
            const double *y = yT + f * stride + c;
            a0 = _mm512_fmadd_pd(xf, _mm512_loadu_pd(y), a0);
            a1 = _mm512_fmadd_pd(xf, _mm512_loadu_pd(y + 8), a1);
            a2 = _mm512_fmadd_pd(xf, _mm512_loadu_pd(y + 16), a2);
            a3 = _mm512_fmadd_pd(xf, _mm512_loadu_pd(y + 24), a3);
        }
        __m512d acc[4] = {a0, a1, a2, a3};
        for (int j = 0; j < 4; j++) {
            __m512d v = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(minus2, acc[j]), n), _mm512_loadu_pd(norms + c + 8 * j));
            _mm512_storeu_pd(out + c + 8 * j, _mm512_sqrt_pd(_mm512_max_pd(v, zero)));
        }
    }
    tile_distances_baseline(xr, yT, stride, d, norms, c, w, ni, out);
}
#endif

/// Adds one row's distances (`row`, w of them) to its sums per run of one cluster and, with
/// `colSums`, to the column sums of its own cluster (`rowLabel`).
static inline void tile_row_sums(const double *row, int64_t w, const int64_t *runEnds, const int32_t *runLabels, int64_t runs,
                                 double *rowSum, double *colSums, int32_t rowLabel) {
    int64_t c = 0;
    for (int64_t run = 0; run < runs; run++) {
        int64_t end = runEnds[run];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; c + 4 <= end; c += 4) {
            s0 += row[c];
            s1 += row[c + 1];
            s2 += row[c + 2];
            s3 += row[c + 3];
        }
        for (; c < end; c++) s0 += row[c];
        rowSum[runLabels[run]] += (s0 + s1) + (s2 + s3);
    }
    if (colSums) {
        double *target = colSums + (int64_t)rowLabel * w;
        for (c = 0; c < w; c++) target[c] += row[c];
    }
}

void persona_silhouette_tile(const double *x, const double *yT, int64_t stride, int64_t d, const double *rowNorms,
                             const double *colNorms, int64_t m, int64_t w, const int32_t *rowLabels, const int64_t *runEnds,
                             const int32_t *runLabels, int64_t runs, int diagonal, int64_t k, double *rowSums,
                             double *colSums, double *row, int level) {
    int64_t r = 0;
#if defined(__x86_64__)
    // AVX2: rows two at a time (`row` holds 2·w doubles), a last odd row as both; the rows are
    // summed one by one, in order, as below.
    if (level == PERSONA_VECTOR_AVX2) {
        for (; r + 2 <= m; r += 2) {
            double *second = row + w;
            tile_distances2_avx2(x + r * d, x + (r + 1) * d, yT, stride, d, colNorms, w, rowNorms[r], rowNorms[r + 1], row,
                                 second);
            if (diagonal) {
                row[r] = 0;
                second[r + 1] = 0;
            }
            tile_row_sums(row, w, runEnds, runLabels, runs, rowSums + r * k, colSums, rowLabels[r]);
            tile_row_sums(second, w, runEnds, runLabels, runs, rowSums + (r + 1) * k, colSums, rowLabels[r + 1]);
        }
    }
#endif
    for (; r < m; r++) {
        const double *xr = x + r * d;
#if defined(__x86_64__)
        if (level >= PERSONA_VECTOR_AVX512) tile_distances_avx512(xr, yT, stride, d, colNorms, w, rowNorms[r], row);
        else if (level >= PERSONA_VECTOR_AVX2) tile_distances2_avx2(xr, xr, yT, stride, d, colNorms, w, rowNorms[r], rowNorms[r], row, row + w);
        else tile_distances_baseline(xr, yT, stride, d, colNorms, 0, w, rowNorms[r], row);
#else
        (void)level;
        tile_distances_baseline(xr, yT, stride, d, colNorms, 0, w, rowNorms[r], row);
#endif
        if (diagonal) row[r] = 0;
        tile_row_sums(row, w, runEnds, runLabels, runs, rowSums + r * k, colSums, rowLabels[r]);
    }
}

int64_t persona_bracket(const double *v, int64_t n, double low, double high, double *inside, int64_t capacity, int64_t *below) {
    int64_t k = 0, under = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = v[i];
        inside[k] = x;
        k += (x >= low) & (x <= high);
        under += x < low;
        if (k == capacity) return -1;
    }
    *below = under;
    return k;
}

// The row kernels (row_kernels.h), once for double rows and once for float rows (`--float32`).
// No contraction into fused multiply-adds from here on: a k-means++ squared distance is a chain
// of (x − c)², each rounded, added in feature order (the Swift definition's bits), and the
// Calinski-Harabasz and Davies-Bouldin passes follow the Swift loops they replace. The
// assignment kernels spell out their fused multiply-adds, so the pragma does not touch them.
#pragma clang fp contract(off)

static inline double kmpp_min(double closest, double distance) { return distance < closest ? distance : closest; }

#define ROW double
#define ROW_FN(name) name##_f64
#define ROW_LOAD4(p) _mm256_loadu_pd(p)
#define ROW_LOAD8(p) _mm512_loadu_pd(p)
#include "row_kernels.h"
#undef ROW
#undef ROW_FN
#undef ROW_LOAD4
#undef ROW_LOAD8

#define ROW float
#define ROW_FN(name) name##_f32
#define ROW_LOAD4(p) _mm256_cvtps_pd(_mm_loadu_ps(p))
#define ROW_LOAD8(p) _mm512_cvtps_pd(_mm256_loadu_ps(p))
#include "row_kernels.h"
#undef ROW
#undef ROW_FN
#undef ROW_LOAD4
#undef ROW_LOAD8

// The public row kernels: rows of doubles (`element_bytes` 8) or floats (4).
#define PERSONA_ROWS(name, x, ...) \
    (element_bytes == 4 ? name##_f32((const float *)(x), __VA_ARGS__) : name##_f64((const double *)(x), __VA_ARGS__))

void persona_assign_fused(const void *x, int element_bytes, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scratch, int level) {
    PERSONA_ROWS(persona_assign_fused, x, rows, d, ct, norms, blocks, labels, sums, counts, scratch, level);
}

void persona_cluster_sums(const void *x, int element_bytes, int64_t rows, int64_t d, const int32_t *labels, double *sums,
                          int64_t *counts) {
    PERSONA_ROWS(persona_cluster_sums, x, rows, d, labels, sums, counts);
}

double persona_cluster_spread(const void *x, int element_bytes, int64_t rows, int64_t d, const int32_t *labels,
                              const double *means, double *root) {
    return PERSONA_ROWS(persona_cluster_spread, x, rows, d, labels, means, root);
}

void persona_kmpp_potentials(const void *x, int element_bytes, int64_t rows, int64_t d, const double *closest,
                             const double *cand, int64_t trials, double *out, int level) {
    PERSONA_ROWS(persona_kmpp_potentials, x, rows, d, closest, cand, trials, out, level);
}

double persona_kmpp_update(const void *x, int element_bytes, int64_t rows, int64_t d, double *closest, const double *center,
                           int initial) {
    return PERSONA_ROWS(persona_kmpp_update, x, rows, d, closest, center, initial);
}
