#include "registry.h"
#include "backend.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/tree.h"
#include "util/json.h"
#include "util/pkgname.h"
#include "util/xalloc.h"
#include "folder.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ABBREVIATED "Accept: application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
/*
 * The largest packument accepted. It is parsed, so it stays in memory, and
 * its cJSON tree takes several times its size. knit asks for the
 * abbreviated document (install-v1), whose largest on the public registry
 * are tens of MiB; a full document from a registry that ignores the Accept
 * header can be larger, and past this it is refused by name.
 */
#define PACKUMENT_MAX ((size_t)128 << 20)

struct entry {
	char *name;
	struct knit_transfer *transfer;  /* NULL when answered from the cache */
	struct strbuf cached;            /* the cached packument, when there is one */
	bool use_cache;                  /* answer from cached without the network */
	char *cache_path;                /* NULL for file:// registries */
	bool parsed;
	bool speculated;                 /* its likely version's dependencies requested */
	int rc;
	cJSON *doc;
	struct knit_pkg pkg;
	struct strbuf message;
};

struct knit_registry {
	const struct knit_config *cfg;
	enum knit_cache_mode cache_mode;
	struct knit_fetch *fetch;
	struct knit_source source;
	struct entry **entries;
	size_t n, alloc;
	struct entry **slots;    /* open addressing on the name, for find(): nslots a power of 2, at most half full */
	size_t nslots;
	size_t unsettled;        /* entries[unsettled..] may have a transfer that arrived but is not parsed */
	bool cache_dir_made;     /* <cache>/packuments exists: no mkdir -p per write */
	size_t answered;         /* requests for packuments that finished, as the fetch finishes them */
};

/* A number setting, already checked by the loader (config.h); fallback when unset. */
static long number(const struct knit_config *cfg, const char *key, long fallback)
{
	const char *v = knit_config_get(cfg, key);
	return v && *v ? strtol(v, NULL, 10) : fallback;
}

void knit_registry_fetch_opts(const struct knit_config *cfg, struct knit_fetch_opts *out)
{
	const char *strict = knit_config_get(cfg, "strict-ssl");
	long timeout = number(cfg, "fetch-timeout", 0), retries = number(cfg, "fetch-retries", 0);
	long min_wait = number(cfg, "fetch-retry-mintimeout", 0), max_wait = number(cfg, "fetch-retry-maxtimeout", 0);
	*out = (struct knit_fetch_opts){
		/* npm's meanings: 0 is no limit, no retry, no wait */
		.timeout_ms = knit_config_get(cfg, "fetch-timeout") && !timeout ? -1 : timeout,
		.retries = knit_config_get(cfg, "fetch-retries") && !retries ? -1 : (int)retries,
		.backoff_ms = knit_config_get(cfg, "fetch-retry-mintimeout") && !min_wait ? 1 : min_wait,
		.backoff_max_ms = knit_config_get(cfg, "fetch-retry-maxtimeout") && !max_wait ? 1 : max_wait,
		.cafile = knit_config_get(cfg, "cafile"),
		.insecure = strict && !strcmp(strict, "false"),
		/* npm's names for them */
		.proxy = knit_config_get(cfg, "proxy"),
		.https_proxy = knit_config_get(cfg, "https-proxy"),
		.noproxy = knit_config_get(cfg, "noproxy"),
		.max_host_connections = number(cfg, "maxsockets", 0),
	};
}

char *knit_registry_packument_url(const struct knit_config *cfg, const char *name)
{
	const char *base = knit_config_registry(cfg, name);
	struct strbuf url = STRBUF_INIT;
	knit_registry_backend_for(base)->document_url(base, name, &url);
	return strbuf_detach(&url, NULL);
}

static int by_version(const void *a, const void *b)
{
	return knit_version_compare(&((const struct knit_pkg_version *)a)->parsed,
				    &((const struct knit_pkg_version *)b)->parsed);
}

static const char *str_field(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int knit_packument_parse(struct knit_pkg *out, cJSON *doc, const char *name, struct strbuf *err)
{
	memset(out, 0, sizeof(*out));
	out->name = name;
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(doc, "versions");
	if (!cJSON_IsObject(doc) || (versions && !cJSON_IsObject(versions))) {
		strbuf_addf(err, "the registry's document for '%s' is not a packument", name);
		return KNIT_EPARSE;
	}
	/* a registry answering for one name with another package is not to be believed */
	const cJSON *doc_name = cJSON_GetObjectItemCaseSensitive(doc, "name");
	if (doc_name && (!cJSON_IsString(doc_name) || strcmp(doc_name->valuestring, name))) {
		strbuf_addf(err, "the registry's document for '%s' ", name);
		if (cJSON_IsString(doc_name)) {
			strbuf_addstr(err, "names the package ");
			knit_pkgname_quote(doc_name->valuestring, err);
		} else {
			strbuf_addstr(err, "has a 'name' that is not a string");
		}
		return KNIT_EPARSE;
	}
	size_t n = (size_t)cJSON_GetArraySize(versions);
	struct knit_pkg_version *vs = knit_xcalloc(n ? n : 1, sizeof(*vs));
	size_t k = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, versions) {
		struct knit_pkg_version *pv = &vs[k];
		if (!cJSON_IsObject(v) ||
		    knit_version_parse(&pv->parsed, v->string, strlen(v->string), 0))
			continue; /* npm skips what it cannot read */
		pv->version = v->string;
		const cJSON *dist = cJSON_GetObjectItemCaseSensitive(v, "dist");
		pv->tarball = str_field(dist, "tarball");
		pv->integrity = str_field(dist, "integrity");
		pv->shasum = str_field(dist, "shasum");
		pv->deprecated = str_field(v, "deprecated");
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(v, "dependencies"), *d;
		size_t nd = 0;
		cJSON_ArrayForEach(d, deps) nd += cJSON_IsString(d);
		struct knit_dep *list = knit_xcalloc(nd ? nd : 1, sizeof(*list));
		nd = 0;
		cJSON_ArrayForEach(d, deps)
			if (cJSON_IsString(d))
				list[nd++] = (struct knit_dep){ d->string, d->valuestring };
		pv->deps = list;
		pv->ndeps = nd;
		k++;
		/* dependency names become folders under deps/: one bad name, in any
		 * version, and the registry's word on this package is refused */
		for (size_t i = 0; i < nd; i++)
			if (knit_pkgname_require(list[i].name, err, "package '%s@%s' depends on ", name,
						 pv->version)) {
				out->versions = vs;
				out->nversions = k;
				knit_packument_release(out);
				return KNIT_EPARSE;
			}
	}
	qsort(vs, k, sizeof(*vs), by_version);
	out->versions = vs;
	out->nversions = k;
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(doc, "dist-tags"), *t;
	out->latest = str_field(tags, "latest");
	cJSON_ArrayForEach(t, tags)
		if (cJSON_IsString(t))
			knit_strmap_set(&out->tags, t->string, t->valuestring);
	return 0;
}

void knit_packument_release(struct knit_pkg *p)
{
	for (size_t i = 0; i < p->nversions; i++) {
		struct knit_pkg_version *v = (struct knit_pkg_version *)&p->versions[i];
		knit_version_release(&v->parsed);
		free((void *)v->deps);
	}
	free((void *)p->versions);
	knit_strmap_release(&p->tags);
	memset(p, 0, sizeof(*p));
}

static struct entry *find(struct knit_registry *r, const char *name)
{
	if (!r->nslots)
		return NULL;
	for (size_t i = (size_t)knit_hash_str(name) & (r->nslots - 1);; i = (i + 1) & (r->nslots - 1))
		if (!r->slots[i] || !strcmp(r->slots[i]->name, name))
			return r->slots[i];
}

static void insert(struct knit_registry *r, struct entry *e)
{
	if (2 * (r->n + 1) > r->nslots) {
		size_t nslots = r->nslots ? 2 * r->nslots : 64;
		free(r->slots);
		r->slots = knit_xcalloc(nslots, sizeof(*r->slots));
		r->nslots = nslots;
		for (size_t k = 0; k < r->n; k++) {
			size_t i = (size_t)knit_hash_str(r->entries[k]->name) & (nslots - 1);
			while (r->slots[i])
				i = (i + 1) & (nslots - 1);
			r->slots[i] = r->entries[k];
		}
	}
	KNIT_ALLOC_GROW(r->entries, r->n + 1, r->alloc);
	r->entries[r->n++] = e;
	size_t i = (size_t)knit_hash_str(e->name) & (r->nslots - 1);
	while (r->slots[i])
		i = (i + 1) & (r->nslots - 1);
	r->slots[i] = e;
}

/* <cache>/packuments/<sha256 of the URL>: the validators, then the body (cache_parse) */
static char *cache_path_for(const struct knit_registry *r, const char *url)
{
	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA256);
	struct knit_integrity d;
	struct strbuf path = STRBUF_INIT;
	knit_hasher_update(h, url, strlen(url));
	knit_hasher_finish(h, &d);
	strbuf_addf(&path, "%s/packuments/", r->cfg->cache_dir);
	knit_integrity_hex(&d, &path);
	return strbuf_detach(&path, NULL);
}

/*
 * A cached packument is one file: a header of four lines (the version
 * line, the ETag, the Last-Modified date, the body's length), then the
 * body. One file per package, not a body and a ".meta" beside it: half
 * the inodes a cold install creates for its cache. Cache files are written
 * without fsync, so a file whose body is not the recorded length (cut
 * short by a crash), or of another layout (an older knit's), is not used.
 */
#define CACHE_MAGIC "knit packument cache 1\n"

/* Splits the file in *text into its validators and body (left in *text). Whether it is whole. */
static bool cache_parse(struct strbuf *text, struct strbuf *etag, struct strbuf *last_modified)
{
	size_t magic = strlen(CACHE_MAGIC);
	if (text->len < magic || memcmp(text->buf, CACHE_MAGIC, magic))
		return false;
	const char *p = text->buf + magic, *end = text->buf + text->len;
	const char *nl1 = memchr(p, '\n', (size_t)(end - p));
	const char *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1)) : NULL;
	const char *nl3 = nl2 ? memchr(nl2 + 1, '\n', (size_t)(end - nl2 - 1)) : NULL;
	if (!nl3)
		return false;
	char *stop;
	unsigned long long len = strtoull(nl2 + 1, &stop, 10);
	size_t header = (size_t)(nl3 + 1 - text->buf);
	if (stop == nl2 + 1 || stop != nl3 || len != text->len - header)
		return false;
	strbuf_add(etag, p, (size_t)(nl1 - p));
	strbuf_add(last_modified, nl1 + 1, (size_t)(nl2 - nl1 - 1));
	memmove(text->buf, text->buf + header, text->len - header);
	strbuf_setlen(text, text->len - header);
	return true;
}

static void cache_store(struct knit_registry *r, const char *path, const struct knit_transfer *t)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	if (!r->cache_dir_made)
		r->cache_dir_made = !knit_make_parents(path);
	/* validators with a line break could not be read back: such an answer is not cached */
	bool plain = !memchr(t->etag.buf, '\n', t->etag.len) && !memchr(t->last_modified.buf, '\n', t->last_modified.len);
	/* a cache that cannot be written only costs the next run a download */
	if (r->cache_dir_made && plain) {
		strbuf_grow(&text, t->body.len + 256);
		strbuf_addf(&text, CACHE_MAGIC "%s\n%s\n%zu\n", t->etag.buf, t->last_modified.buf, t->body.len);
		strbuf_add(&text, t->body.buf, t->body.len);
		knit_write_cache_file(path, text.buf, text.len, &err);
	}
	strbuf_release(&text);
	strbuf_release(&err);
}

static struct entry *request(struct knit_registry *r, const char *name)
{
	struct entry *e = find(r, name);
	if (e)
		return e;
	e = knit_xcalloc(1, sizeof(*e));
	e->name = knit_xstrdup(name);
	strbuf_init(&e->message, 0);
	strbuf_init(&e->cached, 0);
	insert(r, e);
	/* the backstop: names are checked where they enter, and a bad one
	 * would make a URL or a file:// path that climbs out of the registry */
	if (knit_pkgname_verify(name, &e->message)) {
		e->parsed = true;
		e->rc = KNIT_EINVALID_ARG;
		return e;
	}

	char *url = knit_registry_packument_url(r->cfg, name);
	struct strbuf scratch = STRBUF_INIT, etag = STRBUF_INIT, lm = STRBUF_INIT;
	bool have = false;
	if (knit_registry_backend_for(url)->caches_documents) {
		e->cache_path = cache_path_for(r, url);
		have = !knit_read_file(e->cache_path, &e->cached, &scratch) && cache_parse(&e->cached, &etag, &lm);
		if (!have) {
			strbuf_reset(&etag);
			strbuf_reset(&lm);
			strbuf_reset(&e->cached);
		}
	}
	if (e->cache_path && r->cache_mode != KNIT_CACHE_REVALIDATE && have) {
		e->use_cache = true;
	} else if (e->cache_path && r->cache_mode == KNIT_CACHE_ONLY) {
		e->use_cache = true; /* answered at load: not in the cache */
	} else {
		struct strbuf auth = STRBUF_INIT, inm = STRBUF_INIT, ims = STRBUF_INIT;
		const char *headers[5] = { ABBREVIATED, NULL, NULL, NULL, NULL };
		size_t h = 1;
		if (knit_config_auth_header(r->cfg, url, &auth))
			headers[h++] = auth.buf;
		if (have && etag.len) {
			strbuf_addf(&inm, "If-None-Match: %s", etag.buf);
			headers[h++] = inm.buf;
		}
		if (have && lm.len) {
			strbuf_addf(&ims, "If-Modified-Since: %s", lm.buf);
			headers[h++] = ims.buf;
		}
		e->transfer = knit_fetch_start(r->fetch, url, headers, PACKUMENT_MAX, KNIT_HASH_NONE);
		e->transfer->done_count = &r->answered;
		strbuf_release(&auth);
		strbuf_release(&inm);
		strbuf_release(&ims);
	}
	strbuf_release(&scratch);
	strbuf_release(&etag);
	strbuf_release(&lm);
	free(url);
	return e;
}

static void src_prefetch(void *ctx, const char *name)
{
	request(ctx, name);
}

/*
 * A package a folder registry lacks, when the folder itself is missing: the
 * registry is what does not exist, not the package (file:///no/such/folder).
 */
static void check_folder_exists(struct knit_registry *r, struct entry *e)
{
	const char *url = knit_config_registry(r->cfg, e->name);
	struct strbuf root = STRBUF_INIT, scratch = STRBUF_INIT;
	struct stat st;
	if (url && knit_folder_is(url) && !knit_folder_root(url, &root, &scratch) &&
	    (stat(root.buf, &st) || !S_ISDIR(st.st_mode))) {
		strbuf_reset(&e->message);
		strbuf_addf(&e->message, "the registry %s does not exist: no folder '%s'", url, root.buf);
		e->rc = KNIT_EIO;
	}
	strbuf_release(&root);
	strbuf_release(&scratch);
}

/* e's document parsed into e->pkg (its transfer done, or answered from the cache); once. */
static void settle(struct knit_registry *r, struct entry *e)
{
	if (e->parsed)
		return;
	const struct strbuf *body = &e->cached;
	e->parsed = true;
	if (e->use_cache && !e->cached.len && r->cache_mode == KNIT_CACHE_ONLY) {
		strbuf_addf(&e->message, "'%s' is not in the cache, and --offline keeps knit off the network", e->name);
		e->rc = KNIT_EIO;
	} else if (!e->use_cache) {
		knit_fetch_wait(r->fetch, e->transfer);
		e->rc = e->transfer->rc;
		if (e->rc)
			strbuf_add(&e->message, e->transfer->message.buf, e->transfer->message.len);
		else if (e->transfer->status != 304)
			body = &e->transfer->body; /* 304: the cached copy is still right */
		if (!e->rc && e->cache_path && e->transfer->status == 200)
			cache_store(r, e->cache_path, e->transfer);
		if (e->rc == KNIT_ENOTFOUND && !e->cache_path)
			check_folder_exists(r, e);
	}
	if (!e->rc) {
		unsigned line, col;
		e->doc = knit_json_parse_at(body->buf, body->len, &line, &col);
		if (!e->doc) {
			strbuf_addf(&e->message, "the registry's document for '%s' is malformed JSON (line %u, column %u)",
				    e->name, line, col);
			e->rc = KNIT_EPARSE;
		} else {
			e->rc = knit_packument_parse(&e->pkg, e->doc, e->name, &e->message);
		}
	}
	/* parsed: the text is no longer needed */
	strbuf_release(&e->cached);
	if (e->transfer)
		knit_transfer_release_body(e->transfer);
}

/*
 * The dependencies of the version a solve most likely picks (dist-tags'
 * latest, else the highest) requested the moment e's document is in, not
 * when the solver gets to it: the graph is walked breadth-first over the
 * network while the solver works depth-first. A guess that proves wrong
 * costs a request; the solver asks for what it needs either way.
 */
static void speculate(struct knit_registry *r, struct entry *e)
{
	if (e->speculated || e->rc || !e->pkg.nversions)
		return;
	e->speculated = true;
	const struct knit_pkg_version *v = &e->pkg.versions[e->pkg.nversions - 1];
	for (size_t i = 0; e->pkg.latest && i < e->pkg.nversions; i++)
		if (!strcmp(e->pkg.versions[i].version, e->pkg.latest))
			v = &e->pkg.versions[i];
	for (size_t i = 0; i < v->ndeps; i++)
		request(r, v->deps[i].name);
}

/* Every document that arrived from the network since the last call, parsed and speculated on. */
static void settle_arrived(struct knit_registry *r)
{
	for (size_t i = r->unsettled; i < r->n; i++) {
		struct entry *e = r->entries[i];
		if (e->transfer && e->transfer->done && !e->parsed) {
			settle(r, e);
			speculate(r, e);
		}
	}
	/* entries before the first one still in flight need no look again */
	while (r->unsettled < r->n && (r->entries[r->unsettled]->parsed || !r->entries[r->unsettled]->transfer))
		r->unsettled++;
}

static int src_load(void *ctx, const char *name, const struct knit_pkg **out)
{
	struct knit_registry *r = ctx;
	struct entry *e = request(r, name);
	while (!e->parsed && e->transfer && !e->transfer->done) {
		knit_fetch_step(r->fetch);
		settle_arrived(r);
	}
	settle(r, e);
	speculate(r, e);
	*out = &e->pkg;
	return e->rc;
}

static const char *src_message(void *ctx, const char *name)
{
	struct entry *e = find(ctx, name);
	return e && e->message.len ? e->message.buf : NULL;
}

struct knit_registry *knit_registry_new(const struct knit_config *cfg, struct knit_fetch *fetch)
{
	struct knit_registry *r = knit_xcalloc(1, sizeof(*r));
	r->cfg = cfg;
	r->fetch = fetch;
	r->source = (struct knit_source){ r, src_prefetch, src_load, src_message };
	return r;
}

size_t knit_registry_answered(const struct knit_registry *r)
{
	return r->answered;
}

const struct knit_source *knit_registry_source(struct knit_registry *r)
{
	return &r->source;
}

void knit_registry_set_cache_mode(struct knit_registry *r, enum knit_cache_mode mode)
{
	r->cache_mode = mode;
}

void knit_registry_free(struct knit_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct entry *e = r->entries[i];
		knit_packument_release(&e->pkg);
		cJSON_Delete(e->doc);
		strbuf_release(&e->message);
		strbuf_release(&e->cached);
		free(e->cache_path);
		free(e->name);
		free(e);
	}
	free(r->entries);
	free(r->slots);
	free(r);
}
