/*
 * JSON output in knit's file style (two-space indent, the caller's key
 * order, a newline at the end): cJSON parses, but its printer indents with
 * tabs. And parse errors as "line:column".
 */
#ifndef KNIT_UTIL_JSON_H
#define KNIT_UTIL_JSON_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends s as a JSON string literal, quotes included. */
void knit_json_string(struct strbuf *out, const char *s);
/* Appends "\n" and two spaces per level. */
void knit_json_indent(struct strbuf *out, int level);
struct cJSON;
/* Appends v in knit's style, nested lines indented from level (no final newline). */
void knit_json_print(struct strbuf *out, const struct cJSON *v, int level);
/*
 * Parses a whole document: text[len] must be '\0' (a strbuf's is), and
 * nothing but whitespace may follow the value. NULL with "<path>:<line>:<col>:
 * malformed JSON" in *err when it is not JSON.
 */
struct cJSON *knit_json_parse(const char *text, size_t len, const char *path, struct strbuf *err);
/* The same, giving the line and column of the fault instead of a message. */
struct cJSON *knit_json_parse_at(const char *text, size_t len, unsigned *line, unsigned *column);
/* The 1-based line and column of byte offset in text. */
void knit_json_position(const char *text, size_t offset, unsigned *line, unsigned *column);

#endif
