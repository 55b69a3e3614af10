/* What knit pack and knit publish print about a tarball. */
#ifndef KNIT_CLI_PACK_REPORT_H
#define KNIT_CLI_PACK_REPORT_H

#include "cli.h"
#include "project/pack.h"

/* The file list, sizes, shasum and integrity, as npm pack prints them. */
void knit_pack_report(struct knit_cli *cli, const struct knit_pack *p, const char *filename);

#endif
