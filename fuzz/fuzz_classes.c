/* fuzz_classes.c - libFuzzer target for the class-list parser
 * (src/ingest/classes.c, mlfy init --classes): JSON index->id maps, [id,
 * name] pairs and id arrays, LOC_synset_mapping-style lines and plain name
 * lists, with format detection.  Input: the bytes of one class file. */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/classes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlfy_class *c = NULL;
	enum mlfy_class_format fmt;
	struct mlfy_err err;
	size_t n = 0, i;

	if (mlfy_classes_parse((const char *)data, size, "fuzz.classes", &c, &n, &fmt, &err) == 0) {
		for (i = 0; i < n; i++)
			if (c[i].idx != (int)i || !c[i].ext_id)
				abort();   /* documented: ordered by index 0..n-1, ids set */
		mlfy_classes_free(c, n);
	}
	return 0;
}
