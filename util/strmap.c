#include "strmap.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void knit_strmap_add(struct knit_strmap *m, const char *key, const char *value)
{
	KNIT_ALLOC_GROW(m->items, m->n + 1, m->alloc);
	m->items[m->n++] = (struct knit_strmap_entry){ knit_xstrdup(key), knit_xstrdup(value) };
}

void knit_strmap_set(struct knit_strmap *m, const char *key, const char *value)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->items[i].key, key)) {
			free(m->items[i].value);
			m->items[i].value = knit_xstrdup(value);
			return;
		}
	knit_strmap_add(m, key, value);
}

const char *knit_strmap_get(const struct knit_strmap *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->items[i].key, key))
			return m->items[i].value;
	return NULL;
}

void knit_strmap_release(struct knit_strmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	memset(m, 0, sizeof(*m));
}
