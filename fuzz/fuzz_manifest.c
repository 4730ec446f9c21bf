/* fuzz_manifest.c - libFuzzer target for the add-images list parsers
 * (src/ingest/images.c): CSV manifests (RFC 4180, header with path/label
 * columns; every bad row kept with its problem) and ground-truth files
 * (one label per line).  Input: the bytes of one file, given to both
 * parsers. */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/images.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfy_manifest_row *rows = NULL;
	char **labels = NULL;
	struct mlfy_err err;
	size_t n = 0, i;

	/* a good row has a path; a bad one (returned with MLFY_EINVAL, to be
	 * listed) has a problem instead; either way a line */
	if (mlfy_manifest_parse((const char *)data, size, "fuzz.csv", &rows, &n, &err) == 0 || rows) {
		for (i = 0; i < n; i++)
			if ((rows[i].path == NULL) == (rows[i].problem == NULL) || rows[i].line < 1)
				abort();
		mlfy_manifest_free(rows, n);
	}
	if (mlfy_gt_parse((const char *)data, size, "fuzz.txt", &labels, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			free(labels[i]);
		free(labels);
	}
	return 0;
}
