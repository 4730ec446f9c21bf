/* test_accounts.c - accounts (names, roles, argon2id passwords, disabling)
 * and login sessions (expiry, touch, end) (src/store/accounts.c). */
#include "people_fixture.h"

static void users_add_list_verify(void **state)
{
	struct mlfy_store *s = make_project();
	struct mlfy_user *list = NULL, u;
	struct mlfy_err err;
	size_t n = 0;

	(void)state;
	add_user(s, "zoe", MLFY_ROLE_EXPERT, "correct horse");
	add_user(s, "adam", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "zoe", MLFY_ROLE_ADMIN, "whatever1", NULL, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "zoe"));
	assert_int_equal(mlfy_users_add(s, "bad name", MLFY_ROLE_ADMIN, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_add(s, "-x", MLFY_ROLE_ADMIN, NULL, NULL, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_add(s, "short", MLFY_ROLE_ADMIN, "1234567", NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
	mlfy_store_rollback(s);

	assert_int_equal(mlfy_users_list(s, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "adam");
	assert_int_equal(list[0].has_password, 0);
	assert_string_equal(list[1].name, "zoe");
	assert_int_equal(list[1].role, MLFY_ROLE_EXPERT);
	assert_int_equal(list[1].has_password, 1);
	mlfy_users_free(list, n);

	assert_int_equal(mlfy_users_verify(s, "zoe", "correct horse", &u, &err), 0);
	assert_string_equal(u.name, "zoe");
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_verify(s, "zoe", "wrong horse", &u, &err), MLFY_EPERM);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_int_equal(mlfy_users_verify(s, "nobody", "correct horse", &u, &err), MLFY_EPERM);
	assert_string_equal(err.msg, "wrong user name or password");
	/* no password set: cannot log in whatever is typed */
	assert_int_equal(mlfy_users_verify(s, "adam", "", &u, &err), MLFY_EPERM);

	/* passwd then disable */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_set_password(s, "zoe", "battery staple", &err), 0);
	assert_int_equal(mlfy_users_set_password(s, "nobody", "battery staple", &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_users_verify(s, "zoe", "correct horse", &u, &err), MLFY_EPERM);
	assert_int_equal(mlfy_users_verify(s, "zoe", "battery staple", &u, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_set_disabled(s, "zoe", 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_users_verify(s, "zoe", "battery staple", &u, &err), MLFY_EPERM);
	mlfy_store_close(s);
}

static void sessions_expire_and_end(void **state)
{
	struct mlfy_store *s = make_project();
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1], token2[MLFY_TOKEN_LEN + 1];
	struct mlfy_session ss;
	struct mlfy_err err;
	int64_t id, n = 0;

	(void)state;
	id = add_user(s, "ann", MLFY_ROLE_ANNOTATOR, "password1");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 1000, token, csrf, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 1000, token2, csrf, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(strlen(token), MLFY_TOKEN_LEN);
	assert_string_not_equal(token, token2);

	/* idle 100 s, touch every 10 s */
	assert_int_equal(mlfy_sessions_lookup(s, token, 1005, 100, 86400, 10, &ss, &err), 0);
	assert_string_equal(ss.user.name, "ann");
	assert_int_equal(ss.last_seen, 1000);    /* younger than touch_s: not rewritten */
	mlfy_session_release(&ss);
	assert_int_equal(mlfy_sessions_lookup(s, token, 1090, 100, 86400, 10, &ss, &err), 0);
	assert_int_equal(ss.last_seen, 1090);    /* touched */
	mlfy_session_release(&ss);
	/* 150 s after creation but 60 s after the last request: alive */
	assert_int_equal(mlfy_sessions_lookup(s, token, 1150, 100, 86400, 10, &ss, &err), 0);
	mlfy_session_release(&ss);
	/* token2 was idle since 1000: expired and deleted */
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1150, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1000, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);
	/* malformed and unknown tokens */
	assert_int_equal(mlfy_sessions_lookup(s, "../../etc", 1150, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);
	token2[0] = token2[0] == 'a' ? 'b' : 'a';
	assert_int_equal(mlfy_sessions_lookup(s, token2, 1150, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);
	/* logout */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_delete(s, token, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 2000, token, csrf, &err), 0);
	assert_int_equal(mlfy_sessions_purge(s, 2050, 100, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mlfy_sessions_purge(s, 2101, 100, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_sessions_lookup(s, token, 2101, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);

	/* disabling an account ends its sessions */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 3000, token, csrf, &err), 0);
	assert_int_equal(mlfy_users_set_disabled(s, "ann", 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_sessions_lookup(s, token, 3001, 100, 86400, 10, &ss, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

/* An absolute lifetime: a session used every minute still ends max_age_s
 * after its login (issue 12, item 8); before, only idleness ended one. */
static void sessions_absolute_lifetime(void **state)
{
	struct mlfy_store *s = make_project();
	char token[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1];
	struct mlfy_session ss;
	struct mlfy_err err;
	int64_t id, t;

	(void)state;
	id = add_user(s, "ann", MLFY_ROLE_ANNOTATOR, "password1");
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_sessions_create(s, id, 1000, token, csrf, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	/* idle limit 100 s, lifetime 600 s, a request every 60 s */
	for (t = 1060; t <= 1600; t += 60) {
		assert_int_equal(mlfy_sessions_lookup(s, token, t, 100, 600, 10, &ss, &err), 0);
		mlfy_session_release(&ss);
	}
	assert_int_equal(mlfy_sessions_lookup(s, token, 1601, 100, 600, 10, &ss, &err), MLFY_ENOTFOUND);
	/* and it is gone, not merely refused */
	assert_int_equal(mlfy_sessions_lookup(s, token, 1000, 100, 1000000, 10, &ss, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(users_add_list_verify),
		cmocka_unit_test(sessions_expire_and_end),
		cmocka_unit_test(sessions_absolute_lifetime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
