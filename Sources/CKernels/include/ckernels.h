#ifndef PERSONA_CKERNELS_H
#define PERSONA_CKERNELS_H

#include <stdint.h>

/// Vector instruction levels the k-means kernels are built for, chosen at run time from CPUID.
enum persona_vector_level {
    PERSONA_VECTOR_BASELINE = 0, ///< plain x86-64 (or any other architecture): scalar FMA
    PERSONA_VECTOR_AVX2 = 2,     ///< AVX2 + FMA (x86-64-v3)
    PERSONA_VECTOR_AVX512 = 3,   ///< AVX-512F
};

/// The best level this CPU supports.
int persona_vector_level_supported(void);

/// Nearest centroid of each of `rows` rows of `x` (row-major, `d` columns), for centroids
/// stored as `blocks` groups of 8: `ct[(f * blocks + b) * 8 + lane]` is −2·c[b·8+lane][f],
/// `norms[b * 8 + lane]` is ‖c‖² (+∞ on padding lanes). The score of a centroid is its norm
/// plus one fused multiply-add per feature in feature order, the same at every level, so the
/// labels are identical whatever the level; ties go to the lowest index. `level` must not be
/// above `persona_vector_level_supported()`. With `sums` (k·d doubles) and `counts` (k), each
/// row is also added to its cluster's sums and counted, in row order (NULL: labels only).
/// `scratch` holds max(32, 8·`blocks`) doubles
/// (four rows' scores when `blocks` is 1), 64-byte aligned.
void persona_assign_fused(const double *x, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scratch, int level);

/// Σ over columns `from..<to` of √max(0, products[c] + ni + norms[c]) (added in that order:
/// (products + ni) + norms), leaving out column `skip`: the silhouette's distances from one row
/// to a run of rows. Column `from + 4m + j` goes to running sum j (j < 4) and the rest, one by
/// one, to sum 0; the result is (s0 + s1) + (s2 + s3). Square roots are correctly rounded at
/// every level, so the sum is the same bits at every level.
double persona_distance_sum(const double *products, const double *norms, int64_t from, int64_t to, double ni,
                            int64_t skip, int level);

/// k-means++ seeding, over `rows` rows of `x` (row-major, `d` columns). Squared distances are
/// Σ over features, in feature order, of (x − c)² rounded, then added (no fused multiply-add),
/// as `KMeansPlusPlus.squaredDistance` in Swift; every level gives the same bits.
///
/// `persona_kmpp_potentials`: out[t] = Σ over rows, in row order, of min(closest[i], ‖x_i − c_t‖²)
/// for the `trials` candidates `cand` (row-major, `d` columns).
void persona_kmpp_potentials(const double *x, int64_t rows, int64_t d, const double *closest, const double *cand,
                             int64_t trials, double *out, int level);

/// closest[i] = ‖x_i − center‖² (`initial`), else min(closest[i], ‖x_i − center‖²); returns the
/// sum of the new closest[i] in row order.
double persona_kmpp_update(const double *x, int64_t rows, int64_t d, double *closest, const double *center, int initial);

/// One pass of a bracketed median: counts the `n` values of `v` below `low` (into `*below`)
/// and copies those in [low, high] to `inside` in order, without branching on the values.
/// Returns how many were copied, or −1 as soon as `capacity` would be reached. `inside` holds
/// `capacity` + 1 doubles.
int64_t persona_bracket(const double *v, int64_t n, double low, double high, double *inside, int64_t capacity, int64_t *below);

/// glibc only: maps every allocation of `bytes` or more straight from the kernel and unmaps it
/// when freed (a fixed threshold instead of glibc's growing one). Returns 0 where there is no
/// such setting, or when `MALLOC_MMAP_THRESHOLD_` is set (the environment wins).
int persona_fixed_mmap_threshold(int64_t bytes);

#endif
