/*
 * Installing a project: resolve (or take the lockfile as it is), fetch and
 * verify what the store lacks, sync deps/, write knit.lock.
 *
 * Order matters for "an interrupted or failed install changes nothing":
 * every tarball is downloaded, verified and stored before deps/ is touched,
 * deps/ is swapped in with one atomic exchange, and knit.lock is written
 * last, atomically, and only when its text changes.
 *
 * One install at a time per project: knit_install holds an exclusive
 * flock(2) on the project folder from before it reads knit.json until
 * after its last write, so a second knit process waits and then starts from
 * what the first one left.
 */
#ifndef KNIT_PROJECT_INSTALL_H
#define KNIT_PROJECT_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include "registry/registry.h"
#include "resolver/solver.h"
#include "util/strbuf.h"

enum knit_install_mode {
	KNIT_INSTALL,    /* resolve against knit.json, preferring the lock */
	KNIT_INSTALL_CI, /* restore exactly what knit.lock says; write nothing but deps/ */
};

enum knit_install_phase {
	KNIT_PHASE_WAIT,    /* another knit process is installing into this project */
	KNIT_PHASE_RESOLVE, /* reading packuments and solving */
	KNIT_PHASE_FETCH,   /* downloading, verifying and storing tarballs */
	KNIT_PHASE_LINK,    /* filling deps/ */
	KNIT_PHASE_DONE,
};

/* What a progress display shows; counts grow within a phase. */
struct knit_install_progress {
	enum knit_install_phase phase;
	size_t packuments;        /* requested from registries so far (not counting cache hits) */
	size_t packages;          /* resolved (known from FETCH on) */
	size_t tarballs, tarballs_done; /* to download, and downloaded */
	unsigned long long bytes; /* of tarballs received */
};

struct knit_install_opts {
	const char *project_dir;
	const char *registry;   /* --registry, or NULL */
	enum knit_install_mode mode;
	bool frozen_lockfile;   /* fail rather than change knit.lock */
	bool update;            /* knit update: always resolve, freeing what follows */
	const char *const *unlock; /* with update: the packages freed; none given frees all */
	size_t nunlock;
	/* knit install <spec>...: name and range as given ("" for none: the latest tag) */
	const struct knit_dep *add;
	size_t nadd;
	bool save_dev;          /* into devDependencies */
	bool save_exact;        /* save the version itself rather than ^version */
	const char *const *remove; /* knit uninstall <name>... */
	size_t nremove;
	enum knit_resolution resolution;
	enum knit_cache_mode cache_mode; /* --offline: packuments and tarballs from the caches only */
	bool verify;            /* knit ci --verify: every store entry used is checked down to its
				 * files' digests, not only their sizes and mtimes */
	/* called at each phase change and as downloads progress; may be NULL */
	void (*progress)(void *ctx, const struct knit_install_progress *p);
	void *progress_ctx;
};

struct knit_install_stats {
	size_t packages;   /* installed in deps/ */
	size_t fetched;    /* tarballs downloaded */
	size_t stored;     /* tarballs extracted into the store */
	bool deps_changed, lock_changed, manifest_changed;
	bool build_changed; /* deps/knit.cmake, knit.mk, knit.env or a .pc file */
	size_t deprecated; /* warnings given */
};

/*
 * 0, or an error with one line (or, for a resolution failure, the whole
 * explanation) in *err. Warnings (deprecated versions) go to *warn, one a line.
 */
int knit_install(const struct knit_install_opts *opts, struct knit_install_stats *stats,
		 struct strbuf *warn, struct strbuf *err);

#endif
