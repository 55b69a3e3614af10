/* The project's folder, found by walking up (project_root.h). */
#include "project_root.h"

#include <string.h>
#include <sys/stat.h>

static bool holds_manifest(const char *dir, size_t len, struct strbuf *scratch)
{
	struct stat st;
	strbuf_reset(scratch);
	strbuf_add(scratch, dir, len);
	strbuf_addstr(scratch, len && dir[len - 1] == '/' ? "knit.json" : "/knit.json");
	return !stat(scratch->buf, &st) && S_ISREG(st.st_mode);
}

bool knit_project_find(const char *start, struct strbuf *root, struct strbuf *sub)
{
	strbuf_reset(root);
	strbuf_reset(sub);
	if (start[0] != '/')
		return false;
	struct strbuf scratch = STRBUF_INIT;
	size_t len = strlen(start);
	while (len > 1 && start[len - 1] == '/')
		len--;
	bool found = false;
	/* each step drops the last name: at most as many steps as the path has slashes */
	for (;;) {
		if (holds_manifest(start, len, &scratch)) {
			found = true;
			break;
		}
		if (len <= 1)
			break;
		while (len > 1 && start[len - 1] != '/')
			len--;
		while (len > 1 && start[len - 1] == '/')
			len--;
	}
	if (found) {
		strbuf_add(root, start, len);
		const char *rest = start + len;
		rest += strspn(rest, "/");
		strbuf_addstr(sub, rest);
		while (sub->len && sub->buf[sub->len - 1] == '/')
			strbuf_setlen(sub, sub->len - 1);
	}
	strbuf_release(&scratch);
	return found;
}

/* Appends the name [name, name+len) to out, a '/'-joined list of names, folding "." and "..". */
static void push_name(struct strbuf *out, const char *name, size_t len, size_t *ups)
{
	if (!len || (len == 1 && name[0] == '.'))
		return;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (out->len > *ups * 3) { /* a name to drop, past the leading "../"s */
			char *slash = memrchr(out->buf, '/', out->len);
			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
			return;
		}
		strbuf_addstr(out, out->len ? "/.." : "..");
		(*ups)++;
		return;
	}
	if (out->len)
		strbuf_addch(out, '/');
	strbuf_add(out, name, len);
}

void knit_project_rebase(const char *sub, const char *path, struct strbuf *out)
{
	if (path[0] == '/' || !*sub) {
		strbuf_addstr(out, path);
		return;
	}
	struct strbuf joined = STRBUF_INIT;
	size_t ups = 0;
	const char *parts[2] = { sub, path };
	for (int k = 0; k < 2; k++)
		for (const char *p = parts[k]; *p;) {
			size_t n = strcspn(p, "/");
			push_name(&joined, p, n, &ups);
			p += n;
			p += strspn(p, "/");
		}
	strbuf_addstr(out, joined.len ? joined.buf : ".");
	strbuf_release(&joined);
}
