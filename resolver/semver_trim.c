/*
 * node-semver's trimComparatorWhitespace (internal/trim-comparator-whitespace.js,
 * 7.8.6): joins an operator to its version ("> 1.2.3" becomes ">1.2.3") with
 * the exact match boundaries of the regex it replaced.
 */
#include "semver_internal.h"

#include <string.h>

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }


struct scan {
	const char *s;
	size_t len;
};

static inline char at(const struct scan *sc, size_t i) { return i < sc->len ? sc->s[i] : '\0'; }
static inline bool sc_digit(const struct scan *sc, size_t i) { return is_digit(at(sc, i)); }
static inline bool sc_letter(const struct scan *sc, size_t i)
{
	char c = at(sc, i);
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool sc_ident(const struct scan *sc, size_t i)
{
	return sc_digit(sc, i) || sc_letter(sc, i) || at(sc, i) == '-';
}
static inline bool sc_ws(const struct scan *sc, size_t i)
{
	return i < sc->len && knit__js_ws_at(sc->s + i, sc->len - i);
}
static inline bool sc_prefix(const struct scan *sc, size_t i)
{
	return at(sc, i) == 'v' || at(sc, i) == '=' || sc_ws(sc, i);
}
static inline bool sc_vstart(const struct scan *sc, size_t i)
{
	char c = at(sc, i);
	return is_digit(c) || c == 'x' || c == 'X' || c == '*';
}

static size_t digits_end(const struct scan *sc, size_t start, size_t limit)
{
	size_t end = start;
	if (!sc_digit(sc, start))
		return start;
	while (sc_digit(sc, end))
		end++;
	return end < start + limit ? end : start + limit;
}

static size_t number_end(const struct scan *sc, size_t start, bool lse)
{
	if (!lse && at(sc, start) == '0')
		return start + 1;
	return digits_end(sc, start, lse ? KNIT_SEMVER_MAX_LENGTH : KNIT_SEMVER_MAX_LENGTH + 1);
}

static size_t pre_ident_end(const struct scan *sc, size_t start, bool lse)
{
	size_t d = digits_end(sc, start, KNIT_SEMVER_MAX_LENGTH);
	if (sc_letter(sc, d) || at(sc, d) == '-') {
		size_t end = d + 1, limit = end + KNIT_SEMVER_MAX_LENGTH - 6;
		while (end < limit && sc_ident(sc, end))
			end++;
		return end;
	}
	return number_end(sc, start, lse);
}

static size_t prerelease_end(const struct scan *sc, size_t start, bool lse)
{
	bool hyphen = at(sc, start) == '-';
	if (!lse && !hyphen)
		return start;
	size_t id_start = start + (hyphen ? 1 : 0);
	size_t end = pre_ident_end(sc, id_start, lse);
	if (end == id_start) {
		if (!lse || !hyphen)
			return start;
		end = pre_ident_end(sc, start, lse);
	}
	while (at(sc, end) == '.') {
		size_t next = pre_ident_end(sc, end + 1, lse);
		if (next == end + 1)
			break;
		end = next;
	}
	return end;
}

static size_t build_ident_end(const struct scan *sc, size_t start)
{
	size_t end = start;
	while (end - start < KNIT_SEMVER_MAX_LENGTH - 6 && sc_ident(sc, end))
		end++;
	return end;
}

static size_t build_end(const struct scan *sc, size_t start)
{
	if (at(sc, start) != '+')
		return start;
	size_t end = build_ident_end(sc, start + 1);
	if (end == start + 1)
		return start;
	while (at(sc, end) == '.') {
		size_t next = build_ident_end(sc, end + 1);
		if (next == end + 1)
			break;
		end = next;
	}
	return end;
}

static size_t loose_full_end(const struct scan *sc, size_t start)
{
	size_t end = start;
	for (int comp = 0; comp < 3; comp++) {
		size_t next = number_end(sc, end, true);
		if (next == end)
			return start;
		end = next;
		if (comp < 2) {
			if (at(sc, end) != '.')
				return start;
			end++;
		}
	}
	return build_end(sc, prerelease_end(sc, end, true));
}

static size_t partial_component_end(const struct scan *sc, size_t start)
{
	if (sc_digit(sc, start))
		return number_end(sc, start, false);
	return sc_vstart(sc, start) ? start + 1 : start;
}

static size_t partial_end(const struct scan *sc, size_t start)
{
	size_t end = partial_component_end(sc, start);
	for (int comp = 0; comp < 2; comp++) {
		if (at(sc, end) != '.')
			return end;
		size_t next = partial_component_end(sc, end + 1);
		if (next == end + 1)
			return end;
		end = next;
	}
	return build_end(sc, prerelease_end(sc, end, false));
}

static size_t removable_ws(const struct scan *sc, size_t pos)
{
	if (sc_ws(sc, pos))
		pos += knit__js_ws_at(sc->s + pos, sc->len - pos);
	if (at(sc, pos) == '<' || at(sc, pos) == '>')
		pos++;
	if (at(sc, pos) == '=')
		pos++;
	return sc_ws(sc, pos) ? pos : (size_t)-1;
}

void knit__trim_comparator_ws(const struct knit__pipeline *pl, struct strbuf *out, const char *s,
			       size_t len)
{
	struct scan sc = { s, len };
	size_t copy_from = 0, cursor = 0;

	/*
	 * Removal needs whitespace right after an operator, '=' or more
	 * whitespace. The text was collapsed, but stripping build metadata
	 * afterwards can leave two spaces side by side ("~ +b 2").
	 */
	if (!pl->exact && !knit__contains(s, len, "< ") && !knit__contains(s, len, "> ") &&
	    !knit__contains(s, len, "= ") && !knit__contains(s, len, "  ")) {
		strbuf_add(out, s, len);
		return;
	}
	while (cursor < len) {
		size_t match_start = cursor;
		if (at(&sc, cursor) == '<' || at(&sc, cursor) == '>') {
			cursor++;
		} else if (!sc_prefix(&sc, cursor) && !sc_vstart(&sc, cursor)) {
			cursor++;
			continue;
		}
		while (cursor < len && sc_prefix(&sc, cursor))
			cursor += sc_ws(&sc, cursor) ? knit__js_ws_at(s + cursor, len - cursor) : 1;
		if (!sc_vstart(&sc, cursor))
			continue;
		size_t ws = removable_ws(&sc, match_start);
		if (ws != (size_t)-1) {
			strbuf_add(out, s + copy_from, ws - copy_from);
			copy_from = ws + knit__js_ws_at(s + ws, len - ws);
		}
		size_t full = loose_full_end(&sc, cursor);
		cursor = full != cursor ? full : partial_end(&sc, cursor);
	}
	strbuf_add(out, s + copy_from, len - copy_from);
}

