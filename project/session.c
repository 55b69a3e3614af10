#include "session.h"
#include "util/error.h"

#include <stdarg.h>
#include <string.h>

int knit_session_open(struct knit_session *s, const struct knit_session_opts *opts, struct strbuf *err)
{
	memset(s, 0, sizeof(*s));
	int rc = knit_config_load(&s->cfg, opts->project_dir ? opts->project_dir : ".", opts->registry, err);
	if (rc)
		return rc;
	struct knit_fetch_opts fo;
	knit_registry_fetch_opts(&s->cfg, &fo);
	s->fetch = knit_fetch_new(&fo);
	s->cache_mode = opts->cache_mode;
	s->warn = opts->warn;
	s->progress = opts->progress;
	s->ctx = opts->ctx;
	s->built = opts->built;
	s->changed = opts->changed;
	return 0;
}

void knit_session_close(struct knit_session *s)
{
	knit_registry_free(s->registry);
	knit_fetch_free(s->fetch);
	knit_config_release(&s->cfg);
	memset(s, 0, sizeof(*s));
}

const struct knit_source *knit_session_source(struct knit_session *s)
{
	if (!s->source) {
		s->registry = knit_registry_new(&s->cfg, s->fetch);
		knit_registry_set_cache_mode(s->registry, s->cache_mode);
		s->source = knit_registry_source(s->registry);
	}
	return s->source;
}

void knit_session_warn(const struct knit_session *s, const char *fmt, ...)
{
	if (!s->warn)
		return;
	struct strbuf line = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	s->warn(s->ctx, line.buf);
	strbuf_release(&line);
}

void knit_session_progress(const struct knit_session *s, const struct knit_progress *p)
{
	if (s->progress)
		s->progress(s->ctx, p);
}

void knit_session_built(const struct knit_session *s, const struct knit_build_event *e)
{
	if (s->built)
		s->built(s->ctx, e);
}

void knit_session_changed(const struct knit_session *s, const struct knit_change_event *e)
{
	if (s->changed)
		s->changed(s->ctx, e);
}

int knit_session_sandbox(const struct knit_session *s, bool *on, struct strbuf *err)
{
	const char *v = knit_config_get(&s->cfg, "sandbox");
	*on = !v || !strcmp(v, "true");
	if (v && strcmp(v, "true") && strcmp(v, "false")) {
		strbuf_addstr(err, "the setting 'sandbox' must be true or false, not '");
		strbuf_add_visible(err, v);
		strbuf_addch(err, '\'');
		return KNIT_EPARSE;
	}
	return 0;
}
