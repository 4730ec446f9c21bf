/* npz_writer.h - writes small .npz files (stored, uncompressed members) for
 * the unit tests that read hand-made NumPy archives (header-only). */
#ifndef MLFY_TESTS_NPZ_WRITER_H
#define MLFY_TESTS_NPZ_WRITER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One member of an archive: name ("tensor.npy") and its bytes (borrowed). */
struct npz_member {
	const char *name;
	unsigned char *data;
	size_t len;
};

/* A new .npy image (free it) of n bytes of data with the header dict
 * {'descr': descr, 'fortran_order': False, 'shape': shape}, padded to a
 * multiple of 64 bytes; *len receives its size.  Exits on out of memory. */
static inline unsigned char *npz_npy(const char *descr, const char *shape, const void *data, size_t n, size_t *len)
{
	char dict[256];
	size_t dl, total;
	unsigned char *b;
	snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
	dl = strlen(dict);
	total = (10 + dl + 1 + 63) / 64 * 64;
	if (!(b = malloc(total + n))) {
		perror("npz_npy");
		exit(1);
	}
	memcpy(b, "\x93NUMPY\x01\x00", 8);
	b[8] = (unsigned char)((total - 10) & 0xff);
	b[9] = (unsigned char)((total - 10) >> 8);
	memset(b + 10, ' ', total - 10);
	memcpy(b + 10, dict, dl);
	b[total - 1] = '\n';
	if (n)
		memcpy(b + total, data, n);
	*len = total + n;
	return b;
}

static inline void npz_put16(FILE *f, unsigned v)
{
	fputc(v & 0xff, f);
	fputc((v >> 8) & 0xff, f);
}

static inline void npz_put32(FILE *f, unsigned long v)
{
	npz_put16(f, (unsigned)(v & 0xffff));
	npz_put16(f, (unsigned)(v >> 16));
}

/* Writes the n (at most 8) members m as a zip archive of stored entries to
 * path.  Returns 0, or -1 when the file cannot be written. */
static inline int npz_write(const char *path, const struct npz_member *m, int n)
{
	FILE *f = fopen(path, "wb");
	unsigned long off[8], crc[8], cd_start, cd_len;
	int i;
	if (!f || n > 8) {
		if (f)
			fclose(f);
		return -1;
	}
	for (i = 0; i < n; i++) {
		off[i] = (unsigned long)ftell(f);
		crc[i] = crc32(0L, m[i].data, (uInt)m[i].len);
		npz_put32(f, 0x04034b50UL);
		npz_put16(f, 20);
		npz_put16(f, 0);
		npz_put16(f, 0); /* stored */
		npz_put16(f, 0);
		npz_put16(f, 0x21);
		npz_put32(f, crc[i]);
		npz_put32(f, m[i].len);
		npz_put32(f, m[i].len);
		npz_put16(f, (unsigned)strlen(m[i].name));
		npz_put16(f, 0);
		fwrite(m[i].name, 1, strlen(m[i].name), f);
		fwrite(m[i].data, 1, m[i].len, f);
	}
	cd_start = (unsigned long)ftell(f);
	for (i = 0; i < n; i++) {
		npz_put32(f, 0x02014b50UL);
		npz_put16(f, 20);
		npz_put16(f, 20);
		npz_put16(f, 0);
		npz_put16(f, 0);
		npz_put16(f, 0);
		npz_put16(f, 0x21);
		npz_put32(f, crc[i]);
		npz_put32(f, m[i].len);
		npz_put32(f, m[i].len);
		npz_put16(f, (unsigned)strlen(m[i].name));
		npz_put16(f, 0);
		npz_put16(f, 0);
		npz_put16(f, 0);
		npz_put16(f, 0);
		npz_put32(f, 0);
		npz_put32(f, off[i]);
		fwrite(m[i].name, 1, strlen(m[i].name), f);
	}
	cd_len = (unsigned long)ftell(f) - cd_start;
	npz_put32(f, 0x06054b50UL);
	npz_put16(f, 0);
	npz_put16(f, 0);
	npz_put16(f, (unsigned)n);
	npz_put16(f, (unsigned)n);
	npz_put32(f, cd_len);
	npz_put32(f, cd_start);
	npz_put16(f, 0);
	i = ferror(f);
	return fclose(f) || i ? -1 : 0;
}

#endif
