#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KNIT_CONFORMANCE_DIR
#define KNIT_CONFORMANCE_DIR "../shared/conformance"
#endif

cJSON *conformance_load(const char *group, const char *file)
{
	const char *dir = getenv("KNIT_CONFORMANCE_DIR");
	char path[4096];
	FILE *f;
	long size;
	char *text;
	cJSON *doc;

	snprintf(path, sizeof(path), "%s/%s/%s", dir && *dir ? dir : KNIT_CONFORMANCE_DIR, group, file);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open '%s'\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		return NULL;
	}
	text[size] = '\0';
	fclose(f);
	doc = cJSON_Parse(text);
	if (!doc)
		fprintf(stderr, "'%s' is not valid JSON\n", path);
	free(text);
	return doc;
}
