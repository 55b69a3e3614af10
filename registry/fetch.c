#include "fetch.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct knit_transfer_private {
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	size_t max_bytes;
	enum knit_hash hash;
	struct knit_hasher *hasher;
	bool active;             /* in the multi handle */
	double retry_at;         /* when waiting for a retry */
	bool too_big;
	bool write;              /* not a GET: retried only when never sent */
	struct strbuf upload;    /* the request body */
	struct knit_fetch *fetch;
};

struct knit_fetch {
	CURLM *multi;
	struct knit_fetch_opts opts;
	struct knit_transfer **all;
	size_t n, alloc;
	size_t active;
	struct knit_fetch_counts counts;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct knit_fetch *knit_fetch_new(const struct knit_fetch_opts *opts)
{
	struct knit_fetch *f = knit_xcalloc(1, sizeof(*f));
	if (opts)
		f->opts = *opts;
	if (!f->opts.connect_timeout_ms)
		f->opts.connect_timeout_ms = 10000;
	if (!f->opts.timeout_ms)
		f->opts.timeout_ms = 300000;
	if (!f->opts.retries)
		f->opts.retries = 3;
	if (f->opts.retries < 0)
		f->opts.retries = 0;
	if (!f->opts.backoff_ms)
		f->opts.backoff_ms = 200;
	return f;
}

/* The multi handle, made with the first transfer: a fetch that never starts
 * one never loads libcurl (registry/lazy.h). */
static CURLM *multi_handle(struct knit_fetch *f)
{
	if (!f->multi) {
		pthread_once(&curl_once, curl_init);
		f->multi = curl_multi_init();
		if (!f->multi)
			abort();
		curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
		curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
	}
	return f->multi;
}

void knit_fetch_free(struct knit_fetch *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		struct knit_transfer *t = f->all[i];
		if (t->priv->active)
			curl_multi_remove_handle(f->multi, t->priv->easy);
		curl_easy_cleanup(t->priv->easy);
		curl_slist_free_all(t->priv->headers);
		if (t->priv->hasher) {
			struct knit_integrity scratch;
			knit_hasher_finish(t->priv->hasher, &scratch);
		}
		free(t->priv->url);
		strbuf_release(&t->priv->upload);
		free(t->priv);
		strbuf_release(&t->body);
		strbuf_release(&t->message);
		strbuf_release(&t->etag);
		strbuf_release(&t->last_modified);
		free(t);
	}
	free(f->all);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	free(f);
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct knit_transfer *t = arg;
	size_t n = size * nmemb;
	if (t->body.len + n > t->priv->max_bytes) {
		t->priv->too_big = true;
		return 0; /* aborts the transfer */
	}
	strbuf_add(&t->body, data, n);
	t->priv->fetch->counts.bytes += n;
	if (t->priv->hasher)
		knit_hasher_update(t->priv->hasher, data, n);
	return n;
}

/* ETag and Last-Modified, kept for revalidating a cached response. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct knit_transfer *t = arg;
	size_t n = size * nmemb;
	struct strbuf *into = NULL;
	size_t skip = 0;
	if (n > 5 && !strncasecmp(data, "etag:", 5))
		into = &t->etag, skip = 5;
	else if (n > 14 && !strncasecmp(data, "last-modified:", 14))
		into = &t->last_modified, skip = 14;
	if (into) {
		size_t end = n;
		while (skip < end && (data[skip] == ' ' || data[skip] == '\t'))
			skip++;
		while (end > skip && strchr("\r\n ", data[end - 1]))
			end--;
		strbuf_reset(into);
		strbuf_add(into, data + skip, end - skip);
	}
	return n;
}

static void begin_attempt(struct knit_fetch *f, struct knit_transfer *t)
{
	strbuf_reset(&t->etag);
	strbuf_reset(&t->last_modified);
	strbuf_reset(&t->body);
	strbuf_reset(&t->message);
	if (t->priv->hasher) {
		struct knit_integrity scratch;
		knit_hasher_finish(t->priv->hasher, &scratch);
		t->priv->hasher = NULL;
	}
	if (t->priv->hash)
		t->priv->hasher = knit_hasher_new(t->priv->hash);
	t->priv->too_big = false;
	t->attempts++;
	curl_multi_add_handle(f->multi, t->priv->easy);
	t->priv->active = true;
	f->active++;
}

static struct knit_transfer *start(struct knit_fetch *f, const char *method, const char *url,
				   const char *const *headers, const void *body, size_t body_len,
				   size_t max_bytes, enum knit_hash hash)
{
	multi_handle(f); /* curl_global_init() before any easy handle */
	struct knit_transfer *t = knit_xcalloc(1, sizeof(*t));
	t->priv = knit_xcalloc(1, sizeof(*t->priv));
	strbuf_init(&t->body, 0);
	strbuf_init(&t->message, 0);
	strbuf_init(&t->etag, 0);
	strbuf_init(&t->last_modified, 0);
	t->priv->fetch = f;
	t->priv->url = knit_xstrdup(url);
	t->priv->max_bytes = max_bytes ? max_bytes : (size_t)512 << 20;
	t->priv->hash = hash;
	for (size_t i = 0; headers && headers[i]; i++)
		t->priv->headers = curl_slist_append(t->priv->headers, headers[i]);

	CURL *e = curl_easy_init();
	if (!e)
		abort();
	t->priv->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, t->priv->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->opts.timeout_ms);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "knit/" "0.1.0");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (f->opts.cafile)
		curl_easy_setopt(e, CURLOPT_CAINFO, f->opts.cafile);
	const char *proxy = !strncmp(url, "https:", 6) && f->opts.https_proxy ? f->opts.https_proxy : f->opts.proxy;
	if (proxy && strncmp(url, "file:", 5))
		curl_easy_setopt(e, CURLOPT_PROXY, proxy);
	if (f->opts.noproxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, f->opts.noproxy);
	if (f->opts.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (t->priv->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->priv->headers);
	strbuf_init(&t->priv->upload, 0);
	if (method) {
		t->priv->write = true;
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
		if (body) {
			strbuf_add(&t->priv->upload, body, body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->priv->upload.buf);
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		}
	}

	KNIT_ALLOC_GROW(f->all, f->n + 1, f->alloc);
	f->all[f->n++] = t;
	f->counts.started++;
	begin_attempt(f, t);
	return t;
}

struct knit_transfer *knit_fetch_start(struct knit_fetch *f, const char *url,
				       const char *const *headers, size_t max_bytes,
				       enum knit_hash hash)
{
	return start(f, NULL, url, headers, NULL, 0, max_bytes, hash);
}

struct knit_transfer *knit_fetch_send(struct knit_fetch *f, const char *method, const char *url,
				      const char *const *headers, const void *body, size_t len)
{
	return start(f, method, url, headers, body, len, 0, KNIT_HASH_NONE);
}

/* Failures that left the request unsent: safe to repeat whatever the method. */
static bool never_sent(CURLcode code)
{
	return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST;
}

static bool retryable(CURLcode code, long status)
{
	if (code == CURLE_OK)
		return status >= 500 || status == 429;
	switch (code) {
	case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE: case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static void finish(struct knit_fetch *f, struct knit_transfer *t, CURLcode code)
{
	long status = 0;
	curl_easy_getinfo(t->priv->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(f->multi, t->priv->easy);
	t->priv->active = false;
	f->active--;
	t->status = status;
	bool is_file = !strncmp(t->priv->url, "file:", 5);

	if (code == CURLE_OK && (status == 0 || (status >= 200 && status < 300) || status == 304) &&
	    !t->priv->too_big) {
		t->rc = 0;
	} else if ((code == CURLE_OK && (status == 404 || status == 410)) ||
		   (is_file && code == CURLE_FILE_COULDNT_READ_FILE)) {
		t->rc = KNIT_ENOTFOUND;
		strbuf_addf(&t->message, "%s: not found%s", t->priv->url, status ? " (HTTP 404)" : "");
	} else if (t->priv->too_big) {
		t->rc = KNIT_EIO;
		strbuf_addf(&t->message, "%s: larger than %zu bytes", t->priv->url, t->priv->max_bytes);
	} else if ((t->priv->write ? never_sent(code) : retryable(code, status)) &&
		   t->attempts <= f->opts.retries) {
		double wait = (double)f->opts.backoff_ms * (double)(1 << (t->attempts - 1));
		t->priv->retry_at = now_ms() + wait;
		return; /* not done: begins again when due */
	} else {
		t->rc = KNIT_EIO;
		if (code != CURLE_OK)
			strbuf_addf(&t->message, "%s: %s", t->priv->url, curl_easy_strerror(code));
		else
			strbuf_addf(&t->message, "%s: HTTP %ld", t->priv->url, status);
		if (t->attempts > 1)
			strbuf_addf(&t->message, " (after %d attempts)", t->attempts);
	}
	if (t->priv->hasher) {
		knit_hasher_finish(t->priv->hasher, &t->digest);
		t->priv->hasher = NULL;
	}
	t->done = true;
	f->counts.finished++;
}

/* One round: start due retries, run curl, collect what finished. */
static void step(struct knit_fetch *f)
{
	double now = now_ms(), next_retry = -1;
	for (size_t i = 0; i < f->n; i++) {
		struct knit_transfer *t = f->all[i];
		if (t->done || t->priv->active)
			continue;
		if (t->priv->retry_at <= now)
			begin_attempt(f, t);
		else if (next_retry < 0 || t->priv->retry_at < next_retry)
			next_retry = t->priv->retry_at;
	}
	int running = 0;
	curl_multi_perform(f->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(f->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct knit_transfer *t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		finish(f, t, msg->data.result);
	}
	int timeout = 200;
	if (next_retry >= 0 && next_retry - now < timeout)
		timeout = next_retry > now ? (int)(next_retry - now) + 1 : 0;
	if (f->active)
		curl_multi_poll(f->multi, NULL, 0, timeout, NULL);
	else if (next_retry >= 0) {
		struct timespec ts = { 0, (long)timeout * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (f->opts.tick)
		f->opts.tick(f->opts.tick_ctx);
}

void knit_fetch_wait(struct knit_fetch *f, struct knit_transfer *t)
{
	while (!t->done)
		step(f);
}

void knit_fetch_wait_all(struct knit_fetch *f)
{
	for (;;) {
		bool pending = false;
		for (size_t i = 0; i < f->n && !pending; i++)
			pending = !f->all[i]->done;
		if (!pending)
			return;
		step(f);
	}
}

void knit_fetch_get_counts(const struct knit_fetch *f, struct knit_fetch_counts *out)
{
	*out = f->counts;
}
