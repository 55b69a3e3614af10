/*
 * libFuzzer target for the parsers of everything knit reads from outside:
 * knit.json, knit.lock, .knitrc, a registry's package document, ignore
 * files, dependency specs (git, folder) and package names. Each must answer any bytes
 * with a result or an error, never a crash or a sanitizer report.
 *
 * Input: one byte choosing the parser, then the text.
 */
#include "project/manifest.h"
#include "project/sources.h"
#include "util/config.h"
#include "registry/folder.h"
#include "store/git.h"
#include "registry/registry.h"
#include "resolver/lockfile.h"
#include "util/ignore.h"
#include "util/json.h"
#include "util/pkgname.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned which = data[0] % 8;
	/* the parsers take '\0'-terminated text */
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	size_t len = strlen(text);
	struct strbuf err = STRBUF_INIT;

	switch (which) {
	case 0: {
		struct knit_manifest m;
		if (!knit_manifest_parse(&m, text, len, "knit.json", &err))
			knit_manifest_release(&m);
		break;
	}
	case 1: {
		struct knit_lockfile lf;
		if (!knit_lockfile_parse(&lf, text, len, "knit.lock", &err))
			knit_lockfile_release(&lf);
		break;
	}
	case 2: {
		struct knit_config c = { 0 };
		knit_config_parse(&c, text, ".knitrc", &err);
		knit_config_registry(&c, "@a/b");
		struct strbuf auth = STRBUF_INIT;
		knit_config_auth_header(&c, "https://h.example/x/y", &auth);
		strbuf_release(&auth);
		knit_config_release(&c);
		break;
	}
	case 3: {
		cJSON *doc = knit_json_parse(text, len, "packument", &err);
		struct knit_pkg pkg;
		if (doc && !knit_packument_parse(&pkg, doc, "pkg", &err))
			knit_packument_release(&pkg);
		cJSON_Delete(doc);
		break;
	}
	case 4: {
		/* the first line is a path to check, the rest an ignore file */
		char *nl = strchr(text, '\n');
		const char *path = nl ? (*nl = '\0', text) : "a/b.c";
		struct knit_ignore ig = { 0 };
		knit_ignore_add_text(&ig, "", nl ? nl + 1 : text);
		knit_ignore_add_text(&ig, "sub", nl ? nl + 1 : text);
		knit_ignore_check(&ig, path, false);
		knit_ignore_check(&ig, path, true);
		knit_ignore_covers(nl ? nl + 1 : text, path);
		knit_ignore_release(&ig);
		break;
	}
	case 5: {
		struct knit_git_spec g;
		knit_spec_kind(text);
		if (!knit_git_parse_spec(text, &g, &err))
			knit_git_spec_release(&g);
		char *url, commit[41];
		if (!knit_resolved_git(text, &url, commit))
			free(url);
		break;
	}
	case 6: {
		/* a name the checks take must make a path that stays one or two folders down */
		struct strbuf out = STRBUF_INIT;
		bool valid = knit_pkgname_valid(text);
		if (knit_pkgname_path("base", text, NULL, &out, &err) == 0) {
			if (!valid || strstr(out.buf, "/../") || strstr(out.buf, "/./") || strstr(out.buf, "//"))
				abort();
		} else if (valid) {
			abort();
		}
		knit_pkgname_require(text, &err, "x: ");
		strbuf_release(&out);
		break;
	}
	default: {
		struct strbuf out = STRBUF_INIT;
		knit_folder_root(text, &out, &err);
		strbuf_reset(&out);
		knit_folder_url(text, &out);
		strbuf_release(&out);
		break;
	}
	}
	strbuf_release(&err);
	free(text);
	return 0;
}
