// A hand-written AVX2/FMA Lloyd iteration in C: the ceiling that Persona's Swift kernel is
// measured against on machines without AVX-512. Not part of the product; only
// Benchmarks/sklearn_lloyd.py runs it (`--reference-kernel`), interleaved with scikit-learn
// and persona-bench on the same data.
//
// It does the same work as Persona's `fused` kernel at k = 8, step for step, so that the
// inertia after 21 iterations must come out bit-identical (sklearn_lloyd.py prints both):
//   - scores ‖c‖² + Σ_f x_f·(−2c_f), one FMA per feature in feature order, ‖c‖² summed with
//     separate multiply and add (compile with -ffp-contract=off, as run.sh does);
//   - argmin with ties to the lowest index, four rows per group;
//   - per chunk of 4,096 rows: count of changed labels, cluster counts, cluster sums in row
//     order; chunks spread over threads in a fixed stride and reduced in chunk order;
//   - centroid = sum · (1 / count); stop when no label changed or the shift is ≤ 0;
//   - after the loop: relabel (unless no label changed), exact ‖x − c‖² by differences,
//     inertia summed per chunk in chunk order.
// Where it differs: the argmin uses vector compares and movemask, which Swift's SIMD types
// do not compile to, and there is no empty-cluster relocation (it stops with an error if a
// cluster empties, which does not happen on the benchmark's data).
//
// Usage: lloyd_avx2 DIR ROWS THREADS REPEATS
//   reads DIR/uniform_<ROWS>x16.f64 and DIR/init_8x16.f64 (persona-bench --export DIR),
//   times fits with 21 and with 1 iterations REPEATS times each, and prints one JSON line
//   in the format of `persona-bench --only lloyd:KERNEL:THREADS`.
// Build: gcc -O3 -march=native -ffp-contract=off -fopenmp lloyd_avx2.c -o lloyd_avx2

#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { D = 16, K = 8, CHUNK = 4096 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double *read_doubles(const char *path, long count) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "lloyd_avx2: cannot open %s\n", path); exit(1); }
    double *p = aligned_alloc(64, ((size_t)count * 8 + 63) / 64 * 64);
    if (fread(p, 8, (size_t)count, f) != (size_t)count) { fprintf(stderr, "lloyd_avx2: %s is too short\n", path); exit(1); }
    fclose(f);
    return p;
}

// The lowest index of the smallest of the eight scores in (lo, hi).
static inline int argmin8(__m256d lo, __m256d hi) {
    __m256d m = _mm256_min_pd(lo, hi);
    __m128d h = _mm_min_pd(_mm256_castpd256_pd128(m), _mm256_extractf128_pd(m, 1));
    h = _mm_min_pd(h, _mm_permute_pd(h, 1));
    __m256d b = _mm256_broadcastsd_pd(h);
    int a = _mm256_movemask_pd(_mm256_cmp_pd(lo, b, _CMP_EQ_OQ));
    int c = _mm256_movemask_pd(_mm256_cmp_pd(hi, b, _CMP_EQ_OQ));
    return __builtin_ctz(a | (c << 4));
}

typedef struct {
    double ct[D * K] __attribute__((aligned(32)));   // −2·c[j][f] at [f·K + j]
    double norms[K] __attribute__((aligned(32)));    // ‖c_j‖²
} Scorer;

static void make_scorer(Scorer *s, const double *centroids) {
    for (int j = 0; j < K; j++) {
        double n = 0;
        for (int f = 0; f < D; f++) {
            double c = centroids[j * D + f];
            double sq = c * c;
            n = n + sq;
            s->ct[f * K + j] = -2 * c;
        }
        s->norms[j] = n;
    }
}

// Labels of rows [lo, hi) into out[0 ..< hi − lo].
static void score(const Scorer *s, const double *x, long lo, long hi, int *out) {
    long i = lo;
    __m256d n0 = _mm256_load_pd(s->norms), n1 = _mm256_load_pd(s->norms + 4);
    for (; i + 4 <= hi; i += 4) {
        const double *r = x + i * D;
        __m256d a0 = n0, b0 = n1, a1 = n0, b1 = n1, a2 = n0, b2 = n1, a3 = n0, b3 = n1;
        for (int f = 0; f < D; f++) {
            __m256d cl = _mm256_load_pd(s->ct + f * K), ch = _mm256_load_pd(s->ct + f * K + 4);
            __m256d x0 = _mm256_broadcast_sd(r + f), x1 = _mm256_broadcast_sd(r + D + f);
            __m256d x2 = _mm256_broadcast_sd(r + 2 * D + f), x3 = _mm256_broadcast_sd(r + 3 * D + f);
            a0 = _mm256_fmadd_pd(x0, cl, a0); b0 = _mm256_fmadd_pd(x0, ch, b0);
            a1 = _mm256_fmadd_pd(x1, cl, a1); b1 = _mm256_fmadd_pd(x1, ch, b1);
            a2 = _mm256_fmadd_pd(x2, cl, a2); b2 = _mm256_fmadd_pd(x2, ch, b2);
            a3 = _mm256_fmadd_pd(x3, cl, a3); b3 = _mm256_fmadd_pd(x3, ch, b3);
        }
        out[i - lo] = argmin8(a0, b0);
        out[i - lo + 1] = argmin8(a1, b1);
        out[i - lo + 2] = argmin8(a2, b2);
        out[i - lo + 3] = argmin8(a3, b3);
    }
    for (; i < hi; i++) {
        const double *r = x + i * D;
        __m256d a = n0, b = n1;
        for (int f = 0; f < D; f++) {
            __m256d xv = _mm256_broadcast_sd(r + f);
            a = _mm256_fmadd_pd(xv, _mm256_load_pd(s->ct + f * K), a);
            b = _mm256_fmadd_pd(xv, _mm256_load_pd(s->ct + f * K + 4), b);
        }
        out[i - lo] = argmin8(a, b);
    }
}

typedef struct {
    double sums[K * D];
    long counts[K];
    long changed;
} Partial;

static double fit(const double *x, long n, const double *start, int iterations, int *labels, int *iterations_run) {
    long chunks = (n + CHUNK - 1) / CHUNK;
    Partial *partial = malloc(sizeof(Partial) * (size_t)chunks);
    double centroids[K * D];
    memcpy(centroids, start, sizeof centroids);
    for (long i = 0; i < n; i++) labels[i] = -1;
    int strict = 0, it = 0;
    Scorer s;
    for (it = 1; it <= iterations; it++) {
        make_scorer(&s, centroids);
#pragma omp parallel
        {
            int nt = omp_get_num_threads(), t = omp_get_thread_num();
            int block[256];
            for (long c = t; c < chunks; c += nt) {
                Partial *p = &partial[c];
                memset(p, 0, sizeof *p);
                long end = (c + 1) * CHUNK < n ? (c + 1) * CHUNK : n;
                for (long st = c * CHUNK; st < end; st += 256) {
                    long e = st + 256 < end ? st + 256 : end;
                    score(&s, x, st, e, block);
                    for (long i = st; i < e; i++) {
                        int l = block[i - st];
                        if (labels[i] != l) { p->changed++; labels[i] = l; }
                        double *sum = p->sums + l * D;
                        const double *r = x + i * D;
                        for (int f = 0; f < D; f += 4)
                            _mm256_storeu_pd(sum + f, _mm256_add_pd(_mm256_loadu_pd(sum + f), _mm256_loadu_pd(r + f)));
                        p->counts[l]++;
                    }
                }
            }
        }
        double sums[K * D] = {0};
        long counts[K] = {0}, changed = 0;
        for (long c = 0; c < chunks; c++) {
            for (int j = 0; j < K * D; j++) sums[j] += partial[c].sums[j];
            for (int j = 0; j < K; j++) counts[j] += partial[c].counts[j];
            changed += partial[c].changed;
        }
        double shift = 0;
        for (int j = 0; j < K; j++) {
            if (counts[j] == 0) { fprintf(stderr, "lloyd_avx2: cluster %d emptied (not handled)\n", j); exit(1); }
            double inverse = 1 / (double)counts[j];
            for (int f = 0; f < D; f++) {
                double updated = sums[j * D + f] * inverse;
                double delta = updated - centroids[j * D + f];
                double sq = delta * delta;
                shift = shift + sq;
                centroids[j * D + f] = updated;
            }
        }
        if (it > 1 && changed == 0) { strict = 1; break; }
        if (shift <= 0) break;
    }
    *iterations_run = it > iterations ? iterations : it;
    if (!strict) {
        make_scorer(&s, centroids);
#pragma omp parallel
        {
            int nt = omp_get_num_threads(), t = omp_get_thread_num();
            for (long c = t; c < chunks; c += nt) {
                long end = (c + 1) * CHUNK < n ? (c + 1) * CHUNK : n;
                score(&s, x, c * CHUNK, end, labels + c * CHUNK);
            }
        }
    }
    double *per_chunk = malloc(sizeof(double) * (size_t)chunks);
#pragma omp parallel
    {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        for (long c = t; c < chunks; c += nt) {
            long end = (c + 1) * CHUNK < n ? (c + 1) * CHUNK : n;
            double total = 0;
            for (long i = c * CHUNK; i < end; i++) {
                const double *r = x + i * D, *cen = centroids + labels[i] * D;
                double q = 0;
                for (int f = 0; f < D; f++) {
                    double diff = r[f] - cen[f];
                    double sq = diff * diff;
                    q = q + sq;
                }
                total = total + q;
            }
            per_chunk[c] = total;
        }
    }
    double inertia = 0;
    for (long c = 0; c < chunks; c++) inertia += per_chunk[c];
    free(per_chunk);
    free(partial);
    return inertia;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: lloyd_avx2 DIR ROWS THREADS REPEATS\n");
        return 2;
    }
    long n = atol(argv[2]);
    int threads = atoi(argv[3]), repeats = atoi(argv[4]);
    char path[4096];
    snprintf(path, sizeof path, "%s/uniform_%ldx%d.f64", argv[1], n, D);
    double *x = read_doubles(path, n * D);
    snprintf(path, sizeof path, "%s/init_%dx%d.f64", argv[1], K, D);
    double *start = read_doubles(path, K * D);
    omp_set_num_threads(threads);
    int *labels = malloc(sizeof(int) * (size_t)n);
    int iterations = 0, ignored = 0;
    double inertia = 0;
    printf("{\"kernel\":\"c-avx2\",\"threads\":%d,\"t21\":[", threads);
    double t1[64];
    for (int r = 0; r < repeats && r < 64; r++) {
        double t = now();
        inertia = fit(x, n, start, 21, labels, &iterations);
        printf("%s%.9f", r ? "," : "", now() - t);
        t = now();
        fit(x, n, start, 1, labels, &ignored);
        t1[r] = now() - t;
    }
    printf("],\"t1\":[");
    for (int r = 0; r < repeats && r < 64; r++) printf("%s%.9f", r ? "," : "", t1[r]);
    printf("],\"iterations\":%d,\"inertia\":%.17g}\n", iterations, inertia);
    return 0;
}
