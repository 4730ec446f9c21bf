/* fuzz/propose.c - libFuzzer harness for the inputs `mlfy propose` reads
 * besides the model run itself: the ONNX protobuf scan (quantised-model
 * detection), timm config.json files, and image files through the whole
 * preprocessing (libvips decode, JPEG/PNG completeness checks, orientation,
 * colour, alpha, Pillow-compatible resize, crop, normalisation).  The first
 * input byte picks the reader (and, for images, the crop mode and filter).
 * Build and run (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c11 -Isrc \
 *     -o fuzz-propose fuzz/propose.c src/propose/onnx_scan.c src/propose/preprocess.c \
 *     src/propose/resample.c src/util/error.c $(pkg-config --cflags --libs jansson vips) -lm
 *   ./fuzz-propose -max_total_time=150 -max_len=4096 CORPUS_DIR
 * (seed the corpus with the files of tests/propose/data, each prefixed by a
 * selector byte)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "propose/onnx_scan.h"
#include "propose/preprocess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int write_tmp(char *path, size_t cap, const char *suffix, const uint8_t *data, size_t n)
{
	FILE *f;
	snprintf(path, cap, "/dev/shm/mlfy-fuzz-propose-%ld%s", (long)getpid(), suffix);
	if (!(f = fopen(path, "wb")))
		return -1;
	if (n && fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mlfy_err err;
	char path[128];
	uint8_t sel;

	if (n < 1)
		return 0;
	sel = data[0];
	data++;
	n--;
	switch (sel % 3) {
	case 0: {
		struct mlfy_onnx_scan sc;
		uint8_t *copy = malloc(n ? n : 1); /* exact size: overreads are caught */
		memcpy(copy, data, n);
		if (mlfy_onnx_scan_mem(copy, n, &sc, &err) == 0 && sc.n_quantized > sc.n_nodes)
			abort();
		free(copy);
		break;
	}
	case 1: {
		struct mlfy_prep p;
		struct mlfy_prep_extra ex;
		mlfy_prep_init(&p);
		if (write_tmp(path, sizeof(path), ".json", data, n) == 0) {
			if (mlfy_prep_load_config(path, &p, &ex, &err) == 0 && p.height &&
			    mlfy_prep_validate(&p, &err) != 0 && p.crop_pct > 0 && p.crop_pct <= 4)
				; /* a config may still give sizes the model overrides */
			unlink(path);
		}
		break;
	}
	default: {
		struct mlfy_prep p;
		float out[3 * 16 * 12];
		mlfy_prep_init(&p);
		p.height = 16;
		p.width = 12;
		p.crop_pct = 0.5 + (sel >> 2 & 3) * 0.25;
		p.crop_mode = (enum mlfy_crop_mode)((sel >> 4) % 3);
		p.filter = (enum mlfy_filter)((sel >> 6) % 4 + 1);
		p.alpha = (enum mlfy_alpha)((sel >> 2) % 3);
		if (write_tmp(path, sizeof(path), ".img", data, n) == 0) {
			mlfy_prep_image(&p, path, out, NULL, &err);
			unlink(path);
		}
		break;
	}
	}
	return 0;
}
