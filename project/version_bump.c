/*
 * knit version's sequence (version_bump.h).
 *
 * git is run as the git command, not through libgit2: the commit and the
 * tag are then exactly what the user's own git makes, with their
 * user.name/email, commit and tag signing (commit.gpgSign, tag.gpgSign),
 * hooks (pre-commit, commit-msg) and any other configuration, as npm's
 * commits are (it runs git too). libgit2 honours none of the hooks and
 * signs nothing.
 */
#include "version_bump.h"
#include "manifest.h"
#include "txn.h"
#include "resolver/semver.h"
#include "util/capture.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/json_edit.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int knit_version_next(const char *current, const char *arg, const char *preid, bool allow_same, char **out,
		      struct strbuf *err)
{
	*out = NULL;
	if (!current)
		current = "0.0.0";
	char *now = knit_semver_clean(current, strlen(current), KNIT_SEMVER_LOOSE);
	if (!now) {
		strbuf_addf(err, "knit.json's 'version' '%s' is not a valid version", current);
		return KNIT_EINVALID_VERSION;
	}
	char *next = knit_semver_clean(arg, strlen(arg), KNIT_SEMVER_LOOSE);
	if (!next && knit_semver_is_release_type(arg))
		next = knit_semver_inc(now, strlen(now), arg, KNIT_SEMVER_LOOSE, preid, KNIT_INC_BASE_UNSET);
	free(now);
	if (!next) {
		strbuf_addf(err, "'%s' is not a version or one of major, minor, patch, premajor, preminor, "
			    "prepatch, prerelease, release", arg);
		return KNIT_EINVALID_ARG;
	}
	/* npm compares with the version as knit.json spells it */
	if (!allow_same && !strcmp(next, current)) {
		strbuf_addf(err, "version '%s' is knit.json's already; --allow-same-version allows that", next);
		free(next);
		return KNIT_EINVALID_ARG;
	}
	*out = next;
	return 0;
}

/* --- git -------------------------------------------------------------------------------- */

#define GIT_OUTPUT_MAX (64 * 1024)

/*
 * git args... in root: its exit status (as knit_capture gives it), its
 * stdout and stderr together into *out (the first GIT_OUTPUT_MAX bytes).
 */
static int git(const char *root, const char *const *args, struct strbuf *out)
{
	const char *argv[16] = { "git" };
	size_t n = 1;
	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	return knit_capture(root, argv, KNIT_CAPTURE_STDERR, GIT_OUTPUT_MAX, out);
}

/* The last non-empty line of git's output, for a one-line error. */
static void last_line(const struct strbuf *output, struct strbuf *err)
{
	size_t end = output->len;
	while (end && (output->buf[end - 1] == '\n' || output->buf[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start && output->buf[start - 1] != '\n')
		start--;
	if (end > start)
		strbuf_addf(err, ": %.*s", (int)(end - start), output->buf + start);
}

/* git args... that must succeed: else "git <what> failed: <its last line>". */
static int git_must(const char *root, const char *what, const char *const *args, struct strbuf *err)
{
	struct strbuf output = STRBUF_INIT;
	int status = git(root, args, &output);
	int rc = 0;
	if (status) {
		strbuf_addf(err, "git %s failed", what);
		if (status < 0 || status == 127)
			strbuf_addstr(err, ": cannot run git");
		else
			last_line(&output, err);
		rc = KNIT_EIO;
	}
	strbuf_release(&output);
	return rc;
}

/* Whether root is in a git work tree that git can be run in: npm commits only then. */
static bool in_work_tree(const char *root)
{
	struct strbuf output = STRBUF_INIT;
	const char *args[] = { "rev-parse", "--is-inside-work-tree", NULL };
	bool yes = git(root, args, &output) == 0 && !strncmp(output.buf, "true", 4);
	strbuf_release(&output);
	return yes;
}

/* Before anything changes: the tree clean but for untracked files (npm's rule), the tag new. */
static int git_check(const char *root, const char *tag, struct strbuf *err)
{
	struct strbuf output = STRBUF_INIT;
	const char *status[] = { "status", "--porcelain", "--untracked-files=no", NULL };
	int rc = 0, st = git(root, status, &output);
	if (st) {
		strbuf_addstr(err, "git status failed");
		last_line(&output, err);
		rc = KNIT_EIO;
	} else if (output.len) {
		size_t first = strcspn(output.buf, "\n");
		strbuf_addf(err, "git working directory not clean (%.*s%s); commit or stash the changes, or use "
			    "--no-git-tag-version", (int)(first > 3 ? first - 3 : 0), output.buf + (first > 3 ? 3 : first),
			    first < output.len - 1 ? ", ..." : "");
		rc = KNIT_EINVALID_ARG;
	}
	strbuf_reset(&output);
	struct strbuf ref = STRBUF_INIT;
	strbuf_addf(&ref, "refs/tags/%s", tag);
	const char *verify[] = { "rev-parse", "-q", "--verify", ref.buf, NULL };
	if (!rc && git(root, verify, &output) == 0) {
		strbuf_addf(err, "git tag '%s' already exists", tag);
		rc = KNIT_EEXIST;
	}
	strbuf_release(&ref);
	strbuf_release(&output);
	return rc;
}

/* --- the sequence ----------------------------------------------------------------------- */

/* knit.json with "version" set, the rest as written; written atomically. */
static int write_version(const char *root, const char *version, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, json = STRBUF_INIT;
	strbuf_addf(&path, "%s/knit.json", root);
	int rc = knit_read_file(path.buf, &text, err);
	knit_json_string(&json, version);
	if (!rc && knit_json_edit_top(&text, "version", json.buf, "name")) {
		strbuf_addf(err, "%s: cannot edit it: not a JSON object", path.buf);
		rc = KNIT_EPARSE;
	}
	bool changed;
	if (!rc)
		rc = knit_write_file_atomic(path.buf, text.buf, text.len, &changed, err);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&json);
	return rc;
}

/* The script called name alone, when the manifest has it. */
static int hook(const struct knit_version_bump *o, const struct knit_manifest *m, const char *name,
		struct knit_version_bump_result *res, struct strbuf *err)
{
	if (!knit_manifest_script(m, name))
		return 0;
	struct knit_script_run run = { .root = o->root, .manifest = m, .name = name, .announce = o->announce,
				       .announce_ctx = o->announce_ctx, .alone = true };
	return knit_script_run(&run, &res->status, err);
}

/* message with each %s the version. */
static void expand_message(const char *message, const char *version, struct strbuf *out)
{
	for (const char *p = message ? message : "%s"; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			strbuf_addstr(out, version);
			p++;
		} else {
			strbuf_addch(out, *p);
		}
	}
}

int knit_version_bump_run(const struct knit_version_bump *o, struct knit_version_bump_result *res,
			  struct strbuf *err)
{
	memset(res, 0, sizeof(*res));
	struct knit_manifest m;
	int rc = knit_txn_read_project(o->root, &m, err);
	if (rc)
		return rc;
	struct strbuf tag = STRBUF_INIT, message = STRBUF_INIT;
	bool git_on = false;
	res->old_version = knit_xstrdup(m.version ? m.version : "0.0.0");
	rc = knit_version_next(m.version, o->arg, o->preid, o->allow_same, &res->new_version, err);
	if (!rc) {
		strbuf_addf(&tag, "v%s", res->new_version);
		expand_message(o->message, res->new_version, &message);
		git_on = o->git && in_work_tree(o->root);
		if (git_on)
			rc = git_check(o->root, tag.buf, err);
	}
	if (!rc)
		rc = hook(o, &m, "preversion", res, err);
	if (!rc && !res->status.failed)
		rc = write_version(o->root, res->new_version, err);
	if (!rc && !res->status.failed) {
		/* the scripts after the bump see the new knit_package_version */
		knit_manifest_release(&m);
		if ((rc = knit_txn_read_project(o->root, &m, err)))
			memset(&m, 0, sizeof(m));
	}
	if (!rc && !res->status.failed)
		rc = hook(o, &m, "version", res, err);
	if (!rc && !res->status.failed && git_on) {
		const char *add[] = { "add", "--", "knit.json", NULL };
		const char *commit[] = { "commit", "-m", message.buf, NULL };
		const char *tag_args[] = { "tag", "-m", message.buf, "--", tag.buf, NULL };
		rc = git_must(o->root, "add", add, err);
		if (!rc)
			rc = git_must(o->root, "commit", commit, err);
		if (!rc)
			rc = git_must(o->root, "tag", tag_args, err);
		res->committed = !rc;
	}
	if (!rc && !res->status.failed)
		rc = hook(o, &m, "postversion", res, err);
	knit_manifest_release(&m);
	strbuf_release(&tag);
	strbuf_release(&message);
	return rc;
}

void knit_version_bump_result_release(struct knit_version_bump_result *res)
{
	free(res->old_version);
	free(res->new_version);
	memset(res, 0, sizeof(*res));
}
