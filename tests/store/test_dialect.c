/* test_dialect.c - the table families' SQL where SQLite and PostgreSQL
 * differ (docs/schema.md, "PostgreSQL"), run on both engines (ctest
 * store/test_dialect and pg/store/test_dialect): the live view's full walk
 * (a statement must name every parameter), class search and class lookup
 * ignoring ASCII case only (LIKE / NOCASE against ILIKE / lower() under
 * collation "C"), filters with a NULL parameter (votes, audit log), and
 * ids given explicitly before numbered ones (the identity's sequence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/accounts.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/live_input.h"
#include "store/taskview.h"
#include "store/votes.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 4 classes (class0..class2 and "Élan"), 4 images with 2 proposals each
 * of model 1 (ids given explicitly by the fixture), annotator id 1 */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_project(e->path, sizeof(e->path), "dialect.mlfy");
	if (rfix_create(&e->f, e->path, 3, 4, 2, 2) || rfix_user(&e->f, 1, "ann1", "annotator") ||
	    rfix_exec(&e->f, "INSERT INTO classes(idx, ext_id, name, synonyms) VALUES (3, 'c3', '\xc3\x89lan', 'Zeal')"))
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err)) {
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

struct walk {
	int n, proposals;
	int64_t last_id;
};

static int on_image(const struct mlfy_live_image *img, void *ctx)
{
	struct walk *w = ctx;
	if (img->id <= w->last_id)
		return -1;
	w->last_id = img->id;
	w->n++;
	w->proposals += (int)img->n_proposals;
	return 0;
}

/* the full walk binds the active model only (its statement has one
 * parameter): every image in id order with the model's 2 proposals */
static void live_full_walk(void **state)
{
	struct env *e = *state;
	struct walk w = { 0 };
	struct mlfy_err err;
	int rc = mlfy_live_images(e->s, 1, 2, on_image, &w, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.proposals, 8);
	assert_int_equal(w.last_id, 4);
}

static int search(struct env *e, const char *q, int *first)
{
	struct mlfy_view_class *v = NULL;
	size_t n = 0;
	struct mlfy_err err;
	int rc = mlfy_view_search_classes(e->s, q, 10, &v, &n, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(rc, 0);
	*first = n ? v[0].idx : -1;
	mlfy_view_classes_free(v, n);
	return (int)n;
}

/* ASCII letters match in either case; other letters only as written */
static void class_search_ascii_case(void **state)
{
	struct env *e = *state;
	int first;
	assert_int_equal(search(e, "CLASS1", &first), 1);
	assert_int_equal(first, 1);
	assert_int_equal(search(e, "Class", &first), 3);
	assert_int_equal(first, 0);
	assert_int_equal(search(e, "zeal", &first), 1);
	assert_int_equal(first, 3);
	assert_int_equal(search(e, "\xc3\x89LAN", &first), 1);   /* ÉLAN */
	assert_int_equal(first, 3);
	assert_int_equal(search(e, "\xc3\xa9lan", &first), 0);   /* élan: É is not folded */
	assert_int_equal(search(e, "50%", &first), 0);            /* wildcards are escaped */
}

static void find_class_ascii_case(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	int idx = -1;
	assert_int_equal(mlfy_catalog_find_class(e->s, "CLASS2", &idx, &err), 0);
	assert_int_equal(idx, 2);
	assert_int_equal(mlfy_catalog_find_class(e->s, "\xc3\x89LAN", &idx, &err), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(mlfy_catalog_find_class(e->s, "\xc3\xa9lan", &idx, &err), MLFY_ENOTFOUND);
}

/* a NULL filter means "all" */
static void null_filters(void **state)
{
	struct env *e = *state;
	struct mlfy_audit_entry *a = NULL;
	int64_t nv = -1, nq = -1, qid = 0;
	size_t n = 0;
	struct mlfy_err err;

	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_votes_question(e->s, "img01.jpg", 0, &qid, &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, qid, "r1", 2, "real", &err), 0);
	assert_int_equal(mlfy_votes_put(e->s, qid, "r1", 1, "real", &err), 0);   /* replaces */
	assert_int_equal(mlfy_audit_append(e->s, "shell:t", "cli", "user.add", "{}", "ok", 1, &err), 0);
	assert_int_equal(mlfy_audit_append(e->s, "shell:t", "cli", "assign", "{}", "ok", 1, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);

	assert_int_equal(mlfy_votes_count(e->s, NULL, &nv, &nq, &err), 0);
	assert_int_equal(nv, 1);
	assert_int_equal(nq, 1);
	assert_int_equal(mlfy_votes_count(e->s, "other", &nv, &nq, &err), 0);
	assert_int_equal(nv, 0);
	assert_int_equal(mlfy_audit_list(e->s, 0, 10, NULL, &a, &n, &err), 0);
	assert_int_equal(n, 2);
	mlfy_audit_entries_free(a, n);
	assert_int_equal(mlfy_audit_list(e->s, 0, 10, "user.", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	mlfy_audit_entries_free(a, n);
}

/* the fixture gave annotator id 1 itself: the next account gets 2 */
static void explicit_then_numbered_ids(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	int64_t id = 0;
	assert_int_equal(mlfy_store_begin(e->s, &err), 0);
	assert_int_equal(mlfy_users_add(e->s, "ann2", MLFY_ROLE_ANNOTATOR, NULL, &id, &err), 0);
	assert_int_equal(mlfy_store_commit(e->s, &err), 0);
	assert_int_equal(id, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(live_full_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(class_search_ascii_case, setup, teardown),
		cmocka_unit_test_setup_teardown(find_class_ascii_case, setup, teardown),
		cmocka_unit_test_setup_teardown(null_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_then_numbered_ids, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
