/*
 * Ignore rules in gitignore(5)'s syntax, for .knitignore and .gitignore
 * files and knit.json's `files` list: one pattern a line, # starts a
 * comment, ! negates, a trailing / matches folders only, a / anywhere else
 * anchors the pattern to the folder whose file holds it (otherwise it
 * matches a name at any depth), * and ? and [...] match within a name and a
 * "**" segment spans any number of folders. The last rule that matches a
 * path decides.
 *
 * Ownership: the rules own copies of their strings.
 */
#ifndef KNIT_UTIL_IGNORE_H
#define KNIT_UTIL_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

struct knit_ignore_rule {
	char *base;      /* the folder the rule belongs to, relative; "" at the top */
	char *pattern;   /* without its !, leading / and trailing / */
	bool negate, dir_only, anchored;
};

struct knit_ignore {
	struct knit_ignore_rule *items;
	size_t n, alloc;
};

/* Adds one pattern line (comments and blank lines are skipped). */
void knit_ignore_add(struct knit_ignore *ig, const char *base, const char *line);
/* Adds every line of an ignore file's text. */
void knit_ignore_add_text(struct knit_ignore *ig, const char *base, const char *text);

enum knit_ignore_verdict { KNIT_IGNORE_NONE = 0, KNIT_IGNORE_EXCLUDED, KNIT_IGNORE_INCLUDED };
/*
 * What the last rule matching path (relative, '/'-separated) says: excluded,
 * included by a negated rule, or nothing. is_dir tells a folder.
 */
enum knit_ignore_verdict knit_ignore_check(const struct knit_ignore *ig, const char *path, bool is_dir);
/* Whether pattern, as one rule at the top, matches path or a folder holding it. */
bool knit_ignore_covers(const char *pattern, const char *path);
void knit_ignore_release(struct knit_ignore *ig);

#endif
