/*
 * The linking stage of knit install (install_stages.h): the new deps/,
 * its bin links, build files and the trusted install scripts, ready for
 * the transaction to swap in.
 */
#include "install_stages.h"
#include "scripts.h"
#include "util/error.h"
#include "util/pkgname.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static bool trusted(const struct knit_manifest *project, const char *name)
{
	for (size_t i = 0; i < project->trusted.n; i++)
		if (!strcmp(project->trusted.items[i], name))
			return true;
	return false;
}

void knit_link_init(struct knit_link *l, const struct knit_plan *plan, const struct knit_manifest *project,
		    struct knit_session *s)
{
	memset(l, 0, sizeof(*l));
	l->plan = plan;
	l->project = project;
	l->session = s;
	l->links = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*l->links));
	for (size_t i = 0; i < plan->n; i++) {
		const struct knit_plan_item *it = &plan->items[i];
		l->links[i] = (struct knit_depsdir_link){ .name = it->name,
						      .version = it->version,
						      .integrity = it->state_id ? it->state_id : it->sri,
						      .store_dir = it->store_dir.buf,
						      .symlink_to = it->symlink_to,
						      .index = it->has_index ? &it->index : NULL,
						      .trusted = trusted(project, it->name) };
	}
}

bool knit_link_in_place(const struct knit_link *l, const char *project_dir)
{
	return knit_depsdir_in_place(project_dir, l->links, l->plan->n);
}

/*
 * deps/.bin comes first on PATH in knit run, as node_modules/.bin does in
 * npm run: a dependency's command named cc or make is the one a build
 * script gets. Allowed, as npm allows it, but said.
 */
static void warn_shadowing(const struct knit_link *l, size_t i)
{
	const struct knit_strmap *bins = &l->manifests[i].bin;
	const struct knit_plan_item *it = &l->plan->items[i];
	struct strbuf found = STRBUF_INIT;
	for (size_t k = 0; k < bins->n; k++) {
		strbuf_reset(&found);
		if (knit_script_shadowed(bins->items[k].key, &found))
			knit_session_warn(l->session, "package '%s@%s' has a command '%s' that shadows %s in knit run scripts",
					  it->name, it->version, bins->items[k].key, found.buf);
	}
	strbuf_release(&found);
}

int knit_link_load_manifests(struct knit_link *l, struct strbuf *err)
{
	const struct knit_plan *plan = l->plan;
	l->manifests = knit_xcalloc(plan->n ? plan->n : 1, sizeof(*l->manifests));
	for (size_t i = 0; i < plan->n; i++) {
		const struct knit_plan_item *it = &plan->items[i];
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "package '%s@%s'", it->name, it->version);
		int rc = knit_manifest_read_package(&l->manifests[i], it->store_dir.buf, label.buf, err);
		strbuf_release(&label);
		if (rc)
			return rc;
		l->links[i].bins = &l->manifests[i].bin;
		warn_shadowing(l, i);
	}
	return 0;
}

/*
 * Runs preinstall, install and postinstall of every trusted package that has
 * them, in the new deps/ before it is swapped in (a failure leaves the old
 * one); names the others in a warning.
 */
static int install_scripts(struct knit_link *l, const char *new_deps, struct strbuf *err)
{
	struct strbuf skipped = STRBUF_INIT, bin = STRBUF_INIT;
	bool sandboxed = true, checked = false;
	int rc = knit_session_sandbox(l->session, &sandboxed, err);
	/* the sandbox sees paths as they resolve */
	char *deps_real = rc ? NULL : realpath(new_deps, NULL);
	strbuf_addf(&bin, "%s/.bin", new_deps);
	for (size_t i = 0; i < l->plan->n && !rc; i++) {
		const struct knit_plan_item *it = &l->plan->items[i];
		const struct knit_manifest *m = &l->manifests[i];
		bool has = knit_manifest_script(m, "preinstall") || knit_manifest_script(m, "install") ||
			   knit_manifest_script(m, "postinstall");
		if (!has)
			continue;
		if (!l->links[i].trusted) {
			strbuf_addf(&skipped, "%s%s", skipped.len ? ", " : "", it->name);
			continue;
		}
		if (sandboxed && !checked) {
			if ((rc = knit_sandbox_check("install scripts", "the setting sandbox=false", err)))
				break;
			checked = true;
		}
		struct strbuf root = STRBUF_INIT;
		if (!(rc = knit_pkgname_path(deps_real ? deps_real : new_deps, it->name, NULL, &root, err))) {
			/* its own folder writable (a copy, not the store's files), the rest of deps/ readable */
			const char *read[] = { deps_real }, *write[] = { root.buf };
			struct knit_sandbox sb = { read, 1, write, 1, root.buf };
			struct knit_script_run run = { root.buf, bin.buf, m, "install", NULL, 0, NULL, NULL,
						       sandboxed ? &sb : NULL, false, NULL };
			struct knit_script_status st;
			rc = knit_script_run(&run, &st, err);
			if (!rc && st.failed) {
				if (st.signal)
					strbuf_addf(err, "package '%s@%s': its '%s' script was killed by signal %d",
						    it->name, it->version, st.failed, st.signal);
				else
					strbuf_addf(err, "package '%s@%s': its '%s' script exited with status %d",
						    it->name, it->version, st.failed, st.exit_code);
				if (sandboxed)
					strbuf_addstr(err, " (it ran sandboxed: no network, nothing writable but its "
							   "own folder and /tmp; the setting sandbox=false runs it without)");
				rc = KNIT_EIO;
			}
		}
		strbuf_release(&root);
	}
	if (!rc && skipped.len)
		knit_session_warn(l->session, "skipped the install scripts of %s; list them in knit.json's "
					      "trustedDependencies to run them", skipped.buf);
	free(deps_real);
	strbuf_release(&skipped);
	strbuf_release(&bin);
	return rc;
}

/* The new deps/ is complete: the build files go into it, then the trusted install scripts run. */
static int before_swap(void *ctx, const char *new_deps, struct strbuf *err)
{
	struct knit_link *l = ctx;
	if (l->buildfiles) {
		int rc = knit_buildfiles_write(l->buildfiles, new_deps, true, &l->buildfiles_written, err);
		if (rc)
			return rc;
		l->buildfiles = NULL; /* written: the transaction need not write them again */
	}
	return install_scripts(l, new_deps, err);
}

int knit_link_prepare(struct knit_link *l, const char *project_dir, struct strbuf *tmp_name, struct strbuf *state,
		      struct strbuf *err)
{
	return knit_depsdir_prepare(project_dir, l->links, l->plan->n, before_swap, l, tmp_name, state, &l->counts, err);
}

void knit_link_release(struct knit_link *l)
{
	for (size_t i = 0; l->manifests && i < l->plan->n; i++)
		knit_manifest_release(&l->manifests[i]);
	free(l->manifests);
	free(l->links);
	memset(l, 0, sizeof(*l));
}
