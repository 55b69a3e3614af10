#include "pick.h"

#include <string.h>

/* The first version walking from the lowest (dir 1) or the highest (dir -1) that allowed admits and is not deprecated, else the first it admits. */
static int64_t first_allowed(const struct knit_pkg *pkg, int dir, bool (*allowed)(void *, size_t), void *ctx)
{
	int64_t any = -1;
	for (size_t k = 0; k < pkg->nversions; k++) {
		size_t i = dir > 0 ? k : pkg->nversions - 1 - k;
		if (!allowed(ctx, i))
			continue;
		if (!pkg->versions[i].deprecated)
			return (int64_t)i;
		if (any < 0)
			any = (int64_t)i;
	}
	return any;
}

int64_t knit_pick_version(const struct knit_pkg *pkg, enum knit_resolution resolution,
			  bool (*allowed)(void *ctx, size_t i), void *ctx)
{
	if (resolution == KNIT_RESOLUTION_LOWEST)
		return first_allowed(pkg, 1, allowed, ctx);
	int64_t latest = knit_pkg_tag_version(pkg, "latest");
	if (latest >= 0 && allowed(ctx, (size_t)latest) && !pkg->versions[latest].deprecated)
		return latest;
	return first_allowed(pkg, -1, allowed, ctx);
}

int64_t knit_pkg_find_version(const struct knit_pkg *pkg, const char *version)
{
	for (size_t i = 0; i < pkg->nversions; i++)
		if (!strcmp(pkg->versions[i].version, version))
			return (int64_t)i;
	struct knit_version want;
	int64_t found = -1;
	if (knit_version_parse(&want, version, strlen(version), KNIT_SEMVER_LOOSE))
		return -1;
	for (size_t i = 0; i < pkg->nversions && found < 0; i++)
		if (!knit_version_compare(&pkg->versions[i].parsed, &want))
			found = (int64_t)i;
	knit_version_release(&want);
	return found;
}

int64_t knit_pkg_tag_version(const struct knit_pkg *pkg, const char *tag)
{
	const char *version = !strcmp(tag, "latest") ? pkg->latest : NULL;
	if (!version)
		version = knit_strmap_get(&pkg->tags, tag);
	return version ? knit_pkg_find_version(pkg, version) : -1;
}

struct spec_set {
	const struct knit_pkg *pkg;
	const struct knit_range *range; /* NULL: only the version at index tagged */
	int64_t tagged;
};

static bool in_spec(void *ctx, size_t i)
{
	const struct spec_set *s = ctx;
	return s->range ? knit_range_test(s->range, &s->pkg->versions[i].parsed) : (int64_t)i == s->tagged;
}

const struct knit_pkg_version *knit_pick_spec(const struct knit_pkg *pkg, const char *spec,
					      enum knit_resolution resolution)
{
	struct knit_range r;
	struct spec_set set = { pkg, NULL, -1 };
	bool is_range = !knit_range_parse(&r, spec, strlen(spec), KNIT_SEMVER_LOOSE);
	if (is_range)
		set.range = &r;
	else if ((set.tagged = knit_pkg_tag_version(pkg, spec)) < 0)
		return NULL;
	int64_t i = knit_pick_version(pkg, resolution, in_spec, &set);
	if (is_range)
		knit_range_release(&r);
	return i >= 0 ? &pkg->versions[i] : NULL;
}

const struct knit_pkg_version *knit_pick_latest(const struct knit_pkg *pkg)
{
	int64_t latest = knit_pkg_tag_version(pkg, "latest");
	if (latest >= 0 && !pkg->versions[latest].deprecated)
		return &pkg->versions[latest];
	return knit_pick_spec(pkg, "*", KNIT_RESOLUTION_HIGHEST);
}
