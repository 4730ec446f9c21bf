/* fuzz_propose.c - libFuzzer target for the inputs `mlfy propose` reads
 * besides the model run itself: the ONNX protobuf scan (quantised-model
 * detection), timm config.json files, and image files through the whole
 * preprocessing (libvips decode, JPEG/PNG completeness checks, orientation,
 * colour, alpha, Pillow-compatible resize, crop, normalisation).  Input:
 * byte 0 picks the reader (mod 3: onnx, config, image) and, for images,
 * the crop mode, filter and alpha handling; the rest is the file.  Built
 * and run by cmake/fuzz.cmake and scripts/fuzz-run (docs/fuzzing.md);
 * first written by the propose area. */
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
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, cap, "%s/mlfy-fuzz-propose-%ld%s", dir, (long)getpid(), suffix);
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
			/* a config may leave sizes to the model; validate what it gives */
			if (mlfy_prep_load_config(path, &p, &ex, &err) == 0 && p.height)
				(void)mlfy_prep_validate(&p, &err);
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
