/* test_catalog.c - the catalog store (catalog.h): classes, label lookup,
 * images, batches, exemplars; transactions and constraint errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "testutil.h"

static struct mlfy_store *fresh(void)
{
	char path[4096];
	struct mlfy_store *s = NULL;
	struct mlfy_err err;
	test_project(path, sizeof(path), "catalog.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	return s;
}

/* Four classes; "crane" is ambiguous on purpose (as in ImageNet: 134 bird, 517 machine). */
static const struct mlfy_class four[] = {
	{ 0, "n01440764", "tench", "tench, Tinca tinca", "freshwater dace-like game fish" },
	{ 1, "n02012849", "crane", "crane", "large long-necked wading bird" },
	{ 2, "n03126707", "crane", "crane", "lifts and moves heavy objects" },
	{ 3, "n04254680", "Soccer Ball", "soccer ball", "an inflated ball used in playing soccer" },
};

static struct mlfy_store *with_classes(void)
{
	struct mlfy_store *s = fresh();
	struct mlfy_err err;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_classes(s, four, 4, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return s;
}

static void classes_roundtrip(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_class *all = NULL, one;
	struct mlfy_err err;
	size_t n = 0, i;

	(void)state;
	assert_int_equal(mlfy_catalog_n_classes(s, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(mlfy_catalog_list_classes(s, &all, &n, &err), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i].idx, four[i].idx);
		assert_string_equal(all[i].ext_id, four[i].ext_id);
		assert_string_equal(all[i].name, four[i].name);
		assert_string_equal(all[i].synonyms, four[i].synonyms);
		assert_string_equal(all[i].gloss, four[i].gloss);
	}
	mlfy_classes_free(all, n);
	assert_int_equal(mlfy_catalog_get_class(s, 3, &one, &err), 0);
	assert_string_equal(one.name, "Soccer Ball");
	mlfy_class_release(&one);
	assert_null(one.name);
	mlfy_class_release(&one); /* released twice: harmless */
	assert_int_equal(mlfy_catalog_get_class(s, 9, &one, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "9"));
	mlfy_classes_free(NULL, 3);
	mlfy_store_close(s);
}

static void classes_conflicts(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_err err;
	struct mlfy_class dup_idx = { 2, "n09999999", "x", "", "" };
	struct mlfy_class dup_ext = { 7, "n01440764", "y", "", "" };
	struct mlfy_class no_name = { 8, "n08888888", "", "", "" };
	struct mlfy_class ok = { 4, "n04000000", "ok", NULL, NULL };
	size_t n;

	(void)state;
	/* no transaction: refused */
	assert_int_equal(mlfy_catalog_add_classes(s, &ok, 1, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_classes(s, &dup_idx, 1, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "index 2"));
	assert_int_equal(mlfy_catalog_add_classes(s, &dup_ext, 1, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "n01440764"));
	assert_int_equal(mlfy_catalog_add_classes(s, &no_name, 1, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "empty name"));
	assert_int_equal(mlfy_catalog_add_classes(s, &ok, 1, &err), 0); /* NULL synonyms/gloss -> "" */
	mlfy_store_rollback(s);
	assert_int_equal(mlfy_catalog_n_classes(s, &n, &err), 0);
	assert_int_equal(n, 4);
	mlfy_store_close(s);
}

static void find_class_rules(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_err err;
	int idx = -1;

	(void)state;
	assert_int_equal(mlfy_catalog_find_class(s, "n02012849", &idx, &err), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(mlfy_catalog_find_class(s, "3", &idx, &err), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(mlfy_catalog_find_class(s, "0", &idx, &err), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(mlfy_catalog_find_class(s, "tench", &idx, &err), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(mlfy_catalog_find_class(s, "Soccer Ball", &idx, &err), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(mlfy_catalog_find_class(s, "soccer ball", &idx, &err), 0); /* case-insensitive */
	assert_int_equal(idx, 3);
	assert_int_equal(mlfy_catalog_find_class(s, "crane", &idx, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "ambiguous"));
	assert_non_null(strstr(err.msg, "1 and 2"));
	/* out-of-range index, signs and spaces are not indices */
	assert_int_equal(mlfy_catalog_find_class(s, "4", &idx, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'4'"));
	assert_int_equal(mlfy_catalog_find_class(s, "-1", &idx, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_find_class(s, "+1", &idx, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_find_class(s, " 1", &idx, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_find_class(s, "99999999999999", &idx, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_find_class(s, "", &idx, &err), MLFY_ENOTFOUND);
	mlfy_store_close(s);
}

static void set_image(struct mlfy_image *img, const char *name, int label, int batch, char hexdigit)
{
	static char path[256];
	memset(img, 0, sizeof(*img));
	snprintf(path, sizeof(path), "/data/%s", name);
	img->name = (char *)name;
	img->path = path;
	img->original_label = label;
	img->batch = batch;
	memset(img->sha256, hexdigit, 64);
	img->sha256[64] = '\0';
	img->width = 500;
	img->height = 375;
	img->bytes = 12345;
}

struct walk { int n; char names[8][32]; int batches[8]; int stop_after; };

static int walk_cb(const struct mlfy_image *img, void *ctx)
{
	struct walk *w = ctx;
	snprintf(w->names[w->n], sizeof(w->names[0]), "%s", img->name);
	w->batches[w->n] = img->batch;
	w->n++;
	return w->stop_after && w->n == w->stop_after ? 42 : 0;
}

static void images_roundtrip(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_image img, got;
	struct mlfy_err err;
	struct walk w;
	int64_t n, *counts;
	int maxb, nb;

	(void)state;
	assert_int_equal(mlfy_catalog_max_batch(s, &maxb, &err), 0);
	assert_int_equal(maxb, 0);
	assert_int_equal(mlfy_catalog_batch_counts(s, &counts, &nb, &err), 0);
	assert_int_equal(nb, 0);
	free(counts);

	set_image(&img, "b.jpg", 0, 1, 'a');
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), MLFY_EINVAL); /* no transaction */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
	assert_true(img.id > 0);
	set_image(&img, "a/c.jpg", -1, 3, 'b');
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
	set_image(&img, "a.jpg", 3, 3, 'a'); /* same content as b.jpg: allowed by the store */
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	/* refusals, each refused statement in a transaction of its own: on
	 * PostgreSQL a failed statement leaves its transaction only to roll
	 * back (as every caller does on an error) */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	set_image(&img, "b.jpg", 0, 1, 'c');
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "b.jpg"));
	mlfy_store_rollback(s);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	set_image(&img, "d.jpg", 0, 0, 'c');
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), MLFY_EINVAL);
	set_image(&img, "d.jpg", 0, 1, 'C');
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "sha256"));
	set_image(&img, "d.jpg", 17, 1, 'c'); /* no class 17: foreign key */
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "d.jpg"));
	mlfy_store_rollback(s);

	assert_int_equal(mlfy_catalog_n_images(s, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(mlfy_catalog_max_batch(s, &maxb, &err), 0);
	assert_int_equal(maxb, 3);
	assert_int_equal(mlfy_catalog_batch_counts(s, &counts, &nb, &err), 0);
	assert_int_equal(nb, 3);
	assert_int_equal(counts[0], 1);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[2], 2);
	free(counts);

	assert_int_equal(mlfy_catalog_image_by_name(s, "a/c.jpg", &got, &err), 0);
	assert_int_equal(got.original_label, -1);
	assert_int_equal(got.batch, 3);
	assert_string_equal(got.path, "/data/a/c.jpg");
	assert_int_equal(got.width, 500);
	assert_int_equal(got.height, 375);
	assert_int_equal(got.bytes, 12345);
	{
		int64_t id = got.id;
		mlfy_image_release(&got);
		assert_int_equal(mlfy_catalog_image_by_id(s, id, &got, &err), 0);
		assert_string_equal(got.name, "a/c.jpg");
		mlfy_image_release(&got);
	}
	/* by hash: the lowest id with that content */
	memset(img.sha256, 'a', 64);
	assert_int_equal(mlfy_catalog_image_by_hash(s, img.sha256, &got, &err), 0);
	assert_string_equal(got.name, "b.jpg");
	assert_int_equal(got.original_label, 0);
	mlfy_image_release(&got);
	memset(img.sha256, 'f', 64);
	assert_int_equal(mlfy_catalog_image_by_hash(s, img.sha256, &got, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_image_by_name(s, "zzz", &got, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "zzz"));
	assert_int_equal(mlfy_catalog_image_by_id(s, 999, &got, &err), MLFY_ENOTFOUND);

	/* walks: ordered by name, batch filter, early stop */
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlfy_catalog_foreach_image(s, 0, walk_cb, &w, &err), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[0], "a.jpg");
	assert_string_equal(w.names[1], "a/c.jpg");
	assert_string_equal(w.names[2], "b.jpg");
	memset(&w, 0, sizeof(w));
	assert_int_equal(mlfy_catalog_foreach_image(s, 3, walk_cb, &w, &err), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.batches[0], 3);
	assert_int_equal(w.batches[1], 3);
	memset(&w, 0, sizeof(w));
	w.stop_after = 1;
	assert_int_equal(mlfy_catalog_foreach_image(s, 0, walk_cb, &w, &err), 42);
	assert_int_equal(w.n, 1);
	mlfy_store_close(s);
}

/* The callback of foreach may use the store (cached statements) meanwhile. */
struct nested { struct mlfy_store *s; int found; };

static int nested_cb(const struct mlfy_image *img, void *ctx)
{
	struct nested *nx = ctx;
	struct mlfy_image again;
	struct mlfy_err err;
	if (mlfy_catalog_image_by_name(nx->s, img->name, &again, &err) == 0) {
		nx->found += again.id == img->id;
		mlfy_image_release(&again);
	}
	return 0;
}

static void foreach_allows_nested_reads(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_image img;
	struct mlfy_err err;
	struct nested nx = { s, 0 };
	char name[16];
	int i;

	(void)state;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "%d.jpg", i);
		set_image(&img, name, i % 4, 1 + i % 2, (char)('0' + i));
		assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
	}
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_catalog_foreach_image(s, 0, nested_cb, &nx, &err), 0);
	assert_int_equal(nx.found, 5);
	mlfy_store_close(s);
}

static void exemplars_replace(void **state)
{
	struct mlfy_store *s = with_classes();
	struct mlfy_exemplar ex[3], *got = NULL, one;
	struct mlfy_err err;
	size_t n;
	int64_t total;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		memset(&ex[i], 0, sizeof(ex[i]));
		ex[i].class_idx = 0;
		ex[i].rank = 2 - i; /* stored out of order, read back by rank */
		ex[i].path = i == 0 ? "/ex/r2.jpg" : i == 1 ? "/ex/r1.jpg" : "/ex/r0.jpg";
		memset(ex[i].sha256, '1' + i, 64);
		ex[i].width = 100 + i;
		ex[i].height = 80;
	}
	assert_int_equal(mlfy_catalog_set_exemplars(s, 0, ex, 3, &err), MLFY_EINVAL); /* no transaction */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_set_exemplars(s, 0, ex, 3, &err), 0);
	assert_int_equal(mlfy_catalog_set_exemplars(s, 3, ex, 1, &err), 0);
	assert_int_equal(mlfy_catalog_set_exemplars(s, 7, ex, 1, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_store_commit(s, &err), 0);

	assert_int_equal(mlfy_catalog_exemplars(s, 0, &got, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(got[0].rank, 0);
	assert_string_equal(got[0].path, "/ex/r0.jpg");
	assert_int_equal(got[0].width, 102);
	assert_string_equal(got[2].path, "/ex/r2.jpg");
	mlfy_exemplars_free(got, n);
	assert_int_equal(mlfy_catalog_n_exemplars(s, &total, &err), 0);
	assert_int_equal(total, 4);

	/* re-run replaces: one exemplar left for class 0 */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	ex[1].rank = 0;
	assert_int_equal(mlfy_catalog_set_exemplars(s, 0, &ex[1], 1, &err), 0);
	/* a repeated rank is a conflict */
	ex[0].rank = 0;
	assert_int_equal(mlfy_catalog_set_exemplars(s, 3, ex, 2, &err), MLFY_ECONFLICT);
	mlfy_store_rollback(s);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_set_exemplars(s, 0, &ex[1], 1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_catalog_exemplars(s, 0, &got, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].path, "/ex/r1.jpg");
	mlfy_exemplars_free(got, n);
	assert_int_equal(mlfy_catalog_exemplar(s, 0, 0, &one, &err), 0);
	assert_string_equal(one.path, "/ex/r1.jpg");
	free(one.path);
	assert_int_equal(mlfy_catalog_exemplar(s, 0, 1, &one, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_catalog_exemplars(s, 2, &got, &n, &err), 0);
	assert_int_equal(n, 0);
	mlfy_exemplars_free(got, n);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes_roundtrip),
		cmocka_unit_test(classes_conflicts),
		cmocka_unit_test(find_class_rules),
		cmocka_unit_test(images_roundtrip),
		cmocka_unit_test(foreach_allows_nested_reads),
		cmocka_unit_test(exemplars_replace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
