/*
 * What a built package gives its consumers, read from its prefix: the
 * pkg-config files it installed, asked through pkg-config --static (their
 * own link order and private libraries), else include/ and lib/'s
 * archives in name order; either way plus c.link.
 */
#include "builder.h"
#include "run.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PKGCONFIG_OUTPUT_MAX (64u << 10)

static void add(struct knit_paths *p, const char *s, size_t n)
{
	KNIT_ALLOC_GROW(p->items, p->n + 1, p->alloc);
	p->items[p->n++] = knit_xmemdupz(s, n);
}

/* A path pkg-config printed, as the file system resolves it (a .pc file's ${pcfiledir}/../.. gone). */
static void add_path(struct knit_paths *p, const char *s, size_t n)
{
	char *raw = knit_xmemdupz(s, n), *real = realpath(raw, NULL);
	add(p, real ? real : raw, strlen(real ? real : raw));
	free(real);
	free(raw);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir ending in suffix (without it when strip), sorted. */
static void list(const char *dir, const char *suffix, bool strip, struct knit_paths *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t first = out->n, sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > sl && !strcmp(e->d_name + n - sl, suffix))
			add(out, e->d_name, strip ? n - sl : n);
	}
	closedir(d);
	qsort(out->items + first, out->n - first, sizeof(*out->items), by_name);
}

/* The archive (or, shared, the library) lib<name> in one of dirs: its path, malloc'd, or NULL. */
static char *find_library(const struct knit_paths *dirs, const char *name, bool shared)
{
	struct strbuf path = STRBUF_INIT;
	for (size_t i = 0; i < dirs->n; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/lib%s.%s", dirs->items[i], name, shared ? "so" : "a");
		if (is_file(path.buf))
			return strbuf_detach(&path, NULL);
	}
	strbuf_release(&path);
	return NULL;
}

/* Whether path lies in one of the prefixes (its own or a dependency's). */
static bool in_prefixes(const char *path, const char *prefix, const char *const *deps, size_t ndeps)
{
	for (size_t i = 0; i <= ndeps; i++) {
		const char *p = i < ndeps ? deps[i] : prefix;
		size_t n = strlen(p);
		if (!strncmp(path, p, n) && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

/*
 * pkg-config's output into words as a shell reads it: pkgconf escapes
 * what is not plain with a backslash, and a package's own .pc may quote.
 */
static void split_words(const char *p, struct knit_paths *words)
{
	struct strbuf w = STRBUF_INIT;
	while (*p) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		strbuf_reset(&w);
		char quote = 0;
		for (; *p && (quote || !strchr(" \t\n", *p)); p++) {
			if (quote == '\'' && *p == '\'')
				quote = 0;
			else if (quote == '\'')
				strbuf_addch(&w, *p);
			else if (*p == '\\' && p[1] && (!quote || strchr("\"\\$`", p[1])))
				strbuf_addch(&w, *++p);
			else if (*p == '"')
				quote = quote ? 0 : '"';
			else if (*p == '\'' && !quote)
				quote = '\'';
			else
				strbuf_addch(&w, *p);
		}
		add(words, w.buf, w.len);
	}
	strbuf_release(&w);
}

/* pkg-config --static <what> for the modules, split into words. */
static int ask_pkgconfig(const char *what, const struct knit_paths *modules, const char *pc_path, int log_fd,
			 struct knit_paths *words, struct strbuf *err)
{
	const char **argv = knit_xcalloc(modules->n + 4, sizeof(*argv));
	size_t a = 0;
	argv[a++] = "pkg-config";
	argv[a++] = "--static";
	argv[a++] = what;
	for (size_t i = 0; i < modules->n; i++)
		argv[a++] = modules->items[i];
	struct knit_build_env env = { 0 };
	knit_build_env_set(&env, "PKG_CONFIG_PATH", pc_path);
	struct strbuf out = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	int rc = knit_build_capture(argv, &env, log_fd, PKGCONFIG_OUTPUT_MAX, &out, &st, err);
	if (!rc && (st.exit_code || st.signal)) {
		strbuf_addf(err, "pkg-config %s %s failed (exit %d) on the files the package installed", what,
			    modules->items[0], st.exit_code);
		rc = KNIT_EIO;
	}
	if (!rc)
		split_words(out.buf, words);
	strbuf_release(&out);
	knit_build_env_release(&env);
	free(argv);
	return rc;
}

/*
 * A package that installs <m>.pc and <m>-static.pc (libuv: -luv for its
 * shared library, -luv_a for its archive) is asked for one of them: the
 * static one for a static build, else the other.
 */
static void pick_variant(struct knit_paths *names, bool shared)
{
	size_t kept = 0;
	for (size_t i = 0; i < names->n; i++) {
		const char *m = names->items[i];
		size_t len = strlen(m);
		bool drop = false;
		for (size_t k = 0; k < names->n && !drop; k++) {
			const char *o = names->items[k];
			size_t olen = strlen(o);
			if (shared) /* m is o-static */
				drop = len == olen + 7 && !strncmp(m, o, olen) && !strcmp(m + olen, "-static");
			else /* o is m-static */
				drop = olen == len + 7 && !strncmp(o, m, len) && !strcmp(o + len, "-static");
		}
		if (drop)
			free(names->items[i]);
		else
			names->items[kept++] = names->items[i];
	}
	names->n = kept;
}

static void pc_dirs(const char *prefix, struct strbuf *out)
{
	strbuf_addf(out, "%s%s/lib/pkgconfig:%s/share/pkgconfig", out->len ? ":" : "", prefix, prefix);
}

int knit_build_consumer(const struct knit_consumer_req *req, struct knit_consumer *out, struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	struct strbuf path = STRBUF_INIT, pc_path = STRBUF_INIT;
	struct knit_paths names = { 0 }, libdirs = { 0 }, words = { 0 };
	int rc = 0;
	for (size_t i = 0; i < 2; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/pkgconfig", req->prefix, i ? "share" : "lib");
		size_t first = names.n;
		list(path.buf, ".pc", true, &names);
		for (size_t k = first; k < names.n; k++) {
			struct strbuf file = STRBUF_INIT;
			strbuf_addf(&file, "%s/%s.pc", path.buf, names.items[k]);
			add(&out->pc_files, file.buf, file.len);
			strbuf_release(&file);
		}
	}
	pick_variant(&names, req->shared);
	pc_dirs(req->prefix, &pc_path);
	for (size_t i = 0; i < req->ndeps; i++)
		pc_dirs(req->dep_prefixes[i], &pc_path);
	if (names.n) {
		/* compile flags */
		if (!(rc = ask_pkgconfig("--cflags", &names, pc_path.buf, req->log_fd, &words, err)))
			for (size_t i = 0; i < words.n; i++) {
				const char *w = words.items[i];
				if (!strncmp(w, "-I", 2) && w[2])
					add_path(&out->include, w + 2, strlen(w + 2));
				else
					add(&out->cflags, w, strlen(w));
			}
		knit_paths_release(&words);
		/* libraries: -L folders first, so that each -l finds its archive */
		if (!rc && !(rc = ask_pkgconfig("--libs", &names, pc_path.buf, req->log_fd, &words, err))) {
			for (size_t i = 0; i < words.n; i++)
				if (!strncmp(words.items[i], "-L", 2) && words.items[i][2])
					add_path(&libdirs, words.items[i] + 2, strlen(words.items[i] + 2));
			for (size_t i = 0; i < words.n; i++) {
				const char *w = words.items[i];
				if (!strncmp(w, "-L", 2)) {
					if (w[2] && !in_prefixes(w + 2, req->prefix, req->dep_prefixes, req->ndeps))
						add(&out->ldflags, w, strlen(w));
				} else if (!strncmp(w, "-l", 2) && w[2]) {
					char *lib = find_library(&libdirs, w + 2, req->shared);
					if (lib && in_prefixes(lib, req->prefix, req->dep_prefixes, req->ndeps)) {
						add(&out->libraries, lib, strlen(lib));
					} else {
						add(&out->syslibs, w + 2, strlen(w + 2));
					}
					free(lib);
				} else {
					add(&out->ldflags, w, strlen(w));
				}
			}
		}
		knit_paths_release(&words);
	} else {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/include", req->prefix);
		if (is_dir(path.buf))
			add(&out->include, path.buf, path.len);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/lib", req->prefix);
		list(path.buf, req->shared ? ".so" : ".a", false, &names);
		for (size_t i = 0; i < names.n; i++) {
			struct strbuf file = STRBUF_INIT;
			strbuf_addf(&file, "%s/%s", path.buf, names.items[i]);
			add(&out->libraries, file.buf, file.len);
			strbuf_release(&file);
		}
	}
	for (size_t i = 0; !rc && i < req->nlink; i++)
		add(&out->syslibs, req->link[i], strlen(req->link[i]));
	knit_paths_release(&names);
	knit_paths_release(&libdirs);
	strbuf_release(&path);
	strbuf_release(&pc_path);
	if (rc)
		knit_consumer_release(out);
	return rc;
}

void knit_consumer_release(struct knit_consumer *c)
{
	knit_paths_release(&c->include);
	knit_paths_release(&c->cflags);
	knit_paths_release(&c->libraries);
	knit_paths_release(&c->syslibs);
	knit_paths_release(&c->ldflags);
	knit_paths_release(&c->pc_files);
}

#define NM_OUTPUT_MAX (256u << 20)

int knit_build_symbols(const struct knit_paths *libraries, struct knit_paths *out, struct strbuf *err)
{
	if (!libraries->n)
		return 0;
	const char **argv = knit_xcalloc(libraries->n + 5, sizeof(*argv));
	size_t a = 0;
	argv[a++] = "nm";
	argv[a++] = "-g";
	argv[a++] = "--defined-only";
	argv[a++] = "--format=posix";
	for (size_t i = 0; i < libraries->n; i++)
		argv[a++] = libraries->items[i];
	struct strbuf text = STRBUF_INIT;
	struct knit_build_status st = { 0 };
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct knit_build_env none = { 0 };
	int rc = knit_build_capture(argv, &none, devnull >= 0 ? devnull : 2, NM_OUTPUT_MAX, &text, &st, err);
	if (devnull >= 0)
		close(devnull);
	if (!rc && (st.exit_code || st.signal)) {
		strbuf_addf(err, "nm failed (exit %d) on %s", st.exit_code, libraries->items[0]);
		rc = KNIT_EIO;
	}
	/* posix format: "name type value size", one per line; "lib.a[member.o]:" lines name members */
	for (const char *p = text.buf; !rc && *p;) {
		const char *end = strchrnul(p, '\n');
		size_t n = strcspn(p, " \n");
		if (n && p[n] == ' ' && n + 2 < (size_t)(end - p) && strchr("TDBRVWGSC", p[n + 1]) &&
		    p[n + 1] != 'V' && p[n + 1] != 'W')
			add(out, p, n);
		p = *end ? end + 1 : end;
	}
	strbuf_release(&text);
	free(argv);
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), by_name);
	return rc;
}
