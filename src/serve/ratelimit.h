/* ratelimit.h - login throttling per (user name, client address) and per
 * client address across user names (ratelimit.c): a fixed in-memory
 * table, keyed by SipHash. */
#ifndef MLFY_SERVE_RATELIMIT_H
#define MLFY_SERVE_RATELIMIT_H

#include <pthread.h>
#include <stdint.h>

#define RL_SLOTS 4096
#define RL_FREE_TRIES 5        /* failures allowed before delays start */
#define RL_BASE_DELAY 30       /* seconds after the RL_FREE_TRIES-th failure; doubles */
#define RL_MAX_DELAY 900       /* seconds */
#define RL_ADDR_FREE_TRIES 20  /* failures from one address, any names, before delays start */
#define RL_ADDR_WINDOW 600     /* seconds without a failure after which an address's count restarts */
#define RL_HKEY_BYTES 16       /* libsodium's crypto_shorthash_KEYBYTES (SipHash-2-4) */

struct rl_slot {
	uint64_t key;          /* hash of user name + client address; 0 = free */
	int fails;             /* consecutive failures */
	int64_t until;         /* unix seconds before which logins are refused */
	int64_t last;          /* last failure, for eviction */
};

struct ratelimit {
	pthread_mutex_t mu;
	unsigned char hkey[RL_HKEY_BYTES]; /* SipHash key of the slot placement (random, rl_init) */
	struct rl_slot slot[RL_SLOTS];
};

/* Draws the table's random hash key (libsodium must be initialised). */
void rl_init(struct ratelimit *rl);
/* Seconds the (user, addr) pair must still wait before trying (0 = may
 * try): the longer of the pair's own delay and that of addr, which counts
 * the failures of every name tried from it. */
int64_t rl_wait(struct ratelimit *rl, const char *user, const char *addr, int64_t now);
/* Records a failed login for the pair and for addr; a success clears the
 * pair and restarts addr's count (an address's count also restarts after
 * RL_ADDR_WINDOW seconds without a failure). */
void rl_fail(struct ratelimit *rl, const char *user, const char *addr, int64_t now);
void rl_ok(struct ratelimit *rl, const char *user, const char *addr);

#endif
