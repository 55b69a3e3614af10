/*
 * Git dependencies, through libgit2 (loaded on first use, like libcurl).
 *
 * Specs as npm writes them:
 *   git+https://host/org/repo.git#v1.2.0     a tag, branch or commit
 *   git+file:///srv/repo.git#semver:^1.2     the newest tag in a range
 *   git+ssh://git@host/org/repo.git          the default branch
 *   github:org/repo#tag                      https://github.com/org/repo.git
 *
 * Each repository is mirrored once, bare, under <cache>/git/<hash>.git
 * (a flock serialises fetches of one mirror), with core.symlinks off so
 * that a link in a repository is written as a file holding its target and
 * can never point out of the package. A commit the mirror already holds is
 * never fetched again, so knit ci of a locked commit works offline.
 */
#ifndef KNIT_STORE_GIT_H
#define KNIT_STORE_GIT_H

#include <stdbool.h>

#include "util/strbuf.h"

struct knit_git_spec {
	char *url;        /* what git fetches: https://, ssh://, file:// */
	char *committish; /* tag, branch or commit; NULL for the default branch */
	char *range;      /* from #semver:<range>, or NULL */
};

/* Whether spec names a git repository (git+..., git://, github:). */
bool knit_git_is_spec(const char *spec);
/* 0, or KNIT_EINVALID_ARG with a message naming the spec. */
int knit_git_parse_spec(const char *spec, struct knit_git_spec *out, struct strbuf *err);
void knit_git_spec_release(struct knit_git_spec *s);

/*
 * The commit spec names (40 hex digits into commit), fetching the mirror
 * unless spec names a full commit it already has. *tag gets the tag a
 * #semver: range picked. Errors name the URL and what was not found.
 */
int knit_git_resolve(const char *cache_dir, const struct knit_git_spec *spec, char commit[41],
		     struct strbuf *tag, struct strbuf *err);
/* The file at path in commit (knit.json, package.json): 0, KNIT_ENOTFOUND, or an error. */
int knit_git_read(const char *cache_dir, const char *url, const char *commit, const char *path,
		  struct strbuf *out, struct strbuf *err);
/*
 * Writes commit's files into dir, which must not exist yet: into a
 * temporary folder beside it, renamed into place when complete (a
 * concurrent writer of the same dir wins or loses whole).
 */
int knit_git_export(const char *cache_dir, const char *url, const char *commit, const char *dir,
		    struct strbuf *err);

/* One local mirror of a git repository (<cache>/git/<hash>.git), as knit_git_mirrors_list gives it. */
struct knit_git_mirror_info {
	const char *name;         /* <hash>.git */
	const char *url;          /* what it mirrors, or "?" for an older knit's mirror */
	unsigned long long bytes;
	long long last_used;      /* its last fetch, or when it was made */
};
typedef int (*knit_git_mirror_fn)(void *ctx, const struct knit_git_mirror_info *m, struct strbuf *err);
/* Calls fn for every mirror. 0, fn's answer, or KNIT_EIO with one line in *err. */
int knit_git_mirrors_list(const char *cache_dir, knit_git_mirror_fn fn, void *ctx, struct strbuf *err);
/* Removes the mirror named name (a knit_git_mirror_info name) under its lock. 0, or KNIT_EIO with one line in *err. */
int knit_git_mirror_remove(const char *cache_dir, const char *name, struct strbuf *err);

#endif
