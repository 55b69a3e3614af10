/*
 * The hand-written fast paths of resolver/semver must give exactly what the
 * regex path gives (which follows node-semver's own grammar). This feeds both
 * generated inputs: plausible ranges and versions built from semver's
 * pieces, and noise from the same alphabet, under every flag combination.
 */
#include "conformance.h"
#include "resolver/semver.h"
#include "resolver/semver_internal.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *pick(const char *const *a, size_t n) { return a[next() % n]; }

static void add_number(struct strbuf *sb)
{
	static const char *const nums[] = { "0", "1", "2", "3", "10", "01", "00", "999",
		"9007199254740991", "9007199254740992", "12345678901234567890", "x", "X", "*" };
	strbuf_addstr(sb, pick(nums, sizeof(nums) / sizeof(*nums)));
}

static void add_version_like(struct strbuf *sb)
{
	static const char *const prefixes[] = { "", "", "", "", "v", "=", "v=", " " };
	static const char *const pres[] = { "", "", "", "-0", "-beta", "-beta.1", "-rc.01", "-alpha.beta",
		"-1.2", "--", "-x", "beta", "-0a", ".4" };
	static const char *const builds[] = { "", "", "", "", "+build", "+001", "+a.b", "+" };
	strbuf_addstr(sb, pick(prefixes, 8));
	add_number(sb);
	int parts = (int)(next() % 4);
	for (int i = 0; i < parts && i < 2; i++) {
		strbuf_addch(sb, '.');
		add_number(sb);
	}
	strbuf_addstr(sb, pick(pres, sizeof(pres) / sizeof(*pres)));
	strbuf_addstr(sb, pick(builds, sizeof(builds) / sizeof(*builds)));
}

static void add_range_like(struct strbuf *sb)
{
	static const char *const ops[] = { "", "", "^", "~", "~>", ">", ">=", "<", "<=", "=", "> ", "^ ",
		"~ ", ">= " };
	static const char *const joins[] = { " ", " ", " || ", "||", " - ", "  ", "\t", " ||  ", " +b ", " +1.x " };
	int terms = 1 + (int)(next() % 3);
	for (int i = 0; i < terms; i++) {
		if (i)
			strbuf_addstr(sb, pick(joins, sizeof(joins) / sizeof(*joins)));
		strbuf_addstr(sb, pick(ops, sizeof(ops) / sizeof(*ops)));
		add_version_like(sb);
	}
}

static void add_noise(struct strbuf *sb)
{
	static const char alphabet[] = "0123456789..--++xX*^~<>=| vab\t";
	int n = (int)(next() % 24);
	for (int i = 0; i < n; i++)
		strbuf_addch(sb, alphabet[next() % (sizeof(alphabet) - 1)]);
}

static void check_range(const char *s, size_t len, unsigned flags, size_t *mismatches)
{
	struct knit_range fast, exact;
	int rf = knit_range_parse(&fast, s, len, flags);
	int re = knit__range_parse_exact(&exact, s, len, flags);
	char *a = rf ? NULL : knit_range_to_string(&fast), *b = re ? NULL : knit_range_to_string(&exact);
	if (rf != re || (a && strcmp(a, b))) {
		if (++*mismatches <= 10)
			fprintf(stderr, "range '%s' flags %u: fast %s, exact %s\n", s, flags, a ? a : "invalid",
				b ? b : "invalid");
	}
	free(a);
	free(b);
	if (!rf)
		knit_range_release(&fast);
	if (!re)
		knit_range_release(&exact);
}

static void check_version(const char *s, size_t len, unsigned flags, size_t *mismatches)
{
	struct knit_version fast, exact;
	int rf = knit_version_parse(&fast, s, len, flags);
	int re = knit__version_parse_exact(&exact, s, len, flags);
	bool same = rf == re && (rf || (!knit_version_compare_build(&fast, &exact) &&
					fast.nbuild == exact.nbuild));
	if (same && !rf) {
		char *a = knit_version_to_string(&fast), *b = knit_version_to_string(&exact);
		same = !strcmp(a, b);
		free(a);
		free(b);
	}
	if (!same && ++*mismatches <= 10)
		fprintf(stderr, "version '%s' flags %u: fast rc %d, exact rc %d\n", s, flags, rf, re);
	if (!rf)
		knit_version_release(&fast);
	if (!re)
		knit_version_release(&exact);
}

/* satisfies() from text (which may never build the range) against the exact parse */
static void check_satisfies(const char *range, size_t rlen, const char *version, size_t vlen,
			    unsigned flags, size_t *mismatches)
{
	struct knit_range r;
	struct knit_version v;
	bool want = false;
	if (!knit__range_parse_exact(&r, range, rlen, flags)) {
		if (!knit__version_parse_exact(&v, version, vlen, flags)) {
			want = knit_range_test(&r, &v);
			knit_version_release(&v);
		}
		knit_range_release(&r);
	}
	if (knit_semver_satisfies(version, vlen, range, rlen, flags) != want && ++*mismatches <= 10)
		fprintf(stderr, "satisfies('%s', '%s') flags %u differs\n", version, range, flags);
}

static void test_fast_and_exact_paths_agree(void **state)
{
	size_t mismatches = 0, checked = 0;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 60000; i++) {
		strbuf_reset(&sb);
		switch (i % 4) {
		case 0: case 1: add_range_like(&sb); break;
		case 2: add_version_like(&sb); break;
		default: add_noise(&sb); break;
		}
		struct strbuf ver = STRBUF_INIT;
		add_version_like(&ver);
		for (unsigned flags = 0; flags < 4; flags++) {
			check_range(sb.buf, sb.len, flags, &mismatches);
			check_version(sb.buf, sb.len, flags, &mismatches);
			check_satisfies(sb.buf, sb.len, ver.buf, ver.len, flags, &mismatches);
			checked += 3;
		}
		strbuf_release(&ver);
	}
	strbuf_release(&sb);
	printf("semver paths: %zu parses compared, %zu mismatches\n", checked, mismatches);
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_and_exact_paths_agree),
	};
	return cmocka_run_group_tests_name("semver paths", tests, NULL, NULL);
}
