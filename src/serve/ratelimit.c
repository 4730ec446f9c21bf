/* ratelimit.c - login throttling per (user name, client address).
 *
 * After RL_FREE_TRIES consecutive failures, each further failure doubles a
 * waiting time (30 s, 60 s, 120 s, ... capped at RL_MAX_DELAY) during which
 * logins for that pair are refused with 429 before any password is checked.
 * A success clears the pair.  State is in memory (a fixed table; the slot of
 * the oldest failure is reused when full), so a restart forgets it. */
#include "serve/internal.h"

#include <string.h>

/* FNV-1a over "user\0addr"; never 0 (0 marks a free slot). */
static uint64_t key_of(const char *user, const char *addr)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	for (p = (const unsigned char *)user; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0) * 1099511628211ULL;
	for (p = (const unsigned char *)addr; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ? h : 1;
}

static struct rl_slot *find(struct ratelimit *rl, uint64_t key, int create, int64_t now)
{
	struct rl_slot *oldest = NULL;
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
		if (!oldest || s->last < oldest->last)
			oldest = s;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	return oldest;
}

int64_t rl_wait(struct ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	struct rl_slot *s;
	int64_t w = 0;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(user, addr), 0, now);
	if (s && s->until > now)
		w = s->until - now;
	pthread_mutex_unlock(&rl->mu);
	return w;
}

void rl_fail(struct ratelimit *rl, const char *user, const char *addr, int64_t now)
{
	struct rl_slot *s;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(user, addr), 1, now);
	s->fails++;
	s->last = now;
	if (s->fails >= RL_FREE_TRIES) {
		int sh = s->fails - RL_FREE_TRIES;
		int64_t d = sh >= 10 ? RL_MAX_DELAY : (int64_t)RL_BASE_DELAY << sh;
		s->until = now + (d > RL_MAX_DELAY ? RL_MAX_DELAY : d);
	}
	pthread_mutex_unlock(&rl->mu);
}

void rl_ok(struct ratelimit *rl, const char *user, const char *addr)
{
	struct rl_slot *s;
	pthread_mutex_lock(&rl->mu);
	s = find(rl, key_of(user, addr), 0, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&rl->mu);
}
