/* fixtures.h - paths and expected values of the committed fixtures in
 * tests/propose/data (made by make_tiny_model.py), for the propose tests
 * (header-only). */
#ifndef MLFY_TESTS_PROPOSE_FIXTURES_H
#define MLFY_TESTS_PROPOSE_FIXTURES_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* dir/tests/propose/data/name into buf ($MLFY_SOURCE_DIR, else the source
 * dir compiled in by CMake is not known: fall back to the working dir). */
static inline const char *fixture(char *buf, size_t n, const char *name)
{
	const char *src = getenv("MLFY_SOURCE_DIR");
	snprintf(buf, n, "%s/tests/propose/data/%s", src && *src ? src : ".", name);
	return buf;
}

/* expected.json, parsed (json_decref when done); aborts the test on failure. */
static inline json_t *fixture_expected(void)
{
	char path[4096];
	json_error_t e;
	json_t *j = json_load_file(fixture(path, sizeof(path), "expected.json"), 0, &e);
	if (!j) {
		fprintf(stderr, "cannot read %s: %s (line %d)\n", path, e.text, e.line);
		exit(1);
	}
	return j;
}

/* Copies a JSON array of numbers into float v[n]; returns its length. */
static inline size_t json_floats(json_t *a, float *v, size_t n)
{
	size_t i;
	for (i = 0; i < json_array_size(a) && i < n; i++)
		v[i] = (float)json_number_value(json_array_get(a, i));
	return json_array_size(a);
}

#endif
