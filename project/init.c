#include "init.h"
#include "buildfiles.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void knit_package_name_from(const char *folder, struct strbuf *out)
{
	size_t start = out->len;
	for (const char *p = folder; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		bool ok = islower((unsigned char)c) || isdigit((unsigned char)c) || strchr("-._", c);
		if (!ok)
			c = '-';
		if (c == '-' && (out->len == start || out->buf[out->len - 1] == '-'))
			continue;
		strbuf_addch(out, c);
	}
	if (out->len - start > KNIT_PKGNAME_MAX)
		strbuf_setlen(out, start + KNIT_PKGNAME_MAX);
	while (out->len > start && strchr("-._", out->buf[out->len - 1]))
		strbuf_setlen(out, out->len - 1);
	while (out->len > start && strchr("._", out->buf[start])) {
		memmove(out->buf + start, out->buf + start + 1, out->len - start);
		out->len--;
	}
	if (out->len == start || !knit_pkgname_valid(out->buf + start)) { /* "node_modules" */
		strbuf_setlen(out, start);
		strbuf_addstr(out, "app");
	}
}

/* --- placeholders ------------------------------------------------------------------------ */

struct vars {
	const char *keys[8];
	struct strbuf values[8];
	size_t n;
};

static void var(struct vars *v, const char *key, const char *value)
{
	v->keys[v->n] = key;
	strbuf_init(&v->values[v->n], 0);
	strbuf_addstr(&v->values[v->n], value);
	v->n++;
}

static void json_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c < 0x20)
			strbuf_addf(out, "\\u%04x", c);
		else
			strbuf_addch(out, (char)c);
	}
}

static void substitute(const struct vars *v, const char *text, size_t len, bool json, struct strbuf *out)
{
	for (size_t i = 0; i < len;) {
		if (text[i] == '{' && i + 1 < len && text[i + 1] == '{') {
			bool done = false;
			for (size_t k = 0; k < v->n && !done; k++) {
				size_t kl = strlen(v->keys[k]);
				if (i + 4 + kl <= len && !memcmp(text + i + 2, v->keys[k], kl) &&
				    !memcmp(text + i + 2 + kl, "}}", 2)) {
					if (json)
						json_escape(out, v->values[k].buf);
					else
						strbuf_addstr(out, v->values[k].buf);
					i += 4 + kl;
					done = true;
				}
			}
			if (done)
				continue;
		}
		strbuf_addch(out, text[i++]);
	}
}

static void c_identifier(const char *name, struct strbuf *out, bool upper)
{
	const char *p = name[0] == '@' ? name + 1 : name;
	if (isdigit((unsigned char)*p))
		strbuf_addch(out, '_');
	for (; *p; p++) {
		char c = isalnum((unsigned char)*p) ? *p : '_';
		strbuf_addch(out, (char)(upper ? toupper((unsigned char)c) : c));
	}
}

/* --- the copy ---------------------------------------------------------------------------- */

static void remove_written(const char *dir, const struct knit_paths *written)
{
	for (size_t i = written->n; i-- > 0;) {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s/%s", dir, written->items[i]);
		unlink(p.buf);
		/* the folders made for it, when now empty */
		for (char *slash; (slash = strrchr(p.buf, '/')) && (size_t)(slash - p.buf) > strlen(dir);) {
			strbuf_setlen(&p, (size_t)(slash - p.buf));
			if (rmdir(p.buf))
				break;
		}
		strbuf_release(&p);
	}
}

int knit_init(const struct knit_init_opts *o, struct knit_paths *written, struct strbuf *err)
{
	struct knit_version ver;
	if (knit_pkgname_verify(o->name, err))
		return KNIT_EINVALID_ARG;
	if (knit_version_parse(&ver, o->version, strlen(o->version), 0)) {
		strbuf_addf(err, "'%s' is not a valid version (like 0.1.0)", o->version);
		return KNIT_EINVALID_ARG;
	}
	knit_version_release(&ver);
	struct stat st;
	if (stat(o->template_dir, &st) || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "no template at '%s'", o->template_dir);
		return KNIT_ENOTFOUND;
	}

	struct vars v = { 0 };
	struct strbuf scratch = STRBUF_INIT;
	var(&v, "name", o->name);
	c_identifier(o->name, &scratch, false);
	var(&v, "c_name", scratch.buf);
	strbuf_reset(&scratch);
	c_identifier(o->name, &scratch, true);
	var(&v, "C_NAME", scratch.buf);
	strbuf_reset(&scratch);
	knit_build_name(o->name, &scratch);
	var(&v, "target", scratch.buf);
	var(&v, "version", o->version);
	var(&v, "description", o->description);
	var(&v, "license", o->license);
	strbuf_release(&scratch);

	struct knit_paths sources = { 0 }, targets = { 0 };
	knit_glob(o->template_dir, "**/*", &sources);
	int rc = 0;
	for (size_t i = 0; i < sources.n; i++) {
		struct strbuf dst = STRBUF_INIT;
		const char *src = sources.items[i];
		const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		substitute(&v, src, (size_t)(base - src), false, &dst);
		if (!strcmp(base, "gitignore"))
			strbuf_addstr(&dst, ".gitignore");
		else
			substitute(&v, base, strlen(base), false, &dst);
		KNIT_ALLOC_GROW(targets.items, targets.n + 1, targets.alloc);
		targets.items[targets.n++] = strbuf_detach(&dst, NULL);
	}
	/* nothing is written when anything is in the way */
	for (size_t i = 0; i < targets.n && !rc; i++) {
		struct strbuf p = STRBUF_INIT;
		strbuf_addf(&p, "%s/%s", o->dir, targets.items[i]);
		if (!lstat(p.buf, &st)) {
			strbuf_addf(err, "'%s' already exists in '%s'; knit init writes nothing over it",
				    targets.items[i], o->dir);
			rc = KNIT_EEXIST;
		}
		strbuf_release(&p);
	}
	if (!rc && knit_make_dirs(o->dir)) {
		strbuf_addf(err, "cannot make '%s': %s", o->dir, strerror(errno));
		rc = KNIT_EIO;
	}
	for (size_t i = 0; i < sources.n && !rc; i++) {
		struct strbuf src = STRBUF_INIT, text = STRBUF_INIT, out = STRBUF_INIT, dst = STRBUF_INIT;
		strbuf_addf(&src, "%s/%s", o->template_dir, sources.items[i]);
		strbuf_addf(&dst, "%s/%s", o->dir, targets.items[i]);
		bool changed;
		size_t tl = strlen(targets.items[i]);
		bool json = tl >= 5 && !strcmp(targets.items[i] + tl - 5, ".json");
		rc = knit_read_file(src.buf, &text, err);
		if (!rc) {
			substitute(&v, text.buf, text.len, json, &out);
			if (knit_make_parents(dst.buf)) {
				strbuf_addf(err, "cannot make the folder for '%s': %s", dst.buf, strerror(errno));
				rc = KNIT_EIO;
			}
		}
		if (!rc && !(rc = knit_write_file_atomic(dst.buf, out.buf, out.len, &changed, err))) {
			KNIT_ALLOC_GROW(written->items, written->n + 1, written->alloc);
			written->items[written->n++] = knit_xstrdup(targets.items[i]);
		}
		strbuf_release(&src);
		strbuf_release(&text);
		strbuf_release(&out);
		strbuf_release(&dst);
	}
	if (rc && rc != KNIT_EEXIST) {
		remove_written(o->dir, written);
		knit_paths_release(written);
	}
	knit_paths_release(&sources);
	knit_paths_release(&targets);
	for (size_t i = 0; i < v.n; i++)
		strbuf_release(&v.values[i]);
	return rc;
}
