/*
 * Dependencies before dependents, for graphs read from hostile input (a
 * lockfile, a registry): an explicit stack, never recursion on the graph's
 * depth. A cycle is cut where it closes, as a depth-first walk meets it.
 */
#ifndef KNIT_UTIL_ORDER_H
#define KNIT_UTIL_ORDER_H

#include <stddef.h>

/*
 * The nodes 0..n-1 into order[] (n of them), each after those it depends
 * on: deps_of(ctx, i, &count) gives node i's dependencies (indexes below n).
 * Roots are taken in index order, dependencies in the order given, so the
 * result is deterministic.
 */
typedef const size_t *(*knit_order_deps_fn)(void *ctx, size_t node, size_t *count);
void knit_dep_order(size_t n, knit_order_deps_fn deps_of, void *ctx, size_t *order);

#endif
