/* test_pguri.c - names from a PostgreSQL URI (util/pguri.h): the database
 * name from the path, dbname=, user= and user@ (percent-decoded, cut to the
 * buffer), "postgres" without any, -1 for a file path; the default cache
 * folder under $XDG_CACHE_HOME or $HOME (created parents, a name without
 * '/', the same folder for the same redacted URI, another for another
 * database), NULL without either variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/pguri.h"

static const char *db(const char *uri)
{
	static char out[64];
	assert_int_equal(mlfy_pguri_dbname(uri, out, sizeof(out)), 0);
	return out;
}

static void dbname(void **state)
{
	char small[4];
	(void)state;
	assert_string_equal(db("postgresql://u:pw@host:5432/lab?sslmode=require"), "lab");
	assert_string_equal(db("postgres:///val2?host=/run/postgresql&user=ann"), "val2");
	assert_string_equal(db("postgresql:///x?host=/tmp/a/b&dbname=other"), "other");
	assert_string_equal(db("postgresql://host/my%20db"), "my db");
	assert_string_equal(db("postgresql://?host=/tmp/s&user=alice"), "alice");
	assert_string_equal(db("postgresql://bob:secret@host"), "bob");
	assert_string_equal(db("postgresql://host"), "postgres");
	assert_int_equal(mlfy_pguri_dbname("postgresql://h/abcdef", small, sizeof(small)), 0);
	assert_string_equal(small, "abc");
	assert_int_equal(mlfy_pguri_dbname("val.mlfy", small, sizeof(small)), -1);
	assert_int_equal(mlfy_pguri_dbname("/tmp/postgresql://x", small, sizeof(small)), -1);
}

static void cache_dir(void **state)
{
	char tmpl[] = "/tmp/mlfy-pguri-XXXXXX", xdg[96], want[128];
	char *a, *b, *c, *home;
	struct stat st;
	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(xdg, sizeof(xdg), "%s/x/y", tmpl);
	setenv("XDG_CACHE_HOME", xdg, 1);
	a = mlfy_pguri_cache_dir("postgresql://u:pw1@h/lab", "postgresql://u:***@h/lab");
	b = mlfy_pguri_cache_dir("postgresql://u:pw2@h/lab", "postgresql://u:***@h/lab");
	c = mlfy_pguri_cache_dir("postgresql://u:pw1@h/lab2", "postgresql://u:***@h/lab2");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	snprintf(want, sizeof(want), "%s/mlfy/lab-", xdg);
	assert_memory_equal(a, want, strlen(want));
	assert_int_equal(strlen(a), strlen(want) + 12);
	assert_string_equal(a, b);                 /* another password: the same folder */
	assert_string_not_equal(a, c);             /* another database: its own */
	snprintf(want, sizeof(want), "%s/mlfy", xdg);
	assert_int_equal(stat(want, &st), 0);      /* the parents were made */
	assert_true(S_ISDIR(st.st_mode));
	assert_null(mlfy_pguri_cache_dir("p.mlfy", "p.mlfy"));
	free(a);
	free(b);
	free(c);
	/* $HOME/.cache/mlfy without XDG_CACHE_HOME; nothing without either */
	home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", tmpl, 1);
	a = mlfy_pguri_cache_dir("postgresql:///d?host=/s", "postgresql:///d?host=/s");
	assert_non_null(a);
	snprintf(want, sizeof(want), "%s/.cache/mlfy/d-", tmpl);
	assert_memory_equal(a, want, strlen(want));
	free(a);
	unsetenv("HOME");
	assert_null(mlfy_pguri_cache_dir("postgresql:///d?host=/s", "postgresql:///d?host=/s"));
	if (home) {
		setenv("HOME", home, 1);
		free(home);
	}
	snprintf(want, sizeof(want), "rm -rf '%s'", tmpl);
	assert_int_equal(system(want), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dbname),
		cmocka_unit_test(cache_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
