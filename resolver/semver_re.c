/*
 * node-semver's grammar (internal/re.js, the "safe" variants its classes use)
 * as PCRE2 patterns. PCRE2 backtracks the way JavaScript's engine does, so
 * the exact path of every parse follows node-semver even on inputs where a
 * shorter match wins (loose "1.2.34.5" is 1.2.3-4.5 there, and here).
 *
 * JavaScript's \s also matches Unicode spaces, so \s is spelled out as a class
 * in UTF mode; \d stays ASCII. $ must not match before a final newline, as it
 * does in Perl, hence PCRE2_DOLLAR_ENDONLY.
 */
#include "semver_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WSCHARS "\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}"
#define WS "[" WSCHARS "]"
#define LDN "[a-zA-Z0-9-]"
#define NUMID "0|[1-9]\\d{0,256}"
#define NUMIDL "\\d{1,256}"
#define NONNUMID "\\d{0,256}[a-zA-Z-]" LDN "{0,250}"
#define MAINV "(" NUMID ")\\.(" NUMID ")\\.(" NUMID ")"
#define MAINVL "(" NUMIDL ")\\.(" NUMIDL ")\\.(" NUMIDL ")"
#define PRID "(?:" NONNUMID "|" NUMID ")"
#define PRIDL "(?:" NONNUMID "|" NUMIDL ")"
#define PRE "(?:-(" PRID "(?:\\." PRID ")*))"
#define PREL "(?:-?(" PRIDL "(?:\\." PRIDL ")*))"
#define BID LDN "{1,250}"
#define BUILD "(?:\\+(" BID "(?:\\." BID ")*))"
#define FULLPLAIN "v?" MAINV PRE "?" BUILD "?"
#define LOOSEPLAIN "[v=" WSCHARS "]*" MAINVL PREL "?" BUILD "?"
#define GTLT "((?:<|>)?=?)"
#define XRID NUMID "|x|X|\\*"
#define XRIDL NUMIDL "|x|X|\\*"
#define XRANGEPLAIN "[v=" WSCHARS "]*(" XRID ")(?:\\.(" XRID ")(?:\\.(" XRID ")(?:" PRE ")?" BUILD "?)?)?"
#define XRANGEPLAINL "[v=" WSCHARS "]*(" XRIDL ")(?:\\.(" XRIDL ")(?:\\.(" XRIDL ")(?:" PREL ")?" BUILD "?)?)?"
#define COERCEPLAIN "(^|[^\\d])(\\d{1,16})(?:\\.(\\d{1,16}))?(?:\\.(\\d{1,16}))?"

static const char *const patterns[KNIT_RE__COUNT] = {
	[KNIT_RE_FULL] = "^" FULLPLAIN "$",
	[KNIT_RE_LOOSE] = "^" LOOSEPLAIN "$",
	[KNIT_RE_XRANGE] = "^" GTLT WS "{0,1}" XRANGEPLAIN "$",
	[KNIT_RE_XRANGE_LOOSE] = "^" GTLT WS "{0,1}" XRANGEPLAINL "$",
	[KNIT_RE_TILDE] = "^(?:~>?)" XRANGEPLAIN "$",
	[KNIT_RE_TILDE_LOOSE] = "^(?:~>?)" XRANGEPLAINL "$",
	[KNIT_RE_CARET] = "^(?:\\^)" XRANGEPLAIN "$",
	[KNIT_RE_CARET_LOOSE] = "^(?:\\^)" XRANGEPLAINL "$",
	[KNIT_RE_COMPARATOR] = "^" GTLT WS "{0,1}(" FULLPLAIN ")$|^$",
	[KNIT_RE_COMPARATOR_LOOSE] = "^" GTLT WS "{0,1}(" LOOSEPLAIN ")$|^$",
	[KNIT_RE_HYPHEN] = "^" WS "{0,1}(" XRANGEPLAIN ")" WS "{1,1}-" WS "{1,1}(" XRANGEPLAIN ")" WS "{0,1}$",
	[KNIT_RE_HYPHEN_LOOSE] = "^" WS "{0,1}(" XRANGEPLAINL ")" WS "{1,1}-" WS "{1,1}(" XRANGEPLAINL ")" WS "{0,1}$",
	[KNIT_RE_TILDE_TRIM] = "(" WS "{0,1})(?:~>?)" WS "{1,1}",
	[KNIT_RE_CARET_TRIM] = "(" WS "{0,1})(?:\\^)" WS "{1,1}",
	[KNIT_RE_STAR] = "(<|>)?=?" WS "{0,1}\\*",
	[KNIT_RE_GTE0] = "^" WS "{0,1}>=" WS "{0,1}0\\.0\\.0" WS "{0,1}$",
	[KNIT_RE_GTE0_PRE] = "^" WS "{0,1}>=" WS "{0,1}0\\.0\\.0-0" WS "{0,1}$",
	/* parseRange strips build metadata with the unbounded source pattern */
	[KNIT_RE_BUILD_UNBOUNDED] = "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))",
	[KNIT_RE_PRERELEASE] = PRE,
	[KNIT_RE_PRERELEASE_LOOSE] = PREL,
	[KNIT_RE_COERCE] = COERCEPLAIN "(?:$|[^\\d])",
	[KNIT_RE_COERCE_FULL] = COERCEPLAIN "(?:" PRE ")?(?:" BUILD ")?(?:$|[^\\d])",
};

static pcre2_code *compiled[KNIT_RE__COUNT];
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;
static _Thread_local pcre2_match_data *match_data;

static void compile_all(void)
{
	for (int i = 0; i < KNIT_RE__COUNT; i++) {
		int err;
		PCRE2_SIZE off;
		compiled[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED,
					    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
		if (!compiled[i]) {
			/* a mistake in the table above, never an input problem */
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof(msg));
			fprintf(stderr, "knit: BUG: semver pattern %d: %s at %zu\n", i, msg, (size_t)off);
			abort();
		}
		pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE);
	}
}

bool knit__re_exec(enum knit__re re, const char *s, size_t len, size_t from,
		   struct knit__match *m)
{
	pthread_once(&compiled_once, compile_all);
	if (!match_data) {
		match_data = pcre2_match_data_create(KNIT_RE_MAX_CAPS, NULL);
		if (!match_data) {
			fprintf(stderr, "knit: fatal: out of memory\n");
			abort();
		}
	}
	int rc = pcre2_match(compiled[re], (PCRE2_SPTR)(s ? s : ""), len, from, 0, match_data, NULL);
	if (rc < 0)
		return false;

	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(match_data);
	uint32_t pairs = pcre2_get_ovector_count(match_data);
	memset(m, 0, sizeof(*m));
	m->start = ov[0];
	m->end = ov[1];
	for (uint32_t i = 1; i < pairs && i < KNIT_RE_MAX_CAPS; i++) {
		if ((int)i < rc && ov[2 * i] != PCRE2_UNSET) {
			m->cap[i].ptr = s + ov[2 * i];
			m->cap[i].len = ov[2 * i + 1] - ov[2 * i];
		}
	}
	return true;
}
