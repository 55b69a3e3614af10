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
	const char ***files = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*files));
	for (size_t i = 0; i < plan->n; i++) {
		const struct knit_plan_item *it = &plan->items[i];
		pkgs[i] = (struct knit_build_pkg){ it->name, it->version, it->store_dir.buf, &it->deps, &manifests[i],
						   NULL, 0 };
		/* the entry's files as its checked index lists them: the globs read no folder */
		if (it->has_index) {
			files[i] = knit_xcalloc(it->index.n + 1, sizeof(**files));
			for (size_t k = 0; k < it->index.n; k++)
				if (it->index.items[k].type == 'f' || it->index.items[k].type == 'x')
					files[i][pkgs[i].nfiles++] = it->index.items[k].path;
			pkgs[i].files = files[i];
		}
	}
	const struct knit_deps direct[2] = { project->deps, project->dev_deps };
	int rc = knit_syslibs_check("knit.json", &project->c.pkgconfig, err);
	if (!rc)
		rc = knit_buildfiles_make(bf, &project->c.pkgconfig, pkgs, plan->n, direct, 2, err);
	for (size_t i = 0; i < plan->n; i++)
		free(files[i]);
	free(files);
	free(pkgs);
	return rc;
}
