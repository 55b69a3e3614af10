/*
 * HTTP/1.1 for the server, apart from the event loop: bytes a client sent
 * go in, the responses to every complete request among them come out, in
 * order (pipelining), with whether the connection stays open (keep-alive).
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEADER 8192         /* request line and headers */
#define HTTP_MAX_BODY (1024 * 1024)  /* bodies are read and dropped */

/* A growable byte buffer; http_buf_release frees it. */
struct http_buf {
	char *data;
	size_t len, cap;
};

void http_buf_add(struct http_buf *b, const char *data, size_t len);
void http_buf_release(struct http_buf *b);

struct http_request {
	const char *method, *target; /* point into the bytes parsed; not terminated */
	size_t method_len, target_len;
	int minor;                   /* HTTP/1.<minor> */
	bool keep_alive;
	bool chunked;                /* Transfer-Encoding given: not supported */
	size_t content_length;
};

/*
 * Parses the request at the start of buf. Returns the bytes it spans (head
 * and body), 0 when buf does not hold all of it yet, or -1 with *status set
 * (400, 413, 431, 501, 505) when it is malformed or not supported.
 */
long http_parse(const char *buf, size_t len, struct http_request *req, int *status);

/*
 * Answers every complete request in buf, appending the responses to out.
 * Returns how many bytes of buf were used; *close says the connection must
 * be closed once out is sent (Connection: close, HTTP/1.0, or an error).
 */
size_t http_handle(const char *buf, size_t len, struct http_buf *out, bool *close);

#endif
