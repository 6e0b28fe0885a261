#include "ckernels.h"
#include "vectors.h"

/* e^x on eight lanes: Cephes' expf reduction and polynomial (relative error below 2e-7 on
   [-87, 88]) with fused multiply-adds; inputs are clamped to [-88, 88]. */
static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-88.0f)), _mm256_set1_ps(88.0f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* 2^n from the exponent bits; n = -127 (x = -88) gives exactly 0. */
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

void ck_softmax_forward(const float *x, float *y, int64_t row_begin, int64_t row_end, int64_t n,
                        float scale, const float *bias, int64_t rows_per_bias) {
    const __m256 scales = _mm256_set1_ps(scale), minus_infinity = _mm256_set1_ps(-__builtin_inff());
    int64_t bias_row = row_begin / rows_per_bias, until_next = rows_per_bias - row_begin % rows_per_bias;
    for (int64_t r = row_begin; r < row_end; r++) {
        const float *xr = x + r * n, *br = bias ? bias + bias_row * n : 0;
        float *yr = y + r * n;
        if (--until_next == 0) { bias_row++; until_next = rows_per_bias; }
        /* Pass 1: scores and their maximum (lanes past the row's end count as -inf). */
        __m256 maxima = minus_infinity;
        for (int64_t j = 0; j < n; j += 8) {
            __m256 v = _mm256_mul_ps(load_row(xr, j, n), scales);
            if (br) v = _mm256_add_ps(v, load_row(br, j, n));
            store_row(yr, j, n, v);
            maxima = _mm256_max_ps(maxima, inside_row(v, j, n, minus_infinity));
        }
        /* Pass 2: exponentials and their sum; pass 3: normalise. */
        const __m256 shift = _mm256_set1_ps(hmax8(maxima));
        __m256 sums = _mm256_setzero_ps();
        for (int64_t j = 0; j < n; j += 8) {
            __m256 e = inside_row(exp8(_mm256_sub_ps(load_row(yr, j, n), shift)), j, n, _mm256_setzero_ps());
            store_row(yr, j, n, e);
            sums = _mm256_add_ps(sums, e);
        }
        const __m256 inv = _mm256_set1_ps(1.0f / hsum8(sums));
        for (int64_t j = 0; j < n; j += 8) {
            store_row(yr, j, n, _mm256_mul_ps(load_row(yr, j, n), inv));
        }
    }
}

void ck_softmax_backward(const float *y, const float *dy, float *dx, int64_t row_begin, int64_t row_end,
                         int64_t n, float scale) {
    const __m256 scales = _mm256_set1_ps(scale);
    for (int64_t r = row_begin; r < row_end; r++) {
        const float *yr = y + r * n, *dyr = dy + r * n;
        float *dxr = dx + r * n;
        __m256 dots = _mm256_setzero_ps();
        for (int64_t j = 0; j < n; j += 8) {
            dots = _mm256_fmadd_ps(load_row(dyr, j, n), load_row(yr, j, n), dots);
        }
        const __m256 dot = _mm256_set1_ps(hsum8(dots));
        for (int64_t j = 0; j < n; j += 8) {
            __m256 sy = _mm256_mul_ps(scales, load_row(yr, j, n));
            store_row(dxr, j, n, _mm256_mul_ps(sy, _mm256_sub_ps(load_row(dyr, j, n), dot)));
        }
    }
}
