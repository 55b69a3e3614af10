/*
 * Where the project is: the nearest folder at or above the current one
 * that holds knit.json, as npm and Cargo find theirs, and how a path given
 * relative to the folder the user stood in reads from there.
 */
#ifndef KNIT_PROJECT_PROJECT_ROOT_H
#define KNIT_PROJECT_PROJECT_ROOT_H

#include "util/strbuf.h"

#include <stdbool.h>

/*
 * Walks up from start (an absolute folder) to the nearest folder holding
 * knit.json: true with that folder in *root and start relative to it in
 * *sub ("" when they are the same, else "src/net", no trailing slash);
 * false (the buffers left empty) when no folder up to / has one. Only the
 * folders' names are looked at: a knit.json that is not a regular file
 * does not count.
 */
bool knit_project_find(const char *start, struct strbuf *root, struct strbuf *sub);

/*
 * path, given in the folder sub (relative to the root, as knit_project_find
 * set it), as the root reads it, into *out: absolute paths as they are;
 * relative ones joined to sub with "." and "x/.." folded away ("../lib"
 * from "src" is "lib"; from "" it stays "../lib").
 */
void knit_project_rebase(const char *sub, const char *path, struct strbuf *out);

#endif
