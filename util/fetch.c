#include "fetch.h"
#include "util/error.h"
#include "util/redact.h"
#include "util/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct knit_transfer_private {
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *shown;             /* url with its userinfo hidden, for messages */
	size_t max_bytes;
	bool spool;              /* the body may go to a file */
	int spool_errno;         /* the temporary file could not be written */
	curl_off_t announced;    /* this attempt's Content-Length, -1 when unknown or not yet seen */
	long retry_after_ms;     /* this attempt's Retry-After, 0 when none */
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
	atomic_size_t held;      /* body bytes in memory, in transfers or lent out */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void knit_fetch_opts_resolve(struct knit_fetch_opts *o)
{
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = 10000;
	if (!o->timeout_ms)
		o->timeout_ms = 300000;
	/* a stall shows well before the whole attempt's limit: at half of it when that is shorter */
	if (!o->stall_ms)
		o->stall_ms = o->timeout_ms > 0 && o->timeout_ms / 2 < 15000 ? o->timeout_ms / 2 : 15000;
	if (o->stall_ms < 1000)
		o->stall_ms = 1000;
	if (!o->retries)
		o->retries = 2;
	if (o->retries < 0)
		o->retries = 0;
	if (!o->backoff_ms)
		o->backoff_ms = 200;
	if (!o->backoff_max_ms)
		o->backoff_max_ms = 10000;
	if (!o->spool_bytes)
		o->spool_bytes = (size_t)8 << 20;
	if (!o->memory_bytes)
		o->memory_bytes = (size_t)64 << 20;
	/* an HTTP/1.1 registry answers one request at a time per connection: 171
	 * tarballs 50 ms away take 11 round trips over 16 connections, 3 over 64 */
	if (!o->max_host_connections)
		o->max_host_connections = 64;
}

struct knit_fetch *knit_fetch_new(const struct knit_fetch_opts *opts)
{
	struct knit_fetch *f = knit_xcalloc(1, sizeof(*f));
	if (opts)
		f->opts = *opts;
	knit_fetch_opts_resolve(&f->opts);
	atomic_init(&f->held, 0);
	return f;
}

void knit_fetch_give_back(struct knit_fetch *f, size_t bytes)
{
	atomic_fetch_sub(&f->held, bytes);
}

size_t knit_fetch_held(const struct knit_fetch *f)
{
	return atomic_load(&((struct knit_fetch *)f)->held);
}

/* Drops the body of the attempt so far, in memory or in its file. */
static void drop_body(struct knit_transfer *t)
{
	knit_fetch_give_back(t->priv->fetch, t->body.len);
	strbuf_release(&t->body);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->size = 0;
}

void knit_transfer_release_body(struct knit_transfer *t)
{
	drop_body(t);
}

void knit_transfer_take_body(struct knit_transfer *t, struct strbuf *body, int *fd)
{
	*fd = t->fd;
	t->fd = -1;
	*body = t->body; /* still counted: the taker gives it back */
	strbuf_init(&t->body, 0);
}

/* The multi handle, made with the first transfer: a fetch that never starts
 * one never loads libcurl (util/lazy.h). */
static CURLM *multi_handle(struct knit_fetch *f)
{
	if (!f->multi) {
		pthread_once(&curl_once, curl_init);
		f->multi = curl_multi_init();
		if (!f->multi)
			abort();
		curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
		curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, f->opts.max_host_connections);
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
		drop_body(t);
		free(t->priv->url);
		free(t->priv->shown);
		strbuf_release(&t->priv->upload);
		free(t->priv);
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

static bool write_all(int fd, const char *data, size_t n)
{
	while (n) {
		ssize_t w = write(fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		data += w;
		n -= (size_t)w;
	}
	return true;
}

/* An unlinked file in the spool folder: O_TMPFILE where the file system has it. */
static int spool_file(const struct knit_fetch *f)
{
	const char *dir = f->opts.spool_dir;
	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
#ifdef O_TMPFILE
	int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
#endif
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/knit-body-XXXXXX", dir);
	int tmp = mkstemp(path.buf);
	if (tmp >= 0)
		unlink(path.buf);
	strbuf_release(&path);
	return tmp;
}

/* Moves the body so far into a new spool file; false (errno set) when it cannot be written. */
static bool spool_start(struct knit_transfer *t)
{
	int fd = spool_file(t->priv->fetch);
	if (fd < 0 || !write_all(fd, t->body.buf, t->body.len)) {
		if (fd >= 0) {
			int e = errno;
			close(fd);
			errno = e;
		}
		return false;
	}
	knit_fetch_give_back(t->priv->fetch, t->body.len);
	strbuf_release(&t->body);
	t->fd = fd;
	return true;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct knit_transfer *t = arg;
	struct knit_fetch *f = t->priv->fetch;
	size_t n = size * nmemb;
	if (t->priv->announced < 0 && !t->size) {
		curl_off_t cl = -1;
		curl_easy_getinfo(t->priv->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		t->priv->announced = cl;
		if (cl > 0 && (unsigned long long)cl > t->priv->max_bytes) {
			t->priv->too_big = true;
			return 0; /* refused before a byte is kept */
		}
	}
	if (t->size + n > t->priv->max_bytes) {
		t->priv->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (t->fd < 0 && t->priv->spool &&
	    (t->body.len + n > f->opts.spool_bytes || atomic_load(&f->held) + n > f->opts.memory_bytes) &&
	    !spool_start(t)) {
		t->priv->spool_errno = errno ? errno : EIO;
		return 0;
	}
	if (t->fd >= 0) {
		if (!write_all(t->fd, data, n)) {
			t->priv->spool_errno = errno ? errno : EIO;
			return 0;
		}
	} else {
		strbuf_add(&t->body, data, n);
		atomic_fetch_add(&f->held, n);
	}
	t->size += n;
	f->counts.bytes += n;
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
	if (n > 5 && !strncasecmp(data, "HTTP/", 5))
		t->priv->retry_after_ms = 0; /* a new response: a redirect's headers are not the answer's */
	if (n > 12 && !strncasecmp(data, "retry-after:", 12)) {
		/* seconds; an HTTP date is left to the backoff */
		char *end;
		long secs = strtol(data + 12, &end, 10);
		if (end != data + 12 && secs >= 0)
			t->priv->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000;
	}
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
	drop_body(t);
	strbuf_reset(&t->message);
	t->priv->announced = -1;
	t->priv->retry_after_ms = 0;
	t->priv->spool_errno = 0;
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
				   size_t max_bytes, enum knit_hash hash, bool spool)
{
	multi_handle(f); /* curl_global_init() before any easy handle */
	struct knit_transfer *t = knit_xcalloc(1, sizeof(*t));
	t->priv = knit_xcalloc(1, sizeof(*t->priv));
	strbuf_init(&t->body, 0);
	strbuf_init(&t->message, 0);
	strbuf_init(&t->etag, 0);
	strbuf_init(&t->last_modified, 0);
	t->priv->fetch = f;
	t->fd = -1;
	t->priv->url = knit_xstrdup(url);
	struct strbuf shown = STRBUF_INIT;
	knit_redact_url(url, &shown);
	t->priv->shown = strbuf_detach(&shown, NULL);
	t->priv->spool = spool;
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
	if (f->opts.timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->opts.timeout_ms);
	/* a stall: under a byte a second for the whole stall time */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (f->opts.stall_ms + 999) / 1000);
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
	return start(f, NULL, url, headers, NULL, 0, max_bytes, hash, false);
}

struct knit_transfer *knit_fetch_start_spooled(struct knit_fetch *f, const char *url,
					       const char *const *headers, size_t max_bytes,
					       enum knit_hash hash)
{
	return start(f, NULL, url, headers, NULL, 0, max_bytes, hash, true);
}

struct knit_transfer *knit_fetch_send(struct knit_fetch *f, const char *method, const char *url,
				      const char *const *headers, const void *body, size_t len)
{
	return start(f, method, url, headers, body, len, 0, KNIT_HASH_NONE, false);
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

/* What went wrong with an attempt that got no usable answer, after "<url>: ". */
static void describe(struct knit_fetch *f, struct knit_transfer *t, CURLcode code, struct strbuf *out)
{
	curl_off_t connected = 0, total = 0;
	curl_easy_getinfo(t->priv->easy, CURLINFO_CONNECT_TIME_T, &connected);
	curl_easy_getinfo(t->priv->easy, CURLINFO_TOTAL_TIME_T, &total);
	switch (code) {
	case CURLE_OPERATION_TIMEDOUT:
		if (!connected && strncmp(t->priv->url, "file:", 5))
			strbuf_addf(out, "no connection within %ld ms", f->opts.connect_timeout_ms);
		else if (f->opts.timeout_ms > 0 && total / 1000 + 100 >= f->opts.timeout_ms)
			strbuf_addf(out, "not done within %ld ms (fetch-timeout)", f->opts.timeout_ms);
		else
			strbuf_addf(out, "no data for %ld s", (f->opts.stall_ms + 999) / 1000);
		break;
	case CURLE_PARTIAL_FILE:
		if (t->priv->announced >= 0)
			strbuf_addf(out, "the connection closed after %zu of the %lld bytes announced", t->size,
				    (long long)t->priv->announced);
		else
			strbuf_addf(out, "the connection closed after %zu bytes", t->size);
		break;
	default:
		strbuf_addstr(out, curl_easy_strerror(code));
	}
}

/* The wait before attempt number t->attempts + 1. */
static double retry_wait(const struct knit_fetch *f, const struct knit_transfer *t)
{
	double wait = (double)f->opts.backoff_ms;
	for (int i = 1; i < t->attempts && wait < (double)f->opts.backoff_max_ms; i++)
		wait *= 2;
	if ((double)t->priv->retry_after_ms > wait)
		wait = (double)t->priv->retry_after_ms;
	return wait > (double)f->opts.backoff_max_ms ? (double)f->opts.backoff_max_ms : wait;
}

/* t has its result (rc, message): its digest sealed, and it counts as finished, once. */
static void mark_done(struct knit_fetch *f, struct knit_transfer *t)
{
	if (t->priv->hasher) {
		knit_hasher_finish(t->priv->hasher, &t->digest);
		t->priv->hasher = NULL;
	}
	t->done = true;
	f->counts.finished++;
	if (t->done_count)
		++*t->done_count;
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
	const char *url = t->priv->shown;

	if (code == CURLE_OK && (status == 0 || (status >= 200 && status < 300) || status == 304) &&
	    !t->priv->too_big) {
		t->rc = 0;
		if (t->fd >= 0 && lseek(t->fd, 0, SEEK_SET) < 0) {
			t->rc = KNIT_EIO;
			strbuf_addf(&t->message, "%s: cannot read back its temporary file: %s", url, strerror(errno));
		}
	} else if ((code == CURLE_OK && (status == 404 || status == 410)) ||
		   (is_file && code == CURLE_FILE_COULDNT_READ_FILE)) {
		t->rc = KNIT_ENOTFOUND;
		strbuf_addf(&t->message, "%s: not found%s", url, status ? " (HTTP 404)" : "");
	} else if (t->priv->too_big && t->priv->announced > 0 &&
		   (unsigned long long)t->priv->announced > t->priv->max_bytes) {
		t->rc = KNIT_EIO;
		strbuf_addf(&t->message, "%s: announces %lld bytes, more than the %zu allowed", url,
			    (long long)t->priv->announced, t->priv->max_bytes);
	} else if (t->priv->too_big) {
		t->rc = KNIT_EIO;
		strbuf_addf(&t->message, "%s: larger than %zu bytes", url, t->priv->max_bytes);
	} else if (t->priv->spool_errno) {
		t->rc = KNIT_EIO;
		strbuf_addf(&t->message, "%s: cannot write its body to a temporary file: %s", url,
			    strerror(t->priv->spool_errno));
	} else if ((t->priv->write ? never_sent(code) : retryable(code, status)) &&
		   t->attempts <= f->opts.retries) {
		t->priv->retry_at = now_ms() + retry_wait(f, t);
		return; /* not done: begins again when due */
	} else {
		t->rc = KNIT_EIO;
		strbuf_addf(&t->message, "%s: ", url);
		if (code != CURLE_OK)
			describe(f, t, code, &t->message);
		else
			strbuf_addf(&t->message, "HTTP %ld", status);
		if (t->attempts > 1)
			strbuf_addf(&t->message, " (after %d attempts)", t->attempts);
	}
	mark_done(f, t);
}

/* Every transfer not done ends now with KNIT_EINTR: an interruption (error.h) waits for no byte. */
static void cancel_all(struct knit_fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct knit_transfer *t = f->all[i];
		if (t->done)
			continue;
		if (t->priv->active) {
			curl_multi_remove_handle(f->multi, t->priv->easy);
			t->priv->active = false;
			f->active--;
		}
		t->rc = KNIT_EINTR;
		strbuf_reset(&t->message);
		strbuf_addf(&t->message, "%s: interrupted", t->priv->shown);
		mark_done(f, t);
	}
}

/* One round: start due retries, run curl, collect what finished. */
static void step(struct knit_fetch *f)
{
	if (knit_interrupted()) {
		cancel_all(f);
		return;
	}
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
	bool finished = false;
	while ((msg = curl_multi_info_read(f->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		struct knit_transfer *t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		finish(f, t, msg->data.result);
		finished = true;
	}
	/* a transfer is done: back to the caller now, which may be waiting for it or have the next
	 * requests to queue, rather than after the other transfers' next byte or the poll's 200 ms
	 * (the idle 200 ms between two requests knit ci showed now and then) */
	if (finished) {
		if (f->opts.tick)
			f->opts.tick(f->opts.tick_ctx);
		return;
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

void knit_fetch_set_tick(struct knit_fetch *f, void (*tick)(void *ctx), void *ctx)
{
	f->opts.tick = tick;
	f->opts.tick_ctx = ctx;
}

void knit_fetch_step(struct knit_fetch *f)
{
	step(f);
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
