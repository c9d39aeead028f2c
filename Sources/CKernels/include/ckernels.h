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

/// The row kernels (`persona_assign_fused`, `persona_cluster_sums`, `persona_cluster_spread`,
/// `persona_kmpp_potentials`, `persona_kmpp_update`) read rows of doubles (`element_bytes` 8)
/// or of floats (`element_bytes` 4, `--float32`): a float is widened to double as it is loaded
/// and the rest is the double arithmetic, so the results are bit for bit those on the widened
/// rows.

/// Nearest centroid of each of `rows` rows of `x` (row-major, `d` columns), for centroids
/// stored as `blocks` groups of 8: `ct[(f * blocks + b) * 8 + lane]` is −2·c[b·8+lane][f],
/// `norms[b * 8 + lane]` is ‖c‖² (+∞ on padding lanes). The score of a centroid is its norm
/// plus one fused multiply-add per feature in feature order, the same at every level, so the
/// labels are identical whatever the level; ties go to the lowest index. `level` must not be
/// above `persona_vector_level_supported()`. With `sums` (k·d doubles) and `counts` (k), each
/// row is also added to its cluster's sums and counted, in row order (NULL: labels only).
/// `scratch` holds max(32, 8·`blocks`) doubles
/// (four rows' scores when `blocks` is 1), 64-byte aligned.
void persona_assign_fused(const void *x, int element_bytes, int64_t rows, int64_t d, const double *ct, const double *norms,
                          int64_t blocks, int32_t *labels, double *sums, int64_t *counts, double *scratch, int level);

/// Per-cluster sums and counts of `rows` rows of `x` (row-major, `d` columns) labelled
/// `labels` (0 ..< k): `sums[c·d + f] += x[i·d + f]` and `counts[c] += 1`, in row order.
void persona_cluster_sums(const void *x, int element_bytes, int64_t rows, int64_t d, const int32_t *labels, double *sums, int64_t *counts);

/// Distances of rows to their cluster's mean (`means` k × d): returns Σ over rows of the
/// squared distance (Σ over features, in order, of (x − mean)² rounded, then added) and adds
/// each row's distance (its square root) to `root[label]`, in row order.
double persona_cluster_spread(const void *x, int element_bytes, int64_t rows, int64_t d, const int32_t *labels, const double *means,
                              double *root);

/// One tile of the silhouette's pairwise distances: rows `r < m` of `x` (row-major, `d`
/// columns) against columns `c < w` of `yT` (the other block, feature-major: feature f of
/// column c at `yT[f·stride + c]`). The distance is √max(0, (−2·dot + rowNorms[r]) +
/// colNorms[c]) with dot the fused multiply-adds of the features in order (sklearn's
/// ‖x‖² + ‖y‖² − 2x·y), 0 on the diagonal when `diagonal` (the same block: a row's distance to
/// itself); each row's distances go to `row` (2·w doubles of scratch). The columns are sorted by
/// cluster into `runs` runs (`runEnds` exclusive, `runLabels` their clusters); for each row and
/// run, `rowSums[r·k + label] += (s0 + s1) + (s2 + s3)`, with column `start + 4m + j` in running
/// sum j and the leftover columns in s0. With `colSums` (k × w), each row's distances are also
/// added, in row order, to `colSums[rowLabels[r]·w + c]`: the column rows' sums by the tile
/// rows' clusters, the other half of the symmetric matrix. Every level gives the same bits.
void persona_silhouette_tile(const double *x, const double *yT, int64_t stride, int64_t d, const double *rowNorms,
                             const double *colNorms, int64_t m, int64_t w, const int32_t *rowLabels, const int64_t *runEnds,
                             const int32_t *runLabels, int64_t runs, int diagonal, int64_t k, double *rowSums,
                             double *colSums, double *row, int level);

/// k-means++ seeding, over `rows` rows of `x` (row-major, `d` columns). Squared distances are
/// Σ over features, in feature order, of (x − c)² rounded, then added (no fused multiply-add),
/// as `KMeansPlusPlus.squaredDistance` in Swift; every level gives the same bits.
///
/// `persona_kmpp_potentials`: out[t] = Σ over rows, in row order, of min(closest[i], ‖x_i − c_t‖²)
/// for the `trials` candidates `cand` (row-major, `d` columns).
void persona_kmpp_potentials(const void *x, int element_bytes, int64_t rows, int64_t d, const double *closest, const double *cand,
                             int64_t trials, double *out, int level);

/// closest[i] = ‖x_i − center‖² (`initial`), else min(closest[i], ‖x_i − center‖²); returns the
/// sum of the new closest[i] in row order.
double persona_kmpp_update(const void *x, int element_bytes, int64_t rows, int64_t d, double *closest, const double *center, int initial);

/// One pass of a bracketed median: counts the `n` values of `v` below `low` (into `*below`)
/// and copies those in [low, high] to `inside` in order, without branching on the values.
/// Returns how many were copied, or −1 as soon as `capacity` would be reached. `inside` holds
/// `capacity` + 1 doubles.
int64_t persona_bracket(const double *v, int64_t n, double low, double high, double *inside, int64_t capacity, int64_t *below);

/// glibc only: maps every allocation of `bytes` or more straight from the kernel and unmaps it
/// when freed (a fixed threshold instead of glibc's growing one). Returns 0 where there is no
/// such setting, or when `MALLOC_MMAP_THRESHOLD_` or the `GLIBC_TUNABLES` tunable is set (the
/// environment wins).
int persona_fixed_mmap_threshold(int64_t bytes);

/// glibc only: serves allocations below `mmap_bytes` from the heap and keeps up to `trim_bytes`
/// of freed heap memory instead of returning it to the kernel, so that the next allocation of
/// the same size reuses pages already mapped. Each setting yields to its environment variable
/// (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`) and its `GLIBC_TUNABLES` tunable.
/// Returns how many settings it made.
int persona_keep_freed_memory(int64_t mmap_bytes, int64_t trim_bytes);

/// Linux: asks for transparent huge pages (madvise MADV_HUGEPAGE) on the whole 2 MiB pages
/// inside [start, start + bytes), before they are first touched. One fault then maps 2 MiB
/// instead of 4 KiB: filling a fresh 1.28 GB matrix took 0.19 s instead of 1.0 s on a 2-core
/// VM. It changes no content; the kernel may ignore it (THP set to `never`). Returns 1 when
/// advised, 0 otherwise (too small, or not Linux).
int persona_prefer_huge_pages(void *start, int64_t bytes);

/// Parses up to `count` consecutive CSV fields from `p` that are plain decimals
/// (`[-]digits[.digits]`, 1 to 15 digits in all, no exponent, no spaces) ending at `delimiter`,
/// a line end or `end`, and stores field i's value at `columns[i][row]`: the mantissa over an
/// exact power of ten, rounded once, as the byte loop of `NumberParser.parsePlainField` does.
/// Stops at the first field that is not plain, after a field that ends the record, or after
/// `count` fields; returns how many were stored, with `*stop` where the last of them ends (at
/// its delimiter, its line end or `end`), or at `p` when none was.
int64_t persona_parse_plain_fields(const uint8_t *p, const uint8_t *end, uint8_t delimiter, double *const *columns,
                                   int64_t row, int64_t count, const uint8_t **stop);

/// Passes over the unquoted fields of a record from `p` (which does not hold a quote) without
/// reading them, eight bytes at a time: returns how many delimiters it passed, with `*stop` at
/// the record's end (its first `\n` or `\r`, or `end`) or at a quote that opens a field (the
/// first byte after a delimiter), which the caller reads. A quote inside a field is part of
/// it, as the byte loop of `CSVScanner.scan` takes it. `delimiter` is none of `\n`, `\r`, `"`.
int64_t persona_skip_plain_fields(const uint8_t *p, const uint8_t *end, uint8_t delimiter, const uint8_t **stop);

/// What a numeric column's summary needs of its `n` values, NaN (blank) skipped: how many are
/// not NaN, the smallest and the largest of them (as a loop `low = v < low ? v : low`,
/// `high = v >= high ? v : high` in order gives them: of equal zeros, the first for the
/// smallest and the last for the largest), and whether every one is 0 or 1. With no value,
/// `*low` is +∞ and `*high` −∞.
void persona_number_summary(const double *x, int64_t n, int64_t *present, double *low, double *high, int *binary);

/// `persona_number_summary` over floats (widened to doubles).
void persona_number_summary_f32(const float *x, int64_t n, int64_t *present, double *low, double *high, int *binary);

/// The index of the first of `n` doubles that is NaN or infinite, or −1.
int64_t persona_first_non_finite(const double *x, int64_t n);

/// The index of the first of `n` doubles whose magnitude exceeds `limit` (NaN does not), or −1.
int64_t persona_first_exceeding(const double *x, int64_t n, double limit);

/// Adds each of `rows` rows of `x` (`d` columns) to `sums`, in row order (with `centre`, each
/// squared deviation from it instead, the difference and the square each rounded): per
/// column the same additions in the same order as a loop over the rows.
void persona_add_column_sums(const double *x, int64_t rows, int64_t d, const double *centre, double *sums);

/// Lowers each of `minimums` and raises each of `maximums` (`d` each) to the extremes of its
/// column over `rows` rows of `x`, as Swift's `min(low, v)` and `max(high, v)` in row order
/// would: a NaN changes neither, and of two equal values (0 and −0) the minimum keeps the
/// first and the maximum takes the last.
void persona_column_extremes(const double *x, int64_t rows, int64_t d, double *minimums, double *maximums);

/// The matrix cache's checksum of 8-byte words, in pieces: start the four lanes, update them
/// with `count` words that begin at word `position` of the whole, finish with the word count.
void persona_checksum_start(uint64_t lanes[4]);
void persona_checksum_update(uint64_t lanes[4], const uint64_t *words, int64_t count, int64_t position);
uint64_t persona_checksum_finish(const uint64_t lanes[4], int64_t words);

/// `value` in decimal at `out`; returns the bytes written (at most 20).
int64_t persona_decimal_integer(int64_t value, uint8_t *out);

/// `value` rounded to `significant` (1 … 15) significant digits, halves away from zero, at
/// `out`, without an exponent and with trailing zeros dropped (`0.5`, `12.25`, `3`); returns
/// the bytes written (at most 22), or −1, writing nothing, for NaN, infinities,
/// magnitudes outside [1e-4, 1e15) and `significant` out of range, which the caller writes
/// another way.
int64_t persona_decimal_significant(double value, int64_t significant, uint8_t *out);

#endif
