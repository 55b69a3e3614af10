/*
 * satisfies() throughput, beside node-semver on the same data (run.sh).
 *
 *   bench_semver data DIR   writes DIR/ranges.txt and DIR/versions.txt
 *   bench_semver run DIR    prints the timings for knit
 *
 * "parsed": ranges and versions parsed once, then every pair tested.
 * "with parsing": every pair parsed from text and tested, as satisfies() does.
 * A figure, not a test: nothing here asserts a speed.
 */
#include "resolver/semver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 88172645463325252ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_data(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ranges.txt", dir);
	if (!(f = fopen(path, "w")))
		return 1;
	/* the shapes package manifests use, in roughly their proportions */
	for (int i = 0; i < 300; i++) {
		unsigned M = next() % 6, m = next() % 12, p = next() % 20;
		switch (next() % 10) {
		case 0: case 1: case 2: case 3: fprintf(f, "^%u.%u.%u\n", M, m, p); break;
		case 4: case 5: fprintf(f, "~%u.%u.%u\n", M, m, p); break;
		case 6: fprintf(f, ">=%u.%u.%u <%u.0.0\n", M, m, p, M + 1); break;
		case 7: fprintf(f, "%u.%u.x\n", M, m); break;
		case 8: fprintf(f, "^%u.%u.%u || ^%u.0.0\n", M, m, p, M + 1); break;
		default: fprintf(f, "%u.%u.%u - %u.%u.%u\n", M, m, p, M, m + 2, 0); break;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/versions.txt", dir);
	if (!(f = fopen(path, "w")))
		return 1;
	for (int i = 0; i < 1000; i++) {
		unsigned M = next() % 6, m = next() % 12, p = next() % 20;
		if (next() % 10 == 0)
			fprintf(f, "%u.%u.%u-beta.%u\n", M, m, p, next() % 4);
		else
			fprintf(f, "%u.%u.%u\n", M, m, p);
	}
	fclose(f);
	return 0;
}

static char **read_lines(const char *dir, const char *name, size_t *n)
{
	char path[4096], *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	char **lines = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	*n = 0;
	if (!f)
		return NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			lines = realloc(lines, alloc * sizeof(*lines));
		}
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return lines;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "data"))
		return write_data(argv[2]);
	if (argc != 3 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: bench_semver data DIR | run DIR\n");
		return 2;
	}
	size_t nr, nv;
	char **rs = read_lines(argv[2], "ranges.txt", &nr), **vs = read_lines(argv[2], "versions.txt", &nv);
	if (!rs || !vs)
		return 1;
	struct knit_range *pr = calloc(nr, sizeof(*pr));
	struct knit_version *pv = calloc(nv, sizeof(*pv));
	size_t *rlen = calloc(nr, sizeof(*rlen)), *vlen = calloc(nv, sizeof(*vlen));
	for (size_t i = 0; i < nr; i++) {
		rlen[i] = strlen(rs[i]);
		if (knit_range_parse(&pr[i], rs[i], rlen[i], 0))
			return 1;
	}
	for (size_t i = 0; i < nv; i++) {
		vlen[i] = strlen(vs[i]);
		if (knit_version_parse(&pv[i], vs[i], vlen[i], 0))
			return 1;
	}

	/* parsed once, every pair tested */
	size_t hits = 0, pairs = 0;
	double t0 = now(), t;
	int rounds = 0;
	do {
		for (size_t i = 0; i < nr; i++)
			for (size_t k = 0; k < nv; k++)
				hits += knit_range_test(&pr[i], &pv[k]);
		pairs += nr * nv;
		rounds++;
		t = now() - t0;
	} while (t < 1.0);
	printf("knit parsed       %12.0f tests/s  (%zu pairs, %zu matched per round)\n", (double)pairs / t,
	       nr * nv, hits / (size_t)rounds);

	/* parsing included: satisfies(version, range) from text */
	hits = pairs = 0;
	t0 = now();
	do {
		for (size_t i = 0; i < nr; i++)
			for (size_t k = 0; k < nv; k++)
				hits += knit_semver_satisfies(vs[k], vlen[k], rs[i], rlen[i], 0);
		pairs += nr * nv;
		t = now() - t0;
	} while (t < 1.0);
	printf("knit with parsing %12.0f tests/s\n", (double)pairs / t);

	for (size_t i = 0; i < nr; i++) {
		knit_range_release(&pr[i]);
		free(rs[i]);
	}
	for (size_t i = 0; i < nv; i++) {
		knit_version_release(&pv[i]);
		free(vs[i]);
	}
	free(pr);
	free(pv);
	free(rs);
	free(vs);
	free(rlen);
	free(vlen);
	return 0;
}
