/*
 * Resolver figures (bench/resolver/run.sh), never a timed test.
 *
 *   bench_solver universe N        N packages in memory, most reachable
 *   bench_solver family NAME N     an adversarial family at size N
 *
 * Prints the solve time (median of several runs, universe built once) and
 * the process's peak memory.
 *
 * Families, each exponential for naive newest-first backtracking:
 *   conflict: root needs x1..xN and y; every xi@2 needs z ^2, every y needs
 *             z ^1, and xi@1 needs nothing; y has the most versions, so it is
 *             decided last. Backtracking one xi at a time tries
 *             2^N combinations; PubGrub learns "xi@2 is incompatible with y".
 *   deep:     a chain p1 -> p2 -> ... -> pN, each with N versions, where only
 *             the oldest version of the last package exists in a usable form,
 *             so every level must step down.
 *   unsat:    as conflict, but y needs z ^3, which does not exist: the
 *             solver must prove that no combination works and explain it.
 */
#include "resolver/solver.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

struct universe {
	struct knit_pkg *pkgs;
	size_t n;
	char **strings;
	size_t nstrings, astrings;
};

static const char *keep(struct universe *u, char *s)
{
	KNIT_ALLOC_GROW(u->strings, u->nstrings + 1, u->astrings);
	u->strings[u->nstrings++] = s;
	return s;
}

static const char *fmt(struct universe *u, const char *f, unsigned a, unsigned b)
{
	char buf[64];
	snprintf(buf, sizeof(buf), f, a, b);
	return keep(u, knit_xstrdup(buf));
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct knit_pkg *)a)->name, ((const struct knit_pkg *)b)->name);
}

static int load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct universe *u = ctx;
	struct knit_pkg key = { .name = name };
	*out = bsearch(&key, u->pkgs, u->n, sizeof(*u->pkgs), cmp_name);
	return *out ? 0 : KNIT_ENOTFOUND;
}

static void prefetch(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
}

/* Adds package `name` with nv versions "M.m.0" given by vers[], deps filled by the caller. */
static struct knit_pkg_version *add_pkg(struct universe *u, size_t at, const char *name, size_t nv)
{
	struct knit_pkg *p = &u->pkgs[at];
	p->name = name;
	p->nversions = nv;
	struct knit_pkg_version *vs = knit_xcalloc(nv, sizeof(*vs));
	p->versions = vs;
	return vs;
}

static void set_version(struct knit_pkg_version *v, const char *text)
{
	v->version = text;
	if (knit_version_parse(&v->parsed, text, strlen(text), 0))
		abort();
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* N packages; package i has 3-8 versions 1.k.0, each depending on 0-4 packages j > i. */
static void build_universe(struct universe *u, size_t n, struct knit_dep **root, size_t *nroot)
{
	u->pkgs = knit_xcalloc(n, sizeof(*u->pkgs));
	u->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t nv = 3 + next() % 6;
		struct knit_pkg_version *vs = add_pkg(u, i, fmt(u, "pkg%05u", (unsigned)i, 0), nv);
		for (size_t k = 0; k < nv; k++) {
			set_version(&vs[k], fmt(u, "1.%u.0", (unsigned)k, 0));
			size_t nd = i + 1 < n ? next() % 5 : 0;
			struct knit_dep *deps = knit_xcalloc(nd + 1, sizeof(*deps));
			for (size_t d = 0; d < nd; d++) {
				size_t j = i + 1 + next() % (n - i - 1 < 50 ? n - i - 1 : 50);
				deps[d].name = u->pkgs[j].name ? u->pkgs[j].name : fmt(u, "pkg%05u", (unsigned)j, 0);
				static const char *const ranges[] = { "^1.0.0", "^1.1.0", "^1.2.0", ">=1.0.0 <2", "1.x", "~1.1.0 || ^1.2.0" };
				deps[d].range = ranges[next() % 6];
			}
			vs[k].deps = deps;
			vs[k].ndeps = nd;
		}
	}
	*nroot = n < 100 ? n : 100;
	*root = knit_xcalloc(*nroot, sizeof(**root));
	for (size_t i = 0; i < *nroot; i++)
		(*root)[i] = (struct knit_dep){ u->pkgs[i * (n / *nroot)].name, "^1.0.0" };
	qsort(u->pkgs, u->n, sizeof(*u->pkgs), cmp_name);
}

static void build_family(struct universe *u, const char *family, size_t n, struct knit_dep **root,
			 size_t *nroot)
{
	if (!strcmp(family, "conflict") || !strcmp(family, "unsat")) {
		bool unsat = !strcmp(family, "unsat");
		u->pkgs = knit_xcalloc(n + 2, sizeof(*u->pkgs));
		u->n = n + 2;
		*nroot = n + 1;
		*root = knit_xcalloc(*nroot, sizeof(**root));
		for (size_t i = 0; i < n; i++) {
			const char *name = fmt(u, "x%04u", (unsigned)i, 0);
			struct knit_pkg_version *vs = add_pkg(u, i, name, 2);
			set_version(&vs[0], "1.0.0");
			set_version(&vs[1], "2.0.0");
			struct knit_dep *d = knit_xcalloc(1, sizeof(*d));
			d[0] = (struct knit_dep){ "z", "^2.0.0" };
			vs[1].deps = d;
			vs[1].ndeps = 1;
			(*root)[i] = (struct knit_dep){ name, "*" };
		}
		/* y has more versions than any xi, so it is decided last, after the conflict is set up */
		struct knit_pkg_version *y = add_pkg(u, n, "y", 3);
		for (int k = 0; k < 3; k++) {
			set_version(&y[k], fmt(u, "1.%u.0", (unsigned)k, 0));
			struct knit_dep *d = knit_xcalloc(1, sizeof(*d));
			d[0] = (struct knit_dep){ "z", unsat ? "^3.0.0" : "^1.0.0" };
			y[k].deps = d;
			y[k].ndeps = 1;
		}
		(*root)[n] = (struct knit_dep){ "y", "*" };
		struct knit_pkg_version *z = add_pkg(u, n + 1, "z", 2);
		set_version(&z[0], "1.0.0");
		set_version(&z[1], "2.0.0");
	} else if (!strcmp(family, "deep")) {
		u->pkgs = knit_xcalloc(n, sizeof(*u->pkgs));
		u->n = n;
		for (size_t i = 0; i < n; i++) {
			struct knit_pkg_version *vs = add_pkg(u, i, fmt(u, "p%04u", (unsigned)i, 0), n);
			for (size_t k = 0; k < n; k++) {
				set_version(&vs[k], fmt(u, "%u.0.0", (unsigned)k + 1, 0));
				struct knit_dep *d = knit_xcalloc(1, sizeof(*d));
				if (i + 1 < n) {
					/* version k needs the next package at exactly version k: only 1.0.0 of the
					   last package is usable (the others need a package that does not exist) */
					d[0] = (struct knit_dep){ fmt(u, "p%04u", (unsigned)i + 1, 0), fmt(u, "%u.0.0", (unsigned)k + 1, 0) };
				} else {
					d[0] = (struct knit_dep){ k ? "missing" : "p0000", k ? "*" : "*" };
				}
				vs[k].deps = d;
				vs[k].ndeps = 1;
			}
		}
		*nroot = 1;
		*root = knit_xcalloc(1, sizeof(**root));
		(*root)[0] = (struct knit_dep){ u->pkgs[0].name, "*" };
	} else {
		fprintf(stderr, "unknown family '%s'\n", family);
		exit(2);
	}
	qsort(u->pkgs, u->n, sizeof(*u->pkgs), cmp_name);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct universe u = { 0 };
	struct knit_dep *root = NULL;
	size_t nroot = 0;
	if (argc == 3 && !strcmp(argv[1], "universe"))
		build_universe(&u, strtoul(argv[2], NULL, 10), &root, &nroot);
	else if (argc == 4 && !strcmp(argv[1], "family"))
		build_family(&u, argv[2], strtoul(argv[3], NULL, 10), &root, &nroot);
	else {
		fprintf(stderr, "usage: bench_solver universe N | family conflict|deep|unsat N\n");
		return 2;
	}
	struct knit_source src = { &u, prefetch, load, NULL };
	struct knit_solve_request req = { .root_name = "app", .root_version = "1.0.0", .deps = root, .ndeps = nroot };
	double times[5];
	size_t npkgs = 0, decisions = 0;
	int rc = 0;
	for (int run = 0; run < 5; run++) {
		struct knit_solution sol;
		struct strbuf why = STRBUF_INIT;
		double t0 = now();
		rc = knit_solve(&req, &src, &sol, &why);
		times[run] = now() - t0;
		if (!rc) {
			npkgs = sol.n;
			decisions = sol.decisions;
			knit_solution_release(&sol);
		}
		strbuf_release(&why);
	}
	qsort(times, 5, sizeof(*times), cmp_double);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%-22s %9.2f ms  %6ld MB peak  %s  %zu packages, %zu decisions\n",
	       argc == 3 ? "universe" : argv[2], times[2] * 1e3, ru.ru_maxrss / 1024,
	       rc == 0 ? "solved" : rc == KNIT_ENOSOLUTION ? "no solution (explained)" : "error", npkgs, decisions);
	return 0;
}
