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

void persona_add_column_sums(const double *x, int64_t rows, int64_t d, const double *centre, double *sums) {
    if (centre == NULL) {
        for (int64_t i = 0; i < rows; i++) {
            const double *row = x + i * d;
            for (int64_t j = 0; j < d; j++) sums[j] += row[j];
        }
    } else {
        for (int64_t i = 0; i < rows; i++) {
            const double *row = x + i * d;
            for (int64_t j = 0; j < d; j++) {
                double deviation = row[j] - centre[j];
                sums[j] += deviation * deviation;
            }
        }
    }
}
