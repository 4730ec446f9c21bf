/* test_exemplars.c - mlfy_ingest_add_exemplars on generated folders: the
 * seeded choice, project images only as fill-ins, skipped files, flat
 * "<class>_<name>" files, replacement on re-run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "ingest/exemplars.h"
#include "ingest/probe.h"
#include "testutil.h"

static void make_image(const char *path, int w, int h)
{
	VipsImage *im;
	assert_int_equal(vips_black(&im, w, h, "bands", 3, NULL), 0);
	assert_int_equal(vips_jpegsave(im, path, NULL), 0);
	g_object_unref(im);
}

static struct mlfy_store *project(void)
{
	static const struct mlfy_class cls[] = {
		{ 0, "n01440764", "tench", "tench", "" },
		{ 1, "n01443537", "goldfish", "goldfish", "" },
	};
	char path[4096];
	struct mlfy_store *s;
	struct mlfy_err err;
	test_tmpfile(path, sizeof(path), "p.mlfy");
	assert_int_equal(mlfy_store_open(path, MLFY_STORE_CREATE, &s, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_classes(s, cls, 2, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	return s;
}

/* Imports one file as a project image. */
static void add_project_image(struct mlfy_store *s, const char *path, int label)
{
	struct mlfy_image_info info;
	struct mlfy_image img;
	struct mlfy_err err;
	assert_int_equal(mlfy_image_probe(path, &info, &err), 0);
	memset(&img, 0, sizeof(img));
	img.name = (char *)strrchr(path, '/') + 1;
	img.path = (char *)path;
	img.original_label = label;
	img.batch = 1;
	memcpy(img.sha256, info.sha256, sizeof(img.sha256));
	img.width = info.width;
	img.height = info.height;
	img.bytes = info.bytes;
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_catalog_add_image(s, &img, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
}

static int skipped(const struct mlfy_add_exemplars_result *r, const char *where, const char *reason)
{
	size_t i;
	for (i = 0; i < r->n_skipped; i++)
		if (strstr(r->skipped[i].where, where) && strstr(r->skipped[i].reason, reason))
			return 1;
	return 0;
}

static void imagefolder_choice(void **state)
{
	char root[4096], p[4096], self[4096];
	struct mlfy_store *s = project();
	struct mlfy_add_exemplars_opts o;
	struct mlfy_add_exemplars_result r;
	struct mlfy_exemplar *ex, *ex2;
	struct mlfy_err err;
	size_t n, n2, i;
	int k;

	(void)state;
	test_tmpfile(root, sizeof(root), "ex");
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/n01440764", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/goldfish", root); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/zebra", root); mkdir(p, 0755);
	for (k = 0; k < 5; k++) {
		snprintf(p, sizeof(p), "%s/n01440764/t%d.jpg", root, k);
		make_image(p, 10 + k, 10);
	}
	snprintf(p, sizeof(p), "%s/n01440764/broken.jpg", root);
	{
		FILE *f = fopen(p, "w");
		fputs("not a jpeg", f);
		fclose(f);
	}
	/* t0 is also a project image: with 4 others it is never chosen */
	snprintf(self, sizeof(self), "%s/n01440764/t0.jpg", root);
	add_project_image(s, self, 0);
	/* goldfish: two files, one a project image -> used as a fill-in, last */
	snprintf(p, sizeof(p), "%s/goldfish/g0.jpg", root);
	make_image(p, 30, 10);
	add_project_image(s, p, 1);
	snprintf(p, sizeof(p), "%s/goldfish/g1.jpg", root);
	make_image(p, 31, 10);
	snprintf(p, sizeof(p), "%s/zebra/z.jpg", root);
	make_image(p, 40, 10);

	memset(&o, 0, sizeof(o));
	o.src = root;
	o.per_class = 4;
	o.seed = 7;
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), 0);
	assert_int_equal(r.n_classes, 2);
	assert_int_equal(r.n_exemplars, 6);
	assert_int_equal(r.n_project, 1);
	assert_int_equal(r.n_short, 1);
	assert_true(skipped(&r, "zebra", "unknown class label 'zebra'"));
	/* broken.jpg is only read if the walk reaches it; it may be skipped or not */
	mlfy_add_exemplars_result_release(&r);

	assert_int_equal(mlfy_catalog_exemplars(s, 0, &ex, &n, &err), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(ex[i].rank, (int)i);
		assert_string_not_equal(ex[i].path, self);
		assert_null(strstr(ex[i].path, "broken"));
	}
	/* the same seed chooses the same files in the same order */
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), 0);
	mlfy_add_exemplars_result_release(&r);
	assert_int_equal(mlfy_catalog_exemplars(s, 0, &ex2, &n2, &err), 0);
	assert_int_equal(n2, n);
	for (i = 0; i < n; i++)
		assert_string_equal(ex[i].path, ex2[i].path);
	mlfy_exemplars_free(ex2, n2);
	mlfy_exemplars_free(ex, n);

	assert_int_equal(mlfy_catalog_exemplars(s, 1, &ex, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_non_null(strstr(ex[0].path, "g1.jpg")); /* the non-project image first */
	assert_non_null(strstr(ex[1].path, "g0.jpg"));
	mlfy_exemplars_free(ex, n);

	/* re-run with 1 per class replaces */
	o.per_class = 1;
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), 0);
	mlfy_add_exemplars_result_release(&r);
	assert_int_equal(mlfy_catalog_exemplars(s, 0, &ex, &n, &err), 0);
	assert_int_equal(n, 1);
	mlfy_exemplars_free(ex, n);
	mlfy_store_close(s);
}

static void flat_names_and_errors(void **state)
{
	char root[4096], p[4096];
	struct mlfy_store *s = project();
	struct mlfy_add_exemplars_opts o;
	struct mlfy_add_exemplars_result r;
	struct mlfy_exemplar *ex;
	struct mlfy_err err;
	size_t n;

	(void)state;
	test_tmpfile(root, sizeof(root), "flat");
	mkdir(root, 0755);
	memset(&o, 0, sizeof(o));
	o.src = root;
	o.per_class = 10;
	/* nothing usable: an error, nothing changed */
	snprintf(p, sizeof(p), "%s/nounderscore.jpg", root);
	make_image(p, 8, 8);
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), MLFY_EINVAL);
	assert_true(skipped(&r, "nounderscore.jpg", "no class in the file name"));
	mlfy_add_exemplars_result_release(&r);

	snprintf(p, sizeof(p), "%s/n01443537_goldfish.JPEG", root);
	make_image(p, 9, 8);
	snprintf(p, sizeof(p), "%s/n01443537_copy.JPEG", root);
	make_image(p, 9, 8); /* same pixels, same bytes */
	snprintf(p, sizeof(p), "%s/n09999999_x.JPEG", root);
	make_image(p, 10, 8);
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), 0);
	assert_int_equal(r.n_exemplars, 1);
	assert_true(skipped(&r, "n09999999_x.JPEG", "unknown class label 'n09999999'"));
	assert_true(skipped(&r, "n01443537_", "same content as another exemplar"));
	mlfy_add_exemplars_result_release(&r);
	assert_int_equal(mlfy_catalog_exemplars(s, 1, &ex, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ex[0].width, 9);
	mlfy_exemplars_free(ex, n);

	o.per_class = 0;
	assert_int_equal(mlfy_ingest_add_exemplars(s, &o, &r, &err), MLFY_EINVAL);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(imagefolder_choice),
		cmocka_unit_test(flat_names_and_errors),
	};
	if (VIPS_INIT("test_exemplars"))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
