/* deps/ against knit.lock (deps_check.h). */
#include "deps_check.h"
#include "util/error.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add(char ***list, size_t *n, size_t *alloc, char *name)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*list = knit_xrealloc(*list, *alloc * sizeof(**list));
	}
	(*list)[(*n)++] = name;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder or a link: what a package is in deps/ (the kind from readdir, else lstat). */
static bool package_like(const char *dir, const struct dirent *d)
{
	if (d->d_type == DT_DIR || d->d_type == DT_LNK)
		return true;
	if (d->d_type != DT_UNKNOWN)
		return false;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	strbuf_addf(&path, "%s/%s", dir, d->d_name);
	bool yes = !lstat(path.buf, &st) && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode));
	strbuf_release(&path);
	return yes;
}

/* The entries of dir (deps/, or one @scope folder in it) that knit.lock lacks, with prefix before each name. */
static int scan(const char *dir, const char *scope, const struct knit_lockfile *lf, struct knit_deps_check *out,
		size_t *alloc, struct strbuf *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT && !scope)
			return 0;
		strbuf_addf(err, "cannot read the folder '%s': %s", dir, strerror(errno));
		return KNIT_EIO;
	}
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !package_like(dir, e))
			continue;
		if (!scope && e->d_name[0] == '@') { /* a scope: its packages one level down, no deeper */
			struct strbuf sub = STRBUF_INIT;
			strbuf_addf(&sub, "%s/%s", dir, e->d_name);
			rc = scan(sub.buf, e->d_name, lf, out, alloc, err);
			strbuf_release(&sub);
			continue;
		}
		struct strbuf name = STRBUF_INIT;
		if (scope)
			strbuf_addf(&name, "%s/", scope);
		strbuf_addstr(&name, e->d_name);
		if (knit_lockfile_find(lf, name.buf))
			strbuf_release(&name);
		else
			add(&out->extraneous, &out->nextraneous, alloc, strbuf_detach(&name, NULL));
	}
	closedir(d);
	return rc;
}

int knit_deps_check(const char *project_dir, const struct knit_lockfile *lf, struct knit_deps_check *out,
		    struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	struct strbuf deps = STRBUF_INIT, path = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&deps, "%s/deps", project_dir);
	size_t alloc_missing = 0, alloc_extra = 0;
	for (size_t i = 0; i < lf->n; i++) {
		struct stat st;
		strbuf_reset(&path);
		strbuf_reset(&scratch);
		/* a name the lock cannot hold as a path is missing from deps/ by definition */
		if (knit_pkgname_path(deps.buf, lf->pkgs[i].name, NULL, &path, &scratch) || stat(path.buf, &st) ||
		    !S_ISDIR(st.st_mode))
			add(&out->missing, &out->nmissing, &alloc_missing, knit_xstrdup(lf->pkgs[i].name));
	}
	int rc = scan(deps.buf, NULL, lf, out, &alloc_extra, err);
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
