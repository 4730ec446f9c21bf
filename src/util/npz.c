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
 * for large arrays.  Members read as streams: npz_stream.c. */
#include "util/npz.h"
#include "util/npz_zip.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
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

/* npz_zip.h */
int npz_zread(struct mlfy_npz *z, void *buf, size_t n, uint64_t off, const char *what,
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
	if ((rc = npz_zread(z, tail, tail_len, tail_off, "end record", err))) {
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
		if ((rc = npz_zread(z, loc, sizeof(loc), eocd - EOCD64_LOC_LEN, "zip64 locator", err)))
			return rc;
		if (rd32(loc) != SIG_EOCD64_LOC)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip64 archive (no locator)", z->path);
		if ((rc = npz_zread(z, rec, sizeof(rec), rd64(loc + 8), "zip64 end record", err)))
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
	if ((rc = npz_zread(z, cd, (size_t)cd_size, cd_off, "central directory", err)))
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
			if ((rc = npz_zread(z, in, k, off, label, err)))
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

/* npz_zip.h */
int npz_locate(struct mlfy_npz *z, const char *name, const struct npz_entry **ep, uint64_t *data_off,
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
	if ((rc = npz_zread(z, lh, sizeof(lh), e->offset, "local header", err))) {
		mlfy_err_prefix(err, "%s", label);
		return rc;
	}
	if (rd32(lh) != SIG_LOCAL)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (bad local header)", label);
	*data_off = e->offset + LOCAL_LEN + rd16(lh + 26) + rd16(lh + 28);
	if (*data_off > z->size || e->csize > z->size - *data_off)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (member data past the end)", label);
	if (e->method == 0 && e->csize != e->usize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: corrupt zip archive (stored sizes differ)", label);
	if (e->method == 8 && e->usize / NPZ_DEFLATE_MAX_RATIO > e->csize)
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
	if ((rc = npz_locate(z, name, &e, &data_off, label, sizeof(label), err)))
		return rc;
	if (e->usize > SIZE_MAX - 1 || !(buf = malloc(e->usize ? (size_t)e->usize : 1)))
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory for %llu bytes", label,
				    (unsigned long long)e->usize);
	if (e->method == 0)
		rc = npz_zread(z, buf, (size_t)e->usize, data_off, label, err);
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
