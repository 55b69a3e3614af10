#include "conformance.h"
#include "util/tree.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef KNIT_CONFORMANCE_DIR
#define KNIT_CONFORMANCE_DIR "../shared/conformance"
#endif

static const char *conformance_dir(void)
{
	const char *dir = getenv("KNIT_CONFORMANCE_DIR");
	return dir && *dir ? dir : KNIT_CONFORMANCE_DIR;
}

bool conformance_present(const char *group)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", conformance_dir(), group);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return true;
	fprintf(stderr, "SKIPPED: no conformance fixtures at '%s' (configure with "
		"-DKNIT_CONFORMANCE_DIR=<shared/conformance>, or set $KNIT_CONFORMANCE_DIR)\n", path);
	return false;
}

void conformance_require(const char *group)
{
	if (!conformance_present(group))
		exit(CONFORMANCE_SKIPPED);
}

cJSON *conformance_load(const char *group, const char *file)
{
	char path[4096];
	FILE *f;
	long size;
	char *text;
	cJSON *doc;

	snprintf(path, sizeof(path), "%s/%s/%s", conformance_dir(), group, file);
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

void test_deep_tree(const char *base, const char *rel, int n, const char *leaf)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	assert_int_equal(knit_make_dirs(path), 0);
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < n; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = sub;
		assert_true(fd >= 0);
	}
	int f = openat(fd, leaf, O_WRONLY | O_CREAT, 0644);
	assert_true(f >= 0);
	close(f);
	close(fd);
}

void test_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		fail_msg("command failed: %s", cmd);
}

void test_capture(char *out, size_t size, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	if (!p || !fgets(out, (int)size, p))
		fail_msg("no output from %s", cmd);
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}
