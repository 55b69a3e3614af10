#define _GNU_SOURCE /* memmem */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void http_buf_add(struct http_buf *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + len)
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (!grown)
			abort();
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

void http_buf_release(struct http_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* --- parsing ----------------------------------------------------------------------------- */

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Whether the comma-separated header value holds token (any case). */
static bool has_token(const char *v, size_t len, const char *token)
{
	size_t tlen = strlen(token);
	for (size_t i = 0; i < len;) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t start = i;
		while (i < len && v[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end - start == tlen && !strncasecmp(v + start, token, tlen))
			return true;
	}
	return false;
}

static long fail(int *status, int code)
{
	*status = code;
	return -1;
}

long http_parse(const char *buf, size_t len, struct http_request *req, int *status)
{
	memset(req, 0, sizeof(*req));
	size_t scan = len < HTTP_MAX_HEADER ? len : HTTP_MAX_HEADER;
	const char *end = memmem(buf, scan, "\r\n\r\n", 4);
	if (!end)
		return len >= HTTP_MAX_HEADER ? fail(status, 431) : 0;
	size_t head = (size_t)(end - buf) + 4;

	/* request line: method SP target SP HTTP/1.x CRLF */
	const char *p = buf, *line_end = memchr(buf, '\r', head);
	while (p < line_end && is_tchar(*p))
		p++;
	if (p == buf || p == line_end || *p != ' ')
		return fail(status, 400);
	req->method = buf;
	req->method_len = (size_t)(p - buf);
	req->target = ++p;
	while (p < line_end && *p != ' ' && (unsigned char)*p > ' ' && *p != 0x7f)
		p++;
	req->target_len = (size_t)(p - req->target);
	if (!req->target_len || *req->target != '/' || p == line_end || *p != ' ')
		return fail(status, 400);
	p++;
	if (line_end - p != 8 || memcmp(p, "HTTP/", 5) || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
	    p[7] < '0' || p[7] > '9')
		return fail(status, 400);
	if (p[5] != '1')
		return fail(status, 505);
	req->minor = p[7] - '0';
	req->keep_alive = req->minor >= 1;
	if (line_end[1] != '\n')
		return fail(status, 400);

	/* headers: name ":" OWS value OWS CRLF */
	bool have_length = false;
	for (p = line_end + 2; p < end + 2;) {
		const char *eol = memchr(p, '\r', (size_t)(end + 2 - p));
		if (!eol || eol[1] != '\n')
			return fail(status, 400);
		const char *colon = p;
		while (colon < eol && is_tchar(*colon))
			colon++;
		if (colon == p || colon == eol || *colon != ':')
			return fail(status, 400); /* no name, a space before ':', or obs-fold */
		const char *v = colon + 1, *vend = eol;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		size_t name_len = (size_t)(colon - p), vlen = (size_t)(vend - v);
		for (const char *c = v; c < vend; c++)
			if ((unsigned char)*c < ' ' && *c != '\t')
				return fail(status, 400);
		if (name_len == 10 && !strncasecmp(p, "connection", 10)) {
			if (has_token(v, vlen, "close"))
				req->keep_alive = false;
			else if (has_token(v, vlen, "keep-alive"))
				req->keep_alive = true;
		} else if (name_len == 14 && !strncasecmp(p, "content-length", 14)) {
			size_t n = 0;
			if (!vlen)
				return fail(status, 400);
			for (const char *c = v; c < vend; c++) {
				if (*c < '0' || *c > '9')
					return fail(status, 400);
				if (n > HTTP_MAX_BODY)
					return fail(status, 413);
				n = n * 10 + (size_t)(*c - '0');
			}
			if (have_length && n != req->content_length)
				return fail(status, 400);
			have_length = true;
			req->content_length = n;
		} else if (name_len == 17 && !strncasecmp(p, "transfer-encoding", 17)) {
			req->chunked = true;
		}
		p = eol + 2;
	}
	if (req->chunked)
		return fail(status, 501);
	if (req->content_length > HTTP_MAX_BODY)
		return fail(status, 413);
	if (len - head < req->content_length)
		return 0;
	return (long)(head + req->content_length);
}

/* --- responses --------------------------------------------------------------------------- */

/* The Date header's value, formatted again only when the second changes. */
static const char *http_date(void)
{
	static _Thread_local char text[64];
	static _Thread_local time_t formatted = -1;
	time_t now = time(NULL);
	if (now != formatted) {
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		formatted = now;
	}
	return text;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

static void respond(struct http_buf *out, int status, const char *body, bool head_only,
		    const char *extra, bool keep_alive, int minor)
{
	char head[512];
	size_t body_len = strlen(body);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			 "Content-Length: %zu\r\nDate: %s\r\n%s%s\r\n",
			 status, reason(status), body_len, http_date(), extra,
			 !keep_alive ? "Connection: close\r\n" : minor == 0 ? "Connection: keep-alive\r\n" : "");
	http_buf_add(out, head, (size_t)n);
	if (!head_only)
		http_buf_add(out, body, body_len);
}

static bool is(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(s, word, len);
}

size_t http_handle(const char *buf, size_t len, struct http_buf *out, bool *close)
{
	size_t used = 0;
	*close = false;
	while (used < len && !*close) {
		struct http_request req;
		int status = 0;
		long n = http_parse(buf + used, len - used, &req, &status);
		if (n == 0)
			break;
		if (n < 0) {
			respond(out, status, reason(status), false, "", false, 1);
			*close = true;
			return len;
		}
		used += (size_t)n;
		size_t path_len = req.target_len;
		const char *q = memchr(req.target, '?', req.target_len);
		if (q)
			path_len = (size_t)(q - req.target);
		bool head = is(req.method, req.method_len, "HEAD");
		bool get = head || is(req.method, req.method_len, "GET");
		if (!is(req.target, path_len, "/"))
			respond(out, 404, "Not Found", head, "", req.keep_alive, req.minor);
		else if (!get)
			respond(out, 405, "Method Not Allowed", false, "Allow: GET, HEAD\r\n", req.keep_alive, req.minor);
		else
			respond(out, 200, "Hello, World!", head, "", req.keep_alive, req.minor);
		*close = !req.keep_alive;
	}
	return *close ? len : used;
}
