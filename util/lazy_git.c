/*
 * The libgit2 functions knit calls, forwarded to libgit2 loaded on first
 * use (see util/dynlib.h): only projects with git dependencies load it.
 */
#include "lazy.h"
#include "util/dynlib.h"

#include <git2.h>

struct knit_dynlib knit_libgit2 = KNIT_DYNLIB_INIT(KNIT_LIBGIT2_SONAME, "for git dependencies");

#define REAL(fn) KNIT_DYNLIB_FN(knit_libgit2, fn)

int git_libgit2_init(void) { return REAL(git_libgit2_init)(); }
const git_error *git_error_last(void) { return REAL(git_error_last)(); }
int git_repository_open_bare(git_repository **out, const char *path) { return REAL(git_repository_open_bare)(out, path); }
int git_repository_init(git_repository **out, const char *path, unsigned is_bare) { return REAL(git_repository_init)(out, path, is_bare); }
void git_repository_free(git_repository *repo) { REAL(git_repository_free)(repo); }
int git_repository_config(git_config **out, git_repository *repo) { return REAL(git_repository_config)(out, repo); }
int git_config_set_bool(git_config *cfg, const char *name, int value) { return REAL(git_config_set_bool)(cfg, name, value); }
void git_config_free(git_config *cfg) { REAL(git_config_free)(cfg); }
int git_remote_create_anonymous(git_remote **out, git_repository *repo, const char *url) { return REAL(git_remote_create_anonymous)(out, repo, url); }
void git_remote_free(git_remote *remote) { REAL(git_remote_free)(remote); }
int git_fetch_options_init(git_fetch_options *opts, unsigned int version) { return REAL(git_fetch_options_init)(opts, version); }

int git_remote_fetch(git_remote *remote, const git_strarray *refspecs, const git_fetch_options *opts,
		     const char *reflog_message)
{
	return REAL(git_remote_fetch)(remote, refspecs, opts, reflog_message);
}

int git_revparse_single(git_object **out, git_repository *repo, const char *spec) { return REAL(git_revparse_single)(out, repo, spec); }
int git_object_peel(git_object **peeled, const git_object *object, git_object_t target_type) { return REAL(git_object_peel)(peeled, object, target_type); }
const git_oid *git_object_id(const git_object *obj) { return REAL(git_object_id)(obj); }
void git_object_free(git_object *object) { REAL(git_object_free)(object); }
int git_oid_fromstr(git_oid *out, const char *str) { return REAL(git_oid_fromstr)(out, str); }
char *git_oid_tostr(char *out, size_t n, const git_oid *id) { return REAL(git_oid_tostr)(out, n, id); }
int git_commit_lookup(git_commit **commit, git_repository *repo, const git_oid *id) { return REAL(git_commit_lookup)(commit, repo, id); }
void git_commit_free(git_commit *commit) { REAL(git_commit_free)(commit); }
const git_oid *git_commit_id(const git_commit *commit) { return REAL(git_commit_id)(commit); }
int git_commit_tree(git_tree **tree_out, const git_commit *commit) { return REAL(git_commit_tree)(tree_out, commit); }
void git_tree_free(git_tree *tree) { REAL(git_tree_free)(tree); }
int git_tree_entry_bypath(git_tree_entry **out, const git_tree *root, const char *path) { return REAL(git_tree_entry_bypath)(out, root, path); }
void git_tree_entry_free(git_tree_entry *entry) { REAL(git_tree_entry_free)(entry); }
const git_oid *git_tree_entry_id(const git_tree_entry *entry) { return REAL(git_tree_entry_id)(entry); }
git_object_t git_tree_entry_type(const git_tree_entry *entry) { return REAL(git_tree_entry_type)(entry); }
int git_blob_lookup(git_blob **blob, git_repository *repo, const git_oid *id) { return REAL(git_blob_lookup)(blob, repo, id); }
void git_blob_free(git_blob *blob) { REAL(git_blob_free)(blob); }
const void *git_blob_rawcontent(const git_blob *blob) { return REAL(git_blob_rawcontent)(blob); }
git_object_size_t git_blob_rawsize(const git_blob *blob) { return REAL(git_blob_rawsize)(blob); }
int git_tag_list(git_strarray *tag_names, git_repository *repo) { return REAL(git_tag_list)(tag_names, repo); }
void git_strarray_dispose(git_strarray *array) { REAL(git_strarray_dispose)(array); }
int git_checkout_options_init(git_checkout_options *opts, unsigned int version) { return REAL(git_checkout_options_init)(opts, version); }

int git_checkout_tree(git_repository *repo, const git_object *treeish, const git_checkout_options *opts)
{
	return REAL(git_checkout_tree)(repo, treeish, opts);
}
