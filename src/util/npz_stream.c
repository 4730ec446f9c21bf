/* npz_stream.c - .npz members read as streams (npz.h, mlfy_npz_stream_*):
 * the member's .npy header parsed up front, then its data in pieces of the
 * caller's size through fixed buffers -- stored members by plain reads,
 * deflated ones inflated by zlib in a producer thread -- so memory does not
 * grow with the member.  The zip directory and whole members: npz.c. */
#include "util/npz.h"
#include "util/npz_zip.h"
#include "util/vec.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- members as streams --------------------------------------------------------- */

/* Compressed bytes read from the archive at a time. */
#define STREAM_IN (256u * 1024u)
/* The ring between the inflating thread and the reader: RING_SLOTS pieces
 * of at most SLOT_SIZE inflated bytes each (smaller for smaller members). */
#define RING_SLOTS 4u
#define SLOT_SIZE (1u << 20)

/* A deflated member is inflated by a producer thread (zlib's raw inflate,
 * reading the archive through inbuf) into a ring of RING_SLOTS fixed
 * pieces, while the reader's thread copies them out and computes the
 * CRC-32: inflating overlaps with whatever the reader does with the data.
 * The producer stops at its first error and leaves it in perr, after the
 * bytes it inflated before the error, so the reader meets the error at the
 * same byte, with the same message, as a reader inflating itself would
 * (where no thread can be started, the reader runs the producer's steps
 * itself).  Stored members are read straight from the archive. */
struct mlfy_npz_stream {
	struct mlfy_npz *z;
	const struct npz_entry *e;
	char label[4096];
	struct mlfy_npy *hdr;        /* header-only handle */
	uint64_t produced;           /* member bytes delivered, header included */
	uLong crc;
	/* stored members (reader's thread), deflated ones (producer's thread) */
	uint64_t in_off, in_left;    /* next compressed (or stored) byte, bytes left */
	/* the producer's own state */
	int inflating;               /* zs is initialised */
	z_stream zs;                 /* zlib's raw inflate over inbuf */
	uint64_t made;               /* bytes inflated */
	unsigned char *inbuf;        /* [STREAM_IN] */
	/* the ring: buf, len[], head, tail, done, prc and perr are shared under
	 * mu (a slot's bytes belong to the producer while tail - head <
	 * RING_SLOTS counts it free, to the reader once published) */
	int threaded;                /* the producer thread runs (join at close) */
	int sync_init;               /* 1: mu initialised, 2: and filled, 3: and freed */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
	unsigned char *buf;          /* [RING_SLOTS * slot] */
	size_t slot;                 /* bytes per slot */
	size_t len[RING_SLOTS];      /* bytes in each published slot */
	uint64_t head, tail;         /* slots the reader has released, slots published */
	int done, stop;              /* the producer has finished; the reader asks it to stop */
	int prc;                     /* when done: its status, and perr its message */
	struct mlfy_err perr;
	size_t pos;                  /* the reader's next byte in slot head (reader only) */
};

/* Reads the next n compressed (or stored) bytes of the member. */
static int stream_pull(struct mlfy_npz_stream *st, unsigned char *buf, size_t n, struct mlfy_err *err)
{
	int rc;
	if ((rc = npz_zread(st->z, buf, n, st->in_off, st->label, err)))
		return rc;
	st->in_off += n;
	st->in_left -= n;
	return 0;
}

void mlfy_npz_stream_close(struct mlfy_npz_stream *st)
{
	if (!st)
		return;
	if (st->threaded) {
		pthread_mutex_lock(&st->mu);
		st->stop = 1;
		pthread_cond_signal(&st->freed);
		pthread_mutex_unlock(&st->mu);
		pthread_join(st->thread, NULL);
	}
	if (st->sync_init > 2)
		pthread_cond_destroy(&st->freed);
	if (st->sync_init > 1)
		pthread_cond_destroy(&st->filled);
	if (st->sync_init > 0)
		pthread_mutex_destroy(&st->mu);
	if (st->inflating)
		inflateEnd(&st->zs);
	mlfy_npy_close(st->hdr);
	MLFY_FREE_ALL(st->inbuf, st->buf, st);
}

/* Inflates up to n bytes into dst with zlib (raw deflate), reading the
 * compressed bytes as needed; *got < n only when the deflate stream ended. */
static int stream_inflate(struct mlfy_npz_stream *st, unsigned char *dst, size_t n, size_t *got,
			  struct mlfy_err *err)
{
	*got = 0;
	while (*got < n) {
		uInt want = n - *got > (1u << 30) ? (1u << 30) : (uInt)(n - *got);
		int zrc;
		if (st->zs.avail_in == 0 && st->in_left > 0) {
			size_t k = st->in_left < STREAM_IN ? (size_t)st->in_left : STREAM_IN;
			int rc = stream_pull(st, st->inbuf, k, err);
			if (rc)
				return rc;
			st->zs.next_in = st->inbuf;
			st->zs.avail_in = (uInt)k;
		}
		st->zs.next_out = dst + *got;
		st->zs.avail_out = want;
		zrc = inflate(&st->zs, Z_NO_FLUSH);
		*got += want - st->zs.avail_out;
		if (zrc == Z_STREAM_END)
			return 0;
		if (zrc == Z_BUF_ERROR && st->zs.avail_in == 0 && st->in_left == 0)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt deflate data (stream ends early)", st->label);
		if (zrc != Z_OK && zrc != Z_BUF_ERROR)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt deflate data (%s)", st->label,
					    st->zs.msg ? st->zs.msg : "zlib error");
	}
	return 0;
}

/* The producer's step: inflates the next piece into the free slot tail
 * and publishes it; once the declared size is reached, checks that the
 * deflate stream ends there.  Sets done (with prc / perr) after the last
 * piece or at the first error, the bytes inflated before it published.
 * Called with tail - head < RING_SLOTS and !done, without mu held. */
static void produce(struct mlfy_npz_stream *st)
{
	const struct npz_entry *e = st->e;
	unsigned char *dst = st->buf + (size_t)(st->tail % RING_SLOTS) * st->slot;
	size_t want = e->usize - st->made < st->slot ? (size_t)(e->usize - st->made) : st->slot, got = 0;
	struct mlfy_err perr;
	int rc = 0, last = 0;

	perr.code = 0;
	perr.msg[0] = '\0';
	if (want > 0) {
		rc = stream_inflate(st, dst, want, &got, &perr);
		st->made += got;
		if (!rc && got < want)
			rc = mlfy_err_set(&perr, MLFY_EINVAL, "%s: corrupt member (inflates to %llu bytes, %llu declared)",
					  st->label, (unsigned long long)st->made, (unsigned long long)e->usize);
	}
	if (!rc && st->made == e->usize) {
		/* the end: the deflate stream must stop exactly here */
		unsigned char sink;
		size_t extra = 0;
		last = 1;
		if (!(rc = stream_inflate(st, &sink, 1, &extra, &perr)) && extra)
			rc = mlfy_err_set(&perr, MLFY_EINVAL,
					  "%s: corrupt member (inflates to more than its declared %llu bytes)",
					  st->label, (unsigned long long)e->usize);
	}
	pthread_mutex_lock(&st->mu);
	if (got) {
		st->len[st->tail % RING_SLOTS] = got;
		st->tail++;
	}
	if (rc || last) {
		st->done = 1;
		st->prc = rc;
		st->perr = perr;
	}
	pthread_cond_signal(&st->filled);
	pthread_mutex_unlock(&st->mu);
}

/* The producer thread: fills free slots until done or asked to stop. */
static void *producer_main(void *arg)
{
	struct mlfy_npz_stream *st = arg;
	for (;;) {
		pthread_mutex_lock(&st->mu);
		while (!st->stop && !st->done && st->tail - st->head == RING_SLOTS)
			pthread_cond_wait(&st->freed, &st->mu);
		if (st->stop || st->done) {
			pthread_mutex_unlock(&st->mu);
			return NULL;
		}
		pthread_mutex_unlock(&st->mu);
		produce(st);
	}
}

/* With mu held: waits for the producer's next piece (or verdict), or,
 * without a thread, produces it. */
static void ring_wait(struct mlfy_npz_stream *st)
{
	if (st->threaded) {
		pthread_cond_wait(&st->filled, &st->mu);
		return;
	}
	pthread_mutex_unlock(&st->mu);
	produce(st);
	pthread_mutex_lock(&st->mu);
}

/* Copies the next n inflated bytes out of the ring into dst, waiting for
 * the producer (or, without a thread, producing in place); the producer's
 * error once the bytes before it are used up. */
static int ring_take(struct mlfy_npz_stream *st, unsigned char *dst, size_t n, struct mlfy_err *err)
{
	while (n > 0) {
		size_t s, k;
		pthread_mutex_lock(&st->mu);
		if (st->head < st->tail && st->pos == st->len[st->head % RING_SLOTS]) {
			/* the slot is used up: hand it back */
			st->head++;
			st->pos = 0;
			pthread_cond_signal(&st->freed);
		}
		while (st->head == st->tail && !st->done)
			ring_wait(st);
		if (st->head == st->tail) {
			/* done with nothing left: the producer's error */
			int rc = st->prc;
			if (!rc)   /* cannot happen: reads stop at the declared size */
				rc = mlfy_err_set(&st->perr, MLFY_EINVAL, "%s: corrupt member (inflates to %llu bytes, "
						  "%llu declared)", st->label, (unsigned long long)st->made,
						  (unsigned long long)st->e->usize);
			if (err)
				*err = st->perr;
			pthread_mutex_unlock(&st->mu);
			return rc;
		}
		s = (size_t)(st->head % RING_SLOTS);
		k = st->len[s] - st->pos;
		pthread_mutex_unlock(&st->mu);
		/* slot s is the reader's until head moves past it */
		if (k > n)
			k = n;
		memcpy(dst, st->buf + s * st->slot + st->pos, k);
		st->pos += k;
		dst += k;
		n -= k;
	}
	return 0;
}

/* Waits for the producer to finish after the last byte: its verdict on
 * the end of the deflate stream. */
static int ring_finish(struct mlfy_npz_stream *st, struct mlfy_err *err)
{
	int rc;
	pthread_mutex_lock(&st->mu);
	while (!st->done)
		ring_wait(st);
	rc = st->prc;
	if (rc && err)
		*err = st->perr;
	pthread_mutex_unlock(&st->mu);
	return rc;
}

/* Delivers exactly n member bytes into dst (n <= usize - produced) and
 * adds them to the CRC-32. */
static int stream_fill(struct mlfy_npz_stream *st, unsigned char *dst, size_t n, struct mlfy_err *err)
{
	int rc;
	const unsigned char *p = dst;
	size_t left = n;

	if ((rc = st->e->method == 0 ? stream_pull(st, dst, n, err) : ring_take(st, dst, n, err)))
		return rc;
	while (left > 0) {
		uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
		st->crc = crc32(st->crc, p, k);
		p += k;
		left -= k;
	}
	st->produced += n;
	return 0;
}

/* After the last byte: the deflate stream must end exactly there, and the
 * CRC-32 must match. */
static int stream_finish(struct mlfy_npz_stream *st, struct mlfy_err *err)
{
	int rc;
	if (st->e->method == 8 && (rc = ring_finish(st, err)))
		return rc;
	if ((uint32_t)st->crc != st->e->crc)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: CRC-32 mismatch (corrupt archive)", st->label);
	return 0;
}

/* Sets up the ring and zlib for a deflated member and starts the producer
 * (without a thread, if none can be started, the reader inflates itself). */
static int ring_start(struct mlfy_npz_stream *st, struct mlfy_err *err)
{
	uint64_t usize = st->e->usize;
	st->slot = usize < SLOT_SIZE ? (usize ? (size_t)usize : 1) : SLOT_SIZE;
	if (!(st->buf = malloc(RING_SLOTS * st->slot)) || !(st->inbuf = malloc(STREAM_IN)))
		return mlfy_err_oom(err);
	if (inflateInit2(&st->zs, -MAX_WBITS) != Z_OK)
		return mlfy_err_oom(err);
	st->inflating = 1;
	if (pthread_mutex_init(&st->mu, NULL))
		return mlfy_err_oom(err);
	st->sync_init = 1;
	if (pthread_cond_init(&st->filled, NULL))
		return mlfy_err_oom(err);
	st->sync_init = 2;
	if (pthread_cond_init(&st->freed, NULL))
		return mlfy_err_oom(err);
	st->sync_init = 3;
	{
		/* signals stay with the caller's threads (the thread blocks them all) */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		st->threaded = pthread_create(&st->thread, NULL, producer_main, st) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return 0;
}

int mlfy_npz_stream_open(struct mlfy_npz *z, const char *name, struct mlfy_npz_stream **out,
			 struct mlfy_err *err)
{
	struct mlfy_npz_stream *st;
	unsigned char head[12], *dict = NULL;
	uint64_t data_off = 0;
	size_t pre, hlen;
	int rc;

	*out = NULL;
	if (!(st = calloc(1, sizeof(*st))))
		return mlfy_err_oom(err);
	st->z = z;
	st->crc = crc32(0L, Z_NULL, 0);
	if ((rc = npz_locate(z, name, &st->e, &data_off, st->label, sizeof(st->label), err)))
		goto fail;
	st->in_off = data_off;
	st->in_left = st->e->csize;
	/* the preamble: magic, version, header length (2 bytes in 1.0, 4 after) */
	memset(head, 0, sizeof(head));
	if (st->e->usize < 10) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not a .npy file (bad magic)", st->label);
		goto fail;
	}
	if (st->e->method == 8 && (rc = ring_start(st, err)))
		goto fail;
	if ((rc = stream_fill(st, head, 10, err)))
		goto fail;
	pre = head[6] >= 2 ? 12 : 10;
	if (pre == 12 && (st->e->usize < 12 || (rc = stream_fill(st, head + 10, 2, err)))) {
		if (!rc)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: truncated .npy header", st->label);
		goto fail;
	}
	hlen = pre == 10 ? (size_t)(head[8] | head[9] << 8)
		: (size_t)((uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 |
			   (uint32_t)head[11] << 24);
	if (hlen > (1u << 20) || pre + hlen > st->e->usize) {
		/* let the .npy parser word the error */
		rc = mlfy_npy_open_header(st->label, head, pre, st->e->usize, &st->hdr, err);
		if (!rc)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: truncated .npy header", st->label);
		goto fail;
	}
	if (!(dict = malloc(pre + hlen))) {
		rc = mlfy_err_oom(err);
		goto fail;
	}
	memcpy(dict, head, pre);
	if ((rc = stream_fill(st, dict + pre, hlen, err)) ||
	    (rc = mlfy_npy_open_header(st->label, dict, pre + hlen, st->e->usize, &st->hdr, err)))
		goto fail;
	free(dict);
	dict = NULL;
	if (st->produced == st->e->usize && (rc = stream_finish(st, err)))
		goto fail;
	*out = st;
	return 0;
fail:
	free(dict);
	mlfy_npz_stream_close(st);
	return rc;
}

const struct mlfy_npy *mlfy_npz_stream_header(const struct mlfy_npz_stream *st)
{
	return st->hdr;
}

uint64_t mlfy_npz_stream_left(const struct mlfy_npz_stream *st)
{
	return st->e->usize - st->produced;
}

int mlfy_npz_stream_read(struct mlfy_npz_stream *st, void *buf, size_t n, struct mlfy_err *err)
{
	int rc;
	if (n > st->e->usize - st->produced)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: read of %zu bytes past the end of the member (%llu left)",
				    st->label, n, (unsigned long long)(st->e->usize - st->produced));
	if (n == 0)
		return 0;
	if ((rc = stream_fill(st, buf, n, err)))
		return rc;
	if (st->produced == st->e->usize)
		return stream_finish(st, err);
	return 0;
}
