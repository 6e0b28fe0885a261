// A C interface to hnswlib's HierarchicalNSW over inner products (Debian libhnswlib-dev,
// header-only C++), so that Swift reaches it without C++ interoperability. Every function catches
// hnswlib's exceptions and reports failure by its return value.
#ifndef CHNSW_H
#define CHNSW_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chnsw_index chnsw_index;

/// A graph for up to `capacity` vectors of `dimensions` floats, compared by inner product
/// (distance 1 - <a, b>); `connections` is hnswlib's M, `construction_ef` its ef_construction.
/// NULL when it cannot be made (memory).
chnsw_index *chnsw_create(size_t dimensions, size_t capacity, size_t connections, size_t construction_ef, size_t seed);

/// Adds `vector` under `label`; 0 on success, -1 on failure (the index is full).
int chnsw_add(chnsw_index *index, const float *vector, size_t label);

/// The `k` nearest vectors to `query` searching with `ef` candidates, nearest first, into
/// `labels` and `distances` (room for `k` each); returns how many were found, -1 on failure.
long chnsw_search(chnsw_index *index, const float *query, size_t k, size_t ef, size_t *labels, float *distances);

/// Bytes per vector of the bottom layer: the vector, its links and its label.
size_t chnsw_bytes_per_vector(const chnsw_index *index);

void chnsw_free(chnsw_index *index);

#ifdef __cplusplus
}
#endif

#endif
