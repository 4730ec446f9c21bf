/* test_engine.c - the two engines behind one store interface (dispatch.c,
 * sqlite.c, pg.c, pg_stmt.c): dispatch by the project argument, passwords
 * never shown, ids of inserts, and under PostgreSQL (MLFY_TEST_PG) what
 * its engine adds: the advisory write lock and writers serialised by it, a
 * lost connection re-established before the first command of a read or a
 * transaction (and MLFY_EIO, never retried, inside a transaction that ran
 * a statement), a commit after a failed
 * statement refused, read-only handles, owned statements streamed through
 * a cursor across fetches, and the integrity check's catalogue checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/accounts.h"
#include "store/catalog.h"
#include "store/probe.h"
#include "store/store.h"
#include "fixture_project.h"
#include "testutil.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct mlfy_store *create(char *path, size_t n, const char *name)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	test_project(path, n, name);
	if (mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err))
		fail_msg("create %s: %s", path, err.msg);
	return s;
}

static void redaction(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "/data/x.mlfy", "/data/x.mlfy" },
		{ "postgresql:///db?host=/tmp/s", "postgresql:///db?host=/tmp/s" },
		{ "postgresql://ann:s3cret@db.example:5432/proj", "postgresql://ann:***@db.example:5432/proj" },
		{ "postgres://ann@h/proj?password=s3cret&sslmode=require",
		  "postgres://ann@h/proj?password=***&sslmode=require" },
		{ "postgresql://a:p%40ss@h1,h2/db?sslpassword=k3y", "postgresql://a:***@h1,h2/db?sslpassword=***" },
		{ "postgresql://h/db?user=x#frag", "postgresql://h/db?user=x#frag" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = mlfy_store_redacted(cases[i].in);
		assert_non_null(r);
		assert_string_equal(r, cases[i].out);
		free(r);
	}
	assert_true(mlfy_store_is_pg("postgresql://x/y"));
	assert_true(mlfy_store_is_pg("postgres://x/y"));
	assert_false(mlfy_store_is_pg("postgresql:/x"));
	assert_false(mlfy_store_is_pg("x.mlfy"));
	assert_true(mlfy_store_is_project("postgresql:///anything"));
}

/* A server that cannot be reached, a bad URI: errors without the password. */
static void errors_hide_the_password(void **state)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	(void)state;
	assert_int_equal(mlfy_store_open("postgresql://ann:s3cretpw@/db?host=/nonexistent-mlfy-dir", 0, &s, &err),
			 MLFY_EIO);
	assert_null(s);
	assert_null(strstr(err.msg, "s3cretpw"));
	assert_non_null(strstr(err.msg, "postgresql://ann:***@/db"));
	assert_non_null(strstr(err.msg, "cannot connect"));
	assert_int_equal(mlfy_store_open("postgresql://ann:s3cretpw@/db?nosuchparameter=1", 0, &s, &err), MLFY_EINVAL);
	assert_null(strstr(err.msg, "s3cretpw"));
	assert_non_null(strstr(err.msg, "not a valid PostgreSQL connection URI"));
	assert_int_equal(mlfy_store_open("postgresql:///db?password=s3cretpw&host=/nonexistent-mlfy-dir", 0, &s, &err),
			 MLFY_EIO);
	assert_null(strstr(err.msg, "s3cretpw"));
}

/* store_last_id: the id of the row an insert made, after ids given
 * explicitly by another program too. */
static void ids_of_inserts(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	int64_t a = 0, b = 0, c = 0;

	(void)state;
	s = create(path, sizeof(path), "ids");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "ann", MLFY_ROLE_ANNOTATOR, NULL, &a, &err), 0);
	assert_int_equal(mlfy_users_add(s, "bob", MLFY_ROLE_ANNOTATOR, NULL, &b, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_true(a > 0);
	assert_int_equal(b, a + 1);
	assert_int_equal(test_sql(path, "INSERT INTO annotators(id, name, role, created_at)"
				  " VALUES (50, 'explicit', 'annotator', 'now')", NULL, 0), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "cat", MLFY_ROLE_EXPERT, NULL, &c, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(c, 51);
	assert_int_equal(test_sql_int(path, "SELECT id FROM annotators WHERE name = 'cat'", -1), 51);
	/* a refused insert (a duplicate name) keeps the last id */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "cat", MLFY_ROLE_EXPERT, NULL, &a, &err), MLFY_ECONFLICT);
	mlfy_store_rollback(s);
	mlfy_store_close(s);
}

static void meta_set_tx(struct mlfy_store *s, const char *k, const char *v)
{
	struct mlfy_err err;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, k, v, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

/* the project's write lock held in this database (advisory locks are per database) */
#define LOCK_HELD                                                                                  \
	"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1835820665 AND granted" \
	" AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"

struct waiter {
	const char *path;
	double began_at;
	int rc;
};

static void *second_writer(void *arg)
{
	struct waiter *w = arg;
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	if ((w->rc = mlfy_store_open(w->path, 0, &s, &err)) == 0) {
		w->rc = mlfy_store_begin(s, &err);
		w->began_at = now_s();
		if (!w->rc)
			w->rc = mlfy_store_meta_set(s, "who", "second", &err) || mlfy_store_commit(s, &err);
	}
	mlfy_store_close(s);
	return NULL;
}

/* BEGIN takes the advisory write lock: a second writer waits for the
 * first one's commit, then sees its work. */
static void writers_serialise(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	struct waiter w = { 0 };
	pthread_t t;
	double committed;
	char *v = NULL;

	(void)state;
	TEST_PG_ONLY("the advisory lock");
	s = create(path, sizeof(path), "lock");
	assert_int_equal(test_sql_int(path, LOCK_HELD, -1), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(test_sql_int(path, LOCK_HELD, -1), 1);
	assert_int_equal(mlfy_store_meta_set(s, "who", "first", &err), 0);
	w.path = path;
	assert_int_equal(pthread_create(&t, NULL, second_writer, &w), 0);
	usleep(400 * 1000);
	committed = now_s();
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.rc, 0);
	assert_true(w.began_at >= committed);
	assert_int_equal(mlfy_store_meta_get(s, "who", &v, &err), 0);
	assert_string_equal(v, "second");
	free(v);
	assert_int_equal(test_sql_int(path, LOCK_HELD, -1), 0);
	mlfy_store_close(s);
}

/* every other connection to the test database terminated, as a database
 * server's restart ends them: how many */
#define KILL_OTHERS                                                        \
	"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity" \
	" WHERE datname = current_database() AND pid <> pg_backend_pid()"

/* A server connection lost while idle (a restart, a terminated backend) is
 * found and re-established before it fails the next piece of work that
 * nothing ran of yet: an autocommit read (a cached statement and a new
 * one), the integrity check, a read snapshot, a write transaction. */
static void lost_connection_recovered(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	size_t n = 99;
	char *v = NULL;

	(void)state;
	TEST_PG_ONLY("a server connection");
	s = create(path, sizeof(path), "lost");
	meta_set_tx(s, "k", "v1");
	/* an autocommit read whose statement is cached (prepared before) */
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_meta_get(s, "k", &v, &err), 0);
	assert_string_equal(v, "v1");
	free(v);
	v = NULL;
	/* an autocommit read whose statement is prepared now */
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_catalog_n_classes(s, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_integrity_check(s, &err), 0);
	/* a read snapshot */
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_begin_read(s, &err), 0);
	assert_int_equal(mlfy_store_meta_get(s, "k", &v, &err), 0);
	assert_string_equal(v, "v1");
	free(v);
	v = NULL;
	mlfy_store_end_read(s);
	/* a write transaction */
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "k", "v2", &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM meta WHERE key = 'k' AND value = 'v2'", -1), 1);
	mlfy_store_close(s);
}

/* A connection lost inside a transaction that already ran a statement is
 * MLFY_EIO, never retried: the write transaction stores nothing, the read
 * snapshot fails; the next call outside a transaction reconnects. */
static void lost_connection_inside_a_transaction(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	char *v = NULL;

	(void)state;
	TEST_PG_ONLY("a server connection");
	s = create(path, sizeof(path), "losttx");
	meta_set_tx(s, "k", "v1");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "k", "v2", &err), 0);
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_meta_set(s, "k2", "v2", &err), MLFY_EIO);
	assert_non_null(strstr(err.msg, "connection"));
	assert_non_null(strstr(err.msg, "not saved"));
	assert_int_not_equal(mlfy_store_commit(s, &err), 0);
	mlfy_store_rollback(s);
	assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM meta WHERE key = 'k2' OR value = 'v2'", -1), 0);
	/* a read snapshot that ran a statement is not redone either */
	assert_int_equal(mlfy_store_begin_read(s, &err), 0);
	assert_int_equal(mlfy_store_meta_get(s, "k", &v, &err), 0);
	free(v);
	v = NULL;
	assert_true(test_sql_int(path, KILL_OTHERS, -1) >= 1);
	assert_int_equal(mlfy_store_meta_get(s, "k2", &v, &err), MLFY_EIO);
	assert_null(v);
	mlfy_store_end_read(s);
	/* outside a transaction again: reconnected */
	assert_int_equal(mlfy_store_meta_get(s, "k", &v, &err), 0);
	assert_string_equal(v, "v1");
	free(v);
	meta_set_tx(s, "k", "v3");
	assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM meta WHERE key = 'k' AND value = 'v3'", -1), 1);
	mlfy_store_close(s);
}

/* A statement that failed inside a transaction: the commit says so and
 * nothing of the transaction is stored. */
static void commit_after_a_failed_statement(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;
	int64_t id;

	(void)state;
	s = create(path, sizeof(path), "failed");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "ann", MLFY_ROLE_ANNOTATOR, NULL, &id, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_store_meta_set(s, "k", "v", &err), 0);
	assert_int_equal(mlfy_users_add(s, "ann", MLFY_ROLE_ANNOTATOR, NULL, &id, &err), MLFY_ECONFLICT);
	if (test_pg()) {
		assert_int_equal(mlfy_store_commit(s, &err), MLFY_ESTORE);
		assert_non_null(strstr(err.msg, "rolled"));
		assert_false(mlfy_store_in_transaction(s));
		assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM meta WHERE key = 'k'", -1), 0);
	} else {
		mlfy_store_rollback(s);
	}
	mlfy_store_close(s);
}

static void read_only_handle(void **state)
{
	char path[4200];
	struct mlfy_store *s, *ro = NULL;
	struct mlfy_err err;
	char *v = NULL;

	(void)state;
	s = create(path, sizeof(path), "ro");
	meta_set_tx(s, "k", "v");
	mlfy_store_close(s);
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_READONLY, &ro, &err), 0);
	assert_int_equal(mlfy_store_meta_get(ro, "k", &v, &err), 0);
	assert_string_equal(v, "v");
	free(v);
	assert_int_equal(mlfy_store_begin_read(ro, &err), 0);
	mlfy_store_end_read(ro);
	if (mlfy_store_begin(ro, &err) == 0) {
		assert_int_equal(mlfy_store_meta_set(ro, "k", "w", &err), MLFY_ESTORE);
		assert_non_null(strstr(err.msg, "read-only"));
		mlfy_store_rollback(ro);
	}
	mlfy_store_close(ro);
	assert_int_equal(test_sql_int(path, "SELECT COUNT(*) FROM meta WHERE key = 'k' AND value = 'v'", -1), 1);
}

struct walk {
	struct mlfy_store *s;
	int n, ordered, nested_ok;
	char last[64];
};

static int walk_cb(const struct mlfy_image *img, void *ctx)
{
	struct walk *w = ctx;
	struct mlfy_image other;
	struct mlfy_err err;
	if (w->n && strcmp(w->last, img->name) >= 0)
		w->ordered = 0;
	snprintf(w->last, sizeof(w->last), "%s", img->name);
	/* a nested read by id while the walk's statement is open */
	if (w->n % 500 == 0) {
		if (mlfy_catalog_image_by_id(w->s, img->id, &other, &err) == 0) {
			w->nested_ok += !strcmp(other.name, img->name);
			mlfy_image_release(&other);
		}
	}
	w->n++;
	return 0;
}

/* An owned statement walks more rows than one cursor fetch (2048), with
 * other statements run in between, in and outside a transaction. */
static void long_walks(void **state)
{
	static const struct fixture_spec spec = { 3, 2600, 100, 0, 0, NULL, 0, NULL, 0 };
	char path[4200];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	struct walk w;
	int round;

	(void)state;
	test_project(path, sizeof(path), "walk");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	for (round = 0; round < 2; round++) {
		if (round == 1)
			assert_int_equal(mlfy_store_begin_read(s, &err), 0);
		memset(&w, 0, sizeof(w));
		w.s = s;
		w.ordered = 1;
		assert_int_equal(mlfy_catalog_foreach_image(s, 0, walk_cb, &w, &err), 0);
		assert_int_equal(w.n, 2600);
		assert_true(w.ordered);
		assert_int_equal(w.nested_ok, 6);
		if (round == 1)
			mlfy_store_end_read(s);
	}
	mlfy_store_close(s);
}

static void integrity_check_sees_disabled_triggers(void **state)
{
	char path[4200];
	struct mlfy_store *s;
	struct mlfy_err err;

	(void)state;
	TEST_PG_ONLY("catalogue checks of PostgreSQL");
	s = create(path, sizeof(path), "integrity");
	assert_int_equal(mlfy_store_integrity_check(s, &err), 0);
	assert_int_equal(test_sql(path, "ALTER TABLE annotations DISABLE TRIGGER ALL", NULL, 0), 0);
	assert_int_equal(mlfy_store_integrity_check(s, &err), MLFY_ESTORE);
	assert_non_null(strstr(err.msg, "disabled triggers"));
	assert_non_null(strstr(err.msg, "annotations"));
	assert_int_equal(test_sql(path, "ALTER TABLE annotations ENABLE TRIGGER ALL", NULL, 0), 0);
	assert_int_equal(mlfy_store_integrity_check(s, &err), 0);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redaction),
		cmocka_unit_test(errors_hide_the_password),
		cmocka_unit_test(ids_of_inserts),
		cmocka_unit_test(writers_serialise),
		cmocka_unit_test(lost_connection_recovered),
		cmocka_unit_test(lost_connection_inside_a_transaction),
		cmocka_unit_test(commit_after_a_failed_statement),
		cmocka_unit_test(read_only_handle),
		cmocka_unit_test(long_walks),
		cmocka_unit_test(integrity_check_sees_disabled_triggers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
