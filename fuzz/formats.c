/* fuzz/formats.c - libFuzzer harness for the file parsers of the formats
 * area: .npy headers and data (memory mode), .npz archives, label files.
 * The first input byte picks the parser.  Build and run (clang, from the
 * repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c11 -Isrc \
 *     -o fuzz-formats fuzz/formats.c src/util/npy.c src/util/npz.c src/util/error.c \
 *     src/ingest/labels.c $(pkg-config --cflags --libs jansson zlib) -lm
 *   ./fuzz-formats -max_total_time=150 -max_len=4096 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/labels.h"
#include "util/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* Reads everything a valid array offers, in every way the API allows. */
static void exercise_array(struct mlfy_npy *a)
{
	struct mlfy_err err;
	double *d;
	int64_t *iv;
	char **s;
	size_t row_len = mlfy_npy_row_len(a), got;

	if (a->count >= 100000)
		return;
	if (!mlfy_npy_read_double(a, &d, &err))
		free(d);
	if (!mlfy_npy_read_int64(a, &iv, &err))
		free(iv);
	if (!mlfy_npy_read_strings(a, &s, &err))
		mlfy_npy_strings_free(s, a->count);
	if (row_len && row_len < 10000) {
		float *f = malloc(row_len * 3 * sizeof(float));
		while (!mlfy_npy_read_rows_f32(a, f, 3, &got, &err) && got)
			;
		free(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mlfy_err err;
	struct mlfy_npy *a = NULL;
	char path[64];
	FILE *f;
	int mode;

	if (n == 0)
		return 0;
	mode = data[0] % 3;
	data++;
	n--;
	if (mode == 0) {
		void *buf = malloc(n ? n : 1);
		memcpy(buf, data, n);
		if (!mlfy_npy_open_mem("fuzz.npy", buf, n, 1, &a, &err)) {
			exercise_array(a);
			mlfy_npy_close(a);
		}
		return 0;
	}
	snprintf(path, sizeof(path), "/dev/shm/fuzz-formats-%d", (int)getpid());
	f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	if (mode == 1) {
		struct mlfy_npz *z;
		size_t i;
		if (mlfy_npz_open(path, &z, &err))
			return 0;
		for (i = 0; i < mlfy_npz_count(z); i++) {
			if (!mlfy_npz_member(z, mlfy_npz_name(z, i), &a, &err)) {
				exercise_array(a);
				mlfy_npy_close(a);
			}
		}
		mlfy_npz_close(z);
	} else {
		struct mlfy_labels *l;
		size_t i;
		if (!mlfy_labels_load(path, MLFY_LABELS_AUTO, 1000, &l, &err)) {
			if (l->names && l->n)
				mlfy_labels_find(l, l->names[l->n - 1], &i, &err);
			mlfy_labels_free(l);
		}
	}
	return 0;
}
