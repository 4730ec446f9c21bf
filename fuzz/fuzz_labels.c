/* fuzz_labels.c - libFuzzer target for the label-file parsers
 * (src/ingest/labels.c): ReaL and Multilabelfy JSON, single-label text and
 * CSV, with format auto-detection, validation and the name index.
 * Input: byte 0 selects the format (mod 5: auto, real, multilabelfy,
 * single, csv), byte 1 the class bound (0 = unbounded, else 1..255), the
 * rest is the file. */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfy_labels *l = NULL;
	struct mlfy_err err;
	int format, n_classes;

	if (size < 2)
		return 0;
	format = data[0] % 5;
	n_classes = data[1];
	if (mlfy_labels_parse("fuzz.labels", (const char *)data + 2, size - 2, format, n_classes, &l, &err) == 0) {
		size_t i, total = 0, idx;
		for (i = 0; i < l->n; i++)
			total += mlfy_labels_count(l, i);
		if (total != l->offsets[l->n])
			abort();   /* CSR invariant broken */
		if (l->names && l->n) {
			if (mlfy_labels_find(l, l->names[l->n - 1], &idx, &err) != 0 || idx != l->n - 1)
				abort();   /* the name index must find every name */
			(void)mlfy_labels_find(l, "", &idx, &err);
		}
		mlfy_labels_free(l);
	}
	return 0;
}
