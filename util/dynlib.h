#ifndef KNIT_UTIL_DYNLIB_H
#define KNIT_UTIL_DYNLIB_H

/*
 * Shared libraries loaded on first use rather than at start-up.
 *
 * libcurl and libarchive pull in some forty further libraries; mapping and
 * relocating them costs more than a no-op install does in total. knit
 * defines the few functions it calls from them as thin forwarders
 * (util/lazy_curl.c, util/lazy_archive.c) that load the library the
 * first time one of them runs. Code that uses the libraries is written
 * against their ordinary headers and knows nothing of this.
 *
 * A library that cannot be loaded is a broken installation, like a library
 * the dynamic loader cannot find: knit says which one and exits with 127.
 */

struct knit_dynlib {
	const char *soname;   /* e.g. "libcurl.so.4"; what dlopen() is given */
	const char *purpose;  /* e.g. "to download", used in the error message */
	void *handle;         /* set once, read with acquire ordering */
};

#define KNIT_DYNLIB_INIT(soname, purpose) { soname, purpose, 0 }

/* The address of `name` in `lib`, loading `lib` first if needed. Never NULL. */
void *knit_dynlib_symbol(struct knit_dynlib *lib, const char *name);

/* Whether `lib` has been loaded by this process (for tests). */
int knit_dynlib_loaded(const struct knit_dynlib *lib);

/*
 * KNIT_DYNLIB_FN(lib, fn) evaluates to a pointer to `lib`'s own `fn`, typed
 * like `fn`'s declaration, looked up once per call site and cached.
 */
#define KNIT_DYNLIB_FN(lib, fn) \
	__extension__({ \
		static __typeof__(fn) *knit_cached_; \
		__typeof__(fn) *knit_fn_ = __atomic_load_n(&knit_cached_, __ATOMIC_ACQUIRE); \
		if (!knit_fn_) { \
			knit_fn_ = (__typeof__(fn) *)knit_dynlib_symbol(&(lib), #fn); \
			__atomic_store_n(&knit_cached_, knit_fn_, __ATOMIC_RELEASE); \
		} \
		knit_fn_; \
	})

#endif
