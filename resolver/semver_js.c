/*
 * The JavaScript string and number semantics node-semver inherits: what
 * counts as whitespace for \s and trim(), string lengths in UTF-16 units,
 * and how numbers print. Text is UTF-8 here.
 */
#include "semver_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned decode_at(const unsigned char *s, size_t len, size_t *n)
{
	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0 && len >= 2) {
		*n = 2;
		return ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
	}
	if ((s[0] & 0xf0) == 0xe0 && len >= 3) {
		*n = 3;
		return ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
	}
	*n = 1;
	return 0xfffd;
}

static bool is_js_space(unsigned c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000: case 0xfeff:
		return true;
	}
	return c >= 0x2000 && c <= 0x200a;
}

size_t knit__js_ws_at(const char *s, size_t len)
{
	size_t n;
	if (!len)
		return 0;
	unsigned c = decode_at((const unsigned char *)s, len, &n);
	return is_js_space(c) ? n : 0;
}

size_t knit__js_ws_before(const char *s, size_t len)
{
	size_t start;
	if (!len)
		return 0;
	start = len - 1;
	/* step back over continuation bytes, at most three */
	while (start > 0 && len - start < 4 && ((unsigned char)s[start] & 0xc0) == 0x80)
		start--;
	size_t n = knit__js_ws_at(s + start, len - start);
	return n == len - start ? n : 0;
}

void knit__js_trim(const char **s, size_t *len)
{
	size_t n;
	while ((n = knit__js_ws_at(*s, *len))) {
		*s += n;
		*len -= n;
	}
	while ((n = knit__js_ws_before(*s, *len)))
		*len -= n;
}

void knit__js_collapse_ws(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0, n;
	while (i < len) {
		if ((n = knit__js_ws_at(s + i, len - i))) {
			strbuf_addch(out, ' ');
			i += n;
			while ((n = knit__js_ws_at(s + i, len - i)))
				i += n;
		} else {
			strbuf_addch(out, s[i]);
			i++;
		}
	}
}

bool knit__contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, needle, n))
			return true;
	return false;
}

bool knit__is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Length of the valid UTF-8 sequence at s, or 0 (WHATWG's decoder rules). */
static size_t utf8_valid_len(const unsigned char *s, size_t len, size_t *subpart)
{
	unsigned char c = s[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xbf;

	*subpart = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			return 0;
		*subpart = i + 1;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

void knit__utf8_sanitize(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t sub, n = utf8_valid_len(u + i, len - i, &sub);
		if (n) {
			strbuf_add(out, s + i, n);
			i += n;
		} else {
			strbuf_addstr(out, "\xef\xbf\xbd");
			i += sub;
		}
	}
}

size_t knit__utf16_len(const char *s, size_t len)
{
	size_t units = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			units += c >= 0xf0 ? 2 : 1;
	}
	return units;
}

void knit__js_number_append(struct strbuf *out, double d)
{
	char digits[32], tmp[40];
	int k, n, p;

	if (isnan(d)) {
		strbuf_addstr(out, "NaN");
		return;
	}
	if (d < 0) {
		strbuf_addch(out, '-');
		d = -d;
	}
	if (isinf(d)) {
		strbuf_addstr(out, "Infinity");
		return;
	}
	if (d == 0) {
		strbuf_addch(out, '0');
		return;
	}
	/* the shortest digit string that reads back as d, as ECMAScript asks */
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	k = 0;
	for (const char *c = tmp; *c && *c != 'e'; c++)
		if (*c >= '0' && *c <= '9')
			digits[k++] = *c;
	digits[k] = '\0';
	while (k > 1 && digits[k - 1] == '0')
		digits[--k] = '\0';
	n = atoi(strchr(tmp, 'e') + 1) + 1;
	if (k <= n && n <= 21) {
		strbuf_add(out, digits, (size_t)k);
		for (int i = k; i < n; i++)
			strbuf_addch(out, '0');
	} else if (0 < n && n <= 21) {
		strbuf_add(out, digits, (size_t)n);
		strbuf_addch(out, '.');
		strbuf_add(out, digits + n, (size_t)(k - n));
	} else if (-6 < n && n <= 0) {
		strbuf_addstr(out, "0.");
		for (int i = 0; i < -n; i++)
			strbuf_addch(out, '0');
		strbuf_add(out, digits, (size_t)k);
	} else {
		strbuf_addch(out, digits[0]);
		if (k > 1) {
			strbuf_addch(out, '.');
			strbuf_add(out, digits + 1, (size_t)(k - 1));
		}
		strbuf_addf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
}

void knit__js_digits_plus_one(struct strbuf *out, const char *digits, size_t len)
{
	/* common case: exact in 64 bits and below 2^53, where doubles are exact */
	if (len <= 15) {
		unsigned long long v = 0;
		for (size_t i = 0; i < len; i++)
			v = v * 10 + (unsigned)(digits[i] - '0');
		strbuf_addf(out, "%llu", v + 1);
		return;
	}
	char *z = strndup(digits, len);
	double d = z ? strtod(z, NULL) : NAN;
	free(z);
	knit__js_number_append(out, d + 1);
}

static bool all_in(const char *s, size_t len, const char *set)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr(set, s[i]) || !s[i])
			return false;
	return true;
}

double knit__js_to_number(const char *str)
{
	const char *s = str;
	size_t len = strlen(str);

	knit__js_trim(&s, &len);
	if (!len)
		return 0;
	char *z = strndup(s, len);
	double res = NAN;
	if (!z)
		return NAN;
	if (len > 2 && z[0] == '0' && strchr("xXoObB", z[1])) {
		int base = (z[1] == 'x' || z[1] == 'X') ? 16 : (z[1] == 'o' || z[1] == 'O') ? 8 : 2;
		const char *set = base == 16 ? "0123456789abcdefABCDEF" : base == 8 ? "01234567" : "01";
		if (all_in(z + 2, len - 2, set)) {
			res = 0;
			for (size_t i = 2; i < len; i++) {
				int c = z[i];
				int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
				res = res * base + v;
			}
		}
	} else {
		const char *p = z;
		if (*p == '+' || *p == '-')
			p++;
		if (!strcmp(p, "Infinity")) {
			res = z[0] == '-' ? -INFINITY : INFINITY;
		} else {
			/* StrDecimalLiteral: digits, optional fraction, optional exponent */
			const char *q = p;
			size_t int_digits = strspn(q, "0123456789"), frac_digits = 0;
			q += int_digits;
			if (*q == '.') {
				q++;
				frac_digits = strspn(q, "0123456789");
				q += frac_digits;
			}
			bool ok = int_digits + frac_digits > 0;
			if (ok && (*q == 'e' || *q == 'E')) {
				q++;
				if (*q == '+' || *q == '-')
					q++;
				size_t e = strspn(q, "0123456789");
				ok = e > 0;
				q += e;
			}
			if (ok && !*q)
				res = strtod(z, NULL);
		}
	}
	free(z);
	return res;
}
