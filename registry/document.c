#include "document.h"
#include "publish.h"
#include "resolver/semver.h"
#include "util/error.h"
#include "util/xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cJSON *object_at(cJSON *doc, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, key);
	if (!cJSON_IsObject(o)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, key);
		o = cJSON_AddObjectToObject(doc, key);
	}
	return o;
}

static void set_string(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

static void now_iso(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void knit_document_tarball_file(const char *name, const char *version, struct strbuf *out)
{
	const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;
	strbuf_addf(out, "%s-%s.tgz", slash ? slash + 1 : name, version);
}

/* The version's document: package.json's fields, its _id and dist. NULL if manifest is not JSON. */
static cJSON *version_doc(const struct knit_publish_req *req, const char *tarball_url)
{
	cJSON *v = cJSON_Parse(req->manifest_json);
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return NULL;
	}
	struct strbuf id = STRBUF_INIT;
	strbuf_addf(&id, "%s@%s", req->name, req->version);
	set_string(v, "_id", id.buf);
	strbuf_release(&id);
	if (req->readme && req->readme_filename) { /* as npm publishes it, for registries to show */
		set_string(v, "readme", req->readme);
		set_string(v, "readmeFilename", req->readme_filename);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(v, "dist");
	cJSON *dist = cJSON_AddObjectToObject(v, "dist");
	cJSON_AddStringToObject(dist, "integrity", req->integrity);
	cJSON_AddStringToObject(dist, "shasum", req->shasum);
	cJSON_AddStringToObject(dist, "tarball", tarball_url);
	return v;
}

int knit_document_add_version(cJSON **doc, const struct knit_publish_req *req, const char *tarball_url,
			      const char *where, struct strbuf *err)
{
	if (!*doc) {
		*doc = cJSON_CreateObject();
		cJSON_AddStringToObject(*doc, "_id", req->name);
		cJSON_AddStringToObject(*doc, "name", req->name);
	}
	cJSON *versions = object_at(*doc, "versions");
	if (cJSON_GetObjectItemCaseSensitive(versions, req->version)) {
		strbuf_addf(err, "%s@%s is already in %s; a published version never changes, so publish a new one",
			    req->name, req->version, where);
		return KNIT_EEXIST;
	}
	cJSON *v = version_doc(req, tarball_url);
	if (!v) {
		strbuf_addf(err, "%s@%s: the packed package.json is not a JSON object", req->name, req->version);
		return KNIT_EINVALID_ARG;
	}
	const cJSON *desc = cJSON_GetObjectItemCaseSensitive(v, "description");
	const char *tag = req->tag ? req->tag : "latest";
	if (!strcmp(tag, "latest") && cJSON_IsString(desc))
		set_string(*doc, "description", desc->valuestring);
	if (!strcmp(tag, "latest") && req->readme && req->readme_filename) {
		set_string(*doc, "readme", req->readme);
		set_string(*doc, "readmeFilename", req->readme_filename);
	}
	cJSON_AddItemToObject(versions, req->version, v);
	set_string(object_at(*doc, "dist-tags"), tag, req->version);
	char now[40];
	now_iso(now, sizeof(now));
	cJSON *time = object_at(*doc, "time");
	if (!cJSON_GetObjectItemCaseSensitive(time, "created"))
		set_string(time, "created", now);
	set_string(time, "modified", now);
	set_string(time, req->version, now);
	return 0;
}

const char *knit_document_newest(const cJSON *doc, const char *range)
{
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(doc, "versions"), *e;
	struct knit_range r;
	unsigned flags = KNIT_SEMVER_LOOSE | (range ? 0 : KNIT_SEMVER_INCLUDE_PRERELEASE);
	if (knit_range_parse(&r, range ? range : "*", strlen(range ? range : "*"), flags))
		return NULL;
	size_t n = 0;
	const char **keys = knit_xcalloc((size_t)cJSON_GetArraySize(versions) + 1, sizeof(*keys));
	cJSON_ArrayForEach(e, versions)
		keys[n++] = e->string;
	long best = knit_semver_max_satisfying(keys, n, &r);
	const char *newest = best >= 0 ? keys[best] : NULL;
	free(keys);
	knit_range_release(&r);
	return newest;
}

int knit_document_remove_version(cJSON *doc, const char *name, const char *version, const char *where,
				 struct strbuf *err)
{
	cJSON *versions = object_at(doc, "versions");
	if (!cJSON_GetObjectItemCaseSensitive(versions, version)) {
		strbuf_addf(err, "%s@%s is not in %s", name, version, where);
		return KNIT_ENOTFOUND;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(versions, version);
	cJSON *time = cJSON_GetObjectItemCaseSensitive(doc, "time");
	if (cJSON_IsObject(time)) {
		cJSON_DeleteItemFromObjectCaseSensitive(time, version);
		char now[40];
		now_iso(now, sizeof(now));
		set_string(time, "modified", now);
	}
	cJSON *tags = object_at(doc, "dist-tags");
	for (cJSON *t = tags->child, *next; t; t = next) {
		next = t->next;
		if (cJSON_IsString(t) && !strcmp(t->valuestring, version))
			cJSON_DeleteItemFromObjectCaseSensitive(tags, t->string);
	}
	const char *top = knit_document_newest(doc, NULL);
	if (top && !cJSON_GetObjectItemCaseSensitive(tags, "latest"))
		set_string(tags, "latest", top);
	return 0;
}

int knit_document_deprecate(cJSON *doc, const char *name, const char *range, const char *message,
			    size_t *count, const char *where, struct strbuf *err)
{
	/* every version, pre-releases too, as npm deprecate does */
	struct knit_range r;
	if (knit_range_parse(&r, range, strlen(range), KNIT_SEMVER_LOOSE | KNIT_SEMVER_INCLUDE_PRERELEASE)) {
		strbuf_addf(err, "'%s' is not a valid version range", range);
		return KNIT_EINVALID_RANGE;
	}
	size_t n = 0;
	cJSON *e;
	cJSON_ArrayForEach(e, object_at(doc, "versions")) {
		struct knit_version v;
		if (!cJSON_IsObject(e) || knit_version_parse(&v, e->string, strlen(e->string), KNIT_SEMVER_LOOSE))
			continue;
		bool hit = knit_range_test(&r, &v);
		knit_version_release(&v);
		if (!hit)
			continue;
		if (*message)
			set_string(e, "deprecated", message);
		else
			cJSON_DeleteItemFromObjectCaseSensitive(e, "deprecated");
		n++;
	}
	knit_range_release(&r);
	if (!n) {
		strbuf_addf(err, "no version of %s in %s satisfies '%s'", name, where, range);
		return KNIT_ENOMATCH;
	}
	*count = n;
	return 0;
}

int knit_document_set_tag(cJSON *doc, const char *name, const char *tag, const char *version,
			  const char *where, struct strbuf *err)
{
	cJSON *tags = object_at(doc, "dist-tags");
	if (!version) {
		if (!cJSON_GetObjectItemCaseSensitive(tags, tag)) {
			strbuf_addf(err, "%s has no tag '%s' in %s", name, tag, where);
			return KNIT_ENOTFOUND;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(tags, tag);
		return 0;
	}
	if (!cJSON_GetObjectItemCaseSensitive(object_at(doc, "versions"), version)) {
		strbuf_addf(err, "%s@%s is not in %s", name, version, where);
		return KNIT_ENOTFOUND;
	}
	set_string(tags, tag, version);
	return 0;
}
