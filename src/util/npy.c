/* npy.c - NumPy .npy reader (npy.h): the header parser, dtype conversion
 * and the streamed row readers.  The writer is npy_write.c; .npz archives
 * are npz.c, which reuses mlfy_npy_open_mem. */
#include "util/npy.h"
#include "util/utf32.h"
#include "util/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

/* Longest header accepted: NumPy itself refuses headers over 10,000 bytes
 * by default (max_header_size); structured dtypes could be longer but are
 * not supported here. */
#define NPY_MAX_HEADER (1u << 20)
/* Size of the conversion buffer used by the streaming readers. */
#define NPY_SCRATCH (4u << 20)

static const unsigned char npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

const char *mlfy_npy_dtype_name(int dtype)
{
	switch (dtype) {
	case MLFY_NPY_F2: return "<f2";
	case MLFY_NPY_F4: return "<f4";
	case MLFY_NPY_F8: return "<f8";
	case MLFY_NPY_I4: return "<i4";
	case MLFY_NPY_I8: return "<i8";
	case MLFY_NPY_U1: return "|u1";
	case MLFY_NPY_B1: return "|b1";
	case MLFY_NPY_U: return "<U";
	default: return "?";
	}
}

size_t mlfy_npy_dtype_size(int dtype)
{
	switch (dtype) {
	case MLFY_NPY_F2: return 2;
	case MLFY_NPY_F4: case MLFY_NPY_I4: return 4;
	case MLFY_NPY_F8: case MLFY_NPY_I8: return 8;
	case MLFY_NPY_U1: case MLFY_NPY_B1: return 1;
	default: return 0;
	}
}

float mlfy_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu;
	uint32_t man = h & 0x3ffu;
	uint32_t bits;
	float f;

	if (exp == 0) {
		if (man == 0) {
			bits = sign;
		} else {
			/* subnormal half: man * 2^-24, normalise into a float */
			int e = -1;
			do {
				e++;
				man <<= 1;
			} while (!(man & 0x400u));
			bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ffu) << 13);
		}
	} else if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (man << 13);  /* inf or NaN (payload kept) */
	} else {
		bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
	}
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* ---- header parsing ------------------------------------------------------- */

struct hparse {
	const char *p, *end;
	const char *name;
	struct mlfy_err *err;
};

static void skip_ws(struct hparse *h)
{
	while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
		h->p++;
}

static int hfail(struct hparse *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int hfail(struct hparse *h, const char *fmt, ...)
{
	char reason[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return mlfy_err_set(h->err, MLFY_EINVAL, "%s: bad .npy header: %s", h->name, reason);
}
#ifdef __clang_analyzer__
/* the analyzer does not follow variadic calls: state that hfail fails */
#define hfail(h, ...) (hfail((h), __VA_ARGS__), MLFY_EINVAL)
#endif

/* A Python string literal in single or double quotes, no escapes. */
static int parse_str(struct hparse *h, char *out, size_t cap)
{
	char q;
	size_t n = 0;

	skip_ws(h);
	if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
		return hfail(h, "expected a quoted string");
	q = *h->p++;
	while (h->p < h->end && *h->p != q) {
		if (*h->p == '\\')
			return hfail(h, "escape sequences in strings are not supported");
		if (n + 1 >= cap)
			return hfail(h, "string too long");
		out[n++] = *h->p++;
	}
	if (h->p >= h->end)
		return hfail(h, "unterminated string");
	h->p++;
	out[n] = '\0';
	return 0;
}

static int parse_descr(struct hparse *h, struct mlfy_npy *a, const char *d)
{
	char order = d[0];
	const char *t = d + 1;

	if (order != '<' && order != '>' && order != '|' && order != '=')
		return hfail(h, "descr '%s' has no byte-order character (<, >, |, =)", d);
	if (*t == 'O')
		return hfail(h, "descr '%s': object arrays (pickled Python objects) are not supported", d);
	if (*t == 'U') {
		char *endp;
		unsigned long long n;
		if (order == '>')
			return hfail(h, "descr '%s': big-endian data is not supported; save it with a '<' dtype", d);
		if (t[1] < '0' || t[1] > '9')
			return hfail(h, "descr '%s': bad string width", d);
		errno = 0;
		n = strtoull(t + 1, &endp, 10);
		if (errno || *endp || n == 0 || n > SIZE_MAX / 4 / 2)
			return hfail(h, "descr '%s': bad string width", d);
		a->dtype = MLFY_NPY_U;
		a->str_len = (size_t)n;
		a->itemsize = 4 * (size_t)n;
		return 0;
	}
	if (!strcmp(t, "f2")) a->dtype = MLFY_NPY_F2;
	else if (!strcmp(t, "f4")) a->dtype = MLFY_NPY_F4;
	else if (!strcmp(t, "f8")) a->dtype = MLFY_NPY_F8;
	else if (!strcmp(t, "i4")) a->dtype = MLFY_NPY_I4;
	else if (!strcmp(t, "i8")) a->dtype = MLFY_NPY_I8;
	else if (!strcmp(t, "u1")) a->dtype = MLFY_NPY_U1;
	else if (!strcmp(t, "b1")) a->dtype = MLFY_NPY_B1;
	else
		return hfail(h, "unsupported dtype '%s' (supported: <f2 <f4 <f8 <i4 <i8 |u1 |b1 <U<n>)", d);
	a->itemsize = mlfy_npy_dtype_size(a->dtype);
	if (order == '>' && a->itemsize > 1)
		return hfail(h, "descr '%s': big-endian data is not supported; save it with a '<' dtype", d);
	if (order == '|' && a->itemsize > 1)
		return hfail(h, "descr '%s': '|' (not applicable) byte order on a multi-byte type", d);
	return 0;
}

static int parse_shape(struct hparse *h, struct mlfy_npy *a)
{
	skip_ws(h);
	if (h->p >= h->end || *h->p != '(')
		return hfail(h, "shape is not a tuple");
	h->p++;
	a->ndim = 0;
	for (;;) {
		unsigned long long v = 0;
		int digits = 0;

		skip_ws(h);
		if (h->p < h->end && *h->p == ')') {
			h->p++;
			break;
		}
		if (h->p < h->end && *h->p == '-')
			return hfail(h, "negative dimension in shape");
		while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
			unsigned d = (unsigned)(*h->p - '0');
			if (v > (SIZE_MAX - d) / 10)
				return hfail(h, "dimension too large for this machine");
			v = v * 10 + d;
			digits++;
			h->p++;
		}
		if (!digits)
			return hfail(h, "shape contains something other than integers");
		if (h->p < h->end && (*h->p == 'L' || *h->p == 'l'))
			h->p++;  /* Python 2 long suffix */
		if (a->ndim == MLFY_NPY_MAX_DIMS)
			return hfail(h, "more than 32 dimensions");
		a->shape[a->ndim++] = (size_t)v;
		skip_ws(h);
		if (h->p < h->end && *h->p == ',') {
			h->p++;
			continue;
		}
		if (h->p < h->end && *h->p == ')') {
			h->p++;
			/* Python needs a trailing comma for a 1-tuple; numpy always writes one */
			break;
		}
		return hfail(h, "malformed shape tuple");
	}
	return 0;
}

/* Parses the dict literal hdr[0..len) into a. */
static int parse_header_dict(const char *name, const char *hdr, size_t len, struct mlfy_npy *a,
			     struct mlfy_err *err)
{
	struct hparse h = { hdr, hdr + len, name, err };
	int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, rc;
	char key[32], descr[64];

	if (memchr(hdr, '\0', len))
		return hfail(&h, "NUL byte in the header");
	skip_ws(&h);
	if (h.p >= h.end || *h.p != '{')
		return hfail(&h, "header is not a dict literal");
	h.p++;
	for (;;) {
		skip_ws(&h);
		if (h.p < h.end && *h.p == '}') {
			h.p++;
			break;
		}
		if ((rc = parse_str(&h, key, sizeof(key))))
			return rc;
		skip_ws(&h);
		if (h.p >= h.end || *h.p != ':')
			return hfail(&h, "expected ':' after key '%s'", key);
		h.p++;
		skip_ws(&h);
		if (!strcmp(key, "descr")) {
			if (have_descr++)
				return hfail(&h, "duplicate key '%s'", key);
			if (h.p < h.end && *h.p == '[')
				return hfail(&h, "structured dtypes are not supported");
			if ((rc = parse_str(&h, descr, sizeof(descr))))
				return rc;
			if (strlen(descr) >= sizeof(a->descr))
				return hfail(&h, "descr '%s' is too long", descr);
			if ((rc = parse_descr(&h, a, descr)))
				return rc;
			strcpy(a->descr, descr);
		} else if (!strcmp(key, "fortran_order")) {
			if (have_fortran++)
				return hfail(&h, "duplicate key '%s'", key);
			if ((size_t)(h.end - h.p) >= 4 && !memcmp(h.p, "True", 4)) {
				fortran = 1;
				h.p += 4;
			} else if ((size_t)(h.end - h.p) >= 5 && !memcmp(h.p, "False", 5)) {
				h.p += 5;
			} else {
				return hfail(&h, "fortran_order is neither True nor False");
			}
		} else if (!strcmp(key, "shape")) {
			if (have_shape++)
				return hfail(&h, "duplicate key '%s'", key);
			if ((rc = parse_shape(&h, a)))
				return rc;
		} else {
			return hfail(&h, "unexpected key '%s'", key);
		}
		skip_ws(&h);
		if (h.p < h.end && *h.p == ',') {
			h.p++;
			continue;
		}
		if (h.p < h.end && *h.p == '}') {
			h.p++;
			break;
		}
		return hfail(&h, "expected ',' or '}' after the value of '%s'", key);
	}
	skip_ws(&h);
	if (h.p != h.end)
		return hfail(&h, "trailing characters after the dict");
	if (!have_descr || !have_fortran || !have_shape)
		return hfail(&h, "missing key '%s'",
			     !have_descr ? "descr" : !have_fortran ? "fortran_order" : "shape");
	if (fortran)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: fortran_order=True (column-major) arrays are not supported; "
				    "save a C-order array (numpy.ascontiguousarray)", name);
	return 0;
}

static void format_shape(const struct mlfy_npy *a, char *buf, size_t cap)
{
	size_t n = 0;
	int i;
	n += (size_t)snprintf(buf + n, cap - n, "(");
	for (i = 0; i < a->ndim && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, i ? ", %zu" : "%zu", a->shape[i]);
	if (n < cap)
		snprintf(buf + n, cap - n, a->ndim == 1 ? ",)" : ")");
}

/* Checks the magic and version of a file or buffer of total length total
 * (pre holds its first min(total, 12) bytes, zero-padded) and reads the
 * header length: the dict occupies [*pre_len, *pre_len + *hlen). */
static int parse_preamble(struct mlfy_npy *a, const unsigned char *pre, uint64_t total,
			  uint32_t *hlen, unsigned *pre_len, struct mlfy_err *err)
{
	if (total < 10 || memcmp(pre, npy_magic, 6) != 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a .npy file (bad magic)", a->name);
	if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: unsupported .npy format version %u.%u",
				    a->name, pre[6], pre[7]);
	a->version = pre[6];
	if (a->version == 1) {
		*hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
		*pre_len = 10;
	} else {
		if (total < 12)
			return mlfy_err_set(err, MLFY_EINVAL, "%s: truncated .npy header", a->name);
		*hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8 | (uint32_t)pre[10] << 16 |
			(uint32_t)pre[11] << 24;
		*pre_len = 12;
	}
	if (*hlen > NPY_MAX_HEADER)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: absurd .npy header length %u", a->name, *hlen);
	if ((uint64_t)*pre_len + *hlen > total)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: truncated .npy header (%u bytes announced, %llu present)",
				    a->name, *hlen, (unsigned long long)(total - *pre_len));
	return 0;
}

/* After the dict is parsed: count, nbytes, the size check. */
static int finish_header(struct mlfy_npy *a, uint64_t total, struct mlfy_err *err)
{
	size_t count = 1;
	int i, zero = 0;
	char shape[512];

	format_shape(a, shape, sizeof(shape));
	/* the product of the non-zero dimensions must fit even when another
	 * dimension is 0, so that row lengths (mlfy_npy_row_len) never wrap */
	for (i = 0; i < a->ndim; i++) {
		if (a->shape[i] == 0) {
			zero = 1;
			continue;
		}
		if (count > SIZE_MAX / a->shape[i])
			return mlfy_err_set(err, MLFY_EINVAL, "%s: absurd shape %s (element count overflows)",
					    a->name, shape);
		count *= a->shape[i];
	}
	if (zero)
		count = 0;
	if (count > SIZE_MAX / a->itemsize)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: absurd shape %s (byte size overflows)", a->name, shape);
	a->count = count;
	a->nbytes = count * a->itemsize;
	if (total - a->data_offset != (uint64_t)a->nbytes)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: file holds %llu bytes of data but the header says shape %s of %s = %zu bytes%s",
				    a->name, (unsigned long long)(total - a->data_offset), shape, a->descr, a->nbytes,
				    total - a->data_offset < (uint64_t)a->nbytes ? " (truncated file?)" : "");
	return 0;
}

static struct mlfy_npy *npy_new(const char *name, struct mlfy_err *err)
{
	struct mlfy_npy *a = calloc(1, sizeof(*a));
	if (!a || !(a->name = strdup(name))) {
		free(a);
		mlfy_err_oom(err);
		return NULL;
	}
	a->fd = -1;
	return a;
}

/* pread until n bytes or EOF; returns bytes read or -1 (errno set). */
static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		size_t want = n - got;
		ssize_t r;
		if (want > (1u << 30))
			want = 1u << 30;
		r = pread(fd, (char *)buf + got, want, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int mlfy_npy_open(const char *path, struct mlfy_npy **out, struct mlfy_err *err)
{
	struct mlfy_npy *a;
	struct stat st;
	unsigned char pre[12];
	uint32_t hlen = 0;
	unsigned pre_len = 0;
	char *hdr = NULL;
	ssize_t r;
	int rc;

	*out = NULL;
	if (!(a = npy_new(path, err)))
		return MLFY_ENOMEM;
	a->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a->fd < 0) {
		rc = mlfy_err_set(err, errno == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: cannot open: %s",
				  path, strerror(errno));
		goto fail;
	}
	if (fstat(a->fd, &st) != 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	memset(pre, 0, sizeof(pre));
	if ((r = pread_full(a->fd, pre, sizeof(pre), 0)) < 0) {
		rc = mlfy_err_set(err, MLFY_EIO, "%s: read: %s", path, strerror(errno));
		goto fail;
	}
	if ((rc = parse_preamble(a, pre, (uint64_t)st.st_size, &hlen, &pre_len, err)))
		goto fail;
	if (!(hdr = malloc(hlen + 1u))) {
		rc = mlfy_err_oom(err);
		goto fail;
	}
	if ((r = pread_full(a->fd, hdr, hlen, pre_len)) < 0 || (size_t)r != hlen) {
		rc = mlfy_err_set(err, r < 0 ? MLFY_EIO : MLFY_EINVAL, "%s: cannot read the .npy header: %s", path,
				  r < 0 ? strerror(errno) : "file truncated");
		goto fail;
	}
	a->data_offset = (uint64_t)pre_len + hlen;
	if ((rc = parse_header_dict(path, hdr, hlen, a, err)) ||
	    (rc = finish_header(a, (uint64_t)st.st_size, err)))
		goto fail;
	free(hdr);
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(a->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	*out = a;
	return 0;
fail:
	free(hdr);
	mlfy_npy_close(a);
	return rc;
}

int mlfy_npy_open_mem(const char *name, void *buf, size_t len, int take,
		      struct mlfy_npy **out, struct mlfy_err *err)
{
	struct mlfy_npy *a;
	unsigned char pre[12];
	uint32_t hlen = 0;
	unsigned pre_len = 0;
	int rc;

	*out = NULL;
	if (!(a = npy_new(name, err))) {
		if (take)
			free(buf);
		return MLFY_ENOMEM;
	}
	a->mem = buf;
	if (take)
		a->owned = buf;
	memset(pre, 0, sizeof(pre));
	if (len)
		memcpy(pre, buf, len < sizeof(pre) ? len : sizeof(pre));
	if ((rc = parse_preamble(a, pre, len, &hlen, &pre_len, err)))
		goto fail;
	a->data_offset = (uint64_t)pre_len + hlen;
	if ((rc = parse_header_dict(name, (const char *)a->mem + pre_len, hlen, a, err)) ||
	    (rc = finish_header(a, len, err)))
		goto fail;
	*out = a;
	return 0;
fail:
	mlfy_npy_close(a);
	return rc;
}

int mlfy_npy_open_header(const char *name, const void *head, size_t head_len, uint64_t total,
			 struct mlfy_npy **out, struct mlfy_err *err)
{
	struct mlfy_npy *a;
	unsigned char pre[12];
	uint32_t hlen = 0;
	unsigned pre_len = 0;
	int rc;

	*out = NULL;
	if (!(a = npy_new(name, err)))
		return MLFY_ENOMEM;
	memset(pre, 0, sizeof(pre));
	memcpy(pre, head, head_len < sizeof(pre) ? head_len : sizeof(pre));
	if ((rc = parse_preamble(a, pre, total, &hlen, &pre_len, err)))
		goto fail;
	if ((uint64_t)pre_len + hlen > head_len) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: truncated .npy header", name);
		goto fail;
	}
	a->data_offset = (uint64_t)pre_len + hlen;
	if ((rc = parse_header_dict(name, (const char *)head + pre_len, hlen, a, err)) ||
	    (rc = finish_header(a, total, err)))
		goto fail;
	*out = a;
	return 0;
fail:
	mlfy_npy_close(a);
	return rc;
}

void mlfy_npy_close(struct mlfy_npy *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	MLFY_FREE_ALL(a->owned, a->scratch, a->name, a);
}

size_t mlfy_npy_rows(const struct mlfy_npy *a)
{
	return a->ndim == 0 ? 1 : a->shape[0];
}

size_t mlfy_npy_row_len(const struct mlfy_npy *a)
{
	size_t n = 1;
	int i;
	for (i = 1; i < a->ndim; i++)
		n *= a->shape[i];   /* cannot overflow: checked when the header was read */
	return n;
}

void mlfy_npy_rewind(struct mlfy_npy *a)
{
	a->next_row = 0;
}

/* ---- data access ---------------------------------------------------------- */

/* Copies n bytes of data starting at byte off (relative to the data) into dst. */
static int read_bytes(struct mlfy_npy *a, void *dst, size_t off, size_t n, struct mlfy_err *err)
{
	ssize_t r;

	if (n == 0)
		return 0;
	if (a->fd < 0 && !a->mem)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: header-only handle has no data (mlfy_npy_open_header)",
				    a->name);
	if (a->fd < 0) {
		memcpy(dst, a->mem + a->data_offset + off, n);
		return 0;
	}
	r = pread_full(a->fd, dst, n, a->data_offset + off);
	if (r < 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: read: %s", a->name, strerror(errno));
	if ((size_t)r != n)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: file is shorter than its header says (changed while reading?)",
				    a->name);
	return 0;
}

/* Converts n elements of numeric dtype from src to float or double. */
#define DEFINE_CONVERT(NAME, T)                                                      \
	/* NOLINTNEXTLINE(bugprone-macro-parentheses): T is a type name */         \
	static void NAME(int dtype, const unsigned char *src, T *dst, size_t n)      \
	{                                                                            \
		size_t i;                                                            \
		switch (dtype) {                                                     \
		case MLFY_NPY_F2:                                                    \
			for (i = 0; i < n; i++) {                                    \
				uint16_t v;                                          \
				memcpy(&v, src + 2 * i, 2);                          \
				dst[i] = (T)mlfy_half_to_float(v);                   \
			}                                                            \
			break;                                                       \
		case MLFY_NPY_F4:                                                    \
			for (i = 0; i < n; i++) {                                    \
				float v;                                             \
				memcpy(&v, src + 4 * i, 4);                          \
				dst[i] = (T)v;                                       \
			}                                                            \
			break;                                                       \
		case MLFY_NPY_F8:                                                    \
			for (i = 0; i < n; i++) {                                    \
				double v;                                            \
				memcpy(&v, src + 8 * i, 8);                          \
				dst[i] = (T)v;                                       \
			}                                                            \
			break;                                                       \
		case MLFY_NPY_I4:                                                    \
			for (i = 0; i < n; i++) {                                    \
				int32_t v;                                           \
				memcpy(&v, src + 4 * i, 4);                          \
				dst[i] = (T)v;                                       \
			}                                                            \
			break;                                                       \
		case MLFY_NPY_I8:                                                    \
			for (i = 0; i < n; i++) {                                    \
				int64_t v;                                           \
				memcpy(&v, src + 8 * i, 8);                          \
				dst[i] = (T)v;                                       \
			}                                                            \
			break;                                                       \
		case MLFY_NPY_U1:                                                    \
			for (i = 0; i < n; i++)                                      \
				dst[i] = (T)src[i];                                  \
			break;                                                       \
		case MLFY_NPY_B1:                                                    \
			for (i = 0; i < n; i++)                                      \
				dst[i] = (T)(src[i] != 0);                           \
			break;                                                       \
		}                                                                    \
	}
DEFINE_CONVERT(convert_f32, float)
DEFINE_CONVERT(convert_f64, double)

static int require_numeric(struct mlfy_npy *a, struct mlfy_err *err)
{
	if (a->dtype == MLFY_NPY_U)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: a string array (%s) cannot be read as numbers",
				    a->name, a->descr);
	return 0;
}

int mlfy_npy_read_native(struct mlfy_npy *a, void **out, struct mlfy_err *err)
{
	void *buf;
	int rc;

	*out = NULL;
	if (!(buf = malloc(a->nbytes ? a->nbytes : 1)))
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory for %zu bytes", a->name, a->nbytes);
	if ((rc = read_bytes(a, buf, 0, a->nbytes, err))) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

int mlfy_npy_read_double(struct mlfy_npy *a, double **out, struct mlfy_err *err)
{
	void *raw = NULL;
	double *d;
	int rc;

	*out = NULL;
	if ((rc = require_numeric(a, err)))
		return rc;
	if ((rc = mlfy_npy_read_native(a, &raw, err)))
		return rc;
	if (a->dtype == MLFY_NPY_F8) {
		*out = raw;
		return 0;
	}
	if (a->count > SIZE_MAX / sizeof(double) || !(d = malloc(a->count ? a->count * sizeof(double) : 1))) {
		free(raw);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", a->name);
	}
	convert_f64(a->dtype, raw, d, a->count);
	free(raw);
	*out = d;
	return 0;
}

int mlfy_npy_read_int64(struct mlfy_npy *a, int64_t **out, struct mlfy_err *err)
{
	unsigned char *raw = NULL;
	int64_t *v;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = require_numeric(a, err)))
		return rc;
	if ((rc = mlfy_npy_read_native(a, (void **)&raw, err)))
		return rc;
	if (a->dtype == MLFY_NPY_I8) {
		*out = (int64_t *)(void *)raw;
		return 0;
	}
	if (a->count > SIZE_MAX / sizeof(int64_t) || !(v = malloc(a->count ? a->count * sizeof(int64_t) : 1))) {
		free(raw);
		return mlfy_err_set(err, MLFY_ENOMEM, "%s: out of memory", a->name);
	}
	for (i = 0; i < a->count; i++) {
		double d;
		switch (a->dtype) {
		case MLFY_NPY_I4: {
			int32_t x;
			memcpy(&x, raw + 4 * i, 4);
			v[i] = x;
			continue;
		}
		/* raw holds nbytes = count * itemsize bytes (struct mlfy_npy's
		 * invariant), which the analyzer cannot see */
		case MLFY_NPY_U1: v[i] = raw[i]; continue;       /* NOLINT(clang-analyzer-core.uninitialized.Assign) */
		case MLFY_NPY_B1: v[i] = raw[i] != 0; continue;  /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
		case MLFY_NPY_F2: {
			uint16_t x;
			memcpy(&x, raw + 2 * i, 2);
			d = mlfy_half_to_float(x);
			break;
		}
		case MLFY_NPY_F4: {
			float x;
			memcpy(&x, raw + 4 * i, 4);
			d = x;
			break;
		}
		default:
			memcpy(&d, raw + 8 * i, 8);
			break;
		}
		/* 2^63 is exactly representable; values must lie in [-2^63, 2^63) */
		if (!isfinite(d) || d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
			MLFY_FREE_ALL(raw, v);
			return mlfy_err_set(err, MLFY_EINVAL, "%s: element %zu (%g) is not an integer", a->name, i, d);
		}
		v[i] = (int64_t)d;
	}
	free(raw);
	*out = v;
	return 0;
}

void mlfy_npy_strings_free(char **s, size_t n)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}


int mlfy_npy_read_strings(struct mlfy_npy *a, char ***out, struct mlfy_err *err)
{
	unsigned char *raw = NULL;
	char **s = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (a->dtype != MLFY_NPY_U)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: expected a string array (<U<n>), found %s", a->name,
				    a->descr);
	if ((rc = mlfy_npy_read_native(a, (void **)&raw, err)))
		return rc;
	if (!(s = calloc(a->count ? a->count : 1, sizeof(*s)))) {
		free(raw);
		return mlfy_err_oom(err);
	}
	for (i = 0; i < a->count; i++) {
		size_t bad = 0;
		uint32_t cp = 0;
		char *p;

		if (a->str_len > (SIZE_MAX - 1) / 4 || !(p = malloc(4 * a->str_len + 1))) {
			rc = mlfy_err_oom(err);
			goto fail;
		}
		s[i] = p;
		if (mlfy_utf32le_to_utf8(raw + i * a->itemsize, a->str_len, p, &bad, &cp) == SIZE_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: element %zu: %s U+%04X", a->name, i,
					  cp == 0 ? "embedded NUL character" : "invalid code point", cp);
			goto fail;
		}
	}
	free(raw);
	*out = s;
	return 0;
fail:
	free(raw);
	mlfy_npy_strings_free(s, a->count);
	return rc;
}

/* The two streaming readers share this: read rows [next_row, +n) into buf
 * as float or double, straight into buf when the dtype already matches. */
static int read_rows(struct mlfy_npy *a, void *buf, size_t max_rows, size_t *n_rows, int want_f64,
		     struct mlfy_err *err)
{
	size_t rows = mlfy_npy_rows(a), row_len = mlfy_npy_row_len(a);
	size_t n, elems, done = 0;
	size_t off;
	int rc;

	*n_rows = 0;
	if ((rc = require_numeric(a, err)))
		return rc;
	if (a->next_row >= rows)
		return 0;
	n = rows - a->next_row;
	if (n > max_rows)
		n = max_rows;
	if (n == 0)
		return 0;
	elems = n * row_len;      /* <= count: no overflow */
	off = a->next_row * row_len * a->itemsize;
	if ((want_f64 && a->dtype == MLFY_NPY_F8) || (!want_f64 && a->dtype == MLFY_NPY_F4)) {
		if ((rc = read_bytes(a, buf, off, elems * a->itemsize, err)))
			return rc;
	} else {
		size_t chunk;
		if (!a->scratch) {
			if (!(a->scratch = malloc(NPY_SCRATCH)))
				return mlfy_err_oom(err);
			a->scratch_size = NPY_SCRATCH;
		}
		chunk = a->scratch_size / a->itemsize;
		while (done < elems) {
			size_t k = elems - done < chunk ? elems - done : chunk;
			if ((rc = read_bytes(a, a->scratch, off + done * a->itemsize, k * a->itemsize, err)))
				return rc;
			if (want_f64)
				convert_f64(a->dtype, a->scratch, (double *)buf + done, k);
			else
				convert_f32(a->dtype, a->scratch, (float *)buf + done, k);
			done += k;
		}
	}
	a->next_row += n;
	*n_rows = n;
	return 0;
}

int mlfy_npy_read_rows_f32(struct mlfy_npy *a, float *buf, size_t max_rows,
			   size_t *n_rows, struct mlfy_err *err)
{
	return read_rows(a, buf, max_rows, n_rows, 0, err);
}

int mlfy_npy_read_rows_f64(struct mlfy_npy *a, double *buf, size_t max_rows,
			   size_t *n_rows, struct mlfy_err *err)
{
	return read_rows(a, buf, max_rows, n_rows, 1, err);
}
