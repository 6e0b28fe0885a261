#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>

/* Row kernels written with AVX2/FMA intrinsics where Swift's SIMD types cannot express what the
   profile needs (fused multiply-adds, in-register row reductions). Each works on rows
   [row_begin, row_end) of a rows x n buffer; the caller splits rows across threads. */

/* y = softmax(scale * x + bias[row / rows_per_bias]) row by row, stable (the row maximum is
   subtracted first); bias (one row of n per rows_per_bias rows: an attention mask) may be NULL.
   x and y may be the same buffer. */
void ck_softmax_forward(const float *x, float *y, int64_t row_begin, int64_t row_end, int64_t n,
                        float scale, const float *bias, int64_t rows_per_bias);

/* dx = scale * y * (dy - sum(dy * y)) row by row, from the forward output y. */
void ck_softmax_backward(const float *y, const float *dy, float *dx, int64_t row_begin, int64_t row_end,
                         int64_t n, float scale);

/* y = (x - mean) * rstd * weight + bias row by row; saves each row's mean and rstd. */
void ck_layer_norm_forward(const float *x, const float *weight, const float *bias, float *y, float *mean, float *rstd,
                           int64_t row_begin, int64_t row_end, int64_t n, float eps);

/* dx of layer normalisation from the saved mean and rstd; adds each row's weight and bias gradients
   (dy·x̂ and dy) into dweight_partial and dbias_partial, buffers of n owned by the calling thread. */
void ck_layer_norm_backward(const float *x, const float *weight, const float *mean, const float *rstd, const float *dy,
                            float *dx, float *dweight_partial, float *dbias_partial,
                            int64_t row_begin, int64_t row_end, int64_t n);

/* y[i] = x[i] rounded to the nearest bfloat16 (ties to even) for i in [begin, end), kept as a float;
   a NaN stays a NaN. x and y may be the same buffer. */
void ck_round_to_bf16(const float *x, float *y, int64_t begin, int64_t end);

/* The same rounding, stored as bfloat16 bit patterns (the operands of oneDNN's bf16 kernels). */
void ck_convert_to_bf16(const float *x, uint16_t *y, int64_t begin, int64_t end);

#endif
