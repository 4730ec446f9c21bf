/* test_export.c - every export format parsed back (jansson, or line by line
 * for CSV) on a small project whose names need escaping: a quote, a comma,
 * a backslash and non-ASCII UTF-8; undecided and empty-set images; class
 * names shared by two classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/export.h"
#include "store/catalog.h"
#include "store/flags.h"
#include "store/provenance.h"
#include "store/final_labels.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 4 images, 4 classes; classes 2 and 3 are both named "crane" (as in
 * ImageNet: the bird n02012849 and the machine n03126707).
 *   img01 -> 'a "quoted", name.jpg'   agreed {0, 2}
 *   img02 -> 'caf\xc3\xa9\\b.jpg'      refined {} (empty set)
 *   img03 -> 'plain.jpg'               undecided
 *   img04 -> 'z.jpg'                   agreed {3}                        */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	const int l1[] = { 2, 0 }, l4[] = { 3 };
	test_tmpfile(e->path, sizeof(e->path), "export.mlfy");
	if (rfix_create(&e->f, e->path, 4, 4, 4, 2) ||
	    rfix_exec(&e->f, "UPDATE classes SET name = 'crane', ext_id = 'n02012849' WHERE idx = 2;"
		      "UPDATE classes SET name = 'crane', ext_id = 'n03126707' WHERE idx = 3;"
		      "UPDATE images SET name = 'a \"quoted\", name.jpg' WHERE id = 1;"
		      "UPDATE images SET name = 'caf\xc3\xa9\\b.jpg' WHERE id = 2;"
		      "UPDATE images SET name = 'plain.jpg' WHERE id = 3;"
		      "UPDATE images SET name = 'z.jpg' WHERE id = 4;"))
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err) || mlfy_store_begin(e->s, &err) ||
	    mlfy_final_put(e->s, 1, MLFY_FINAL_AGREED, 0, l1, 2, &err) ||
	    mlfy_final_put(e->s, 2, MLFY_FINAL_REFINED, 0, NULL, 0, &err) ||
	    mlfy_final_put(e->s, 4, MLFY_FINAL_AGREED, 0, l4, 1, &err) || mlfy_store_commit(e->s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	mlfy_store_close(e->s);
	rfix_close(&e->f);
	free(e);
	return 0;
}

/* Exports into a memory buffer (free() it). */
static char *export(struct env *e, enum mlfy_export_format f, struct mlfy_export_summary *sum)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct mlfy_err err;
	assert_non_null(out);
	if (mlfy_export(e->s, f, NULL, out, sum, &err))
		fail_msg("export: %s", err.msg);
	fclose(out);
	return buf;
}

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	if (!j)
		fail_msg("not JSON: %s (line %d): %s", je.text, je.line, text);
	return j;
}

/* Image names sort by bytes: 'a "quoted", name.jpg' < 'caf\xc3\xa9...' < 'plain.jpg' < 'z.jpg'. */
static void real_format(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	char *t = export(e, MLFY_EXPORT_REAL, &sum);
	json_t *j = parse(t);
	assert_string_equal(t, "[[0, 2], [], [], [3]]\n");
	assert_int_equal(json_array_size(j), 4);
	assert_int_equal(sum.images, 4);
	assert_int_equal(sum.decided, 3);
	assert_int_equal(sum.undecided, 1);
	assert_int_equal(sum.labels, 3);
	assert_int_equal(sum.zero_label, 1);
	json_decref(j);
	free(t);
}

static void multilabelfy_format(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	char *t = export(e, MLFY_EXPORT_MULTILABELFY, &sum);
	json_t *j = parse(t), *v;
	assert_int_equal(json_object_size(j), 3);           /* the undecided image is left out */
	v = json_object_get(j, "a \"quoted\", name.jpg");
	assert_non_null(v);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "0");
	assert_string_equal(json_string_value(json_array_get(v, 1)), "2");
	v = json_object_get(j, "caf\xc3\xa9\\b.jpg");
	assert_non_null(v);
	assert_int_equal(json_array_size(v), 0);
	assert_null(json_object_get(j, "plain.jpg"));
	json_decref(j);
	free(t);
}

static void csv_format(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	char *t = export(e, MLFY_EXPORT_CSV, &sum);
	assert_string_equal(t, "file,original_label,labels,label_count,stage,comment,unsure,tags\n"
			    "\"a \"\"quoted\"\", name.jpg\",0,0 2,2,agreed,,0,\n"
			    "caf\xc3\xa9\\b.jpg,1,,0,refined,,0,\n"
			    "plain.jpg,2,,0,undecided,,0,\n"
			    "z.jpg,3,3,1,agreed,,0,\n");
	free(t);
}

static void jsonl_format(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	char *t = export(e, MLFY_EXPORT_JSONL, &sum), *line, *save = NULL;
	int n = 0;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_t *j = parse(line);
		if (n == 0) {
			assert_string_equal(json_string_value(json_object_get(j, "file")), "a \"quoted\", name.jpg");
			assert_string_equal(json_string_value(json_object_get(j, "stage")), "agreed");
			/* shared names get the ext_id */
			assert_string_equal(json_string_value(json_array_get(json_object_get(j, "label_names"), 1)),
					    "crane (n02012849)");
			assert_string_equal(json_string_value(json_object_get(j, "original_label_name")), "class0");
		}
		if (n == 2) {
			assert_true(json_is_null(json_object_get(j, "stage")));
			assert_true(json_is_null(json_object_get(j, "labels")));
		}
		json_decref(j);
	}
	assert_int_equal(n, 4);
	free(t);
}

/* The JSONL writer (provenance from merged cursors, JSON written directly)
 * gives, line by line, exactly the bytes jansson dumped from the per-image
 * provenance (mlfy_review_provenance) before: comments with control
 * characters, reals of several shapes, two versions, a queue row, two
 * zero-label reviews (the latest counts) and an image without annotations. */
static void jsonl_matches_per_image_provenance(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	const int a1[] = { 0, 1 }, a2[] = { 1 }, r[] = { 1, 3 };
	static const char *const files[] = { "a \"quoted\", name.jpg", "caf\xc3\xa9\\b.jpg", "plain.jpg", "z.jpg" };
	char *t, *line, *save = NULL;
	int n = 0;

	assert_int_equal(rfix_user(&e->f, 1, "ann1", "annotator"), 0);
	assert_int_equal(rfix_user(&e->f, 2, "ann\"2", "annotator"), 0);
	assert_int_equal(rfix_user(&e->f, 3, "exp", "expert"), 0);
	assert_true(rfix_annotate(&e->f, 1, 1, "annotate", a1, 2, "tab\there, new\nline") > 0);
	assert_true(rfix_annotate(&e->f, 1, 2, "annotate", a2, 1, "x") > 0);
	assert_true(rfix_annotate(&e->f, 1, 2, "annotate", a1, 2, "second version") > 0);
	assert_true(rfix_annotate(&e->f, 1, 3, "refine", r, 2, "") > 0);
	assert_true(rfix_annotate(&e->f, 2, 1, "annotate", NULL, 0, "") > 0);
	assert_true(rfix_annotate(&e->f, 4, 2, "annotate", a2, 1, "") > 0);
	/* the fixture's saves all take 3.5 s: vary the reals (the trigger guards real saves, not fixtures) */
	assert_int_equal(rfix_exec(&e->f, "DROP TRIGGER annotations_append_only_u;"
				   "UPDATE annotations SET seconds = 1e-7, comment = 'bell' || char(7) || "
				   "char(8) || char(12) || char(13) || char(31) WHERE id = 2;"
				   "UPDATE annotations SET seconds = 12 WHERE id = 3;"
				   "UPDATE annotations SET seconds = 123456789012.5 WHERE id = 4;"
				   "INSERT INTO refinement_queue(image_id, rule, reason, expert_id, queued_at)"
				   " VALUES (1, 'paper', 'sets_differ', 3, 'q'), (2, 'paper', 'original_label_not_chosen',"
				   " NULL, 'q');"
				   "INSERT INTO zero_label_reviews(image_id, expert_id, category, verdict, comment, created_at)"
				   " VALUES (2, 3, 'low_resolution', 'unsure', 'first', 'z1'),"
				   " (2, 3, 'fine_grained', 'disagree', 'latest\n', 'z2');"), 0);
	t = export(e, MLFY_EXPORT_JSONL, &sum);
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		struct mlfy_provenance p;
		struct mlfy_err err;
		json_t *o = parse(line), *anns = json_array(), *ref;
		int64_t id;
		char *dumped;
		size_t i, j;
		assert_string_equal(json_string_value(json_object_get(o, "file")), files[n]);
		assert_int_equal(mlfy_catalog_image_id(e->s, files[n], &id, &err), 0);
		assert_int_equal(mlfy_review_provenance(e->s, id, &p, &err), 0);
		/* the reference: jansson objects from the per-image query, keys in the export's order */
		ref = json_deep_copy(o);
		for (i = 0; i < p.n_ann; i++) {
			const struct mlfy_prov_annotation *a = &p.ann[i];
			json_t *src = json_array(), *lab = json_array();
			for (j = 0; j < a->n_labels; j++) {
				json_array_append_new(src, json_string(a->sources[j]));
				json_array_append_new(lab, json_integer(a->labels[j]));
			}
			json_t *tags = json_array();
			for (j = 0; j < MLFY_N_TAGS; j++)
				if (a->tags >> j & 1u)
					json_array_append_new(tags, json_string(mlfy_tag_name((int)j)));
			json_array_append_new(anns, json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:f, s:s?, s:o, s:b, s:I, s:I, s:s}",
							       "annotator", a->annotator, "role", a->role, "stage", a->stage,
							       "labels", lab, "sources", src, "comment", a->comment,
							       "seconds", a->seconds, "unsure",
							       a->unsure ? mlfy_unsure_name(a->unsure - 1) : NULL, "tags", tags,
							       "gold_task", a->gold_task, "version", (json_int_t)a->version,
							       "versions", (json_int_t)a->n_versions, "saved_at", a->created_at));
		}
		json_object_set_new(ref, "annotations", anns);
		if (p.queue_rule) {
			json_t *q = json_pack("{s:s, s:s}", "rule", p.queue_rule, "reason", p.queue_reason);
			json_object_set_new(q, "expert", p.queue_expert ? json_string(p.queue_expert) : json_null());
			json_object_set_new(ref, "refinement_queue", q);
		} else {
			json_object_set_new(ref, "refinement_queue", json_null());
		}
		json_object_set_new(ref, "zero_label_review", p.zero.id ?
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "expert", p.zero.expert, "category",
					      p.zero.category, "verdict", p.zero.verdict, "comment", p.zero.comment,
					      "reviewed_at", p.zero.created_at) : json_null());
		dumped = json_dumps(ref, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		assert_string_equal(line, dumped);
		if (n == 0) {   /* the merged cursor saw the annotations at all ('ann"2' sorts before 'ann1') */
			assert_int_equal(json_array_size(json_object_get(o, "annotations")), 3);
			assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(o, "annotations"),
											   0), "versions")), 2);
		}
		if (n == 1)
			assert_string_equal(json_string_value(json_object_get(json_object_get(o, "zero_label_review"),
									     "comment")), "latest\n");
		free(dumped);
		json_decref(ref);
		json_decref(o);
		mlfy_provenance_release(&p);
	}
	assert_int_equal(n, 4);
	free(t);
}

static void labelstudio_format(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	char *t = export(e, MLFY_EXPORT_LABELSTUDIO, &sum);
	json_t *j = parse(t), *task, *res;
	assert_int_equal(json_array_size(j), 4);
	task = json_array_get(j, 0);
	assert_int_equal(json_integer_value(json_object_get(task, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(task, "data"), "file")),
			    "a \"quoted\", name.jpg");
	/* the name, never the server's absolute path (/data/img01.jpg) */
	assert_string_equal(json_string_value(json_object_get(json_object_get(task, "data"), "image")),
			    "a \"quoted\", name.jpg");
	assert_null(strstr(t, "/data/"));
	res = json_array_get(json_object_get(json_array_get(json_object_get(task, "annotations"), 0), "result"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "type")), "choices");
	assert_string_equal(json_string_value(json_object_get(res, "from_name")), "label");
	assert_string_equal(json_string_value(json_object_get(res, "to_name")), "image");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(res, "value"), "choices"), 0)),
			    "class0");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(res, "value"), "choices"), 1)),
			    "crane (n02012849)");
	/* the empty set is an annotation with no choices; the undecided image has none */
	task = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(task, "data"), "file")), "caf\xc3\xa9\\b.jpg");
	res = json_array_get(json_object_get(json_array_get(json_object_get(task, "annotations"), 0), "result"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(res, "value"), "choices")), 0);
	assert_null(json_object_get(json_array_get(j, 2), "annotations"));
	json_decref(j);
	free(t);
}

/* --image-root: a URL root gets percent-encoded names, a path root the
 * names as they are; no absolute server path either way. */
static void labelstudio_image_root(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	struct mlfy_err err;
	const char *roots[] = { "https://files.example.org/val", "https://files.example.org/val/", "/srv/ls/" };
	const char *want[] = { "https://files.example.org/val/a%20%22quoted%22%2C%20name.jpg",
			       "https://files.example.org/val/a%20%22quoted%22%2C%20name.jpg",
			       "/srv/ls/a \"quoted\", name.jpg" };
	size_t i;
	for (i = 0; i < 3; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		json_t *j;
		assert_int_equal(mlfy_export(e->s, MLFY_EXPORT_LABELSTUDIO, roots[i], out, &sum, &err), 0);
		fclose(out);
		j = parse(buf);
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(j, 0), "data"),
								       "image")), want[i]);
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(j, 1), "data"),
								       "image")),
				    i < 2 ? "https://files.example.org/val/caf%C3%A9%5Cb.jpg" : "/srv/ls/caf\xc3\xa9\\b.jpg");
		assert_null(strstr(buf, "/data/"));
		json_decref(j);
		free(buf);
	}
}

static void invalid_utf8_is_an_error(void **state)
{
	struct env *e = *state;
	struct mlfy_export_summary sum;
	struct mlfy_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	assert_int_equal(rfix_exec(&e->f, "UPDATE images SET name = CAST(x'ff41' AS TEXT) WHERE id = 4"), 0);
	out = open_memstream(&buf, &len);
	assert_int_equal(mlfy_export(e->s, MLFY_EXPORT_LABELSTUDIO, NULL, out, &sum, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "UTF-8"));
	fclose(out);
	free(buf);
}

/* The stream API piece by piece (as mlfy serve pulls it): the opening, one
 * piece per image, the closing, then 0 for good; the pieces concatenated are
 * mlfy_export's output byte for byte in every format. */
static void stream_pieces(void **state)
{
	struct env *e = *state;
	int f;
	/* the image formats (real-votes and real-scores, binary .npz of votes
	 * and posteriors, are test_export_real.c's) */
	for (f = 0; f < MLFY_EXPORT_REAL_VOTES; f++) {
		struct mlfy_export_summary sum;
		struct mlfy_export_stream *es;
		struct mlfy_err err;
		char *whole = export(e, (enum mlfy_export_format)f, &sum), *all = NULL, *piece[8];
		size_t n_all = 0, len;
		int k = 0, rc, i;
		FILE *cat = open_memstream(&all, &n_all);

		assert_int_equal(mlfy_export_stream_open(e->s, (enum mlfy_export_format)f, NULL, &es, &err), 0);
		for (;;) {
			FILE *out = open_memstream(&piece[k], &len);
			rc = mlfy_export_stream_next(es, out, &err);
			fclose(out);
			assert_true(rc == 0 || rc == 1);
			if (rc == 0) {
				assert_int_equal(len, 0);   /* the end writes nothing */
				free(piece[k]);
				break;
			}
			fputs(piece[k], cat);
			assert_true(++k < 8);
		}
		assert_int_equal(k, 6);   /* opening, 4 images, closing */
		assert_int_equal(mlfy_export_stream_next(es, stdout, &err), 0);
		assert_int_equal(mlfy_export_stream_summary(es)->images, 4);
		assert_int_equal(mlfy_export_stream_summary(es)->decided, sum.decided);
		assert_int_equal(mlfy_export_stream_summary(es)->labels, sum.labels);
		mlfy_export_stream_close(es);
		fclose(cat);
		assert_string_equal(all, whole);
		if (f == MLFY_EXPORT_MULTILABELFY)
			assert_string_equal(piece[3], "");   /* plain.jpg is undecided: left out */
		if (f == MLFY_EXPORT_CSV)
			assert_string_equal(piece[3], "plain.jpg,2,,0,undecided,,0,\n");
		for (i = 0; i < k; i++)
			free(piece[i]);
		free(all);
		free(whole);
	}
}

static void format_names(void **state)
{
	enum mlfy_export_format f;
	struct mlfy_err err;
	int i;
	(void)state;
	assert_int_equal(mlfy_export_format_parse("jsonl", &f, &err), 0);
	assert_int_equal(f, MLFY_EXPORT_JSONL);
	assert_int_equal(mlfy_export_format_parse("coco", &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "'coco'"));
	for (i = 0; i < MLFY_EXPORT_N_FORMATS; i++) {   /* names parse back to themselves */
		assert_int_equal(mlfy_export_format_parse(mlfy_export_format_name((enum mlfy_export_format)i), &f, &err), 0);
		assert_int_equal(f, i);
	}
	assert_null(mlfy_export_format_name((enum mlfy_export_format)MLFY_EXPORT_N_FORMATS));
	assert_string_equal(mlfy_export_format_ext(MLFY_EXPORT_REAL), "json");
	assert_string_equal(mlfy_export_format_ext(MLFY_EXPORT_CSV), "csv");
	assert_string_equal(mlfy_export_format_ext(MLFY_EXPORT_JSONL), "jsonl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(real_format, setup, teardown),
		cmocka_unit_test_setup_teardown(multilabelfy_format, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_format, setup, teardown),
		cmocka_unit_test_setup_teardown(jsonl_format, setup, teardown),
		cmocka_unit_test_setup_teardown(jsonl_matches_per_image_provenance, setup, teardown),
		cmocka_unit_test_setup_teardown(labelstudio_format, setup, teardown),
		cmocka_unit_test_setup_teardown(labelstudio_image_root, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_utf8_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(stream_pieces, setup, teardown),
		cmocka_unit_test(format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
