/* fuzz_npy.c - libFuzzer target for the .npy parser (src/util/npy.c): the
 * header (magic, version, dict literal, descr, shape) and every reader of
 * the data (native, double, int64, strings, streamed f32/f64 rows).
 * Input: the bytes of one .npy file. */
#include <stdint.h>
#include <stdlib.h>

#include "util/npy.h"

/* Data larger than this is not read back (the header was still parsed):
 * keeps every execution in the microseconds. */
#define READ_LIMIT ((size_t)1 << 20)

static void read_rows(struct mlfy_npy *a, int f64)
{
	struct mlfy_err err;
	size_t len = mlfy_npy_row_len(a), n_rows;
	size_t max_rows = 3;
	void *buf;

	if (len == 0 || len > READ_LIMIT)
		return;
	if (!(buf = malloc(max_rows * len * (f64 ? sizeof(double) : sizeof(float)))))
		return;
	mlfy_npy_rewind(a);
	for (;;) {
		int rc = f64 ? mlfy_npy_read_rows_f64(a, buf, max_rows, &n_rows, &err)
			     : mlfy_npy_read_rows_f32(a, buf, max_rows, &n_rows, &err);
		if (rc || n_rows == 0)
			break;
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfy_npy *a = NULL;
	struct mlfy_err err;

	if (mlfy_npy_open_mem("fuzz.npy", (void *)data, size, 0, &a, &err) == 0) {
		if (a->nbytes <= READ_LIMIT) {
			void *raw = NULL;
			double *d = NULL;
			int64_t *i = NULL;
			char **s = NULL;
			if (mlfy_npy_read_native(a, &raw, &err) == 0)
				free(raw);
			if (a->dtype == MLFY_NPY_U) {
				if (mlfy_npy_read_strings(a, &s, &err) == 0)
					mlfy_npy_strings_free(s, a->count);
			} else {
				if (mlfy_npy_read_double(a, &d, &err) == 0)
					free(d);
				if (mlfy_npy_read_int64(a, &i, &err) == 0)
					free(i);
				read_rows(a, 0);
				read_rows(a, 1);
			}
		}
		mlfy_npy_close(a);
	}
	return 0;
}
