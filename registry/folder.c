#include "folder.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/pkgname.h"
#include "util/tree.h"
#include "util/url.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

bool knit_folder_is(const char *url)
{
	return !strncmp(url, "file:", 5);
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int knit_folder_root(const char *url, struct strbuf *out, struct strbuf *err)
{
	const char *p = url + 5;
	if (!knit_folder_is(url) || strncmp(p, "//", 2)) {
		strbuf_addf(err, "'%s' is not a file:// URL", url);
		return KNIT_EINVALID_ARG;
	}
	p += 2;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/') {
		strbuf_addf(err, "'%s': a folder registry needs an absolute path (file:///...)", url);
		return KNIT_EINVALID_ARG;
	}
	for (; *p; p++) {
		if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
			strbuf_addch(out, hex(p[1]) * 16 + hex(p[2]));
			p += 2;
		} else {
			strbuf_addch(out, *p);
		}
	}
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	return 0;
}

void knit_folder_url(const char *path, struct strbuf *out)
{
	strbuf_addstr(out, "file://");
	knit_url_encode(path, "/@+", out);
}


int knit_folder_read(const char *root, const char *name, cJSON **doc, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	*doc = NULL;
	if (knit_pkgname_path(root, name, NULL, &path, err)) /* <root>/<name>, checked */
		return KNIT_EINVALID_ARG;
	strbuf_addstr(&path, "/index.json");
	int rc = knit_read_file(path.buf, &text, err);
	if (!rc) {
		*doc = knit_json_parse(text.buf, text.len, path.buf, err);
		if (!*doc)
			rc = KNIT_EPARSE;
		else if (!cJSON_IsObject(*doc)) {
			strbuf_addf(err, "%s: not a package document (the top level must be an object)", path.buf);
			cJSON_Delete(*doc);
			*doc = NULL;
			rc = KNIT_EPARSE;
		}
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

int knit_folder_write(const char *root, const char *name, const cJSON *doc, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	bool changed;
	if (knit_pkgname_path(root, name, NULL, &path, err)) /* <root>/<name>, checked */
		return KNIT_EINVALID_ARG;
	strbuf_addstr(&path, "/index.json");
	knit_json_print(&text, doc, 0);
	strbuf_addch(&text, '\n');
	int rc = knit_write_file_atomic(path.buf, text.buf, text.len, &changed, err);
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

int knit_folder_edit(const char *root, const char *name, bool create, knit_packument_edit_fn edit,
		     knit_packument_after_fn after, void *ctx, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, lock = STRBUF_INIT;
	cJSON *doc = NULL;
	int rc = 0, fd = -1;
	if (knit_pkgname_path(root, name, NULL, &dir, err)) /* <root>/<name>, checked */
		return KNIT_EINVALID_ARG;
	struct stat st;
	if (!create && stat(dir.buf, &st)) {
		strbuf_addf(err, "%s is not in the registry %s", name, root);
		rc = KNIT_ENOTFOUND;
		goto done;
	}
	if (knit_make_dirs(dir.buf)) {
		strbuf_addf(err, "cannot make the folder '%s': %s", dir.buf, strerror(errno));
		rc = KNIT_EIO;
		goto done;
	}
	strbuf_addf(&lock, "%s/.lock", dir.buf);
	fd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		strbuf_addf(err, "cannot lock '%s': %s", lock.buf, strerror(errno));
		rc = KNIT_EIO;
		goto done;
	}
	rc = knit_folder_read(root, name, &doc, err);
	if (rc == KNIT_ENOTFOUND && create)
		rc = 0;
	else if (rc == KNIT_ENOTFOUND)
		strbuf_addf(err, "%s is not in the registry %s", name, root);
	bool had = doc != NULL;
	if (!rc)
		rc = edit(&doc, dir.buf, ctx, err);
	if (!rc && doc) {
		rc = knit_folder_write(root, name, doc, err);
	} else if (!rc && had) {
		struct strbuf index = STRBUF_INIT;
		strbuf_addf(&index, "%s/index.json", dir.buf);
		if (unlink(index.buf) && errno != ENOENT) {
			strbuf_addf(err, "cannot remove '%s': %s", index.buf, strerror(errno));
			rc = KNIT_EIO;
		}
		strbuf_release(&index);
	}
	if (!rc && after)
		after(dir.buf, ctx);
done:
	if (fd >= 0)
		close(fd); /* releases the lock */
	cJSON_Delete(doc);
	strbuf_release(&dir);
	strbuf_release(&lock);
	return rc;
}

struct index_ctx {
	const char *root, *base_url, *name;
	size_t packages, versions;
};

static int index_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct index_ctx *c = arg;
	struct strbuf file = STRBUF_INIT, url = STRBUF_INIT;
	cJSON *v;
	int rc = 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(*doc, "versions")) {
		cJSON *dist = cJSON_GetObjectItemCaseSensitive(v, "dist");
		const cJSON *tb = cJSON_GetObjectItemCaseSensitive(dist, "tarball");
		const char *slash = cJSON_IsString(tb) ? strrchr(tb->valuestring, '/') : NULL;
		if (!slash || !slash[1]) {
			strbuf_addf(err, "%s/%s/index.json: version %s has no dist.tarball", c->root, c->name, v->string);
			rc = KNIT_EPARSE;
			break;
		}
		strbuf_reset(&file);
		strbuf_addf(&file, "%s/-/%s", pkg_dir, slash + 1);
		struct stat st;
		if (stat(file.buf, &st)) {
			strbuf_addf(err, "%s@%s: its tarball %s is not in the folder", c->name, v->string, file.buf);
			rc = KNIT_ENOTFOUND;
			break;
		}
		strbuf_reset(&url);
		if (c->base_url)
			strbuf_addf(&url, "%s/%s/-/%s", c->base_url, c->name, slash + 1);
		else
			knit_folder_url(file.buf, &url);
		cJSON_ReplaceItemInObjectCaseSensitive(dist, "tarball", cJSON_CreateString(url.buf));
		c->versions++;
	}
	strbuf_release(&file);
	strbuf_release(&url);
	return rc;
}

/* Every package folder under root: <name>/index.json and @scope/<name>/index.json. */
static int index_dir(struct index_ctx *c, const char *scope, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, name = STRBUF_INIT, probe = STRBUF_INIT;
	strbuf_addf(&dir, "%s%s%s", c->root, scope ? "/" : "", scope ? scope : "");
	DIR *d = opendir(dir.buf);
	int rc = 0;
	if (!d) {
		strbuf_addf(err, "cannot read the registry folder '%s': %s", dir.buf, strerror(errno));
		strbuf_release(&dir);
		return errno == ENOENT ? KNIT_ENOTFOUND : KNIT_EIO;
	}
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "-"))
			continue;
		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s%s", scope ? scope : "", scope ? "/" : "", e->d_name);
		if (!scope && e->d_name[0] == '@') {
			rc = index_dir(c, e->d_name, err);
			continue;
		}
		strbuf_reset(&probe);
		strbuf_addf(&probe, "%s/%s/index.json", c->root, name.buf);
		struct stat st;
		if (stat(probe.buf, &st))
			continue;
		c->name = name.buf;
		rc = knit_folder_edit(c->root, name.buf, false, index_edit, NULL, c, err);
		c->packages++;
	}
	closedir(d);
	strbuf_release(&dir);
	strbuf_release(&name);
	strbuf_release(&probe);
	return rc;
}

int knit_folder_index(const char *root, const char *base_url, size_t *packages, size_t *versions,
		      struct strbuf *err)
{
	struct index_ctx c = { .root = root, .base_url = base_url };
	int rc = index_dir(&c, NULL, err);
	*packages = c.packages;
	*versions = c.versions;
	return rc;
}
