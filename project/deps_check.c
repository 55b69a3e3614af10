/* deps/ against knit.lock (deps_check.h). */
#include "deps_check.h"
#include "depsdir.h"
#include "util/error.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add(char ***list, size_t *n, size_t *alloc, char *name)
{
	KNIT_ALLOC_GROW(*list, *n + 1, *alloc);
	(*list)[(*n)++] = name;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct extra {
	const struct knit_lockfile *lf;
	struct knit_deps_check *out;
	size_t alloc;
};

static void note_if_unlocked(void *ctx, const char *name)
{
	struct extra *x = ctx;
	if (!knit_lockfile_find(x->lf, name))
		add(&x->out->extraneous, &x->out->nextraneous, &x->alloc, knit_xstrdup(name));
}

int knit_deps_check(const char *project_dir, const struct knit_lockfile *lf, struct knit_deps_check *out,
		    struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	struct strbuf deps = STRBUF_INIT, path = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&deps, "%s/deps", project_dir);
	size_t alloc_missing = 0;
	for (size_t i = 0; i < lf->n; i++) {
		struct stat st;
		strbuf_reset(&path);
		strbuf_reset(&scratch);
		/* a name the lock cannot hold as a path is missing from deps/ by definition */
		if (knit_pkgname_path(deps.buf, lf->pkgs[i].name, NULL, &path, &scratch) || stat(path.buf, &st) ||
		    !S_ISDIR(st.st_mode))
			add(&out->missing, &out->nmissing, &alloc_missing, knit_xstrdup(lf->pkgs[i].name));
	}
	struct extra x = { lf, out, 0 };
	int rc = knit_depsdir_each_package(deps.buf, note_if_unlocked, &x, err);
	if (out->nextraneous)
		qsort(out->extraneous, out->nextraneous, sizeof(*out->extraneous), by_string);
	strbuf_release(&deps);
	strbuf_release(&path);
	strbuf_release(&scratch);
	return rc;
}

void knit_deps_check_release(struct knit_deps_check *c)
{
	for (size_t i = 0; i < c->nmissing; i++)
		free(c->missing[i]);
	for (size_t i = 0; i < c->nextraneous; i++)
		free(c->extraneous[i]);
	free(c->missing);
	free(c->extraneous);
	memset(c, 0, sizeof(*c));
}
