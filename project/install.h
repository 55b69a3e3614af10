/*
 * Installing a project: resolve (or take the lockfile as it is), fetch and
 * verify what the store lacks, sync deps/, write knit.lock.
 *
 * Order matters for "an interrupted or failed install changes nothing":
 * every tarball is downloaded, verified and stored before deps/ is touched;
 * then the new deps/, its build files, knit.lock and knit.json change in
 * one transaction (txn.h), each file only when its text changes. The
 * stages, file by file, are in install_stages.h.
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

#include "session.h"
#include "resolver/solver.h"
#include "util/strbuf.h"

enum knit_install_mode {
	KNIT_INSTALL,    /* resolve against knit.json, preferring the lock */
	KNIT_INSTALL_CI, /* restore exactly what knit.lock says; write nothing but deps/ */
};

struct knit_install_opts {
	const char *project_dir;
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
	bool verify;            /* knit ci --verify: every store entry used is checked down to its
				 * files' digests, not only their sizes and mtimes */
};

struct knit_install_stats {
	size_t packages;   /* installed in deps/ */
	size_t fetched;    /* tarballs downloaded */
	size_t stored;     /* tarballs extracted into the store */
	bool deps_changed, lock_changed, manifest_changed;
	bool build_changed; /* deps/knit.cmake, knit.mk, knit.env or a .pc file */
	size_t files_placed, folders_made, links_made; /* what a new deps/ took (0 when none was made) */
};

/*
 * 0, or an error with one line (or, for a resolution failure, the whole
 * explanation) in *err. Packages come through the session's source, the
 * network is its fetch (with its cache mode: --offline takes packuments and
 * tarballs from the caches only), and warnings (deprecated versions,
 * damaged store entries, untrusted install scripts) and progress (phase
 * changes, download counts) go to its callbacks.
 */
int knit_install(struct knit_session *s, const struct knit_install_opts *opts, struct knit_install_stats *stats,
		 struct strbuf *err);

#endif
