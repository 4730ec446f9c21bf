/* test_login_throttle.c - the login throttle's rule (serve/ratelimit.h)
 * over the store's rows (store/login_throttle.h), on SQLite and (as
 * pg/store/test_login_throttle) PostgreSQL: the same policy as the former
 * in-memory table (5 free failures per pair, then 30 s doubling to 900 s;
 * 20 per address with its 600 s window; a success clears the pair and
 * restarts the address), state shared by two handles (two instances),
 * keys that hold no name or address in clear, writes refused outside a
 * transaction, and the table bounded: idle rows pruned in the same write,
 * the cap evicting rows that refuse nothing first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "serve/ratelimit.h"
#include "store/login_throttle.h"
#include "store/store.h"
#include "testutil.h"

#define T0 1800000000   /* a fixed "now" (unix seconds) */

static struct mlfy_store *open_new(char *path, size_t n)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	test_project(path, n, "throttle.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	return s;
}

static void record(struct mlfy_store *s, const char *user, const char *addr, int ok, int64_t now)
{
	struct mlfy_err err;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(rl_record(s, user, addr, ok, now, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

static int64_t wait_of(struct mlfy_store *s, const char *user, const char *addr, int64_t now)
{
	struct mlfy_err err;
	int64_t w = -1;
	assert_int_equal(rl_wait(s, user, addr, now, &w, &err), 0);
	return w;
}

/* The pair's rule, counted across two handles (two instances). */
static void pair_rule_shared(void **state)
{
	char path[4096];
	struct mlfy_store *a, *b = NULL;
	struct mlfy_err err;
	int i;

	(void)state;
	a = open_new(path, sizeof(path));
	assert_int_equal(mlfy_store_open(path, 0, &b, &err), 0);
	for (i = 0; i < RL_FREE_TRIES - 1; i++)
		record(a, "ann1", "10.0.0.1", 0, T0);
	assert_int_equal(wait_of(b, "ann1", "10.0.0.1", T0), 0);
	record(a, "ann1", "10.0.0.1", 0, T0);                  /* the 5th: 30 s */
	assert_int_equal(wait_of(b, "ann1", "10.0.0.1", T0), RL_BASE_DELAY);
	assert_int_equal(wait_of(b, "ann1", "10.0.0.1", T0 + 10), RL_BASE_DELAY - 10);
	assert_int_equal(wait_of(b, "ann1", "10.0.0.2", T0), 0);  /* another address */
	assert_int_equal(wait_of(b, "ann2", "10.0.0.1", T0), 0);  /* another name */
	record(b, "ann1", "10.0.0.1", 0, T0 + 30);             /* the 6th, on b: 60 s */
	assert_int_equal(wait_of(a, "ann1", "10.0.0.1", T0 + 30), 2 * RL_BASE_DELAY);
	for (i = 0; i < 10; i++)
		record(a, "ann1", "10.0.0.1", 0, T0 + 100);
	assert_int_equal(wait_of(a, "ann1", "10.0.0.1", T0 + 100), RL_MAX_DELAY);
	record(b, "ann1", "10.0.0.1", 1, T0 + 1000);           /* a success clears the pair */
	assert_int_equal(wait_of(a, "ann1", "10.0.0.1", T0 + 1000), 0);
	mlfy_store_close(b);
	mlfy_store_close(a);
}

/* The address's rule: 20 names, its window, a success. */
static void address_rule(void **state)
{
	char path[4096], name[32];
	struct mlfy_store *s;
	int i;

	(void)state;
	s = open_new(path, sizeof(path));
	for (i = 0; i < RL_ADDR_FREE_TRIES - 1; i++) {
		snprintf(name, sizeof(name), "fresh%d", i);
		record(s, name, "10.0.0.9", 0, T0);
	}
	assert_int_equal(wait_of(s, "other", "10.0.0.9", T0), 0);
	record(s, "fresh19", "10.0.0.9", 0, T0);               /* the 20th: the address waits */
	assert_int_equal(wait_of(s, "other", "10.0.0.9", T0), RL_BASE_DELAY);
	/* a success from it keeps the running delay; the next failure starts a
	 * new 30 s one, not a doubled one */
	record(s, "ok", "10.0.0.9", 1, T0 + 1);
	assert_int_equal(wait_of(s, "other", "10.0.0.9", T0 + 1), RL_BASE_DELAY - 1);
	record(s, "typo", "10.0.0.9", 0, T0 + 40);
	assert_int_equal(wait_of(s, "other", "10.0.0.9", T0 + 40), RL_BASE_DELAY);
	/* after its window without a failure (and no delay), the count restarts */
	for (i = 0; i < RL_ADDR_FREE_TRIES - 1; i++) {
		snprintf(name, sizeof(name), "later%d", i);
		record(s, name, "10.0.0.9", 0, T0 + 100 + RL_ADDR_WINDOW);
	}
	assert_int_equal(wait_of(s, "other", "10.0.0.9", T0 + 100 + RL_ADDR_WINDOW), 0);
	mlfy_store_close(s);
}

/* Keys: hex digests, distinct per pair and address, no text in clear. */
static void keys(void **state)
{
	char p1[RL_KEY_LEN + 1], a1[RL_KEY_LEN + 1], p2[RL_KEY_LEN + 1], a2[RL_KEY_LEN + 1];

	(void)state;
	rl_keys("ab", "c", p1, a1);
	rl_keys("a", "bc", p2, a2);
	assert_int_equal(strlen(p1), RL_KEY_LEN);
	assert_int_equal(strspn(p1, "0123456789abcdef"), RL_KEY_LEN);
	assert_string_not_equal(p1, p2);   /* the name's length is hashed */
	assert_string_not_equal(a1, a2);
	assert_string_not_equal(p1, a1);
	rl_keys("zz", "c", p2, a2);
	assert_string_equal(a1, a2);       /* the address's key ignores the name */
}

/* Writes need a transaction; idle rows go in the same write; the cap
 * evicts rows that refuse nothing first, oldest failure first, then the
 * delays that end first. */
static void prune_and_cap(void **state)
{
	char path[4096];
	struct mlfy_store *s;
	struct mlfy_err err;
	struct mlfy_throttle_row row = { 1, 0, T0 };
	int64_t n = 0, gone = 0;
	int found = 0;

	(void)state;
	s = open_new(path, sizeof(path));
	assert_int_equal(mlfy_throttle_put(s, "k", &row, &err), MLFY_EINVAL);
	assert_int_equal(rl_record(s, "u", "a", 0, T0, &err), MLFY_EINVAL);

	assert_int_equal(mlfy_store_begin(s, &err), 0);
	/* idle: last failure long ago, no delay */
	row = (struct mlfy_throttle_row){ 3, 0, T0 - RL_IDLE_FORGET - 1 };
	assert_int_equal(mlfy_throttle_put(s, "idle", &row, &err), 0);
	/* refusing nothing now, failures at T0-20 and T0-10 */
	row = (struct mlfy_throttle_row){ 1, 0, T0 - 20 };
	assert_int_equal(mlfy_throttle_put(s, "old", &row, &err), 0);
	row = (struct mlfy_throttle_row){ 1, 0, T0 - 10 };
	assert_int_equal(mlfy_throttle_put(s, "newer", &row, &err), 0);
	/* in a delay: ends at T0+500 and T0+100 */
	row = (struct mlfy_throttle_row){ 9, T0 + 500, T0 - 400 };
	assert_int_equal(mlfy_throttle_put(s, "long", &row, &err), 0);
	row = (struct mlfy_throttle_row){ 6, T0 + 100, T0 - 30 };
	assert_int_equal(mlfy_throttle_put(s, "short", &row, &err), 0);
	assert_int_equal(mlfy_throttle_prune(s, T0, T0 - RL_IDLE_FORGET, 100, &gone, &err), 0);
	assert_int_equal(gone, 1);
	assert_int_equal(mlfy_throttle_get(s, "idle", &row, &found, &err), 0);
	assert_int_equal(found, 0);
	/* cap 3: "old" then "newer" go, the delays stay */
	assert_int_equal(mlfy_throttle_prune(s, T0, T0 - RL_IDLE_FORGET, 3, &gone, &err), 0);
	assert_int_equal(gone, 1);
	assert_int_equal(mlfy_throttle_get(s, "old", &row, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(mlfy_throttle_prune(s, T0, T0 - RL_IDLE_FORGET, 2, &gone, &err), 0);
	assert_int_equal(mlfy_throttle_get(s, "newer", &row, &found, &err), 0);
	assert_int_equal(found, 0);
	/* cap 1: of two delays, the one ending first goes */
	assert_int_equal(mlfy_throttle_prune(s, T0, T0 - RL_IDLE_FORGET, 1, &gone, &err), 0);
	assert_int_equal(mlfy_throttle_get(s, "short", &row, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(mlfy_throttle_get(s, "long", &row, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_int_equal(row.fails, 9);
	assert_int_equal(row.until, T0 + 500);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_throttle_count(s, &n, &err), 0);
	assert_int_equal(n, 1);

	/* rl_record prunes in its own write: "long" (delay over by then, last
	 * failure long ago) goes when another login is recorded */
	record(s, "u", "a", 0, T0 + 500 + RL_IDLE_FORGET + 1);
	assert_int_equal(mlfy_throttle_get(s, "long", &row, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(mlfy_throttle_count(s, &n, &err), 0);
	assert_int_equal(n, 2);   /* the pair and the address just written */
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pair_rule_shared),
		cmocka_unit_test(address_rule),
		cmocka_unit_test(keys),
		cmocka_unit_test(prune_and_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
