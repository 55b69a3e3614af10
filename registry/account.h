/*
 * Accounts on an npm registry, through npm's CouchDB user protocol: logging
 * in gets a token for `//host/path/:_authToken` in the user's settings
 * (written by the caller); whoami asks who a token belongs to; logging out
 * asks the registry to forget the token.
 */
#ifndef KNIT_REGISTRY_ACCOUNT_H
#define KNIT_REGISTRY_ACCOUNT_H

#include "util/config.h"
#include "util/fetch.h"

/*
 * 0 when registry's kind has users and tokens (registry/backend.h), else
 * KNIT_EINVALID_ARG with "<registry> is a folder registry: it has no users".
 * The three calls below begin with it; login asks it before prompting.
 */
int knit_account_supported(const char *registry, struct strbuf *err);

/*
 * PUT /-/user/org.couchdb.user:<name>: creates the user where the registry
 * lets anyone sign up, else logs in (an existing user is asked again with
 * HTTP Basic credentials, as Verdaccio and npm's own client do). 0 and the
 * token in *token; KNIT_EAUTH for a wrong password; errors never hold the
 * password.
 */
int knit_account_login(struct knit_fetch *f, const char *registry, const char *user,
		       const char *password, struct strbuf *token, struct strbuf *err);
/* GET /-/whoami with the configured credentials: 0 and the name, or KNIT_EAUTH when none is accepted. */
int knit_account_whoami(const struct knit_config *cfg, struct knit_fetch *f, const char *registry,
			struct strbuf *user, struct strbuf *err);
/* DELETE /-/user/token/<token>. Registries that do not know the route are not an error. */
int knit_account_logout(struct knit_fetch *f, const char *registry, const char *token, struct strbuf *err);

#endif
