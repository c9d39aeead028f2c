// Decimal text for the CSV writer: integers, and numbers rounded to a count of significant
// digits, formatted straight into the output buffer. A per-customer output of millions of
// rows spends most of its writing time here, and in Swift each field cost a few calls and
// array checks more than the formatting itself.
#include "ckernels.h"

#include <math.h>
#include <string.h>

/// 10⁰ … 10¹⁹.
static const uint64_t integer_powers[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
    10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull, 1000000000000000ull,
    10000000000000000ull, 100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
};

/// 10⁻⁵ … 10¹⁸ (index e + 5 holds 10ᵉ; exact from 10⁰ up).
static const double double_powers[24] = {
    1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18,
};

/// "00" "01" … "99".
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/// Decimal digits of `value` (1 for 0).
static inline int digit_count(uint64_t value) {
    // bits · 1233 / 4096 (⌊bits · log₁₀ 2⌋, near enough) is the count or one less.
    int bits = value == 0 ? 0 : 64 - __builtin_clzll(value);
    int estimate = (bits * 1233) >> 12;
    int count = estimate + (value >= integer_powers[estimate]);
    return count < 1 ? 1 : count;
}

/// `value`'s last `count` digits, with leading zeros, at `p ..< p + count`, two at a time.
static inline void write_digits(uint64_t value, int count, uint8_t *p) {
    int i = count;
    while (i >= 2) {
        int pair = (int)(value % 100) * 2;
        value /= 100;
        i -= 2;
        p[i] = (uint8_t)digit_pairs[pair];
        p[i + 1] = (uint8_t)digit_pairs[pair + 1];
    }
    if (i == 1) p[0] = (uint8_t)(value % 10) + '0';
}

/// ⌊log₁₀ magnitude⌋ for magnitudes in [1e-4, 1e15): ⌊binary exponent · log₁₀ 2⌋ (exactly
/// `· 1233 >> 12` over this range) or one more, as the next power of ten says; within 1e-13
/// of a power of ten, where the table's rounding or log10's could decide, from `log10`
/// itself, so the result is always `log10`'s.
static inline int decimal_exponent(double magnitude) {
    uint64_t bits;
    memcpy(&bits, &magnitude, sizeof bits);
    int binary = (int)((bits >> 52) & 0x7ff) - 1023;
    int e = (binary * 1233) >> 12;  // an arithmetic shift: ⌊·⌋ for negative exponents too
    e += magnitude >= double_powers[e + 1 + 5];
    if (magnitude < double_powers[e + 5] * (1 + 1e-13) || magnitude > double_powers[e + 1 + 5] * (1 - 1e-13)) {
        return (int)floor(log10(magnitude));
    }
    return e;
}

int64_t persona_decimal_integer(int64_t value, uint8_t *out) {
    uint8_t *p = out;
    if (value < 0) *p++ = '-';
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    int count = digit_count(magnitude);
    write_digits(magnitude, count, p);
    return (int64_t)(p + count - out);
}

int64_t persona_decimal_significant(double value, int64_t significant, uint8_t *out) {
    double magnitude = fabs(value);
    if (!(magnitude >= 1e-4 && magnitude < 1e15) || significant < 1 || significant > 15) return -1;
    int exponent = decimal_exponent(magnitude);
    int decimals = (int)significant - 1 - exponent;
    if (decimals < 0) decimals = 0;
    if (decimals > 18) decimals = 18;
    double scaled = magnitude * double_powers[decimals + 5];
    if (!(scaled < 9.2e18)) return -1;
    // Rounded to nearest, halves away from zero: scaled − ⌊scaled⌋ is exact below 2⁵³, and
    // above it scaled is a whole number already.
    uint64_t whole = (uint64_t)scaled;
    uint64_t units = (uint64_t)((double)whole + (scaled - (double)whole >= 0.5 ? 1 : 0));
    // The integer part (at least one digit), then the fraction without its trailing zeros
    // (and no point when nothing is left of it).
    uint8_t *p = out;
    if (value < 0) *p++ = '-';
    int integer_digits = digit_count(units) - decimals;
    if (integer_digits < 1) integer_digits = 1;
    uint64_t scale = integer_powers[decimals];
    write_digits(units / scale, integer_digits, p);
    p += integer_digits;
    uint64_t fraction = units % scale;
    if (fraction == 0) return (int64_t)(p - out);
    int digits = decimals;
    while (fraction % 10 == 0) {
        fraction /= 10;
        digits--;
    }
    *p++ = '.';
    write_digits(fraction, digits, p);
    return (int64_t)(p + digits - out);
}
