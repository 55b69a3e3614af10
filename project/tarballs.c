#include "tarballs.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char *url;
	struct knit_transfer *transfer;
};

struct knit_tarballs {
	struct knit_fetch *fetch;
	const struct knit_config *cfg;
	struct slot *slots; /* open addressing by URL, size a power of two */
	size_t size, n;
};

struct knit_tarballs *knit_tarballs_new(struct knit_fetch *fetch, const struct knit_config *cfg)
{
	struct knit_tarballs *t = knit_xcalloc(1, sizeof(*t));
	t->fetch = fetch;
	t->cfg = cfg;
	t->size = 64;
	t->slots = knit_xcalloc(t->size, sizeof(*t->slots));
	return t;
}

void knit_tarballs_free(struct knit_tarballs *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->size; i++)
		free(t->slots[i].url);
	free(t->slots);
	free(t);
}

static struct slot *find(struct slot *slots, size_t size, const char *url)
{
	size_t i = knit_hash_str(url) & (size - 1);
	while (slots[i].url && strcmp(slots[i].url, url))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static void grow(struct knit_tarballs *t)
{
	size_t size = t->size * 2;
	struct slot *slots = knit_xcalloc(size, sizeof(*slots));
	for (size_t i = 0; i < t->size; i++)
		if (t->slots[i].url)
			*find(slots, size, t->slots[i].url) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->size = size;
}

struct knit_transfer *knit_tarballs_get(struct knit_tarballs *t, const char *url, enum knit_hash algo)
{
	struct slot *s = find(t->slots, t->size, url);
	if (s->url)
		return s->transfer;
	if ((t->n + 1) * 2 > t->size) {
		grow(t);
		s = find(t->slots, t->size, url);
	}
	struct strbuf auth = STRBUF_INIT;
	const char *headers[2] = { knit_config_auth_header(t->cfg, url, &auth), NULL };
	s->url = knit_xstrdup(url);
	s->transfer = knit_fetch_start_spooled(t->fetch, url, headers, KNIT_TARBALL_MAX, algo);
	t->n++;
	strbuf_release(&auth);
	return s->transfer;
}

size_t knit_tarballs_started(const struct knit_tarballs *t)
{
	return t->n;
}
