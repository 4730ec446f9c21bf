/* test_review_tx.c - src/review/review_tx.c: the stage iv steps of the
 * command line are one transaction each: an error anywhere changes
 * nothing and leaves no transaction open; success commits.  On the small
 * fixture project of test_review.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_tx.h"
#include "store/zero_label.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 4 images, 5 classes, one batch; annotators ann1 (1); experts exp1 (2),
 * exp2 (3); images 1 and 2 queued for refinement. */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_tmpfile(e->path, sizeof(e->path), "review_tx.mlfy");
	if (rfix_create(&e->f, e->path, 5, 4, 4, 3) || rfix_user(&e->f, 1, "ann1", "annotator") ||
	    rfix_user(&e->f, 2, "exp1", "expert") || rfix_user(&e->f, 3, "exp2", "expert") ||
	    rfix_exec(&e->f, "INSERT INTO refinement_queue(image_id, rule, reason, queued_at) VALUES"
			     " (1, 'paper', 'sets_differ', 't'), (2, 'paper', 'sets_differ', 't')"))
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

static void queue_assign_is_one_transaction(void **state)
{
	struct env *e = *state;
	struct mlfy_expert_load *load = NULL;
	struct mlfy_err err;
	const char *bad[] = { "exp1", "nobody" }, *good[] = { "exp1", "exp2" };
	size_t n_load = 0;

	assert_int_equal(mlfy_queue_assign_experts(e->s, bad, 2, NULL, NULL, &err), MLFY_ENOTFOUND);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE expert_id IS NOT NULL"), 0);
	assert_int_equal(mlfy_queue_assign_experts(e->s, good, 2, &load, &n_load, &err), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(n_load, 2);
	assert_int_equal(load[0].added + load[1].added, 2);
	mlfy_expert_loads_free(load, n_load);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE expert_id IS NOT NULL"), 2);
}

static void finalize_named_images_all_or_nothing(void **state)
{
	struct env *e = *state;
	struct mlfy_err err;
	const char *two[] = { "exp1", "exp2" };
	const char *bad[] = { "img01.jpg", "img09.jpg" }, *one[] = { "img01.jpg" };
	const int set[] = { 1, 2 };
	int64_t done = -1, waiting = -1;

	assert_int_equal(mlfy_queue_assign_experts(e->s, two, 2, NULL, NULL, &err), 0);  /* 1 -> exp1, 2 -> exp2 */
	assert_true(rfix_annotate(&e->f, 1, 2, "refine", set, 2, "") > 0);
	assert_true(rfix_annotate(&e->f, 2, 3, "refine", set, 1, "") > 0);

	/* the second name is unknown: img01 is not finalised either */
	assert_int_equal(mlfy_finalize_images(e->s, bad, 2, &done, &waiting, &err), MLFY_ENOTFOUND);
	assert_ptr_equal(strstr(err.msg, "img09.jpg: "), err.msg);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status"), 0);
	assert_int_equal(waiting, -1);   /* left alone with names */

	assert_int_equal(mlfy_finalize_images(e->s, one, 1, &done, &waiting, &err), 0);
	assert_int_equal(done, 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_labels WHERE image_id = 1"), 2);
	/* all: only img02 is left; nothing queued waits */
	assert_int_equal(mlfy_finalize_images(e->s, NULL, 0, &done, &waiting, &err), 0);
	assert_int_equal(done, 1);
	assert_int_equal(waiting, 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE stage = 'refined'"), 2);
	assert_false(mlfy_store_in_transaction(e->s));
}

static void zero_review_record(void **state)
{
	struct env *e = *state;
	struct mlfy_zero_review z;
	struct mlfy_err err;
	const char *two[] = { "exp1", "exp2" }, *img02[] = { "img02.jpg" };
	int64_t done;

	assert_int_equal(mlfy_queue_assign_experts(e->s, two, 2, NULL, NULL, &err), 0);
	assert_true(rfix_annotate(&e->f, 2, 3, "refine", NULL, 0, "nothing fits") > 0);
	assert_int_equal(mlfy_finalize_images(e->s, img02, 1, &done, NULL, &err), 0);

	assert_int_equal(mlfy_zero_review_record(e->s, "img99.jpg", "exp2", "low_resolution", "agree", NULL, &err),
			 MLFY_ENOTFOUND);
	assert_int_equal(mlfy_zero_review_record(e->s, "img02.jpg", "nobody", "low_resolution", "agree", NULL, &err),
			 MLFY_ENOTFOUND);
	/* an annotator may not review; img01 has no empty final set */
	assert_int_equal(mlfy_zero_review_record(e->s, "img02.jpg", "ann1", "low_resolution", "agree", NULL, &err),
			 MLFY_EPERM);
	assert_int_equal(mlfy_zero_review_record(e->s, "img01.jpg", "exp1", "low_resolution", "agree", NULL, &err),
			 MLFY_EINVAL);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM zero_label_reviews"), 0);

	assert_int_equal(mlfy_zero_review_record(e->s, "img02.jpg", "exp2", "fine_grained", "unsure", "a terrier?",
						 &err), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_review_zero_get(e->s, 2, &z, &err), 0);
	assert_string_equal(z.category, "fine_grained");
	assert_string_equal(z.expert, "exp2");
	assert_string_equal(z.comment, "a terrier?");
	mlfy_zero_review_release(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(queue_assign_is_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(finalize_named_images_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_review_record, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
