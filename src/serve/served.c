/* served.c - the table of when tasks were served to sessions (served.h). */
#include "serve/served.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct served_slot {
	uint64_t key;     /* 0 = free */
	double at;        /* CLOCK_MONOTONIC seconds */
};

static struct {
	pthread_mutex_t mu;
	pthread_once_t once;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	struct served_slot slot[SERVED_SLOTS];
} T = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_ONCE_INIT, { 0 }, { { 0, 0 } } };

static void init_key(void)
{
	randombytes_buf(T.hkey, sizeof(T.hkey));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t key_of(const char *token, int64_t image_id, int stage)
{
	unsigned char h[crypto_shorthash_BYTES];
	char msg[256];
	uint64_t k = 0;
	int len, i;

	pthread_once(&T.once, init_key);
	len = snprintf(msg, sizeof(msg), "%s/%lld/%d", token, (long long)image_id, stage);
	if (len < 0 || len >= (int)sizeof(msg))
		len = (int)sizeof(msg) - 1;
	crypto_shorthash(h, (const unsigned char *)msg, (unsigned long long)len, T.hkey);
	for (i = 0; i < (int)sizeof(h); i++)
		k = k << 8 | h[i];
	return k ? k : 1;
}

void served_note(const char *token, int64_t image_id, int stage)
{
	uint64_t k = key_of(token, image_id, stage);
	size_t base = (size_t)(k % SERVED_SLOTS), i, pick = base;
	double t = now_s();

	pthread_mutex_lock(&T.mu);
	for (i = 0; i < SERVED_WINDOW; i++) {
		struct served_slot *sl = &T.slot[(base + i) % SERVED_SLOTS];
		if (sl->key == k || !sl->key) {
			pick = (base + i) % SERVED_SLOTS;
			break;
		}
		if (sl->at < T.slot[pick].at)
			pick = (base + i) % SERVED_SLOTS;
	}
	T.slot[pick].key = k;
	T.slot[pick].at = t;
	pthread_mutex_unlock(&T.mu);
}

double served_elapsed(const char *token, int64_t image_id, int stage, double fallback)
{
	uint64_t k = key_of(token, image_id, stage);
	size_t base = (size_t)(k % SERVED_SLOTS), i;
	double t = now_s(), r = fallback;

	pthread_mutex_lock(&T.mu);
	for (i = 0; i < SERVED_WINDOW; i++) {
		const struct served_slot *sl = &T.slot[(base + i) % SERVED_SLOTS];
		if (sl->key == k) {
			r = t - sl->at;
			break;
		}
	}
	pthread_mutex_unlock(&T.mu);
	return r;
}
