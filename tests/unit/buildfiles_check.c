#include "buildfiles_check.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push(struct knit_paths *out, const char *s, size_t len)
{
	KNIT_ALLOC_GROW(out->items, out->n + 1, out->alloc);
	out->items[out->n++] = knit_xmemdupz(s, len);
}

static int fail(struct strbuf *why, const char *what, const char *s)
{
	strbuf_addf(why, "%s in [", what);
	strbuf_add_visible(why, s);
	strbuf_addch(why, ']');
	return -1;
}

int knit_check_sh_words(const char *s, size_t len, struct knit_paths *out, struct strbuf *why)
{
	struct strbuf w = STRBUF_INIT;
	char *text = knit_xmemdupz(s, len);
	int rc = 0;
	size_t i = 0;
	while (!rc) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		strbuf_reset(&w);
		size_t start = i;
		while (!rc && i < len && s[i] != ' ' && s[i] != '\t') {
			char c = s[i++];
			if (c == '\'') {
				const char *q = memchr(s + i, '\'', len - i);
				if (!q) {
					rc = fail(why, "an unclosed single quote", text);
					break;
				}
				strbuf_add(&w, s + i, (size_t)(q - (s + i)));
				i = (size_t)(q - s) + 1;
			} else if (c == '"') {
				while (i < len && s[i] != '"') {
					if (s[i] == '$' || s[i] == '`') {
						rc = fail(why, "an expansion inside double quotes", text);
						break;
					}
					if (s[i] == '\\' && i + 1 < len && strchr("$`\"\\", s[i + 1]))
						i++;
					strbuf_addch(&w, s[i++]);
				}
				if (!rc && i == len)
					rc = fail(why, "an unclosed double quote", text);
				i++;
			} else if (c == '\\') {
				if (i == len || s[i] == '\n')
					rc = fail(why, "a backslash at the end", text);
				else
					strbuf_addch(&w, s[i++]);
			} else if (strchr("|&;<>()$`\n", c)) {
				rc = fail(why, "an unquoted shell operator or expansion", text);
			} else if (strchr("*?[", c)) {
				rc = fail(why, "an unquoted glob character", text);
			} else if ((c == '#' || c == '~') && i - 1 == start) {
				rc = fail(why, "a comment or tilde starting a word", text);
			} else {
				strbuf_addch(&w, c);
			}
		}
		if (!rc)
			push(out, w.buf, w.len);
	}
	strbuf_release(&w);
	free(text);
	return rc;
}

int knit_check_make_value(const char *s, size_t len, struct strbuf *out, struct strbuf *why)
{
	char *text = knit_xmemdupz(s, len);
	int rc = 0;
	static const char deps[] = "$(KNIT_DEPS_DIR)";
	for (size_t i = 0; i < len && !rc; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '$') {
			strbuf_addch(out, '$');
			i++;
		} else if (s[i] == '$' && !strncmp(s + i, deps, sizeof(deps) - 1)) {
			strbuf_addstr(out, "@D@");
			i += sizeof(deps) - 2;
		} else if (s[i] == '$') {
			rc = fail(why, "a Make reference", text);
		} else if (s[i] == '\\' && i + 1 < len && s[i + 1] == '#') {
			strbuf_addch(out, '#');
			i++;
		} else if (s[i] == '#') {
			rc = fail(why, "a Make comment", text);
		} else if (s[i] == '\n' || (s[i] == '\\' && i + 1 == len)) {
			rc = fail(why, "a Make line break", text);
		} else {
			strbuf_addch(out, s[i]);
		}
	}
	free(text);
	return rc;
}

/* One quoted argument's value, as a CMake list that must hold exactly one element. */
static int cmake_element(const char *value, struct knit_paths *out, struct strbuf *why)
{
	struct strbuf e = STRBUF_INIT;
	long depth = 0;
	int rc = 0;
	for (const char *p = value; *p && !rc; p++) {
		if (*p == '\\' && p[1] == ';') {
			strbuf_addch(&e, ';');
			p++;
			continue;
		}
		if (*p == '\\' && !p[1])
			rc = fail(why, "a backslash ending a list element", value);
		else if (*p == ';' && !depth)
			rc = fail(why, "a list separator", value);
		depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if (depth < 0)
			rc = fail(why, "an unmatched ']'", value);
		strbuf_addch(&e, *p);
	}
	if (!rc && depth)
		rc = fail(why, "an unmatched '['", value);
	if (!rc)
		push(out, e.buf, e.len);
	strbuf_release(&e);
	return rc;
}

int knit_check_cmake_args(const char *s, struct knit_paths *out, struct strbuf *why)
{
	struct strbuf v = STRBUF_INIT;
	static const char deps[] = "${KNIT_DEPS_DIR}";
	int rc = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == ')' || !*s)
			break;
		strbuf_reset(&v);
		if (*s == '"') {
			for (s++; *s && *s != '"' && !rc; s++) {
				if (*s == '\\' && s[1] == ';') {
					strbuf_addstr(&v, "\\;"); /* kept: the list reads it */
					s++;
				} else if (*s == '\\' && s[1]) {
					strbuf_addch(&v, *++s);
				} else if (*s == '$' && !strncmp(s, deps, sizeof(deps) - 1)) {
					strbuf_addstr(&v, "@D@");
					s += sizeof(deps) - 2;
				} else if (*s == '$' && (s[1] == '{' || !strncmp(s + 1, "ENV{", 4) ||
							 !strncmp(s + 1, "CACHE{", 6))) {
					rc = fail(why, "a CMake variable reference", s);
				} else if (*s == '\n' || *s == '\r') {
					rc = fail(why, "a line break in a quoted argument", s);
				} else {
					strbuf_addch(&v, *s);
				}
			}
			if (!rc && *s != '"')
				rc = fail(why, "an unclosed quoted argument", v.buf);
			if (rc)
				break;
			s++;
			if ((rc = cmake_element(v.buf, out, why)))
				break;
		} else {
			const char *start = s;
			while (*s && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:", *s))
				s++;
			if (s == start || (*s && !strchr(" \t\n)", *s))) {
				rc = fail(why, "an unquoted argument that is not a name", start);
				break;
			}
			push(out, start, (size_t)(s - start));
		}
	}
	if (!rc && *s != ')')
		rc = fail(why, "a command without its ')'", s);
	strbuf_release(&v);
	return rc;
}

int knit_check_pc_args(const char *s, size_t len, struct knit_paths *out, struct strbuf *why)
{
	struct strbuf w = STRBUF_INIT;
	char *text = knit_xmemdupz(s, len);
	static const char prefix[] = "${prefix}";
	int rc = 0;
	size_t i = 0;
	while (!rc) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		strbuf_reset(&w);
		while (!rc && i < len && s[i] != ' ') {
			if (s[i] == '\\' && i + 1 < len) {
				strbuf_addch(&w, s[i + 1]);
				i += 2;
			} else if (s[i] == '$' && !strncmp(s + i, prefix, sizeof(prefix) - 1)) {
				strbuf_addstr(&w, "@P@");
				i += sizeof(prefix) - 1;
			} else if (strchr("$#\"'\\\n\t", s[i])) {
				rc = fail(why, "a bare '$', '#', quote, backslash or control character", text);
			} else {
				strbuf_addch(&w, s[i++]);
			}
		}
		if (!rc)
			push(out, w.buf, w.len);
	}
	strbuf_release(&w);
	free(text);
	return rc;
}

/* --- the files of one package ------------------------------------------------------------ */

/* The line of text starting with start (at a line's beginning), without it and its newline. */
static const char *line_after(const char *text, const char *start, size_t *len)
{
	size_t n = strlen(start);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, start, n)) {
			const char *end = strchr(l + n, '\n');
			*len = end ? (size_t)(end - l - n) : strlen(l + n);
			return l + n;
		}
	return NULL;
}

static int same(const char *where, const struct knit_paths *got, const struct knit_paths *want,
		struct strbuf *why)
{
	for (size_t i = 0; i < got->n || i < want->n; i++)
		if (i >= got->n || i >= want->n || strcmp(got->items[i], want->items[i])) {
			strbuf_addf(why, "%s: argument %zu is [", where, i);
			strbuf_add_visible(why, i < got->n ? got->items[i] : "(none)");
			strbuf_addstr(why, "], not [");
			strbuf_add_visible(why, i < want->n ? want->items[i] : "(none)");
			strbuf_addch(why, ']');
			return -1;
		}
	return 0;
}

/* Appends the four strings joined as one expected value. */
static void wantf(struct knit_paths *want, const char *a, const char *b, const char *c, const char *d)
{
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "%s%s%s%s", a, b, c, d);
	push(want, s.buf, s.len);
	strbuf_release(&s);
}

void knit_check_consumer_of(const char *pkg, const struct knit_manifest *m, const char *deps_abs,
			    struct knit_consumer *out)
{
	memset(out, 0, sizeof(*out));
	struct strbuf v = STRBUF_INIT;
	size_t ninc = m->c.has_include ? m->c.include.n : 1;
	for (size_t i = 0; i < ninc; i++) {
		const char *inc = m->c.has_include ? m->c.include.items[i] : "include";
		strbuf_reset(&v);
		strbuf_addf(&v, "%s/.build/pkg/%s/prefix/%s", deps_abs, pkg, inc);
		push(&out->include, v.buf, v.len);
	}
	for (size_t i = 0; i < m->c.defines.n; i++) {
		strbuf_reset(&v);
		strbuf_addf(&v, "-D%s", m->c.defines.items[i]);
		push(&out->cflags, v.buf, v.len);
	}
	for (size_t i = 0; i < m->c.cflags.n; i++)
		push(&out->cflags, m->c.cflags.items[i], strlen(m->c.cflags.items[i]));
	strbuf_reset(&v);
	strbuf_addf(&v, "%s/.build/pkg/%s/prefix/lib/libknit_%s.a", deps_abs, pkg, pkg);
	push(&out->libraries, v.buf, v.len);
	for (size_t i = 0; i < m->c.link.n; i++)
		push(&out->syslibs, m->c.link.items[i], strlen(m->c.link.items[i]));
	strbuf_release(&v);
}

/* What every file must give back: -I<folder> for each include folder, then each compile flag. */
static void wanted(const struct knit_consumer *c, struct knit_paths *want)
{
	for (size_t i = 0; i < c->include.n; i++)
		wantf(want, "-I", c->include.items[i], "", "");
	for (size_t i = 0; i < c->cflags.n; i++)
		wantf(want, c->cflags.items[i], "", "", "");
}

static int check_make(const char *mk, const char *pkg, const struct knit_consumer *c, struct strbuf *why)
{
	struct knit_paths got = { 0 }, want = { 0 };
	struct strbuf v = STRBUF_INIT, start = STRBUF_INIT;
	size_t len;
	int rc = -1;
	strbuf_addf(&start, "KNIT_CFLAGS_%s :=", pkg);
	const char *line = line_after(mk, start.buf, &len);
	if (!line)
		strbuf_addf(why, "link.mk: no %s", start.buf);
	else if (!knit_check_make_value(line, len, &v, why) && !knit_check_sh_words(v.buf, v.len, &got, why)) {
		wanted(c, &want);
		rc = same("link.mk KNIT_CFLAGS", &got, &want, why);
	}
	knit_paths_release(&got);
	knit_paths_release(&want);
	strbuf_release(&v);
	strbuf_release(&start);
	return rc;
}

/* The arguments of the command "name(" in text, compared with want. */
static int check_cmake_command(const char *text, const char *name, const struct knit_paths *want,
			       struct strbuf *why)
{
	struct knit_paths got = { 0 };
	struct strbuf start = STRBUF_INIT;
	strbuf_addf(&start, "\n%s(", name);
	const char *at = strstr(text, start.buf);
	int rc = -1;
	if (!at)
		strbuf_addf(why, "link.cmake: no %s()", name);
	else if (!knit_check_cmake_args(at + start.len, &got, why))
		rc = same(name, &got, want, why);
	knit_paths_release(&got);
	strbuf_release(&start);
	return rc;
}

static int check_cmake(const char *cm, const char *pkg, const struct knit_consumer *c, struct strbuf *why)
{
	struct knit_paths want = { 0 };
	struct strbuf target = STRBUF_INIT;
	int rc = 0;
	strbuf_addf(&target, "knit_%s", pkg);
	if (c->include.n) {
		push(&want, target.buf, target.len);
		push(&want, "INTERFACE", 9);
		for (size_t i = 0; i < c->include.n; i++)
			push(&want, c->include.items[i], strlen(c->include.items[i]));
		rc = check_cmake_command(cm, "target_include_directories", &want, why);
	}
	if (!rc && c->cflags.n) {
		knit_paths_release(&want);
		push(&want, target.buf, target.len);
		push(&want, "INTERFACE", 9);
		for (size_t i = 0; i < c->cflags.n; i++)
			push(&want, c->cflags.items[i], strlen(c->cflags.items[i]));
		rc = check_cmake_command(cm, "target_compile_options", &want, why);
	}
	knit_paths_release(&want);
	strbuf_release(&target);
	return rc;
}

static int check_pc(const char *pc, const struct knit_consumer *c, struct strbuf *why)
{
	struct knit_paths got = { 0 }, want = { 0 };
	size_t len;
	int rc = -1;
	const char *line = line_after(pc, "Cflags:", &len);
	if (!line) {
		strbuf_addstr(why, ".pc: no Cflags");
	} else if (!knit_check_pc_args(line, len, &got, why)) {
		wanted(c, &want);
		rc = same(".pc Cflags", &got, &want, why);
	}
	/* one Cflags field: a second one would be a value that broke its line */
	if (!rc && line && strstr(line + len, "\nCflags:"))
		rc = fail(why, "a second Cflags field", pc);
	knit_paths_release(&got);
	knit_paths_release(&want);
	return rc;
}

static int check_env(const char *env, const struct knit_consumer *c, struct strbuf *why)
{
	struct knit_paths one = { 0 }, got = { 0 }, want = { 0 };
	size_t len;
	int rc = -1;
	const char *line = line_after(env, "KNIT_CFLAGS=", &len);
	if (!line) {
		strbuf_addstr(why, "knit.env: no KNIT_CFLAGS");
	} else if (!knit_check_sh_words(line, len, &one, why)) {
		if (one.n != 1) {
			strbuf_addstr(why, "knit.env: KNIT_CFLAGS is not one word");
		} else if (!knit_check_sh_words(one.items[0], strlen(one.items[0]), &got, why)) {
			wanted(c, &want);
			rc = same("knit.env KNIT_CFLAGS", &got, &want, why);
		}
	}
	knit_paths_release(&one);
	knit_paths_release(&got);
	knit_paths_release(&want);
	return rc;
}

int knit_check_built(const char *pkg, const char *version, const struct knit_consumer *c, const char *deps_abs,
		     struct strbuf *why)
{
	struct strbuf cm = STRBUF_INIT, mk = STRBUF_INIT, pc = STRBUF_INIT, env = STRBUF_INIT;
	struct knit_paths requires = { 0 };
	knit_buildfiles_built(pkg, version, c, &requires, &cm, &mk, &pc);
	knit_buildfiles_env(deps_abs, c, 1, &env);
	int rc = -1;
	if (!check_make(mk.buf, pkg, c, why) && !check_cmake(cm.buf, pkg, c, why) && !check_pc(pc.buf, c, why) &&
	    !check_env(env.buf, c, why))
		rc = 0;
	strbuf_release(&cm);
	strbuf_release(&mk);
	strbuf_release(&pc);
	strbuf_release(&env);
	return rc;
}
