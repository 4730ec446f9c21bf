/* fuzz_predictions.c - libFuzzer target for `mlfy import-predictions`
 * (src/ingest/predictions.c) through the whole importer: format detection,
 * .npy logits/probabilities, timm inference.py CSV (pandas list cells,
 * quoting, separate columns) and JSON (orient index / split, JSON lines),
 * image-name resolution, label lookup, softmax, top-k, and the store writes
 * of a successful import.  Project: 5 classes (two share the name "crane")
 * and 3 images (two share the file name b.jpg), created once in a
 * temporary folder.  Derived from the formats area's first harness.
 * Input: byte 0 picks --input (bits 0-1: auto, logits, probs) and --top
 * (bits 2-4: 0 = default 20, else 1..7); the rest is the file. */
#define _POSIX_C_SOURCE 200809L
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
static char project_path[256];
static int verbose;   /* MLFY_FUZZ_VERBOSE=1: print each input's outcome (for seed upkeep) */

static void remove_project(void)
{
	char aux[300];
	mlfy_store_close(project);
	unlink(project_path);
	snprintf(aux, sizeof(aux), "%s-wal", project_path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", project_path);
	unlink(aux);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[5] = { "tench", "goldfish", "crane", "crane", "n5" };
	static const char *const images[3] = { "a.jpg", "x/b.jpg", "y/b.jpg" };
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct mlfy_err err;
	int i;

	(void)argc;
	(void)argv;
	verbose = getenv("MLFY_FUZZ_VERBOSE") != NULL;
	snprintf(project_path, sizeof(project_path), "%s/mlfy-fuzz-predictions-%d.mlfy", dir, (int)getpid());
	unlink(project_path);
	if (mlfy_store_open(project_path, MLFY_STORE_CREATE, &project, &err) || mlfy_store_begin(project, &err))
		goto fail;
	atexit(remove_project);
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
	fprintf(stderr, "fuzz_predictions: fixture: %s\n", err.msg);
	exit(1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mlfy_pred_options opt;
	struct mlfy_pred_result res;
	struct mlfy_err err;

	if (n < 1)
		return 0;
	memset(&opt, 0, sizeof(opt));
	opt.model = "m";
	opt.input = data[0] & 3;
	if (opt.input > MLFY_PRED_PROBS)
		opt.input = MLFY_PRED_AUTO;
	opt.top_k = (data[0] >> 2) & 7;
	if (mlfy_predictions_import_mem(project, "fuzz.pred", data + 1, n - 1, &opt, &res, &err) == 0) {
		if (res.n_rows == 0 || res.n_rows > 3 || res.top_k > 5)
			abort();   /* at most one row per image, at most C proposals */
		if (verbose)
			fprintf(stderr, "imported %zu rows (%s)\n", res.n_rows, res.kind);
	} else if (verbose) {
		fprintf(stderr, "refused: %s\n", err.msg);
	}
	if (mlfy_store_in_transaction(project))
		abort();   /* every path must end its transaction */
	return 0;
}
