/* test_rules.c - the stage-iii rules (paper, unanimous, majority, jaccard:T)
 * on hand-made annotation sets with the expected decision worked out in the
 * comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "review/rules.h"
#include "testutil.h"
#include "review_test.h"

static struct mlfy_labelset LS(const int32_t *p, size_t n)
{
	struct mlfy_labelset s = { p, n };
	return s;
}

static struct mlfy_rule rule(const char *text)
{
	struct mlfy_rule r;
	struct mlfy_err err;
	assert_int_equal(mlfy_rule_parse(text, &r, &err), 0);
	return r;
}

static void parse_and_name(void **state)
{
	struct mlfy_rule r;
	struct mlfy_err err;
	char name[32];
	(void)state;
	r = rule("paper");
	assert_int_equal(r.kind, MLFY_RULE_PAPER);
	r = rule("jaccard:0.8");
	assert_int_equal(r.kind, MLFY_RULE_JACCARD);
	assert_close(r.threshold, 0.8, 0);
	mlfy_rule_name(&r, name);
	assert_string_equal(name, "jaccard:0.8");
	r = rule("jaccard");
	assert_close(r.threshold, 0.8, 0);
	r = rule("majority");
	mlfy_rule_name(&r, name);
	assert_string_equal(name, "majority");
	assert_int_equal(mlfy_rule_parse("jaccard:1.5", &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "jaccard:1.5"));
	assert_int_equal(mlfy_rule_parse("jaccard:0", &r, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_rule_parse("jaccard:abc", &r, &err), MLFY_EINVAL);
	assert_int_equal(mlfy_rule_parse("strict", &r, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "'strict'"));
}

static void judge(const char *rule_text, const struct mlfy_labelset *sets, size_t n, int original,
		  enum mlfy_rule_reason want_reason, const int32_t *want, size_t want_n)
{
	struct mlfy_rule r = rule(rule_text);
	struct mlfy_err err;
	enum mlfy_rule_reason reason;
	int32_t out[32];
	size_t n_out = 99, i;

	assert_int_equal(mlfy_rule_judge(&r, sets, n, original, &reason, out, &n_out, NULL, &err), 0);
	if (reason != want_reason)
		fail_msg("rule %s: reason %s, expected %s", rule_text, mlfy_rule_reason_code(reason),
			 mlfy_rule_reason_code(want_reason));
	assert_int_equal(n_out, want_n);
	for (i = 0; i < want_n; i++)
		assert_int_equal(out[i], want[i]);
}

/* The paper: agree iff all sets are identical AND contain the original label. */
static void paper_rule(void **state)
{
	const int32_t s57[] = { 5, 7 }, s5[] = { 5 };
	struct mlfy_labelset same[2] = { LS(s57, 2), LS(s57, 2) };
	struct mlfy_labelset diff[2] = { LS(s5, 1), LS(s57, 2) };
	struct mlfy_labelset empty[2] = { LS(NULL, 0), LS(NULL, 0) };
	(void)state;
	judge("paper", same, 2, 5, MLFY_REASON_AGREED, s57, 2);
	judge("paper", same, 2, 9, MLFY_REASON_ORIGINAL_MISSING, NULL, 0);
	judge("paper", same, 2, -1, MLFY_REASON_ORIGINAL_MISSING, NULL, 0);
	judge("paper", diff, 2, 5, MLFY_REASON_SETS_DIFFER, NULL, 0);
	/* two annotators agreeing that nothing applies still go to refinement */
	judge("paper", empty, 2, 5, MLFY_REASON_ORIGINAL_MISSING, NULL, 0);
}

static void unanimous_rule(void **state)
{
	const int32_t s57[] = { 5, 7 }, s5[] = { 5 };
	struct mlfy_labelset same[3] = { LS(s57, 2), LS(s57, 2), LS(s57, 2) };
	struct mlfy_labelset diff[2] = { LS(s5, 1), LS(s57, 2) };
	struct mlfy_labelset empty[2] = { LS(NULL, 0), LS(NULL, 0) };
	(void)state;
	judge("unanimous", same, 3, 9, MLFY_REASON_AGREED, s57, 2);
	judge("unanimous", diff, 2, 5, MLFY_REASON_SETS_DIFFER, NULL, 0);
	judge("unanimous", empty, 2, 5, MLFY_REASON_AGREED, NULL, 0);
}

static void majority_rule(void **state)
{
	const int32_t s5[] = { 5 }, s57[] = { 5, 7 };
	const int32_t s12[] = { 1, 2 }, s13[] = { 1, 3 }, s23[] = { 2, 3 }, s123[] = { 1, 2, 3 };
	const int32_t s1[] = { 1 }, s2[] = { 2 };
	/* 2 annotators: 7 is chosen by exactly half -> tie */
	struct mlfy_labelset two[2] = { LS(s5, 1), LS(s57, 2) };
	/* 3 annotators, each label chosen by 2 of 3 -> all three in, larger than any set */
	struct mlfy_labelset three[3] = { LS(s12, 2), LS(s13, 2), LS(s23, 2) };
	/* {1},{1},{2}: 1 by 2/3 in, 2 by 1/3 out */
	struct mlfy_labelset odd[3] = { LS(s1, 1), LS(s1, 1), LS(s2, 1) };
	(void)state;
	judge("majority", two, 2, 5, MLFY_REASON_MAJORITY_TIE, NULL, 0);
	judge("majority", three, 3, 1, MLFY_REASON_AGREED, s123, 3);
	judge("majority", odd, 3, 2, MLFY_REASON_AGREED, s1, 1);
}

static void jaccard_rule(void **state)
{
	const int32_t s12[] = { 1, 2 }, s1[] = { 1 };
	const int32_t s12345[] = { 1, 2, 3, 4, 5 }, s1234[] = { 1, 2, 3, 4 };
	/* J({1,2},{1}) = 1/2 */
	struct mlfy_labelset half[2] = { LS(s12, 2), LS(s1, 1) };
	/* J = 4/5 exactly at the threshold 0.8 */
	struct mlfy_labelset edge[2] = { LS(s12345, 5), LS(s1234, 4) };
	struct mlfy_rule r = rule("jaccard:0.8");
	struct mlfy_err err;
	enum mlfy_rule_reason reason;
	int32_t out[16];
	size_t n_out;
	double mj;
	(void)state;
	judge("jaccard:0.5", half, 2, 1, MLFY_REASON_AGREED, s1, 1);   /* intersection */
	judge("jaccard:0.8", half, 2, 1, MLFY_REASON_JACCARD_LOW, NULL, 0);
	judge("jaccard:0.8", edge, 2, 1, MLFY_REASON_AGREED, s1234, 4);
	assert_int_equal(mlfy_rule_judge(&r, half, 2, 1, &reason, out, &n_out, &mj, &err), 0);
	assert_close(mj, 0.5, 0);
}

static void no_sets_is_an_error(void **state)
{
	struct mlfy_rule r = rule("paper");
	struct mlfy_err err;
	enum mlfy_rule_reason reason;
	int32_t out[1];
	size_t n_out;
	(void)state;
	assert_int_equal(mlfy_rule_judge(&r, NULL, 0, 1, &reason, out, &n_out, NULL, &err), MLFY_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_name),
		cmocka_unit_test(paper_rule),
		cmocka_unit_test(unanimous_rule),
		cmocka_unit_test(majority_rule),
		cmocka_unit_test(jaccard_rule),
		cmocka_unit_test(no_sets_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
