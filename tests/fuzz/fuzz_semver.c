/*
 * libFuzzer target for the version and range parsers. Besides crashes and
 * sanitizer reports, it aborts when the fast paths and the exact regex path
 * disagree, so fuzzing also hunts for semantic differences.
 *
 * Input: one byte of flags, then the text, parsed both as a version and as a
 * range; when both parse, the range is tested against the version.
 */
#include "resolver/semver.h"
#include "resolver/semver_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool same, const char *what, const char *text, size_t len)
{
	if (same)
		return;
	fprintf(stderr, "fast and exact %s parses differ on '%.*s'\n", what, (int)len, text);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned flags = data[0] & 3u;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	struct knit_version v, ve;
	struct knit_range r, re;
	int rv = knit_version_parse(&v, text, len, flags);
	int rve = knit__version_parse_exact(&ve, text, len, flags);
	check(rv == rve && (rv || !knit_version_compare_build(&v, &ve)), "version", text, len);

	int rr = knit_range_parse(&r, text, len, flags);
	int rre = knit__range_parse_exact(&re, text, len, flags);
	if (!rr && !rre) {
		char *a = knit_range_to_string(&r), *b = knit_range_to_string(&re);
		check(!strcmp(a, b), "range", text, len);
		free(a);
		free(b);
	} else {
		check(rr == rre, "range", text, len);
	}
	if (!rv && !rr)
		(void)knit_range_test(&r, &v);
	if (!rr) {
		struct knit_version min;
		if (!knit_range_min_version(&r, &min))
			knit_version_release(&min);
		(void)knit_range_intersects(&r, &r, flags);
		(void)knit_range_subset(&r, &r, flags);
		knit_range_release(&r);
	}
	if (!rre)
		knit_range_release(&re);
	if (!rv)
		knit_version_release(&v);
	if (!rve)
		knit_version_release(&ve);
	return 0;
}
