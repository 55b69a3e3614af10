/*
 * project/scripts and the manifest's scripts: quoting for /bin/sh, the
 * pre/main/post order, the first failure stopping the run, and exit statuses
 * and signals reported as they happened.
 */
#include "conformance.h"
#include "project/manifest.h"
#include "project/scripts.h"
#include "util/error.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void quote(void **state)
{
	const char *cases[][2] = {
		{ "", "''" },
		{ "plain", "'plain'" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME `x` \"q\" \\", "'$HOME `x` \"q\" \\'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf out = STRBUF_INIT;
		knit_shell_quote(&out, cases[i][0]);
		assert_string_equal(out.buf, cases[i][1]);
		strbuf_release(&out);
	}
}

/* which lines run without a shell, split into what words */
static void simple_commands(void **state)
{
	(void)state;
	char dir[] = "/tmp/knit-argv.XXXXXX";
	assert_non_null(mkdtemp(dir));
	test_sh("mkdir %s/bin %s/build && printf '#!/bin/sh\\n' >%s/bin/tool && chmod +x %s/bin/tool"
		" && cp %s/bin/tool %s/build/srv && printf x >%s/bin/plain",
		dir, dir, dir, dir, dir, dir, dir);
	char path[600], tool[600];
	snprintf(path, sizeof(path), "%s/bin:/usr/bin:/bin", dir);
	snprintf(tool, sizeof(tool), "%s/bin/tool", dir);
	const struct {
		const char *line, *program, *words; /* words joined by '|'; NULL program: the shell */
	} cases[] = {
		{ "tool", tool, "tool" },
		{ "  tool  a\tb ", tool, "tool|a|b" },
		{ "tool a  b", tool, "tool|a|b" },
		{ "./build/srv --port=8080 'a b' 'it'\\''s' ''", "./build/srv", "./build/srv|--port=8080|a b|it's|" },
		{ "tool @scope/x%1,+:.", tool, "tool|@scope/x%1,+:." },
		{ "tool $HOME", NULL, NULL },
		{ "tool *.c", NULL, NULL },
		{ "tool >out", NULL, NULL },
		{ "tool && tool", NULL, NULL },
		{ "tool; tool", NULL, NULL },
		{ "tool \"q\"", NULL, NULL },
		{ "tool 'open", NULL, NULL },
		{ "tool ~/x", NULL, NULL },
		{ "tool # comment", NULL, NULL },
		{ "X=1 tool", NULL, NULL },
		{ "'tool'", NULL, NULL },
		{ "echo hi", NULL, NULL },     /* dash's echo, not /bin/echo */
		{ "test -f x", NULL, NULL },
		{ "if", NULL, NULL },
		{ "plain", NULL, NULL },       /* not executable */
		{ "nosuch", NULL, NULL },      /* the shell says 'not found' */
		{ "./build/none", NULL, NULL },
		{ "", NULL, NULL },
		{ "   ", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct knit_script_argv a;
		bool direct = knit_script_argv(cases[i].line, dir, path, &a);
		if (!cases[i].program) {
			if (direct)
				fail_msg("'%s' should go to the shell", cases[i].line);
			assert_null(a.argv);
			continue;
		}
		if (!direct)
			fail_msg("'%s' should run directly", cases[i].line);
		assert_string_equal(a.program, cases[i].program);
		struct strbuf words = STRBUF_INIT;
		for (size_t k = 0; k < a.argc; k++)
			strbuf_addf(&words, "%s%s", k ? "|" : "", a.argv[k]);
		assert_string_equal(words.buf, cases[i].words);
		assert_null(a.argv[a.argc]);
		strbuf_release(&words);
		knit_script_argv_release(&a);
	}
	/* a relative folder on PATH before the program: the shell's search */
	struct knit_script_argv a;
	assert_false(knit_script_argv("tool", dir, "bin:/usr/bin", &a));
	assert_false(knit_script_argv("tool", dir, ":/usr/bin", &a));
	test_sh("rm -rf %s", dir);
}

static void parse(struct knit_manifest *m, const char *json)
{
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(knit_manifest_parse(m, json, strlen(json), "knit.json", &err), 0);
	strbuf_release(&err);
}

static char log_[1024];
static void record(void *ctx, const char *name, const char *command)
{
	(void)ctx;
	strcat(log_, name);
	strcat(log_, "=");
	strcat(log_, command);
	strcat(log_, ";");
}

static void run(const struct knit_manifest *m, const char *name, const char *const *args,
		size_t nargs, struct knit_script_status *st)
{
	struct knit_script_run r = { "/", NULL, m, name, args, nargs, record, NULL, NULL, false, NULL };
	struct strbuf err = STRBUF_INIT;
	log_[0] = '\0';
	assert_int_equal(knit_script_run(&r, st, &err), 0);
	strbuf_release(&err);
}

static void order_and_failures(void **state)
{
	struct knit_manifest m;
	parse(&m, "{\"scripts\": {\"postb\": \"true\", \"b\": \"true\", \"preb\": \"true\","
		  " \"prefail\": \"exit 5\", \"fail\": \"true\", \"postfail\": \"true\","
		  " \"kill\": \"kill -USR1 $$\", \"only\": \"exit 0\"}}");
	assert_int_equal(m.nscripts, 8);
	assert_string_equal(knit_manifest_script(&m, "b"), "true");
	assert_null(knit_manifest_script(&m, "nope"));

	struct knit_script_status st;
	const char *args[] = { "x y", "z" };
	run(&m, "b", args, 2, &st);
	assert_null(st.failed);
	/* arguments go to the main script only */
	assert_string_equal(log_, "preb=true;b=true 'x y' 'z';postb=true;");

	run(&m, "fail", NULL, 0, &st);
	assert_string_equal(st.failed, "prefail");
	assert_int_equal(st.exit_code, 5);
	assert_int_equal(st.signal, 0);
	assert_string_equal(log_, "prefail=exit 5;");

	run(&m, "kill", NULL, 0, &st);
	assert_string_equal(st.failed, "kill");
	assert_int_equal(st.signal, SIGUSR1);

	run(&m, "only", NULL, 0, &st);
	assert_null(st.failed);
	assert_string_equal(log_, "only=exit 0;");
	knit_manifest_release(&m);
}

static void bad_scripts_field(void **state)
{
	const char *cases[][2] = {
		{ "{\"scripts\": 1}", "knit.json: 'scripts' must be an object of script name to command" },
		{ "{\"scripts\": {\"a\": null}}", "knit.json: 'scripts.a' must be a string (a shell command)" },
		{ "{\"scripts\": {\"\": \"x\"}}", "knit.json: 'scripts' has an empty script name" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct knit_manifest m;
		struct strbuf err = STRBUF_INIT;
		assert_int_equal(knit_manifest_parse(&m, cases[i][0], strlen(cases[i][0]), "knit.json", &err),
				 KNIT_EPARSE);
		assert_string_equal(err.buf, cases[i][1]);
		assert_null(m.scripts); /* released */
		strbuf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quote),
		cmocka_unit_test(simple_commands),
		cmocka_unit_test(order_and_failures),
		cmocka_unit_test(bad_scripts_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
