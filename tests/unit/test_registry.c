/*
 * registry/: configuration layers and .npmrc syntax, SRI parsing and
 * verification, packument parsing, packument URLs, fetching file://
 * URLs concurrently with digests and progress counts, the fetch settings
 * and their sum against a silent server, stalls, and spooled bodies.
 */
#include "conformance.h"
#include "util/config.h"
#include "util/fetch.h"
#include "util/integrity.h"
#include "registry/account.h"
#include "registry/registry.h"
#include "util/error.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void test_config_syntax(void **state)
{
	struct knit_config c = { 0 };
	struct strbuf err = STRBUF_INIT;
	setenv("KNIT_TEST_TOKEN", "s3cret", 1);
	const char *text = "# comment\n"
			   "; another\n"
			   "registry = https://registry.example/\n"
			   "@acme:registry=https://npm.acme.example/sub/\n"
			   "//npm.acme.example/:_authToken=short\n"
			   "//npm.acme.example/sub/:_authToken=${KNIT_TEST_TOKEN}\n"
			   "strict-ssl=\"false\"\n";
	assert_int_equal(knit_config_parse(&c, text, ".knitrc", &err), 0);
	assert_string_equal(knit_config_get(&c, "strict-ssl"), "false");
	assert_string_equal(knit_config_registry(&c, "libfoo"), "https://registry.example");
	assert_string_equal(knit_config_registry(&c, "@acme/libfoo"), "https://npm.acme.example/sub");
	assert_string_equal(knit_config_registry(&c, "@other/libfoo"), "https://registry.example");
	/* the longest //host/path/ prefix wins */
	assert_string_equal(knit_config_token(&c, "https://npm.acme.example/sub/@acme%2flibfoo"), "s3cret");
	assert_string_equal(knit_config_token(&c, "https://npm.acme.example/other"), "short");
	assert_null(knit_config_token(&c, "https://registry.example/libfoo"));
	struct strbuf auth = STRBUF_INIT;
	assert_string_equal(knit_config_auth_header(&c, "https://npm.acme.example/sub/x.tgz", &auth),
			    "Authorization: Bearer s3cret");
	strbuf_reset(&auth);
	assert_null(knit_config_auth_header(&c, "https://registry.example/x.tgz", &auth));
	assert_int_equal(auth.len, 0);
	strbuf_release(&auth);

	char *url = knit_registry_packument_url(&c, "@acme/libfoo");
	assert_string_equal(url, "https://npm.acme.example/sub/@acme%2flibfoo");
	free(url);
	knit_config_set(&c, "registry", "file:///srv/reg/", "test");
	url = knit_registry_packument_url(&c, "libfoo");
	assert_string_equal(url, "file:///srv/reg/libfoo/index.json");
	free(url);

	/* accounts: the backend table says which registries have users */
	struct strbuf why = STRBUF_INIT;
	assert_int_equal(knit_account_supported("https://npm.acme.example/sub", &why), 0);
	assert_int_equal(knit_account_supported("file:///srv/reg", &why), KNIT_EINVALID_ARG);
	assert_string_equal(why.buf, "file:///srv/reg is a folder registry: it has no users");
	strbuf_reset(&why);
	assert_int_equal(knit_account_whoami(&c, NULL, "file:///srv/reg", &auth, &why), KNIT_EINVALID_ARG);
	assert_string_equal(why.buf, "file:///srv/reg is a folder registry: it has no users");
	strbuf_release(&why);

	/* errors name the file and line */
	unsetenv("KNIT_TEST_UNSET");
	assert_int_equal(knit_config_parse(&c, "a=1\ntoken=${KNIT_TEST_UNSET}\n", "~/.knitrc", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "~/.knitrc:2: ${KNIT_TEST_UNSET} is not set in the environment");
	strbuf_reset(&err);
	assert_int_equal(knit_config_parse(&c, "registry https://x\n", ".knitrc", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, ".knitrc:1: expected key=value");
	strbuf_release(&err);
	knit_config_release(&c);
}

/* max-unpacked-size: bytes or k/m/g, the default when unset, a clear error for anything else */
static void test_config_size(void **state)
{
	static const struct {
		const char *value;
		unsigned long long want; /* 0: refused */
	} cases[] = {
		{ "1048576", 1048576 }, { "512k", 512ull << 10 }, { "512m", 512ull << 20 }, { "2G", 2ull << 30 },
		{ "0", 0 }, { "-1", 0 }, { " 1", 0 }, { "1x", 0 }, { "1mb", 0 }, { "m", 0 }, { "", 0 },
		{ "99999999999999999999", 0 }, { "17179869184g", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct knit_config c = { 0 };
		struct strbuf err = STRBUF_INIT;
		unsigned long long got = 1;
		knit_config_set(&c, "max-unpacked-size", cases[i].value, ".knitrc:2");
		int rc = knit_config_size(&c, "max-unpacked-size", 7, &got, &err);
		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_true(got == cases[i].want);
		} else {
			assert_int_equal(rc, KNIT_EPARSE);
			assert_non_null(strstr(err.buf, ".knitrc:2: 'max-unpacked-size' is not a size"));
		}
		knit_config_release(&c);
		strbuf_release(&err);
	}
	struct knit_config none = { 0 };
	struct strbuf err = STRBUF_INIT;
	unsigned long long got = 0;
	assert_int_equal(knit_config_size(&none, "max-unpacked-size", 7, &got, &err), 0);
	assert_true(got == 7);
}

static void test_config_layers(void **state)
{
	char dir[] = "/tmp/knit-config-XXXXXX";
	char path[128];
	struct knit_config c;
	struct strbuf err = STRBUF_INIT;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/user.knitrc", dir);
	FILE *f = fopen(path, "w");
	fputs("registry=https://user.example/\ncolor=false\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.knitrc", dir);
	f = fopen(path, "w");
	fputs("registry=https://project.example/\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/user.knitrc", dir);
	setenv("KNIT_CONFIG", path, 1);
	unsetenv("KNIT_REGISTRY");
	setenv("KNIT_CACHE", "/tmp/knit-cache-test", 1);

	assert_int_equal(knit_config_load(&c, dir, NULL, &err), 0);
	assert_string_equal(knit_config_get(&c, "registry"), "https://project.example/");
	assert_string_equal(knit_config_get(&c, "color"), "false");
	assert_string_equal(c.cache_dir, "/tmp/knit-cache-test");
	knit_config_release(&c);

	setenv("KNIT_REGISTRY", "https://env.example", 1);
	assert_int_equal(knit_config_load(&c, dir, NULL, &err), 0);
	assert_string_equal(knit_config_get(&c, "registry"), "https://env.example");
	knit_config_release(&c);
	assert_int_equal(knit_config_load(&c, dir, "https://flag.example", &err), 0);
	assert_string_equal(knit_config_get(&c, "registry"), "https://flag.example");
	knit_config_release(&c);

	unsetenv("KNIT_REGISTRY");
	unsetenv("KNIT_CONFIG");
	unsetenv("KNIT_CACHE");
	unlink(path);
	snprintf(path, sizeof(path), "%s/.knitrc", dir);
	unlink(path);
	rmdir(dir);
	strbuf_release(&err);
}

static void test_integrity(void **state)
{
	struct knit_integrity a, b;
	struct strbuf s = STRBUF_INIT;
	/* "hello\n" */
	const char *sri512 = "sha512-58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==";
	const char *sha1 = "f572d396fae9206628714fb2ce00f72e94f2258f";

	assert_int_equal(knit_integrity_parse(&a, sri512, NULL), 0);
	assert_int_equal(a.algo, KNIT_HASH_SHA512);
	knit_integrity_format(&a, &s);
	assert_string_equal(s.buf, sri512);

	/* the strongest of several wins; a bad one is passed over */
	strbuf_reset(&s);
	strbuf_addf(&s, "sha1-9XLTlvrpIGYocU+yzgD3LpTyJY8= sha512-!!!! %s", sri512);
	assert_int_equal(knit_integrity_parse(&b, s.buf, NULL), 0);
	assert_true(knit_integrity_equal(&a, &b));

	/* shasum only when nothing better exists */
	assert_int_equal(knit_integrity_parse(&b, NULL, sha1), 0);
	assert_int_equal(b.algo, KNIT_HASH_SHA1);
	assert_int_equal(knit_integrity_parse(&b, "md5-abc", "not-hex"), KNIT_EINVALID_ARG);

	struct knit_hasher *h = knit_hasher_new(KNIT_HASH_SHA512);
	knit_hasher_update(h, "hel", 3);
	knit_hasher_update(h, "lo\n", 3);
	knit_hasher_finish(h, &b);
	assert_true(knit_integrity_equal(&a, &b));
	h = knit_hasher_new(KNIT_HASH_SHA512);
	knit_hasher_update(h, "hello!", 6);
	knit_hasher_finish(h, &b);
	assert_false(knit_integrity_equal(&a, &b));
	strbuf_release(&s);
}

static void test_packument(void **state)
{
	const char *json = "{\"name\":\"libfoo\",\"dist-tags\":{\"latest\":\"1.2.0\"},\"versions\":{"
			   "\"1.10.0\":{\"dependencies\":{\"libz\":\"^1\",\"bad\":3},\"deprecated\":\"use 2\","
			   "\"dist\":{\"tarball\":\"https://r/libfoo/-/libfoo-1.10.0.tgz\",\"integrity\":\"sha512-x\"}},"
			   "\"1.2.0\":{\"dist\":{\"tarball\":\"t\",\"shasum\":\"abc\"}},"
			   "\"not-a-version\":{},"
			   "\"1.9.0-rc.1\":{}}}";
	cJSON *doc = cJSON_Parse(json);
	struct knit_pkg p;
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_packument_parse(&p, doc, "libfoo", &err), 0);
	assert_int_equal(p.nversions, 3); /* the invalid version is left out */
	assert_string_equal(p.versions[0].version, "1.2.0");
	assert_string_equal(p.versions[1].version, "1.9.0-rc.1");
	assert_string_equal(p.versions[2].version, "1.10.0"); /* semver order, not text order */
	assert_string_equal(p.latest, "1.2.0");
	assert_int_equal(p.versions[2].ndeps, 1); /* a non-string range is dropped */
	assert_string_equal(p.versions[2].deprecated, "use 2");
	assert_string_equal(p.versions[2].tarball, "https://r/libfoo/-/libfoo-1.10.0.tgz");
	assert_string_equal(p.versions[0].shasum, "abc");
	knit_packument_release(&p);
	cJSON_Delete(doc);

	doc = cJSON_Parse("[1,2]");
	assert_int_equal(knit_packument_parse(&p, doc, "libfoo", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "the registry's document for 'libfoo' is not a packument");
	knit_packument_release(&p);
	cJSON_Delete(doc);

	/* a dependency name that would leave deps/, in any version: the whole document is refused */
	strbuf_reset(&err);
	doc = cJSON_Parse("{\"name\":\"evil\",\"versions\":{\"1.0.0\":{\"dependencies\":{\"ok\":\"1\"}},"
			  "\"1.1.0\":{\"dependencies\":{\"ok\":\"1\",\"../../pwned\":\"^1.0.0\"}}}}");
	assert_int_equal(knit_packument_parse(&p, doc, "evil", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "package 'evil@1.1.0' depends on '../../pwned', which is not a valid package "
				     "name: it starts with a period");
	knit_packument_release(&p);
	cJSON_Delete(doc);
	/* the document must be the one asked for; one without a name is taken */
	strbuf_reset(&err);
	doc = cJSON_Parse("{\"name\":\"other\",\"versions\":{}}");
	assert_int_equal(knit_packument_parse(&p, doc, "libfoo", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "the registry's document for 'libfoo' names the package 'other'");
	cJSON_Delete(doc);
	strbuf_reset(&err);
	doc = cJSON_Parse("{\"name\":7,\"versions\":{}}");
	assert_int_equal(knit_packument_parse(&p, doc, "libfoo", &err), KNIT_EPARSE);
	assert_string_equal(err.buf, "the registry's document for 'libfoo' has a 'name' that is not a string");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"versions\":{\"1.0.0\":{}}}");
	assert_int_equal(knit_packument_parse(&p, doc, "libfoo", &err), 0);
	assert_int_equal(p.nversions, 1);
	knit_packument_release(&p);
	cJSON_Delete(doc);
	strbuf_release(&err);
}

static void count_tick(void *ctx) { (*(int *)ctx)++; }

static void test_fetch_file_urls(void **state)
{
	char dir[] = "/tmp/knit-fetch-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64], url[96], missing[96];
	snprintf(path, sizeof(path), "%s/hello", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);
	snprintf(url, sizeof(url), "file://%s", path);
	snprintf(missing, sizeof(missing), "file://%s/nothing", dir);

	int ticks = 0;
	struct knit_fetch_opts opts = { .retries = -1, .tick = count_tick, .tick_ctx = &ticks };
	struct knit_fetch *fetch = knit_fetch_new(&opts);
	struct knit_transfer *a = knit_fetch_start(fetch, url, NULL, 0, KNIT_HASH_SHA512);
	struct knit_transfer *b = knit_fetch_start(fetch, missing, NULL, 0, KNIT_HASH_NONE);
	struct knit_transfer *c = knit_fetch_start(fetch, url, NULL, 3, KNIT_HASH_NONE);
	knit_fetch_wait_all(fetch);

	assert_int_equal(a->rc, 0);
	assert_string_equal(a->body.buf, "hello\n");
	struct knit_integrity want;
	assert_int_equal(knit_integrity_parse(&want, "sha512-58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==", NULL), 0);
	assert_true(knit_integrity_equal(&want, &a->digest));
	assert_int_equal(b->rc, KNIT_ENOTFOUND);
	assert_non_null(strstr(b->message.buf, "not found"));
	assert_int_equal(c->rc, KNIT_EIO); /* over its 3-byte cap, as its size says before any byte */
	assert_non_null(strstr(c->message.buf, "announces 6 bytes, more than the 3 allowed"));

	struct knit_fetch_counts counts;
	knit_fetch_get_counts(fetch, &counts);
	assert_int_equal(counts.started, 3);
	assert_int_equal(counts.finished, 3);
	assert_int_equal(counts.bytes, 6); /* the capped transfer's bytes were refused */
	assert_true(ticks > 0);
	knit_fetch_free(fetch);
	unlink(path);
	rmdir(dir);
	(void)state;
}

/* The settings as fetch options, and what they add up to against a silent server. */
static void test_fetch_settings(void **state)
{
	struct knit_fetch_opts o = { 0 };
	knit_fetch_opts_resolve(&o);
	/* every attempt stalls for stall_ms; between them the doubling waits */
	long worst = (o.retries + 1) * ((o.stall_ms + 999) / 1000 * 1000), wait = o.backoff_ms;
	for (int i = 0; i < o.retries; i++, wait *= 2)
		worst += wait < o.backoff_max_ms ? wait : o.backoff_max_ms;
	assert_int_equal(o.retries, 2);       /* npm's fetch-retries */
	assert_int_equal(o.timeout_ms, 300000); /* npm's fetch-timeout */
	assert_int_equal(o.stall_ms, 15000);
	assert_int_equal(o.max_host_connections, 64);
	assert_int_equal(worst, 45600);
	assert_true(worst < 60000);           /* a silent registry fails the install within a minute */

	struct knit_config c = { 0 };
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_config_parse(&c, "fetch-timeout=4000\nfetch-retries=0\n"
					       "fetch-retry-mintimeout=50\nfetch-retry-maxtimeout=70\nmaxsockets=8\n",
					   "~/.knitrc", &err), 0);
	knit_registry_fetch_opts(&c, &o);
	knit_fetch_opts_resolve(&o);
	assert_int_equal(o.timeout_ms, 4000);
	assert_int_equal(o.stall_ms, 2000);
	assert_int_equal(o.retries, 0);
	assert_int_equal(o.backoff_ms, 50);
	assert_int_equal(o.backoff_max_ms, 70);
	assert_int_equal(o.max_host_connections, 8);
	knit_config_release(&c);
	/* 0 is npm's "no limit" */
	assert_int_equal(knit_config_parse(&c, "fetch-timeout=0\n", "~/.knitrc", &err), 0);
	knit_registry_fetch_opts(&c, &o);
	knit_fetch_opts_resolve(&o);
	assert_true(o.timeout_ms < 0);
	assert_int_equal(o.stall_ms, 15000);
	knit_config_release(&c);

	static const char *const bad[][2] = {
		{ "fetch-timeout=soon\n", "~/.knitrc:1: 'fetch-timeout' must be a whole number of milliseconds from 0 to 86400000, not 'soon'" },
		{ "\nfetch-retries=-1\n", "~/.knitrc:2: 'fetch-retries' must be a whole number of retries from 0 to 100, not '-1'" },
		{ "maxsockets=1025\n", "~/.knitrc:1: 'maxsockets' must be a whole number of connections from 0 to 1024, not '1025'" },
		{ "fetch-retries=101\n", "~/.knitrc:1: 'fetch-retries' must be a whole number of retries from 0 to 100, not '101'" },
		{ "fetch-retry-maxtimeout=\n", "~/.knitrc:1: 'fetch-retry-maxtimeout' must be a whole number of milliseconds from 0 to 3600000, not ''" },
		{ "fetch-timeout=99999999999999999999\n", "~/.knitrc:1: 'fetch-timeout' must be a whole number of milliseconds from 0 to 86400000, not '99999999999999999999'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		assert_int_equal(knit_config_parse(&c, bad[i][0], "~/.knitrc", &err), KNIT_EPARSE);
		assert_string_equal(err.buf, bad[i][1]);
		knit_config_release(&c);
	}
	strbuf_release(&err);
	(void)state;
}

/* A server that takes connections (the kernel's backlog) and never answers. */
static void test_fetch_stall(void **state)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	char url[96];
	snprintf(url, sizeof(url), "http://alice:secret@127.0.0.1:%d/x", ntohs(a.sin_port));

	struct knit_fetch_opts opts = { .stall_ms = 1000, .retries = 1, .backoff_ms = 10 };
	struct knit_fetch *fetch = knit_fetch_new(&opts);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct knit_transfer *t = knit_fetch_start(fetch, url, NULL, 0, KNIT_HASH_NONE);
	knit_fetch_wait(fetch, t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(t->rc, KNIT_EIO);
	char want[160];
	snprintf(want, sizeof(want), "http://alice:***@127.0.0.1:%d/x: no data for 1 s (after 2 attempts)",
		 ntohs(a.sin_port));
	assert_string_equal(t->message.buf, want);
	assert_true(secs >= 1.5 && secs < 20); /* two attempts of a second; generous above */
	knit_fetch_free(fetch);
	close(s);
	(void)state;
}

/* Spooled bodies go to a file past spool_bytes, or once the fetch holds memory_bytes. */
static void test_fetch_spool(void **state)
{
	char dir[] = "/tmp/knit-spool-XXXXXX", path[64], url[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big", dir);
	size_t size = (size_t)3 << 20;
	char *data = malloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 7);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
	snprintf(url, sizeof(url), "file://%s", path);

	struct knit_fetch_opts opts = { .spool_bytes = 1 << 20, .memory_bytes = (size_t)4 << 20,
					.spool_dir = dir };
	struct knit_fetch *fetch = knit_fetch_new(&opts);
	struct knit_transfer *a = knit_fetch_start_spooled(fetch, url, NULL, 0, KNIT_HASH_SHA512);
	struct knit_transfer *b = knit_fetch_start(fetch, url, NULL, 0, KNIT_HASH_SHA512);
	knit_fetch_wait_all(fetch);
	assert_int_equal(a->rc, 0);
	assert_true(a->fd >= 0);     /* past spool_bytes */
	assert_int_equal(a->body.len, 0);
	assert_int_equal(a->size, size);
	assert_true(knit_integrity_equal(&a->digest, &b->digest));
	assert_int_equal(b->rc, 0);  /* not spooled: a packument stays in memory */
	assert_int_equal(b->body.len, size);
	assert_int_equal(knit_fetch_held(fetch), size);

	struct strbuf body = STRBUF_INIT;
	int fd;
	knit_transfer_take_body(a, &body, &fd);
	assert_int_equal(body.len, 0);
	char *back = malloc(size);
	assert_int_equal(read(fd, back, size), (ssize_t)size);
	assert_memory_equal(back, data, size);
	close(fd);
	free(back);
	knit_transfer_release_body(b);
	assert_int_equal(knit_fetch_held(fetch), 0);

	/* two bodies under spool_bytes that together pass memory_bytes: the fetch never holds more */
	knit_fetch_free(fetch);
	opts.spool_bytes = (size_t)8 << 20;
	fetch = knit_fetch_new(&opts);
	struct knit_transfer *c = knit_fetch_start_spooled(fetch, url, NULL, 0, KNIT_HASH_NONE);
	struct knit_transfer *d = knit_fetch_start_spooled(fetch, url, NULL, 0, KNIT_HASH_NONE);
	knit_fetch_wait_all(fetch);
	assert_int_equal(c->rc, 0);
	assert_int_equal(d->rc, 0);
	assert_true(c->fd >= 0 || d->fd >= 0);
	assert_true(knit_fetch_held(fetch) <= opts.memory_bytes);
	assert_int_equal(c->size + d->size, 2 * size);
	knit_fetch_free(fetch);
	unlink(path);
	rmdir(dir); /* fails if a spooled body left a file behind */
	assert_int_equal(access(dir, F_OK), -1);
	free(data);
	(void)state;
}

static void put_packument(const char *dir, const char *name, const char *deps)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s/index.json", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"name\":\"%s\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{"
		   "\"1.0.0\":{\"dependencies\":{%s},\"dist\":{\"tarball\":\"t\"}},"
		   "\"2.0.0-rc.1\":{\"dependencies\":{\"never\":\"1\"},\"dist\":{\"tarball\":\"t\"}}}}",
		name, deps);
	fclose(f);
}

/* Loading a packument requests its latest version's dependencies at once: the graph breadth-first. */
static void test_speculative_requests(void **state)
{
	(void)state;
	char dir[] = "/tmp/knit-speculate-XXXXXX", url[128];
	assert_non_null(mkdtemp(dir));
	put_packument(dir, "top", "\"mid\":\"^1\",\"side\":\"^1\"");
	put_packument(dir, "mid", "\"low\":\"^1\"");
	put_packument(dir, "side", "");
	put_packument(dir, "low", "");
	struct knit_config c = { 0 };
	snprintf(url, sizeof(url), "file://%s/", dir);
	knit_config_set(&c, "registry", url, "test");
	struct knit_fetch_opts opts = { .retries = -1 };
	struct knit_fetch *fetch = knit_fetch_new(&opts);
	struct knit_registry *r = knit_registry_new(&c, fetch);
	const struct knit_source *src = knit_registry_source(r);
	const struct knit_pkg *p;
	struct knit_fetch_counts counts;
	assert_int_equal(src->load(src->ctx, "top", &p), 0);
	knit_fetch_get_counts(fetch, &counts);
	assert_int_equal(counts.started, 3); /* top, then mid and side before the solver asks */
	assert_true(knit_registry_answered(r) >= 1 && knit_registry_answered(r) <= 3); /* top's, at least */
	assert_int_equal(src->load(src->ctx, "mid", &p), 0);
	assert_int_equal(src->load(src->ctx, "side", &p), 0);
	knit_fetch_get_counts(fetch, &counts);
	assert_int_equal(counts.started, 4); /* low: mid's; "never" is a pre-release's, not latest's */
	assert_int_equal(src->load(src->ctx, "low", &p), 0);
	knit_fetch_get_counts(fetch, &counts);
	assert_int_equal(counts.started, 4);
	assert_int_equal(knit_registry_answered(r), 4); /* every request answered, each counted once */
	knit_registry_free(r);
	knit_fetch_free(fetch);
	knit_config_release(&c);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_syntax),
		cmocka_unit_test(test_config_layers),
		cmocka_unit_test(test_config_size),
		cmocka_unit_test(test_integrity),
		cmocka_unit_test(test_packument),
		cmocka_unit_test(test_fetch_file_urls),
		cmocka_unit_test(test_fetch_settings),
		cmocka_unit_test(test_fetch_stall),
		cmocka_unit_test(test_fetch_spool),
		cmocka_unit_test(test_speculative_requests),
	};
	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
