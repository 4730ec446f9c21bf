/* test_annotation_input.c - what the annotation page sends that the store
 * must take as a user means it: comment length counted in characters (as
 * the page's box counts them), and the ranking of the class search
 * (src/store/annotations.c, mlfy_annotations_save and
 * mlfy_view_search_classes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/save.h"
#include "store/accounts.h"
#include "store/annotations.h"
#include "store/assign.h"
#include "store/taskview.h"
#include "fixture_project.h"
#include "testutil.h"

static char project_path[4096];

/* 10 classes, 8 images in 2 batches, top-5 proposals. */
static struct mlfy_store *make_project(void)
{
	static const struct fixture_spec spec = { 10, 8, 4, 5, 1, NULL, 0, NULL, 0 };
	struct mlfy_store *s = NULL;
	struct mlfy_err err;

	test_project(project_path, sizeof(project_path), "input.mlfy");
	assert_int_equal(fixture_project(project_path, &spec), 0);
	assert_int_equal(mlfy_store_open(project_path, 0, &s, &err), 0);
	return s;
}

static void comment_limit_in_characters(void **state)
{
	struct mlfy_store *s = make_project();
	const char *one[] = { "a1" };
	struct mlfy_assign_report rep;
	struct mlfy_annotation_save in;
	struct mlfy_annotation cur;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t a1 = 0, v = 0;
	/* U+9D8F (3 bytes in UTF-8) and U+1F414 (4 bytes) */
	static const char cjk[] = "\xe9\xb6\x8f", hen[] = "\xf0\x9f\x90\x94";
	char *text = malloc(4 * 4001 + 1);
	size_t i;

	(void)state;
	assert_non_null(text);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_users_add(s, "a1", MLFY_ROLE_ANNOTATOR, NULL, &a1, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_assign_batches(s, 1, one, 1, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_true(tl.n > 0);
	memset(&in, 0, sizeof(in));
	in.image_id = tl.image_ids[0];
	mlfy_task_list_release(&tl);
	in.annotator_id = a1;
	in.stage = MLFY_STAGE_ANNOTATE;

	/* 4000 CJK characters = 12000 bytes: the box allows it, so must we */
	text[0] = '\0';
	for (i = 0; i < 4000; i++)
		memcpy(text + 3 * i, cjk, 4);
	in.comment = text;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(mlfy_annotations_current(s, in.image_id, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(strlen(cur.comment), 12000);
	mlfy_annotation_release(&cur);

	/* 4000 four-byte characters (16000 bytes) still fit; 4001 do not */
	for (i = 0; i < 4001; i++)
		memcpy(text + 4 * i, hen, 5);
	text[4 * 4000] = '\0';
	in.base_version = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	memcpy(text + 4 * 4000, hen, 5);
	in.base_version = 2;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "4000 characters"));

	/* plain ASCII: 4000 is the limit */
	memset(text, 'x', 4001);
	text[4001] = '\0';
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	text[4000] = '\0';
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 3);
	free(text);
	mlfy_store_close(s);
}

/* Renames classes 0-6 to ImageNet-like names (the fixture's are class_N). */
static void rename_classes(void)
{
	static const char sql[] =
		"UPDATE classes SET name = 'catamaran', synonyms = 'catamaran' WHERE idx = 0;"
		"UPDATE classes SET name = 'lynx', synonyms = 'lynx, catamount' WHERE idx = 1;"
		"UPDATE classes SET name = 'tabby', synonyms = 'tabby, tabby cat' WHERE idx = 2;"
		"UPDATE classes SET name = 'Egyptian cat', synonyms = 'Egyptian cat' WHERE idx = 3;"
		"UPDATE classes SET name = 'polecat', synonyms = 'polecat, fitch' WHERE idx = 4;"
		"UPDATE classes SET name = 'pug', synonyms = 'pug, pug-dog' WHERE idx = 5;"
		"UPDATE classes SET name = 'hotdog', synonyms = 'hotdog, hot dog, red hot' WHERE idx = 6;";
	assert_int_equal(test_sql(project_path, sql, NULL, 0), 0);
}

/* The indices found for q, as "i,j,k". */
static void search(struct mlfy_store *s, const char *q, char *out, size_t n)
{
	struct mlfy_view_class *c = NULL;
	struct mlfy_err err;
	size_t k = 0, i, used = 0;

	assert_int_equal(mlfy_view_search_classes(s, q, 20, &c, &k, &err), 0);
	out[0] = '\0';
	for (i = 0; i < k; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%d", i ? "," : "", c[i].idx);
	mlfy_view_classes_free(c, k);
}

static void search_ranking(void **state)
{
	struct mlfy_store *s;
	struct mlfy_err err;
	char got[256];

	(void)state;
	s = make_project();
	mlfy_store_close(s);
	rename_classes();
	assert_int_equal(mlfy_store_open(project_path, 0, &s, &err), 0);

	/* "cat": whole words first (tabby cat, then the longer Egyptian cat),
	 * then the name prefix (catamaran), a word prefix (catamount), and the
	 * plain substring (polecat) last; the old order put catamaran first */
	search(s, "cat", got, sizeof(got));
	assert_string_equal(got, "2,3,0,1,4");
	search(s, "CAT", got, sizeof(got));
	assert_string_equal(got, "2,3,0,1,4");
	/* hyphens and commas separate words: pug-dog and hot dog hold "dog" */
	search(s, "dog", got, sizeof(got));
	assert_string_equal(got, "5,6");
	/* an exact synonym ranks before whole-word matches */
	search(s, "hot dog", got, sizeof(got));
	assert_string_equal(got, "6");
	search(s, "pug-dog", got, sizeof(got));
	assert_string_equal(got, "5");
	/* "tabby" is a name: exact first */
	search(s, "tabby", got, sizeof(got));
	assert_string_equal(got, "2");
	/* a decimal q is also the index, ranked first */
	search(s, "4", got, sizeof(got));
	assert_string_equal(got, "4");
	/* LIKE wildcards are literal */
	search(s, "c%t", got, sizeof(got));
	assert_string_equal(got, "");
	search(s, "t_bby", got, sizeof(got));
	assert_string_equal(got, "");
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(comment_limit_in_characters),
		cmocka_unit_test(search_ranking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
