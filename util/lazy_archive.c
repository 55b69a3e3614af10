/*
 * The libarchive functions knit calls, forwarded to libarchive loaded on
 * first use (see util/dynlib.h). A call to another libarchive function
 * elsewhere needs its forwarder here; the link fails until then.
 */
#include "lazy.h"
#include "util/dynlib.h"

#include <archive.h>
#include <archive_entry.h>

struct knit_dynlib knit_libarchive =
	KNIT_DYNLIB_INIT(KNIT_LIBARCHIVE_SONAME, "to read and write package tarballs");

#define REAL(fn) KNIT_DYNLIB_FN(knit_libarchive, fn)

struct archive *archive_read_new(void) { return REAL(archive_read_new)(); }
int archive_read_free(struct archive *a) { return REAL(archive_read_free)(a); }
int archive_read_support_filter_gzip(struct archive *a) { return REAL(archive_read_support_filter_gzip)(a); }
int archive_read_support_filter_none(struct archive *a) { return REAL(archive_read_support_filter_none)(a); }
int archive_read_support_filter_zstd(struct archive *a) { return REAL(archive_read_support_filter_zstd)(a); }
int archive_read_support_format_tar(struct archive *a) { return REAL(archive_read_support_format_tar)(a); }
int archive_read_support_format_gnutar(struct archive *a) { return REAL(archive_read_support_format_gnutar)(a); }

int archive_read_open_memory(struct archive *a, const void *buf, size_t size)
{
	return REAL(archive_read_open_memory)(a, buf, size);
}

int archive_read_open_fd(struct archive *a, int fd, size_t block_size)
{
	return REAL(archive_read_open_fd)(a, fd, block_size);
}

int archive_read_next_header(struct archive *a, struct archive_entry **entry)
{
	return REAL(archive_read_next_header)(a, entry);
}

int archive_read_data_block(struct archive *a, const void **buf, size_t *size,
                            la_int64_t *offset)
{
	return REAL(archive_read_data_block)(a, buf, size, offset);
}

const char *archive_error_string(struct archive *a) { return REAL(archive_error_string)(a); }

const char *archive_entry_pathname(struct archive_entry *e) { return REAL(archive_entry_pathname)(e); }
const char *archive_entry_symlink(struct archive_entry *e) { return REAL(archive_entry_symlink)(e); }
const char *archive_entry_hardlink(struct archive_entry *e) { return REAL(archive_entry_hardlink)(e); }
__LA_MODE_T archive_entry_filetype(struct archive_entry *e) { return REAL(archive_entry_filetype)(e); }
__LA_MODE_T archive_entry_perm(struct archive_entry *e) { return REAL(archive_entry_perm)(e); }
la_int64_t archive_entry_size(struct archive_entry *e) { return REAL(archive_entry_size)(e); }

/* writing: knit pack */
struct archive *archive_write_new(void) { return REAL(archive_write_new)(); }
int archive_write_free(struct archive *a) { return REAL(archive_write_free)(a); }
int archive_write_close(struct archive *a) { return REAL(archive_write_close)(a); }
int archive_write_set_format_pax_restricted(struct archive *a) { return REAL(archive_write_set_format_pax_restricted)(a); }
int archive_write_add_filter_gzip(struct archive *a) { return REAL(archive_write_add_filter_gzip)(a); }
int archive_write_add_filter_zstd(struct archive *a) { return REAL(archive_write_add_filter_zstd)(a); }
int archive_write_set_bytes_in_last_block(struct archive *a, int n) { return REAL(archive_write_set_bytes_in_last_block)(a, n); }

int archive_write_set_options(struct archive *a, const char *opts)
{
	return REAL(archive_write_set_options)(a, opts);
}

int archive_write_open(struct archive *a, void *ctx, archive_open_callback *open_cb,
		       archive_write_callback *write_cb, archive_close_callback *close_cb)
{
	return REAL(archive_write_open)(a, ctx, open_cb, write_cb, close_cb);
}

int archive_write_header(struct archive *a, struct archive_entry *e) { return REAL(archive_write_header)(a, e); }
la_ssize_t archive_write_data(struct archive *a, const void *buf, size_t n) { return REAL(archive_write_data)(a, buf, n); }

struct archive_entry *archive_entry_new(void) { return REAL(archive_entry_new)(); }
void archive_entry_free(struct archive_entry *e) { REAL(archive_entry_free)(e); }
void archive_entry_set_pathname(struct archive_entry *e, const char *p) { REAL(archive_entry_set_pathname)(e, p); }
void archive_entry_set_size(struct archive_entry *e, la_int64_t n) { REAL(archive_entry_set_size)(e, n); }
void archive_entry_set_filetype(struct archive_entry *e, unsigned int t) { REAL(archive_entry_set_filetype)(e, t); }
void archive_entry_set_perm(struct archive_entry *e, __LA_MODE_T m) { REAL(archive_entry_set_perm)(e, m); }
void archive_entry_set_mtime(struct archive_entry *e, time_t t, long ns) { REAL(archive_entry_set_mtime)(e, t, ns); }
void archive_entry_set_symlink(struct archive_entry *e, const char *t) { REAL(archive_entry_set_symlink)(e, t); }
void archive_entry_set_hardlink(struct archive_entry *e, const char *t) { REAL(archive_entry_set_hardlink)(e, t); }
struct archive_entry *archive_entry_clear(struct archive_entry *e) { return REAL(archive_entry_clear)(e); }
