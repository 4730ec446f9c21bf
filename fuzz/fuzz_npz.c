/* fuzz_npz.c - libFuzzer target for the .npz reader (src/util/npz.c): end
 * of central directory (zip64 too), central directory entries, local
 * headers, stored and deflated members, CRC-32, then the .npy parser on
 * each member; and each member read again as a stream (npz_stream.c: the
 * header up front, the data in uneven pieces through the inflating
 * thread's ring, the CRC-32 and the end of the deflate stream at the last
 * byte).  Input: the bytes of one .npz archive. */
#include <stdint.h>
#include <stdlib.h>

#include "util/npy.h"
#include "util/npz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfy_npz *z = NULL;
	struct mlfy_err err;
	size_t i, n;

	if (mlfy_npz_open_mem("fuzz.npz", data, size, &z, &err) != 0)
		return 0;
	n = mlfy_npz_count(z);
	for (i = 0; i < n && i < 8; i++) {
		struct mlfy_npy *a = NULL;
		if (mlfy_npz_member(z, mlfy_npz_name(z, i), &a, &err) == 0) {
			void *raw = NULL;
			if (a->dtype != MLFY_NPY_U) {
				double *d = NULL;
				if (mlfy_npy_read_double(a, &d, &err) == 0)
					free(d);
			} else {
				char **s = NULL;
				if (mlfy_npy_read_strings(a, &s, &err) == 0)
					mlfy_npy_strings_free(s, a->count);
			}
			if (mlfy_npy_read_native(a, &raw, &err) == 0)
				free(raw);
			mlfy_npy_close(a);
		}
	}
	for (i = 0; i < n && i < 8; i++) {
		struct mlfy_npz_stream *st = NULL;
		unsigned char buf[997];
		if (mlfy_npz_stream_open(z, mlfy_npz_name(z, i), &st, &err) != 0)
			continue;
		while (mlfy_npz_stream_left(st) > 0) {
			uint64_t left = mlfy_npz_stream_left(st);
			size_t k = left < sizeof(buf) ? (size_t)left : sizeof(buf);
			if (mlfy_npz_stream_read(st, buf, k, &err) != 0)
				break;
		}
		mlfy_npz_stream_close(st);
	}
	/* the lookup by a short name ("tensor" finds "tensor.npy") and a miss */
	{
		struct mlfy_npy *a = NULL;
		if (mlfy_npz_member(z, "tensor", &a, &err) == 0)
			mlfy_npy_close(a);
	}
	mlfy_npz_close(z);
	return 0;
}
