#include "ckernels.h"
#include "vectors.h"
#include <math.h>

void ck_layer_norm_forward(const float *x, const float *weight, const float *bias, float *y, float *mean, float *rstd,
                           int64_t row_begin, int64_t row_end, int64_t n, float eps) {
    for (int64_t r = row_begin; r < row_end; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n;
        /* Mean and variance in one pass of values shifted by the row's first element, which keeps
           Σd² - (Σd)²/n free of the cancellation unshifted sums suffer when the mean is large. */
        const float shift = xr[0];
        const __m256 shifts = _mm256_set1_ps(shift);
        /* Two accumulators each: one add chain per sum would make the pass latency-bound. */
        __m256 sums0 = _mm256_setzero_ps(), squares0 = _mm256_setzero_ps();
        __m256 sums1 = _mm256_setzero_ps(), squares1 = _mm256_setzero_ps();
        int64_t j = 0;
        for (; j + 16 <= n; j += 16) {
            const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(xr + j), shifts);
            const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(xr + j + 8), shifts);
            sums0 = _mm256_add_ps(sums0, d0);
            sums1 = _mm256_add_ps(sums1, d1);
            squares0 = _mm256_fmadd_ps(d0, d0, squares0);
            squares1 = _mm256_fmadd_ps(d1, d1, squares1);
        }
        for (; j < n; j += 8) {
            const __m256 d = inside_row(_mm256_sub_ps(load_row(xr, j, n), shifts), j, n, _mm256_setzero_ps());
            sums0 = _mm256_add_ps(sums0, d);
            squares0 = _mm256_fmadd_ps(d, d, squares0);
        }
        const float shifted_mean = hsum8(_mm256_add_ps(sums0, sums1)) / (float)n, mu = shift + shifted_mean;
        float variance = hsum8(_mm256_add_ps(squares0, squares1)) / (float)n - shifted_mean * shifted_mean;
        if (variance < 0) variance = 0;
        const float s = 1.0f / sqrtf(variance + eps);
        const __m256 mus = _mm256_set1_ps(mu), ss = _mm256_set1_ps(s);
        for (j = 0; j < n; j += 8) {
            const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(load_row(xr, j, n), mus), ss);
            store_row(yr, j, n, _mm256_fmadd_ps(xhat, load_row(weight, j, n), load_row(bias, j, n)));
        }
        mean[r] = mu;
        rstd[r] = s;
    }
}

void ck_layer_norm_backward(const float *x, const float *weight, const float *mean, const float *rstd, const float *dy,
                            float *dx, float *dweight_partial, float *dbias_partial,
                            int64_t row_begin, int64_t row_end, int64_t n) {
    for (int64_t r = row_begin; r < row_end; r++) {
        const float *xr = x + r * n, *dyr = dy + r * n;
        float *dxr = dx + r * n;
        const __m256 mus = _mm256_set1_ps(mean[r]), ss = _mm256_set1_ps(rstd[r]);
        /* Σ g and Σ g·x̂ with g = dy·w, in one pass (two accumulators each, as above). */
        __m256 acc_g0 = _mm256_setzero_ps(), acc_gx0 = _mm256_setzero_ps();
        __m256 acc_g1 = _mm256_setzero_ps(), acc_gx1 = _mm256_setzero_ps();
        int64_t j = 0;
        for (; j + 16 <= n; j += 16) {
            const __m256 g0 = _mm256_mul_ps(_mm256_loadu_ps(dyr + j), _mm256_loadu_ps(weight + j));
            const __m256 g1 = _mm256_mul_ps(_mm256_loadu_ps(dyr + j + 8), _mm256_loadu_ps(weight + j + 8));
            acc_g0 = _mm256_add_ps(acc_g0, g0);
            acc_g1 = _mm256_add_ps(acc_g1, g1);
            acc_gx0 = _mm256_fmadd_ps(g0, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + j), mus), ss), acc_gx0);
            acc_gx1 = _mm256_fmadd_ps(g1, _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + j + 8), mus), ss), acc_gx1);
        }
        for (; j < n; j += 8) {
            const __m256 g = _mm256_mul_ps(load_row(dyr, j, n), load_row(weight, j, n));
            acc_g0 = _mm256_add_ps(acc_g0, g);
            acc_gx0 = _mm256_fmadd_ps(g, _mm256_mul_ps(_mm256_sub_ps(load_row(xr, j, n), mus), ss), acc_gx0);
        }
        const __m256 mean_g = _mm256_set1_ps(hsum8(_mm256_add_ps(acc_g0, acc_g1)) / (float)n);
        const __m256 mean_gx = _mm256_set1_ps(hsum8(_mm256_add_ps(acc_gx0, acc_gx1)) / (float)n);
        for (j = 0; j < n; j += 8) {
            const __m256 d = load_row(dyr, j, n);
            const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(load_row(xr, j, n), mus), ss);
            const __m256 g = _mm256_mul_ps(d, load_row(weight, j, n));
            store_row(dxr, j, n, _mm256_mul_ps(ss, _mm256_sub_ps(_mm256_sub_ps(g, mean_g), _mm256_mul_ps(xhat, mean_gx))));
            store_row(dweight_partial, j, n, _mm256_fmadd_ps(d, xhat, load_row(dweight_partial, j, n)));
            store_row(dbias_partial, j, n, _mm256_add_ps(d, load_row(dbias_partial, j, n)));
        }
    }
}
