/*
 * util/gunzip.h: a whole gzip file inflated in one call, and NULL (the
 * streaming path) for everything the one call must not take on trust.
 * The gzip files are made here by hand, with stored deflate blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/gunzip.h"

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* data (under 64 KiB) as one gzip member with one stored block; isize as given */
static size_t make_gzip(unsigned char *out, const char *data, uint32_t isize)
{
	size_t n = strlen(data), at = 0;
	static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	memcpy(out, header, sizeof(header));
	at = sizeof(header);
	out[at++] = 1; /* BFINAL, stored */
	out[at++] = (unsigned char)n;
	out[at++] = (unsigned char)(n >> 8);
	out[at++] = (unsigned char)~n;
	out[at++] = (unsigned char)(~n >> 8);
	memcpy(out + at, data, n);
	at += n;
	put32(out + at, crc32_of((const unsigned char *)data, n));
	put32(out + at + 4, isize);
	return at + 8;
}

static const char *const text = "package/knit.json and the rest of a tar, here only words";

static void test_whole(void **state)
{
	(void)state;
	unsigned char gz[256];
	size_t len = make_gzip(gz, text, (uint32_t)strlen(text)), got = 0;
	char *out = knit_gunzip_whole(gz, len, 1 << 20, &got);
	assert_non_null(out);
	assert_int_equal(got, strlen(text));
	assert_memory_equal(out, text, got);
	free(out);
}

static void test_refused(void **state)
{
	(void)state;
	unsigned char gz[256];
	size_t n = strlen(text), got = 0;
	size_t len = make_gzip(gz, text, (uint32_t)n);
	/* a trailer over the caller's bound */
	assert_null(knit_gunzip_whole(gz, len, n - 1, &got));
	/* a trailer that claims less than the stream holds, or more */
	len = make_gzip(gz, text, (uint32_t)n - 5);
	assert_null(knit_gunzip_whole(gz, len, 1 << 20, &got));
	len = make_gzip(gz, text, (uint32_t)n + 5);
	assert_null(knit_gunzip_whole(gz, len, 1 << 20, &got));
	/* a damaged CRC */
	len = make_gzip(gz, text, (uint32_t)n);
	gz[len - 6] ^= 1;
	assert_null(knit_gunzip_whole(gz, len, 1 << 20, &got));
	/* bytes after the member: a second member, or junk */
	len = make_gzip(gz, text, (uint32_t)n);
	unsigned char two[512];
	memcpy(two, gz, len);
	memcpy(two + len, gz, len);
	assert_null(knit_gunzip_whole(two, 2 * len, 1 << 20, &got));
	/* not gzip, or too short to be */
	assert_null(knit_gunzip_whole("ustar plain tar", 15, 1 << 20, &got));
	assert_null(knit_gunzip_whole(gz, 17, 1 << 20, &got));
	/* the body cut short, the trailer still there */
	unsigned char cut[256];
	memcpy(cut, gz, 20);
	memcpy(cut + 20, gz + len - 8, 8);
	assert_null(knit_gunzip_whole(cut, 28, 1 << 20, &got));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
