/*
 * The libcurl functions knit calls, forwarded to libcurl loaded on first use
 * (see util/dynlib.h). Adding a call to another libcurl function elsewhere
 * means adding its forwarder here; the link fails until then.
 */
#include "lazy.h"
#include "util/dynlib.h"

#include <curl/curl.h>
#include <stdarg.h>

struct knit_dynlib knit_libcurl = KNIT_DYNLIB_INIT(KNIT_LIBCURL_SONAME, "to download");

#define REAL(fn) KNIT_DYNLIB_FN(knit_libcurl, fn)

CURLcode curl_global_init(long flags) { return REAL(curl_global_init)(flags); }
CURL *curl_easy_init(void) { return REAL(curl_easy_init)(); }
void curl_easy_cleanup(CURL *curl) { REAL(curl_easy_cleanup)(curl); }
const char *curl_easy_strerror(CURLcode code) { return REAL(curl_easy_strerror)(code); }

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	return REAL(curl_slist_append)(list, s);
}

void curl_slist_free_all(struct curl_slist *list) { REAL(curl_slist_free_all)(list); }

CURLM *curl_multi_init(void) { return REAL(curl_multi_init)(); }
CURLMcode curl_multi_cleanup(CURLM *m) { return REAL(curl_multi_cleanup)(m); }

CURLMcode curl_multi_add_handle(CURLM *m, CURL *e)
{
	return REAL(curl_multi_add_handle)(m, e);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *e)
{
	return REAL(curl_multi_remove_handle)(m, e);
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return REAL(curl_multi_perform)(m, running);
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd fds[], unsigned n, int timeout_ms,
                          int *numfds)
{
	return REAL(curl_multi_poll)(m, fds, n, timeout_ms, numfds);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return REAL(curl_multi_info_read)(m, left);
}

/*
 * The variadic three: libcurl reads exactly one argument after the option,
 * whose type the option's number range gives (CURLOPTTYPE_*), the same rule
 * libcurl applies itself. getinfo always takes a pointer. The names are in
 * parentheses so that curl/typecheck-gcc.h's macros leave them alone.
 */
#define FORWARD_OPTION(fn, handle, option)                                              \
	do {                                                                            \
		va_list ap;                                                             \
		va_start(ap, option);                                                   \
		int rc_;                                                                \
		if ((long)(option) < CURLOPTTYPE_OBJECTPOINT) {                         \
			long v = va_arg(ap, long);                                      \
			rc_ = REAL(fn)(handle, option, v);                              \
		} else if ((long)(option) < CURLOPTTYPE_FUNCTIONPOINT) {                \
			void *v = va_arg(ap, void *);                                   \
			rc_ = REAL(fn)(handle, option, v);                              \
		} else if ((long)(option) < CURLOPTTYPE_OFF_T) {                        \
			void (*v)(void) = va_arg(ap, void (*)(void));                   \
			rc_ = REAL(fn)(handle, option, v);                              \
		} else if ((long)(option) < CURLOPTTYPE_BLOB) {                         \
			curl_off_t v = va_arg(ap, curl_off_t);                          \
			rc_ = REAL(fn)(handle, option, v);                              \
		} else {                                                                \
			void *v = va_arg(ap, void *);                                   \
			rc_ = REAL(fn)(handle, option, v);                              \
		}                                                                       \
		va_end(ap);                                                             \
		return rc_;                                                             \
	} while (0)

CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	FORWARD_OPTION(curl_easy_setopt, curl, option);
}

CURLMcode(curl_multi_setopt)(CURLM *multi, CURLMoption option, ...)
{
	FORWARD_OPTION(curl_multi_setopt, multi, option);
}

CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
	va_list ap;
	va_start(ap, info);
	void *out = va_arg(ap, void *);
	va_end(ap);
	return REAL(curl_easy_getinfo)(curl, info, out);
}
