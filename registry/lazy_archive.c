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
	KNIT_DYNLIB_INIT(KNIT_LIBARCHIVE_SONAME, "to read package tarballs");

#define REAL(fn) KNIT_DYNLIB_FN(knit_libarchive, fn)

struct archive *archive_read_new(void) { return REAL(archive_read_new)(); }
int archive_read_free(struct archive *a) { return REAL(archive_read_free)(a); }
int archive_read_support_filter_gzip(struct archive *a) { return REAL(archive_read_support_filter_gzip)(a); }
int archive_read_support_filter_none(struct archive *a) { return REAL(archive_read_support_filter_none)(a); }
int archive_read_support_format_tar(struct archive *a) { return REAL(archive_read_support_format_tar)(a); }
int archive_read_support_format_gnutar(struct archive *a) { return REAL(archive_read_support_format_gnutar)(a); }

int archive_read_open_memory(struct archive *a, const void *buf, size_t size)
{
	return REAL(archive_read_open_memory)(a, buf, size);
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
