#include "ckernels.h"
#include "vectors.h"

/* The float bit pattern rounded to bfloat16 (ties to even), low half zero; a NaN whose payload
   sits in the low half is kept a (quiet) NaN instead of rounding to infinity. */
static inline uint32_t rounded_bits(uint32_t bits) {
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (bits | 0x00400000u) & 0xFFFF0000u;
    return (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
}

/* rounded_bits on eight lanes. */
static inline __m256i rounded_bits8(__m256i bits) {
    const __m256i high = _mm256_set1_epi32((int)0xFFFF0000u);
    __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
    __m256i rounded = _mm256_and_si256(_mm256_add_epi32(bits, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7FFF))), high);
    /* Both sides are below 2^31 after the sign is masked off, so the signed compare is exact. */
    __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F800000));
    __m256i quiet = _mm256_and_si256(_mm256_or_si256(bits, _mm256_set1_epi32(0x00400000)), high);
    return _mm256_blendv_epi8(rounded, quiet, nan);
}

void ck_round_to_bf16(const float *x, float *y, int64_t begin, int64_t end) {
    int64_t i = begin;
    for (; i + 8 <= end; i += 8) {
        __m256i bits = _mm256_loadu_si256((const __m256i *)(x + i));
        _mm256_storeu_si256((__m256i *)(y + i), rounded_bits8(bits));
    }
    for (; i < end; i++) {
        uint32_t bits;
        __builtin_memcpy(&bits, x + i, 4);
        bits = rounded_bits(bits);
        __builtin_memcpy(y + i, &bits, 4);
    }
}

void ck_convert_to_bf16(const float *x, uint16_t *y, int64_t begin, int64_t end) {
    int64_t i = begin;
    for (; i + 16 <= end; i += 16) {
        __m256i a = _mm256_srli_epi32(rounded_bits8(_mm256_loadu_si256((const __m256i *)(x + i))), 16);
        __m256i b = _mm256_srli_epi32(rounded_bits8(_mm256_loadu_si256((const __m256i *)(x + i + 8))), 16);
        /* packus interleaves the 128-bit halves (a0-3 b0-3 a4-7 b4-7); the permute restores order. */
        __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8);
        _mm256_storeu_si256((__m256i *)(y + i), packed);
    }
    for (; i < end; i++) {
        uint32_t bits;
        __builtin_memcpy(&bits, x + i, 4);
        y[i] = (uint16_t)(rounded_bits(bits) >> 16);
    }
}
