/* test_save_batch.c - saves committed together (the web server's group
 * commit): mlfy_annotations_save_in_tx as steps of mlfy_store_steps
 * (src/store/savepoint.c).  Each save keeps its own answer (a stale one
 * 409-like MLFY_ECONFLICT beside stored ones), a failed step leaves none of
 * its writes, and a commit that fails stores nothing and gives every step
 * its error. */
#include "store/people_fixture.h"
#include "store/savepoint.h"

#include <unistd.h>

/* One save as a step: the request and its outcome. */
struct save_case {
	struct mlfy_annotation_save in;
	int64_t version;
	int fail_after;   /* the step fails after its writes succeeded (a later rule's refusal) */
};

static int save_step(struct mlfy_store *s, void *ctx, struct mlfy_err *err)
{
	struct save_case *c = ctx;
	int rc = mlfy_annotations_save_in_tx(s, &c->in, &c->version, err);
	if (!rc && c->fail_after)
		return mlfy_err_set(err, MLFY_EINVAL, "refused after writing");
	return rc;
}

static void init_case(struct save_case *c, int64_t img, int64_t user, int64_t base,
		      struct mlfy_label_choice *l, size_t n, const char *comment)
{
	memset(c, 0, sizeof(*c));
	c->in.image_id = img;
	c->in.annotator_id = user;
	c->in.stage = MLFY_STAGE_ANNOTATE;
	c->in.base_version = base;
	c->in.labels = l;
	c->in.n_labels = n;
	c->in.comment = comment;
	c->in.seconds = 4;
}

static int64_t versions(struct mlfy_store *s, int64_t img, int64_t user)
{
	struct mlfy_err err;
	int64_t n = -1;
	assert_int_equal(mlfy_annotations_n_versions(s, img, user, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	return n;
}

static void stale_and_fresh_in_one_batch(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l1[1] = { { 1, MLFY_SOURCE_SEARCH } }, l2[2] = { { 2, MLFY_SOURCE_SEARCH },
										  { 5, MLFY_SOURCE_SEARCH } };
	struct save_case c[5];
	struct mlfy_store_step steps[5];
	struct mlfy_annotation cur;
	struct mlfy_err err;
	int64_t a1, a2, img, v = 0;
	int i;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);
	init_case(&c[0], img, a1, 0, l1, 1, "first");
	assert_int_equal(mlfy_annotations_save(s, &c[0].in, &v, &err), 0);   /* a1 at version 1 */

	init_case(&c[0], img, a1, 0, l2, 2, "stale tab");       /* based on 0: stale */
	init_case(&c[1], img, a2, 0, l2, 2, " a2 ");            /* a2's first */
	init_case(&c[2], img, a1, 1, l2, 2, "a1 again");        /* based on 1: becomes 2 */
	init_case(&c[3], img, a1, 2, l1, 1, "written, then refused");
	c[3].fail_after = 1;                                     /* its version 3 must vanish */
	init_case(&c[4], img, a1, 2, l1, 1, "a1 third");        /* so this one is version 3 */
	for (i = 0; i < 5; i++)
		steps[i] = (struct mlfy_store_step){ save_step, &c[i], -1, { 0, "" } };
	assert_int_equal(mlfy_store_steps(s, steps, 5, &err), 0);
	assert_int_equal(steps[0].rc, MLFY_ECONFLICT);
	assert_non_null(strstr(steps[0].err.msg, "version 1"));
	assert_int_equal(steps[1].rc, 0);
	assert_int_equal(c[1].version, 1);
	assert_int_equal(steps[2].rc, 0);
	assert_int_equal(c[2].version, 2);
	assert_int_equal(steps[3].rc, MLFY_EINVAL);
	assert_string_equal(steps[3].err.msg, "refused after writing");
	assert_int_equal(steps[4].rc, 0);
	assert_int_equal(c[4].version, 3);
	assert_false(mlfy_store_in_transaction(s));

	/* the store holds exactly the stored ones */
	assert_int_equal(versions(s, img, a1), 3);
	assert_int_equal(versions(s, img, a2), 1);
	assert_int_equal(mlfy_annotations_current(s, img, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(cur.version, 3);
	assert_string_equal(cur.comment, "a1 third");
	assert_int_equal(cur.n_labels, 1);
	mlfy_annotation_release(&cur);
	assert_int_equal(mlfy_annotations_current(s, img, a2, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_string_equal(cur.comment, "a2");   /* the same rule as a lone save: trimmed */
	assert_int_equal(cur.n_labels, 2);
	mlfy_annotation_release(&cur);

	/* outside a transaction the in-transaction form refuses */
	init_case(&c[0], img, a1, 3, l1, 1, "");
	assert_int_equal(mlfy_annotations_save_in_tx(s, &c[0].in, &v, &err), MLFY_EINVAL);
	assert_int_equal(versions(s, img, a1), 3);
	/* no steps: nothing happens */
	assert_int_equal(mlfy_store_steps(s, steps, 0, &err), 0);
	assert_false(mlfy_store_in_transaction(s));
	mlfy_store_close(s);
}

/* A commit that fails (here: the project file was renamed while open, which
 * mlfy_store_commit refuses rather than commit into a file no later open
 * finds) answers every step with the failure, the good ones included, and
 * stores nothing. */
static void failed_commit_stores_nothing(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l1[1] = { { 1, MLFY_SOURCE_SEARCH } };
	struct save_case c[3];
	struct mlfy_store_step steps[3];
	struct mlfy_err err;
	char path[4096], moved[4200];
	int64_t a1, a2, img, v = 0;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s", mlfy_store_path(s));
	if (!strncmp(path, "postgresql:", 11)) {
		mlfy_store_close(s);
		skip();   /* the fault is a renamed SQLite file */
	}
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);
	init_case(&c[0], img, a1, 0, l1, 1, "before");
	assert_int_equal(mlfy_annotations_save(s, &c[0].in, &v, &err), 0);

	init_case(&c[0], img, a1, 1, l1, 1, "good");
	init_case(&c[1], img, a2, 0, l1, 1, "good too");
	init_case(&c[2], img, a1, 0, l1, 1, "stale");
	for (i = 0; i < 3; i++)
		steps[i] = (struct mlfy_store_step){ save_step, &c[i], -1, { 0, "" } };
	snprintf(moved, sizeof(moved), "%s.moved", path);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(mlfy_store_steps(s, steps, 3, &err), MLFY_EIO);
	assert_non_null(strstr(err.msg, "moved"));
	for (i = 0; i < 3; i++) {
		assert_int_equal(steps[i].rc, MLFY_EIO);
		assert_non_null(strstr(steps[i].err.msg, "moved"));
	}
	assert_false(mlfy_store_in_transaction(s));
	mlfy_store_close(s);
	/* back under its name: only the save made before */
	assert_int_equal(rename(moved, path), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(versions(s, img, a1), 1);
	assert_int_equal(versions(s, img, a2), 0);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stale_and_fresh_in_one_batch),
		cmocka_unit_test(failed_commit_stores_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
