/*
 * A session: what one knit command works with, made once in cli/ and passed
 * down, as pkgconf passes its pkgconf_client_t. It holds the settings, the
 * one fetcher every download goes through, the package source the solver
 * reads, and the two ways the core talks back while it works: a warning
 * callback (one line each, no trailing newline) and a progress callback.
 *
 * The source is the registries' (registry/registry.h) unless a caller sets
 * its own before use: unit tests run knit_install in-process on a fake
 * knit_source that way.
 *
 * Ownership: the session owns the settings, the fetch and the registry;
 * knit_session_close frees them. A source set from outside stays the
 * caller's and must outlive the session's use.
 */
#ifndef KNIT_PROJECT_SESSION_H
#define KNIT_PROJECT_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "registry/registry.h"
#include "resolver/solver.h"
#include "util/config.h"
#include "util/fetch.h"
#include "util/strbuf.h"

enum knit_phase {
	KNIT_PHASE_WAIT,    /* another knit process is installing into this project */
	KNIT_PHASE_RESOLVE, /* reading packuments and solving */
	KNIT_PHASE_FETCH,   /* downloading, verifying and storing tarballs */
	KNIT_PHASE_LINK,    /* filling deps/ */
	KNIT_PHASE_BUILD,   /* knit build: packages building */
	KNIT_PHASE_DONE,
};

/* What a progress display shows; counts grow within a phase. */
struct knit_progress {
	enum knit_phase phase;
	size_t packuments;        /* requested from registries so far (not counting cache hits) */
	size_t packuments_done;   /* ... of which finished: answered, or failed */
	size_t packages;          /* resolved (known from FETCH on) */
	size_t tarballs, tarballs_done; /* to download, and downloaded */
	unsigned long long bytes; /* of tarballs received */
	size_t builds, builds_done; /* knit build: to build, and finished */
	const char *building;     /* the packages building now, ", "-joined */
};

/* One package knit build finished: built now, or found up to date. */
struct knit_build_event {
	const char *name, *version;
	const char *kind;   /* "cmake", "meson", "autotools", "make" */
	double seconds;     /* the build's, 0 when up to date */
	bool up_to_date;
	bool from_cache;    /* not built: the build cache had its key's entry, made by another project */
	bool remote;        /* ... fetched from the remote build cache */
};

/*
 * One package whose locked version an install changed: added (from NULL),
 * removed (to NULL) or moved from one version to another.
 */
struct knit_change_event {
	const char *name, *from, *to;
};

typedef void (*knit_warn_fn)(void *ctx, const char *line);
typedef void (*knit_changed_fn)(void *ctx, const struct knit_change_event *e);
typedef void (*knit_built_fn)(void *ctx, const struct knit_build_event *e);
typedef void (*knit_progress_fn)(void *ctx, const struct knit_progress *p);

struct knit_session_opts {
	const char *project_dir;  /* whose .knitrc applies */
	const char *registry;     /* --registry, or NULL */
	enum knit_cache_mode cache_mode;
	knit_warn_fn warn;        /* may be NULL: warnings are dropped */
	knit_progress_fn progress; /* may be NULL */
	void *ctx;                /* given to all three */
	knit_built_fn built;      /* may be NULL */
	knit_changed_fn changed;  /* may be NULL */
};

struct knit_session {
	struct knit_config cfg;
	struct knit_fetch *fetch;
	struct knit_registry *registry;   /* made on first use of knit_session_source */
	const struct knit_source *source; /* the registry's, or one set by the caller */
	enum knit_cache_mode cache_mode;
	knit_warn_fn warn;
	knit_progress_fn progress;
	void *ctx;
	knit_built_fn built;
	knit_changed_fn changed;
};

/* Loads the settings and makes the fetch. 0, or an error with one line in *err. */
int knit_session_open(struct knit_session *s, const struct knit_session_opts *opts, struct strbuf *err);
void knit_session_close(struct knit_session *s);
/* The package source: the caller's if set, else the registries' (made now, once). */
const struct knit_source *knit_session_source(struct knit_session *s);
/*
 * Whether dependencies' code (builds, trusted install scripts) runs in the
 * sandbox: the setting sandbox (true, the default, or false). 0, or
 * KNIT_EPARSE with one line in *err for another value.
 */
int knit_session_sandbox(const struct knit_session *s, bool *on, struct strbuf *err);
void knit_session_warn(const struct knit_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void knit_session_progress(const struct knit_session *s, const struct knit_progress *p);
void knit_session_built(const struct knit_session *s, const struct knit_build_event *e);
void knit_session_changed(const struct knit_session *s, const struct knit_change_event *e);

#endif
