/* test_reopen.c - a decided image is closed to stage-ii saves (issue 12,
 * item 5): after `mlfy analyze` decided (agreed) or queued an image, a
 * late stage-ii save is refused with MLFY_ECLOSED and writes nothing; each
 * decision records the annotation versions it rests on (decision_basis);
 * `mlfy reopen` (mlfy_reopen_images) removes the decision in one
 * transaction, audited, and the image takes saves again and is decided
 * anew by the next analysis. */
#include "store/people_fixture.h"

#include "review/analyze.h"
#include "review/reopen.h"
#include "store/decisions.h"

static void analyze_paper(struct mlfy_store *s)
{
	struct mlfy_analyze_opts o;
	struct mlfy_analysis a;
	struct mlfy_err err;

	memset(&o, 0, sizeof(o));
	assert_int_equal(mlfy_rule_parse("paper", &o.rule, &err), 0);
	o.top = 10;
	o.max_missing = 20;
	if (mlfy_analyze(s, &o, &a, &err))
		fail_msg("analyze: %s", err.msg);
	mlfy_analysis_release(&a);
}

/* Saves labels[0..n) as annotator's stage-ii set of img on base; returns the
 * status. */
static int save2(struct mlfy_store *s, int64_t img, int64_t who, int64_t base, const struct mlfy_label_choice *l,
		 size_t n, struct mlfy_err *err)
{
	struct mlfy_annotation_save in;
	int64_t v;
	memset(&in, 0, sizeof(in));
	in.image_id = img;
	in.annotator_id = who;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.base_version = base;
	in.labels = l;
	in.n_labels = n;
	in.seconds = 3;
	return mlfy_annotations_save(s, &in, &v, err);
}

static int64_t current_id(struct mlfy_store *s, int64_t img, int64_t who, enum mlfy_stage st)
{
	struct mlfy_annotation a;
	struct mlfy_err err;
	int64_t id;
	assert_int_equal(mlfy_annotations_current(s, img, who, st, &a, &err), 0);
	id = a.id;
	mlfy_annotation_release(&a);
	return id;
}

/* 0 when img has a refinement-queue row, else the status. */
static int queued(struct mlfy_store *s, int64_t img)
{
	struct mlfy_queue_entry q;
	struct mlfy_err err;
	int rc = mlfy_review_queue_get(s, img, &q, &err);
	if (!rc)
		mlfy_queue_entry_release(&q);
	return rc;
}

static void image_name(struct mlfy_store *s, int64_t img, char *out, size_t n)
{
	struct mlfy_task_view tv;
	struct mlfy_err err;
	assert_int_equal(mlfy_task_view_get(s, img, 1, &tv, &err), 0);
	snprintf(out, n, "%s", tv.name);
	mlfy_task_view_release(&tv);
}

static void late_save_refused_until_reopened(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" }, *experts[] = { "ex" };
	struct mlfy_assign_report rep;
	/* image 1: original label 0, proposals 0..4; image 2: original 1, proposals 1..5 */
	struct mlfy_label_choice c0[] = { { 0, MLFY_SOURCE_PROPOSAL } }, c1[] = { { 1, MLFY_SOURCE_PROPOSAL } },
				 c12[] = { { 1, MLFY_SOURCE_PROPOSAL }, { 2, MLFY_SOURCE_PROPOSAL } },
				 c03[] = { { 0, MLFY_SOURCE_PROPOSAL }, { 3, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_reopening *r = NULL;
	struct mlfy_annotation_save in;
	struct mlfy_final f;
	struct mlfy_err err;
	int64_t a1, a2, ex, *basis = NULL, n_ver, v;
	size_t nb = 0, nr = 0;
	char name1[256], name2[256], basis_txt[64];
	const char *names[2];

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	ex = add_user(s, "ex", MLFY_ROLE_EXPERT, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	image_name(s, 1, name1, sizeof(name1));
	image_name(s, 2, name2, sizeof(name2));
	assert_int_equal(save2(s, 1, a1, 0, c0, 1, &err), 0);
	assert_int_equal(save2(s, 1, a2, 0, c0, 1, &err), 0);
	assert_int_equal(save2(s, 2, a1, 0, c1, 1, &err), 0);
	assert_int_equal(save2(s, 2, a2, 0, c12, 2, &err), 0);
	/* before the analysis a re-save is fine */
	assert_int_equal(save2(s, 2, a2, 1, c12, 2, &err), 0);
	analyze_paper(s);

	/* image 1 agreed {0}: it rests on both current stage-ii versions */
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), 0);
	assert_int_equal(f.stage, MLFY_FINAL_AGREED);
	mlfy_final_release(&f);
	assert_int_equal(mlfy_decision_basis_get(s, 1, &basis, &nb, &err), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(basis[0], current_id(s, 1, a1, MLFY_STAGE_ANNOTATE));
	assert_int_equal(basis[1], current_id(s, 1, a2, MLFY_STAGE_ANNOTATE));
	free(basis);

	/* a late stage-ii save of the agreed image: closed, nothing written */
	assert_int_equal(save2(s, 1, a2, 1, c03, 2, &err), MLFY_ECLOSED);
	assert_non_null(strstr(err.msg, "closed"));
	assert_int_equal(mlfy_annotations_n_versions(s, 1, a2, MLFY_STAGE_ANNOTATE, &n_ver, &err), 0);
	assert_int_equal(n_ver, 1);
	/* the same for the queued image (sets differ) */
	assert_int_equal(queued(s, 2), 0);
	assert_int_equal(save2(s, 2, a1, 1, c12, 2, &err), MLFY_ECLOSED);
	assert_int_equal(mlfy_annotations_n_versions(s, 2, a1, MLFY_STAGE_ANNOTATE, &n_ver, &err), 0);
	assert_int_equal(n_ver, 1);
	/* a closed check comes after the right to the image: an unassigned
	 * person still gets MLFY_EPERM, which tells nothing about decisions */
	assert_int_equal(save2(s, 1, ex, 0, c0, 1, &err), MLFY_EPERM);

	/* the expert refines image 2: the basis is the stage-ii sets and the refinement */
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_assign(s, experts, 1, NULL, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	memset(&in, 0, sizeof(in));
	in.image_id = 2;
	in.annotator_id = ex;
	in.stage = MLFY_STAGE_REFINE;
	in.labels = c1;
	in.n_labels = 1;
	in.comment = "2 is background";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_decision_basis_get(s, 2, &basis, &nb, &err), 0);
	assert_int_equal(nb, 3);
	assert_int_equal(basis[0], current_id(s, 2, a1, MLFY_STAGE_ANNOTATE));
	assert_int_equal(basis[1], current_id(s, 2, a2, MLFY_STAGE_ANNOTATE));
	assert_int_equal(basis[2], current_id(s, 2, ex, MLFY_STAGE_REFINE));
	snprintf(basis_txt, sizeof(basis_txt), "%lld %lld", (long long)current_id(s, 1, a1, MLFY_STAGE_ANNOTATE),
		 (long long)current_id(s, 1, a2, MLFY_STAGE_ANNOTATE));
	free(basis);

	/* reopening an open image, an unknown one or a name twice changes nothing */
	names[0] = name1;
	names[1] = "no-such-image";
	assert_int_equal(mlfy_reopen_images(s, names, 2, "coord", "typo", NULL, NULL, &err), MLFY_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no-such-image"));
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), 0);
	mlfy_final_release(&f);
	names[1] = name1;
	assert_int_equal(mlfy_reopen_images(s, names, 2, "coord", NULL, NULL, NULL, &err), MLFY_EINVAL);

	/* reopen both: decisions, queue row and basis gone; audited */
	names[1] = name2;
	assert_int_equal(mlfy_reopen_images(s, names, 2, "coord", "a2 ticked the wrong tab", &r, &nr, &err), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(r[0].stage, "agreed");
	assert_string_equal(r[0].labels, "0");
	assert_string_equal(r[0].basis, basis_txt);
	assert_null(r[0].queue_reason);
	assert_string_equal(r[1].stage, "refined");
	assert_string_equal(r[1].labels, "1");
	assert_string_equal(r[1].queue_reason, "paper:sets_differ");
	assert_int_equal(r[1].annotation_id, current_id(s, 2, ex, MLFY_STAGE_REFINE));
	mlfy_reopenings_free(r, nr);
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_final_get(s, 2, &f, &err), MLFY_ENOTFOUND);
	assert_int_equal(queued(s, 2), MLFY_ENOTFOUND);
	assert_int_equal(mlfy_decision_basis_get(s, 1, &basis, &nb, &err), 0);
	assert_int_equal(nb, 0);
	assert_int_equal(mlfy_reopenings_list(s, 0, &r, &nr, &err), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(r[0].by, "coord");
	assert_string_equal(r[0].reason, "a2 ticked the wrong tab");
	assert_int_equal(r[0].image_id, 1);
	assert_true(strlen(r[0].at) == 20);
	mlfy_reopenings_free(r, nr);
	/* reopening it again: open already */
	names[1] = name1;
	assert_int_equal(mlfy_reopen_images(s, names + 1, 1, "coord", NULL, NULL, NULL, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "open already"));

	/* open again: the late save is taken, and the next analysis decides anew */
	assert_int_equal(save2(s, 1, a2, 1, c03, 2, &err), 0);
	analyze_paper(s);
	assert_int_equal(mlfy_final_get(s, 1, &f, &err), MLFY_ENOTFOUND);
	assert_int_equal(queued(s, 1), 0);
	assert_int_equal(mlfy_decision_basis_get(s, 1, &basis, &nb, &err), 0);
	assert_int_equal(nb, 2);
	assert_int_equal(basis[1], current_id(s, 1, a2, MLFY_STAGE_ANNOTATE));
	free(basis);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(late_save_refused_until_reopened),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
