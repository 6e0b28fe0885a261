#include "ckernels.h"
#include "vectors.h"

/* e^x on eight lanes for x <= 0 (softmax subtracts the row maximum first): Cephes' expf reduction
   and polynomial (relative error below 2e-7), the polynomial evaluated by Estrin's scheme and the
   rounding of x·log2(e) done by adding 1.5·2^23 + 127, whose low bits are then the exponent field
   of 2^n: both shorten the dependency chain, which bounds short rows. x = -88 and below give 2^-127
   as exactly 0, so lanes of -inf vanish. */
static inline __m256 exp8(__m256 x) {
    const __m256 magic = _mm256_set1_ps(12583039.0f); /* 1.5·2^23 + 127 */
    x = _mm256_max_ps(x, _mm256_set1_ps(-88.0f));
    const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    const __m256 n = _mm256_sub_ps(t, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    const __m256 r2 = _mm256_mul_ps(r, r), r4 = _mm256_mul_ps(r2, r2);
    const __m256 q0 = _mm256_fmadd_ps(_mm256_set1_ps(1.6666665459e-1f), r, _mm256_set1_ps(5.0000001201e-1f));
    const __m256 q1 = _mm256_fmadd_ps(_mm256_set1_ps(8.3334519073e-3f), r, _mm256_set1_ps(4.1665795894e-2f));
    const __m256 q2 = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
    const __m256 p = _mm256_fmadd_ps(q2, r4, _mm256_fmadd_ps(q1, r2, q0));
    const __m256 y = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    return _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23)));
}

/* The maximum of the eight lanes, in every lane (no trip through a scalar). */
static inline __m256 all_max8(__m256 v) {
    v = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
    v = _mm256_max_ps(v, _mm256_permute_ps(v, 0x4E));
    return _mm256_max_ps(v, _mm256_permute_ps(v, 0xB1));
}

/* Rows of at most SMALL_ROW_VECTORS vectors (attention over short sequences) stay in registers,
   ROWS_AT_ONCE rows at a time: one row's reduce-exp-reduce chain is mostly latency, and independent
   rows fill it. nv is a compile-time constant after inlining, so the loops unroll. */
#define SMALL_ROW_VECTORS 8
#define ROWS_AT_ONCE 4

static inline __attribute__((always_inline)) void softmax_forward_rows(
    const float *x, float *y, const float *bias, int64_t rows_per_bias, int64_t r, int64_t n, __m256 scales, const int nv) {
    const __m256 minus_infinity = _mm256_set1_ps(-__builtin_inff());
    __m256 v[ROWS_AT_ONCE][SMALL_ROW_VECTORS], m[ROWS_AT_ONCE][SMALL_ROW_VECTORS], total[ROWS_AT_ONCE];
    for (int i = 0; i < ROWS_AT_ONCE; i++) {
        const float *xr = x + (r + i) * n, *br = bias ? bias + ((r + i) / rows_per_bias) * n : 0;
        for (int k = 0; k < nv; k++) {
            v[i][k] = _mm256_mul_ps(load_row(xr, 8 * k, n), scales);
            if (br) v[i][k] = _mm256_add_ps(v[i][k], load_row(br, 8 * k, n));
            m[i][k] = v[i][k] = inside_row(v[i][k], 8 * k, n, minus_infinity);
        }
    }
    /* Reductions as trees (a maximum, and a sum of positive terms, need no fixed order). */
    for (int i = 0; i < ROWS_AT_ONCE; i++) {
        for (int width = 1; width < nv; width *= 2)
            for (int k = 0; k + width < nv; k += 2 * width) m[i][k] = _mm256_max_ps(m[i][k], m[i][k + width]);
        total[i] = all_max8(m[i][0]);
    }
    /* Lanes past the row's end hold -inf, whose exponential is exactly 0. */
    for (int i = 0; i < ROWS_AT_ONCE; i++)
        for (int k = 0; k < nv; k++) m[i][k] = v[i][k] = exp8(_mm256_sub_ps(v[i][k], total[i]));
    for (int i = 0; i < ROWS_AT_ONCE; i++) {
        for (int width = 1; width < nv; width *= 2)
            for (int k = 0; k + width < nv; k += 2 * width) m[i][k] = _mm256_add_ps(m[i][k], m[i][k + width]);
        total[i] = _mm256_div_ps(_mm256_set1_ps(1.0f), all_sum8(m[i][0]));
    }
    for (int i = 0; i < ROWS_AT_ONCE; i++)
        for (int k = 0; k < nv; k++) store_row(y + (r + i) * n, 8 * k, n, _mm256_mul_ps(v[i][k], total[i]));
}

/* One row of any width in three passes over y. */
static void softmax_forward_row(const float *xr, float *yr, const float *br, int64_t n, __m256 scales) {
    const __m256 minus_infinity = _mm256_set1_ps(-__builtin_inff());
    __m256 maxima = minus_infinity;
    for (int64_t j = 0; j < n; j += 8) {
        __m256 v = _mm256_mul_ps(load_row(xr, j, n), scales);
        if (br) v = _mm256_add_ps(v, load_row(br, j, n));
        store_row(yr, j, n, v);
        maxima = _mm256_max_ps(maxima, inside_row(v, j, n, minus_infinity));
    }
    const __m256 shift = all_max8(maxima);
    __m256 sums = _mm256_setzero_ps();
    for (int64_t j = 0; j < n; j += 8) {
        __m256 e = inside_row(exp8(_mm256_sub_ps(load_row(yr, j, n), shift)), j, n, _mm256_setzero_ps());
        store_row(yr, j, n, e);
        sums = _mm256_add_ps(sums, e);
    }
    const __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.0f), all_sum8(sums));
    for (int64_t j = 0; j < n; j += 8) {
        store_row(yr, j, n, _mm256_mul_ps(load_row(yr, j, n), inv));
    }
}

#define SMALL_FORWARD_CASE(k) case k: softmax_forward_rows(x, y, bias, rows_per_bias, r, n, scales, k); break;

void ck_softmax_forward(const float *x, float *y, int64_t row_begin, int64_t row_end, int64_t n,
                        float scale, const float *bias, int64_t rows_per_bias) {
    const __m256 scales = _mm256_set1_ps(scale);
    const int64_t nv = (n + 7) / 8;
    int64_t r = row_begin;
    if (nv <= SMALL_ROW_VECTORS) {
        for (; r + ROWS_AT_ONCE <= row_end; r += ROWS_AT_ONCE) {
            switch (nv) {
                SMALL_FORWARD_CASE(1) SMALL_FORWARD_CASE(2) SMALL_FORWARD_CASE(3) SMALL_FORWARD_CASE(4)
                SMALL_FORWARD_CASE(5) SMALL_FORWARD_CASE(6) SMALL_FORWARD_CASE(7) SMALL_FORWARD_CASE(8)
            }
        }
    }
    for (; r < row_end; r++) {
        softmax_forward_row(x + r * n, y + r * n, bias ? bias + (r / rows_per_bias) * n : 0, n, scales);
    }
}

void ck_softmax_backward(const float *y, const float *dy, float *dx, int64_t row_begin, int64_t row_end,
                         int64_t n, float scale) {
    const __m256 scales = _mm256_set1_ps(scale);
    for (int64_t r = row_begin; r < row_end; r++) {
        const float *yr = y + r * n, *dyr = dy + r * n;
        float *dxr = dx + r * n;
        /* Two accumulators halve the add chain's latency on short rows. */
        __m256 dots0 = _mm256_setzero_ps(), dots1 = _mm256_setzero_ps();
        int64_t j = 0;
        for (; j + 16 <= n; j += 16) {
            dots0 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j), _mm256_loadu_ps(yr + j), dots0);
            dots1 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j + 8), _mm256_loadu_ps(yr + j + 8), dots1);
        }
        for (; j < n; j += 8) {
            dots0 = _mm256_fmadd_ps(load_row(dyr, j, n), load_row(yr, j, n), dots0);
        }
        const __m256 dot = all_sum8(_mm256_add_ps(dots0, dots1));
        for (j = 0; j < n; j += 8) {
            __m256 sy = _mm256_mul_ps(scales, load_row(yr, j, n));
            store_row(dxr, j, n, _mm256_mul_ps(sy, _mm256_sub_ps(load_row(dyr, j, n), dot)));
        }
    }
}
