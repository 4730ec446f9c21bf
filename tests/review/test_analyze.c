/* test_analyze.c - stage (iii) on a hand-made project: decisions and
 * reasons per rule, the report's counts, Cohen's kappa per annotator pair
 * and disagreeing classes worked out by hand, idempotent re-runs, switching
 * rules, dry runs, and images left alone once refinement started. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/analyze.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

struct env {
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
};

/* 6 images, 5 classes, batches of 3, 3 proposals each: image NN shows
 * classes (NN-1), NN, (NN+1) mod 5 and has original label (NN-1).  ann1 and
 * ann2 label both batches:
 *   img01 orig 0 shown {0,1,2}: {0}   {0}    identical, has the original
 *   img02 orig 1 shown {1,2,3}: {1,2} {1}    differ
 *   img03 orig 2 shown {2,3,4}: {3}   {3}    identical, original missing
 *   img04 orig 3 shown {3,4,0}: {3}   {4}    differ (3 vs 4)
 *   img05 orig 4 shown {4,0,1}: {}    {}     identical empty sets
 *   img06 orig 0:               {0}   --     ann2 missing
 */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const int c0[] = { 0 }, c12[] = { 1, 2 }, c1[] = { 1 }, c3[] = { 3 }, c4[] = { 4 };
	struct mlfy_err err;
	test_tmpfile(e->path, sizeof(e->path), "analyze.mlfy");
	if (rfix_create(&e->f, e->path, 5, 6, 3, 3) ||
	    rfix_user(&e->f, 1, "ann1", "annotator") || rfix_user(&e->f, 2, "ann2", "annotator") ||
	    rfix_user(&e->f, 3, "exp1", "expert") ||
	    rfix_assign(&e->f, 1, 1) || rfix_assign(&e->f, 1, 2) ||
	    rfix_assign(&e->f, 2, 1) || rfix_assign(&e->f, 2, 2))
		return -1;
	if (rfix_annotate(&e->f, 1, 1, "annotate", c0, 1, "") < 0 || rfix_annotate(&e->f, 1, 2, "annotate", c0, 1, "") < 0 ||
	    rfix_annotate(&e->f, 2, 1, "annotate", c12, 2, "") < 0 || rfix_annotate(&e->f, 2, 2, "annotate", c1, 1, "") < 0 ||
	    rfix_annotate(&e->f, 3, 1, "annotate", c3, 1, "") < 0 || rfix_annotate(&e->f, 3, 2, "annotate", c3, 1, "") < 0 ||
	    rfix_annotate(&e->f, 4, 1, "annotate", c3, 1, "") < 0 || rfix_annotate(&e->f, 4, 2, "annotate", c4, 1, "") < 0 ||
	    rfix_annotate(&e->f, 5, 1, "annotate", NULL, 0, "") < 0 || rfix_annotate(&e->f, 5, 2, "annotate", NULL, 0, "") < 0 ||
	    rfix_annotate(&e->f, 6, 1, "annotate", c0, 1, "") < 0)
		return -1;
	if (mlfy_store_open(e->path, 0, &e->s, &err))
		return -1;
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

static void run(struct env *e, const char *rule, int dry, struct mlfy_analysis *a)
{
	struct mlfy_analyze_opts o;
	struct mlfy_err err;
	memset(&o, 0, sizeof(o));
	assert_int_equal(mlfy_rule_parse(rule, &o.rule, &err), 0);
	o.dry_run = dry;
	o.top = 10;
	o.max_missing = 20;
	if (mlfy_analyze(e->s, &o, a, &err))
		fail_msg("analyze: %s", err.msg);
}

static void paper_rule_report(void **state)
{
	struct env *e = *state;
	struct mlfy_analysis a;
	const struct mlfy_analysis_pair *p;
	run(e, "paper", 0, &a);
	assert_string_equal(a.rule, "paper");
	assert_int_equal(a.images, 6);
	assert_int_equal(a.judged, 5);
	assert_int_equal(a.agreed, 1);
	assert_int_equal(a.refine, 4);
	assert_int_equal(a.missing, 1);
	assert_int_equal(a.unassigned, 0);
	assert_int_equal(a.reasons[MLFY_REASON_SETS_DIFFER], 2);
	assert_int_equal(a.reasons[MLFY_REASON_ORIGINAL_MISSING], 2);
	assert_int_equal(a.new_agreed, 1);
	assert_int_equal(a.queued, 4);
	/* by batch: batch 1 = img01-03 (1 agreed, 2 refine), batch 2 = img04-06 */
	assert_int_equal(a.n_batches, 2);
	assert_int_equal(a.batches[0].agreed, 1);
	assert_int_equal(a.batches[0].refine, 2);
	assert_int_equal(a.batches[1].refine, 2);
	assert_int_equal(a.batches[1].missing, 1);
	/* the pair: over the 15 proposals shown to both, yes/yes 3 (img01 c0,
	 * img02 c1, img03 c3), ann1-only 2 (img02 c2, img04 c3), ann2-only 1
	 * (img04 c4), no/no 9: p_o = 12/15, p_e = (5/15)(4/15) + (10/15)(11/15)
	 * = 130/225, kappa = (180 - 130)/(225 - 130) = 10/19.  Jaccard per image
	 * 1, 1/2, 1, 0, 1 (two empty sets) -> mean 0.7; identical sets 3. */
	assert_int_equal(a.n_pairs, 1);
	p = &a.pairs[0];
	assert_string_equal(p->a, "ann1");
	assert_string_equal(p->b, "ann2");
	assert_int_equal(p->images, 5);
	assert_int_equal(p->identical, 3);
	assert_close(p->mean_jaccard, 0.7, 1e-15);
	assert_close(p->table[0], 3, 0);
	assert_close(p->table[1], 2, 0);
	assert_close(p->table[2], 1, 0);
	assert_close(p->table[3], 9, 0);
	assert_true(p->kappa_defined);
	assert_close(p->kappa, 10.0 / 19.0, 1e-14);
	/* disagreeing classes: (3, 4) once (img04); classes in one set only:
	 * 2 (img02), 3 and 4 (img04) once each */
	assert_int_equal(a.n_class_pairs, 1);
	assert_int_equal(a.class_pairs[0].a, 3);
	assert_int_equal(a.class_pairs[0].b, 4);
	assert_int_equal(a.class_pairs[0].count, 1);
	assert_int_equal(a.n_classes, 3);
	assert_int_equal(a.classes[0].cls, 2);
	/* incomplete images listed with who is missing */
	assert_int_equal(a.n_incomplete, 1);
	assert_string_equal(a.incomplete[0].image, "img06.jpg");
	assert_string_equal(a.incomplete[0].missing, "ann2");
	mlfy_analysis_release(&a);

	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE stage = 'agreed'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT class_idx FROM final_labels WHERE image_id = 1"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue"), 4);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE image_id = 3"
			 " AND reason = 'original_label_not_chosen' AND rule = 'paper'"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE image_id = 6"), 0);
}

static void rerun_is_idempotent_and_rules_switch(void **state)
{
	struct env *e = *state;
	struct mlfy_analysis a;
	long long decided_at_before;
	run(e, "paper", 0, &a);
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_exec(&e->f, "UPDATE final_status SET decided_at = 'first run'"), 0);
	assert_int_equal(rfix_exec(&e->f, "UPDATE refinement_queue SET queued_at = 'first run'"), 0);
	decided_at_before = rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE decided_at = 'first run'");
	run(e, "paper", 0, &a);
	assert_int_equal(a.new_agreed + a.changed_agreed + a.unagreed + a.queued + a.unqueued, 0);
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE decided_at = 'first run'"),
			 decided_at_before);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE queued_at = 'first run'"), 4);

	/* unanimous: img03 ({3}) and img05 ({}) now agree and leave the queue */
	run(e, "unanimous", 0, &a);
	assert_int_equal(a.agreed, 3);
	assert_int_equal(a.new_agreed, 2);
	assert_int_equal(a.unqueued, 2);
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue"), 2);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE image_id = 5"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_labels WHERE image_id = 5"), 0);
	/* the queue rows that stayed keep their rule text updated */
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE rule = 'unanimous'"), 2);

	/* back to paper: they lose the agreed decision and are queued again */
	run(e, "paper", 0, &a);
	assert_int_equal(a.unagreed, 2);
	assert_int_equal(a.queued, 2);
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue"), 4);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status"), 1);

	/* jaccard:0.5: img02 (J = 1/2) agrees on the intersection {1} */
	run(e, "jaccard:0.5", 0, &a);
	assert_int_equal(a.agreed, 4);   /* img01, img02, img03, img05 */
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT GROUP_CONCAT(class_idx) FROM final_labels WHERE image_id = 2"), 1);
}

static void dry_run_writes_nothing(void **state)
{
	struct env *e = *state;
	struct mlfy_analysis a;
	run(e, "paper", 1, &a);
	assert_int_equal(a.dry_run, 1);
	assert_int_equal(a.new_agreed, 1);   /* what it would do */
	assert_int_equal(a.queued, 4);
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status"), 0);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue"), 0);
}

static void started_refinements_are_kept(void **state)
{
	struct env *e = *state;
	struct mlfy_analysis a;
	const int c12[] = { 1, 2 };
	run(e, "paper", 0, &a);
	mlfy_analysis_release(&a);
	/* an expert saves a refinement of img02; a looser rule must not pull it */
	assert_true(rfix_annotate(&e->f, 2, 3, "refine", c12, 2, "both") > 0);
	run(e, "jaccard:0.5", 0, &a);
	assert_int_equal(a.kept, 1);
	assert_int_equal(a.unqueued, 2);   /* img03, img05 only */
	mlfy_analysis_release(&a);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM refinement_queue WHERE image_id = 2"), 1);
	assert_int_equal(rfix_int(&e->f, "SELECT COUNT(*) FROM final_status WHERE image_id = 2"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(paper_rule_report, setup, teardown),
		cmocka_unit_test_setup_teardown(rerun_is_idempotent_and_rules_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(dry_run_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(started_refinements_are_kept, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
