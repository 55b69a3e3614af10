/*
 * Inside knit build (build_deps.h): the plan of a run (build_plan.c) and
 * running it (build_run.c), shared by build_deps.c. Internal to project/.
 */
#ifndef KNIT_PROJECT_BUILD_PLAN_H
#define KNIT_PROJECT_BUILD_PLAN_H

#include "build_cache.h"
#include "build_deps.h"
#include "build_remote.h"
#include "builder/builder.h"
#include "resolver/lockfile.h"
#include "util/glob.h"

#include <stdbool.h>
#include <stddef.h>

/* One package of knit.lock, as knit build sees it. */
struct pkg {
	const struct knit_lock_pkg *lock;
	struct knit_manifest m;
	enum knit_build_kind kind;
	struct strbuf dir;    /* deps/<name> */
	struct strbuf src;    /* dir plus c.root */
	struct strbuf t;      /* build name */
	struct strbuf base;   /* deps/.build/pkg/<t> */
	struct strbuf prefix; /* the install prefix: the build cache entry's prefix/ */
	struct strbuf entry;  /* the build cache entry of its key */
	struct strbuf key;    /* what the build is made from, one input a line */
	struct strbuf key_id; /* its SHA-256, hex ("" before make_key, as for a dependency in a cycle) */
	struct knit_paths sources, include; /* the sources kind's files, relative to dir */
	size_t *deps;         /* indexes among the packages */
	size_t ndeps;
};

struct build {
	struct pkg *p;
	size_t n;
	struct strbuf root; /* the project, absolute */
	struct knit_build_cache cache; /* where builds live (build_cache.h); root.len 0 for --explain */
	bool sandbox;                  /* each build step in bubblewrap's sandbox */
};

/* What a run of knit build works from: the project, knit.lock, the packages in order with their keys. */
struct plan {
	struct knit_manifest project;
	struct knit_lockfile lf;
	struct build b;
	size_t *order;
	bool *shared_of;
	struct strbuf toolchain[KNIT_BUILD_MAKE + 1]; /* per kind, asked once */
};

/*
 * Reads the project and knit.lock, each package's manifest, and makes the
 * order and the keys; with cache_dir, each package's entry in the build
 * cache there. knit_deps_plan_release afterwards, whatever it returned.
 */
int knit_deps_plan_open(struct plan *pl, const struct knit_build_opts *o, const char *cache_dir, struct strbuf *err);
void knit_deps_plan_release(struct plan *pl);
/* The prefixes of the packages i depends on, directly or not. */
void knit_deps_built_prefixes(const struct build *b, size_t i, struct knit_paths *prefixes);
/* What i's dependencies give their consumers (-I..., -D...), for its compiles. */
int knit_deps_dep_cflags(const struct build *b, size_t i, struct knit_paths *out, struct strbuf *err);
/* The consumer file of p's build (what it gives its users). */
int knit_deps_read_consumer(const struct pkg *p, struct knit_consumer *c, struct strbuf *err);
void knit_deps_add_path(struct knit_paths *p, const char *s);
/* Every package i depends on, directly or not, into out (room for b->n); how many. */
size_t knit_deps_transitive(const struct build *b, size_t i, size_t *out);
/* A consumer's text, as build_run.c writes it into an entry's "consumer" and knit_deps_read_consumer reads it. */
void knit_deps_consumer_text(const struct knit_consumer *c, struct strbuf *out);
/* text written atomically as dir/name, its folder made. 0, or an error with one line in *err. */
int knit_deps_write_at(const char *dir, const char *name, const struct strbuf *text, struct strbuf *err);

/* Whether deps/.build/pkg/<t> links to the entry of p's key (whose key file says so too). */
bool knit_deps_up_to_date(const struct pkg *p);
/* That the project uses p's entry: its last use, and deps/.build/hold/<t> holding it through a cache clean. */
void knit_deps_mark_used(const struct build *b, const struct pkg *p);
/*
 * i's entry from the local build cache, else the remote one: linked (and
 * *todo false) when there; else left to build. A remote cache that fails
 * is a warning. 0, or an error linking the entry.
 */
int knit_deps_take_cached(struct knit_session *s, const struct build *b, size_t i,
			  const struct knit_build_remote *remote, bool *todo, struct strbuf *err);
/* Builds the packages todo marks, in order, side by side where the cores allow. */
int knit_deps_run_builds(struct knit_session *s, const struct build *b, const struct knit_build_opts *o,
			 const size_t *order, const bool *shared, bool *todo, struct strbuf *err,
			 struct strbuf *log_tail);

#endif
