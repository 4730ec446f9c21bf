/* ratelimit.c - login throttling per (user name, client address), and per
 * client address across names (ratelimit.h).
 *
 * After RL_FREE_TRIES consecutive failures, each further failure doubles a
 * waiting time (30 s, 60 s, 120 s, ... capped at RL_MAX_DELAY) during which
 * logins for that pair are refused with 429 before any password is checked.
 * A success clears the pair.  The same holds for a client address after
 * RL_ADDR_FREE_TRIES failures for any names (a flood of logins for fresh
 * names is throttled too); its count restarts after RL_ADDR_WINDOW seconds
 * without a failure, and after a successful login from it (a delay then
 * running still runs, and the next failure starts a new 30 s one rather
 * than a doubled one).
 *
 * The state is the store's (table login_throttle, store/login_throttle.h):
 * every instance on the project reads and writes the same rows, and a
 * restart keeps them.  The check before a login is a read on the worker
 * thread (rl_wait); the outcome is written on the login thread in a write
 * transaction (rl_record, called by logins.c), which also prunes rows idle
 * for RL_IDLE_FORGET s and caps the table at RL_CAP rows, so a flood of
 * made-up names cannot grow it without bound.  Unlike the former fixed
 * in-memory table there is no probe window to flood: a throttled pair is
 * dropped only at the cap, and only after every row that refuses nothing. */
#include "serve/ratelimit.h"

#include <sodium.h>
#include <string.h>

int64_t rl_delay_of(int fails, int free)
{
	int sh = fails - free;
	int64_t d;
	if (sh < 0)
		return 0;
	d = sh >= 10 ? RL_MAX_DELAY : (int64_t)RL_BASE_DELAY << sh;
	return d > RL_MAX_DELAY ? RL_MAX_DELAY : d;
}

void rl_pair_fail(struct mlfy_throttle_row *row, int64_t now)
{
	row->fails++;
	row->last = now;
	if (row->fails >= RL_FREE_TRIES)
		row->until = now + rl_delay_of(row->fails, RL_FREE_TRIES);
}

void rl_addr_fail(struct mlfy_throttle_row *row, int64_t now)
{
	if (row->fails && now - row->last > RL_ADDR_WINDOW && row->until <= now)
		row->fails = 0;
	row->fails++;
	row->last = now;
	if (row->fails >= RL_ADDR_FREE_TRIES)
		row->until = now + rl_delay_of(row->fails, RL_ADDR_FREE_TRIES);
}

int rl_addr_ok(struct mlfy_throttle_row *row, int64_t now)
{
	if (row->until <= now)
		return 1;
	row->fails = RL_ADDR_FREE_TRIES - 1;
	return 0;
}

void rl_keys(const char *user, const char *addr, char pair[RL_KEY_LEN + 1], char addr_key[RL_KEY_LEN + 1])
{
	size_t nu = strlen(user), na = strnlen(addr, 63);
	unsigned char hdr[9], h[RL_KEY_LEN / 2];
	crypto_generichash_state st;
	uint64_t len = nu;
	int i;

	/* the address alone: 'a', the address */
	hdr[0] = 'a';
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, hdr, 1);
	crypto_generichash_update(&st, (const unsigned char *)addr, na);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(addr_key, RL_KEY_LEN + 1, h, sizeof(h));
	/* the pair: 'p', the name's length (8 bytes, least significant
	 * first), the name, the address */
	hdr[0] = 'p';
	for (i = 0; i < 8; i++)
		hdr[1 + i] = (unsigned char)(len >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, hdr, sizeof(hdr));
	crypto_generichash_update(&st, (const unsigned char *)user, nu);
	crypto_generichash_update(&st, (const unsigned char *)addr, na);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(pair, RL_KEY_LEN + 1, h, sizeof(h));
}

int rl_wait(struct mlfy_store *s, const char *user, const char *addr, int64_t now, int64_t *wait,
	    struct mlfy_err *err)
{
	char pk[RL_KEY_LEN + 1], ak[RL_KEY_LEN + 1];
	struct mlfy_throttle_row row;
	int found, rc;

	*wait = 0;
	rl_keys(user, addr, pk, ak);
	if ((rc = mlfy_throttle_get(s, pk, &row, &found, err)))
		return rc;
	if (found && row.until > now)
		*wait = row.until - now;
	if ((rc = mlfy_throttle_get(s, ak, &row, &found, err)))
		return rc;
	if (found && row.until - now > *wait)
		*wait = row.until - now;
	return 0;
}

int rl_record(struct mlfy_store *s, const char *user, const char *addr, int ok, int64_t now,
	      struct mlfy_err *err)
{
	char pk[RL_KEY_LEN + 1], ak[RL_KEY_LEN + 1];
	struct mlfy_throttle_row row;
	int found, rc;

	rl_keys(user, addr, pk, ak);
	if (ok) {
		if ((rc = mlfy_throttle_delete(s, pk, err)) || (rc = mlfy_throttle_get(s, ak, &row, &found, err)))
			return rc;
		if (found)
			rc = rl_addr_ok(&row, now) ? mlfy_throttle_delete(s, ak, err) : mlfy_throttle_put(s, ak, &row, err);
	} else {
		if ((rc = mlfy_throttle_get(s, pk, &row, &found, err)))
			return rc;
		rl_pair_fail(&row, now);
		if ((rc = mlfy_throttle_put(s, pk, &row, err)) || (rc = mlfy_throttle_get(s, ak, &row, &found, err)))
			return rc;
		rl_addr_fail(&row, now);
		rc = mlfy_throttle_put(s, ak, &row, err);
	}
	if (rc)
		return rc;
	return mlfy_throttle_prune(s, now, now - RL_IDLE_FORGET, RL_CAP, NULL, err);
}
