/*
 * util/order: dependencies first, deterministic, a cycle cut where it
 * closes, and a chain 300,000 deep ordered without recursion.
 */
#include "conformance.h"
#include "util/order.h"

#include <stdlib.h>

struct graph {
	size_t **deps, *ndeps;
};

static const size_t *deps_of(void *ctx, size_t i, size_t *count)
{
	struct graph *g = ctx;
	*count = g->ndeps[i];
	return g->deps[i];
}

static void small_graphs(void **state)
{
	(void)state;
	/* 0 -> 2, 1 -> 0, 2 -> (), 3 -> 1 and 3 -> 0; then a cycle 4 <-> 5 */
	size_t d0[] = { 2 }, d1[] = { 0 }, d3[] = { 1, 0 }, d4[] = { 5 }, d5[] = { 4 };
	size_t *deps[] = { d0, d1, NULL, d3, d4, d5 }, ndeps[] = { 1, 1, 0, 2, 1, 1 };
	struct graph g = { deps, ndeps };
	size_t order[6];
	knit_dep_order(6, deps_of, &g, order);
	size_t want[] = { 2, 0, 1, 3, 5, 4 };
	assert_memory_equal(order, want, sizeof(want));
}

static void deep_chain(void **state)
{
	(void)state;
	size_t n = 300000;
	size_t *next = malloc(n * sizeof(*next)), **deps = malloc(n * sizeof(*deps)),
	       *ndeps = malloc(n * sizeof(*ndeps)), *order = malloc(n * sizeof(*order));
	for (size_t i = 0; i < n; i++) { /* i depends on i + 1 */
		next[i] = i + 1;
		deps[i] = &next[i];
		ndeps[i] = i + 1 < n;
	}
	struct graph g = { deps, ndeps };
	knit_dep_order(n, deps_of, &g, order);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(order[i], n - 1 - i);
	free(next);
	free(deps);
	free(ndeps);
	free(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_graphs),
		cmocka_unit_test(deep_chain),
	};
	return cmocka_run_group_tests_name("order", tests, NULL, NULL);
}
