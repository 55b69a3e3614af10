/*
 * Settings, in .npmrc syntax, from (later wins): built-in defaults, the
 * user's file (KNIT_CONFIG, else ~/.knitrc), the project's .knitrc, the
 * environment (KNIT_REGISTRY), and command-line flags.
 *
 *   registry=https://registry.example/
 *   @acme:registry=https://npm.acme.example/
 *   //npm.acme.example/:_authToken=${ACME_TOKEN}
 *   strict-ssl=false
 *   cafile=/etc/ssl/acme.pem
 *   https-proxy=http://proxy.corp:3128/
 *   noproxy=localhost,.corp
 *   max-unpacked-size=512m
 *   fetch-timeout=300000        (ms one attempt may take; 0: no limit)
 *   fetch-retries=2
 *   fetch-retry-mintimeout=200  (ms before the first retry, doubled each time)
 *   fetch-retry-maxtimeout=10000
 *
 * ${VAR} expands from the environment; an unset variable is an error that
 * names the file and line, as is a number setting that is not a whole
 * number in its range. Credentials (keys ending in _authToken, _auth,
 * _password) are registered with util/redact.h so that no message shows
 * them. Comments start with # or ;.
 */
#ifndef KNIT_UTIL_CONFIG_H
#define KNIT_UTIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

struct knit_setting {
	char *key, *value;
	char *origin; /* "~/.knitrc:3", "environment", "--registry" ... */
};

struct knit_config {
	struct knit_setting *items;
	size_t n, alloc;
	char *cache_dir; /* KNIT_CACHE, else $XDG_CACHE_HOME/knit, else ~/.cache/knit */
};

/*
 * Loads every layer. project_dir holds the project's .knitrc (may be NULL);
 * flag_registry is --registry (may be NULL). 0, or KNIT_EPARSE / KNIT_EIO
 * with a line in *err, or KNIT_EINVALID_ARG when flag_registry is not a
 * registry URL (knit_url_registry).
 */
int knit_config_load(struct knit_config *c, const char *project_dir, const char *flag_registry,
		     struct strbuf *err);
void knit_config_release(struct knit_config *c);
/* Parses one file's text into c (for tests and knit_config_load). */
int knit_config_parse(struct knit_config *c, const char *text, const char *origin, struct strbuf *err);
void knit_config_set(struct knit_config *c, const char *key, const char *value, const char *origin);

/* The value of key, the last one set, or NULL. */
const char *knit_config_get(const struct knit_config *c, const char *key);
/*
 * The size setting key in bytes: "1048576", or with a binary suffix k, m
 * or g ("512m"); def when it is not set. 0, or KNIT_EPARSE with a line
 * naming where it was set when the value is not a positive size.
 */
int knit_config_size(const struct knit_config *c, const char *key, unsigned long long def,
		     unsigned long long *out, struct strbuf *err);
/* The registry for a package name: its scope's, else the default. No trailing slash. */
const char *knit_config_registry(const struct knit_config *c, const char *name);
/*
 * Whether a setting's key holds a secret: "_authToken", "_auth" and
 * "_password", bare or after "//host/path/:".
 */
bool knit_config_is_secret(const char *key);
/* The bearer token configured for url ("//host/path/:_authToken", longest match), or NULL. */
const char *knit_config_token(const struct knit_config *c, const char *url);
/*
 * The Authorization header line for url, written into *buf: "Bearer
 * <token>" from ":_authToken", else "Basic <_auth>" from ":_auth"; or NULL
 * (and *buf untouched) when neither is configured for it.
 */
const char *knit_config_auth_header(const struct knit_config *c, const char *url, struct strbuf *buf);

/* The user's settings file: KNIT_CONFIG, else ~/.knitrc. 0, or KNIT_EINVALID_ARG and a message. */
int knit_config_user_file(struct strbuf *path, struct strbuf *err);
/*
 * Rewrites the settings file at path without any line setting key, then
 * with "key=value" at the end when value is not NULL; every other line
 * stays as it was. Written atomically with mode 0600. *found says whether
 * key was set before. 0, or KNIT_EIO and a message.
 */
int knit_config_edit(const char *path, const char *key, const char *value, bool *found,
		     struct strbuf *err);
/* "//host:port/path/" for a registry URL: the prefix of its auth keys (npm's "nerf dart"). */
void knit_config_auth_key(const char *registry_url, struct strbuf *out);

#endif
