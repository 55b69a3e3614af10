/*
 * Differential testing against node-semver (tests/cli/t0120-semver-oracle.sh).
 *
 *   semver_oracle_driver generate N SEED   prints N generated cases
 *   semver_oracle_driver run               answers cases read from stdin
 *
 * A case is one line: mode, flags (l = loose, p = includePrerelease, r = rtl)
 * and up to two arguments, TAB-separated, with \\, \t, \n and \xHH escapes.
 * tests/cli/semver-oracle.js answers the same lines with node-semver; the
 * two outputs must be identical.
 */
#include "resolver/semver.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints v as node-semver would, then releases it. */
static void put_version(struct knit_version *v)
{
	char *t = knit_version_to_string(v);
	puts(t);
	free(t);
	knit_version_release(v);
}

static uint64_t rng;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

#define PICK(a) (a[next() % (sizeof(a) / sizeof(*a))])

static void gen_number(struct strbuf *sb)
{
	static const char *const nums[] = { "0", "1", "2", "3", "4", "10", "01", "00", "999", "x", "X", "*",
		"9007199254740991", "9007199254740990", "9007199254740992", "12345678901234567890" };
	strbuf_addstr(sb, PICK(nums));
}

static void gen_version(struct strbuf *sb)
{
	static const char *const prefixes[] = { "", "", "", "", "", "v", "=", "v=", " ", "\xc2\xa0", "==" };
	static const char *const pres[] = { "", "", "", "", "-0", "-beta", "-beta.1", "-rc.01", "-alpha.beta",
		"-1.2", "--", "-x", "beta", "-0a", ".4", "-pre.0", "-9007199254740992", "-1e5", "-" };
	static const char *const builds[] = { "", "", "", "", "", "+build", "+001", "+a.b", "+", "+x.y.z" };
	strbuf_addstr(sb, PICK(prefixes));
	gen_number(sb);
	int parts = (int)(next() % 5);
	for (int i = 0; i < parts && i < 2; i++) {
		strbuf_addch(sb, '.');
		gen_number(sb);
	}
	strbuf_addstr(sb, PICK(pres));
	strbuf_addstr(sb, PICK(builds));
}

static void gen_range(struct strbuf *sb)
{
	static const char *const ops[] = { "", "", "", "^", "~", "~>", ">", ">=", "<", "<=", "=", "> ", "^ ",
		"~ ", ">= ", "<= ", "~> " };
	static const char *const joins[] = { " ", " ", " ", " || ", "||", " - ", "  ", "\t", " ||  ", " -  ",
		"|", " +b ", " +1.x " };
	int terms = 1 + (int)(next() % 4);
	for (int i = 0; i < terms; i++) {
		if (i)
			strbuf_addstr(sb, PICK(joins));
		strbuf_addstr(sb, PICK(ops));
		gen_version(sb);
	}
}

static void gen_noise(struct strbuf *sb)
{
	static const char alphabet[] = "0123456789..--++xX*^~<>=| vab\t";
	int n = (int)(next() % 20);
	for (int i = 0; i < n; i++)
		strbuf_addch(sb, alphabet[next() % (sizeof(alphabet) - 1)]);
}

static void gen_range_or_noise(struct strbuf *sb)
{
	if (next() % 8)
		gen_range(sb);
	else
		gen_noise(sb);
}

static void put_escaped(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void generate(long n)
{
	static const char *const modes[] = { "valid-range", "valid-range", "satisfies", "satisfies",
		"satisfies", "valid", "compare", "intersects", "subset", "min-version", "coerce", "inc" };
	static const char *const releases[] = { "major", "premajor", "minor", "preminor", "patch",
		"prepatch", "prerelease", "release", "pre", "bogus" };
	static const char *const ids[] = { "", "beta", "rc.1", "alpha", "01", "a b", "dev" };
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	for (long i = 0; i < n; i++) {
		const char *mode = PICK(modes);
		strbuf_reset(&a);
		strbuf_reset(&b);
		if (!strcmp(mode, "valid-range") || !strcmp(mode, "min-version")) {
			gen_range_or_noise(&a);
		} else if (!strcmp(mode, "satisfies")) {
			gen_range_or_noise(&a);
			gen_version(&b);
		} else if (!strcmp(mode, "valid") || !strcmp(mode, "coerce")) {
			if (next() % 4)
				gen_version(&a);
			else
				gen_noise(&a);
			if (!strcmp(mode, "coerce") && next() % 2) {
				strbuf_addch(&a, '.');
				gen_version(&a);
			}
		} else if (!strcmp(mode, "compare")) {
			gen_version(&a);
			gen_version(&b);
		} else if (!strcmp(mode, "intersects") || !strcmp(mode, "subset")) {
			gen_range(&a);
			gen_range(&b);
		} else {
			gen_version(&a);
			strbuf_addstr(&b, PICK(releases));
			strbuf_addch(&b, ' ');
			strbuf_addstr(&b, PICK(ids));
		}
		char flags[4] = "", *f = flags;
		if (next() % 3 == 0)
			*f++ = 'l';
		if (next() % 3 == 0)
			*f++ = 'p';
		if (!strcmp(mode, "coerce") && next() % 2)
			*f++ = 'r';
		*f = '\0';
		printf("%s\t%s\t", mode, flags);
		put_escaped(a.buf, a.len);
		putchar('\t');
		put_escaped(b.buf, b.len);
		putchar('\n');
	}
	strbuf_release(&a);
	strbuf_release(&b);
}

static void unescape(struct strbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 >= len) {
			strbuf_addch(out, s[i]);
			continue;
		}
		char c = s[++i];
		if (c == 't')
			strbuf_addch(out, '\t');
		else if (c == 'n')
			strbuf_addch(out, '\n');
		else if (c == 'x' && i + 2 < len) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			strbuf_addch(out, (int)strtol(hex, NULL, 16));
			i += 2;
		} else
			strbuf_addch(out, c);
	}
}

static void print_range_or_null(const char *s, size_t len, unsigned flags)
{
	char *r = knit_semver_valid_range(s, len, flags);
	puts(r ? r : "null");
	free(r);
}

static void answer(const char *mode, const char *fl, const struct strbuf *a, const struct strbuf *b)
{
	unsigned flags = (strchr(fl, 'l') ? KNIT_SEMVER_LOOSE : 0) |
			 (strchr(fl, 'p') ? KNIT_SEMVER_INCLUDE_PRERELEASE : 0);
	struct knit_version v, w;
	struct knit_range r, s;

	if (!strcmp(mode, "valid-range")) {
		print_range_or_null(a->buf, a->len, flags);
	} else if (!strcmp(mode, "satisfies")) {
		puts(knit_semver_satisfies(b->buf, b->len, a->buf, a->len, flags) ? "true" : "false");
	} else if (!strcmp(mode, "valid")) {
		if (knit_version_parse(&v, a->buf, a->len, flags)) {
			puts("null");
		} else {
			put_version(&v);
		}
	} else if (!strcmp(mode, "compare")) {
		if (knit_version_parse(&v, a->buf, a->len, flags)) {
			puts("error");
		} else if (knit_version_parse(&w, b->buf, b->len, flags)) {
			puts("error");
			knit_version_release(&v);
		} else {
			printf("%d\n", knit_version_compare(&v, &w));
			knit_version_release(&v);
			knit_version_release(&w);
		}
	} else if (!strcmp(mode, "intersects") || !strcmp(mode, "subset")) {
		bool subset = !strcmp(mode, "subset");
		if (subset && a->len == b->len && !memcmp(a->buf, b->buf, a->len)) {
			puts("true");
		} else if (knit_range_parse(&r, a->buf, a->len, flags)) {
			puts("error");
		} else if (knit_range_parse(&s, b->buf, b->len, flags)) {
			puts("error");
			knit_range_release(&r);
		} else {
			bool res = subset ? knit_range_subset(&r, &s, flags) : knit_range_intersects(&r, &s, flags);
			puts(res ? "true" : "false");
			knit_range_release(&r);
			knit_range_release(&s);
		}
	} else if (!strcmp(mode, "min-version")) {
		if (knit_range_parse(&r, a->buf, a->len, flags)) {
			puts("error");
		} else {
			int rc = knit_range_min_version(&r, &v);
			if (rc) {
				puts(rc == KNIT_ENOMATCH ? "null" : "error");
			} else {
				put_version(&v);
			}
			knit_range_release(&r);
		}
	} else if (!strcmp(mode, "coerce")) {
		if (knit_semver_coerce(&v, a->buf, a->len, flags, strchr(fl, 'r') != NULL)) {
			puts("null");
		} else {
			put_version(&v);
		}
	} else if (!strcmp(mode, "inc")) {
		char *sp = strchr(b->buf, ' ');
		*sp = '\0';
		char *t = knit_semver_inc(a->buf, a->len, b->buf, flags, sp[1] ? sp + 1 : NULL,
					  KNIT_INC_BASE_UNSET);
		puts(t ? t : "null");
		free(t);
		*sp = ' ';
	} else {
		puts("unknown-mode");
	}
}

static int run(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		char *f[4] = { line, NULL, NULL, NULL };
		for (int i = 1; i < 4; i++) {
			char *t = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
			if (t) {
				*t = '\0';
				f[i] = t + 1;
			}
		}
		if (!f[3]) {
			puts("bad-line");
			continue;
		}
		strbuf_reset(&a);
		strbuf_reset(&b);
		unescape(&a, f[2], strlen(f[2]));
		unescape(&b, f[3], strlen(f[3]));
		answer(f[0], f[1], &a, &b);
	}
	free(line);
	strbuf_release(&a);
	strbuf_release(&b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "generate")) {
		rng = strtoull(argv[3], NULL, 10) * 2654435761u + 1;
		generate(strtol(argv[2], NULL, 10));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run();
	fprintf(stderr, "usage: semver_oracle_driver generate N SEED | run\n");
	return 2;
}
