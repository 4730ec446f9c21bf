/* npz_write.c - streamed .npz writer: zip local headers with data
 * descriptors, stored or deflated (zlib) .npy members, central directory
 * and zip64 records when needed (see npz_write.h). */
#include "util/npz_write.h"
#include "util/vec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OUT_BUF (64u << 10)
#define MAX_MEMBERS 64
/* above this uncompressed size a member gets zip64 sizes (deflate can
 * expand incompressible data a little) */
#define ZIP64_MEMBER 0xf0000000ull

struct member {
	char *name;
	uint32_t crc;
	uint64_t csize, usize, offset;
	int zip64;
};

struct mlfy_npz_writer {
	FILE *out;
	int level;
	uint64_t off;              /* bytes written so far */
	struct member m[MAX_MEMBERS];
	size_t n;
	int open;                  /* a member is being written */
	uint64_t left;             /* data bytes the open member still expects */
	uLong crc;
	z_stream zs;
	int zinit;
	unsigned char buf[OUT_BUF];
};

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static int emit(struct mlfy_npz_writer *w, const void *p, size_t n, struct mlfy_err *err)
{
	if (!w->out)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: no output set");
	if (n && fwrite(p, 1, n, w->out) != n)
		return mlfy_err_set(err, MLFY_EIO, "write: %s", strerror(errno ? errno : EIO));
	w->off += n;
	return 0;
}

int mlfy_npz_writer_open(FILE *out, int level, struct mlfy_npz_writer **wp, struct mlfy_err *err)
{
	struct mlfy_npz_writer *w;
	*wp = NULL;
	if (level < 0 || level > 9)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: compression level %d is not 0..9", level);
	if (!(w = calloc(1, sizeof(*w))))
		return mlfy_err_oom(err);
	w->out = out;
	w->level = level;
	*wp = w;
	return 0;
}

void mlfy_npz_writer_set_output(struct mlfy_npz_writer *w, FILE *out)
{
	w->out = out;
}

void mlfy_npz_writer_free(struct mlfy_npz_writer *w)
{
	size_t i;
	if (!w)
		return;
	if (w->zinit)
		deflateEnd(&w->zs);
	for (i = 0; i < w->n; i++)
		free(w->m[i].name);
	free(w);
}

/* Feeds n bytes (NULL with flush = Z_FINISH) through deflate or straight
 * out, updating the CRC and the compressed size. */
static int feed(struct mlfy_npz_writer *w, const unsigned char *p, size_t n, int flush, struct mlfy_err *err)
{
	struct member *m = &w->m[w->n - 1];
	int rc;
	if (p && n) {
		size_t left = n;
		const unsigned char *q = p;
		while (left) {
			uInt k = left > (1u << 30) ? (1u << 30) : (uInt)left;
			w->crc = crc32(w->crc, q, k);
			q += k;
			left -= k;
		}
	}
	if (w->level == 0) {
		m->csize += n;
		return emit(w, p, n, err);
	}
	w->zs.next_in = (unsigned char *)(uintptr_t)p;
	do {
		size_t chunk = n > (1u << 30) ? (1u << 30) : n;
		int zrc;
		w->zs.avail_in = (uInt)chunk;
		n -= chunk;
		do {
			w->zs.next_out = w->buf;
			w->zs.avail_out = OUT_BUF;
			zrc = deflate(&w->zs, n ? Z_NO_FLUSH : flush);
			if (zrc == Z_STREAM_ERROR)
				return mlfy_err_set(err, MLFY_EINVAL, "npz: zlib deflate failed");
			m->csize += OUT_BUF - w->zs.avail_out;
			if ((rc = emit(w, w->buf, OUT_BUF - w->zs.avail_out, err)))
				return rc;
		} while (w->zs.avail_out == 0 || (flush == Z_FINISH && !n && zrc != Z_STREAM_END));
	} while (n);
	return 0;
}

int mlfy_npz_writer_begin(struct mlfy_npz_writer *w, const char *name, const char *descr, size_t itemsize,
			  int ndim, const size_t *shape, struct mlfy_err *err)
{
	char dict[2048];
	unsigned char lh[30 + 20], pre[12];
	struct member *m;
	size_t dl = 0, count = 1, nl = strlen(name), total, pre_len, i;
	int rc, d;

	if (w->open)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s' begun before '%s' ended", name,
				    w->m[w->n - 1].name);
	if (w->n == MAX_MEMBERS || ndim < 0 || ndim > 32 || !itemsize || !*descr || strlen(descr) > 32 ||
	    nl == 0 || nl > 1024)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': bad name, descr, shape or too many members",
				    name);
	dl += (size_t)snprintf(dict + dl, sizeof(dict) - dl, "{'descr': '%s', 'fortran_order': False, 'shape': (",
			       descr);
	for (d = 0; d < ndim; d++) {
		if (shape[d] && count > SIZE_MAX / shape[d])
			return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': shape overflows", name);
		count *= shape[d];
		dl += (size_t)snprintf(dict + dl, sizeof(dict) - dl, d ? ", %zu" : "%zu", shape[d]);
	}
	dl += (size_t)snprintf(dict + dl, sizeof(dict) - dl, ndim == 1 ? ",), }" : "), }");
	if (count > SIZE_MAX / itemsize)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': size overflows", name);
	pre_len = 10;
	total = (pre_len + dl + 1 + 63) / 64 * 64;
	if (total - pre_len > 65535) {
		pre_len = 12;
		total = (pre_len + dl + 1 + 63) / 64 * 64;
	}
	memcpy(pre, "\x93NUMPY", 6);
	pre[6] = pre_len == 10 ? 1 : 2;
	pre[7] = 0;
	if (pre_len == 10)
		put16(pre + 8, (unsigned)(total - pre_len));
	else
		put32(pre + 8, (uint32_t)(total - pre_len));
	m = &w->m[w->n];
	memset(m, 0, sizeof(*m));
	if (!(m->name = strdup(name)))
		return mlfy_err_oom(err);
	w->n++;
	m->usize = total + (uint64_t)count * itemsize;
	m->offset = w->off;
	m->zip64 = m->usize >= ZIP64_MEMBER;
	/* local file header (APPNOTE 4.3.7); sizes and CRC in the descriptor */
	put32(lh, 0x04034b50u);
	put16(lh + 4, m->zip64 ? 45 : 20);
	put16(lh + 6, 1u << 3);
	put16(lh + 8, w->level ? 8 : 0);
	put16(lh + 10, 0);          /* 00:00 */
	put16(lh + 12, 0x21);       /* 1980-01-01, as numpy writes */
	put32(lh + 14, 0);
	put32(lh + 18, m->zip64 ? 0xffffffffu : 0);
	put32(lh + 22, m->zip64 ? 0xffffffffu : 0);
	put16(lh + 26, (unsigned)nl);
	put16(lh + 28, m->zip64 ? 20 : 0);
	if ((rc = emit(w, lh, 30, err)) || (rc = emit(w, name, nl, err)))
		return rc;
	if (m->zip64) {
		put16(lh + 30, 1);
		put16(lh + 32, 16);
		put64(lh + 34, 0);
		put64(lh + 42, 0);
		if ((rc = emit(w, lh + 30, 20, err)))
			return rc;
	}
	w->crc = crc32(0L, Z_NULL, 0);
	if (w->level) {
		memset(&w->zs, 0, sizeof(w->zs));
		if (deflateInit2(&w->zs, w->level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return mlfy_err_set(err, MLFY_ENOMEM, "npz: cannot start zlib");
		w->zinit = 1;
	}
	w->open = 1;
	w->left = total - pre_len;
	/* the .npy header: preamble, dict, spaces, newline */
	{
		unsigned char head[2048 + 76];
		memcpy(head, pre, pre_len);
		memcpy(head + pre_len, dict, dl);
		for (i = pre_len + dl; i < total - 1; i++)
			head[i] = ' ';
		head[total - 1] = '\n';
		if ((rc = feed(w, head, total, Z_NO_FLUSH, err)))
			return rc;
	}
	w->left = (uint64_t)count * itemsize;
	return 0;
}

int mlfy_npz_writer_put(struct mlfy_npz_writer *w, const void *data, size_t n, struct mlfy_err *err)
{
	if (!w->open)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: data written outside a member");
	if (n > w->left)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': more data than its shape holds",
				    w->m[w->n - 1].name);
	w->left -= n;
	return n ? feed(w, data, n, Z_NO_FLUSH, err) : 0;
}

size_t mlfy_utf8_code_points(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		unsigned c = *p;
		size_t k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			: c >= 0xf0 && c <= 0xf4 ? 4 : 0, j;
		uint32_t cp = k == 1 ? c : k == 2 ? c & 0x1f : k == 3 ? c & 0x0f : c & 0x07;
		if (!k)
			return (size_t)-1;
		for (j = 1; j < k; j++) {
			if ((p[j] & 0xc0) != 0x80)
				return (size_t)-1;
			cp = cp << 6 | (p[j] & 0x3f);
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return (size_t)-1;
		p += k;
		n++;
	}
	return n;
}

int mlfy_npz_writer_put_str(struct mlfy_npz_writer *w, const char *s, size_t str_len, struct mlfy_err *err)
{
	unsigned char e[4 * 256];
	const unsigned char *p = (const unsigned char *)s;
	size_t n = mlfy_utf8_code_points(s), i = 0, pos = 0, done = 0;
	int rc;

	if (n == (size_t)-1)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': '%s' is not valid UTF-8", w->m[w->n - 1].name, s);
	if (n > str_len)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s': '%s' is longer than %zu characters",
				    w->m[w->n - 1].name, s, str_len);
	/* encode in pieces of 256 code points */
	while (done < str_len) {
		size_t k = str_len - done < 256 ? str_len - done : 256;
		memset(e, 0, 4 * k);
		for (pos = 0; pos < k && i < n; pos++, i++) {
			unsigned c = *p;
			size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, j;
			uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
			for (j = 1; j < len; j++)
				cp = cp << 6 | (p[j] & 0x3f);
			put32(e + 4 * pos, cp);
			p += len;
		}
		if ((rc = mlfy_npz_writer_put(w, e, 4 * k, err)))
			return rc;
		done += k;
	}
	return 0;
}

int mlfy_npz_writer_end(struct mlfy_npz_writer *w, struct mlfy_err *err)
{
	struct member *m;
	unsigned char dd[24];
	int rc;

	if (!w->open)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: no member to end");
	m = &w->m[w->n - 1];
	if (w->left)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s' ended %llu bytes short of its shape", m->name,
				    (unsigned long long)w->left);
	if (w->level) {
		if ((rc = feed(w, NULL, 0, Z_FINISH, err)))
			return rc;
		deflateEnd(&w->zs);
		w->zinit = 0;
	}
	m->crc = (uint32_t)w->crc;
	/* data descriptor (APPNOTE 4.3.9), with its optional signature */
	put32(dd, 0x08074b50u);
	put32(dd + 4, m->crc);
	if (m->zip64) {
		put64(dd + 8, m->csize);
		put64(dd + 16, m->usize);
	} else {
		put32(dd + 8, (uint32_t)m->csize);
		put32(dd + 12, (uint32_t)m->usize);
	}
	if (!m->zip64 && m->csize >= 0xffffffffull)
		return mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s' compressed past 4 GiB", m->name);
	w->open = 0;
	return emit(w, dd, m->zip64 ? 24 : 16, err);
}

int mlfy_npz_writer_finish(struct mlfy_npz_writer *w, struct mlfy_err *err)
{
	unsigned char h[46 + 28], e[56 + 20 + 22];
	uint64_t cd_off = w->off, cd_size;
	size_t i;
	int rc = 0, z64 = 0;

	if (w->open) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "npz: member '%s' not ended", w->m[w->n - 1].name);
		goto out;
	}
	for (i = 0; i < w->n && !rc; i++) {
		struct member *m = &w->m[i];
		int big_u = m->usize >= 0xffffffffull, big_c = m->csize >= 0xffffffffull,
		    big_o = m->offset >= 0xffffffffull;
		size_t xl = 8u * (size_t)(big_u + big_c + big_o), p = 46;
		put32(h, 0x02014b50u);
		put16(h + 4, 45);
		put16(h + 6, xl || m->zip64 ? 45 : 20);
		put16(h + 8, 1u << 3);
		put16(h + 10, w->level ? 8 : 0);
		put16(h + 12, 0);
		put16(h + 14, 0x21);
		put32(h + 16, m->crc);
		put32(h + 20, big_c ? 0xffffffffu : (uint32_t)m->csize);
		put32(h + 24, big_u ? 0xffffffffu : (uint32_t)m->usize);
		put16(h + 28, (unsigned)strlen(m->name));
		put16(h + 30, xl ? (unsigned)(4 + xl) : 0);
		put16(h + 32, 0);
		put16(h + 34, 0);
		put16(h + 36, 0);
		put32(h + 38, 0);
		put32(h + 42, big_o ? 0xffffffffu : (uint32_t)m->offset);
		if (xl) {
			put16(h + p, 1);
			put16(h + p + 2, (unsigned)xl);
			p += 4;
			if (big_u) { put64(h + p, m->usize); p += 8; }
			if (big_c) { put64(h + p, m->csize); p += 8; }
			if (big_o) { put64(h + p, m->offset); p += 8; }
		}
		if (!(rc = emit(w, h, 46, err)) && !(rc = emit(w, m->name, strlen(m->name), err)))
			rc = emit(w, h + 46, p - 46, err);
		z64 |= big_o;
	}
	if (rc)
		goto out;
	cd_size = w->off - cd_off;
	z64 |= cd_off >= 0xffffffffull || cd_size >= 0xffffffffull;
	if (z64) {
		uint64_t rec = w->off;
		put32(e, 0x06064b50u);
		put64(e + 4, 44);
		put16(e + 12, 45);
		put16(e + 14, 45);
		put32(e + 16, 0);
		put32(e + 20, 0);
		put64(e + 24, w->n);
		put64(e + 32, w->n);
		put64(e + 40, cd_size);
		put64(e + 48, cd_off);
		put32(e + 56, 0x07064b50u);
		put32(e + 60, 0);
		put64(e + 64, rec);
		put32(e + 72, 1);
		if ((rc = emit(w, e, 76, err)))
			goto out;
	}
	put32(e, 0x06054b50u);
	put16(e + 4, 0);
	put16(e + 6, 0);
	put16(e + 8, (unsigned)w->n);
	put16(e + 10, (unsigned)w->n);
	put32(e + 12, z64 ? 0xffffffffu : (uint32_t)cd_size);
	put32(e + 16, z64 ? 0xffffffffu : (uint32_t)cd_off);
	put16(e + 20, 0);
	if ((rc = emit(w, e, 22, err)))
		goto out;
	if (fflush(w->out))
		rc = mlfy_err_set(err, MLFY_EIO, "write: %s", strerror(errno));
out:
	mlfy_npz_writer_free(w);
	return rc;
}
