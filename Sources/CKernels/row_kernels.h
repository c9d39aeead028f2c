// The kernels that read the data rows, written once for rows of `ROW` (double or float) and
// included twice by kernels.c. Float rows are widened as they are loaded and everything after
// that is the double code, so the results on float rows are those of the double kernels on the
// same values widened (what `--float32` promises: half the memory, the same arithmetic).
// Not a public header: kernels.c defines ROW, ROW_FN, ROW_LOAD4 and ROW_LOAD8, and the public
// functions that pick the double or the float version by the rows' element size.

/// Adds one row to its cluster's sums. Each sum element gets its rows added one by one in row
/// order at every level (vectors only run across features), so sums are the same at every level.
static inline void ROW_FN(add_row_baseline)(const ROW *row, double *target, int64_t d) {
    for (int64_t f = 0; f < d; f++) target[f] += row[f];
}

static void ROW_FN(assign_baseline)(const ROW *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                            int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *acc) {
    for (int64_t i = 0; i < rows; i++) {
        const ROW *row = x + i * d;
        for (int64_t j = 0; j < blocks * 8; j++) acc[j] = norms[j];
        for (int64_t f = 0; f < d; f++) {
            const double xv = row[f];
            const double *c = ct + f * blocks * 8;
            for (int64_t j = 0; j < blocks * 8; j++) acc[j] = fma(xv, c[j], acc[j]);
        }
        PERSONA_ASSIGNED(ROW_FN(add_row_baseline), i, label_of(acc, blocks));
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static inline void ROW_FN(add_row_avx2)(const ROW *row, double *target, int64_t d) {
    int64_t f = 0;
    for (; f + 4 <= d; f += 4) _mm256_storeu_pd(target + f, _mm256_add_pd(_mm256_loadu_pd(target + f), ROW_LOAD4(row + f)));
    for (; f < d; f++) target[f] += row[f];
}

__attribute__((target("avx512f")))
static inline void ROW_FN(add_row_avx512)(const ROW *row, double *target, int64_t d) {
    int64_t f = 0;
    for (; f + 8 <= d; f += 8) _mm512_storeu_pd(target + f, _mm512_add_pd(_mm512_loadu_pd(target + f), ROW_LOAD8(row + f)));
    for (; f < d; f++) target[f] += row[f];
}

__attribute__((target("avx2,fma")))
static void ROW_FN(assign_avx2)(const ROW *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                        int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scores) {
    if (blocks == 1) {
        // Four rows at a time: independent chains keep the FMA units busy.
        const __m256d n0 = _mm256_loadu_pd(norms), n1 = _mm256_loadu_pd(norms + 4);
        int64_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            const ROW *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
            __m256d a0 = n0, b0 = n1, a1 = n0, b1 = n1, a2 = n0, b2 = n1, a3 = n0, b3 = n1;
#pragma clang loop unroll_count(4)
            for (int64_t f = 0; f < d; f++) {
                const __m256d clo = _mm256_loadu_pd(ct + f * 8), chi = _mm256_loadu_pd(ct + f * 8 + 4);
                __m256d v = _mm256_set1_pd(r0[f]);
                a0 = _mm256_fmadd_pd(v, clo, a0); b0 = _mm256_fmadd_pd(v, chi, b0);
                v = _mm256_set1_pd(r1[f]);
                a1 = _mm256_fmadd_pd(v, clo, a1); b1 = _mm256_fmadd_pd(v, chi, b1);
                v = _mm256_set1_pd(r2[f]);
                a2 = _mm256_fmadd_pd(v, clo, a2); b2 = _mm256_fmadd_pd(v, chi, b2);
                v = _mm256_set1_pd(r3[f]);
                a3 = _mm256_fmadd_pd(v, clo, a3); b3 = _mm256_fmadd_pd(v, chi, b3);
            }
            PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i, argmin8_avx2(a0, b0));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i + 1, argmin8_avx2(a1, b1));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i + 2, argmin8_avx2(a2, b2));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i + 3, argmin8_avx2(a3, b3));
        }
        for (; i < rows; i++) {
            const ROW *row = x + i * d;
            __m256d a = n0, b = n1;
            for (int64_t f = 0; f < d; f++) {
                const __m256d v = _mm256_set1_pd(row[f]);
                a = _mm256_fmadd_pd(v, _mm256_loadu_pd(ct + f * 8), a);
                b = _mm256_fmadd_pd(v, _mm256_loadu_pd(ct + f * 8 + 4), b);
            }
            PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i, argmin8_avx2(a, b));
        }
        return;
    }
    const int64_t lanes = blocks * 8;
    for (int64_t i = 0; i < rows; i++) {
        const ROW *row = x + i * d;
        for (int64_t j = 0; j < lanes; j += 4) _mm256_store_pd(scores + j, _mm256_loadu_pd(norms + j));
        for (int64_t f = 0; f < d; f++) {
            const __m256d v = _mm256_set1_pd(row[f]);
            const double *c = ct + f * lanes;
            for (int64_t j = 0; j < lanes; j += 4) {
                _mm256_store_pd(scores + j, _mm256_fmadd_pd(v, _mm256_loadu_pd(c + j), _mm256_load_pd(scores + j)));
            }
        }
        PERSONA_ASSIGNED(ROW_FN(add_row_avx2), i, label_of(scores, blocks));
    }
}

__attribute__((target("avx512f")))
static void ROW_FN(assign_avx512)(const ROW *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scores) {
    if (blocks == 1) {
        const __m512d n = _mm512_loadu_pd(norms);
        int64_t i = 0;
        for (; i + 4 <= rows; i += 4) {
            const ROW *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
            __m512d a0 = n, a1 = n, a2 = n, a3 = n;
#pragma clang loop unroll_count(4)
            for (int64_t f = 0; f < d; f++) {
                const __m512d c = _mm512_loadu_pd(ct + f * 8);
                a0 = _mm512_fmadd_pd(_mm512_set1_pd(r0[f]), c, a0);
                a1 = _mm512_fmadd_pd(_mm512_set1_pd(r1[f]), c, a1);
                a2 = _mm512_fmadd_pd(_mm512_set1_pd(r2[f]), c, a2);
                a3 = _mm512_fmadd_pd(_mm512_set1_pd(r3[f]), c, a3);
            }
            PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i, argmin8_avx512(a0));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i + 1, argmin8_avx512(a1));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i + 2, argmin8_avx512(a2));
            PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i + 3, argmin8_avx512(a3));
        }
        for (; i < rows; i++) {
            const ROW *row = x + i * d;
            __m512d a = n;
            for (int64_t f = 0; f < d; f++) a = _mm512_fmadd_pd(_mm512_set1_pd(row[f]), _mm512_loadu_pd(ct + f * 8), a);
            PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i, argmin8_avx512(a));
        }
        return;
    }
    const int64_t lanes = blocks * 8;
    for (int64_t i = 0; i < rows; i++) {
        const ROW *row = x + i * d;
        for (int64_t j = 0; j < lanes; j += 8) _mm512_store_pd(scores + j, _mm512_loadu_pd(norms + j));
        for (int64_t f = 0; f < d; f++) {
            const __m512d v = _mm512_set1_pd(row[f]);
            const double *c = ct + f * lanes;
            for (int64_t j = 0; j < lanes; j += 8) {
                _mm512_store_pd(scores + j, _mm512_fmadd_pd(v, _mm512_loadu_pd(c + j), _mm512_load_pd(scores + j)));
            }
        }
        PERSONA_ASSIGNED(ROW_FN(add_row_avx512), i, label_of(scores, blocks));
    }
}
#endif

static void ROW_FN(persona_assign_fused)(const ROW *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scratch, int level) {
#if defined(__x86_64__)
    if (level >= PERSONA_VECTOR_AVX512) { ROW_FN(assign_avx512)(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch); return; }
    if (level >= PERSONA_VECTOR_AVX2) { ROW_FN(assign_avx2)(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch); return; }
#else
    (void)level;
#endif
    ROW_FN(assign_baseline)(x, rows, d, ct, norms, blocks, labels, sums, counts, scratch);
}

static inline double ROW_FN(kmpp_distance)(const ROW *row, const double *c, int64_t d) {
    double s = 0;
    for (int64_t f = 0; f < d; f++) {
        double diff = row[f] - c[f];
        double square = diff * diff;
        s = s + square;
    }
    return s;
}

static double ROW_FN(persona_kmpp_update)(const ROW *x, int64_t rows, int64_t d, double *closest, const double *center, int initial) {
    double total = 0;
    int64_t i = 0;
    // Four rows at a time: four independent chains, added to the total in row order.
    for (; i + 4 <= rows; i += 4) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        const ROW *r0 = x + i * d, *r1 = r0 + d, *r2 = r1 + d, *r3 = r2 + d;
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
        double dist = ROW_FN(kmpp_distance)(x + i * d, center, d);
        double value = initial ? dist : kmpp_min(closest[i], dist);
        closest[i] = value;
        total += value;
    }
    return total;
}

static void ROW_FN(kmpp_potentials_baseline)(const ROW *x, int64_t rows, int64_t d, const double *closest, const double *cand,
                                     int64_t trials, double *out) {
    for (int64_t t = 0; t < trials; t++) {
        double s = 0;
        for (int64_t i = 0; i < rows; i++) s += kmpp_min(closest[i], ROW_FN(kmpp_distance)(x + i * d, cand + t * d, d));
        out[t] = s;
    }
}

#if defined(__x86_64__)
// Four candidates in the lanes of one vector (candidates transposed: ct[f * 4 + lane]), two rows
// at a time; each lane is one candidate's chain and sum, in the scalar order.
__attribute__((target("avx2,fma")))
static void ROW_FN(kmpp_potentials4_avx2)(const ROW *x, int64_t rows, int64_t d, const double *closest, const double *ct, double *out) {
    __m256d sum = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 2 <= rows; i += 2) {
        __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
        const ROW *r0 = x + i * d, *r1 = r0 + d;
        for (int64_t f = 0; f < d; f++) {
            __m256d c = _mm256_load_pd(ct + f * 4);
            __m256d d0 = _mm256_sub_pd(_mm256_set1_pd(r0[f]), c);
            __m256d d1 = _mm256_sub_pd(_mm256_set1_pd(r1[f]), c);
            a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
            a1 = _mm256_add_pd(a1, _mm256_mul_pd(d1, d1));
        }
        // min(closest, distance): the distance where it is smaller, else closest.
        sum = _mm256_add_pd(sum, _mm256_min_pd(a0, _mm256_broadcast_sd(closest + i)));
        sum = _mm256_add_pd(sum, _mm256_min_pd(a1, _mm256_broadcast_sd(closest + i + 1)));
    }
    for (; i < rows; i++) {
        __m256d a0 = _mm256_setzero_pd();
        const ROW *r0 = x + i * d;
        for (int64_t f = 0; f < d; f++) {
            __m256d d0 = _mm256_sub_pd(_mm256_set1_pd(r0[f]), _mm256_load_pd(ct + f * 4));
            a0 = _mm256_add_pd(a0, _mm256_mul_pd(d0, d0));
        }
        sum = _mm256_add_pd(sum, _mm256_min_pd(a0, _mm256_broadcast_sd(closest + i)));
    }
    _mm256_storeu_pd(out, sum);
}
#endif

static void ROW_FN(persona_kmpp_potentials)(const ROW *x, int64_t rows, int64_t d, const double *closest, const double *cand,
                             int64_t trials, double *out, int level) {
#if defined(__x86_64__)
    if (level >= PERSONA_VECTOR_AVX2 && d <= 256) {
        double ct[4 * 256] __attribute__((aligned(32)));
        for (int64_t t0 = 0; t0 < trials; t0 += 4) {
            int64_t lanes = trials - t0 < 4 ? trials - t0 : 4;
            for (int64_t f = 0; f < d; f++)
                for (int64_t lane = 0; lane < 4; lane++) ct[f * 4 + lane] = cand[(t0 + (lane < lanes ? lane : 0)) * d + f];
            double group[4];
            ROW_FN(kmpp_potentials4_avx2)(x, rows, d, closest, ct, group);
            for (int64_t lane = 0; lane < lanes; lane++) out[t0 + lane] = group[lane];
        }
        return;
    }
#else
    (void)level;
#endif
    ROW_FN(kmpp_potentials_baseline)(x, rows, d, closest, cand, trials, out);
}

static void ROW_FN(persona_cluster_sums)(const ROW *x, int64_t rows, int64_t d, const int32_t *labels, double *sums, int64_t *counts) {
    for (int64_t i = 0; i < rows; i++) {
        int64_t c = labels[i];
        counts[c] += 1;
        double *sum = sums + c * d;
        const ROW *row = x + i * d;
        for (int64_t f = 0; f < d; f++) sum[f] += row[f];
    }
}

static double ROW_FN(persona_cluster_spread)(const ROW *x, int64_t rows, int64_t d, const int32_t *labels, const double *means,
                              double *root) {
    double squared = 0;
    for (int64_t i = 0; i < rows; i++) {
        int64_t c = labels[i];
        const ROW *row = x + i * d;
        const double *mean = means + c * d;
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
