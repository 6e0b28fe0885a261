#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* mremap */
#endif
#include <dnnl.h>
#include <string.h>
#include <malloc.h>  /* mallopt: the engine keeps freed buffers in the heap */
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
#endif
