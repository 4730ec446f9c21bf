/* test_accounts_tx.c - src/store/accounts_tx.c and models_tx.c: account
 * writes and the choice of the active proposal model are one transaction
 * each: committed on success; on an error nothing changes and no
 * transaction is left open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/accounts_tx.h"
#include "store/invites.h"
#include "store/models_tx.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 2 images, 3 classes; model 1 "fixture" (rfix_create), model 2 "other". */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_project(e->path, sizeof(e->path), "accounts_tx.mlfy");
	if (rfix_create(&e->f, e->path, 3, 2, 2, 2) ||
	    rfix_exec(&e->f, "INSERT INTO models(id, name, created_at) VALUES (2, 'other', '2026-01-02T00:00:00Z')"))
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

static void account_writes(void **state)
{
	struct env *e = *state;
	struct mlfy_user u;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_add_tx(e->s, "alice", MLFY_ROLE_EXPERT, "long-enough-1", &err), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_users_add_tx(e->s, "bob", MLFY_ROLE_ANNOTATOR, NULL, &err), 0);
	/* refused: a duplicate, a short password; nothing added, nothing left open */
	assert_int_equal(mlfy_users_add_tx(e->s, "alice", MLFY_ROLE_ADMIN, NULL, &err), MLFY_ECONFLICT);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_users_add_tx(e->s, "carol", MLFY_ROLE_ADMIN, "short", &err), MLFY_EINVAL);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM annotators"), 2);

	assert_int_equal(mlfy_users_set_password_tx(e->s, "bob", "another-password", &err), 0);
	assert_int_equal(mlfy_users_set_password_tx(e->s, "nobody", "another-password", &err), MLFY_ENOTFOUND);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_users_verify(e->s, "bob", "another-password", &u, &err), 0);
	mlfy_user_release(&u);

	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "bob", 1, &err), 0);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "nobody", 1, &err), MLFY_ENOTFOUND);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT disabled FROM annotators WHERE name = 'bob'"), 1);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "bob", 0, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT disabled FROM annotators WHERE name = 'bob'"), 0);
}

/* The checks and the argon2id hashing come before the write lock: with
 * another connection holding it, a refused write answers at once instead of
 * waiting out the lock (10 s) and failing on it, as it did when the tx
 * functions hashed inside their transaction. */
static void refusals_before_the_write_lock(void **state)
{
	struct env *e = *state;
	struct mlfy_store *other;
	struct mlfy_user u;
	struct mlfy_err err;
	char token[MLFY_TOKEN_LEN + 1] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

	assert_int_equal(mlfy_users_add_tx(e->s, "carol", MLFY_ROLE_ANNOTATOR, "long-enough-1", &err), 0);
	assert_int_equal(mlfy_store_open(e->path, 0, &other, &err), 0);
	assert_int_equal(mlfy_store_begin(other, &err), 0);   /* holds the write lock */

	assert_int_equal(mlfy_users_add_tx(e->s, "dave", MLFY_ROLE_ANNOTATOR, "short", &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_add_tx(e->s, "bad name!", MLFY_ROLE_ANNOTATOR, "long-enough-1", &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_set_password_tx(e->s, "nobody", "long-enough-2", &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_users_set_password_tx(e->s, "carol", "short", &err), MLFY_EINVAL);
	memset(&u, 0, sizeof(u));
	assert_int_equal(mlfy_invite_redeem_tx(e->s, token, "long-enough-2", 1000, &u, &err), MLFY_ENOTFOUND);
	assert_null(u.name);
	assert_false(mlfy_store_in_transaction(e->s));

	mlfy_store_rollback(other);
	mlfy_store_close(other);
	/* and with the lock free, the same calls that should work do */
	assert_int_equal(mlfy_users_set_password_tx(e->s, "carol", "long-enough-2", &err), 0);
	assert_int_equal(mlfy_users_verify(e->s, "carol", "long-enough-2", &u, &err), 0);
	mlfy_user_release(&u);
}

static void activate_first_model(void **state)
{
	struct env *e = *state;
	struct mlfy_model m = { 0 };
	struct mlfy_err err;
	const char *none[] = { "a", "b" }, *ranked[] = { "missing", "other", "fixture" };
	size_t chosen = 99;

	assert_int_equal(mlfy_models_activate_first(e->s, none, 2, &chosen, &err), MLFY_ENOTFOUND);
	assert_int_equal(chosen, 99);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_models_activate_first(e->s, ranked, 3, &chosen, &err), 0);
	assert_int_equal(chosen, 1);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_models_active(e->s, &m, &err), 0);
	assert_string_equal(m.name, "other");
	mlfy_model_release(&m);
	/* nested in a caller's transaction: refused, the caller's stays open */
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_models_activate_first(e->s, ranked + 2, 1, &chosen, &err), MLFY_EINVAL);
	assert_true(mlfy_store_in_transaction(e->s));
	mlfy_store_rollback(e->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(account_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(refusals_before_the_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(activate_first_model, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
