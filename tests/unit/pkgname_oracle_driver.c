/*
 * Differential testing against validate-npm-package-name
 * (tests/cli/t0700-hostile-names.sh): reads names from stdin, one JSON
 * string a line (as tests/cli/pkgname-oracle.js generates them), and prints
 * "valid" or "invalid" for each, as knit_pkgname_check judges it.
 */
#include "util/json.h"
#include "util/pkgname.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[4096];
	while (fgets(line, sizeof(line), stdin)) {
		cJSON *s = cJSON_Parse(line);
		if (!cJSON_IsString(s)) {
			fprintf(stderr, "pkgname_oracle_driver: not a JSON string: %s", line);
			cJSON_Delete(s);
			return 1;
		}
		puts(knit_pkgname_valid(s->valuestring) ? "valid" : "invalid");
		cJSON_Delete(s);
	}
	return 0;
}
