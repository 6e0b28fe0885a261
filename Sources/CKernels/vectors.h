#ifndef CKERNELS_VECTORS_H
#define CKERNELS_VECTORS_H
#include <immintrin.h>
#include <stdint.h>

/* Lanes j..j+7 that lie inside a row of n: all ones, or the first n - j for the row's tail. */
static inline __m256i lanes(int64_t j, int64_t n) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - j < 8 ? n - j : 8)), index);
}

/* Eight floats of a row of n from column j: a plain load, or a masked one (zeros past the end) for
   the row's tail only, since AMD cores microcode masked moves. */
static inline __m256 load_row(const float *p, int64_t j, int64_t n) {
    return j + 8 <= n ? _mm256_loadu_ps(p + j) : _mm256_maskload_ps(p + j, lanes(j, n));
}

/* Stores the lanes of v that lie inside a row of n from column j. */
static inline void store_row(float *p, int64_t j, int64_t n, __m256 v) {
    if (j + 8 <= n) _mm256_storeu_ps(p + j, v); else _mm256_maskstore_ps(p + j, lanes(j, n), v);
}

/* v with the lanes past a row of n from column j replaced by fill. */
static inline __m256 inside_row(__m256 v, int64_t j, int64_t n, __m256 fill) {
    return j + 8 <= n ? v : _mm256_blendv_ps(fill, v, _mm256_castsi256_ps(lanes(j, n)));
}

/* The sum of the eight lanes, in every lane (no trip through a scalar). */
static inline __m256 all_sum8(__m256 v) {
    v = _mm256_add_ps(v, _mm256_permute2f128_ps(v, v, 1));
    v = _mm256_add_ps(v, _mm256_permute_ps(v, 0x4E));
    return _mm256_add_ps(v, _mm256_permute_ps(v, 0xB1));
}

/* The sum of the eight lanes. */
static inline float hsum8(__m256 v) { return _mm256_cvtss_f32(all_sum8(v)); }

#endif
