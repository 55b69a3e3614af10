/* The steps every build kind shares: argv lists, one command run, a failure's one line. */
#include "step.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void knit_args_add(struct knit_args *a, const char *s)
{
	KNIT_ALLOC_GROW(a->v, a->n + 2, a->alloc);
	a->v[a->n++] = knit_xstrdup(s);
	a->v[a->n] = NULL;
}

void knit_args_addf(struct knit_args *a, const char *fmt, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, fmt, s);
	knit_args_add(a, b.buf);
	strbuf_release(&b);
}

void knit_args_add_words(struct knit_args *a, const char *words)
{
	for (const char *p = words; *p;) {
		p += strspn(p, " \t\n");
		size_t n = strcspn(p, " \t\n");
		if (n) {
			char *w = knit_xmemdupz(p, n);
			knit_args_add(a, w);
			free(w);
		}
		p += n;
	}
}

void knit_args_release(struct knit_args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int knit_build_failed(struct build *b, const char *name, const struct knit_build_status *st, struct strbuf *err)
{
	const struct knit_build_req *r = b->req;
	*b->fail = (struct knit_build_failure){ name, st->exit_code, st->signal };
	strbuf_addf(err, "%s %s: %s %s failed (", r->name, r->version, knit_build_kind_name(r->kind), name);
	if (st->signal)
		strbuf_addf(err, "signal %d", st->signal);
	else
		strbuf_addf(err, "exit %d", st->exit_code);
	strbuf_addf(err, "); see %s", r->log_path);
	if (r->sandbox)
		strbuf_addstr(err, " (it ran sandboxed: no network, nothing writable but its build folders and /tmp; "
				   "--no-sandbox builds without)");
	return KNIT_EIO;
}

void knit_build_sandboxed(struct build *b, struct knit_args *a, const char *dir)
{
	const struct knit_build_req *r = b->req;
	if (!r->sandbox)
		return;
	/* what it reads, where /tmp hid it: the sources, the dependencies' prefixes and include folders */
	const char **read = knit_xcalloc(2 + r->ndeps + r->ndep_cflags, sizeof(*read));
	size_t nread = 0;
	read[nread++] = r->src_dir;
	for (size_t i = 0; i < r->ndeps; i++)
		read[nread++] = r->dep_prefixes[i];
	for (size_t i = 0; i < r->ndep_cflags; i++)
		if (!strncmp(r->dep_cflags[i], "-I", 2))
			read[nread++] = r->dep_cflags[i] + 2;
	const char *write[] = { r->work_dir, r->prefix };
	struct knit_sandbox sb = { read, nread, write, 2, dir };
	char **w = knit_sandbox_argv(&sb, (const char *const *)a->v);
	knit_args_release(a);
	for (size_t i = 0; w[i]; i++)
		knit_args_add(a, w[i]);
	knit_sandbox_argv_free(w);
	free(read);
}

int knit_build_step(struct build *b, const char *name, struct knit_args *a, const char *dir, struct strbuf *err)
{
	struct knit_build_status st;
	knit_build_sandboxed(b, a, dir);
	int rc = knit_build_exec((const char *const *)a->v, dir, &b->env, b->log_fd, &st, err);
	knit_args_release(a);
	if (rc)
		return rc;
	return st.exit_code || st.signal ? knit_build_failed(b, name, &st, err) : 0;
}
