// Whole-matrix passes that every run makes before k-means (the checks for values that do not
// belong in a feature matrix, and the scaler's column sums) as plain loops the compiler
// vectorises: in Swift each was a call through a closure per element, four times slower than
// reading the memory.
#include "ckernels.h"

#include <float.h>
#include <math.h>
#include <stddef.h>

// A product added to a sum must be rounded twice, as Swift rounds it, never fused.
#pragma STDC FP_CONTRACT OFF

/// Elements checked together before looking for which one it was.
enum { scan_block = 256 };

/// The index of the first of `n` values for which `test(value, limit)` holds, or −1: each
/// block tested as a whole (a loop without branches) before looking for which value it was.
static inline __attribute__((always_inline)) int64_t first_where(const double *x, int64_t n, double limit,
                                                                 int (*test)(double, double)) {
    for (int64_t start = 0; start < n; start += scan_block) {
        int64_t end = n - start < scan_block ? n : start + scan_block;
        int any = 0;
        for (int64_t i = start; i < end; i++) any |= test(x[i], limit);
        if (!any) continue;
        for (int64_t i = start; i < end; i++) {
            if (test(x[i], limit)) return i;
        }
    }
    return -1;
}

/// NaN or infinite: not at most the largest double in magnitude.
static inline int beyond_or_nan(double v, double limit) { return !(fabs(v) <= limit); }

/// Above `limit` in magnitude (NaN is not).
static inline int beyond(double v, double limit) { return fabs(v) > limit; }

int64_t persona_first_non_finite(const double *x, int64_t n) { return first_where(x, n, DBL_MAX, beyond_or_nan); }

int64_t persona_first_exceeding(const double *x, int64_t n, double limit) { return first_where(x, n, limit, beyond); }

// Four lanes (value i in lane i mod 4), each the sequential loop, merged in lane order; only
// the sign of a zero extreme can differ from the one loop over all values, and that is fixed
// by finding the first (smallest) or last (largest) zero.
#define NUMBER_SUMMARY(NAME, T)                                                                        \
    void NAME(const T *x, int64_t n, int64_t *present, double *low, double *high, int *binary) {      \
        int64_t count[4] = {0, 0, 0, 0};                                                               \
        double lo[4] = {INFINITY, INFINITY, INFINITY, INFINITY};                                       \
        double hi[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};                                   \
        int other = 0;                                                                                 \
        int64_t i = 0;                                                                                 \
        for (; i + 4 <= n; i += 4) {                                                                   \
            for (int lane = 0; lane < 4; lane++) {                                                     \
                double v = (double)x[i + lane];                                                        \
                int number = v == v;                                                                   \
                count[lane] += number;                                                                 \
                lo[lane] = v < lo[lane] ? v : lo[lane];                                                \
                hi[lane] = v >= hi[lane] ? v : hi[lane];                                               \
                other |= number & (v != 0) & (v != 1);                                                 \
            }                                                                                          \
        }                                                                                              \
        for (; i < n; i++) {                                                                           \
            double v = (double)x[i];                                                                   \
            int number = v == v;                                                                       \
            count[0] += number;                                                                        \
            lo[0] = v < lo[0] ? v : lo[0];                                                             \
            hi[0] = v >= hi[0] ? v : hi[0];                                                            \
            other |= number & (v != 0) & (v != 1);                                                     \
        }                                                                                              \
        double l = lo[0], h = hi[0];                                                                   \
        for (int lane = 1; lane < 4; lane++) {                                                         \
            l = lo[lane] < l ? lo[lane] : l;                                                           \
            h = hi[lane] >= h ? hi[lane] : h;                                                          \
        }                                                                                              \
        if (l == 0) {                                                                                  \
            for (int64_t j = 0; j < n; j++) {                                                          \
                if ((double)x[j] == 0) { l = (double)x[j]; break; }                                    \
            }                                                                                          \
        }                                                                                              \
        if (h == 0) {                                                                                  \
            for (int64_t j = n - 1; j >= 0; j--) {                                                     \
                if ((double)x[j] == 0) { h = (double)x[j]; break; }                                    \
            }                                                                                          \
        }                                                                                              \
        *present = count[0] + count[1] + count[2] + count[3];                                          \
        *low = l;                                                                                      \
        *high = h;                                                                                     \
        *binary = !other;                                                                              \
    }

NUMBER_SUMMARY(persona_number_summary, double)
NUMBER_SUMMARY(persona_number_summary_f32, float)

/// Columns summed side by side: each block's running sums stay in registers across the rows
/// (one summed at a time, as before, reloaded and stored its sum for every element).
enum { sum_block = 8 };

void persona_add_column_sums(const double *restrict x, int64_t rows, int64_t d, const double *restrict centre,
                             double *restrict sums) {
    for (int64_t j0 = 0; j0 < d; j0 += sum_block) {
        if (d - j0 < sum_block) {
            // The last few columns: one after another.
            for (int64_t j = j0; j < d; j++) {
                double sum = sums[j];
                if (centre == NULL) {
                    for (int64_t i = 0; i < rows; i++) sum += x[i * d + j];
                } else {
                    for (int64_t i = 0; i < rows; i++) {
                        double deviation = x[i * d + j] - centre[j];
                        sum += deviation * deviation;
                    }
                }
                sums[j] = sum;
            }
            break;
        }
        double sum[sum_block], at[sum_block];
        for (int k = 0; k < sum_block; k++) {
            sum[k] = sums[j0 + k];
            at[k] = centre == NULL ? 0 : centre[j0 + k];
        }
        const double *column = x + j0;
        if (centre == NULL) {
            for (int64_t i = 0; i < rows; i++) {
                for (int k = 0; k < sum_block; k++) sum[k] += column[i * d + k];
            }
        } else {
            for (int64_t i = 0; i < rows; i++) {
                for (int k = 0; k < sum_block; k++) {
                    double deviation = column[i * d + k] - at[k];
                    sum[k] += deviation * deviation;
                }
            }
        }
        for (int k = 0; k < sum_block; k++) sums[j0 + k] = sum[k];
    }
}

void persona_column_extremes(const double *restrict x, int64_t rows, int64_t d, double *restrict minimums,
                             double *restrict maximums) {
    for (int64_t j0 = 0; j0 < d; j0 += sum_block) {
        int64_t width = d - j0 < sum_block ? d - j0 : sum_block;
        double low[sum_block], high[sum_block];
        for (int64_t k = 0; k < width; k++) {
            low[k] = minimums[j0 + k];
            high[k] = maximums[j0 + k];
        }
        const double *column = x + j0;
        if (width == sum_block) {
            for (int64_t i = 0; i < rows; i++) {
                for (int k = 0; k < sum_block; k++) {
                    double v = column[i * d + k];
                    low[k] = v < low[k] ? v : low[k];
                    high[k] = v >= high[k] ? v : high[k];
                }
            }
        } else {
            for (int64_t i = 0; i < rows; i++) {
                for (int64_t k = 0; k < width; k++) {
                    double v = column[i * d + k];
                    low[k] = v < low[k] ? v : low[k];
                    high[k] = v >= high[k] ? v : high[k];
                }
            }
        }
        for (int64_t k = 0; k < width; k++) {
            minimums[j0 + k] = low[k];
            maximums[j0 + k] = high[k];
        }
    }
}

// The matrix cache's checksum: four lanes of xxHash64's round over the 8-byte words (word i
// in lane i mod 4), merged as xxHash64 merges them, with the byte count. It detects a cut or
// flipped file (any change to one word changes the result); it is not a cryptographic hash,
// and it runs at memory speed where SHA-256 took a fifth of a k-means round.
static const uint64_t checksum_prime1 = 0x9E3779B185EBCA87ULL, checksum_prime2 = 0xC2B2AE3D27D4EB4FULL,
                      checksum_prime4 = 0x85EBCA77C2B2AE63ULL;

static inline uint64_t checksum_round(uint64_t acc, uint64_t word) {
    acc += word * checksum_prime2;
    acc = (acc << 31) | (acc >> 33);
    return acc * checksum_prime1;
}

void persona_checksum_start(uint64_t lanes[4]) {
    lanes[0] = checksum_prime1 + checksum_prime2;
    lanes[1] = checksum_prime2;
    lanes[2] = 0;
    lanes[3] = 0 - checksum_prime1;
}

void persona_checksum_update(uint64_t lanes[4], const uint64_t *words, int64_t count, int64_t position) {
    int64_t i = 0;
    for (; i < count && (position + i) % 4 != 0; i++) lanes[(position + i) % 4] = checksum_round(lanes[(position + i) % 4], words[i]);
    uint64_t a = lanes[0], b = lanes[1], c = lanes[2], d = lanes[3];
    for (; i + 4 <= count; i += 4) {
        a = checksum_round(a, words[i]);
        b = checksum_round(b, words[i + 1]);
        c = checksum_round(c, words[i + 2]);
        d = checksum_round(d, words[i + 3]);
    }
    lanes[0] = a, lanes[1] = b, lanes[2] = c, lanes[3] = d;
    for (; i < count; i++) lanes[(position + i) % 4] = checksum_round(lanes[(position + i) % 4], words[i]);
}

uint64_t persona_checksum_finish(const uint64_t lanes[4], int64_t words) {
    uint64_t h = ((lanes[0] << 1) | (lanes[0] >> 63)) + ((lanes[1] << 7) | (lanes[1] >> 57)) +
                 ((lanes[2] << 12) | (lanes[2] >> 52)) + ((lanes[3] << 18) | (lanes[3] >> 46));
    for (int k = 0; k < 4; k++) {
        h ^= checksum_round(0, lanes[k]);
        h = h * checksum_prime1 + checksum_prime4;
    }
    h += (uint64_t)words * 8;
    h ^= h >> 33;
    h *= checksum_prime2;
    h ^= h >> 29;
    h *= 0x165667B19E3779F9ULL;
    h ^= h >> 32;
    return h;
}
