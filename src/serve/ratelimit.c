/* ratelimit.c - login throttling per (user name, client address), and per
 * client address across names.
 *
 * After RL_FREE_TRIES consecutive failures, each further failure doubles a
 * waiting time (30 s, 60 s, 120 s, ... capped at RL_MAX_DELAY) during which
 * logins for that pair are refused with 429 before any password is checked.
 * A success clears the pair.  The same holds for a client address after
 * RL_ADDR_FREE_TRIES failures for any names (a flood of logins for fresh
 * names is throttled too); its count restarts after RL_ADDR_WINDOW seconds
 * without a failure, and after a successful login from it (a delay then
 * running still runs, and the next failure starts a new 30 s one rather
 * than a doubled one).  State is in memory (a fixed table), so a restart
 * forgets it.
 *
 * The table must hold against a client that fails logins for many other
 * names to push a throttled pair out: slots are placed by a keyed hash
 * (SipHash-2-4 with a random key per server), so nobody can compute names
 * that land in a chosen pair's probe window, and a full window gives up
 * the slot that matters least -- one that throttles nothing now (oldest
 * failure first), else the one whose delay ends first -- never a pair in a
 * long delay in favour of a name tried once. */
#include "serve/ratelimit.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

_Static_assert(RL_HKEY_BYTES == crypto_shorthash_KEYBYTES, "RL_HKEY_BYTES must be crypto_shorthash_KEYBYTES");

void rl_init(struct ratelimit *rl)
{
	randombytes_buf(rl->hkey, sizeof(rl->hkey));
}

/* SipHash of (SipHash of user), a domain byte (0: a pair, 1: an address
 * alone, user then ignored) and addr; never 0 (0 marks a free slot). */
static uint64_t key_of(const struct ratelimit *rl, int domain, const char *user, const char *addr)
{
	unsigned char in[crypto_shorthash_BYTES + 1 + 64], out[crypto_shorthash_BYTES];
	size_t n = strnlen(addr, 64);
	uint64_t h;

	if (domain)
		memset(in, 0, crypto_shorthash_BYTES);
	else
		crypto_shorthash(in, (const unsigned char *)user, strlen(user), rl->hkey);
	in[crypto_shorthash_BYTES] = (unsigned char)domain;
	memcpy(in + crypto_shorthash_BYTES + 1, addr, n);
	crypto_shorthash(out, in, crypto_shorthash_BYTES + 1 + n, rl->hkey);
	memcpy(&h, out, sizeof(h));
	return h ? h : 1;
}

/* 1 when slot a is a better victim for eviction than slot b. */
static int worse(const struct rl_slot *a, const struct rl_slot *b, int64_t now)
{
	int a_blocks = a->until > now, b_blocks = b->until > now;
	if (a_blocks != b_blocks)
		return !a_blocks;
	return a_blocks ? a->until < b->until : a->last < b->last;
}

static struct rl_slot *find(struct ratelimit *rl, uint64_t key, int create, int64_t now)
{
	struct rl_slot *victim = NULL;
	size_t i, start = (size_t)(key % RL_SLOTS);
	for (i = 0; i < 64; i++) {
		struct rl_slot *s = &rl->slot[(start + i) % RL_SLOTS];
		if (s->key == key)
			return s;
		if (!create)
			continue;
		if (!s->key || (s->until < now && now - s->last > RL_MAX_DELAY)) {
			memset(s, 0, sizeof(*s));
			s->key = key;
			return s;
		}
		if (!victim || worse(s, victim, now))
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

/* The delay after fails failures of which free are free: 30 s, doubling,
 * at most RL_MAX_DELAY; 0 below free. */
static int64_t delay_of(int fails, int free)
{
	int sh = fails - free;
	int64_t d;
	if (sh < 0)
		return 0;
	d = sh >= 10 ? RL_MAX_DELAY : (int64_t)RL_BASE_DELAY << sh;
	return d > RL_MAX_DELAY ? RL_MAX_DELAY : d;
}

int64_t rl_wait(struct ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	struct rl_slot *s;
	int64_t w = 0;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(rl, 0, user, addr), 0, now);
	if (s && s->until > now)
		w = s->until - now;
	s = find(rl, key_of(rl, 1, "", addr), 0, now);
	if (s && s->until - now > w)
		w = s->until - now;
	pthread_mutex_unlock(&rl->mu);
	return w;
}

void rl_fail(struct ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	struct rl_slot *s;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(rl, 0, user, addr), 1, now);
	s->fails++;
	s->last = now;
	if (s->fails >= RL_FREE_TRIES)
		s->until = now + delay_of(s->fails, RL_FREE_TRIES);
	s = find(rl, key_of(rl, 1, "", addr), 1, now);
	if (s->fails && now - s->last > RL_ADDR_WINDOW && s->until <= now)
		s->fails = 0;
	s->fails++;
	s->last = now;
	if (s->fails >= RL_ADDR_FREE_TRIES)
		s->until = now + delay_of(s->fails, RL_ADDR_FREE_TRIES);
	pthread_mutex_unlock(&rl->mu);
}

void rl_ok(struct ratelimit *rl, const char *user, const char *addr)
{
	struct rl_slot *s;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(rl, 0, user, addr), 0, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	/* a right password from the address also restarts its count (QA:
	 * behind a proxy or NAT one typo after a wait locked everyone out for
	 * 60 s, then 120 s...); a delay already running still runs */
	s = find(rl, key_of(rl, 1, "", addr), 0, 0);
	if (s && s->until <= (int64_t)time(NULL))
		memset(s, 0, sizeof(*s));
	else if (s)
		s->fails = RL_ADDR_FREE_TRIES - 1;
	pthread_mutex_unlock(&rl->mu);
}
