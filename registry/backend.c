#include "backend.h"
#include "folder.h"

const struct knit_registry_backend *knit_registry_backend_for(const char *url)
{
	return knit_folder_is(url) ? &knit_folder_backend : &knit_http_backend;
}
