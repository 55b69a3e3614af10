/*
 * {{name}}: an HTTP server on libuv's event loop. Listens on $PORT (default
 * 3000), answers GET / with "Hello, World!", keeps connections alive and
 * answers pipelined requests in order, and stops cleanly on SIGINT/SIGTERM.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "http.h"

#define READ_CHUNK 65536
#define MAX_PENDING_WRITE (4u << 20) /* stop reading while this much waits to be sent */

struct conn {
	uv_tcp_t tcp;
	char *in;          /* bytes received and not yet answered */
	size_t in_len, in_cap;
	struct http_buf out; /* answers being made; reused */
	bool close_after_write;
	bool reading;
};

struct write_req {
	uv_write_t req;
	struct http_buf out;
};

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigint_watcher, sigterm_watcher;

static void on_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	free(c->in);
	http_buf_release(&c->out);
	free(c);
}

static void close_conn(struct conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)suggested;
	struct conn *c = h->data;
	if (c->in_cap - c->in_len < READ_CHUNK) {
		size_t cap = c->in_cap ? c->in_cap * 2 : READ_CHUNK;
		while (cap - c->in_len < READ_CHUNK)
			cap *= 2;
		char *grown = realloc(c->in, cap);
		if (!grown) {
			*buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
			return;
		}
		c->in = grown;
		c->in_cap = cap;
	}
	*buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	uv_stream_t *s = w->handle;
	struct conn *c = s->data;
	http_buf_release(&wr->out);
	free(wr);
	if (uv_is_closing((uv_handle_t *)s))
		return;
	if (status < 0 || (c->close_after_write && !uv_stream_get_write_queue_size(s))) {
		close_conn(c);
		return;
	}
	if (!c->reading && !c->close_after_write &&
	    uv_stream_get_write_queue_size(s) < MAX_PENDING_WRITE / 2)
		c->reading = uv_read_start(s, on_alloc, on_read) == 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	(void)buf;
	struct conn *c = s->data;
	if (nread < 0) {
		close_conn(c); /* UV_EOF or an error */
		return;
	}
	c->in_len += (size_t)nread;
	bool close = false;
	c->out.len = 0;
	size_t used = http_handle(c->in, c->in_len, &c->out, &close);
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	if (!c->out.len)
		return;
	c->close_after_write = close;
	if (close) {
		uv_read_stop(s);
		c->reading = false;
	}
	/* The common case: the socket takes the whole answer at once, with no
	 * request to allocate and no callback to wait for. */
	uv_buf_t out = uv_buf_init(c->out.data, (unsigned)c->out.len);
	int sent = uv_stream_get_write_queue_size(s) ? UV_EAGAIN : uv_try_write(s, &out, 1);
	if (sent == (int)c->out.len) {
		if (close)
			close_conn(c);
		return;
	}
	if (sent < 0 && sent != UV_EAGAIN) {
		close_conn(c);
		return;
	}
	size_t done = sent > 0 ? (size_t)sent : 0;
	struct write_req *wr = calloc(1, sizeof(*wr));
	if (!wr) {
		close_conn(c);
		return;
	}
	http_buf_add(&wr->out, c->out.data + done, c->out.len - done);
	out = uv_buf_init(wr->out.data, (unsigned)wr->out.len);
	if (uv_write(&wr->req, s, &out, 1, on_written)) {
		http_buf_release(&wr->out);
		free(wr);
		close_conn(c);
		return;
	}
	if (c->reading && uv_stream_get_write_queue_size(s) > MAX_PENDING_WRITE) {
		uv_read_stop(s); /* the client is not reading its answers */
		c->reading = false;
	}
}

static void on_connection(uv_stream_t *srv, int status)
{
	if (status < 0)
		return;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	uv_tcp_init(loop, &c->tcp);
	c->tcp.data = c;
	if (uv_accept(srv, (uv_stream_t *)&c->tcp)) {
		close_conn(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	c->reading = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0;
}

static void close_any(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	if (h->type == UV_TCP && h != (uv_handle_t *)&server)
		close_conn(h->data);
	else
		uv_close(h, NULL);
}

static void on_signal(uv_signal_t *w, int signum)
{
	(void)w;
	fprintf(stderr, "received %s, shutting down\n", signum == SIGINT ? "SIGINT" : "SIGTERM");
	uv_walk(loop, close_any, NULL); /* the loop ends once every handle is closed */
}

int main(void)
{
	const char *port_env = getenv("PORT");
	char *end = NULL;
	long port = port_env && *port_env ? strtol(port_env, &end, 10) : 3000;
	if ((end && *end) || port < 0 || port > 65535) {
		fprintf(stderr, "{{c_name}}: PORT must be a port number, not '%s'\n", port_env);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	loop = uv_default_loop();
	struct sockaddr_in6 addr6;
	struct sockaddr_in addr4;
	uv_tcp_init(loop, &server);
	/* both IPv6 and IPv4 where the system allows it, else IPv4 */
	int rc = uv_ip6_addr("::", (int)port, &addr6);
	if (!rc)
		rc = uv_tcp_bind(&server, (const struct sockaddr *)&addr6, 0);
	if (!rc)
		rc = uv_listen((uv_stream_t *)&server, 1024, on_connection);
	if (rc == UV_EAFNOSUPPORT || rc == UV_EADDRNOTAVAIL) {
		uv_close((uv_handle_t *)&server, NULL);
		uv_run(loop, UV_RUN_NOWAIT);
		uv_tcp_init(loop, &server);
		uv_ip4_addr("0.0.0.0", (int)port, &addr4);
		rc = uv_tcp_bind(&server, (const struct sockaddr *)&addr4, 0);
		if (!rc)
			rc = uv_listen((uv_stream_t *)&server, 1024, on_connection);
	}
	if (rc) {
		fprintf(stderr, "{{c_name}}: cannot listen on port %ld: %s\n", port, uv_strerror(rc));
		return 1;
	}
	uv_signal_init(loop, &sigint_watcher);
	uv_signal_start(&sigint_watcher, on_signal, SIGINT);
	uv_signal_init(loop, &sigterm_watcher);
	uv_signal_start(&sigterm_watcher, on_signal, SIGTERM);
	printf("Server listening at http://localhost:%ld\n", port);
	fflush(stdout);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	return 0;
}
