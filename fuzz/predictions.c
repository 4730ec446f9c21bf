/* fuzz/predictions.c - libFuzzer harness for `mlfy import-predictions`'s
 * readers (.npy, timm CSV / JSON / JSON lines) through the whole importer,
 * against a small project (5 classes with an ambiguous name, 3 images, two
 * sharing a file name) created once in /dev/shm.  The first byte also
 * picks --input.  Build and run (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=c11 -Isrc \
 *     -o fuzz-predictions fuzz/predictions.c src/util/[a-z]*.c src/store/[a-z]*.c \
 *     src/ingest/predictions.c $(pkg-config --cflags --libs jansson zlib sqlite3) -lm
 *   ./fuzz-predictions -max_total_time=150 -max_len=2048 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/predictions.h"
#include "store/catalog.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static struct mlfy_store *project;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[5] = { "tench", "goldfish", "crane", "crane", "n5" };
	static const char *const images[3] = { "a.jpg", "x/b.jpg", "y/b.jpg" };
	struct mlfy_err err;
	char path[64];
	int i;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "/dev/shm/fuzz-predictions-%d.mlfy", (int)getpid());
	unlink(path);
	if (mlfy_store_open(path, MLFY_STORE_CREATE, &project, &err) || mlfy_store_begin(project, &err))
		goto fail;
	for (i = 0; i < 5; i++) {
		struct mlfy_class c;
		char id[16];
		memset(&c, 0, sizeof(c));
		snprintf(id, sizeof(id), "n%08d", i);
		c.idx = i;
		c.ext_id = id;
		c.name = (char *)names[i];
		c.synonyms = (char *)names[i];
		c.gloss = "";
		if (mlfy_catalog_add_classes(project, &c, 1, &err))
			goto fail;
	}
	for (i = 0; i < 3; i++) {
		struct mlfy_image im;
		memset(&im, 0, sizeof(im));
		im.name = (char *)images[i];
		im.path = (char *)images[i];
		im.original_label = i;
		im.batch = 1;
		snprintf(im.sha256, sizeof(im.sha256), "%064d", i);
		im.width = im.height = 1;
		if (mlfy_catalog_add_image(project, &im, &err))
			goto fail;
	}
	if (mlfy_store_commit(project, &err))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "fixture: %s\n", err.msg);
	exit(1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mlfy_pred_options opt;
	struct mlfy_err err;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/dev/shm/fuzz-predictions-%d.in", (int)getpid());
	f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	memset(&opt, 0, sizeof(opt));
	opt.model = "m";
	opt.top_k = 3;
	opt.input = n ? data[0] % 3 : MLFY_PRED_AUTO;
	mlfy_predictions_import(project, path, &opt, NULL, &err);
	return 0;
}
