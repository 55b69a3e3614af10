#include "pack.h"
#include "build_deps.h"
#include "manifest.h"
#include "sources.h"
#include "registry/publish.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/ignore.h"
#include "util/json.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define NPM_MTIME 499162500 /* 1985-10-26T08:15:00Z, npm's fixed mtime */

/* Never packed, at any depth. */
static const char *const never_names[] = {
	".git", ".svn", ".hg", "CVS", "node_modules", ".DS_Store", ".npmrc", ".knitrc",
	"npm-debug.log", "._*", ".*.swp", "*.orig", NULL,
};
/* Never packed at the top. */
static const char *const never_top[] = {
	"deps", "knit.lock", "package.json", "package-lock.json", "*.tgz",
	".deps-*", ".knit-txn", ".knit-txn.tmp-*", "knit.json.tmp-*", "knit.lock.tmp-*", NULL, /* an install's temporaries */
};

static bool matches_any(const char *const *patterns, const char *name)
{
	for (size_t i = 0; patterns[i]; i++)
		if (!fnmatch(patterns[i], name, 0))
			return true;
	return false;
}

/* README*, LICENSE*, LICENCE* in any case */
static bool always_top(const char *name)
{
	return !strcmp(name, "knit.json") || !strncasecmp(name, "readme", 6) ||
	       !strncasecmp(name, "license", 7) || !strncasecmp(name, "licence", 7);
}

struct selection {
	const char *root;
	const struct knit_manifest *m;
	const struct knit_strings *files; /* NULL: everything not ignored */
	struct knit_ignore ignore;
	struct knit_pack *p;
	const struct knit_session *session; /* takes the warnings; may be NULL */
	struct strbuf *err;
};

static bool is_bin(const struct knit_manifest *m, const char *rel)
{
	for (size_t i = 0; i < m->bin.n; i++) {
		const char *b = m->bin.items[i].value;
		while (b[0] == '.' && b[1] == '/')
			b += 2;
		if (!strcmp(b, rel))
			return true;
	}
	return false;
}

static bool wanted(struct selection *s, const char *rel, bool top)
{
	if ((top && always_top(rel)) || is_bin(s->m, rel))
		return true;
	if (knit_ignore_check(&s->ignore, rel, false) == KNIT_IGNORE_EXCLUDED)
		return false;
	if (!s->files)
		return true;
	/* as npm-packlist reads them: entries of "files" start at the package's root ("src" is
	 * the top src/ and what it holds, never a src/ deeper down; "**" reaches further) */
	struct strbuf anchored = STRBUF_INIT;
	bool covered = false;
	for (size_t i = 0; i < s->files->n && !covered; i++) {
		const char *f = s->files->items[i];
		while (f[0] == '.' && f[1] == '/')
			f += 2;
		strbuf_reset(&anchored);
		strbuf_addf(&anchored, "%s%s", *f == '/' ? "" : "/", f);
		covered = knit_ignore_covers(anchored.buf, rel);
	}
	strbuf_release(&anchored);
	return covered;
}

static void add_file(struct knit_pack *p, const char *rel, unsigned mode, unsigned long long size)
{
	KNIT_ALLOC_GROW(p->files, p->n + 1, p->alloc);
	p->files[p->n++] = (struct knit_pack_file){ knit_xstrdup(rel), mode, size };
}

/* Reads dir's own .knitignore, else .gitignore, into the rules. */
static void read_ignore_file(struct selection *s, const char *dir, const char *rel)
{
	static const char *const names[] = { ".knitignore", ".gitignore" };
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, scratch = STRBUF_INIT;
	for (size_t i = 0; i < 2; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, names[i]);
		if (!knit_read_file(path.buf, &text, &scratch)) {
			knit_ignore_add_text(&s->ignore, rel, text.buf);
			break;
		}
	}
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&scratch);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void warn(const struct knit_session *session, const char *line);

/* rel: the folder below the root ("" for the root itself); its folders to walk go to pending. */
static int walk_folder(struct selection *s, const char *rel, struct knit_paths *pending)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT, child = STRBUF_INIT, line = STRBUF_INIT;
	bool top = !*rel;
	strbuf_addf(&dir, "%s%s%s", s->root, top ? "" : "/", rel);
	if (!s->files || !top) /* with "files", the top's ignore file has no say */
		read_ignore_file(s, dir.buf, rel);
	DIR *d = opendir(dir.buf);
	if (!d) {
		strbuf_addf(s->err, "cannot read the folder '%s': %s", dir.buf, strerror(errno));
		strbuf_release(&dir);
		return KNIT_EIO;
	}
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		KNIT_ALLOC_GROW(names, n + 1, alloc);
		names[n++] = knit_xstrdup(e->d_name);
	}
	closedir(d);
	if (n) /* an empty folder: no names, and qsort's pointer must not be NULL */
		qsort(names, n, sizeof(*names), cmp_names);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *name = names[i];
		if (matches_any(never_names, name) || (top && matches_any(never_top, name)))
			continue;
		strbuf_reset(&child);
		strbuf_addf(&child, "%s%s%s", rel, top ? "" : "/", name);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, name);
		struct stat st;
		if (lstat(path.buf, &st)) {
			strbuf_addf(s->err, "cannot read '%s': %s", path.buf, strerror(errno));
			rc = KNIT_EIO;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (knit_ignore_check(&s->ignore, child.buf, true) != KNIT_IGNORE_EXCLUDED) {
				KNIT_ALLOC_GROW(pending->items, pending->n + 1, pending->alloc);
				pending->items[pending->n++] = knit_xstrdup(child.buf);
			}
			continue;
		}
		/* as npm pack does: a link is never packed nor followed, wherever it points
		 * (a link to ~/.knitrc would carry the token out) */
		if (S_ISLNK(st.st_mode)) {
			if (wanted(s, child.buf, top)) {
				strbuf_reset(&line);
				strbuf_addf(&line, "'%s' is a symbolic link: not packed (npm leaves links out too)",
					    child.buf);
				warn(s->session, line.buf);
			}
			continue;
		}
		if (!S_ISREG(st.st_mode) || !wanted(s, child.buf, top))
			continue;
		/* .knitrc and .npmrc are never packed (never_names); their copies are refused */
		if (!strncmp(name, ".knitrc", 7) || !strncmp(name, ".npmrc", 6)) {
			strbuf_addf(s->err, "refusing to pack '%s': a name starting with .knitrc or .npmrc is a "
					    "settings file, which may hold a token; remove it or exclude it in "
					    ".knitignore", child.buf);
			rc = KNIT_EINVALID_ARG;
			break;
		}
		unsigned mode = (st.st_mode & 0111) || is_bin(s->m, child.buf) ? 0755 : 0644;
		add_file(s->p, child.buf, mode, (unsigned long long)st.st_size);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&child);
	strbuf_release(&line);
	return rc;
}

/*
 * Every folder from the root down, each read before the folders in it (so
 * its ignore file applies to them): a list of folders still to read, not
 * recursion, so a deep tree takes memory rather than stack.
 */
static int walk(struct selection *s, const char *top)
{
	struct knit_paths pending = { 0 };
	int rc = walk_folder(s, top, &pending);
	while (!rc && pending.n) {
		char *rel = pending.items[--pending.n];
		rc = walk_folder(s, rel, &pending);
		free(rel);
	}
	knit_paths_release(&pending);
	return rc;
}

/* Whether any packed file lies under the folder dir (relative, no trailing slash). */
static bool packed_under(const struct knit_pack *p, const char *dir, size_t n)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strncmp(p->files[i].path, dir, n) && p->files[i].path[n] == '/')
			return true;
	return false;
}

static bool packed(const struct knit_pack *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->files[i].path, path))
			return true;
	return false;
}

static void warn(const struct knit_session *session, const char *line)
{
	if (session)
		knit_session_warn(session, "%s", line);
}

/*
 * A package that builds from a `c` section it does not ship fails for its
 * users, not here: say so when the include folders or the sources exist in
 * the project but none of their files is packed (a `files` list missing them).
 */
static void check_c_section(const struct knit_pack *p, const struct knit_manifest *m, const char *dir,
			    const struct knit_session *session)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	const char *conventional[] = { KNIT_C_INCLUDE_CONVENTION };
	const char *const *inc = m->c.has_include ? (const char *const *)m->c.include.items : conventional;
	size_t ninc = m->c.has_include ? m->c.include.n : 1;
	for (size_t i = 0; i < ninc; i++) {
		struct stat st;
		const char *d = inc[i];
		while (d[0] == '.' && d[1] == '/')
			d += 2;
		size_t n = strlen(d);
		while (n && d[n - 1] == '/')
			n--;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%.*s", dir, (int)n, d);
		if (!n || (n == 1 && *d == '.') || stat(path.buf, &st) || !S_ISDIR(st.st_mode) ||
		    packed_under(p, d, n))
			continue;
		strbuf_reset(&line);
		strbuf_addf(&line, "c.include '%.*s' is in the project but none of its files is packed; add it to "
				   "knit.json's files", (int)n, d);
		warn(session, line.buf);
	}
	const char *conventional_src[] = { KNIT_C_SOURCES_CONVENTION };
	const char *const *src = m->c.has_sources ? (const char *const *)m->c.sources.items : conventional_src;
	/* as deps/knit.cmake does: a package with its own CMake target builds no conventional sources */
	size_t nsrc = m->c.has_sources ? m->c.sources.n : m->c.cmake_target ? 0 : 1;
	for (size_t i = 0; i < nsrc; i++) {
		struct knit_paths found = { 0 };
		knit_glob(dir, src[i], &found);
		bool any = false;
		for (size_t k = 0; k < found.n && !any; k++)
			any = packed(p, found.items[k]);
		if (found.n && !any) {
			strbuf_reset(&line);
			strbuf_addf(&line, "c.sources '%s' matches %zu file%s in the project but none is packed; "
					   "add them to knit.json's files", src[i], found.n, found.n == 1 ? "" : "s");
			warn(session, line.buf);
		}
		knit_paths_release(&found);
	}
	strbuf_release(&path);
	strbuf_release(&line);
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct knit_pack_file *)a)->path, ((const struct knit_pack_file *)b)->path);
}

static la_ssize_t to_strbuf(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	strbuf_add(ctx, buf, n);
	return (la_ssize_t)n;
}

/* Secrets shorter than this are not looked for: they would match by chance. */
#define SECRET_MIN 8

/* 0, or KNIT_EINVALID_ARG when data holds a secret from config, naming rel and the setting. */
static int check_secrets(const struct knit_config *config, const char *rel, const struct strbuf *data,
			 struct strbuf *err)
{
	for (size_t i = 0; config && i < config->n; i++) {
		const struct knit_setting *set = &config->items[i];
		size_t len = set->value ? strlen(set->value) : 0;
		if (len < SECRET_MIN || !knit_config_is_secret(set->key) ||
		    !memmem(data->buf, data->len, set->value, len))
			continue;
		strbuf_addf(err, "refusing to pack '%s': it holds the token of the setting '%s'; remove it or "
				 "exclude it in .knitignore", rel, set->key);
		return KNIT_EINVALID_ARG;
	}
	return 0;
}

static int write_tarball(struct knit_pack *p, const char *root, const struct knit_config *config,
			 struct strbuf *err)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT, name = STRBUF_INIT;
	int rc = 0;
	if (!a || !e)
		abort();
	if (archive_write_set_format_pax_restricted(a) || archive_write_add_filter_gzip(a) ||
	    archive_write_set_options(a, "gzip:!timestamp,gzip:compression-level=9") ||
	    archive_write_set_bytes_in_last_block(a, 1) ||
	    archive_write_open(a, &p->tgz, NULL, to_strbuf, NULL)) {
		strbuf_addf(err, "cannot write a tarball: %s", archive_error_string(a));
		rc = KNIT_EIO;
	}
	for (size_t i = 0; i < p->n && !rc; i++) {
		const struct knit_pack_file *f = &p->files[i];
		strbuf_reset(&data);
		if (!strcmp(f->path, "package.json")) {
			strbuf_addstr(&data, p->package_json);
		} else {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", root, f->path);
			/* a link put in the file's place since the walk is refused, not followed */
			if ((rc = knit_read_regular_file(path.buf, &data, err))) {
				if (rc == KNIT_ENOTFOUND)
					strbuf_addf(err, "'%s' went away while packing", path.buf);
				rc = KNIT_EIO;
				break;
			}
		}
		if ((rc = check_secrets(config, f->path, &data, err)))
			break;
		f = &p->files[i];
		if (!p->readme && !strchr(f->path, '/') && !strncasecmp(f->path, "readme", 6)) {
			p->readme = knit_xmemdupz(data.buf, data.len);
			p->readme_filename = knit_xstrdup(f->path);
		}
		p->files[i].size = data.len;
		p->unpacked_size += data.len;
		strbuf_reset(&name);
		strbuf_addf(&name, "package/%s", f->path);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, name.buf);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, f->mode);
		archive_entry_set_size(e, (la_int64_t)data.len);
		archive_entry_set_mtime(e, NPM_MTIME, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (data.len && archive_write_data(a, data.buf, data.len) != (la_ssize_t)data.len)) {
			strbuf_addf(err, "cannot pack '%s': %s", f->path, archive_error_string(a));
			rc = KNIT_EIO;
		}
	}
	if (!rc && archive_write_close(a) != ARCHIVE_OK) {
		strbuf_addf(err, "cannot finish the tarball: %s", archive_error_string(a));
		rc = KNIT_EIO;
	}
	archive_entry_free(e);
	archive_write_free(a);
	strbuf_release(&path);
	strbuf_release(&data);
	strbuf_release(&name);
	return rc;
}

static void digest(struct knit_pack *p)
{
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA512);
	knit_hasher_update(h, p->tgz.buf, p->tgz.len);
	knit_hasher_finish(h, &p->integrity);
	struct knit_integrity sha1;
	h = knit_hasher_new(KNIT_HASH_SHA1);
	knit_hasher_update(h, p->tgz.buf, p->tgz.len);
	knit_hasher_finish(h, &sha1);
	struct strbuf hex = STRBUF_INIT;
	knit_integrity_hex(&sha1, &hex);
	snprintf(p->shasum, sizeof(p->shasum), "%s", hex.buf);
	strbuf_release(&hex);
}

/* name and version present and valid, "private" a boolean */
static int check_identity(struct knit_pack *p, const struct knit_manifest *m, const cJSON *doc,
			  const char *path, struct strbuf *err)
{
	if (!m->name || !knit_pkgname_valid(m->name)) {
		strbuf_addf(err, "%s: %s", path, m->name ? "\"name\" is not a valid package name" :
						"\"name\" is missing: a package needs one to be packed");
		return KNIT_EPARSE;
	}
	struct knit_version v;
	if (!m->version || knit_version_parse(&v, m->version, strlen(m->version), 0)) {
		strbuf_addf(err, "%s: %s", path, m->version ? "\"version\" is not a valid semver version" :
						   "\"version\" is missing: a package needs one to be packed");
		return KNIT_EPARSE;
	}
	p->version = knit_version_to_string(&v); /* clean: "v1.0.0" is packed as "1.0.0" */
	knit_version_release(&v);
	const cJSON *priv = cJSON_GetObjectItemCaseSensitive(doc, "private");
	if (priv && !cJSON_IsBool(priv)) {
		strbuf_addf(err, "%s: \"private\" must be true or false", path);
		return KNIT_EPARSE;
	}
	p->is_private = cJSON_IsTrue(priv);
	p->name = knit_xstrdup(m->name);
	return 0;
}

static int file_by_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct knit_pack_file *)elem)->path);
}

/* Whether path (relative to the package) is packed: p->files is sorted by path. */
static bool packed_sorted(const struct knit_pack *p, const char *path)
{
	return bsearch(path, p->files, p->n, sizeof(*p->files), file_by_path) != NULL;
}

#define BUILD_FILE_MAX (1u << 20)

/*
 * Whether a name a build file gives lies in a folder of tests, examples,
 * documents or benchmarks: knit builds packages without them
 * (BUILD_TESTING=OFF), so leaving them out breaks nobody's build.
 */
static bool beside_the_library(const char *word, size_t n)
{
	static const char *const folders[] = { "test", "tests", "testing", "example", "examples", "doc", "docs",
					       "bench", "benchmark", "benchmarks", "fuzz", NULL };
	const char *slash = memchr(word, '/', n);
	if (!slash)
		return false;
	size_t len = (size_t)(slash - word);
	for (const char *const *f = folders; *f; f++)
		if (strlen(*f) == len && !strncmp(word, *f, len))
			return true;
	return false;
}

/*
 * The files a packed CMakeLists.txt, meson.build or configure.ac names
 * (any word that is, or with ".in" is, a file of the project beside it)
 * that the tarball leaves out, each a warning: a .gitignore that says
 * config.h* drops the config.h.in a configure step needs, and the package
 * fails for its users, not here.
 */
static void check_build_names(const struct knit_pack *p, const char *dir, const struct knit_session *session)
{
	struct strbuf text = STRBUF_INIT, scratch = STRBUF_INIT, rel = STRBUF_INIT, path = STRBUF_INIT;
	struct knit_paths named = { 0 }; /* warned about already */
	for (size_t i = 0; i < p->n; i++) {
		const char *f = p->files[i].path, *base = strrchr(f, '/');
		base = base ? base + 1 : f;
		if (strcmp(base, "CMakeLists.txt") && strcmp(base, "meson.build") && strcmp(base, "configure.ac"))
			continue;
		size_t dirlen = (size_t)(base - f); /* the build file's folder, with its '/' */
		strbuf_reset(&text);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, f);
		if (p->files[i].size > BUILD_FILE_MAX || knit_read_file(path.buf, &text, &scratch))
			continue;
		size_t warned = 0;
		for (const char *w = text.buf; *w && warned < 20;) {
			w += strcspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./${}-");
			size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./${}-");
			const char *word = w;
			w += n;
			/* ${CMAKE_CURRENT_SOURCE_DIR}/x and ${PROJECT_SOURCE_DIR}/x name x beside the file */
			if (n > 2 && word[0] == '$' && word[1] == '{') {
				const char *close = memchr(word, '}', n);
				if (!close || close + 1 >= word + n || close[1] != '/')
					continue;
				n -= (size_t)(close + 2 - word);
				word = close + 2;
			}
			while (n > 2 && word[0] == '.' && word[1] == '/') {
				word += 2;
				n -= 2;
			}
			if (!n || n > 255 || memchr(word, '$', n) || memchr(word, '{', n) || memchr(word, '}', n) ||
			    word[0] == '/' || word[0] == '-' || memchr(word, '.', n) == NULL || beside_the_library(word, n))
				continue;
			for (int in = 0; in < 2; in++) {
				strbuf_reset(&rel);
				strbuf_add(&rel, f, dirlen);
				strbuf_add(&rel, word, n);
				if (in)
					strbuf_addstr(&rel, ".in");
				if (strstr(rel.buf, "..") || packed_sorted(p, rel.buf))
					continue;
				struct stat st;
				strbuf_reset(&path);
				strbuf_addf(&path, "%s/%s", dir, rel.buf);
				if (lstat(path.buf, &st) || !S_ISREG(st.st_mode))
					continue;
				bool said = false;
				for (size_t k = 0; k < named.n && !said; k++)
					said = !strcmp(named.items[k], rel.buf);
				if (said)
					break;
				KNIT_ALLOC_GROW(named.items, named.n + 1, named.alloc);
				named.items[named.n++] = knit_xstrdup(rel.buf);
				struct strbuf line = STRBUF_INIT;
				strbuf_addf(&line, "%s names '%s', which is in the project but not packed (an ignore file "
						   "or files leaves it out): the package's users could not build it", f, rel.buf);
				warn(session, line.buf);
				strbuf_release(&line);
				warned++;
				break;
			}
		}
	}
	knit_paths_release(&named);
	strbuf_release(&text);
	strbuf_release(&scratch);
	strbuf_release(&rel);
	strbuf_release(&path);
}

int knit_pack_make(struct knit_pack *p, const char *dir, const struct knit_session *session, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *doc = NULL;
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->tgz, 0);
	strbuf_addf(&path, "%s/knit.json", dir);
	int rc = knit_read_file(path.buf, &text, err);
	if (rc == KNIT_ENOTFOUND)
		strbuf_addf(err, "%s: not found; knit packs a project with a knit.json", path.buf);
	if (!rc)
		rc = knit_manifest_parse(&p->manifest, text.buf, text.len, path.buf, err);
	if (!rc && !(doc = knit_json_parse(text.buf, text.len, path.buf, err)))
		rc = KNIT_EPARSE;
	if (!rc)
		rc = check_identity(p, &p->manifest, doc, path.buf, err);
	if (rc)
		goto done;

	/* package.json for npm's tools: knit.json's fields, the version cleaned */
	cJSON_ReplaceItemInObjectCaseSensitive(doc, "version", cJSON_CreateString(p->version));
	struct strbuf pj = STRBUF_INIT;
	knit_json_print(&pj, doc, 0);
	strbuf_addch(&pj, '\n');
	p->package_json = strbuf_detach(&pj, NULL);

	const struct knit_manifest *m = &p->manifest;
	struct selection s = { .root = dir, .m = m, .p = p, .session = session, .err = err };
	if (m->has_files)
		s.files = &m->files;
	else {
		knit_ignore_add(&s.ignore, "", "/deps/");
		knit_ignore_add(&s.ignore, "", "/build/");
	}
	rc = walk(&s, "");
	knit_ignore_release(&s.ignore);
	if (rc)
		goto done;
	add_file(p, "package.json", 0644, 0);
	qsort(p->files, p->n, sizeof(*p->files), cmp_files);
	check_c_section(p, m, dir, session);
	if (knit_package_build_kind(m, dir) != KNIT_BUILD_SOURCES) /* its users run these build files */
		check_build_names(p, dir, session);
	if ((rc = write_tarball(p, dir, session ? &session->cfg : NULL, err)))
		goto done;
	digest(p);
done:
	cJSON_Delete(doc);
	strbuf_release(&path);
	strbuf_release(&text);
	if (rc)
		knit_pack_release(p);
	return rc;
}

void knit_pack_release(struct knit_pack *p)
{
	knit_manifest_release(&p->manifest);
	free(p->name);
	free(p->version);
	free(p->package_json);
	free(p->readme);
	free(p->readme_filename);
	for (size_t i = 0; i < p->n; i++)
		free(p->files[i].path);
	free(p->files);
	strbuf_release(&p->tgz);
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->tgz, 0);
}

int knit_pack_publish_req(const struct knit_pack *p, const char *tag, struct knit_publish_req *req,
			  struct strbuf *integrity, struct strbuf *err)
{
	if (p->is_private) {
		strbuf_addf(err, "knit.json: %s is \"private\": true, so it is never published", p->name);
		return KNIT_EINVALID_ARG;
	}
	/* consumers resolve only ranges and tags from a registry package */
	const struct knit_deps *deps = &p->manifest.deps;
	for (size_t i = 0; i < deps->n; i++) {
		if (knit_spec_kind(deps->items[i].range) == KNIT_SPEC_REGISTRY)
			continue;
		strbuf_addf(err, "knit.json: dependency '%s' is '%s', which the package's users could not "
			    "install; publish %s and depend on a version of it", deps->items[i].name,
			    deps->items[i].range, deps->items[i].name);
		return KNIT_EINVALID_ARG;
	}
	/* as npm 11 does: a pre-release never becomes "latest" by accident */
	if (!tag && strchr(p->version, '-')) {
		strbuf_addf(err, "%s@%s is a pre-release: give it a tag with --tag (next, beta, ...) so that "
			    "'latest' stays on a release, or --tag latest if it should be", p->name, p->version);
		return KNIT_EINVALID_ARG;
	}
	knit_integrity_format(&p->integrity, integrity);
	*req = (struct knit_publish_req){
		.name = p->name, .version = p->version, .tag = tag, .manifest_json = p->package_json,
		.tgz = p->tgz.buf, .tgz_len = p->tgz.len, .integrity = integrity->buf, .shasum = p->shasum,
		.readme = p->readme, .readme_filename = p->readme_filename,
	};
	return 0;
}

void knit_pack_filename(const char *name, const char *version, struct strbuf *out)
{
	if (name[0] == '@') {
		name++;
		const char *slash = strchr(name, '/');
		if (slash) {
			strbuf_add(out, name, (size_t)(slash - name));
			strbuf_addch(out, '-');
			name = slash + 1;
		}
	}
	strbuf_addf(out, "%s-%s.tgz", name, version);
}
