#include "order.h"
#include "xalloc.h"

#include <stdlib.h>

void knit_dep_order(size_t n, knit_order_deps_fn deps_of, void *ctx, size_t *order)
{
	unsigned char *seen = knit_xcalloc(n ? n : 1, 1);
	/* each frame: a node and how many of its dependencies are visited */
	struct frame {
		size_t node, next;
	} *stack = knit_xcalloc(n ? n : 1, sizeof(*stack));
	size_t depth = 0, done = 0;
	for (size_t root = 0; root < n; root++) {
		if (seen[root])
			continue;
		seen[root] = 1;
		stack[depth++] = (struct frame){ root, 0 };
		while (depth) {
			struct frame *f = &stack[depth - 1];
			size_t count;
			const size_t *deps = deps_of(ctx, f->node, &count);
			if (f->next < count) {
				size_t d = deps[f->next++];
				if (d < n && !seen[d]) {
					seen[d] = 1; /* a node is on the stack at most once: depth <= n */
					stack[depth++] = (struct frame){ d, 0 };
				}
				continue;
			}
			order[done++] = f->node;
			depth--;
		}
	}
	free(stack);
	free(seen);
}
