/*
 * What the commands that talk to one registry share (publish, login,
 * whoami, view, dist-tag, deprecate, unpublish): the session (settings and
 * fetch, cli_session.h) and the registry for a package (--registry, else
 * its scope's, else the default).
 */
#ifndef KNIT_CLI_REGISTRY_CMD_H
#define KNIT_CLI_REGISTRY_CMD_H

#include "cli.h"
#include "cli_session.h"

struct knit_registry_cmd {
	struct knit_cli_session cs;
	struct knit_session *s; /* &cs.session */
	char *registry;         /* without a trailing slash */
};

/* Opens the session and picks the registry for name (NULL: the default). 0, or -1 after an error. rc must not move. */
int knit_registry_cmd_open(struct knit_registry_cmd *rc, struct knit_cli *cli, const char *flag_registry,
			   const char *name);
/* The two halves, for a command that learns the package's name from the session's work (publish). */
int knit_registry_cmd_open_session(struct knit_registry_cmd *rc, struct knit_cli *cli);
int knit_registry_cmd_pick(struct knit_registry_cmd *rc, struct knit_cli *cli, const char *flag_registry,
			   const char *name);
void knit_registry_cmd_close(struct knit_registry_cmd *rc);
/*
 * url without trailing slashes (malloc'd), or NULL after the error
 * "<what> '<url>' is not an http://, https:// or file:// URL".
 */
char *knit_registry_cmd_url(struct knit_cli *cli, const char *url, const char *what);
/* knit_spec_split, printing its error: 0, or -1 after the error. *name is malloc'd, *spec NULL without an '@'. */
int knit_registry_cmd_spec(struct knit_cli *cli, const char *arg, char **name, const char **spec);

#endif
