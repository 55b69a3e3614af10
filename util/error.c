#include "error.h"

const char *knit_strerror(int err)
{
	switch (err) {
	case KNIT_OK:
		return "success";
#define XX(code, msg) case KNIT_##code: return msg;
	KNIT_ERRNO_MAP(XX)
#undef XX
	}
	return "unknown error";
}

const char *knit_err_name(int err)
{
	switch (err) {
	case KNIT_OK:
		return "OK";
#define XX(code, msg) case KNIT_##code: return #code;
	KNIT_ERRNO_MAP(XX)
#undef XX
	}
	return "EUNKNOWN";
}
