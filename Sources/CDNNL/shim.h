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
    if (impl && impl_len > 0) {
        const char *name = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
        strncpy(impl, name ? name : "", impl_len - 1);
        impl[impl_len - 1] = 0;
    }
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

/* The passes of `cdnnl_convolution`. */
typedef enum { cdnnl_conv_forward = 0, cdnnl_conv_backward_data = 1, cdnnl_conv_backward_weights = 2 } cdnnl_conv_pass;

/* One pass of a direct 2-D convolution of NCHW floats through oneDNN's convolution primitives.
   `d` holds N, C, H, W, O, KH, KW, stride H, stride W, padding H, padding W (symmetric padding; the
   right/bottom padding is what the output size implies). The buffers, all plain (src and dst NCHW,
   weights OIHW, bias [O]):
     forward:          reads src, weights and bias (NULL: none), writes dst;
     backward data:    reads dst (the output's gradient) and weights, writes src (the input's gradient);
     backward weights: reads src and dst (the output's gradient), writes weights and bias (NULL: none),
                       the weight and bias gradients (overwritten, not accumulated).
   The primitives pick their layouts (format `any`) and the operands are reordered to and from
   them. When `impl` is not NULL, the pass's implementation name (e.g. "jit:avx512_core") is
   copied there as in `cdnnl_batched_matmul`. oneDNN caches primitives, so repeated shapes are cheap. */
static inline dnnl_status_t cdnnl_convolution(dnnl_engine_t engine, dnnl_stream_t stream, int pass, const int64_t d[11],
                                              float *src, float *weights, float *bias, float *dst, char *impl, size_t impl_len) {
    int64_t n = d[0], c = d[1], h = d[2], w = d[3], o = d[4], kh = d[5], kw = d[6], sh = d[7], sw = d[8], ph = d[9], pw = d[10];
    int64_t oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
    dnnl_dims_t src_dims = {n, c, h, w}, weight_dims = {o, c, kh, kw}, bias_dims = {o}, dst_dims = {n, o, oh, ow};
    dnnl_dims_t strides = {sh, sw}, padding_l = {ph, pw}, padding_r = {(oh - 1) * sh + kh - h - ph, (ow - 1) * sw + kw - w - pw};
    dnnl_memory_desc_t src_md, weight_md, bias_md, dst_md, src_any, weight_any, dst_any;
    dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&weight_md, 4, weight_dims, dnnl_f32, dnnl_oihw);
    dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x);
    dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, dnnl_f32, dnnl_nchw);
    dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&weight_any, 4, weight_dims, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any);
    const dnnl_memory_desc_t *bias_desc = bias ? &bias_md : NULL;
    dnnl_convolution_desc_t forward, desc;
    dnnl_status_t st = dnnl_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct, &src_any, &weight_any,
                                                          bias_desc, &dst_any, strides, padding_l, padding_r);
    if (st != dnnl_success) return st;
    dnnl_primitive_desc_t hint = NULL, pd = NULL;
    if ((st = dnnl_primitive_desc_create(&hint, &forward, NULL, engine, NULL)) != dnnl_success) return st;
    if (pass == cdnnl_conv_forward) {
        pd = hint;
        hint = NULL;
    } else {
        st = pass == cdnnl_conv_backward_data
            ? dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &src_any, &weight_any, &dst_any, strides, padding_l, padding_r)
            : dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &src_any, &weight_any, bias_desc, &dst_any,
                                                          strides, padding_l, padding_r);
        if (st == dnnl_success) st = dnnl_primitive_desc_create(&pd, &desc, NULL, engine, hint);
        dnnl_primitive_desc_destroy(hint);
        if (st != dnnl_success) return st;
    }
    if (impl && impl_len > 0) {
        const char *name = NULL;
        dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
        strncpy(impl, name ? name : "", impl_len - 1);
        impl[impl_len - 1] = 0;
    }
    dnnl_primitive_t prim = NULL;
    st = dnnl_primitive_create(&prim, pd);
    if (st != dnnl_success) { dnnl_primitive_desc_destroy(pd); return st; }
    /* Which operands the pass reads (inputs) and writes, and their argument names. */
    int data = pass == cdnnl_conv_backward_data, grads = pass == cdnnl_conv_backward_weights;
    dnnl_query_t src_q = data ? dnnl_query_diff_src_md : dnnl_query_src_md, dst_q = pass == cdnnl_conv_forward ? dnnl_query_dst_md : dnnl_query_diff_dst_md;
    dnnl_query_t weight_q = grads ? dnnl_query_diff_weights_md : dnnl_query_weights_md;
    cdnnl_operand ops[4] = {{0}};
    int is_input[4] = {!data, !grads, !grads, pass != cdnnl_conv_forward};
    int arg[4] = {data ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC, grads ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS,
                  grads ? DNNL_ARG_DIFF_BIAS : DNNL_ARG_BIAS, pass == cdnnl_conv_forward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST};
    const dnnl_memory_desc_t *user[4] = {&src_md, &weight_md, &bias_md, &dst_md};
    const dnnl_memory_desc_t *want[4] = {dnnl_primitive_desc_query_md(pd, src_q, 0), dnnl_primitive_desc_query_md(pd, weight_q, 0),
                                         &bias_md, dnnl_primitive_desc_query_md(pd, dst_q, 0)};
    void *buffers[4] = {src, weights, bias, dst};
    int used[4] = {1, 1, bias != NULL && pass != cdnnl_conv_backward_data, 1};
    dnnl_exec_arg_t args[4];
    int count = 0;
    for (int i = 0; i < 4 && st == dnnl_success; i++) {
        if (!used[i]) continue;
        st = cdnnl_operand_init(&ops[i], engine, stream, user[i], buffers[i], want[i], is_input[i]);
        args[count].arg = arg[i];
        args[count++].memory = ops[i].mem;
    }
    if (st == dnnl_success) st = dnnl_primitive_execute(prim, stream, count, args);
    for (int i = 0; i < 4; i++) if (used[i]) st = cdnnl_operand_finish(&ops[i], engine, stream, !is_input[i], st);
    if (st == dnnl_success) st = dnnl_stream_wait(stream);
    dnnl_primitive_destroy(prim);
    dnnl_primitive_desc_destroy(pd);
    return st;
}
#endif
