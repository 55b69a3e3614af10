/*
 * node-semver's functions over text: satisfies, validRange, clean, inc,
 * coerce, diff, truncate, max/minSatisfying and simplifyRange.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/hash.h"
#include "../util/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Parsed ranges by text, as node-semver keeps an LRU of parsed Range
 * objects: manifests and the resolver test the same few range texts against
 * many versions. Direct-mapped and per thread; short texts only.
 */
enum { RANGE_CACHE_SLOTS = 64, RANGE_CACHE_TEXT = 48 };
struct cached_range {
	bool used, invalid;
	unsigned char len;
	unsigned flags;
	char text[RANGE_CACHE_TEXT];
	struct knit_range range;
};
static _Thread_local struct cached_range range_cache[RANGE_CACHE_SLOTS];

static const struct cached_range *cached_range(const char *text, size_t len, unsigned flags)
{
	uint64_t h = knit_hash_bytes(KNIT_HASH_SEED ^ flags, text, len);
	struct cached_range *c = &range_cache[h % RANGE_CACHE_SLOTS];
	if (c->used && c->len == len && c->flags == flags && !memcmp(c->text, text, len))
		return c;
	if (c->used && !c->invalid)
		knit_range_release(&c->range);
	c->used = true;
	c->len = (unsigned char)len;
	c->flags = flags;
	memcpy(c->text, text, len);
	c->invalid = knit_range_parse(&c->range, text, len, flags) != 0;
	return c;
}

bool knit_semver_satisfies(const char *version, size_t vlen, const char *range, size_t rlen,
			   unsigned flags)
{
	struct knit_range r;
	struct knit_version v;
	bool ok = false;
	_Alignas(max_align_t) char storage[2048];

	if (rlen <= RANGE_CACHE_TEXT) {
		const struct cached_range *c = cached_range(range, rlen, flags);
		if (c->invalid || knit_version_parse(&v, version, vlen, flags))
			return false;
		ok = knit_range_test(&c->range, &v);
		knit_version_release(&v);
		return ok;
	}
	if (knit_version_parse(&v, version, vlen, flags)) {
		/* node-semver parses the range first, but an invalid either way is false */
		return false;
	}
	int quick = knit__range_test_text(range, rlen, flags, &v);
	if (quick >= 0) {
		knit_version_release(&v);
		return quick;
	}
	if (!knit__range_parse_in(&r, range, rlen, flags, storage, sizeof(storage))) {
		ok = knit_range_test(&r, &v);
		knit_range_release(&r);
	}
	knit_version_release(&v);
	return ok;
}

char *knit_semver_valid_range(const char *range, size_t len, unsigned flags)
{
	struct knit_range r;
	if (knit_range_parse(&r, range, len, flags))
		return NULL;
	char *s = knit_range_to_string(&r);
	knit_range_release(&r);
	return s;
}

char *knit_semver_clean(const char *version, size_t len, unsigned flags)
{
	struct knit_version v;
	struct strbuf clean = STRBUF_INIT;

	if (!knit__is_ascii(version, len)) {
		knit__utf8_sanitize(&clean, version, len);
		version = clean.buf;
		len = clean.len;
	}
	/* version.trim().replace(/^[=v]+/, '') */
	knit__js_trim(&version, &len);
	while (len && (*version == '=' || *version == 'v')) {
		version++;
		len--;
	}
	int rc = knit_version_parse(&v, version, len, flags);
	strbuf_release(&clean);
	if (rc)
		return NULL;
	char *s = knit_version_to_string(&v);
	knit_version_release(&v);
	return s;
}

/* --- inc ------------------------------------------------------------------ */

static const char *const release_types[] = {
	"major", "premajor", "minor", "preminor", "patch", "prepatch", "prerelease",
};

bool knit_semver_is_release_type(const char *release)
{
	for (size_t i = 0; i < sizeof(release_types) / sizeof(*release_types); i++)
		if (!strcmp(release, release_types[i]))
			return true;
	return !strcmp(release, "release");
}

enum knit_inc_base knit_semver_inc_base_from_string(const char *s)
{
	if (!s)
		return KNIT_INC_BASE_UNSET;
	if (!strcmp(s, "false"))
		return KNIT_INC_BASE_FALSE;
	double d = knit__js_to_number(s);
	return d != 0 && !isnan(d) ? KNIT_INC_BASE_ONE : KNIT_INC_BASE_ZERO;
}

/* A pre-release element as JavaScript holds it during inc(): number or string. */
struct jsval {
	bool is_num;
	double num;
	char *str;
};

struct inc_state {
	double major, minor, patch;
	struct jsval *pre;
	size_t npre, alloc;
	unsigned flags;
};

static void pre_clear(struct inc_state *st)
{
	for (size_t i = 0; i < st->npre; i++)
		free(st->pre[i].str);
	st->npre = 0;
}

static void pre_push(struct inc_state *st, struct jsval v)
{
	KNIT_ALLOC_GROW(st->pre, st->npre + 1, st->alloc);
	st->pre[st->npre++] = v;
}

static void jsval_append(struct strbuf *out, const struct jsval *v)
{
	if (v->is_num)
		knit__js_number_append(out, v->num);
	else
		strbuf_addstr(out, v->str);
}

static void pre_join(struct strbuf *out, const struct inc_state *st)
{
	for (size_t i = 0; i < st->npre; i++) {
		if (i)
			strbuf_addch(out, '.');
		jsval_append(out, &st->pre[i]);
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* compareIdentifiers(a, b) with a number-or-string a and a string b. */
static int ident_compare_js(const struct jsval *a, const char *b)
{
	bool anum = a->is_num || all_digits(a->str), bnum = all_digits(b);
	if (anum && bnum) {
		double x = a->is_num ? a->num : strtod(a->str, NULL), y = strtod(b, NULL);
		return x == y ? 0 : x < y ? -1 : 1;
	}
	if (anum != bnum)
		return anum ? -1 : 1;
	int c = strcmp(a->str, b);
	return c == 0 ? 0 : c < 0 ? -1 : 1;
}

static bool is_prerelease_identifier(const struct inc_state *st, const char *identifier)
{
	size_t n = 1;
	for (const char *p = identifier; *p; p++)
		n += *p == '.';
	if (n > st->npre)
		return false;
	char *copy = knit_xstrdup(identifier);
	bool ok = true;
	size_t i = 0;
	/* split('.') keeps empty pieces, which strtok_r would skip */
	char *piece = copy;
	for (;;) {
		char *dot = strchr(piece, '.');
		if (dot)
			*dot = '\0';
		if (ident_compare_js(&st->pre[i++], piece) != 0) {
			ok = false;
			break;
		}
		if (!dot)
			break;
		piece = dot + 1;
	}
	free(copy);
	return ok;
}

static int inc_step(struct inc_state *st, const char *release, const char *identifier,
		    enum knit_inc_base base)
{
	bool have_id = identifier && *identifier;

	if (!strncmp(release, "pre", 3)) {
		if (!have_id && base == KNIT_INC_BASE_FALSE)
			return -1;
		if (have_id) {
			struct strbuf probe = STRBUF_INIT;
			struct knit__match m;
			strbuf_addf(&probe, "-%s", identifier);
			bool ok = knit__re_exec(st->flags & KNIT_SEMVER_LOOSE ? KNIT_RE_PRERELEASE_LOOSE
									      : KNIT_RE_PRERELEASE,
						probe.buf, probe.len, 0, &m) &&
				  m.cap[1].ptr && m.cap[1].len == strlen(identifier) &&
				  !memcmp(m.cap[1].ptr, identifier, m.cap[1].len);
			strbuf_release(&probe);
			if (!ok)
				return -1;
		}
	}

	if (!strcmp(release, "premajor")) {
		pre_clear(st);
		st->patch = 0;
		st->minor = 0;
		st->major++;
		return inc_step(st, "pre", identifier, base);
	} else if (!strcmp(release, "preminor")) {
		pre_clear(st);
		st->patch = 0;
		st->minor++;
		return inc_step(st, "pre", identifier, base);
	} else if (!strcmp(release, "prepatch")) {
		pre_clear(st);
		if (inc_step(st, "patch", identifier, base))
			return -1;
		return inc_step(st, "pre", identifier, base);
	} else if (!strcmp(release, "prerelease")) {
		if (!st->npre && inc_step(st, "patch", identifier, base))
			return -1;
		return inc_step(st, "pre", identifier, base);
	} else if (!strcmp(release, "release")) {
		if (!st->npre)
			return -1;
		pre_clear(st);
	} else if (!strcmp(release, "major")) {
		if (st->minor != 0 || st->patch != 0 || !st->npre)
			st->major++;
		st->minor = 0;
		st->patch = 0;
		pre_clear(st);
	} else if (!strcmp(release, "minor")) {
		if (st->patch != 0 || !st->npre)
			st->minor++;
		st->patch = 0;
		pre_clear(st);
	} else if (!strcmp(release, "patch")) {
		if (!st->npre)
			st->patch++;
		pre_clear(st);
	} else if (!strcmp(release, "pre")) {
		double b = base == KNIT_INC_BASE_ONE ? 1 : 0;
		if (!st->npre) {
			pre_push(st, (struct jsval){ true, b, NULL });
		} else {
			bool bumped = false;
			for (size_t i = st->npre; i-- > 0;) {
				if (st->pre[i].is_num) {
					st->pre[i].num++;
					bumped = true;
					break;
				}
			}
			if (!bumped) {
				if (base == KNIT_INC_BASE_FALSE && identifier) {
					struct strbuf joined = STRBUF_INIT;
					pre_join(&joined, st);
					bool same = !strcmp(joined.buf, identifier);
					strbuf_release(&joined);
					if (same)
						return -1;
				}
				pre_push(st, (struct jsval){ true, b, NULL });
			}
		}
		if (have_id) {
			bool replace = true;
			if (is_prerelease_identifier(st, identifier)) {
				size_t n = 1;
				for (const char *p = identifier; *p; p++)
					n += *p == '.';
				/* isNaN(prerelease[n]): undefined and non-numeric strings are NaN */
				if (n < st->npre) {
					const struct jsval *v = &st->pre[n];
					replace = !v->is_num && isnan(knit__js_to_number(v->str));
				}
			}
			if (replace) {
				pre_clear(st);
				pre_push(st, (struct jsval){ false, 0, knit_xstrdup(identifier) });
				if (base != KNIT_INC_BASE_FALSE)
					pre_push(st, (struct jsval){ true, b, NULL });
			}
		}
	} else {
		return -1;
	}
	return 0;
}

char *knit_semver_inc(const char *version, size_t len, const char *release, unsigned flags,
		      const char *identifier, enum knit_inc_base base)
{
	struct knit_version v;
	struct inc_state st = { 0 };
	char *res = NULL;

	if (!release || knit_version_parse(&v, version, len, flags))
		return NULL;
	st.flags = flags;
	st.major = (double)v.major;
	st.minor = (double)v.minor;
	st.patch = (double)v.patch;
	for (uint32_t i = 0; i < v.npre; i++) {
		const struct knit_semver_ident *id = &v.ids[i];
		if (id->kind == KNIT_IDENT_NUMBER)
			pre_push(&st, (struct jsval){ true, id->num, NULL });
		else
			pre_push(&st, (struct jsval){ false, 0, knit_xmemdupz(id->str, id->len) });
	}
	knit_version_release(&v);

	if (!inc_step(&st, release, identifier, base)) {
		struct strbuf out = STRBUF_INIT;
		knit__js_number_append(&out, st.major);
		strbuf_addch(&out, '.');
		knit__js_number_append(&out, st.minor);
		strbuf_addch(&out, '.');
		knit__js_number_append(&out, st.patch);
		if (st.npre) {
			strbuf_addch(&out, '-');
			pre_join(&out, &st);
		}
		res = strbuf_detach(&out, NULL);
	}
	pre_clear(&st);
	free(st.pre);
	return res;
}

/* --- coerce, diff, truncate ------------------------------------------------ */

int knit_semver_coerce(struct knit_version *out, const char *text, size_t len, unsigned flags,
		       bool rtl)
{
	struct strbuf clean = STRBUF_INIT, ver = STRBUF_INIT;
	struct knit__match m = { 0 }, next;
	bool found = false;
	enum knit__re re = flags & KNIT_SEMVER_INCLUDE_PRERELEASE ? KNIT_RE_COERCE_FULL
								   : KNIT_RE_COERCE;
	int rc = KNIT_EINVALID_VERSION;

	*out = (struct knit_version)KNIT_VERSION_INIT;
	if (!text)
		return rc;
	if (!knit__is_ascii(text, len)) {
		knit__utf8_sanitize(&clean, text, len);
		text = clean.buf;
		len = clean.len;
	}
	if (!rtl) {
		found = knit__re_exec(re, text, len, 0, &m);
	} else {
		/*
		 * The right-most coercible run that does not share its end with a
		 * run further left: '1.2.3.4' gives 2.3.4, not 3.4 or 4.
		 */
		size_t last = 0;
		while (last <= len && knit__re_exec(re, text, len, last, &next) &&
		       (!found || m.end != len)) {
			if (!found || next.end != m.end) {
				m = next;
				found = true;
			}
			last = next.start + next.cap[1].len + next.cap[2].len;
		}
	}
	if (found) {
		strbuf_add(&ver, m.cap[2].ptr, m.cap[2].len);
		strbuf_addch(&ver, '.');
		if (m.cap[3].ptr)
			strbuf_add(&ver, m.cap[3].ptr, m.cap[3].len);
		else
			strbuf_addch(&ver, '0');
		strbuf_addch(&ver, '.');
		if (m.cap[4].ptr)
			strbuf_add(&ver, m.cap[4].ptr, m.cap[4].len);
		else
			strbuf_addch(&ver, '0');
		if ((flags & KNIT_SEMVER_INCLUDE_PRERELEASE) && m.cap[5].ptr && m.cap[5].len) {
			strbuf_addch(&ver, '-');
			strbuf_add(&ver, m.cap[5].ptr, m.cap[5].len);
		}
		if ((flags & KNIT_SEMVER_INCLUDE_PRERELEASE) && m.cap[6].ptr && m.cap[6].len) {
			strbuf_addch(&ver, '+');
			strbuf_add(&ver, m.cap[6].ptr, m.cap[6].len);
		}
		rc = knit_version_parse(out, ver.buf, ver.len, flags);
	}
	strbuf_release(&ver);
	strbuf_release(&clean);
	return rc;
}

const char *knit_semver_diff(const struct knit_version *v1, const struct knit_version *v2)
{
	int cmp = knit_version_compare(v1, v2);
	if (!cmp)
		return NULL;
	const struct knit_version *high = cmp > 0 ? v1 : v2, *low = cmp > 0 ? v2 : v1;
	bool high_pre = high->npre, low_pre = low->npre;

	if (low_pre && !high_pre) {
		if (!low->patch && !low->minor)
			return "major";
		if (!knit_version_compare_main(low, high)) {
			if (low->minor && !low->patch)
				return "minor";
			return "patch";
		}
	}
	if (v1->major != v2->major)
		return high_pre ? "premajor" : "major";
	if (v1->minor != v2->minor)
		return high_pre ? "preminor" : "minor";
	if (v1->patch != v2->patch)
		return high_pre ? "prepatch" : "patch";
	return "prerelease";
}

char *knit_semver_truncate(const char *version, size_t len, const char *release, unsigned flags)
{
	struct knit_version v;
	bool known = false;

	for (size_t i = 0; i < sizeof(release_types) / sizeof(*release_types); i++)
		known |= !strcmp(release, release_types[i]);
	if (!known || knit_version_parse(&v, version, len, flags))
		return NULL;
	if (strncmp(release, "pre", 3)) {
		v.npre = 0;
		if (!strcmp(release, "major"))
			v.minor = v.patch = 0;
		else if (!strcmp(release, "minor"))
			v.patch = 0;
		knit_version_repack(&v);
	}
	char *s = knit_version_to_string(&v);
	knit_version_release(&v);
	return s;
}

/* --- choosing and printing over lists of versions ------------------------- */

static long pick_satisfying(const char *const *versions, size_t n, const struct knit_range *r,
			    int want)
{
	struct knit_version best = KNIT_VERSION_INIT;
	long best_i = -1;

	for (size_t i = 0; i < n; i++) {
		struct knit_version v;
		if (knit_version_parse(&v, versions[i], strlen(versions[i]), r->flags))
			continue;
		if (knit_range_test(r, &v) &&
		    (best_i < 0 || knit_version_compare(&best, &v) == -want)) {
			knit_version_release(&best);
			best = v;
			best_i = (long)i;
		} else {
			knit_version_release(&v);
		}
	}
	knit_version_release(&best);
	return best_i;
}

long knit_semver_max_satisfying(const char *const *versions, size_t n, const struct knit_range *r)
{
	return pick_satisfying(versions, n, r, 1);
}

long knit_semver_min_satisfying(const char *const *versions, size_t n, const struct knit_range *r)
{
	return pick_satisfying(versions, n, r, -1);
}

/* a merge sort (stable, as Array.prototype.sort); its depth is log2(n) */
static void merge_sort(size_t *idx, size_t *tmp, size_t n, const struct knit_version *vs, int dir)
{
	if (n < 2)
		return;
	size_t h = n / 2, i = 0, j = h, k = 0;
	merge_sort(idx, tmp, h, vs, dir);
	merge_sort(idx + h, tmp, n - h, vs, dir);
	while (i < h && j < n)
		tmp[k++] = dir * knit_version_compare(&vs[idx[j]], &vs[idx[i]]) < 0 ? idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

void knit_semver_order(size_t *order, const struct knit_version *versions, size_t n, bool descending)
{
	size_t *tmp = knit_xcalloc(n ? n : 1, sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	merge_sort(order, tmp, n, versions, descending ? -1 : 1);
	free(tmp);
}

/* node-semver compares the version strings themselves here */
static bool same_text(const struct knit_version *a, const struct knit_version *b)
{
	char *x = knit_version_to_string(a), *y = knit_version_to_string(b);
	bool same = !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

char *knit_semver_simplify(const struct knit_version *versions, size_t n,
			   const struct knit_range *r, const char *raw)
{
	size_t *idx = knit_xcalloc(n ? n : 1, sizeof(*idx)), *tmp = knit_xcalloc(n ? n : 1, sizeof(*tmp));
	struct strbuf out = STRBUF_INIT;
	long first = -1, prev = -1;
	size_t nruns = 0;

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	merge_sort(idx, tmp, n, versions, 1);

	for (size_t k = 0; k <= n; k++) {
		bool included = k < n && knit_range_test(r, &versions[idx[k]]);
		if (included) {
			prev = (long)k;
			if (first < 0)
				first = (long)k;
			continue;
		}
		if (first < 0)
			continue;
		/* a run [first, prev], open-ended when it reaches the end */
		const struct knit_version *min = &versions[idx[first]], *max = &versions[idx[prev]];
		bool open = k == n;
		bool min_is_first = same_text(min, &versions[idx[0]]);
		if (nruns++)
			strbuf_addstr(&out, " || ");
		if (!open && same_text(min, max)) {
			knit__version_append(&out, min);
		} else if (open && min_is_first) {
			strbuf_addch(&out, '*');
		} else if (open) {
			strbuf_addstr(&out, ">=");
			knit__version_append(&out, min);
		} else if (min_is_first) {
			strbuf_addstr(&out, "<=");
			knit__version_append(&out, max);
		} else {
			knit__version_append(&out, min);
			strbuf_addstr(&out, " - ");
			knit__version_append(&out, max);
		}
		first = prev = -1;
	}
	free(idx);
	free(tmp);
	if (out.len < strlen(raw))
		return strbuf_detach(&out, NULL);
	strbuf_release(&out);
	return knit_xstrdup(raw);
}
