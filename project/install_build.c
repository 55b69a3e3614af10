/*
 * The build-files stage of knit install (install_stages.h): deps/knit.cmake,
 * knit.mk, knit.env and .pkgconfig/ for the plan, made before deps/ changes
 * so that a package with a bad `c` section fails the install with nothing
 * touched.
 */
#include "install_stages.h"
#include "syslibs.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <unistd.h>

bool knit_plan_buildfiles_exist(const char *project_dir)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/deps/knit.cmake", project_dir);
	bool yes = !access(path.buf, F_OK);
	strbuf_release(&path);
	return yes;
}

int knit_plan_buildfiles(const struct knit_plan *plan, const struct knit_manifest *manifests,
			 const struct knit_manifest *project, const char *project_dir, struct knit_buildfiles *bf,
			 struct strbuf *err)
{
	struct knit_build_pkg *pkgs = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*pkgs));
	for (size_t i = 0; i < plan->n; i++) {
		const struct knit_plan_item *it = &plan->items[i];
		pkgs[i] = (struct knit_build_pkg){ it->name, it->version, it->store_dir.buf, &it->deps, &manifests[i] };
	}
	const struct knit_deps direct[2] = { project->deps, project->dev_deps };
	int rc = knit_syslibs_check("knit.json", &project->c.pkgconfig, err);
	if (!rc)
		rc = knit_buildfiles_make(bf, &project->c.pkgconfig, pkgs, plan->n, direct, 2, err);
	free(pkgs);
	return rc;
}
