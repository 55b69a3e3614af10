#include "error.h"

#include <signal.h>

static volatile sig_atomic_t interrupted;

void knit_interrupt(void)
{
	interrupted = 1;
}

bool knit_interrupted(void)
{
	return interrupted;
}

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
