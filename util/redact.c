#include "redact.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nsecrets, secrets_alloc;

void knit_redact_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	pthread_mutex_lock(&secrets_lock);
	bool known = false;
	for (size_t i = 0; i < nsecrets && !known; i++)
		known = !strcmp(secrets[i], secret);
	if (!known) {
		KNIT_ALLOC_GROW(secrets, nsecrets + 1, secrets_alloc);
		secrets[nsecrets++] = knit_xstrdup(secret);
	}
	pthread_mutex_unlock(&secrets_lock);
}

void knit_redact_forget(void)
{
	pthread_mutex_lock(&secrets_lock);
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = secrets_alloc = 0;
	pthread_mutex_unlock(&secrets_lock);
}

/* Where a value in a message ends: blanks, quotes and the brackets around it. */
static bool value_end(char c)
{
	return !c || isspace((unsigned char)c) || strchr("'\"<>()[]{},;", c);
}

static bool scheme_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

/*
 * At s[i] == ':' of "://": the length of the userinfo (up to and without
 * its last '@') of the authority that follows, or 0 when it has none.
 */
static size_t userinfo_len(const char *s, size_t i)
{
	const char *auth = s + i + 3, *at = NULL;
	for (const char *p = auth; !value_end(*p) && *p != '/' && *p != '?' && *p != '#'; p++)
		if (*p == '@')
			at = p;
	return at ? (size_t)(at - auth) : 0;
}

/* Appends the hidden form of the userinfo u (n bytes) of a URL whose scheme is scheme (sn bytes). */
static void add_userinfo(struct strbuf *out, const char *scheme, size_t sn, const char *u, size_t n)
{
	const char *colon = memchr(u, ':', n);
	bool ssh = false;
	for (size_t k = 0; k + 3 <= sn && !ssh; k++)
		ssh = !strncasecmp(scheme + k, "ssh", 3);
	if (colon)
		strbuf_add(out, u, (size_t)(colon - u) + 1);
	else if (ssh) {
		strbuf_add(out, u, n);
		return;
	}
	strbuf_addstr(out, "***");
}

void knit_redact_url(const char *url, struct strbuf *out)
{
	const char *sep = strstr(url, "://");
	size_t n = sep ? userinfo_len(url, (size_t)(sep - url)) : 0;
	if (!n) {
		strbuf_addstr(out, url);
		return;
	}
	const char *auth = sep + 3;
	for (const char *p = url; p < auth; p++) /* the scheme and "://" */
		strbuf_addch(out, *p);
	add_userinfo(out, url, (size_t)(sep - url), auth, n);
	strbuf_addstr(out, auth + n);
}

/* Keys whose value is a credential, in the order they are tried; the
 * schemes only with their capital, as headers write them ("basic" is a word). */
static const struct { const char *key; bool any_case; } keys[] = {
	{ "_authToken=", false }, { "_auth=", false }, { "_password=", false },
	{ "Authorization: Bearer ", true }, { "Authorization: Basic ", true }, { "Authorization: ", true },
	{ "Bearer ", false }, { "Basic ", false }, { NULL, false },
};

void knit_redact(struct strbuf *msg)
{
	struct strbuf out = STRBUF_INIT;
	const char *s = msg->buf;
	bool changed = false;
	pthread_mutex_lock(&secrets_lock);
	for (size_t i = 0; i < msg->len;) {
		if (!strncmp(s + i, "://", 3)) {
			size_t start = i;
			while (start && scheme_char(s[start - 1]))
				start--;
			size_t n = userinfo_len(s, i);
			strbuf_addstr(&out, "://");
			if (n) {
				add_userinfo(&out, s + start, i - start, s + i + 3, n);
				changed = true;
			}
			i += 3 + n;
			continue;
		}
		bool done = false;
		bool word_start = !i || !isalnum((unsigned char)s[i - 1]);
		for (size_t k = 0; keys[k].key && !done && word_start; k++) {
			size_t kn = strlen(keys[k].key);
			if ((keys[k].any_case ? strncasecmp(s + i, keys[k].key, kn) : strncmp(s + i, keys[k].key, kn)) ||
			    value_end(s[i + kn]))
				continue;
			strbuf_add(&out, s + i, kn);
			strbuf_addstr(&out, "***");
			for (i += kn; !value_end(s[i]); i++)
				;
			done = changed = true;
		}
		for (size_t k = 0; k < nsecrets && !done; k++) {
			size_t kn = strlen(secrets[k]);
			if (strncmp(s + i, secrets[k], kn))
				continue;
			strbuf_addstr(&out, "***");
			i += kn;
			done = changed = true;
		}
		if (!done)
			strbuf_addch(&out, s[i++]);
	}
	pthread_mutex_unlock(&secrets_lock);
	if (changed) {
		strbuf_release(msg);
		*msg = out;
	} else {
		strbuf_release(&out);
	}
}

int knit_redacted(struct strbuf *err, int rc)
{
	if (rc)
		knit_redact(err);
	return rc;
}
