/*
 * Versions: parsing (node-semver classes/semver.js), precedence, formatting.
 */
#include "semver_internal.h"
#include "../util/error.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Parses captured digits; false when beyond MAX_SAFE_INTEGER, as +m[1] would be. */
static bool safe_number(struct knit__cap c, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < c.len; i++) {
		v = v * 10 + (uint64_t)(c.ptr[i] - '0');
		if (v > KNIT_SEMVER_MAX_SAFE_INTEGER)
			return false;
	}
	*out = v;
	return true;
}

static size_t count_ids(struct knit__cap c)
{
	size_t n;
	if (!c.ptr || !c.len)
		return 0;
	n = 1;
	for (size_t i = 0; i < c.len; i++)
		n += c.ptr[i] == '.';
	return n;
}

void knit__ident_classify(struct knit_semver_ident *id)
{
	id->kind = KNIT_IDENT_STRING;
	id->num = 0;
	for (uint32_t i = 0; i < id->len; i++)
		if (!is_digit(id->str[i]))
			return;
	if (id->len <= 15) {
		uint64_t v = 0;
		for (uint32_t i = 0; i < id->len; i++)
			v = v * 10 + (uint64_t)(id->str[i] - '0');
		id->num = (double)v;
	} else {
		char buf[300];
		size_t n = id->len < sizeof(buf) - 1 ? id->len : sizeof(buf) - 1;
		memcpy(buf, id->str, n);
		buf[n] = '\0';
		id->num = strtod(buf, NULL);
	}
	/* node-semver numberifies only below MAX_SAFE_INTEGER */
	id->kind = id->num < (double)KNIT_SEMVER_MAX_SAFE_INTEGER ? KNIT_IDENT_NUMBER : KNIT_IDENT_BIGNUM;
}

static void split_ids(struct knit_semver_ident *ids, char *text, struct knit__cap c)
{
	memcpy(text, c.ptr, c.len);
	size_t start = 0;
	for (size_t i = 0; i <= c.len; i++) {
		if (i == c.len || text[i] == '.') {
			ids->str = text + start;
			ids->len = (uint32_t)(i - start);
			knit__ident_classify(ids);
			ids++;
			start = i + 1;
		}
	}
}

int knit__version_from_parts(struct knit_version *out, struct knit__cap major,
			     struct knit__cap minor, struct knit__cap patch,
			     struct knit__cap pre, struct knit__cap build)
{
	struct knit_version v = KNIT_VERSION_INIT;

	if (!safe_number(major, &v.major) || !safe_number(minor, &v.minor) ||
	    !safe_number(patch, &v.patch))
		return KNIT_EINVALID_VERSION;
	size_t npre = count_ids(pre), nbuild = count_ids(build);
	if (npre || nbuild) {
		size_t ids_size = (npre + nbuild) * sizeof(struct knit_semver_ident);
		char *block = knit_xmalloc(ids_size + pre.len + build.len + 1);
		v.ids = (struct knit_semver_ident *)(void *)block;
		if (npre)
			split_ids(v.ids, block + ids_size, pre);
		if (nbuild)
			split_ids(v.ids + npre, block + ids_size + pre.len, build);
		v.npre = (uint16_t)npre;
		v.nbuild = (uint16_t)nbuild;
	}
	knit_version_repack(&v);
	*out = v;
	return 0;
}

void knit_version_repack(struct knit_version *v)
{
	v->packed = v->major < KNIT__PACK_LIMIT && v->minor < KNIT__PACK_LIMIT &&
		    v->patch < KNIT__PACK_LIMIT;
	v->key = v->packed ? KNIT__PACK(v->major, v->minor, v->patch, v->npre == 0) : 0;
}

int knit__version_set(struct knit_version *out, uint64_t major, uint64_t minor, uint64_t patch,
		      const char *pre, size_t prelen)
{
	struct knit__cap zero = { "0", 1 }, pc = { pre, prelen }, none = { NULL, 0 };
	int rc = knit__version_from_parts(out, zero, zero, zero, pre ? pc : none, none);
	if (rc)
		return rc;
	out->major = major;
	out->minor = minor;
	out->patch = patch;
	knit_version_repack(out);
	return 0;
}

/*
 * Scans one dot-separated identifier list the way FULL/LOOSE's greedy first
 * path does. Returns the end, or NULL when that path fails (the caller then
 * asks the exact regex, which may still succeed by backtracking).
 */
const char *knit__scan_ids(const char *p, const char *end, bool prerelease, bool loose)
{
	for (;;) {
		const char *start = p;
		bool digits_only = true;
		while (p < end && is_ident_char(*p)) {
			digits_only &= is_digit(*p);
			p++;
		}
		if (p == start || p - start > 200)
			return NULL;
		if (prerelease && digits_only && !loose && *start == '0' && p - start > 1)
			return NULL;
		if (p == end || *p != '.')
			return p;
		p++;
	}
}

static const char *scan_number(const char *p, const char *end, bool loose, struct knit__cap *c,
			       uint64_t *value)
{
	const char *start = p;
	uint64_t v = 0;
	while (p < end && is_digit(*p) && p - start < 16)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == start || (p < end && is_digit(*p)))
		return NULL; /* 17 digits or more: the regex path decides */
	if (!loose && *start == '0' && p - start > 1)
		return NULL;
	c->ptr = start;
	c->len = (size_t)(p - start);
	*value = v;
	return p;
}

/*
 * The greedy first path of FULL or LOOSE over ASCII text: accepts only what
 * the regex accepts with these very captures; returns 1 when it cannot tell.
 */
int knit__version_parse_fast(struct knit_version *out, const char *s, size_t len, unsigned flags)
{
	bool loose = flags & KNIT_SEMVER_LOOSE;
	const char *p = s, *end = s + len;
	struct knit__cap major = {0}, minor = {0}, patch = {0}, pre = {0}, build = {0};
	uint64_t M, m, pt;

	if (loose) {
		while (p < end && (*p == 'v' || *p == '=' || *p == ' ' || (*p >= '\t' && *p <= '\r')))
			p++;
	} else if (p < end && *p == 'v') {
		p++;
	}
	if (!(p = scan_number(p, end, loose, &major, &M)) || p == end || *p++ != '.' ||
	    !(p = scan_number(p, end, loose, &minor, &m)) || p == end || *p++ != '.' ||
	    !(p = scan_number(p, end, loose, &patch, &pt)))
		return 1;
	if (p == end) {
		/* the common case: a plain release */
		if (M > KNIT_SEMVER_MAX_SAFE_INTEGER || m > KNIT_SEMVER_MAX_SAFE_INTEGER ||
		    pt > KNIT_SEMVER_MAX_SAFE_INTEGER)
			return KNIT_EINVALID_VERSION;
		*out = (struct knit_version){ .major = M, .minor = m, .patch = pt };
		knit_version_repack(out);
		return 0;
	}
	if (*p == '-' || (loose && *p != '+')) {
		if (*p == '-')
			p++;
		const char *e = knit__scan_ids(p, end, true, loose);
		if (!e)
			return 1;
		pre.ptr = p;
		pre.len = (size_t)(e - p);
		p = e;
	}
	if (p < end && *p == '+') {
		const char *e = knit__scan_ids(++p, end, false, loose);
		if (!e)
			return 1;
		build.ptr = p;
		build.len = (size_t)(e - p);
		p = e;
	}
	if (p != end)
		return 1;
	return knit__version_from_parts(out, major, minor, patch, pre, build);
}

static int parse_regex(struct knit_version *out, const char *s, size_t len, unsigned flags)
{
	struct knit__match m;
	if (!knit__re_exec(flags & KNIT_SEMVER_LOOSE ? KNIT_RE_LOOSE : KNIT_RE_FULL, s, len, 0, &m))
		return KNIT_EINVALID_VERSION;
	return knit__version_from_parts(out, m.cap[1], m.cap[2], m.cap[3], m.cap[4], m.cap[5]);
}

int knit__version_parse_trimmed(struct knit_version *out, const char *s, size_t len,
				unsigned flags)
{
	int rc = knit__version_parse_fast(out, s, len, flags);
	return rc == 1 ? parse_regex(out, s, len, flags) : rc;
}

static int parse(struct knit_version *out, const char *text, size_t len, unsigned flags,
		 bool fast)
{
	struct strbuf clean = STRBUF_INIT;
	int rc;

	*out = (struct knit_version)KNIT_VERSION_INIT;
	if (!text)
		return KNIT_EINVALID_VERSION;
	if (fast && len <= KNIT_SEMVER_MAX_LENGTH) {
		/*
		 * ASCII whitespace trimmed by hand; any other byte is outside the
		 * grammar, so text with Unicode spaces at its ends falls through.
		 */
		const char *s = text;
		size_t n = len;
		while (n && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
			s++, n--;
		while (n && (s[n - 1] == ' ' || (s[n - 1] >= '\t' && s[n - 1] <= '\r')))
			n--;
		rc = knit__version_parse_fast(out, s, n, flags);
		if (rc != 1)
			return rc;
	}
	if (!knit__is_ascii(text, len)) {
		knit__utf8_sanitize(&clean, text, len);
		text = clean.buf;
		len = clean.len;
	}
	if (knit__utf16_len(text, len) > KNIT_SEMVER_MAX_LENGTH) {
		rc = KNIT_EINVALID_VERSION;
	} else {
		const char *s = text;
		size_t n = len;
		knit__js_trim(&s, &n);
		rc = parse_regex(out, s, n, flags);
	}
	strbuf_release(&clean);
	return rc;
}

int knit_version_parse(struct knit_version *out, const char *text, size_t len, unsigned flags)
{
	return parse(out, text, len, flags, true);
}

int knit__version_parse_exact(struct knit_version *out, const char *text, size_t len,
			      unsigned flags)
{
	return parse(out, text, len, flags, false);
}

void knit_version_release(struct knit_version *v)
{
	if (v->ids)
		free(v->ids);
	*v = (struct knit_version)KNIT_VERSION_INIT;
}

void knit_version_copy(struct knit_version *dst, const struct knit_version *src)
{
	*dst = *src;
	if (!src->ids)
		return;
	size_t n = src->npre + src->nbuild, text = 0;
	for (size_t i = 0; i < n; i++)
		text += src->ids[i].len + 1;
	char *block = knit_xmalloc(n * sizeof(*src->ids) + text);
	char *t = block + n * sizeof(*src->ids);
	dst->ids = (struct knit_semver_ident *)(void *)block;
	for (size_t i = 0; i < n; i++) {
		dst->ids[i] = src->ids[i];
		memcpy(t, src->ids[i].str, src->ids[i].len);
		dst->ids[i].str = t;
		t += src->ids[i].len + 1;
	}
}

static inline int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

int knit_version_compare_main(const struct knit_version *a, const struct knit_version *b)
{
	int c;
	if ((c = cmp_u64(a->major, b->major)) || (c = cmp_u64(a->minor, b->minor)))
		return c;
	return cmp_u64(a->patch, b->patch);
}

static bool text_equal(const struct knit_semver_ident *a, const struct knit_semver_ident *b)
{
	return a->len == b->len && !memcmp(a->str, b->str, a->len);
}

int knit__ident_compare(const struct knit_semver_ident *a, const struct knit_semver_ident *b)
{
	bool anum = a->kind != KNIT_IDENT_STRING, bnum = b->kind != KNIT_IDENT_STRING;
	if (anum && bnum)
		return a->num < b->num ? -1 : a->num > b->num;
	if (anum != bnum)
		return anum ? -1 : 1;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->str, b->str, n);
	if (c)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* node-semver's comparePre/compareBuild loop: === first, then compareIdentifiers. */
static int compare_id_lists(const struct knit_semver_ident *a, size_t na,
			    const struct knit_semver_ident *b, size_t nb, bool numbers)
{
	for (size_t i = 0;; i++) {
		if (i == na && i == nb)
			return 0;
		if (i == nb)
			return 1;
		if (i == na)
			return -1;
		bool same;
		if (numbers && (a[i].kind == KNIT_IDENT_NUMBER || b[i].kind == KNIT_IDENT_NUMBER))
			same = a[i].kind == b[i].kind && a[i].num == b[i].num;
		else
			same = text_equal(&a[i], &b[i]);
		if (!same)
			return knit__ident_compare(&a[i], &b[i]);
	}
}

int knit_version_compare(const struct knit_version *a, const struct knit_version *b)
{
	if (a->packed && b->packed) {
		if (a->key != b->key)
			return a->key < b->key ? -1 : 1;
		if (!a->npre)
			return 0;
		return compare_id_lists(a->ids, a->npre, b->ids, b->npre, true);
	}
	int c = knit_version_compare_main(a, b);
	if (c)
		return c;
	if (a->npre && !b->npre)
		return -1;
	if (!a->npre && b->npre)
		return 1;
	if (!a->npre)
		return 0;
	return compare_id_lists(a->ids, a->npre, b->ids, b->npre, true);
}

int knit_version_compare_build(const struct knit_version *a, const struct knit_version *b)
{
	int c = knit_version_compare(a, b);
	if (c)
		return c;
	return compare_id_lists(a->ids ? a->ids + a->npre : NULL, a->nbuild,
				b->ids ? b->ids + b->npre : NULL, b->nbuild, false);
}

void knit__version_append(struct strbuf *out, const struct knit_version *v)
{
	strbuf_addf(out, "%llu.%llu.%llu", (unsigned long long)v->major,
		    (unsigned long long)v->minor, (unsigned long long)v->patch);
	for (uint32_t i = 0; i < v->npre; i++) {
		strbuf_addch(out, i ? '.' : '-');
		if (v->ids[i].kind == KNIT_IDENT_NUMBER)
			strbuf_addf(out, "%llu", (unsigned long long)v->ids[i].num);
		else
			strbuf_add(out, v->ids[i].str, v->ids[i].len);
	}
}

size_t knit_version_format(const struct knit_version *v, char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	knit__version_append(&sb, v);
	size_t n = sb.len;
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(buf, sb.buf, c);
		buf[c] = '\0';
	}
	strbuf_release(&sb);
	return n;
}

char *knit_version_to_string(const struct knit_version *v)
{
	struct strbuf sb = STRBUF_INIT;
	knit__version_append(&sb, v);
	return strbuf_detach(&sb, NULL);
}
