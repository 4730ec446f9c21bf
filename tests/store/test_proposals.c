/* test_proposals.c - models, the active proposal model, top-k proposals
 * (proposals.c) and final label sets (final_labels.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/final_labels.h"
#include "store/proposals.h"
#include "store/store.h"
#include "testutil.h"

/* A project with classes 0..4 and images c.jpg (id 1), a.jpg (id 2),
 * b.jpg (id 3), one annotator and one annotation (id 7) of image 1. */
static struct mlfy_store *fixture(void)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	test_project(path, sizeof(path), "p.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	mlfy_store_close(s);
	assert_int_equal(test_sql(path,
		"INSERT INTO classes(idx, ext_id, name) VALUES (0,'n0','zero'),(1,'n1','one'),(2,'n2','two'),"
		"  (3,'n3','three'),(4,'n4','four');"
		"INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes, added_at) VALUES"
		"  (1,'c.jpg','/x/c.jpg',2,1,'h1',10,10,5,'t'),(2,'a.jpg','/x/a.jpg',NULL,1,'h2',10,10,5,'t'),"
		"  (3,'b.jpg','/x/b.jpg',0,1,'h3',10,10,5,'t');"
		"INSERT INTO annotators(id, name, role, created_at) VALUES (1, 'ann', 'annotator', 't');"
		"INSERT INTO annotations(id, image_id, annotator_id, stage, version, created_at)"
		"  VALUES (7, 1, 1, 'annotate', 1, 't');",
		NULL, 0), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	return s;
}

static void models_and_active(void **state)
{
	struct mlfy_store *s = fixture();
	struct mlfy_err err;
	struct mlfy_model m, *list;
	int64_t a, b, again;
	size_t n;

	(void)state;
	/* no model yet */
	assert_int_equal(mlfy_models_active(s, &m, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_models_ensure(s, "x", "", "", &a, &err), MLFY_EINVAL);   /* no transaction */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_models_ensure(s, "mobilenet", "/m/a.npy", "npy-logits", &a, &err), 0);
	assert_int_equal(mlfy_models_ensure(s, "resnet", "/m/b.csv", "timm-csv", &b, &err), 0);
	assert_int_not_equal(a, b);
	/* ensure finds the existing one and takes the new source/kind */
	assert_int_equal(mlfy_models_ensure(s, "mobilenet", "/m/c.npy", "npy-probs", &again, &err), 0);
	assert_int_equal(again, a);
	assert_int_equal(mlfy_models_ensure(s, "", "", "", &again, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_commit(s, &err), 0);

	assert_int_equal(mlfy_models_find(s, "mobilenet", &m, &err), 0);
	assert_string_equal(m.source, "/m/c.npy");
	assert_string_equal(m.kind, "npy-probs");
	mlfy_model_release(&m);
	assert_int_equal(mlfy_models_find(s, "vit", &m, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "vit"));

	assert_int_equal(mlfy_models_list(s, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "mobilenet");
	assert_string_equal(list[1].name, "resnet");
	mlfy_model_release(&list[0]);
	mlfy_model_release(&list[1]);
	free(list);

	/* without the meta key, the latest import is active */
	assert_int_equal(mlfy_models_active(s, &m, &err), 0);
	assert_string_equal(m.name, "resnet");
	mlfy_model_release(&m);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_models_set_active(s, "mobilenet", &err), 0);
	assert_int_equal(mlfy_models_set_active(s, "nope", &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_models_active(s, &m, &err), 0);
	assert_string_equal(m.name, "mobilenet");
	mlfy_model_release(&m);
	mlfy_store_close(s);
}

/* mlfy_models_lookup: only inside a transaction; counts and existence; a
 * store error is an error (the models table gone), never "no model". */
static void models_lookup_in_a_transaction(void **state)
{
	struct mlfy_store *s = fixture();
	struct mlfy_err err;
	size_t n = 99;
	int exists = 99;
	int64_t id;

	(void)state;
	assert_int_equal(mlfy_models_lookup(s, "a", &n, &exists, &err), MLFY_EINVAL);   /* no transaction */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_models_lookup(s, "a", &n, &exists, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(exists, 0);
	assert_int_equal(mlfy_models_ensure(s, "a", "/a.npy", "npy-logits", &id, &err), 0);
	assert_int_equal(mlfy_models_ensure(s, "b", "/b.npy", "npy-logits", &id, &err), 0);
	assert_int_equal(mlfy_models_lookup(s, "a", &n, &exists, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(exists, 1);
	assert_int_equal(mlfy_models_lookup(s, "c", &n, &exists, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(exists, 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	/* another connection drops the table: the lookup reports the store's error */
	assert_int_equal(test_sql(mlfy_store_path(s),
				  test_pg() ? "DROP TABLE proposals CASCADE; DROP TABLE models CASCADE"
					    : "PRAGMA foreign_keys=OFF; DROP TABLE proposals; DROP TABLE models;",
				  NULL, 0), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	mlfy_err_clear(&err);
	assert_int_equal(mlfy_models_lookup(s, "a", &n, &exists, &err), MLFY_ESTORE);
	assert_non_null(strstr(err.msg, "models"));
	mlfy_store_rollback(s);
	mlfy_store_close(s);
}

static void proposals_put_get_replace(void **state)
{
	struct mlfy_store *s = fixture();
	struct mlfy_err err;
	struct mlfy_proposal p[3] = { { 0, 3, 0.7 }, { 1, 1, 0.2 }, { 2, 4, 0.1 } }, out[8];
	struct mlfy_proposal q[1] = { { 0, 2, 0.9 } };
	int64_t m, cnt;
	size_t n;

	(void)state;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_models_ensure(s, "m", "", "npy-logits", &m, &err), 0);
	assert_int_equal(mlfy_proposals_put(s, 1, m, p, 3, &err), 0);
	assert_int_equal(mlfy_proposals_put(s, 2, m, p, 2, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);

	assert_int_equal(mlfy_proposals_get(s, 1, m, out, 8, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].class_idx, 3);
	assert_int_equal(out[2].rank, 2);
	assert_true(out[1].score == 0.2);
	/* cap smaller than the stored count */
	assert_int_equal(mlfy_proposals_get(s, 1, m, out, 1, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].class_idx, 3);
	assert_int_equal(mlfy_proposals_count_images(s, m, &cnt, &err), 0);
	assert_int_equal(cnt, 2);

	/* put replaces; an unknown class is refused and rolled back */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_proposals_put(s, 1, m, q, 1, &err), 0);
	{
		struct mlfy_proposal bad[1] = { { 0, 99, 1.0 } };
		assert_int_equal(mlfy_proposals_put(s, 3, m, bad, 1, &err), MLFY_ECONFLICT);
		assert_non_null(strstr(err.msg, "class 99"));
	}
	mlfy_store_rollback(s);
	assert_int_equal(mlfy_proposals_get(s, 1, m, out, 8, &n, &err), 0);
	assert_int_equal(n, 3);   /* the rollback kept the old ones */

	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_proposals_put(s, 1, m, q, 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_proposals_get(s, 1, m, out, 8, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].class_idx, 2);

	/* clear removes every proposal of the model */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_proposals_clear(s, m, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_proposals_count_images(s, m, &cnt, &err), 0);
	assert_int_equal(cnt, 0);
	assert_int_equal(mlfy_proposals_get(s, 2, m, out, 8, &n, &err), 0);
	assert_int_equal(n, 0);
	mlfy_store_close(s);
}

struct walk {
	char names[8][16];
	size_t n[8];
	int first[8];
	int orig[8];
	int stage[8];
	int count;
	int stop_after;
};

static int walk_cb(const struct mlfy_final *f, void *ctx)
{
	struct walk *w = ctx;
	snprintf(w->names[w->count], sizeof(w->names[0]), "%s", f->image_name);
	w->n[w->count] = f->n;
	w->first[w->count] = f->n ? f->classes[0] : -1;
	w->orig[w->count] = f->original_label;
	w->stage[w->count] = f->stage;
	w->count++;
	return w->count == w->stop_after ? 42 : 0;
}

static void final_labels_round_trip(void **state)
{
	struct mlfy_store *s = fixture();
	struct mlfy_err err;
	struct mlfy_final f;
	struct walk w;
	int64_t decided, undecided;
	static const int set1[] = { 4, 2, 2, 0 }, set2[] = { 1 };

	(void)state;
	assert_int_equal(mlfy_final_stage_parse("refined"), MLFY_FINAL_REFINED);
	assert_int_equal(mlfy_final_stage_parse("done"), -1);
	assert_string_equal(mlfy_final_stage_name(MLFY_FINAL_IMPORTED), "imported");
	assert_null(mlfy_final_stage_name(0));

	assert_int_equal(mlfy_final_count(s, &decided, &undecided, &err), 0);
	assert_int_equal(decided, 0);
	assert_int_equal(undecided, 3);
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_final_put(s, 1, MLFY_FINAL_AGREED, 7, set1, 4, &err), MLFY_EINVAL);  /* no tx */

	assert_int_equal(mlfy_store_begin(s, &err), 0);
	/* image 1 (c.jpg): agreed from annotation 7; repeats collapse */
	assert_int_equal(mlfy_final_put(s, 1, MLFY_FINAL_AGREED, 7, set1, 4, &err), 0);
	/* image 2 (a.jpg): empty set */
	assert_int_equal(mlfy_final_put(s, 2, MLFY_FINAL_REFINED, 0, NULL, 0, &err), 0);
	/* errors: unknown image, class, annotation, stage */
	assert_int_equal(mlfy_final_put(s, 99, MLFY_FINAL_AGREED, 0, set2, 1, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no image with id 99"));
	{
		static const int bad[] = { 1, 17 };
		assert_int_equal(mlfy_final_put(s, 3, MLFY_FINAL_AGREED, 0, bad, 2, &err), MLFY_ENOTFOUND);
		assert_non_null(strstr(err.msg, "no class with index 17"));
	}
	assert_int_equal(mlfy_final_put(s, 3, MLFY_FINAL_AGREED, 12, set2, 1, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_final_put(s, 3, 9, 0, set2, 1, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_commit(s, &err), 0);

	assert_int_equal(mlfy_final_get(s, 1, &f, &err), 0);
	assert_int_equal(f.stage, MLFY_FINAL_AGREED);
	assert_int_equal(f.annotation_id, 7);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.classes[0], 0);
	assert_int_equal(f.classes[1], 2);
	assert_int_equal(f.classes[2], 4);
	assert_int_equal(strlen(f.decided_at), 20);
	mlfy_final_release(&f);
	assert_int_equal(mlfy_final_get(s, 2, &f, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.annotation_id, 0);
	mlfy_final_release(&f);
	assert_int_equal(mlfy_final_count(s, &decided, &undecided, &err), 0);
	assert_int_equal(decided, 2);
	assert_int_equal(undecided, 1);

	/* a later decision replaces the earlier one */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_final_put(s, 1, MLFY_FINAL_REFINED, 0, set2, 1, &err), 0);
	assert_int_equal(mlfy_final_put(s, 3, MLFY_FINAL_IMPORTED, 0, set1, 4, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), 0);
	assert_int_equal(f.stage, MLFY_FINAL_REFINED);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.classes[0], 1);
	mlfy_final_release(&f);

	/* the walk goes in name order: a.jpg (empty), b.jpg, c.jpg */
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlfy_final_foreach(s, walk_cb, &w, &err), 0);
	assert_int_equal(w.count, 3);
	assert_string_equal(w.names[0], "a.jpg");
	assert_int_equal(w.n[0], 0);
	assert_int_equal(w.orig[0], -1);
	assert_string_equal(w.names[1], "b.jpg");
	assert_int_equal(w.n[1], 3);
	assert_int_equal(w.first[1], 0);
	assert_int_equal(w.orig[1], 0);
	assert_int_equal(w.stage[1], MLFY_FINAL_IMPORTED);
	assert_string_equal(w.names[2], "c.jpg");
	assert_int_equal(w.n[2], 1);
	assert_int_equal(w.orig[2], 2);
	/* a callback's non-zero return stops the walk and is returned */
	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	assert_int_equal(mlfy_final_foreach(s, walk_cb, &w, &err), 42);
	assert_int_equal(w.count, 2);

	/* delete makes an image undecided again */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_final_delete(s, 3, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_final_count(s, &decided, &undecided, &err), 0);
	assert_int_equal(decided, 2);
	assert_int_equal(undecided, 1);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(models_and_active),
		cmocka_unit_test(models_lookup_in_a_transaction),
		cmocka_unit_test(proposals_put_get_replace),
		cmocka_unit_test(final_labels_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
