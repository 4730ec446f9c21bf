/* test_agreement_report.c - `mlfy agreement`'s computations on a project's
 * annotations (values worked out by hand below) and on an in-memory vote
 * set with incomplete raters, and on ReaL's golden vote file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/agreement_report.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

/* The project of test_analyze.c: ann1 and ann2, 3 proposals per image,
 *   img01 {0}/{0}  img02 {1,2}/{1}  img03 {3}/{3}  img04 {3}/{4}  img05 {}/{}
 *   img06 {0}/(missing)
 * Per question (15 proposals answered by both, 3 by ann1 only):
 *   Cohen: yes/yes 3, ann1-only 2, ann2-only 1, no/no 9 -> kappa = 10/19.
 *   Fleiss over the 15 two-rating items: P = 12/15, p_yes = 9/30, P_e = 0.58,
 *     kappa = (0.8 - 0.58)/0.42 = 11/21.
 *   Krippendorff nominal: n = 30, sum o_cc = 24, n_c = (21, 9):
 *     alpha = 1 - 29 (30 - 24)/(900 - 441 - 81) = 1 - 174/378 = 34/63.
 * Per image (sets; img06 has a single set and is not pairable): n = 10.
 *   Jaccard: D_o = 2 (1/2 + 1)/10 = 0.3; distinct sets {0}x2 {1,2} {1} {3}x3
 *     {4} {}x2: 100 - 20 = 80 ordered unequal pairs, of which {1,2}/{1}
 *     (both orders) have similarity 1/2: sum d = 79, D_e = 79/90,
 *     alpha = 1 - 27/79 = 52/79.
 *   MASI: {1,2}/{1} distance 2/3: D_o = 2 (2/3 + 1)/10 = 1/3,
 *     sum d = 80 - 2/3, D_e = (238/3)/90, alpha = 1 - 270/714 = 74/119.
 *   Exact-set agreement 3/5, mean Jaccard 0.7. */
static void project_report(void **state)
{
	char path[4096];
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_agreement_report r;
	struct mlfy_err err;
	const int c0[] = { 0 }, c12[] = { 1, 2 }, c1[] = { 1 }, c3[] = { 3 }, c4[] = { 4 };
	(void)state;
	test_tmpfile(path, sizeof(path), "agreement.mlfy");
	assert_int_equal(rfix_create(&f, path, 5, 6, 3, 3), 0);
	assert_int_equal(rfix_user(&f, 1, "ann1", "annotator") | rfix_user(&f, 2, "ann2", "annotator"), 0);
	assert_int_equal(rfix_assign(&f, 1, 1) | rfix_assign(&f, 1, 2) | rfix_assign(&f, 2, 1) |
			 rfix_assign(&f, 2, 2), 0);
	assert_true(rfix_annotate(&f, 1, 1, "annotate", c0, 1, "") > 0 && rfix_annotate(&f, 1, 2, "annotate", c0, 1, "") > 0);
	assert_true(rfix_annotate(&f, 2, 1, "annotate", c12, 2, "") > 0 && rfix_annotate(&f, 2, 2, "annotate", c1, 1, "") > 0);
	assert_true(rfix_annotate(&f, 3, 1, "annotate", c3, 1, "") > 0 && rfix_annotate(&f, 3, 2, "annotate", c3, 1, "") > 0);
	assert_true(rfix_annotate(&f, 4, 1, "annotate", c3, 1, "") > 0 && rfix_annotate(&f, 4, 2, "annotate", c4, 1, "") > 0);
	assert_true(rfix_annotate(&f, 5, 1, "annotate", NULL, 0, "") > 0 && rfix_annotate(&f, 5, 2, "annotate", NULL, 0, "") > 0);
	assert_true(rfix_annotate(&f, 6, 1, "annotate", c0, 1, "") > 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	assert_int_equal(mlfy_agreement_of_project(s, &r, &err), 0);
	assert_int_equal(r.n_questions, 18);
	assert_int_equal(r.n_votes, 33);
	assert_int_equal(r.n_raters, 2);
	assert_int_equal(r.n_pairs, 1);
	assert_int_equal(r.pairs[0].n, 15);
	assert_true(r.pairs[0].defined);
	assert_close(r.pairs[0].kappa, 10.0 / 19.0, 1e-14);
	assert_close(r.mean_pair_kappa.value, 10.0 / 19.0, 1e-14);
	assert_true(r.fleiss.defined);
	assert_int_equal(r.fleiss_items, 15);
	assert_close(r.fleiss.value, 11.0 / 21.0, 1e-14);
	assert_close(r.alpha_nominal.value, 34.0 / 63.0, 1e-14);
	assert_int_equal(r.n_set_units, 6);
	assert_int_equal(r.n_sets, 11);
	assert_close(r.alpha_jaccard.value, 52.0 / 79.0, 1e-14);
	assert_close(r.alpha_masi.value, 74.0 / 119.0, 1e-14);
	assert_int_equal(r.sets.n_units, 5);
	assert_close(r.sets.exact, 0.6, 1e-15);
	assert_close(r.sets.mean_jaccard, 0.7, 1e-15);
	mlfy_agreement_report_release(&r);
	mlfy_store_close(s);
	rfix_close(&f);
}

/* A vote set where rater r2 skips one of a.jpg's two questions: its a.jpg
 * set is unknown and left out, while r0 and r1 (complete) count.  a.jpg:
 * q0 (class 3), q1 (class 5); b.jpg: q2 (class 7).
 *   r0: q0 yes, q1 no, q2 yes    -> a {3}, b {7}
 *   r1: q0 yes, q1 yes           -> a {3, 5}
 *   r2: q0 no                    -> (incomplete for a)
 * Set units: a with 2 sets, b with 1 -> 3 sets; exact 0/1, Jaccard 1/2. */
static void vote_set_report(void **state)
{
	char *img[3] = { "a.jpg", "a.jpg", "b.jpg" }, *raters[3] = { "r0", "r1", "r2" };
	int32_t label[3] = { 3, 5, 7 };
	struct mlfy_vote votes[6] = {
		{ 0, 0, 2 }, { 1, 0, 0 }, { 2, 0, 2 }, { 0, 1, 2 }, { 1, 1, 2 }, { 0, 2, 0 },
	};
	struct mlfy_vote_set v;
	struct mlfy_agreement_report r;
	struct mlfy_err err;
	(void)state;
	memset(&v, 0, sizeof(v));
	v.n_questions = 3;
	v.image = img;
	v.label = label;
	v.n_raters = 3;
	v.rater = raters;
	v.n_answers = 3;
	v.votes = votes;
	v.n_votes = 6;
	assert_int_equal(mlfy_agreement_of_votes(&v, &r, &err), 0);
	assert_int_equal(r.n_set_units, 2);
	assert_int_equal(r.n_sets, 3);
	assert_int_equal(r.sets.n_units, 1);
	assert_int_equal(r.sets.n_exact, 0);
	assert_close(r.sets.mean_jaccard, 0.5, 0);
	/* pairs with a common question: r0-r1 (q0, q1), r0-r2 (q0), r1-r2 (q0) */
	assert_int_equal(r.n_pairs, 3);
	assert_int_equal(r.pairs[0].n, 2);
	/* q0: yes, yes, no; q1: no, yes -> Fleiss items 2 */
	assert_int_equal(r.fleiss_items, 2);
	mlfy_agreement_report_release(&r);
}

/* ReaL's golden questions, 78 raters, every rater answered everything: all
 * 3,003 rater pairs share the 1,135 questions.  (Printed for the record;
 * the coefficients themselves are checked on the hand-made data above.) */
static void real_golden_report(void **state)
{
	char path[4096];
	struct mlfy_vote_set v;
	struct mlfy_agreement_report r;
	struct mlfy_err err;
	(void)state;
	if (!test_shared(path, sizeof(path), "data/real/raters_golden.npz"))
		skip();
	assert_int_equal(mlfy_vote_set_read_npz(path, &v, &err), 0);
	assert_int_equal(mlfy_agreement_of_votes(&v, &r, &err), 0);
	assert_int_equal(r.n_pairs, 78 * 77 / 2);
	assert_int_equal(r.pairs[0].n, 1135);
	assert_int_equal(r.fleiss_items, 1135);
	assert_true(r.fleiss.defined && r.alpha_nominal.defined && r.alpha_jaccard.defined);
	assert_true(r.fleiss.value > 0 && r.fleiss.value < 1);
	assert_true(r.sets.n_units > 0 && r.sets.n_units <= 1135);
	print_message("real golden raters: fleiss %.4f, alpha nominal %.4f, mean pair kappa %.4f [%.4f, %.4f],"
		      " alpha jaccard %.4f, alpha masi %.4f, exact sets %.4f, mean jaccard %.4f over %zu images\n",
		      r.fleiss.value, r.alpha_nominal.value, r.mean_pair_kappa.value, r.min_pair_kappa,
		      r.max_pair_kappa, r.alpha_jaccard.value, r.alpha_masi.value, r.sets.exact,
		      r.sets.mean_jaccard, r.sets.n_units);
	mlfy_agreement_report_release(&r);
	mlfy_vote_set_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(project_report),
		cmocka_unit_test(vote_set_report),
		cmocka_unit_test(real_golden_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
