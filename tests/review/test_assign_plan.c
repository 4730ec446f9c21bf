/* test_assign_plan.c - src/review/assign_plan.c: a dry run of a stage-ii or
 * stage-iv assignment reports exactly what the apply then writes, and
 * writes nothing itself; errors write nothing either.  On the small
 * fixture project of test_review.c (review_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/assign_plan.h"
#include "testutil.h"
#include "review/review_fixture.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 8 images in 4 batches of 2, 5 classes; annotators ann1..ann3 (1-3),
 * experts exp1, exp2 (4, 5); images 1..3 queued for refinement. */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct mlfy_err err;
	test_tmpfile(e->path, sizeof(e->path), "assign_plan.mlfy");
	if (rfix_create(&e->f, e->path, 5, 8, 2, 3) || rfix_user(&e->f, 1, "ann1", "annotator") ||
	    rfix_user(&e->f, 2, "ann2", "annotator") || rfix_user(&e->f, 3, "ann3", "annotator") ||
	    rfix_user(&e->f, 4, "exp1", "expert") || rfix_user(&e->f, 5, "exp2", "expert") ||
	    rfix_exec(&e->f, "INSERT INTO refinement_queue(image_id, rule, reason, queued_at) VALUES"
			     " (1, 'paper', 'sets_differ', 't'), (2, 'paper', 'sets_differ', 't'),"
			     " (3, 'paper', 'sets_differ', 't')"))
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

static void stage2_dry_run_writes_nothing_and_matches_the_apply(void **state)
{
	struct env *e = *state;
	struct mlfy_stage2_plan plan = { 2, 0, 0, 0, 0, 1 };
	struct mlfy_assign_report dry, rep;
	struct mlfy_gold_placed *p = NULL;
	struct mlfy_err err;
	size_t n = 0, i;

	assert_int_equal(mlfy_assign_stage2(e->s, &plan, NULL, 0, &dry, &p, &n, &err), 0);
	assert_int_equal(dry.added, 8);   /* 4 batches x 2 */
	assert_int_equal(dry.complete, 4);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM assignments"), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	plan.dry_run = 0;
	assert_int_equal(mlfy_assign_stage2(e->s, &plan, NULL, 0, &rep, &p, &n, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM assignments"), 8);
	assert_int_equal(rep.added, dry.added);
	assert_int_equal(rep.n_load, dry.n_load);
	for (i = 0; i < rep.n_load; i++) {
		assert_string_equal(rep.load[i].annotator, dry.load[i].annotator);
		assert_int_equal(rep.load[i].batches, dry.load[i].batches);
		assert_int_equal(rep.load[i].images, dry.load[i].images);
	}
	mlfy_assign_report_release(&dry);
	mlfy_assign_report_release(&rep);
	/* a re-run adds nothing; per_image 0 without gold is refused */
	plan.per_image = 0;
	assert_int_equal(mlfy_assign_stage2(e->s, &plan, NULL, 0, &rep, &p, &n, &err), MLFY_EINVAL);
	mlfy_assign_report_release(&rep);
}

static void stage2_gold_dry_run(void **state)
{
	struct env *e = *state;
	struct mlfy_stage2_plan plan = { 1, 1, 1, 0, 7, 1 };
	struct mlfy_assign_report rep;
	struct mlfy_gold_placed *p = NULL;
	struct mlfy_err err;
	size_t n = 0;
	int rc;

	assert_int_equal(rfix_exec(&e->f, "INSERT INTO gold_images(image_id, source, added_at) VALUES"
				   " (1, 'f', 't'), (3, 'f', 't'), (5, 'f', 't'), (7, 'f', 't')"), 0);
	rc = mlfy_assign_stage2(e->s, &plan, NULL, 0, &rep, &p, &n, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_true(n > 0);
	assert_int_equal(p[0].placed, 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM gold_tasks"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM assignments"), 0);
	mlfy_gold_placed_free(p, n);
	mlfy_assign_report_release(&rep);
}

static void refinement_dry_run_and_apply(void **state)
{
	struct env *e = *state;
	struct mlfy_refine_plan plan = { 1, 0.5, 0, 3, 1 };
	struct mlfy_expert_load *dry = NULL, *load = NULL;
	struct mlfy_arms_drawn dd, d;
	struct mlfy_err err;
	const char *experts[] = { "exp1", "exp2" }, *bad[] = { "exp1", "ann1" };
	size_t n_dry = 0, n = 0;

	assert_int_equal(mlfy_assign_refinement(e->s, experts, 2, &plan, &dry, &n_dry, &dd, &err), 0);
	assert_int_equal(n_dry, 2);
	assert_int_equal(dry[0].added + dry[1].added, 3);
	assert_int_equal(dd.blind + dd.shown, 3);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE expert_id IS NOT NULL"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_arms"), 0);
	/* an annotator is no expert: nothing is written */
	plan.dry_run = 0;
	assert_int_not_equal(mlfy_assign_refinement(e->s, bad, 2, &plan, &load, &n, &d, &err), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE expert_id IS NOT NULL"), 0);
	assert_false(mlfy_store_in_transaction(e->s));
	assert_int_equal(mlfy_assign_refinement(e->s, experts, 2, &plan, &load, &n, &d, &err), 0);
	assert_int_equal(load[0].added, dry[0].added);
	assert_int_equal(load[1].added, dry[1].added);
	assert_int_equal(d.blind, dd.blind);   /* same seed: the same draws */
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE expert_id IS NOT NULL"), 3);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_arms"), 3);
	mlfy_expert_loads_free(dry, n_dry);
	mlfy_expert_loads_free(load, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(stage2_dry_run_writes_nothing_and_matches_the_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(stage2_gold_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(refinement_dry_run_and_apply, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
