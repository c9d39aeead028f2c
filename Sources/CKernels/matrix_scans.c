// Whole-matrix passes that every run makes before k-means (the checks for values that do not
// belong in a feature matrix, and the scaler's column sums) as plain loops the compiler
// vectorises: in Swift each was a call through a closure per element, four times slower than
// reading the memory.
#include "ckernels.h"

#include <math.h>
#include <string.h>

// A product added to a sum must be rounded twice, as Swift rounds it, never fused.
#pragma STDC FP_CONTRACT OFF

/// Elements checked together before looking for which one it was.
enum { scan_block = 256 };

static inline int is_non_finite(const double *x) {
    uint64_t bits;
    memcpy(&bits, x, 8);
    return (bits & 0x7FF0000000000000ull) == 0x7FF0000000000000ull;
}

int64_t persona_first_non_finite(const double *x, int64_t n) {
    for (int64_t start = 0; start < n; start += scan_block) {
        int64_t end = n - start < scan_block ? n : start + scan_block;
        int any = 0;
        for (int64_t i = start; i < end; i++) any |= is_non_finite(x + i);
        if (!any) continue;
        for (int64_t i = start; i < end; i++) {
            if (is_non_finite(x + i)) return i;
        }
    }
    return -1;
}

int64_t persona_first_exceeding(const double *x, int64_t n, double limit) {
    for (int64_t start = 0; start < n; start += scan_block) {
        int64_t end = n - start < scan_block ? n : start + scan_block;
        int any = 0;
        for (int64_t i = start; i < end; i++) any |= fabs(x[i]) > limit;
        if (!any) continue;
        for (int64_t i = start; i < end; i++) {
            if (fabs(x[i]) > limit) return i;
        }
    }
    return -1;
}

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
