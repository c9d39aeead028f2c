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

int persona_fixed_mmap_threshold(int64_t bytes) {
#if defined(__GLIBC__)
    if (getenv("MALLOC_MMAP_THRESHOLD_") != NULL) return 0;
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
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

/// Adds one row to its cluster's sums. Each sum element gets its rows added one by one in row
/// order at every level (vectors only run across features), so sums are the same at every level.
static inline void add_row_baseline(const double *row, double *target, int64_t d) {
    for (int64_t f = 0; f < d; f++) target[f] += row[f];
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

static void assign_baseline(const double *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                            int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *acc) {
    for (int64_t i = 0; i < rows; i++) {
        const double *row = x + i * d;
        for (int64_t j = 0; j < blocks * 8; j++) acc[j] = norms[j];
        for (int64_t f = 0; f < d; f++) {
            const double xv = row[f];
            const double *c = ct + f * blocks * 8;
            for (int64_t j = 0; j < blocks * 8; j++) acc[j] = fma(xv, c[j], acc[j]);
        }
        PERSONA_ASSIGNED(add_row_baseline, i, label_of(acc, blocks));
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static inline void add_row_avx2(const double *row, double *target, int64_t d) {
    int64_t f = 0;
    for (; f + 4 <= d; f += 4) _mm256_storeu_pd(target + f, _mm256_add_pd(_mm256_loadu_pd(target + f), _mm256_loadu_pd(row + f)));
    for (; f < d; f++) target[f] += row[f];
}

__attribute__((target("avx512f")))
static inline void add_row_avx512(const double *row, double *target, int64_t d) {
    int64_t f = 0;
    for (; f + 8 <= d; f += 8) _mm512_storeu_pd(target + f, _mm512_add_pd(_mm512_loadu_pd(target + f), _mm512_loadu_pd(row + f)));
    for (; f < d; f++) target[f] += row[f];
}

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

__attribute__((target("avx2,fma")))
static void assign_avx2(const double *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                        int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scores) {
    if (blocks == 1) {
        // Four rows at a time: independent chains keep the FMA units busy.
        const __m256d n0 = _mm256_loadu_pd(norms), n1 = _mm256_loadu_pd(norms + 4);
        int64_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            const double *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
            __m256d a0 = n0, b0 = n1, a1 = n0, b1 = n1, a2 = n0, b2 = n1, a3 = n0, b3 = n1;
#pragma clang loop unroll_count(4)
            for (int64_t f = 0; f < d; f++) {
                const __m256d clo = _mm256_loadu_pd(ct + f * 8), chi = _mm256_loadu_pd(ct + f * 8 + 4);
                __m256d v = _mm256_broadcast_sd(r0 + f);
                a0 = _mm256_fmadd_pd(v, clo, a0); b0 = _mm256_fmadd_pd(v, chi, b0);
                v = _mm256_broadcast_sd(r1 + f);
                a1 = _mm256_fmadd_pd(v, clo, a1); b1 = _mm256_fmadd_pd(v, chi, b1);
                v = _mm256_broadcast_sd(r2 + f);
                a2 = _mm256_fmadd_pd(v, clo, a2); b2 = _mm256_fmadd_pd(v, chi, b2);
                v = _mm256_broadcast_sd(r3 + f);
                a3 = _mm256_fmadd_pd(v, clo, a3); b3 = _mm256_fmadd_pd(v, chi, b3);
            }
            PERSONA_ASSIGNED(add_row_avx2, i, argmin8_avx2(a0, b0));
            PERSONA_ASSIGNED(add_row_avx2, i + 1, argmin8_avx2(a1, b1));
            PERSONA_ASSIGNED(add_row_avx2, i + 2, argmin8_avx2(a2, b2));
            PERSONA_ASSIGNED(add_row_avx2, i + 3, argmin8_avx2(a3, b3));
        }
        for (; i < rows; i++) {
            const double *row = x + i * d;
            __m256d a = n0, b = n1;
            for (int64_t f = 0; f < d; f++) {
                const __m256d v = _mm256_broadcast_sd(row + f);
                a = _mm256_fmadd_pd(v, _mm256_loadu_pd(ct + f * 8), a);
                b = _mm256_fmadd_pd(v, _mm256_loadu_pd(ct + f * 8 + 4), b);
            }
            PERSONA_ASSIGNED(add_row_avx2, i, argmin8_avx2(a, b));
        }
        return;
    }
    const int64_t lanes = blocks * 8;
    for (int64_t i = 0; i < rows; i++) {
        const double *row = x + i * d;
        for (int64_t j = 0; j < lanes; j += 4) _mm256_store_pd(scores + j, _mm256_loadu_pd(norms + j));
        for (int64_t f = 0; f < d; f++) {
            const __m256d v = _mm256_broadcast_sd(row + f);
            const double *c = ct + f * lanes;
            for (int64_t j = 0; j < lanes; j += 4) {
                _mm256_store_pd(scores + j, _mm256_fmadd_pd(v, _mm256_loadu_pd(c + j), _mm256_load_pd(scores + j)));
            }
        }
        PERSONA_ASSIGNED(add_row_avx2, i, label_of(scores, blocks));
    }
}

__attribute__((target("avx512f")))
static void assign_avx512(const double *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scores) {
    if (blocks == 1) {
        const __m512d n = _mm512_loadu_pd(norms);
        int64_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            const double *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
            __m512d a0 = n, a1 = n, a2 = n, a3 = n;
#pragma clang loop unroll_count(4)
            for (int64_t f = 0; f < d; f++) {
                const __m512d c = _mm512_loadu_pd(ct + f * 8);
                a0 = _mm512_fmadd_pd(_mm512_set1_pd(r0[f]), c, a0);
                a1 = _mm512_fmadd_pd(_mm512_set1_pd(r1[f]), c, a1);
                a2 = _mm512_fmadd_pd(_mm512_set1_pd(r2[f]), c, a2);
                a3 = _mm512_fmadd_pd(_mm512_set1_pd(r3[f]), c, a3);
            }
            PERSONA_ASSIGNED(add_row_avx512, i, argmin8_avx512(a0));
            PERSONA_ASSIGNED(add_row_avx512, i + 1, argmin8_avx512(a1));
            PERSONA_ASSIGNED(add_row_avx512, i + 2, argmin8_avx512(a2));
            PERSONA_ASSIGNED(add_row_avx512, i + 3, argmin8_avx512(a3));
        }
        for (; i < rows; i++) {
            const double *row = x + i * d;
            __m512d a = n;
            for (int64_t f = 0; f < d; f++) a = _mm512_fmadd_pd(_mm512_set1_pd(row[f]), _mm512_loadu_pd(ct + f * 8), a);
            PERSONA_ASSIGNED(add_row_avx512, i, argmin8_avx512(a));
        }
        return;
    }
    const int64_t lanes = blocks * 8;
    for (int64_t i = 0; i < rows; i++) {
        const double *row = x + i * d;
        for (int64_t j = 0; j < lanes; j += 8) _mm512_store_pd(scores + j, _mm512_loadu_pd(norms + j));
        for (int64_t f = 0; f < d; f++) {
            const __m512d v = _mm512_set1_pd(row[f]);
            const double *c = ct + f * lanes;
            for (int64_t j = 0; j < lanes; j += 8) {
                _mm512_store_pd(scores + j, _mm512_fmadd_pd(v, _mm512_loadu_pd(c + j), _mm512_load_pd(scores + j)));
            }
        }
        PERSONA_ASSIGNED(add_row_avx512, i, label_of(scores, blocks));
    }
}
#endif

void persona_assign_fused(const double *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scratch, int level) {
#if defined(__x86_64__)
    if (level >= PERSONA_VECTOR_AVX512) { assign_avx512(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch); return; }
    if (level >= PERSONA_VECTOR_AVX2) { assign_avx2(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch); return; }
#else
    (void)level;
#endif
    assign_baseline(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch);
}

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
__attribute__((target("avx2,fma")))
static void tile_distances_avx2(const double *xr, const double *yT, int64_t stride, int64_t d, const double *norms,
                                int64_t w, double ni, double *out) {
    __m256d n = _mm256_set1_pd(ni), zero = _mm256_setzero_pd(), minus2 = _mm256_set1_pd(-2);
    int64_t c = 0;
    for (; c + 16 <= w; c += 16) {
        __m256d a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (int64_t f = 0; f < d; f++) {
            __m256d xf = _mm256_set1_pd(xr[f]);
            const double *y = yT + f * stride + c;
            a0 = _mm256_fmadd_pd(xf, _mm256_loadu_pd(y), a0);
            a1 = _mm256_fmadd_pd(xf, _mm256_loadu_pd(y + 4), a1);
            a2 = _mm256_fmadd_pd(xf, _mm256_loadu_pd(y + 8), a2);
            a3 = _mm256_fmadd_pd(xf, _mm256_loadu_pd(y + 12), a3);
        }
        __m256d acc[4] = {a0, a1, a2, a3};
        for (int j = 0; j < 4; j++) {
            __m256d v = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(minus2, acc[j]), n), _mm256_loadu_pd(norms + c + 4 * j));
            _mm256_storeu_pd(out + c + 4 * j, _mm256_sqrt_pd(_mm256_max_pd(v, zero)));
        }
    }
    tile_distances_baseline(xr, yT, stride, d, norms, c, w, ni, out);
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

void persona_silhouette_tile(const double *x, const double *yT, int64_t stride, int64_t d, const double *rowNorms,
                             const double *colNorms, int64_t m, int64_t w, const int32_t *rowLabels, const int64_t *runEnds,
                             const int32_t *runLabels, int64_t runs, int diagonal, int64_t k, double *rowSums,
                             double *colSums, double *row, int level) {
    for (int64_t r = 0; r < m; r++) {
        const double *xr = x + r * d;
#if defined(__x86_64__)
        if (level >= PERSONA_VECTOR_AVX512) tile_distances_avx512(xr, yT, stride, d, colNorms, w, rowNorms[r], row);
        else if (level >= PERSONA_VECTOR_AVX2) tile_distances_avx2(xr, yT, stride, d, colNorms, w, rowNorms[r], row);
        else tile_distances_baseline(xr, yT, stride, d, colNorms, 0, w, rowNorms[r], row);
#else
        (void)level;
        tile_distances_baseline(xr, yT, stride, d, colNorms, 0, w, rowNorms[r], row);
#endif
        if (diagonal) row[r] = 0;
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
            rowSums[r * k + runLabels[run]] += (s0 + s1) + (s2 + s3);
        }
        if (colSums) {
            double *target = colSums + (int64_t)rowLabels[r] * w;
            for (c = 0; c < w; c++) target[c] += row[c];
        }
    }
}

// k-means++ seeding. A squared distance is a chain of (x − c)², each rounded, added in feature
// order: no contraction into fused multiply-adds, so that it is the Swift definition's bits.
#pragma clang fp contract(off)

static inline double kmpp_distance(const double *row, const double *c, int64_t d) {
    double s = 0;
    for (int64_t f = 0; f < d; f++) {
        double diff = row[f] - c[f];
        double square = diff * diff;
        s = s + square;
    }
    return s;
}

static inline double kmpp_min(double closest, double distance) { return distance < closest ? distance : closest; }

double persona_kmpp_update(const double *x, int64_t rows, int64_t d, double *closest, const double *center, int initial) {
    double total = 0;
    int64_t i = 0;
    // Four rows at a time: four independent chains, added to the total in row order.
    for (; i + 4 <= rows; i += 4) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const double *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
        for (int64_t f = 0; f < d; f++) {
            double c = center[f];
            double d0 = r0[f] - c, d1 = r1[f] - c, d2 = r2[f] - c, d3 = r3[f] - c;
            double q0 = d0 * d0, q1 = d1 * d1, q2 = d2 * d2, q3 = d3 * d3;
            s0 = s0 + q0;
            s1 = s1 + q1;
            s2 = s2 + q2;
            s3 = s3 + q3;
        }
        double v[4] = {s0, s1, s2, s3};
        for (int j = 0; j < 4; j++) {
            double value = initial ? v[j] : kmpp_min(closest[i + j], v[j]);
            closest[i + j] = value;
            total += value;
        }
    }
    for (; i < rows; i++) {
        double dist = kmpp_distance(x + i * d, center, d);
        double value = initial ? dist : kmpp_min(closest[i], dist);
        closest[i] = value;
        total += value;
    }
    return total;
}

static void kmpp_potentials_baseline(const double *x, int64_t rows, int64_t d, const double *closest, const double *cand,
                                     int64_t trials, double *out) {
    for (int64_t t = 0; t < trials; t++) {
        double s = 0;
        for (int64_t i = 0; i < rows; i++) s += kmpp_min(closest[i], kmpp_distance(x + i * d, cand + t * d, d));
        out[t] = s;
    }
}

#if defined(__x86_64__)
// Four candidates in the lanes of one vector (candidates transposed: ct[f * 4 + lane]), two rows
// at a time; each lane is one candidate's chain and sum, in the scalar order.
__attribute__((target("avx2,fma")))
static void kmpp_potentials4_avx2(const double *x, int64_t rows, int64_t d, const double *closest, const double *ct, double *out) {
    __m256d sum = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
        __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
        const double *r0 = x + i * d, *r1 = r0 + d;
        for (int64_t f = 0; f < d; f++) {
            __m256d c = _mm256_load_pd(ct + f * 4);
            __m256d d0 = _mm256_sub_pd(_mm256_broadcast_sd(r0 + f), c);
            __m256d d1 = _mm256_sub_pd(_mm256_broadcast_sd(r1 + f), c);
            a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
            a1 = _mm256_add_pd(a1, _mm256_mul_pd(d1, d1));
        }
        // min(closest, distance): the distance where it is smaller, else closest.
        sum = _mm256_add_pd(sum, _mm256_min_pd(a0, _mm256_broadcast_sd(closest + i)));
        sum = _mm256_add_pd(sum, _mm256_min_pd(a1, _mm256_broadcast_sd(closest + i + 1)));
    }
    for (; i < rows; i++) {
        __m256d a0 = _mm256_setzero_pd();
        const double *r0 = x + i * d;
        for (int64_t f = 0; f < d; f++) {
            __m256d d0 = _mm256_sub_pd(_mm256_broadcast_sd(r0 + f), _mm256_load_pd(ct + f * 4));
            a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
        }
        sum = _mm256_add_pd(sum, _mm256_min_pd(a0, _mm256_broadcast_sd(closest + i)));
    }
    _mm256_storeu_pd(out, sum);
}
#endif

void persona_kmpp_potentials(const double *x, int64_t rows, int64_t d, const double *closest, const double *cand,
                             int64_t trials, double *out, int level) {
#if defined(__x86_64__)
    if (level >= PERSONA_VECTOR_AVX2 && d <= 256) {
        double ct[4 * 256] __attribute__((aligned(32)));
        for (int64_t t0 = 0; t0 < trials; t0 += 4) {
            int64_t lanes = trials - t0 < 4 ? trials - t0 : 4;
            for (int64_t f = 0; f < d; f++)
                for (int64_t lane = 0; lane < 4; lane++) ct[f * 4 + lane] = cand[(t0 + (lane < lanes ? lane : 0)) * d + f];
            double group[4];
            kmpp_potentials4_avx2(x, rows, d, closest, ct, group);
            for (int64_t lane = 0; lane < lanes; lane++) out[t0 + lane] = group[lane];
        }
        return;
    }
#else
    (void)level;
#endif
    kmpp_potentials_baseline(x, rows, d, closest, cand, trials, out);
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

// Calinski-Harabasz and Davies-Bouldin: the two passes over the rows (`PartitionStatistics`),
// in the order of the Swift loops they replace (contract(off) above: no fused multiply-adds).

void persona_cluster_sums(const double *x, int64_t rows, int64_t d, const int32_t *labels, double *sums, int64_t *counts) {
    for (int64_t i = 0; i < rows; i++) {
        int64_t c = labels[i];
        counts[c] += 1;
        double *sum = sums + c * d;
        const double *row = x + i * d;
        for (int64_t f = 0; f < d; f++) sum[f] += row[f];
    }
}

double persona_cluster_spread(const double *x, int64_t rows, int64_t d, const int32_t *labels, const double *means,
                              double *root) {
    double squared = 0;
    for (int64_t i = 0; i < rows; i++) {
        int64_t c = labels[i];
        const double *row = x + i * d, *mean = means + c * d;
        double s = 0;
        for (int64_t f = 0; f < d; f++) {
            double diff = row[f] - mean[f];
            s += diff * diff;
        }
        squared += s;
        root[c] += sqrt(s);
    }
    return squared;
}
