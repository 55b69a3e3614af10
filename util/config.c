#include "config.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/url.h"
#include "util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

void knit_config_set(struct knit_config *c, const char *key, const char *value, const char *origin)
{
	KNIT_ALLOC_GROW(c->items, c->n + 1, c->alloc);
	c->items[c->n++] = (struct knit_setting){ knit_xstrdup(key), knit_xstrdup(value),
						  knit_xstrdup(origin) };
}

const char *knit_config_get(const struct knit_config *c, const char *key)
{
	for (size_t i = c->n; i-- > 0;)
		if (!strcmp(c->items[i].key, key))
			return c->items[i].value;
	return NULL;
}

int knit_config_size(const struct knit_config *c, const char *key, unsigned long long def,
		     unsigned long long *out, struct strbuf *err)
{
	const struct knit_setting *set = NULL;
	for (size_t i = c->n; !set && i-- > 0;)
		if (!strcmp(c->items[i].key, key))
			set = &c->items[i];
	*out = def;
	if (!set)
		return 0;
	const char *v = set->value;
	char *end;
	unsigned long long n = 0, unit = 1;
	if (*v >= '0' && *v <= '9') { /* strtoull alone would take "-1" and " 1" */
		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno)
			end = (char *)v;
	} else {
		end = (char *)v;
	}
	if (end != v && end[0] && !end[1] && strchr("kKmMgG", end[0]))
		unit = 1ull << (strchr("kK", end[0]) ? 10 : strchr("mM", end[0]) ? 20 : 30), end++;
	if (end == v || *end || !n || n > ULLONG_MAX / unit) {
		strbuf_addf(err, "%s: '%s' is not a size: '%s' (bytes, or a number ending in k, m or g)",
			    set->origin, key, v);
		return KNIT_EPARSE;
	}
	*out = n * unit;
	return 0;
}

void knit_config_release(struct knit_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].key);
		free(c->items[i].value);
		free(c->items[i].origin);
	}
	free(c->items);
	free(c->cache_dir);
	memset(c, 0, sizeof(*c));
}

static void trim(char **s, size_t *len)
{
	while (*len && strchr(" \t\r", **s))
		(*s)++, (*len)--;
	while (*len && strchr(" \t\r", (*s)[*len - 1]))
		(*len)--;
}

/* ${VAR} from the environment; 0 or KNIT_EPARSE naming the variable. */
static int expand(struct strbuf *out, const char *s, size_t len, const char *origin,
		  struct strbuf *err)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			const char *close = memchr(s + i + 2, '}', len - i - 2);
			if (close) {
				char *name = knit_xmemdupz(s + i + 2, (size_t)(close - s - i - 2));
				const char *v = getenv(name);
				if (!v) {
					strbuf_addf(err, "%s: ${%s} is not set in the environment", origin, name);
					free(name);
					return KNIT_EPARSE;
				}
				strbuf_addstr(out, v);
				free(name);
				i = (size_t)(close - s);
				continue;
			}
		}
		strbuf_addch(out, s[i]);
	}
	return 0;
}

/* The number settings: the largest value each accepts, and its unit for messages. */
static const struct { const char *key; long max; const char *unit; } numbers[] = {
	{ "fetch-timeout", 86400000L, "milliseconds" },
	{ "fetch-retries", 100, "retries" },
	{ "fetch-retry-mintimeout", 3600000L, "milliseconds" },
	{ "fetch-retry-maxtimeout", 3600000L, "milliseconds" },
	{ "maxsockets", 1024, "connections" },
};

/* A number setting's value: a whole number from 0 to its maximum; 0 or KNIT_EPARSE naming where and key. */
static int check_number(const char *key, const char *value, const char *where, struct strbuf *err)
{
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (strcmp(key, numbers[i].key))
			continue;
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (!*value || *end || errno || v < 0 || v > numbers[i].max || *value == '-' || *value == '+') {
			strbuf_addf(err, "%s: '%s' must be a whole number of %s from 0 to %ld, not '%s'", where, key,
				    numbers[i].unit, numbers[i].max, value);
			return KNIT_EPARSE;
		}
	}
	return 0;
}


int knit_config_parse(struct knit_config *c, const char *text, const char *origin, struct strbuf *err)
{
	unsigned line = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *s = (char *)p;
		line++;
		p = eol ? eol + 1 : p + len;
		trim(&s, &len);
		if (!len || *s == '#' || *s == ';')
			continue;
		char *eq = memchr(s, '=', len);
		struct strbuf where = STRBUF_INIT;
		strbuf_addf(&where, "%s:%u", origin, line);
		if (!eq) {
			strbuf_addf(err, "%s: expected key=value", where.buf);
			strbuf_release(&where);
			return KNIT_EPARSE;
		}
		char *k = s, *v = eq + 1;
		size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
		trim(&k, &klen);
		trim(&v, &vlen);
		if (vlen >= 2 && ((v[0] == '"' && v[vlen - 1] == '"') || (v[0] == '\'' && v[vlen - 1] == '\'')))
			v++, vlen -= 2;
		struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
		int rc = expand(&key, k, klen, where.buf, err);
		if (!rc)
			rc = expand(&value, v, vlen, where.buf, err);
		if (!rc && !key.len) {
			strbuf_addf(err, "%s: empty key", where.buf);
			rc = KNIT_EPARSE;
		}
		if (!rc)
			rc = check_number(key.buf, value.buf, where.buf, err);
		if (!rc) {
			if (knit_config_is_secret(key.buf)) /* messages never show it (util/redact.h) */
				knit_redact_add_secret(value.buf);
			knit_config_set(c, key.buf, value.buf, where.buf);
		}
		strbuf_release(&key);
		strbuf_release(&value);
		strbuf_release(&where);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_file(struct knit_config *c, const char *path, const char *label, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc = knit_read_file(path, &text, err);
	if (rc == KNIT_ENOTFOUND)
		rc = 0;
	else if (!rc)
		rc = knit_config_parse(c, text.buf, label, err);
	strbuf_release(&text);
	return rc;
}

int knit_config_load(struct knit_config *c, const char *project_dir, const char *flag_registry,
		     struct strbuf *err)
{
	const char *home = getenv("HOME");
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	strbuf_addf(&path, "file://%s/.knit/registry", home ? home : "");
	knit_config_set(c, "registry", path.buf, "default");

	strbuf_reset(&path);
	struct strbuf no_home = STRBUF_INIT; /* no user file is no error when reading */
	if (!knit_config_user_file(&path, &no_home))
		rc = load_file(c, path.buf, path.buf, err);
	strbuf_release(&no_home);
	if (!rc && project_dir) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/.knitrc", project_dir);
		rc = load_file(c, path.buf, ".knitrc", err);
	}
	const char *env = getenv("KNIT_REGISTRY");
	struct strbuf url = STRBUF_INIT, scratch = STRBUF_INIT;
	if (!rc && env && *env) /* a folder's path made its URL; anything else as it is, for its use to judge */
		knit_config_set(c, "registry", !knit_url_registry(env, "KNIT_REGISTRY", &url, &scratch) ? url.buf : env,
				"KNIT_REGISTRY");
	strbuf_reset(&url);
	if (!rc && flag_registry && !(rc = knit_url_registry(flag_registry, "--registry", &url, err)))
		knit_config_set(c, "registry", url.buf, "--registry");
	strbuf_release(&url);
	strbuf_release(&scratch);

	strbuf_reset(&path);
	const char *cache = getenv("KNIT_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	if (cache && *cache)
		strbuf_addstr(&path, cache);
	else if (xdg && *xdg)
		strbuf_addf(&path, "%s/knit", xdg);
	else
		strbuf_addf(&path, "%s/.cache/knit", home ? home : ".");
	c->cache_dir = strbuf_detach(&path, NULL);
	if (rc)
		knit_config_release(c);
	return rc;
}

static char *without_slash(const char *url)
{
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	return knit_xmemdupz(url, n);
}

const char *knit_config_registry(const struct knit_config *c, const char *name)
{
	static _Thread_local char *last;
	const char *url = NULL;
	if (name && name[0] == '@') {
		const char *slash = strchr(name, '/');
		if (slash) {
			struct strbuf key = STRBUF_INIT;
			strbuf_add(&key, name, (size_t)(slash - name));
			strbuf_addstr(&key, ":registry");
			url = knit_config_get(c, key.buf);
			strbuf_release(&key);
		}
	}
	if (!url)
		url = knit_config_get(c, "registry");
	free(last);
	last = without_slash(url ? url : "");
	return last;
}

/* The value of "<//host/path/>:<field>" for url, the longest matching prefix, or NULL. */
static const char *auth_field(const struct knit_config *c, const char *url, const char *field)
{
	const char *at = strstr(url, "//");
	const char *best = NULL;
	size_t best_len = 0, suffix = strlen(field);
	if (!at)
		return NULL;
	/* "//host:port/path/" keys end in a slash; a registry's bare URL may not */
	struct strbuf rest_buf = STRBUF_INIT;
	strbuf_addstr(&rest_buf, at);
	if (!strchr(at + 2, '/'))
		strbuf_addch(&rest_buf, '/');
	const char *rest = rest_buf.buf;
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->items[i].key;
		size_t kl = strlen(k);
		if (kl <= suffix + 1 || strcmp(k + kl - suffix, field) || k[kl - suffix - 1] != ':' ||
		    strncmp(k, "//", 2))
			continue;
		size_t prefix = kl - suffix - 1;
		if (!strncmp(rest, k, prefix) && prefix >= best_len) {
			best = c->items[i].value;
			best_len = prefix;
		}
	}
	strbuf_release(&rest_buf);
	return best;
}

bool knit_config_is_secret(const char *key)
{
	static const char *const fields[] = { "_authToken", "_auth", "_password" };
	const char *colon = strrchr(key, ':');
	const char *field = colon ? colon + 1 : key;
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (!strcmp(field, fields[i]))
			return true;
	return false;
}

const char *knit_config_token(const struct knit_config *c, const char *url)
{
	return auth_field(c, url, "_authToken");
}

const char *knit_config_auth_header(const struct knit_config *c, const char *url, struct strbuf *buf)
{
	const char *token = knit_config_token(c, url);
	if (token) {
		strbuf_addf(buf, "Authorization: Bearer %s", token);
		return buf->buf;
	}
	const char *basic = auth_field(c, url, "_auth"); /* base64 of user:password */
	if (basic) {
		strbuf_addf(buf, "Authorization: Basic %s", basic);
		return buf->buf;
	}
	return NULL;
}

int knit_config_user_file(struct strbuf *path, struct strbuf *err)
{
	const char *user = getenv("KNIT_CONFIG"), *home = getenv("HOME");
	if (user && *user)
		strbuf_addstr(path, user);
	else if (home && *home)
		strbuf_addf(path, "%s/.knitrc", home);
	else {
		strbuf_addstr(err, "no HOME and no KNIT_CONFIG: nowhere to keep settings");
		return KNIT_EINVALID_ARG;
	}
	return 0;
}

void knit_config_auth_key(const char *registry_url, struct strbuf *out)
{
	const char *rest = strstr(registry_url, "//");
	strbuf_addstr(out, rest ? rest : registry_url);
	if (!out->len || out->buf[out->len - 1] != '/')
		strbuf_addch(out, '/');
}

/* The key of a "key = value" line, trimmed, or NULL for comments and blanks. */
static char *line_key(const char *line, size_t len)
{
	while (len && strchr(" \t", *line))
		line++, len--;
	if (!len || *line == '#' || *line == ';')
		return NULL;
	const char *eq = memchr(line, '=', len);
	if (!eq)
		return NULL;
	size_t k = (size_t)(eq - line);
	while (k && strchr(" \t", line[k - 1]))
		k--;
	return knit_xmemdupz(line, k);
}

int knit_config_edit(const char *path, const char *key, const char *value, bool *found,
		     struct strbuf *err)
{
	struct strbuf old = STRBUF_INIT, out = STRBUF_INIT;
	bool changed;
	int rc = knit_read_file(path, &old, err);
	if (rc && rc != KNIT_ENOTFOUND)
		return rc;
	*found = false;
	for (const char *p = old.buf; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *k = line_key(p, len);
		if (k && !strcmp(k, key)) {
			*found = true;
		} else {
			strbuf_add(&out, p, len);
			strbuf_addch(&out, '\n');
		}
		free(k);
		p += len + (eol ? 1 : 0);
	}
	if (value)
		strbuf_addf(&out, "%s=%s\n", key, value);
	/* it may hold tokens: never readable by others, not even for a moment */
	rc = knit_write_file_atomic_mode(path, out.buf, out.len, 0600, &changed, err);
	strbuf_release(&old);
	strbuf_release(&out);
	return rc;
}
