/*
 * Editing one member of a JSON file without disturbing the rest: knit.json
 * keeps the user's key order, indentation and spacing when knit adds or
 * removes a dependency.
 */
#ifndef KNIT_UTIL_JSON_EDIT_H
#define KNIT_UTIL_JSON_EDIT_H

#include "util/strbuf.h"

/*
 * In the top-level object of text, sets field.key to value_json (JSON text,
 * such as "\"^1.2.0\""), or removes field.key when value_json is NULL. A new
 * key goes in name order, with the indentation its neighbours use; a
 * missing field is added at the end. Returns 0, KNIT_EPARSE when text is not
 * a JSON object, or KNIT_EINVALID_ARG when field is not an object.
 */
int knit_json_edit(struct strbuf *text, const char *field, const char *key, const char *value_json);

/*
 * Sets the top-level member key to value_json (JSON text): its value alone
 * is replaced when it is there; else it is added on a line of its own after
 * the member after (when given and there), else first, with the file's
 * indentation. Returns 0 or KNIT_EPARSE when text is not a JSON object.
 */
int knit_json_edit_top(struct strbuf *text, const char *key, const char *value_json, const char *after);

#endif
