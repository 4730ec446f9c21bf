/* npz.c - .npz archives: a minimal zip reader (central directory, zip64,
 * stored and deflated members, CRC-32 check) that hands each inflated
 * member to the .npy parser (npz.h, npy.h), or streams a member's data in
 * pieces through fixed buffers, inflated by zlib in a thread of the
 * stream's own (mlfy_npz_stream_*).
 *
 * Format: PKWARE APPNOTE.TXT 6.3.x, sections 4.3.6 (local file header),
 * 4.3.12 (central directory header), 4.3.14-4.3.16 (zip64 end of central
 * directory record and locator, end of central directory record) and
 * 4.5.3 (zip64 extended information extra field).  numpy.savez writes
 * stored members, numpy.savez_compressed deflated ones; both may use zip64
 * for large arrays. */
#include "util/npz.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define EOCD_LEN 22u
#define EOCD64_LOC_LEN 20u
#define EOCD64_LEN 56u
#define CENTRAL_LEN 46u
#define LOCAL_LEN 30u
/* deflate cannot compress better than about 1032:1 (RFC 1951 block
 * limits); larger declared sizes are a corrupt or hostile archive */
#define DEFLATE_MAX_RATIO 1032u

struct npz_entry {
	char *name;
	unsigned method;
	unsigned flags;
	uint32_t crc;
	uint64_t csize, usize, offset;
};

struct mlfy_npz {
	char *path;
	int fd;                      /* file mode: open descriptor; -1 in memory mode */
	const unsigned char *mem;    /* memory mode: the archive (borrowed) */
	uint64_t size;
	struct npz_entry *e;
	size_t n;
};

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Reads exactly n bytes at off; MLFY_EINVAL when the file ends first. */
static int zread(struct mlfy_npz *z, void *buf, size_t n, uint64_t off, const char *what,
		 struct mlfy_err *err)
{
	size_t got = 0;
	if (off > z->size || n > z->size - off)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive: %s lies past the end of the file",
				    z->path, what);
	if (z->mem) {
		memcpy(buf, z->mem + off, n);
		return 0;
	}
	while (got < n) {
		ssize_t r = pread(z->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return mlfy_err_set(err, MLFY_EIO, "%s: read: %s", z->path, strerror(errno));
		}
		if (r == 0)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: truncated zip archive (%s)", z->path, what);
		got += (size_t)r;
	}
	return 0;
}

void mlfy_npz_close(struct mlfy_npz *z)
{
	size_t i;
	if (!z)
		return;
	for (i = 0; i < z->n; i++)
		free(z->e[i].name);
	free(z->e);
	if (z->fd >= 0)
		close(z->fd);
	MLFY_FREE_ALL(z->path, z);
}

size_t mlfy_npz_count(const struct mlfy_npz *z)
{
	return z->n;
}

const char *mlfy_npz_name(const struct mlfy_npz *z, size_t i)
{
	return i < z->n ? z->e[i].name : NULL;
}

/* Finds the end of central directory record; fills the directory's entry
 * count, size and offset (zip64-aware). */
static int find_directory(struct mlfy_npz *z, uint64_t *n_entries, uint64_t *cd_size,
			  uint64_t *cd_off, uint64_t *cd_end, struct mlfy_err *err)
{
	unsigned char *tail, loc[EOCD64_LOC_LEN], rec[EOCD64_LEN];
	size_t tail_len = z->size < 65535 + EOCD_LEN ? (size_t)z->size : 65535 + EOCD_LEN;
	uint64_t tail_off = z->size - tail_len, eocd = 0;
	size_t i;
	int found = 0, rc;

	if (z->size < EOCD_LEN)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a zip archive (too short)", z->path);
	if (!(tail = malloc(tail_len)))
		return mlfy_err_oom(err);
	if ((rc = zread(z, tail, tail_len, tail_off, "end record", err))) {
		free(tail);
		return rc;
	}
	for (i = tail_len - EOCD_LEN + 1; i-- > 0;) {
		if (rd32(tail + i) == SIG_EOCD && i + EOCD_LEN + rd16(tail + i + 20) <= tail_len) {
			found = 1;
			eocd = tail_off + i;
			break;
		}
	}
	if (!found) {
		free(tail);
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a zip archive (no end of central directory record)",
				    z->path);
	}
	{
		const unsigned char *r = tail + (eocd - tail_off);
		if ((rd16(r + 4) != 0 && rd16(r + 4) != 0xffff) || (rd16(r + 6) != 0 && rd16(r + 6) != 0xffff)) {
			free(tail);
			return mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s: multi-volume zip archives are not supported",
					    z->path);
		}
		*n_entries = rd16(r + 10);
		*cd_size = rd32(r + 12);
		*cd_off = rd32(r + 16);
	}
	free(tail);
	*cd_end = eocd;
	if (*n_entries == 0xffff || *cd_size == 0xffffffffu || *cd_off == 0xffffffffu) {
		/* zip64: the locator sits just before the classic record */
		if (eocd < EOCD64_LOC_LEN)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip64 archive (no locator)", z->path);
		if ((rc = zread(z, loc, sizeof(loc), eocd - EOCD64_LOC_LEN, "zip64 locator", err)))
			return rc;
		if (rd32(loc) != SIG_EOCD64_LOC)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip64 archive (no locator)", z->path);
		if ((rc = zread(z, rec, sizeof(rec), rd64(loc + 8), "zip64 end record", err)))
			return rc;
		if (rd32(rec) != SIG_EOCD64)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip64 end of central directory record",
					    z->path);
		*n_entries = rd64(rec + 32);
		*cd_size = rd64(rec + 40);
		*cd_off = rd64(rec + 48);
		*cd_end = rd64(loc + 8);
	}
	if (*cd_off > *cd_end || *cd_size > *cd_end - *cd_off)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (central directory out of bounds)",
				    z->path);
	if (*n_entries > *cd_size / CENTRAL_LEN)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (%llu entries cannot fit)", z->path,
				    (unsigned long long)*n_entries);
	return 0;
}

/* Applies a zip64 extended-information extra field (APPNOTE 4.5.3): it
 * holds, in order, only the fields whose 32-bit value is 0xffffffff. */
static int apply_zip64_extra(struct mlfy_npz *z, struct npz_entry *e, const unsigned char *x,
			     size_t xlen, struct mlfy_err *err)
{
	while (xlen >= 4) {
		unsigned id = rd16(x), len = rd16(x + 2);
		if (len > xlen - 4)
			break;
		if (id == 0x0001) {
			const unsigned char *p = x + 4;
			size_t left = len;
			uint64_t *fields[3] = { &e->usize, &e->csize, &e->offset };
			int k;
			for (k = 0; k < 3; k++) {
				if (*fields[k] != 0xffffffffu)
					continue;
				if (left < 8)
					return mlfy_err_set(err, MLFY_EINVAL, "%s: member '%s': short zip64 extra field",
							    z->path, e->name);
				*fields[k] = rd64(p);
				p += 8;
				left -= 8;
			}
			return 0;
		}
		x += 4 + len;
		xlen -= 4 + len;
	}
	return 0;
}

/* Reads the central directory of z (path, fd or mem, and size set) into
 * z->e / z->n. */
static int read_directory(struct mlfy_npz *z, struct mlfy_err *err)
{
	const char *path = z->path;
	uint64_t n_entries = 0, cd_size = 0, cd_off = 0, cd_end = 0;
	unsigned char *cd = NULL;
	size_t pos = 0, i;
	int rc;

	if ((rc = find_directory(z, &n_entries, &cd_size, &cd_off, &cd_end, err)))
		return rc;
	if (!(cd = malloc(cd_size ? (size_t)cd_size : 1)) ||
	    !(z->e = calloc(n_entries ? (size_t)n_entries : 1, sizeof(*z->e)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	if ((rc = zread(z, cd, (size_t)cd_size, cd_off, "central directory", err)))
		goto out;
	for (i = 0; i < n_entries; i++) {
		struct npz_entry *e = &z->e[i];
		unsigned nlen, xlen, clen;
		if (cd_size - pos < CENTRAL_LEN || rd32(cd + pos) != SIG_CENTRAL) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip central directory (entry %zu)", path, i);
			goto out;
		}
		nlen = rd16(cd + pos + 28);
		xlen = rd16(cd + pos + 30);
		clen = rd16(cd + pos + 32);
		if (cd_size - pos - CENTRAL_LEN < (uint64_t)nlen + xlen + clen) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip central directory (entry %zu)", path, i);
			goto out;
		}
		e->flags = rd16(cd + pos + 8);
		e->method = rd16(cd + pos + 10);
		e->crc = rd32(cd + pos + 16);
		e->csize = rd32(cd + pos + 20);
		e->usize = rd32(cd + pos + 24);
		e->offset = rd32(cd + pos + 42);
		if (!(e->name = malloc(nlen + 1u))) {
			rc = mlfy_err_oom(err);
			goto out;
		}
		z->n = i + 1;
		memcpy(e->name, cd + pos + CENTRAL_LEN, nlen);
		e->name[nlen] = '\0';
		if (memchr(e->name, '\0', nlen)) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip central directory (NUL in a name)", path);
			goto out;
		}
		if ((rc = apply_zip64_extra(z, e, cd + pos + CENTRAL_LEN + nlen, xlen, err)))
			goto out;
		pos += CENTRAL_LEN + nlen + xlen + clen;
	}
out:
	free(cd);
	return rc;
}

int mlfy_npz_open(const char *path, struct mlfy_npz **out, struct mlfy_err *err)
{
	struct mlfy_npz *z;
	struct stat st;
	int rc;

	*out = NULL;
	if (!(z = calloc(1, sizeof(*z))) || !(z->path = strdup(path))) {
		free(z);
		return mlfy_err_oom(err);
	}
	z->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (z->fd < 0) {
		rc = mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: cannot open: %s", path,
				  strerror(errno));
		goto fail;
	}
	if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	z->size = (uint64_t)st.st_size;
	if ((rc = read_directory(z, err)))
		goto fail;
	*out = z;
	return 0;
fail:
	mlfy_npz_close(z);
	return rc;
}

int mlfy_npz_open_mem(const char *name, const void *buf, size_t len, struct mlfy_npz **out,
		      struct mlfy_err *err)
{
	struct mlfy_npz *z;
	int rc;

	*out = NULL;
	if (!(z = calloc(1, sizeof(*z))) || !(z->path = strdup(name))) {
		free(z);
		return mlfy_err_oom(err);
	}
	z->fd = -1;
	z->mem = len ? buf : (const unsigned char *)"";
	z->size = len;
	if ((rc = read_directory(z, err))) {
		mlfy_npz_close(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* CRC-32 of n bytes (zlib's crc32 takes uInt lengths). */
static uint32_t crc_of(const unsigned char *p, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}

static int inflate_member(struct mlfy_npz *z, const struct npz_entry *e, uint64_t data_off,
			  unsigned char *dst, const char *label, struct mlfy_err *err)
{
	z_stream zs;
	unsigned char *in;
	uint64_t left = e->csize, off = data_off;
	size_t produced = 0;
	int zrc = Z_OK, rc = 0;
	/* input buffer: the member's compressed size, at most 1 MiB */
	const size_t chunk = e->csize == 0 ? 1 : e->csize < (1u << 20) ? (size_t)e->csize : (size_t)1 << 20;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: cannot start zlib", label);
	if (!(in = malloc(chunk))) {
		inflateEnd(&zs);
		return mlfy_err_oom(err);
	}
	while (zrc != Z_STREAM_END) {
		if (zs.avail_in == 0) {
			size_t k = left < chunk ? (size_t)left : chunk;
			if (k == 0) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt deflate data (stream ends early)", label);
				break;
			}
			if ((rc = zread(z, in, k, off, label, err)))
				break;
			off += k;
			left -= k;
			zs.next_in = in;
			zs.avail_in = (uInt)k;
		}
		if (produced == e->usize) {
			/* output full: the stream must end here; give zlib a
			 * one-byte sink so it can report the end (or extra data) */
			unsigned char sink;
			zs.next_out = &sink;
			zs.avail_out = 1;
			zrc = inflate(&zs, Z_NO_FLUSH);
			if (zs.avail_out == 0) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "%s: corrupt member (inflates to more than its declared %llu bytes)",
						  label, (unsigned long long)e->usize);
				break;
			}
		} else {
			size_t room = (size_t)e->usize - produced;
			zs.next_out = dst + produced;
			zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
			{
				uInt before = zs.avail_out;
				zrc = inflate(&zs, Z_NO_FLUSH);
				produced += before - zs.avail_out;
			}
		}
		if (zrc == Z_BUF_ERROR && zs.avail_in == 0)
			continue;   /* needs more input */
		if (zrc != Z_OK && zrc != Z_STREAM_END) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt deflate data (%s)", label,
					  zs.msg ? zs.msg : "zlib error");
			break;
		}
	}
	if (!rc && produced != e->usize)
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt member (inflates to %zu bytes, %llu declared)", label,
				  produced, (unsigned long long)e->usize);
	inflateEnd(&zs);
	free(in);
	return rc;
}

/* Finds member name, checks its local header and sizes: *ep, its data
 * offset and the "archive:member" label for messages. */
static int locate(struct mlfy_npz *z, const char *name, const struct npz_entry **ep, uint64_t *data_off,
		  char *label, size_t label_size, struct mlfy_err *err)
{
	const struct npz_entry *e = NULL;
	unsigned char lh[LOCAL_LEN];
	size_t i, nl = strlen(name);
	int rc;

	for (i = 0; i < z->n && !e; i++)
		if (!strcmp(z->e[i].name, name))
			e = &z->e[i];
	for (i = 0; i < z->n && !e; i++)
		if (!strncmp(z->e[i].name, name, nl) && !strcmp(z->e[i].name + nl, ".npy"))
			e = &z->e[i];
	if (!e) {
		char list[512];
		size_t n = 0;
		list[0] = '\0';
		for (i = 0; i < z->n && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", z->e[i].name);
		return mlfy_err_set(err, MLFY_ENOTFOUND, "%s: no member '%s' (members: %s)", z->path, name,
				    z->n ? list : "none");
	}
	snprintf(label, label_size, "%s:%s", z->path, e->name);
	if (e->flags & 1)
		return mlfy_err_set(err, MLFY_EUNSUPPORTED, "%s: encrypted members are not supported", label);
	if (e->method != 0 && e->method != 8)
		return mlfy_err_set(err, MLFY_EUNSUPPORTED,
				    "%s: compression method %u is not supported (stored and deflate only)", label,
				    e->method);
	if ((rc = zread(z, lh, sizeof(lh), e->offset, "local header", err)))
		return mlfy_err_prefix(err, "%s", label);
	if (rd32(lh) != SIG_LOCAL)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (bad local header)", label);
	*data_off = e->offset + LOCAL_LEN + rd16(lh + 26) + rd16(lh + 28);
	if (*data_off > z->size || e->csize > z->size - *data_off)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (member data past the end)", label);
	if (e->method == 0 && e->csize != e->usize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (stored sizes differ)", label);
	if (e->method == 8 && e->usize / DEFLATE_MAX_RATIO > e->csize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (declared size %llu impossible for %llu "
				    "compressed bytes)", label, (unsigned long long)e->usize,
				    (unsigned long long)e->csize);
	*ep = e;
	return 0;
}

int mlfy_npz_member(struct mlfy_npz *z, const char *name, struct mlfy_npy **out,
		    struct mlfy_err *err)
{
	const struct npz_entry *e = NULL;
	unsigned char *buf = NULL;
	uint64_t data_off = 0;
	char label[4096];
	int rc;

	*out = NULL;
	if ((rc = locate(z, name, &e, &data_off, label, sizeof(label), err)))
		return rc;
	if (e->usize > SIZE_MAX - 1 || !(buf = malloc(e->usize ? (size_t)e->usize : 1)))
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory for %llu bytes", label,
				    (unsigned long long)e->usize);
	if (e->method == 0)
		rc = zread(z, buf, (size_t)e->usize, data_off, label, err);
	else
		rc = inflate_member(z, e, data_off, buf, label, err);
	if (!rc && crc_of(buf, (size_t)e->usize) != e->crc)
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: CRC-32 mismatch (corrupt archive)", label);
	if (rc) {
		free(buf);
		return rc;
	}
	return mlfy_npy_open_mem(label, buf, (size_t)e->usize, 1, out, err);
}

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
	if ((rc = zread(st->z, buf, n, st->in_off, st->label, err)))
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
	if ((rc = locate(z, name, &st->e, &data_off, st->label, sizeof(st->label), err)))
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
