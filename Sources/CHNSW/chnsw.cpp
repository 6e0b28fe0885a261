#include "chnsw.h"

#include <hnswlib/hnswlib.h>

#include <memory>

struct chnsw_index {
    hnswlib::InnerProductSpace space;
    hnswlib::HierarchicalNSW<float> graph;

    chnsw_index(size_t dimensions, size_t capacity, size_t connections, size_t construction_ef, size_t seed)
        : space(dimensions), graph(&space, capacity, connections, construction_ef, seed) {}
};

extern "C" chnsw_index *chnsw_create(size_t dimensions, size_t capacity, size_t connections, size_t construction_ef, size_t seed) {
    try {
        return new chnsw_index(dimensions, capacity, connections, construction_ef, seed);
    } catch (...) {
        return nullptr;
    }
}

extern "C" int chnsw_add(chnsw_index *index, const float *vector, size_t label) {
    try {
        index->graph.addPoint(vector, label);
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" long chnsw_search(chnsw_index *index, const float *query, size_t k, size_t ef, size_t *labels, float *distances) {
    try {
        index->graph.setEf(ef);
        // A max-heap by distance: popping gives the farthest first.
        auto found = index->graph.searchKnn(query, k);
        long count = static_cast<long>(found.size());
        for (long i = count - 1; i >= 0; --i) {
            distances[i] = found.top().first;
            labels[i] = found.top().second;
            found.pop();
        }
        return count;
    } catch (...) {
        return -1;
    }
}

extern "C" size_t chnsw_bytes_per_vector(const chnsw_index *index) { return index->graph.size_data_per_element_; }

extern "C" void chnsw_free(chnsw_index *index) { delete index; }
