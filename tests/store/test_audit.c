/* test_audit.c - the audit log (src/store/audit.c): rows appended in a
 * transaction of their own or in the caller's (and then rolled back with
 * it), listed newest first with paging and the exact / prefix action
 * filter, bad arguments refused with nothing written, and the table
 * append-only: UPDATE and DELETE are refused by the schema's triggers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_project(e->path, sizeof(e->path), "audit.mlfy");
	if (rfix_create(&e->f, e->path, 3, 2, 2, 2))
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	mlfy_store_close(e->s);
	rfix_close(&e->f);
	free(e);
	return 0;
}

static void append(struct env *e, const char *actor, const char *via, const char *action, const char *params,
		   const char *result, int ok)
{
	struct mlfy_err err;
	mlfy_err_clear(&err);
	if (mlfy_audit_append(e->s, actor, via, action, params, result, ok, &err))
		fail_msg("append %s: %s", action, err.msg);
}

/* The actions of the listed rows, joined by ','. */
static void actions_of(struct env *e, int64_t before, size_t limit, const char *filter, char *buf, size_t n)
{
	struct mlfy_audit_entry *v = NULL;
	struct mlfy_err err;
	size_t k = 0, i, len = 0;

	if (mlfy_audit_list(e->s, before, limit, filter, &v, &k, &err))
		fail_msg("list: %s", err.msg);
	buf[0] = '\0';
	for (i = 0; i < k; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? "," : "", v[i].action);
	mlfy_audit_entries_free(v, k);
}

static void append_and_list(void **state)
{
	struct env *e = *state;
	struct mlfy_audit_entry *v = NULL;
	struct mlfy_err err;
	size_t n = 0;

	append(e, "shell:root", "cli", "user invite", "{\"argv\": [\"invite\", \"p.mlfy\", \"ann\"]}", "ok", 1);
	assert_false(mlfy_store_in_transaction(e->s));
	append(e, "admin", "console", "user.role", NULL, NULL, 0);
	assert_int_equal(mlfy_audit_list(e->s, 0, 50, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(v[0].id > v[1].id);                      /* newest first */
	assert_string_equal(v[0].actor, "admin");
	assert_string_equal(v[0].via, "console");
	assert_string_equal(v[0].action, "user.role");
	assert_string_equal(v[0].params, "{}");               /* NULL params */
	assert_string_equal(v[0].result, "");
	assert_int_equal(v[0].ok, 0);
	assert_string_equal(v[1].actor, "shell:root");
	assert_string_equal(v[1].via, "cli");
	assert_string_equal(v[1].params, "{\"argv\": [\"invite\", \"p.mlfy\", \"ann\"]}");
	assert_string_equal(v[1].result, "ok");
	assert_int_equal(v[1].ok, 1);
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	assert_int_equal(strlen(v[1].at), 20);
	assert_true(v[1].at[4] == '-' && v[1].at[10] == 'T' && v[1].at[13] == ':' && v[1].at[19] == 'Z');
	mlfy_audit_entries_free(v, n);
	mlfy_audit_entries_free(NULL, 0);
	mlfy_audit_entry_release(NULL);
}

static void callers_transaction(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;

	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	append(e, "admin", "console", "assign", NULL, "{}", 1);
	assert_true(mlfy_store_in_transaction(e->s));         /* neither committed nor ended */
	mlfy_store_rollback(e->s);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM audit_log"), 0);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	append(e, "admin", "console", "assign", NULL, "{}", 1);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM audit_log WHERE action = 'assign'"), 1);
}

static void filter_and_page(void **state)
{
	struct env *e = *state;
	struct mlfy_audit_entry *v = NULL;
	struct mlfy_err err;
	char got[512];
	size_t n = 0;
	int64_t last;

	append(e, "a", "console", "user.invite", NULL, NULL, 1);
	append(e, "a", "console", "users.x", NULL, NULL, 1);
	append(e, "a", "cli", "user invite", NULL, NULL, 1);
	append(e, "a", "console", "user.role", NULL, NULL, 1);
	append(e, "a", "console", "user", NULL, NULL, 1);
	append(e, "a", "cli", "analyze", NULL, NULL, 1);

	actions_of(e, 0, 50, NULL, got, sizeof(got));
	assert_string_equal(got, "analyze,user,user.role,user invite,users.x,user.invite");
	actions_of(e, 0, 50, "user.", got, sizeof(got));
	assert_string_equal(got, "user.role,user.invite");
	actions_of(e, 0, 50, "user", got, sizeof(got));        /* exact: no prefix without the '.' */
	assert_string_equal(got, "user");
	actions_of(e, 0, 50, "user invite", got, sizeof(got));
	assert_string_equal(got, "user invite");
	actions_of(e, 0, 50, "user.%", got, sizeof(got));      /* no wildcards */
	assert_string_equal(got, "");
	actions_of(e, 0, 50, "nothing", got, sizeof(got));
	assert_string_equal(got, "");

	/* pages of 2 */
	assert_int_equal(mlfy_audit_list(e->s, 0, 2, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	last = v[1].id;
	mlfy_audit_entries_free(v, n);
	actions_of(e, last, 2, NULL, got, sizeof(got));
	assert_string_equal(got, "user.role,user invite");
	actions_of(e, last, 50, "user.", got, sizeof(got));
	assert_string_equal(got, "user.role,user.invite");
	actions_of(e, 1, 50, NULL, got, sizeof(got));           /* nothing before the first row */
	assert_string_equal(got, "");

	/* bad arguments */
	v = (struct mlfy_audit_entry *)&n;
	assert_int_equal(mlfy_audit_list(e->s, 0, 0, NULL, &v, &n, &err), MLFY_EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(mlfy_audit_list(e->s, -1, 5, NULL, &v, &n, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_audit_list(e->s, 0, 5, "", &v, &n, &err), MLFY_EINVAL);
}

static void bad_rows_refused(void **state)
{
	static const struct { const char *actor, *via, *action, *params, *what; } cases[] = {
		{ "", "cli", "assign", NULL, "actor" },
		{ NULL, "cli", "assign", NULL, "actor" },
		{ "a", "web", "assign", NULL, "via 'web'" },
		{ "a", NULL, "assign", NULL, "via" },
		{ "a", "cli", "", NULL, "action" },
		{ "a", "cli", "assign", "[1, 2]", "not a JSON object" },
		{ "a", "cli", "assign", "\"text\"", "not a JSON object" },
		{ "a", "cli", "assign", "{\"argv\": ", "not JSON" },
		{ "a", "cli", "assign", "{} {}", "not JSON" },
	};
	struct env *e = *state;
	struct mlfy_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mlfy_err_clear(&err);
		assert_int_equal(mlfy_audit_append(e->s, cases[i].actor, cases[i].via, cases[i].action, cases[i].params,
						   "", 1, &err), MLFY_EINVAL);
		if (!strstr(err.msg, cases[i].what))
			fail_msg("case %zu: '%s' not in '%s'", i, cases[i].what, err.msg);
		assert_false(mlfy_store_in_transaction(e->s));
	}
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM audit_log"), 0);
}

static void append_only(void **state)
{
	struct env *e = *state;
	char *msg = NULL;

	append(e, "admin", "console", "user.disable", "{\"name\": \"ann\"}", "{}", 1);
	assert_int_not_equal(rfix_run(&e->f, "UPDATE audit_log SET actor = 'someone else'", &msg), 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	msg = NULL;
	assert_int_not_equal(rfix_run(&e->f, "DELETE FROM audit_log", &msg), 0);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM audit_log WHERE actor = 'admin'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(append_and_list, setup, teardown),
		cmocka_unit_test_setup_teardown(callers_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(filter_and_page, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_rows_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(append_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
