/* test_invites.c - one-time invitation links (src/store/invites.c and the
 * invitation steps of src/store/accounts_tx.c), and roles
 * (mlfy_users_set_role): an invited account has no password until its link
 * is redeemed, once; an expired, replaced, used, unknown or malformed link
 * and a disabled account's link are refused with one and the same message;
 * a reset clears the password, ends the sessions and revokes the older
 * link; a refused redeem changes nothing; only the SHA-256 of a token is
 * stored (neither the table nor the file holds the token). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/accounts_tx.h"
#include "store/invites.h"
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
	test_project(e->path, sizeof(e->path), "invites.mlfy");
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

static int is_token(const char *t)
{
	size_t i;
	for (i = 0; t[i]; i++)
		if (!isxdigit((unsigned char)t[i]) || isupper((unsigned char)t[i]))
			return 0;
	return i == MLFY_TOKEN_LEN;
}

/* The token is refused with the one message, and *u left zeroed. */
static void refused(struct env *e, const char *token, int64_t now)
{
	struct mlfy_user u;
	struct mlfy_err err;
	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(mlfy_invite_check(e->s, token, now, &u, &err), MLFY_ENOTFOUND);
	assert_string_equal(err.msg, MLFY_INVITE_INVALID);
	assert_null(u.name);
	assert_int_equal(mlfy_invite_redeem_tx(e->s, token, "long-enough-pw", now, &u, &err), MLFY_ENOTFOUND);
	assert_string_equal(err.msg, MLFY_INVITE_INVALID);
	assert_null(u.name);
	assert_false(mlfy_store_in_transaction(e->s));
}

static void redeem_once(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1];
	struct mlfy_invite_info info;
	struct mlfy_user u;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_invite_tx(e->s, "ann", MLFY_ROLE_EXPERT, "shell:tester", 1000, 3600, token, &err), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_true(is_token(token));
	assert_int_equal(rfix_int(&e->f, "SELECT pw_hash IS NULL FROM annotators WHERE name = 'ann'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE created_by = 'shell:tester'"
				  " AND created_at = 1000 AND expires_at = 4600"), 1);
	assert_int_equal(mlfy_users_verify(e->s, "ann", "long-enough-pw", &u, &err), MLFY_EPERM);

	assert_int_equal(mlfy_invite_check(e->s, token, 1000, &u, &err), 0);
	assert_string_equal(u.name, "ann");
	assert_int_equal(u.role, MLFY_ROLE_EXPERT);
	assert_int_equal(u.has_password, 0);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_invite_latest(e->s, 999, &info, &err), MLFY_ENOTFOUND);   /* no such account */
	assert_int_equal(mlfy_users_get(e->s, "ann", &u, &err), 0);
	assert_int_equal(mlfy_invite_latest(e->s, u.id, &info, &err), 0);
	assert_int_equal(info.created_at, 1000);
	assert_int_equal(info.expires_at, 4600);
	assert_int_equal(info.open, 1);
	assert_int_equal(info.used_at, 0);
	assert_int_equal(info.revoked_at, 0);
	mlfy_user_release(&u);

	/* a password too short: refused, nothing changes, the link still works */
	memset(&u, 0x5a, sizeof(u));
	assert_int_equal(mlfy_invite_redeem_tx(e->s, token, "short", 1100, &u, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
	assert_null(strstr(err.msg, token));
	assert_null(u.name);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT pw_hash IS NULL FROM annotators WHERE name = 'ann'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE used_at IS NULL"), 1);
	assert_int_equal(mlfy_invite_check(e->s, token, 1100, &u, &err), 0);
	mlfy_user_release(&u);

	/* redeemed: the password works, the link is spent */
	assert_int_equal(mlfy_invite_redeem_tx(e->s, token, "long-enough-pw", 1200, &u, &err), 0);
	assert_string_equal(u.name, "ann");
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_verify(e->s, "ann", "long-enough-pw", &u, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(rfix_int(&e->f, "SELECT used_at FROM invites"), 1200);
	refused(e, token, 1300);
	assert_int_equal(mlfy_users_verify(e->s, "ann", "long-enough-pw", &u, &err), 0);   /* not overwritten */
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_get(e->s, "ann", &u, &err), 0);
	assert_int_equal(mlfy_invite_latest(e->s, u.id, &info, &err), 0);
	assert_int_equal(info.used_at, 1200);
	assert_int_equal(info.open, 0);
	mlfy_user_release(&u);
}

static void expiry(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1];
	struct mlfy_user u;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_invite_tx(e->s, "bo", MLFY_ROLE_ANNOTATOR, "admin", 1000, 100, token, &err), 0);
	assert_int_equal(mlfy_invite_check(e->s, token, 1100, &u, &err), 0);   /* now == expires_at: open */
	mlfy_user_release(&u);
	refused(e, token, 1101);
	assert_int_equal(rfix_int(&e->f, "SELECT pw_hash IS NULL FROM annotators WHERE name = 'bo'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE used_at IS NULL"), 1);
}

static void reset_replaces(void **state)
{
	struct env *e = *state;
	char t1[MLFY_TOKEN_LEN + 1], t2[MLFY_TOKEN_LEN + 1], t3[MLFY_TOKEN_LEN + 1];
	char session[MLFY_TOKEN_LEN + 1], csrf[MLFY_TOKEN_LEN + 1];
	struct mlfy_invite_info info;
	struct mlfy_session ss;
	struct mlfy_user u;
	struct mlfy_err err;

	/* an unused link replaced by a reset */
	assert_int_equal(mlfy_users_invite_tx(e->s, "cy", MLFY_ROLE_ANNOTATOR, "admin", 1000, 3600, t1, &err), 0);
	assert_int_equal(mlfy_users_reset_tx(e->s, "cy", "admin", 1010, 3600, t2, &err), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_true(is_token(t2));
	assert_string_not_equal(t1, t2);
	refused(e, t1, 1020);
	assert_int_equal(rfix_int(&e->f, "SELECT revoked_at FROM invites WHERE created_at = 1000"), 1010);
	assert_int_equal(mlfy_invite_check(e->s, t2, 1020, &u, &err), 0);
	assert_int_equal(mlfy_invite_latest(e->s, u.id, &info, &err), 0);
	assert_int_equal(info.created_at, 1010);
	assert_int_equal(info.open, 1);
	mlfy_user_release(&u);

	/* an account with a password and a session: the reset locks it out */
	assert_int_equal(mlfy_invite_redeem_tx(e->s, t2, "first-password", 1030, &u, &err), 0);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_sessions_create(e->s, u.id, 1040, session, csrf, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_reset_tx(e->s, "cy", "admin", 1050, 3600, t3, &err), 0);
	assert_int_equal(mlfy_users_verify(e->s, "cy", "first-password", &u, &err), MLFY_EPERM);
	assert_int_equal(mlfy_sessions_lookup(e->s, session, 1060, 3600, 86400, 60, &ss, &err), MLFY_ENOTFOUND);
	assert_int_equal(rfix_int(&e->f, "SELECT pw_hash IS NULL FROM annotators WHERE name = 'cy'"), 1);
	refused(e, t2, 1060);
	assert_int_equal(mlfy_invite_redeem_tx(e->s, t3, "second-password", 1070, &u, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_verify(e->s, "cy", "second-password", &u, &err), 0);
	mlfy_user_release(&u);
	/* two links of the same second: the later one is the latest */
	assert_int_equal(mlfy_users_reset_tx(e->s, "cy", "admin", 2000, 3600, t1, &err), 0);
	assert_int_equal(mlfy_users_reset_tx(e->s, "cy", "admin", 2000, 3600, t2, &err), 0);
	refused(e, t1, 2000);
	assert_int_equal(mlfy_invite_check(e->s, t2, 2000, &u, &err), 0);
	assert_int_equal(mlfy_invite_latest(e->s, u.id, &info, &err), 0);
	assert_int_equal(info.open, 1);
	mlfy_user_release(&u);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE used_at IS NULL AND revoked_at IS NULL"), 1);

	assert_int_equal(mlfy_users_reset_tx(e->s, "nobody", "admin", 2000, 3600, t3, &err), MLFY_ENOTFOUND);
	assert_string_equal(t3, "");
	assert_false(mlfy_store_in_transaction(e->s));
}

static void disabled_account(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1];
	struct mlfy_user u;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_invite_tx(e->s, "dee", MLFY_ROLE_ADMIN, "admin", 1000, 3600, token, &err), 0);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "dee", 1, &err), 0);
	refused(e, token, 1010);
	assert_int_equal(rfix_int(&e->f, "SELECT pw_hash IS NULL FROM annotators WHERE name = 'dee'"), 1);
	/* enabling again does not revive the link (QA: disabling is how a link
	 * sent to the wrong person is cancelled); a new one works */
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "dee", 0, &err), 0);
	refused(e, token, 1010);
	assert_int_equal(mlfy_users_reset_tx(e->s, "dee", "admin", 1020, 3600, token, &err), 0);
	assert_int_equal(mlfy_invite_check(e->s, token, 1030, &u, &err), 0);
	mlfy_user_release(&u);
}

static void malformed_and_unknown(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1], other[MLFY_TOKEN_LEN + 1], upper[MLFY_TOKEN_LEN + 1];
	struct mlfy_err err;
	size_t i;

	assert_int_equal(mlfy_users_invite_tx(e->s, "eve", MLFY_ROLE_ANNOTATOR, "admin", 1000, 3600, token, &err), 0);
	refused(e, NULL, 1000);
	refused(e, "", 1000);
	refused(e, "not a token", 1000);
	snprintf(other, sizeof(other), "%.*s", MLFY_TOKEN_LEN - 1, token);   /* 63 characters */
	refused(e, other, 1000);
	for (i = 0; i <= MLFY_TOKEN_LEN; i++)
		upper[i] = (char)toupper((unsigned char)token[i]);
	if (strcmp(upper, token))
		refused(e, upper, 1000);
	assert_int_equal(mlfy_token_new(other, &err), 0);   /* well-formed, never issued */
	refused(e, other, 1000);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE used_at IS NULL"), 1);
}

/* 1 when the bytes of the file at path contain s. */
static int file_contains(const char *path, const char *s)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	int found = 0;
	size_t k = strlen(s), i;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	for (i = 0; !found && i + k <= (size_t)n; i++)
		found = !memcmp(buf + i, s, k);
	free(buf);
	return found;
}

static void token_not_stored(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1], hash[MLFY_TOKEN_LEN + 1], wal[4200], sql[512];
	struct mlfy_err err;

	assert_int_equal(mlfy_users_invite_tx(e->s, "fay", MLFY_ROLE_ANNOTATOR, "admin", 1000, 3600, token, &err), 0);
	assert_int_equal(mlfy_token_hash(token, hash, &err), 0);
	assert_string_not_equal(hash, token);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites WHERE token_hash = '%s'", hash), 1);
	/* no column of any invitation row holds the token, or part of it */
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM invites WHERE (token_hash || annotator_id || created_by || created_at"
		 " || expires_at || COALESCE(CAST(used_at AS TEXT), '') || COALESCE(CAST(revoked_at AS TEXT), ''))"
		 " LIKE '%%%.16s%%'", token);
	assert_int_equal(rfix_int(&e->f, "%s", sql), 0);
	assert_int_equal(mlfy_token_hash("ABC", hash, &err), MLFY_EINVAL);
	if (test_pg())
		return;   /* the bytes of the files below are SQLite's */
	assert_false(file_contains(e->path, token));
	snprintf(wal, sizeof(wal), "%s-wal", e->path);
	assert_false(file_contains(wal, token));
	assert_true(file_contains(e->path, hash) || file_contains(wal, hash));   /* the scan can see */
}

static void refused_writes(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1];
	struct mlfy_err err;

	assert_int_equal(mlfy_users_invite_tx(e->s, "gus", MLFY_ROLE_ANNOTATOR, "admin", 1000, 3600, token, &err), 0);
	/* a taken name, a bad name, a bad lifetime or creator: nothing created */
	assert_int_equal(mlfy_users_invite_tx(e->s, "gus", MLFY_ROLE_ADMIN, "admin", 1000, 3600, token, &err),
			 MLFY_ECONFLICT);
	assert_string_equal(token, "");
	assert_int_equal(mlfy_users_invite_tx(e->s, "bad name", MLFY_ROLE_ADMIN, "admin", 1000, 3600, token, &err),
			 MLFY_EINVAL);
	assert_int_equal(mlfy_users_invite_tx(e->s, "hal", MLFY_ROLE_ADMIN, "admin", 1000, 0, token, &err),
			 MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "lifetime"));
	assert_int_equal(mlfy_users_invite_tx(e->s, "hal", MLFY_ROLE_ADMIN, "admin", 1000, 366LL * 86400, token,
					      &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_invite_tx(e->s, "hal", MLFY_ROLE_ADMIN, "", 1000, 3600, token, &err), MLFY_EINVAL);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM annotators"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites"), 1);
	/* outside a transaction; an unknown account */
	assert_int_equal(mlfy_invite_create(e->s, 1, "admin", 1000, 3600, token, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_invite_create(e->s, 999, "admin", 1000, 3600, token, &err), MLFY_ENOTFOUND);
	mlfy_store_rollback(e->s);
}

static void set_role(void **state)
{
	struct env *e = *state;
	struct mlfy_user u;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_add_tx(e->s, "ivy", MLFY_ROLE_ANNOTATOR, "long-enough-pw", &err), 0);
	assert_int_equal(mlfy_users_set_role_tx(e->s, "ivy", MLFY_ROLE_EXPERT, &err), 0);
	assert_int_equal(mlfy_users_get(e->s, "ivy", &u, &err), 0);
	assert_int_equal(u.role, MLFY_ROLE_EXPERT);
	mlfy_user_release(&u);
	assert_int_equal(mlfy_users_set_role_tx(e->s, "nobody", MLFY_ROLE_EXPERT, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nobody"));
	assert_int_equal(mlfy_users_set_role_tx(e->s, "ivy", (enum mlfy_role)7, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_users_set_role(e->s, "ivy", MLFY_ROLE_ADMIN, &err), MLFY_EINVAL);   /* no transaction */
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT role = 'expert' FROM annotators WHERE name = 'ivy'"), 1);
	assert_int_equal(mlfy_users_verify(e->s, "ivy", "long-enough-pw", &u, &err), 0);
	assert_int_equal(u.role, MLFY_ROLE_EXPERT);
	mlfy_user_release(&u);
}

/* `mlfy user passwd` revokes an open link: it must not replace the new
 * password later (QA of issue 14) */
static void passwd_revokes_open_links(void **state)
{
	struct env *e = *state;
	char token[MLFY_TOKEN_LEN + 1];
	struct mlfy_user u;
	struct mlfy_err err;
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(mlfy_users_invite_tx(e->s, "joe", MLFY_ROLE_ANNOTATOR, "shell:t", now, 3600, token, &err), 0);
	assert_int_equal(mlfy_users_set_password_tx(e->s, "joe", "shell-set-password", &err), 0);
	refused(e, token, now);
	assert_int_equal(mlfy_users_verify(e->s, "joe", "shell-set-password", &u, &err), 0);
	mlfy_user_release(&u);
	/* a redeemed link reads as used, not replaced */
	assert_int_equal(mlfy_users_reset_tx(e->s, "joe", "shell:t", now, 3600, token, &err), 0);
	assert_int_equal(mlfy_invite_redeem_tx(e->s, token, "link-set-password", now, &u, &err), 0);
	mlfy_user_release(&u);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM invites i JOIN annotators a ON a.id = i.annotator_id"
				  " WHERE a.name = 'joe' AND used_at IS NOT NULL AND revoked_at IS NULL"), 1);
}

/* the last enabled admin can be neither disabled nor demoted: nobody could
 * run the console any more */
static void last_admin_is_kept(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;

	assert_int_equal(mlfy_users_add_tx(e->s, "root", MLFY_ROLE_ADMIN, "long-enough-pw", &err), 0);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "root", 1, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "last enabled admin"));
	assert_int_equal(mlfy_users_set_role_tx(e->s, "root", MLFY_ROLE_EXPERT, &err), MLFY_ECONFLICT);
	assert_int_equal(rfix_int(&e->f, "SELECT role = 'admin' AND disabled = 0 FROM annotators WHERE name = 'root'"), 1);
	assert_int_equal(mlfy_users_add_tx(e->s, "root2", MLFY_ROLE_ADMIN, "long-enough-pw", &err), 0);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "root", 1, &err), 0);
	assert_int_equal(mlfy_users_set_role_tx(e->s, "root2", MLFY_ROLE_EXPERT, &err), MLFY_ECONFLICT);
	assert_int_equal(mlfy_users_set_disabled_tx(e->s, "root", 0, &err), 0);
	assert_int_equal(mlfy_users_set_role_tx(e->s, "root2", MLFY_ROLE_EXPERT, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(redeem_once, setup, teardown),
		cmocka_unit_test_setup_teardown(expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(disabled_account, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(token_not_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(set_role, setup, teardown),
		cmocka_unit_test_setup_teardown(passwd_revokes_open_links, setup, teardown),
		cmocka_unit_test_setup_teardown(last_admin_is_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
