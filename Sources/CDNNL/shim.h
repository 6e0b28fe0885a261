#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* mremap */
#endif
#include <dnnl.h>
#include <string.h>
#include <malloc.h>  /* mallopt: the engine keeps freed buffers in the heap; memalign */
#include <sys/mman.h>

/* Moves the pages of [from, from + length) to [to, to + length), replacing what was mapped there,
   without copying or faulting them in: the tensor allocator recycles the pages of freed buffers
   into buffers of another size (mremap is variadic, which Swift cannot call). The source range
   must lie in one mapping. Returns 0, or -1 with errno set (both ranges then stay as they were). */
static inline int cdnnl_move_pages(void *from, size_t length, void *to) {
    return mremap(from, length, length, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED ? -1 : 0;
}

/* libgomp's entry point for a parallel region. oneDNN (Debian build) runs its GEMMs on libgomp's
   thread pool; running the engine's own kernels on the same pool avoids two pools fighting over
   two cores (idle OpenMP workers keep spinning for a while after every GEMM). */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
int omp_in_parallel(void);

/* Copies `pd`'s implementation name (e.g. "jit:avx512_core") into `impl`; nothing when `impl` is NULL. */
static inline void cdnnl_impl_name(const_dnnl_primitive_desc_t pd, char *impl, size_t impl_len) {
    if (!impl || impl_len == 0) return;
    const char *name = NULL;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    strncpy(impl, name ? name : "", impl_len - 1);
    impl[impl_len - 1] = 0;
}

/* Batched row-major matmul C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b] through oneDNN's matmul
   primitive. op() transposes through strides, so no copies are made. A batch stride of 0 broadcasts
   that operand over the batch. `operands` is dnnl_f32 (A and B are floats) or dnnl_bf16 (A and B
   are bfloat16 bit patterns); C is always f32 with f32 accumulation. `ldc` is C's row stride.
   When `impl` is not NULL, the implementation oneDNN chose (e.g. "brg:avx512_core_amx_bf16") is
   copied there, at most `impl_len` bytes with the terminating NUL. Written in C because oneDNN's
   fixed-size dims arrays are clumsy to build from Swift. oneDNN caches primitives by descriptor,
   so repeated shapes are cheap. */
static inline dnnl_status_t cdnnl_batched_matmul(
        dnnl_engine_t engine, dnnl_stream_t stream, int64_t batch, int64_t m, int64_t n, int64_t k,
        int trans_a, int trans_b, dnnl_data_type_t operands, const void *a, int64_t stride_a,
        const void *b, int64_t stride_b, float *c, int64_t ldc, float alpha, float beta,
        char *impl, size_t impl_len) {
    /* A broadcast operand is a batch of one. Its batch stride must still be the matrix size:
       oneDNN 2.6 matches no optimised implementation to a stride of 0 (it runs ref:any). */
    dnnl_dims_t a_dims = {stride_a == 0 ? 1 : batch, m, k}, b_dims = {stride_b == 0 ? 1 : batch, k, n};
    dnnl_dims_t c_dims = {batch, m, n};
    dnnl_dims_t a_strides = {stride_a == 0 ? m * k : stride_a, trans_a ? 1 : k, trans_a ? m : 1};
    dnnl_dims_t b_strides = {stride_b == 0 ? k * n : stride_b, trans_b ? 1 : n, trans_b ? k : 1};
    dnnl_dims_t c_strides = {m * ldc, ldc, 1};
    dnnl_memory_desc_t a_md, b_md, c_md;
    dnnl_status_t st;
    if ((st = dnnl_memory_desc_init_by_strides(&a_md, 3, a_dims, operands, a_strides)) != dnnl_success) return st;
    if ((st = dnnl_memory_desc_init_by_strides(&b_md, 3, b_dims, operands, b_strides)) != dnnl_success) return st;
    if ((st = dnnl_memory_desc_init_by_strides(&c_md, 3, c_dims, dnnl_f32, c_strides)) != dnnl_success) return st;
    dnnl_matmul_desc_t desc;
    if ((st = dnnl_matmul_desc_init(&desc, &a_md, &b_md, NULL, &c_md)) != dnnl_success) return st;
    dnnl_primitive_attr_t attr;
    if ((st = dnnl_primitive_attr_create(&attr)) != dnnl_success) return st;
    if (alpha != 1.0f) dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha);
    dnnl_post_ops_t ops = NULL;
    if (beta != 0.0f) {
        dnnl_post_ops_create(&ops);
        dnnl_post_ops_append_sum(ops, beta);
        dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    dnnl_primitive_desc_t pd = NULL;
    st = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL);
    dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    if (st != dnnl_success) return st;
    cdnnl_impl_name(pd, impl, impl_len);
    dnnl_primitive_t prim = NULL;
    st = dnnl_primitive_create(&prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success) return st;
    dnnl_memory_t a_mem = NULL, b_mem = NULL, c_mem = NULL;
    dnnl_memory_create(&a_mem, &a_md, engine, (void *)a);
    dnnl_memory_create(&b_mem, &b_md, engine, (void *)b);
    dnnl_memory_create(&c_mem, &c_md, engine, c);
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}};
    st = dnnl_primitive_execute(prim, stream, 3, args);
    if (st == dnnl_success) st = dnnl_stream_wait(stream);
    dnnl_memory_destroy(a_mem);
    dnnl_memory_destroy(b_mem);
    dnnl_memory_destroy(c_mem);
    dnnl_primitive_destroy(prim);
    return st;
}
/* One operand of a primitive: `user`, the caller's buffer in its plain layout, and `mem`, the
   memory the primitive reads or writes: `user` itself when the primitive takes that layout, else
   a scratch buffer in the primitive's layout (oneDNN's direct convolutions want blocked layouts
   such as nChw16c), converted by reorders. */
typedef struct { dnnl_memory_t user, mem; void *scratch; } cdnnl_operand;

/* Copies `from` into `to` (same logical tensor, any two layouts) with a reorder primitive. */
static inline dnnl_status_t cdnnl_reorder(dnnl_engine_t engine, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to) {
    const dnnl_memory_desc_t *from_md = NULL, *to_md = NULL;
    dnnl_memory_get_memory_desc(from, &from_md);
    dnnl_memory_get_memory_desc(to, &to_md);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = dnnl_reorder_primitive_desc_create(&pd, from_md, engine, to_md, engine, NULL);
    if (st != dnnl_success) return st;
    dnnl_primitive_t prim = NULL;
    st = dnnl_primitive_create(&prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (st != dnnl_success) return st;
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    st = dnnl_primitive_execute(prim, stream, 2, args);
    dnnl_primitive_destroy(prim);
    return st;
}

/* Sets up `o` for the buffer `user` of layout `user_md` as the primitive wants it (`want`); an
   input (`is_input`) is converted into the scratch buffer. */
static inline dnnl_status_t cdnnl_operand_init(cdnnl_operand *o, dnnl_engine_t engine, dnnl_stream_t stream,
                                               const dnnl_memory_desc_t *user_md, void *user, const dnnl_memory_desc_t *want, int is_input) {
    o->user = o->mem = NULL;
    o->scratch = NULL;
    dnnl_status_t st = dnnl_memory_create(&o->user, user_md, engine, user);
    if (st != dnnl_success) return st;
    if (dnnl_memory_desc_equal(user_md, want)) { o->mem = o->user; return dnnl_success; }
    size_t size = dnnl_memory_desc_get_size(want);
    if ((o->scratch = memalign(64, size ? size : 64)) == NULL) return dnnl_out_of_memory;
    if ((st = dnnl_memory_create(&o->mem, want, engine, o->scratch)) != dnnl_success) return st;
    return is_input ? cdnnl_reorder(engine, stream, o->user, o->mem) : dnnl_success;
}

/* Writes an output operand's scratch back into the caller's buffer (when it has one), and frees it. */
static inline dnnl_status_t cdnnl_operand_finish(cdnnl_operand *o, dnnl_engine_t engine, dnnl_stream_t stream, int is_output, dnnl_status_t st) {
    if (st == dnnl_success && is_output && o->mem && o->mem != o->user) st = cdnnl_reorder(engine, stream, o->mem, o->user);
    if (o->mem && o->mem != o->user) dnnl_memory_destroy(o->mem);
    if (o->user) dnnl_memory_destroy(o->user);
    free(o->scratch);
    return st;
}

/* The memory descriptors and window of a 2-D convolution of NCHW floats. `d` holds N, C, H, W,
   O, KH, KW, stride H, stride W, padding H, padding W (symmetric padding; the right/bottom padding
   is what the output size implies). The plain layouts are the caller's (src and dst NCHW,
   weights OIHW, bias [O]); the `any` ones let the primitives pick theirs. */
typedef struct {
    dnnl_memory_desc_t src, weights, bias, dst, src_any, weights_any, dst_any;
    dnnl_dims_t strides, padding_l, padding_r;
} cdnnl_conv_geometry;

static inline void cdnnl_conv_geometry_init(cdnnl_conv_geometry *g, const int64_t d[11]) {
    int64_t n = d[0], c = d[1], h = d[2], w = d[3], o = d[4], kh = d[5], kw = d[6], sh = d[7], sw = d[8], ph = d[9], pw = d[10];
    int64_t oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
    dnnl_dims_t src_dims = {n, c, h, w}, weight_dims = {o, c, kh, kw}, bias_dims = {o}, dst_dims = {n, o, oh, ow};
    dnnl_memory_desc_init_by_tag(&g->src, 4, src_dims, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&g->weights, 4, weight_dims, dnnl_f32, dnnl_oihw);
    dnnl_memory_desc_init_by_tag(&g->bias, 1, bias_dims, dnnl_f32, dnnl_x);
    dnnl_memory_desc_init_by_tag(&g->dst, 4, dst_dims, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&g->src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&g->weights_any, 4, weight_dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&g->dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any);
    g->strides[0] = sh; g->strides[1] = sw;
    g->padding_l[0] = ph; g->padding_l[1] = pw;
    g->padding_r[0] = (oh - 1) * sh + kh - h - ph; g->padding_r[1] = (ow - 1) * sw + kw - w - pw;
}

/* The forward primitive descriptor (training: the backward passes take it as their hint). */
static inline dnnl_status_t cdnnl_conv_forward_pd(dnnl_primitive_desc_t *pd, dnnl_engine_t engine, const cdnnl_conv_geometry *g, int has_bias) {
    dnnl_convolution_desc_t desc;
    dnnl_status_t st = dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, dnnl_convolution_direct, &g->src_any, &g->weights_any,
                                                          has_bias ? &g->bias : NULL, &g->dst_any, g->strides, g->padding_l, g->padding_r);
    return st == dnnl_success ? dnnl_primitive_desc_create(pd, &desc, NULL, engine, NULL) : st;
}

/* Creates the primitive of `pd` and runs it on `count` operands (`ops[i]` as argument `args[i]`). */
static inline dnnl_status_t cdnnl_execute(dnnl_stream_t stream, const_dnnl_primitive_desc_t pd, int count, const int *args, cdnnl_operand *const *ops) {
    dnnl_primitive_t prim = NULL;
    dnnl_status_t st = dnnl_primitive_create(&prim, pd);
    if (st != dnnl_success) return st;
    dnnl_exec_arg_t exec[4];
    for (int i = 0; i < count; i++) { exec[i].arg = args[i]; exec[i].memory = ops[i]->mem; }
    st = dnnl_primitive_execute(prim, stream, count, exec);
    dnnl_primitive_destroy(prim);
    return st;
}

/* The forward of a direct 2-D convolution (geometry `d` as in `cdnnl_conv_geometry_init`) through
   oneDNN's primitive: reads src, weights and bias (NULL: none), writes dst, all in the caller's
   plain layouts, reordered to and from the layouts the primitive picks. When `impl` is not NULL,
   the implementation's name is copied there. oneDNN caches primitives, so repeated shapes are cheap. */
static inline dnnl_status_t cdnnl_convolution_forward(dnnl_engine_t engine, dnnl_stream_t stream, const int64_t d[11],
                                                      float *src, float *weights, float *bias, float *dst, char *impl, size_t impl_len) {
    cdnnl_conv_geometry g;
    cdnnl_conv_geometry_init(&g, d);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = cdnnl_conv_forward_pd(&pd, engine, &g, bias != NULL);
    if (st != dnnl_success) return st;
    cdnnl_impl_name(pd, impl, impl_len);
    cdnnl_operand x = {0}, w = {0}, b = {0}, y = {0};
    if ((st = cdnnl_operand_init(&x, engine, stream, &g.src, src, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), 1)) == dnnl_success &&
        (st = cdnnl_operand_init(&w, engine, stream, &g.weights, weights, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0), 1)) == dnnl_success &&
        (!bias || (st = cdnnl_operand_init(&b, engine, stream, &g.bias, bias, &g.bias, 1)) == dnnl_success) &&
        (st = cdnnl_operand_init(&y, engine, stream, &g.dst, dst, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), 0)) == dnnl_success) {
        int args[4] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST, DNNL_ARG_BIAS};
        cdnnl_operand *ops[4] = {&x, &w, &y, &b};
        st = cdnnl_execute(stream, pd, bias ? 4 : 3, args, ops);
    }
    st = cdnnl_operand_finish(&x, engine, stream, 0, st);
    st = cdnnl_operand_finish(&w, engine, stream, 0, st);
    st = cdnnl_operand_finish(&b, engine, stream, 0, st);
    st = cdnnl_operand_finish(&y, engine, stream, 1, st);
    if (st == dnnl_success) st = dnnl_stream_wait(stream);
    dnnl_primitive_desc_destroy(pd);
    return st;
}

/* The backward of `cdnnl_convolution_forward` from the output's gradient `diff_dst`: the input's
   gradient into `diff_src` (backward data) and the weight and bias gradients into `diff_weights`
   and `diff_bias` (backward weights; overwritten, not accumulated); any of them may be NULL
   (`diff_bias` without `diff_weights` is not supported). Both passes share the reordered
   `diff_dst` when they want the same layout. The implementations' names go to `impl_data` and
   `impl_weights` when not NULL. */
static inline dnnl_status_t cdnnl_convolution_backward(dnnl_engine_t engine, dnnl_stream_t stream, const int64_t d[11],
                                                       float *src, float *weights, float *diff_dst, float *diff_src, float *diff_weights,
                                                       float *diff_bias, char *impl_data, char *impl_weights, size_t impl_len) {
    cdnnl_conv_geometry g;
    cdnnl_conv_geometry_init(&g, d);
    dnnl_primitive_desc_t hint = NULL, data_pd = NULL, weights_pd = NULL;
    dnnl_status_t st = cdnnl_conv_forward_pd(&hint, engine, &g, diff_bias != NULL);
    if (st != dnnl_success) return st;
    dnnl_convolution_desc_t desc;
    if (diff_src && (st = dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &g.src_any, &g.weights_any, &g.dst_any,
                                                                   g.strides, g.padding_l, g.padding_r)) == dnnl_success)
        st = dnnl_primitive_desc_create(&data_pd, &desc, NULL, engine, hint);
    if (st == dnnl_success && diff_weights &&
        (st = dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &g.src_any, &g.weights_any, diff_bias ? &g.bias : NULL,
                                                          &g.dst_any, g.strides, g.padding_l, g.padding_r)) == dnnl_success)
        st = dnnl_primitive_desc_create(&weights_pd, &desc, NULL, engine, hint);
    dnnl_primitive_desc_destroy(hint);
    cdnnl_operand dy = {0}, dy2 = {0}, w = {0}, dx = {0}, x = {0}, dw = {0}, db = {0};
    cdnnl_operand *weights_dy = &dy;
    if (st == dnnl_success && data_pd) {
        cdnnl_impl_name(data_pd, impl_data, impl_len);
        if ((st = cdnnl_operand_init(&dy, engine, stream, &g.dst, diff_dst, dnnl_primitive_desc_query_md(data_pd, dnnl_query_diff_dst_md, 0), 1)) == dnnl_success &&
            (st = cdnnl_operand_init(&w, engine, stream, &g.weights, weights, dnnl_primitive_desc_query_md(data_pd, dnnl_query_weights_md, 0), 1)) == dnnl_success &&
            (st = cdnnl_operand_init(&dx, engine, stream, &g.src, diff_src, dnnl_primitive_desc_query_md(data_pd, dnnl_query_diff_src_md, 0), 0)) == dnnl_success) {
            int args[3] = {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
            cdnnl_operand *ops[3] = {&dy, &w, &dx};
            st = cdnnl_execute(stream, data_pd, 3, args, ops);
        }
    }
    if (st == dnnl_success && weights_pd) {
        cdnnl_impl_name(weights_pd, impl_weights, impl_len);
        const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(weights_pd, dnnl_query_diff_dst_md, 0);
        const dnnl_memory_desc_t *have = NULL;
        if (dy.mem) dnnl_memory_get_memory_desc(dy.mem, &have);
        if (!have || !dnnl_memory_desc_equal(have, want)) {
            weights_dy = &dy2;
            st = cdnnl_operand_init(&dy2, engine, stream, &g.dst, diff_dst, want, 1);
        }
        if (st == dnnl_success &&
            (st = cdnnl_operand_init(&x, engine, stream, &g.src, src, dnnl_primitive_desc_query_md(weights_pd, dnnl_query_src_md, 0), 1)) == dnnl_success &&
            (st = cdnnl_operand_init(&dw, engine, stream, &g.weights, diff_weights, dnnl_primitive_desc_query_md(weights_pd, dnnl_query_diff_weights_md, 0), 0)) == dnnl_success &&
            (!diff_bias || (st = cdnnl_operand_init(&db, engine, stream, &g.bias, diff_bias, &g.bias, 0)) == dnnl_success)) {
            int args[4] = {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS};
            cdnnl_operand *ops[4] = {&x, weights_dy, &dw, &db};
            st = cdnnl_execute(stream, weights_pd, diff_bias ? 4 : 3, args, ops);
        }
    }
    st = cdnnl_operand_finish(&dy, engine, stream, 0, st);
    st = cdnnl_operand_finish(&dy2, engine, stream, 0, st);
    st = cdnnl_operand_finish(&w, engine, stream, 0, st);
    st = cdnnl_operand_finish(&dx, engine, stream, 1, st);
    st = cdnnl_operand_finish(&x, engine, stream, 0, st);
    st = cdnnl_operand_finish(&dw, engine, stream, 1, st);
    st = cdnnl_operand_finish(&db, engine, stream, 1, st);
    if (st == dnnl_success) st = dnnl_stream_wait(stream);
    if (data_pd) dnnl_primitive_desc_destroy(data_pd);
    if (weights_pd) dnnl_primitive_desc_destroy(weights_pd);
    return st;
}
#endif
