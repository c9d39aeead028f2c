// Plain decimal fields of a CSV record, parsed eight bytes at a time. A numeric export spends
// most of its reading time here: one call per record parses the run of numeric columns and
// writes each value into its column, so the Swift record loop sees one field instead of 16.
#include "ckernels.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const double exact_powers_of_ten[16] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

static const uint64_t integer_powers_of_ten[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

/// The most significant digits a plain field may have: the mantissa stays below 2^53, so it
/// and the power of ten are exact doubles and the quotient is rounded once.
enum { plain_digit_limit = 15 };

/// Bytes a field's fast scan may read from its start: a sign, two windows of integer digits,
/// the point and two windows of fraction digits, with room to spare.
enum { plain_window_reach = 48 };

/// The eight bytes at `p` with each ASCII digit turned into its value (0–9); other bytes
/// become values of 10 or more.
static inline uint64_t digit_values(const uint8_t *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x ^ 0x3030303030303030ull;
}

/// How many of the eight values, from the lowest byte (the first in memory), are digits
/// before the first that is not. A byte's high bit in `(v + 0x76…) | v` is set exactly when
/// its value is 10 or more; a carry out of a byte only comes from a byte whose own value is
/// 0x8A or more, so the lowest set bit is the first non-digit's.
static inline int leading_digits(uint64_t v) {
    uint64_t high = ((v + 0x7676767676767676ull) | v) & 0x8080808080808080ull;
    return high == 0 ? 8 : __builtin_ctzll(high) >> 3;
}

/// The number the first `n` (1–8) values of `v` spell, the first being the most significant
/// (the eight-digit conversion of Lemire's fast_float, with the digits shifted to the top so
/// the bytes below them are leading zeros).
static inline uint64_t digits_number(uint64_t v, int n) {
    v <<= 8 * (8 - n);
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFull) * 0x000F424000000064ull)
         + (((v >> 16) & 0x000000FF000000FFull) * 0x0000271000000001ull)) >> 32;
    return (uint32_t)v;
}

/// Adds the run of digits at `*p` to `*mantissa` (times ten per digit) and counts them; stops
/// after more than `plain_digit_limit` digits (the caller then gives up on the field).
static inline __attribute__((always_inline)) int scan_digits(const uint8_t **p, uint64_t *mantissa) {
    int count = 0;
    for (;;) {
        uint64_t v = digit_values(*p);
        int n = leading_digits(v);
        if (n > 0) *mantissa = *mantissa * integer_powers_of_ten[n] + digits_number(v, n);
        *p += n;
        count += n;
        if (n < 8 || count > plain_digit_limit) return count;
    }
}

static inline int is_field_end(const uint8_t *p, const uint8_t *end, uint8_t delimiter) {
    return p == end || *p == delimiter || *p == '\n' || *p == '\r';
}

/// The plain decimal at `p`, eight bytes at a time, whatever follows it: where it ends, or
/// NULL when it has no digit or more than `plain_digit_limit`. The caller checks that it ends
/// where the field does. Reads up to `plain_window_reach` bytes from `p`.
static inline __attribute__((always_inline)) const uint8_t *scan_plain(const uint8_t *p, double *value) {
    int negative = *p == '-';
    p += negative;
    uint64_t mantissa = 0;
    int digits = scan_digits(&p, &mantissa);
    int fraction = 0;
    if (digits <= plain_digit_limit && *p == '.') {
        p++;
        fraction = scan_digits(&p, &mantissa);
    }
    if (digits + fraction == 0 || digits + fraction > plain_digit_limit) return NULL;
    double magnitude = (double)mantissa / exact_powers_of_ten[fraction];
    *value = negative ? -magnitude : magnitude;
    return p;
}

/// Bit i is set when `p[i]` (0 ≤ i < 64) ends a field: the delimiter or a line end.
static inline uint64_t field_ends(const uint8_t *p, uint8_t delimiter) {
    uint64_t mask = 0;
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8((char)delimiter), n = _mm_set1_epi8('\n'), r = _mm_set1_epi8('\r');
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_or_si128(_mm_cmpeq_epi8(v, n), _mm_cmpeq_epi8(v, r)));
        mask |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * k);
    }
#else
    for (int i = 0; i < 64; i++) mask |= (uint64_t)(p[i] == delimiter || p[i] == '\n' || p[i] == '\r') << i;
#endif
    return mask;
}

/// `scan_plain` for a field with fewer than `plain_window_reach` bytes left before `end`: on a
/// copy of the rest followed by zero bytes (neither digits nor a point, so the number stops
/// where the data does).
static const uint8_t *scan_plain_near_end(const uint8_t *p, const uint8_t *end, double *value) {
    uint8_t tail[2 * plain_window_reach] = {0};
    memcpy(tail, p, (size_t)(end - p));
    const uint8_t *stop = scan_plain(tail, value);
    return stop == NULL ? NULL : p + (stop - tail);
}

/// Fields one after the other, each found by parsing it (near the end of the data, and for a
/// delimiter that can be part of a number).
static int64_t parse_fields_in_turn(const uint8_t *p, const uint8_t *end, uint8_t delimiter, double *const *columns,
                                    int64_t row, int64_t count, const uint8_t **stop) {
    int64_t parsed = 0;
    while (parsed < count) {
        double value;
        const uint8_t *field_end = end - p >= plain_window_reach ? scan_plain(p, &value) : scan_plain_near_end(p, end, &value);
        if (field_end == NULL || !is_field_end(field_end, end, delimiter)) break;
        columns[parsed][row] = value;
        parsed++;
        *stop = field_end;
        if (field_end == end || *field_end != delimiter) break;
        p = field_end + 1;
    }
    return parsed;
}

int64_t persona_parse_plain_fields(const uint8_t *p, const uint8_t *end, uint8_t delimiter, double *const *columns,
                                   int64_t row, int64_t count, const uint8_t **stop) {
    *stop = p;
    if (delimiter == '-' || delimiter == '.' || (uint8_t)(delimiter - '0') < 10) {
        return parse_fields_in_turn(p, end, delimiter, columns, row, count, stop);
    }
    // Where each field ends comes from a mask of the delimiters and line ends 64 bytes at a
    // time, not from parsing the field before it, so the parses of neighbouring fields do
    // not wait for one another.
    // A field starts at most 64 bytes into the chunk that holds its end, so the 64 + reach
    // bytes a chunk needs before `end` leave every field's scan its reach.
    int64_t parsed = 0;
    const uint8_t *chunk = p;
    uint64_t ends = 0;
    int loaded = 0;
    while (parsed < count) {
        while (ends == 0) {
            if (loaded) chunk += 64;
            if (end - chunk < 64 + plain_window_reach) {
                int64_t rest = parse_fields_in_turn(p, end, delimiter, columns + parsed, row, count - parsed, stop);
                return parsed + rest;
            }
            ends = field_ends(chunk, delimiter);
            loaded = 1;
        }
        const uint8_t *field_end = chunk + __builtin_ctzll(ends);
        ends &= ends - 1;
        double value;
        if (scan_plain(p, &value) != field_end) break;
        columns[parsed][row] = value;
        parsed++;
        *stop = field_end;
        if (*field_end != delimiter) break;
        p = field_end + 1;
    }
    return parsed;
}

/// 0x80 in each byte of `x` that is zero, 0 in the others (exact: no carry crosses a byte).
static inline uint64_t zero_bytes(uint64_t x) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
    return ~(((x & low7) + low7) | x) & ~low7;
}

int64_t persona_skip_plain_fields(const uint8_t *p, const uint8_t *end, uint8_t delimiter, const uint8_t **stop) {
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t delimiters_word = ones * delimiter, newlines = ones * '\n', returns = ones * '\r', quotes = ones * '"';
    const uint8_t *first = p;
    int64_t delimiters = 0;
    while (p < end) {
        if (end - p >= 8) {
            uint64_t word;
            memcpy(&word, p, 8);
            if ((zero_bytes(word ^ newlines) | zero_bytes(word ^ returns) | zero_bytes(word ^ quotes)) == 0) {
                delimiters += __builtin_popcountll(zero_bytes(word ^ delimiters_word));
                p += 8;
                continue;
            }
        }
        // A line end or a quote in these eight bytes (or the last few bytes): one at a time.
        const uint8_t *word_end = end - p >= 8 ? p + 8 : end;
        for (; p < word_end; p++) {
            uint8_t b = *p;
            if (b == '\n' || b == '\r') {
                *stop = p;
                return delimiters;
            }
            if (b == delimiter) {
                delimiters++;
            } else if (b == '"' && (p == first || p[-1] == delimiter)) {
                *stop = p;
                return delimiters;
            }
        }
    }
    *stop = end;
    return delimiters;
}
