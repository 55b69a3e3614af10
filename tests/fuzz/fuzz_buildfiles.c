/*
 * libFuzzer target for the build-file writers: a fuzzed `c` section
 * (defines, cflags, include folders) and fuzzed source file names, written
 * as a package's knit.json and files, read back by knit_manifest_parse,
 * checked and made into deps/knit.mk and knit.cmake by knit_buildfiles_make
 * and written into a temporary deps/, then link.mk, link.cmake, the .pc and
 * knit.env written as knit build writes them from the package's prefix.
 * Either the make refuses with one line, or every value reads back whole
 * from every file
 * (tests/unit/buildfiles_check.h: Make, sh, CMake and pkgconf readers);
 * anything else aborts.
 *
 * Input: values separated by '\0', at most 16 of 64 bytes; each value's
 * first byte chooses what it is (mod 4: define, cflag, include folder,
 * source file name; a source name gets ".c" appended).
 */
#include "buildfiles_check.h"
#include "project/buildfiles.h"
#include "project/manifest.h"
#include "util/tree.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];       /* the project: root/knit.json is never read, root/deps is written */
static char pkg_dir[128];   /* the package "fz": knit.json, src/ */
static char deps_abs[128];

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_buildfiles: %s: %s\n", what, detail);
	abort();
}

static void cleanup(void)
{
	knit_remove_tree(root);
}

static void setup(void)
{
	if (*root)
		return;
	atexit(cleanup);
	snprintf(root, sizeof(root), "/tmp/knit-fuzz-bf-XXXXXX");
	if (!mkdtemp(root))
		die("mkdtemp", root);
	char *abs = realpath(root, NULL);
	snprintf(root, sizeof(root), "%s", abs);
	free(abs);
	snprintf(pkg_dir, sizeof(pkg_dir), "%s/fz", root);
	snprintf(deps_abs, sizeof(deps_abs), "%s/deps", root);
}

/* A source file name the file system takes: no '/', not "." or "..". */
static bool file_name_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT, why = STRBUF_INIT;
	knit_remove_tree(pkg_dir);
	knit_remove_tree(deps_abs);
	strbuf_addf(&path, "%s/src", pkg_dir);
	if (knit_make_dirs(path.buf))
		die("mkdir", path.buf);

	cJSON *doc = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(doc, "c");
	cJSON *lists[3] = { cJSON_AddArrayToObject(c, "defines"), cJSON_AddArrayToObject(c, "cflags"),
			    cJSON_AddArrayToObject(c, "include") };
	cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "sources"), cJSON_CreateString("src/*.c"));
	size_t nvalues = 0;
	for (size_t i = 0; i < size && nvalues < 16; nvalues++) {
		const uint8_t *end = memchr(data + i, 0, size - i);
		size_t len = end ? (size_t)(end - (data + i)) : size - i;
		if (len > 64)
			len = 64;
		if (len) {
			unsigned kind = data[i] % 4;
			char value[65];
			memcpy(value, data + i + 1, len - 1);
			value[len - 1] = '\0';
			if (kind < 3 && *value) {
				cJSON_AddItemToArray(lists[kind], cJSON_CreateString(value));
			} else if (kind == 3 && file_name_ok(value)) {
				strbuf_reset(&path);
				strbuf_addf(&path, "%s/src/%s.c", pkg_dir, value);
				FILE *f = fopen(path.buf, "wx");
				if (f)
					fclose(f);
			}
		}
		i += (end ? (size_t)(end - (data + i)) : size - i) + 1;
	}
	if (!cJSON_GetArraySize(lists[2]))
		cJSON_DeleteItemFromObject(c, "include");
	char *json = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);

	struct knit_manifest m;
	int rc = knit_manifest_parse(&m, json, strlen(json), "knit.json", &err);
	free(json);
	if (rc) { /* refused in knit.json: one line */
		if (!err.len || strchr(err.buf, '\n'))
			die("a manifest error that is not one line", err.buf);
		goto done;
	}
	struct knit_build_pkg pkg = { "fz", "1.0.0", pkg_dir, NULL, &m };
	struct knit_buildfiles bf;
	rc = knit_buildfiles_make(&bf, NULL, &pkg, 1, NULL, 0, &err);
	if (rc) {
		if (!err.len || strchr(err.buf, '\n'))
			die("a build-file error that is not one line", err.buf);
	} else {
		/* what knit build writes from the prefix's description of it */
		struct knit_consumer cons;
		knit_check_consumer_of("fz", &m, deps_abs, &cons);
		if (knit_check_built("fz", "1.0.0", &cons, deps_abs, &why))
			die("a value did not read back whole", why.buf);
		knit_consumer_release(&cons);
		bool changed;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/deps", root);
		if (knit_make_dirs(path.buf) || knit_buildfiles_write(&bf, path.buf, true, &changed, &err))
			die("writing the build files", err.buf);
		knit_buildfiles_release(&bf);
	}
	knit_manifest_release(&m);
done:
	strbuf_release(&path);
	strbuf_release(&err);
	strbuf_release(&why);
	return 0;
}
