#include "{{c_name}}.h"

#include <stdio.h>

int {{c_name}}_greet(char *buf, unsigned long size, const char *who)
{
	return snprintf(buf, size, "Hello, %s!", who ? who : "World");
}
