#include "syslibs.h"
#include "resolver/semver.h"
#include "util/capture.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const debian[][2] = {
	{ "cmocka", "libcmocka-dev" },       { "hiredis", "libhiredis-dev" },
	{ "jansson", "libjansson-dev" },     { "libarchive", "libarchive-dev" },
	{ "libcjson", "libcjson-dev" },      { "libcrypto", "libssl-dev" },
	{ "libcurl", "libcurl4-openssl-dev" }, { "libevent", "libevent-dev" },
	{ "libgit2", "libgit2-dev" },        { "liblz4", "liblz4-dev" },
	{ "liblzma", "liblzma-dev" },        { "libnghttp2", "libnghttp2-dev" },
	{ "libpcre2-8", "libpcre2-dev" },    { "libpq", "libpq-dev" },
	{ "libsodium", "libsodium-dev" },    { "libssl", "libssl-dev" },
	{ "libuv", "libuv1-dev" },           { "libxml-2.0", "libxml2-dev" },
	{ "libzstd", "libzstd-dev" },        { "openssl", "libssl-dev" },
	{ "sqlite3", "libsqlite3-dev" },     { "yaml-0.1", "libyaml-dev" },
	{ "zlib", "zlib1g-dev" },
};

const char *knit_syslib_debian_package(const char *module)
{
	for (size_t i = 0; i < sizeof(debian) / sizeof(debian[0]); i++)
		if (!strcmp(debian[i][0], module))
			return debian[i][1];
	return NULL;
}

#define MODVERSION_MAX 4096 /* a version is a line */

/* pkg-config --modversion module: 0 with the version in *out, 1 when the
 * module is not installed, -1 when pkg-config cannot be run. */
static int modversion(const char *module, struct strbuf *out)
{
	const char *argv[] = { "pkg-config", "--modversion", "--", module, NULL };
	int status = knit_capture(NULL, argv, 0, MODVERSION_MAX, out);
	while (out->len && strchr("\r\n \t", out->buf[out->len - 1]))
		strbuf_setlen(out, out->len - 1);
	if (status < 0 || status == 127 || status > 128) /* not run, or killed */
		return -1;
	return status ? 1 : 0;
}

/* Answers already had in this process: module -> version ("" when missing). */
static struct knit_deps seen;

static bool valid_module(const char *m)
{
	if (!*m || *m == '-')
		return false;
	for (; *m; m++)
		if (!((*m >= 'a' && *m <= 'z') || (*m >= 'A' && *m <= 'Z') || (*m >= '0' && *m <= '9') ||
		      strchr("._+-", *m)))
			return false;
	return true;
}

static void hint(const char *module, struct strbuf *err)
{
	const char *deb = knit_syslib_debian_package(module);
	if (deb)
		strbuf_addf(err, "; on Debian: apt-get install %s", deb);
}

int knit_syslibs_check(const char *who, const struct knit_strmap *modules, struct strbuf *err)
{
	for (size_t i = 0; i < modules->n; i++) {
		const char *module = modules->items[i].key, *range = modules->items[i].value;
		if (!valid_module(module)) {
			strbuf_addf(err, "%s: 'c.pkgconfig' names '%s', which is not a pkg-config module name",
				    who, module);
			return KNIT_EINVALID_ARG;
		}
		char *canonical = knit_semver_valid_range(range, strlen(range), KNIT_SEMVER_LOOSE);
		free(canonical);
		if (!canonical) {
			strbuf_addf(err, "%s: 'c.pkgconfig.%s' is not a valid range: '%s'", who, module, range);
			return KNIT_EINVALID_RANGE;
		}
		const char *version = NULL;
		for (size_t k = 0; k < seen.n && !version; k++)
			if (!strcmp(seen.items[k].name, module))
				version = seen.items[k].range;
		if (!version) {
			struct strbuf out = STRBUF_INIT;
			int rc = modversion(module, &out);
			if (rc < 0) {
				strbuf_addf(err, "%s needs the system library '%s', and pkg-config, which checks it, "
						 "cannot be run; on Debian: apt-get install pkg-config", who, module);
				strbuf_release(&out);
				return KNIT_EIO;
			}
			knit_deps_add(&seen, module, rc ? "" : out.buf);
			version = seen.items[seen.n - 1].range;
			strbuf_release(&out);
		}
		if (!*version) {
			strbuf_addf(err, "%s needs the system library '%s' (%s), which pkg-config does not find",
				    who, module, range);
			hint(module, err);
			return KNIT_ENOTFOUND;
		}
		struct knit_version v;
		bool fits = false;
		if (!knit_semver_coerce(&v, version, strlen(version), 0, false)) {
			char *text = knit_version_to_string(&v);
			fits = knit_semver_satisfies(text, strlen(text), range, strlen(range), KNIT_SEMVER_LOOSE);
			free(text);
			knit_version_release(&v);
		}
		if (!fits) {
			strbuf_addf(err, "%s needs the system library '%s' %s, and pkg-config finds %s", who,
				    module, range, version);
			hint(module, err);
			return KNIT_ENOMATCH;
		}
	}
	return 0;
}
