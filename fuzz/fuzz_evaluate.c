/* fuzz_evaluate.c - libFuzzer target for the input parsers of the evaluate
 * area: the CSV record reader and number parser (util/csv), timm results
 * tables joined and fitted (evaluate/timm, evaluate/fit) and evaluate
 * results files (evaluate/scores).  Input: byte 0 picks the parser (mod 4:
 * csv, timm, scores, scores); the rest is written to a temporary file (the
 * parsers read paths).  Built and run by cmake/fuzz.cmake and
 * scripts/fuzz-run (docs/fuzzing.md); first written by the evaluate area. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evaluate/fit.h"
#include "evaluate/scores.h"
#include "evaluate/timm.h"
#include "util/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static char path[300];

static void remove_input(void)
{
	unlink(path);
}

static int write_input(const uint8_t *data, size_t n)
{
	FILE *f;
	if (!path[0]) {
		/* tmpfs when there is one: a file per input must not wait on a disk */
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(path, sizeof(path), "%s/mlfy-fuzz-evaluate-%d", dir, (int)getpid());
		atexit(remove_input);
	}
	if (!(f = fopen(path, "wb")))
		return -1;
	fwrite(data, 1, n, f);
	fclose(f);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mlfy_err err;
	if (n < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: {   /* CSV records and numbers in every field */
		struct mlfy_csv *c;
		char **f;
		size_t nf, i;
		double v;
		if (write_input(data + 1, n - 1) || mlfy_csv_open(path, &c, &err))
			return 0;
		while (mlfy_csv_next(c, &f, &nf, &err) == 1)
			for (i = 0; i < nf; i++)
				mlfy_parse_number(f[i], &v);
		mlfy_csv_close(c);
		break;
	}
	case 1: {   /* a timm table joined with itself, then fitted */
		struct mlfy_timm_table t;
		struct mlfy_timm_join j;
		if (write_input(data + 1, n - 1) || mlfy_timm_read(path, &t, &err))
			return 0;
		if (!mlfy_timm_join(&t, &t, data[0] & 4 ? MLFY_TIMM_BY_MODEL_SIZE : MLFY_TIMM_BY_MODEL, &j,
				    &err)) {
			struct mlfy_linfit fit;
			if (!mlfy_linfit(j.top1_a, j.top1_b, j.n, &fit, &err)) {
				mlfy_linfit_outliers(&fit, 2, NULL, 0);
				mlfy_linfit_release(&fit);
			}
			mlfy_timm_join_release(&j);
		}
		mlfy_timm_table_release(&t);
		break;
	}
	default: {  /* evaluate results, CSV or JSON */
		struct mlfy_model_scores s;
		if (write_input(data + 1, n - 1) || mlfy_model_scores_read(path, &s, &err))
			return 0;
		mlfy_model_scores_release(&s);
		break;
	}
	}
	return 0;
}
