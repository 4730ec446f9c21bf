/* project_fixture.h - the small project that the evaluate and report tests
 * share (header-only; include after cmocka.h and testutil.h).
 *
 * Classes 0..9; images a..e (name order) with original labels 0, 1, 2,
 * none, 4; final sets a {0}, b {1,5}, c {} (empty), d undecided, e {4,9};
 * model "m" proposes (top-3) a (0,3,4), b (5,2,1), c (2,0,1), d (1,2,3),
 * e (3,9,8).  With with_z, a model "z" (proposing class 0 for a) is
 * imported before "m", so "m" is the active proposal model. */
#ifndef MLFY_TESTS_PROJECT_FIXTURE_H
#define MLFY_TESTS_PROJECT_FIXTURE_H

#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/proposals.h"

static inline struct mlfy_store *project_fixture(char *path, size_t n, int with_z)
{
	static const char *names[5] = { "a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg" };
	static const int orig[5] = { 0, 1, 2, -1, 4 };
	static const int props[5][3] = { { 0, 3, 4 }, { 5, 2, 1 }, { 2, 0, 1 }, { 1, 2, 3 },
					 { 3, 9, 8 } };
	const int sa[] = { 0 }, sb[] = { 5, 1 }, se[] = { 9, 4 };
	struct mlfy_class cls[10];
	struct mlfy_store *s;
	struct mlfy_err err;
	char ext[10][8], nm[10][8];
	int64_t ids[5], model;
	int i, k;

	test_tmpfile(path, n, "p.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	for (i = 0; i < 10; i++) {
		snprintf(ext[i], sizeof(ext[i]), "n%d", i);
		snprintf(nm[i], sizeof(nm[i]), "c%d", i);
		cls[i] = (struct mlfy_class){ i, ext[i], nm[i], "", "" };
	}
	assert_int_equal(mlfy_catalog_add_classes(s, cls, 10, &err), 0);
	for (i = 0; i < 5; i++) {
		struct mlfy_image img = { 0 };
		img.name = (char *)names[i];
		img.path = (char *)names[i];
		img.original_label = orig[i];
		img.batch = 1;
		snprintf(img.sha256, sizeof(img.sha256), "%064d", i);
		img.width = img.height = 10;
		img.bytes = 100;
		assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
		ids[i] = img.id;
	}
	if (with_z) {
		struct mlfy_proposal pz[1] = { { 0, 0, 0.9 } };
		assert_int_equal(mlfy_models_ensure(s, "z", "test", "npy-logits", &model, &err), 0);
		assert_int_equal(mlfy_proposals_put(s, ids[0], model, pz, 1, &err), 0);
	}
	assert_int_equal(mlfy_models_ensure(s, "m", "test", "npy-logits", &model, &err), 0);
	for (i = 0; i < 5; i++) {
		struct mlfy_proposal p[3];
		for (k = 0; k < 3; k++)
			p[k] = (struct mlfy_proposal){ k, props[i][k], 0.5 / (k + 1) };
		assert_int_equal(mlfy_proposals_put(s, ids[i], model, p, 3, &err), 0);
	}
	assert_int_equal(mlfy_final_put(s, ids[0], MLFY_FINAL_AGREED, 0, sa, 1, &err), 0);
	assert_int_equal(mlfy_final_put(s, ids[1], MLFY_FINAL_REFINED, 0, sb, 2, &err), 0);
	assert_int_equal(mlfy_final_put(s, ids[2], MLFY_FINAL_AGREED, 0, NULL, 0, &err), 0);
	assert_int_equal(mlfy_final_put(s, ids[4], MLFY_FINAL_AGGREGATED, 0, se, 2, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return s;
}

#endif
