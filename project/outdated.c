#include "outdated.h"
#include "sources.h"
#include "resolver/pick.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	return s ? knit_xstrdup(s) : NULL;
}

int knit_outdated_list(struct knit_session *s, const struct knit_manifest *m, const struct knit_lockfile *lock,
		       struct knit_outdated *out, struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	const struct knit_source *src = knit_session_source(s);
	const struct knit_deps *fields[2] = { &m->deps, &m->dev_deps };
	for (int f = 0; f < 2; f++)
		for (size_t i = 0; i < fields[f]->n; i++)
			if (knit_spec_kind(fields[f]->items[i].range) == KNIT_SPEC_REGISTRY)
				src->prefetch(src->ctx, fields[f]->items[i].name);
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < fields[f]->n; i++) {
			const struct knit_dep *d = &fields[f]->items[i];
			if (knit_spec_kind(d->range) != KNIT_SPEC_REGISTRY)
				continue;
			const struct knit_pkg *pkg;
			int rc = src->load(src->ctx, d->name, &pkg);
			if (rc) {
				knit_source_load_error(src, d->name, rc, err);
				return rc;
			}
			/* what a fresh knit install would take, and what npm outdated calls latest */
			const struct knit_pkg_version *w = knit_pick_spec(pkg, d->range, KNIT_RESOLUTION_HIGHEST);
			const struct knit_pkg_version *l = knit_pick_latest(pkg);
			const struct knit_lock_pkg *locked = lock ? knit_lockfile_find(lock, d->name) : NULL;
			const char *wanted = w ? w->version : NULL, *latest = l ? l->version : NULL;
			const char *current = locked ? locked->version : NULL;
			bool behind = !current || (wanted && strcmp(current, wanted)) || (latest && strcmp(current, latest));
			if (!behind)
				continue;
			if (out->n == out->alloc) {
				out->alloc = out->alloc ? 2 * out->alloc : 8;
				out->rows = knit_xrealloc(out->rows, out->alloc * sizeof(*out->rows));
			}
			out->rows[out->n++] = (struct knit_outdated_row){ knit_xstrdup(d->name), dup_or_null(current),
									  dup_or_null(wanted), dup_or_null(latest),
									  f == 1 };
		}
	}
	return 0;
}

void knit_outdated_release(struct knit_outdated *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->rows[i].name);
		free(o->rows[i].current);
		free(o->rows[i].wanted);
		free(o->rows[i].latest);
	}
	free(o->rows);
	memset(o, 0, sizeof(*o));
}
