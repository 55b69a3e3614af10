/*
 * knit init: a new project from a template folder (templates/server,
 * templates/lib). Every file of the template is copied with {{name}},
 * {{c_name}} (an identifier: @acme/lib-foo -> acme_lib_foo), {{C_NAME}}
 * (the same in capitals), {{target}} (its knit::<target> name),
 * {{version}}, {{description}} and {{license}} replaced, in file names
 * too; in .json files the values are JSON-escaped. A template file named
 * gitignore becomes .gitignore.
 *
 * Nothing is overwritten: when any file the template would write exists,
 * knit_init writes nothing and names it. A failed write removes what was
 * written before it.
 */
#ifndef KNIT_PROJECT_INIT_H
#define KNIT_PROJECT_INIT_H

#include "util/glob.h"
#include "util/strbuf.h"

#include <stdbool.h>

struct knit_init_opts {
	const char *dir;          /* the project folder; made when missing */
	const char *template_dir; /* the template's folder */
	const char *name, *version, *description, *license;
};

/*
 * 0 with the files written (relative to dir) in *written, or an error with
 * one line in *err: KNIT_EEXIST naming the file in the way, KNIT_EINVALID_ARG
 * for a bad name or version, KNIT_ENOTFOUND for a missing template, KNIT_EIO.
 */
int knit_init(const struct knit_init_opts *opts, struct knit_paths *written, struct strbuf *err);

/* A valid package name made from a folder's name ("My Server" -> "my-server"). */
void knit_package_name_from(const char *folder, struct strbuf *out);

#endif
