#include "folder.h"
#include "backend.h"
#include "document.h"
#include "publish.h"
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

/* ---- the folder backend (registry/backend.h) ---- */

static void folder_document_url(const char *url, const char *name, struct strbuf *out)
{
	strbuf_addf(out, "%s/%s/index.json", url, name);
}

static int folder_read_document(const struct knit_registry_at *at, const char *name, bool write,
				cJSON **doc, struct strbuf *err)
{
	struct strbuf root = STRBUF_INIT;
	int rc = knit_folder_root(at->url, &root, err);
	if (!rc)
		rc = knit_folder_read(root.buf, name, doc, err);
	struct stat st;
	if (rc == KNIT_ENOTFOUND && (stat(root.buf, &st) || !S_ISDIR(st.st_mode))) {
		strbuf_reset(err);
		strbuf_addf(err, "the registry %s does not exist: no folder '%s'", at->url, root.buf);
		rc = KNIT_EIO;
	} else if (rc == KNIT_ENOTFOUND) {
		strbuf_addf(err, "%s is not in the registry %s", name, root.buf);
	}
	strbuf_release(&root);
	return rc;
}

/* What an operation hands its edit, under the package's lock. */
struct folder_op {
	const char *root;                   /* the folder, for messages */
	const char *name, *version, *tag;
	const struct knit_publish_req *req; /* publish */
	struct strbuf *tarball_url;
	knit_document_change_fn *change;    /* change_document */
	void *ctx;
};

/* Runs edit on name's document in the folder at url (knit_folder_edit). */
static int folder_run(const char *url, const char *name, bool create, knit_packument_edit_fn edit,
		      knit_packument_after_fn after, struct folder_op *op, struct strbuf *err)
{
	struct strbuf root = STRBUF_INIT;
	int rc = knit_folder_root(url, &root, err);
	op->root = root.buf;
	if (!rc)
		rc = knit_folder_edit(root.buf, name, create, edit, after, op, err);
	strbuf_release(&root);
	return rc;
}

static int change_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_op *op = arg;
	return op->change(*doc, op->root, op->ctx, err);
}

static int folder_change_document(const struct knit_registry_at *at, const char *name,
				  knit_document_change_fn *change, void *ctx, struct strbuf *err)
{
	struct folder_op op = { .change = change, .ctx = ctx };
	return folder_run(at->url, name, false, change_edit, NULL, &op, err);
}

static int publish_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_op *op = arg;
	const struct knit_publish_req *req = op->req;
	struct strbuf file = STRBUF_INIT;
	bool changed;
	strbuf_addf(&file, "%s/-/", pkg_dir);
	knit_document_tarball_file(req->name, req->version, &file);
	strbuf_reset(op->tarball_url);
	knit_folder_url(file.buf, op->tarball_url);
	/* the document is written only after this returns: the tarball is in place by then */
	int rc = knit_document_add_version(doc, req, op->tarball_url->buf, op->root, err);
	if (!rc && knit_make_parents(file.buf)) {
		strbuf_addf(err, "cannot make the folder for '%s': %s", file.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (!rc)
		rc = knit_write_file_atomic(file.buf, req->tgz, req->tgz_len, &changed, err);
	strbuf_release(&file);
	return rc;
}

static int folder_publish(const struct knit_registry_at *at, const struct knit_publish_req *req,
			  struct strbuf *tarball_url, struct strbuf *err)
{
	struct folder_op op = { .req = req, .tarball_url = tarball_url };
	return folder_run(at->url, req->name, true, publish_edit, NULL, &op, err);
}

static int tag_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_op *op = arg;
	return knit_document_set_tag(*doc, op->name, op->tag, op->version, op->root, err);
}

static int folder_set_tag(const struct knit_registry_at *at, const char *name, const char *tag,
			  const char *version, struct strbuf *err)
{
	struct folder_op op = { .name = name, .tag = tag, .version = version };
	return folder_run(at->url, name, false, tag_edit, NULL, &op, err);
}

static int unpublish_edit(cJSON **doc, const char *pkg_dir, void *arg, struct strbuf *err)
{
	struct folder_op *op = arg;
	int rc = knit_document_remove_version(*doc, op->name, op->version, op->root, err);
	if (!rc && !cJSON_GetObjectItemCaseSensitive(*doc, "versions")->child) {
		cJSON_Delete(*doc); /* the last version: the package's document goes */
		*doc = NULL;
	}
	return rc;
}

/* Once the document no longer names it, the tarball goes. */
static void unpublish_after(const char *pkg_dir, void *arg)
{
	struct folder_op *op = arg;
	struct strbuf file = STRBUF_INIT;
	strbuf_addf(&file, "%s/-/", pkg_dir);
	knit_document_tarball_file(op->name, op->version, &file);
	unlink(file.buf);
	strbuf_release(&file);
}

static int folder_unpublish(const struct knit_registry_at *at, const char *name, const char *version,
			    struct strbuf *err)
{
	struct folder_op op = { .name = name, .version = version };
	return folder_run(at->url, name, false, unpublish_edit, unpublish_after, &op, err);
}

const struct knit_registry_backend knit_folder_backend = {
	.name = "folder",
	.caches_documents = false, /* read where they are */
	.has_accounts = false,
	.document_url = folder_document_url,
	.read_document = folder_read_document,
	.change_document = folder_change_document,
	.publish = folder_publish,
	.set_tag = folder_set_tag,
	.unpublish = folder_unpublish,
};
