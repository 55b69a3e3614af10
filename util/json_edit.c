/*
 * Editing a JSON document in place: one member of one top-level object is
 * set or removed, and every other byte stays as the user wrote it (key
 * order, indentation, spacing). A small scanner finds the spans; the edit
 * is a splice.
 */
#include "json_edit.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct member {
	size_t key_start, key_end;     /* the key's text between its quotes */
	size_t value_start, value_end; /* the value, whole */
	size_t line_start;             /* where the member's own line begins (after the previous comma) */
};

struct scan {
	const char *s;
	size_t len, pos;
};

static void ws(struct scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]))
		sc->pos++;
}

static bool value(struct scan *sc);

static bool string(struct scan *sc)
{
	if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
		return false;
	for (sc->pos++; sc->pos < sc->len; sc->pos++) {
		if (sc->s[sc->pos] == '\\')
			sc->pos++;
		else if (sc->s[sc->pos] == '"')
			return ++sc->pos, true;
	}
	return false;
}

/* Scans an object, collecting its members when out is given. */
static bool object(struct scan *sc, struct member *out, size_t *n, size_t max)
{
	if (n)
		*n = 0;
	if (sc->s[sc->pos] != '{')
		return false;
	size_t line = ++sc->pos; /* the first member's line starts right after the brace */
	ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}')
		return ++sc->pos, true;
	for (bool first = true;; first = false) {
		if (!first)
			line = sc->pos;
		ws(sc);
		struct member m = { .line_start = line };
		m.key_start = sc->pos + 1;
		if (!string(sc))
			return false;
		m.key_end = sc->pos - 1;
		ws(sc);
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
			return false;
		sc->pos++;
		ws(sc);
		m.value_start = sc->pos;
		if (!value(sc))
			return false;
		m.value_end = sc->pos;
		if (out && *n < max)
			out[(*n)++] = m;
		ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == '}')
			return ++sc->pos, true;
		return false;
	}
}

static bool array(struct scan *sc)
{
	sc->pos++;
	ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']')
		return ++sc->pos, true;
	for (;;) {
		ws(sc);
		if (!value(sc))
			return false;
		ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == ']')
			return ++sc->pos, true;
		return false;
	}
}

static bool value(struct scan *sc)
{
	if (sc->pos >= sc->len)
		return false;
	switch (sc->s[sc->pos]) {
	case '"': return string(sc);
	case '{': return object(sc, NULL, NULL, 0);
	case '[': return array(sc);
	default: {
		size_t start = sc->pos;
		while (sc->pos < sc->len && !strchr(",}] \t\r\n", sc->s[sc->pos]))
			sc->pos++;
		return sc->pos > start;
	}
	}
}

#define MAX_MEMBERS 4096

static const struct member *find(const char *s, const struct member *m, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].key_end - m[i].key_start == strlen(key) && !memcmp(s + m[i].key_start, key, strlen(key)))
			return &m[i];
	return NULL;
}

/* The whitespace that starts a member's line: its indentation. */
static void indent_of(const char *s, const struct member *m, struct strbuf *out)
{
	size_t end = m->key_start - 1, start = end;
	while (start > 0 && (s[start - 1] == ' ' || s[start - 1] == '\t'))
		start--;
	strbuf_add(out, s + start, end - start);
}

int knit_json_edit(struct strbuf *text, const char *field, const char *key, const char *value_json)
{
	struct member *top = malloc(MAX_MEMBERS * sizeof(*top)), *inner = malloc(MAX_MEMBERS * sizeof(*inner));
	size_t ntop = 0, ninner = 0;
	struct scan sc = { text->buf, text->len, 0 };
	struct strbuf out = STRBUF_INIT, indent = STRBUF_INIT, unit = STRBUF_INIT;
	int rc = 0;

	ws(&sc);
	size_t top_start = sc.pos;
	if (!top || !inner || !object(&sc, top, &ntop, MAX_MEMBERS)) {
		rc = KNIT_EPARSE;
		goto done;
	}
	size_t top_end = sc.pos - 1; /* its '}' */
	/* the file's indentation unit, from its first member; two spaces if it has none */
	if (ntop)
		indent_of(text->buf, &top[0], &unit);
	if (!unit.len)
		strbuf_addstr(&unit, "  ");

	const struct member *f = find(text->buf, top, ntop, field);
	if (!f) {
		if (!value_json)
			goto done; /* nothing to remove */
		/* a new field at the end of the top level */
		size_t at = ntop ? top[ntop - 1].value_end : top_start + 1;
		strbuf_add(&out, text->buf, at);
		strbuf_addf(&out, "%s\n%s\"%s\": {\n%s%s\"%s\": %s\n%s}", ntop ? "," : "", unit.buf, field,
			    unit.buf, unit.buf, key, value_json, unit.buf);
		if (!ntop)
			strbuf_addch(&out, '\n');
		strbuf_add(&out, text->buf + (ntop ? at : top_end), text->len - (ntop ? at : top_end));
		goto swap;
	}
	struct scan fs = { text->buf, f->value_end, f->value_start };
	if (text->buf[f->value_start] != '{' || !object(&fs, inner, &ninner, MAX_MEMBERS)) {
		rc = KNIT_EINVALID_ARG; /* the field is not an object */
		goto done;
	}
	const struct member *m = find(text->buf, inner, ninner, key);
	if (m && value_json) {
		/* replace the value only */
		strbuf_add(&out, text->buf, m->value_start);
		strbuf_addstr(&out, value_json);
		strbuf_add(&out, text->buf + m->value_end, text->len - m->value_end);
	} else if (m) {
		/* remove the member with its own line, and the comma that joined it */
		size_t i = (size_t)(m - inner), from, to;
		if (ninner == 1) {
			from = f->value_start + 1;
			to = f->value_end - 1;
		} else if (i + 1 < ninner) {
			from = m->line_start;
			to = inner[i + 1].line_start;
		} else {
			from = inner[i - 1].value_end;
			to = m->value_end;
		}
		strbuf_add(&out, text->buf, from);
		strbuf_add(&out, text->buf + to, text->len - to);
	} else if (value_json) {
		/* insert in name order among the members, npm-style */
		size_t i = 0;
		while (i < ninner) {
			size_t kl = inner[i].key_end - inner[i].key_start;
			int c = strncmp(text->buf + inner[i].key_start, key, kl < strlen(key) ? kl : strlen(key));
			if (c > 0 || (c == 0 && kl > strlen(key)))
				break;
			i++;
		}
		if (ninner)
			indent_of(text->buf, &inner[0], &indent);
		else
			strbuf_addf(&indent, "%s%s", unit.buf, unit.buf);
		if (!ninner) {
			strbuf_add(&out, text->buf, f->value_start + 1);
			strbuf_addf(&out, "\n%s\"%s\": %s\n%s", indent.buf, key, value_json, unit.buf);
			strbuf_add(&out, text->buf + f->value_end - 1, text->len - f->value_end + 1);
		} else if (i < ninner) {
			size_t at = inner[i].key_start - 1;
			strbuf_add(&out, text->buf, at);
			strbuf_addf(&out, "\"%s\": %s,\n%s", key, value_json, indent.buf);
			strbuf_add(&out, text->buf + at, text->len - at);
		} else {
			size_t at = inner[ninner - 1].value_end;
			strbuf_add(&out, text->buf, at);
			strbuf_addf(&out, ",\n%s\"%s\": %s", indent.buf, key, value_json);
			strbuf_add(&out, text->buf + at, text->len - at);
		}
	} else {
		goto done; /* nothing to remove */
	}
swap:
	strbuf_release(text);
	*text = out;
	strbuf_init(&out, 0);
done:
	free(top);
	free(inner);
	strbuf_release(&out);
	strbuf_release(&indent);
	strbuf_release(&unit);
	return rc;
}

int knit_json_edit_top(struct strbuf *text, const char *key, const char *value_json, const char *after)
{
	struct member *top = malloc(MAX_MEMBERS * sizeof(*top));
	size_t ntop = 0;
	struct scan sc = { text->buf, text->len, 0 };
	struct strbuf out = STRBUF_INIT, unit = STRBUF_INIT;
	int rc = 0;

	ws(&sc);
	size_t top_start = sc.pos;
	if (!top || !object(&sc, top, &ntop, MAX_MEMBERS)) {
		rc = KNIT_EPARSE;
		goto done;
	}
	const struct member *m = find(text->buf, top, ntop, key);
	if (m) { /* the value only: every other byte as it was */
		strbuf_add(&out, text->buf, m->value_start);
		strbuf_addstr(&out, value_json);
		strbuf_add(&out, text->buf + m->value_end, text->len - m->value_end);
	} else {
		if (ntop)
			indent_of(text->buf, &top[0], &unit);
		else
			strbuf_addstr(&unit, "  ");
		const struct member *prev = after ? find(text->buf, top, ntop, after) : NULL;
		if (prev) { /* on a line of its own after prev */
			strbuf_add(&out, text->buf, prev->value_end);
			strbuf_addf(&out, ",\n%s\"%s\": %s", unit.buf, key, value_json);
			strbuf_add(&out, text->buf + prev->value_end, text->len - prev->value_end);
		} else if (ntop) { /* first, before the first member */
			size_t at = top[0].key_start - 1;
			strbuf_add(&out, text->buf, at);
			strbuf_addf(&out, "\"%s\": %s,\n%s", key, value_json, unit.buf);
			strbuf_add(&out, text->buf + at, text->len - at);
		} else { /* the only member of {} */
			size_t end = sc.pos - 1;
			strbuf_add(&out, text->buf, top_start + 1);
			strbuf_addf(&out, "\n%s\"%s\": %s\n", unit.buf, key, value_json);
			strbuf_add(&out, text->buf + end, text->len - end);
		}
	}
	strbuf_release(text);
	*text = out;
	strbuf_init(&out, 0);
done:
	free(top);
	strbuf_release(&out);
	strbuf_release(&unit);
	return rc;
}
