#include "json.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void knit_json_string(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		case '\b': strbuf_addstr(out, "\\b"); break;
		case '\f': strbuf_addstr(out, "\\f"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		default:
			if (*p < 0x20)
				strbuf_addf(out, "\\u%04x", *p);
			else
				strbuf_addch(out, *p);
		}
	}
	strbuf_addch(out, '"');
}

void knit_json_indent(struct strbuf *out, int level)
{
	strbuf_addch(out, '\n');
	for (int i = 0; i < level; i++)
		strbuf_addstr(out, "  ");
}

void knit_json_position(const char *text, size_t offset, unsigned *line, unsigned *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

cJSON *knit_json_parse_at(const char *text, size_t len, unsigned *line, unsigned *column)
{
	const char *end = NULL, *nul = memchr(text, '\0', len);
	/* the terminating NUL is inside the length: cJSON then refuses trailing garbage */
	cJSON *doc = nul ? NULL : cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (doc)
		return doc;
	size_t at = nul ? (size_t)(nul - text) : end ? (size_t)(end - text) : 0;
	/* cJSON can stop past the culprit: at the end, or on whitespace after it
	 * (a NUL is the culprit itself, and strchr would find it in any string) */
	if (at >= len && len)
		at = len - 1;
	while (at > 0 && text[at] && strchr(" \t\r\n", text[at]))
		at--;
	knit_json_position(text, at, line, column);
	return NULL;
}

cJSON *knit_json_parse(const char *text, size_t len, const char *path, struct strbuf *err)
{
	unsigned line, col;
	cJSON *doc = knit_json_parse_at(text, len, &line, &col);
	if (!doc)
		strbuf_addf(err, "%s:%u:%u: malformed JSON", path, line, col);
	return doc;
}

void knit_json_print(struct strbuf *out, const struct cJSON *v, int level)
{
	const cJSON *e;
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		bool object = cJSON_IsObject(v);
		if (!v->child) {
			strbuf_addstr(out, object ? "{}" : "[]");
			return;
		}
		strbuf_addch(out, object ? '{' : '[');
		cJSON_ArrayForEach(e, v) {
			knit_json_indent(out, level + 1);
			if (object) {
				knit_json_string(out, e->string);
				strbuf_addstr(out, ": ");
			}
			knit_json_print(out, e, level + 1);
			if (e->next)
				strbuf_addch(out, ',');
		}
		knit_json_indent(out, level);
		strbuf_addch(out, object ? '}' : ']');
	} else if (cJSON_IsString(v)) {
		knit_json_string(out, v->valuestring);
	} else {
		char *text = cJSON_PrintUnformatted(v);
		if (!text)
			abort();
		strbuf_addstr(out, text);
		free(text);
	}
}
