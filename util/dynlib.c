#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void *open_or_exit(struct knit_dynlib *lib)
{
	/* Two threads may both get here; dlopen() counts references and
	 * returns the same handle, so the race is harmless. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "knit: fatal: cannot load %s, needed %s: %s\n",
		        lib->soname, lib->purpose, dlerror());
		exit(127);
	}
	__atomic_store_n(&lib->handle, h, __ATOMIC_RELEASE);
	return h;
}

void *knit_dynlib_symbol(struct knit_dynlib *lib, const char *name)
{
	void *h = __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE);
	if (!h)
		h = open_or_exit(lib);
	dlerror();
	void *sym = dlsym(h, name);
	if (!sym) {
		fprintf(stderr, "knit: fatal: %s has no %s: %s\n", lib->soname, name,
		        dlerror());
		exit(127);
	}
	return sym;
}

int knit_dynlib_loaded(const struct knit_dynlib *lib)
{
	return __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE) != NULL;
}
