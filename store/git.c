#include "git.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/redact.h"
#include "util/hash.h"
#include "util/tree.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- specs ---- */

bool knit_git_is_spec(const char *spec)
{
	return !strncmp(spec, "git+", 4) || !strncmp(spec, "git://", 6) || !strncmp(spec, "github:", 7);
}

int knit_git_parse_spec(const char *spec, struct knit_git_spec *out, struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	const char *hash = strchr(spec, '#');
	size_t len = hash ? (size_t)(hash - spec) : strlen(spec);
	struct strbuf url = STRBUF_INIT;
	if (!strncmp(spec, "github:", 7)) {
		const char *repo = spec + 7;
		size_t n = len - 7;
		const char *slash = memchr(repo, '/', n);
		if (!slash || slash == repo || slash + 1 == repo + n || memchr(slash + 1, '/', (size_t)(repo + n - slash - 1))) {
			strbuf_addf(err, "'%s' is not a GitHub spec: github:<owner>/<repo>[#<ref>]", spec);
			return KNIT_EINVALID_ARG;
		}
		strbuf_addf(&url, "https://github.com/%.*s", (int)n, repo);
		if (n < 4 || strncmp(repo + n - 4, ".git", 4))
			strbuf_addstr(&url, ".git");
	} else {
		const char *u = !strncmp(spec, "git+", 4) ? spec + 4 : spec;
		strbuf_add(&url, u, len - (size_t)(u - spec));
		if (strncmp(url.buf, "https://", 8) && strncmp(url.buf, "http://", 7) && strncmp(url.buf, "ssh://", 6) &&
		    strncmp(url.buf, "file://", 7) && strncmp(url.buf, "git://", 6)) {
			strbuf_addf(err, "'%s' is not a git URL knit can fetch (git+https, git+ssh, git+file, git://)", spec);
			strbuf_release(&url);
			return KNIT_EINVALID_ARG;
		}
	}
	out->url = strbuf_detach(&url, NULL);
	if (hash && hash[1]) {
		if (!strncmp(hash + 1, "semver:", 7)) {
			struct knit_range r;
			const char *range = hash + 8;
			if (knit_range_parse(&r, range, strlen(range), KNIT_SEMVER_LOOSE)) {
				strbuf_addf(err, "'%s': '%s' is not a valid semver range", spec, range);
				knit_git_spec_release(out);
				return KNIT_EINVALID_ARG;
			}
			knit_range_release(&r);
			out->range = knit_xstrdup(range);
		} else {
			out->committish = knit_xstrdup(hash + 1);
		}
	}
	return 0;
}

void knit_git_spec_release(struct knit_git_spec *s)
{
	free(s->url);
	free(s->committish);
	free(s->range);
	memset(s, 0, sizeof(*s));
}

/* ---- the mirror ---- */

static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static void git_init(void) { git_libgit2_init(); }

static int fail(struct strbuf *err, const char *url, const char *what)
{
	const git_error *e = git_error_last();
	strbuf_addf(err, "%s: %s%s%s", url, what, e && e->message ? ": " : "", e && e->message ? e->message : "");
	/* libgit2 messages may end with a line break */
	while (err->len && (err->buf[err->len - 1] == '\n' || err->buf[err->len - 1] == '.'))
		strbuf_setlen(err, err->len - 1);
	return knit_redacted(err, KNIT_EIO); /* a repository URL may carry a token */
}

struct mirror {
	git_repository *repo;
	int lock_fd;
	bool fetched;
	const char *url;
};

static int mirror_open(const char *cache_dir, const char *url, struct mirror *m, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, lock = STRBUF_INIT;
	int rc = 0;
	pthread_once(&git_once, git_init);
	memset(m, 0, sizeof(*m));
	m->lock_fd = -1;
	m->url = url;
	strbuf_addf(&path, "%s/git/%016llx.git", cache_dir, (unsigned long long)knit_hash_str(url));
	strbuf_addf(&lock, "%s.lock", path.buf);
	if (knit_make_parents(lock.buf) ||
	    (m->lock_fd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || flock(m->lock_fd, LOCK_EX)) {
		strbuf_addf(err, "cannot lock '%s': %s", lock.buf, strerror(errno));
		rc = KNIT_EIO;
	} else if (git_repository_open_bare(&m->repo, path.buf)) {
		git_config *cfg = NULL;
		if (git_repository_init(&m->repo, path.buf, 1) || git_repository_config(&cfg, m->repo) ||
		    git_config_set_bool(cfg, "core.symlinks", 0))
			rc = fail(err, url, "cannot make the local mirror");
		git_config_free(cfg);
	}
	if (!rc) {
		/* what it mirrors, for knit cache ls: the folder's name is only a hash of it */
		strbuf_addstr(&path, "/knit-url");
		struct strbuf scratch = STRBUF_INIT, shown = STRBUF_INIT;
		knit_redact_url(url, &shown); /* no credentials at rest */
		if (access(path.buf, F_OK))
			(void)knit_write_file_new(path.buf, shown.buf, shown.len, 0644, &scratch);
		strbuf_release(&scratch);
		strbuf_release(&shown);
	}
	strbuf_release(&path);
	strbuf_release(&lock);
	return rc;
}

static void mirror_close(struct mirror *m)
{
	git_repository_free(m->repo);
	if (m->lock_fd >= 0)
		close(m->lock_fd); /* releases the lock */
	m->repo = NULL;
	m->lock_fd = -1;
}

static int mirror_fetch(struct mirror *m, struct strbuf *err)
{
	if (m->fetched)
		return 0;
	git_remote *remote = NULL;
	char *specs[] = { "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+HEAD:refs/knit/HEAD" };
	git_strarray refspecs = { specs, 3 };
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE; /* the refspec takes them all */
	int rc = 0;
	if (git_remote_create_anonymous(&remote, m->repo, m->url) ||
	    git_remote_fetch(remote, &refspecs, &fo, "knit fetch"))
		rc = fail(err, m->url, "cannot fetch");
	git_remote_free(remote);
	m->fetched = !rc;
	return rc;
}

/* The commit an expression (ref name, tag, short id) names, or non-zero. */
static int peel_commit(git_repository *repo, const char *expr, git_oid *out)
{
	git_object *obj = NULL, *commit = NULL;
	int rc = git_revparse_single(&obj, repo, expr);
	if (!rc)
		rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (!rc)
		*out = *git_object_id(commit);
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

/* The commit id names, fetching once when the mirror does not have it. */
static int find_commit(struct mirror *m, const char *id, git_commit **c, struct strbuf *err)
{
	git_oid oid;
	if (git_oid_fromstr(&oid, id)) {
		strbuf_addf(err, "%s: '%s' is not a commit id", m->url, id);
		return KNIT_EINVALID_ARG;
	}
	if (!git_commit_lookup(c, m->repo, &oid))
		return 0;
	if (mirror_fetch(m, err))
		return KNIT_EIO;
	if (!git_commit_lookup(c, m->repo, &oid))
		return 0;
	strbuf_addf(err, "%s: no commit %s", m->url, id);
	return KNIT_ENOTFOUND;
}

static bool is_full_id(const char *s)
{
	return s && strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

/* The newest tag whose name is a version in range ("v1.2.3" reads as 1.2.3). */
static int newest_tag(struct mirror *m, const char *range, struct strbuf *tag, struct strbuf *err)
{
	git_strarray tags = { 0 };
	if (git_tag_list(&tags, m->repo))
		return fail(err, m->url, "cannot list tags");
	struct knit_range r;
	knit_range_parse(&r, range, strlen(range), KNIT_SEMVER_LOOSE); /* checked when parsed */
	struct knit_version best = { 0 }, v;
	bool have = false;
	for (size_t i = 0; i < tags.count; i++) {
		const char *name = tags.strings[i];
		if (knit_version_parse(&v, name, strlen(name), KNIT_SEMVER_LOOSE))
			continue;
		if (knit_range_test(&r, &v) && (!have || knit_version_compare(&v, &best) > 0)) {
			if (have)
				knit_version_release(&best);
			best = v;
			have = true;
			strbuf_reset(tag);
			strbuf_addstr(tag, name);
		} else {
			knit_version_release(&v);
		}
	}
	if (have)
		knit_version_release(&best);
	knit_range_release(&r);
	git_strarray_dispose(&tags);
	if (!have) {
		strbuf_addf(err, "%s: no tag satisfies semver:%s", m->url, range);
		return KNIT_ENOMATCH;
	}
	return 0;
}

int knit_git_resolve(const char *cache_dir, const struct knit_git_spec *spec, char commit[41],
		     struct strbuf *tag, struct strbuf *err)
{
	struct mirror m;
	struct strbuf ref = STRBUF_INIT;
	git_oid oid;
	int rc = mirror_open(cache_dir, spec->url, &m, err);
	if (rc)
		goto done;
	if (is_full_id(spec->committish)) {
		git_commit *c = NULL;
		if ((rc = find_commit(&m, spec->committish, &c, err)))
			goto done;
		oid = *git_commit_id(c);
		git_commit_free(c);
		goto found;
	}
	if ((rc = mirror_fetch(&m, err)))
		goto done;
	if (spec->range) {
		if ((rc = newest_tag(&m, spec->range, tag, err)))
			goto done;
		strbuf_addf(&ref, "refs/tags/%s", tag->buf);
		rc = peel_commit(m.repo, ref.buf, &oid);
	} else if (!spec->committish) {
		rc = peel_commit(m.repo, "refs/knit/HEAD", &oid);
	} else {
		const char *forms[] = { "refs/tags/%s", "refs/heads/%s", "%s" };
		rc = -1;
		for (size_t i = 0; i < 3 && rc; i++) {
			strbuf_reset(&ref);
			strbuf_addf(&ref, forms[i], spec->committish);
			rc = peel_commit(m.repo, ref.buf, &oid);
		}
	}
	if (rc) {
		strbuf_addf(err, "%s: no tag, branch or commit '%s'", spec->url,
			    spec->committish ? spec->committish : "HEAD");
		rc = KNIT_ENOTFOUND;
		goto done;
	}
found:
	git_oid_tostr(commit, 41, &oid);
done:
	mirror_close(&m);
	strbuf_release(&ref);
	return knit_redacted(err, rc);
}

static int lookup_tree(struct mirror *m, const char *commit, git_commit **c, git_tree **tree,
		       struct strbuf *err)
{
	int rc = find_commit(m, commit, c, err);
	if (rc)
		return rc;
	if (git_commit_tree(tree, *c))
		return fail(err, m->url, "cannot read the commit's files");
	return 0;
}

int knit_git_read(const char *cache_dir, const char *url, const char *commit, const char *path,
		  struct strbuf *out, struct strbuf *err)
{
	struct mirror m;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc = mirror_open(cache_dir, url, &m, err);
	if (!rc)
		rc = lookup_tree(&m, commit, &c, &tree, err);
	if (!rc && (git_tree_entry_bypath(&entry, tree, path) || git_tree_entry_type(entry) != GIT_OBJECT_BLOB))
		rc = KNIT_ENOTFOUND;
	if (!rc && git_blob_lookup(&blob, m.repo, git_tree_entry_id(entry)))
		rc = fail(err, url, "cannot read a file");
	if (!rc)
		strbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	mirror_close(&m);
	return knit_redacted(err, rc);
}

int knit_git_export(const char *cache_dir, const char *url, const char *commit, const char *dir,
		    struct strbuf *err)
{
	struct mirror m;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct strbuf tmp = STRBUF_INIT;
	int rc = mirror_open(cache_dir, url, &m, err);
	if (!rc)
		rc = lookup_tree(&m, commit, &c, &tree, err);
	if (!rc) {
		strbuf_addf(&tmp, "%s.tmp-XXXXXX", dir);
		if (knit_make_parents(dir) || !mkdtemp(tmp.buf)) {
			strbuf_addf(err, "cannot make a folder beside '%s': %s", dir, strerror(errno));
			rc = KNIT_EIO;
			strbuf_reset(&tmp);
		}
	}
	if (!rc) {
		git_checkout_options co;
		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
		co.target_directory = tmp.buf;
		if (git_checkout_tree(m.repo, (git_object *)tree, &co))
			rc = fail(err, url, "cannot write the commit's files");
	}
	if (!rc && rename(tmp.buf, dir)) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			strbuf_addf(err, "cannot put '%s' in place: %s", dir, strerror(errno));
			rc = KNIT_EIO;
		}
		knit_remove_tree(tmp.buf); /* another knit wrote it first: same commit, same files */
	} else if (rc && tmp.len) {
		knit_remove_tree(tmp.buf);
	}
	git_tree_free(tree);
	git_commit_free(c);
	mirror_close(&m);
	strbuf_release(&tmp);
	return knit_redacted(err, rc);
}

static bool mirror_name(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");
	return n == 16 && !strcmp(name + n, ".git");
}

int knit_git_mirrors_list(const char *cache_dir, knit_git_mirror_fn fn, void *ctx, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, url = STRBUF_INIT, scratch = STRBUF_INIT;
	strbuf_addf(&dir, "%s/git", cache_dir);
	DIR *d = opendir(dir.buf);
	int rc = 0;
	if (!d && errno != ENOENT) {
		strbuf_addf(err, "cannot read the git mirrors '%s': %s", dir.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	for (struct dirent *e; d && !rc && (e = readdir(d));) {
		if (!mirror_name(e->d_name))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, e->d_name);
		struct knit_tree_usage use;
		struct stat st;
		if (knit_tree_usage(path.buf, &use) || stat(path.buf, &st))
			continue;
		long long used = (long long)st.st_mtime;
		strbuf_addstr(&path, "/FETCH_HEAD");
		if (!stat(path.buf, &st) && (long long)st.st_mtime > used)
			used = (long long)st.st_mtime;
		strbuf_setlen(&path, path.len - strlen("FETCH_HEAD"));
		strbuf_addstr(&path, "knit-url");
		strbuf_reset(&url);
		strbuf_reset(&scratch);
		if (knit_read_file(path.buf, &url, &scratch) || !url.len || memchr(url.buf, '\n', url.len))
		{
			strbuf_reset(&url);
			strbuf_addstr(&url, "?");
		}
		struct knit_git_mirror_info info = { e->d_name, url.buf, use.bytes, used };
		rc = fn(ctx, &info, err);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&url);
	strbuf_release(&scratch);
	return rc;
}

int knit_git_mirror_remove(const char *cache_dir, const char *name, struct strbuf *err)
{
	if (!mirror_name(name)) {
		strbuf_addf(err, "'%s' is not a git mirror's name", name);
		return KNIT_EPARSE;
	}
	struct strbuf path = STRBUF_INIT, lock = STRBUF_INIT;
	strbuf_addf(&path, "%s/git/%s", cache_dir, name);
	strbuf_addf(&lock, "%s.lock", path.buf);
	int fd = open(lock.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644), rc = 0;
	if (fd < 0 || flock(fd, LOCK_EX)) {
		strbuf_addf(err, "cannot lock '%s': %s", lock.buf, strerror(errno));
		rc = KNIT_EIO;
	} else if (knit_remove_tree(path.buf) && errno != ENOENT) {
		strbuf_addf(err, "cannot remove '%s': %s", path.buf, strerror(errno));
		rc = KNIT_EIO;
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	strbuf_release(&lock);
	return rc;
}
