/* test_save.c - one annotation save (src/review/save.c): the append-only
 * history with version checks, and stage iv's rules (a refinement that
 * changes the annotators' union needs a comment; a refinement save
 * finalises the image and records its zero-label review). */
#include "store/people_fixture.h"

static void save_versions_and_conflicts(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice labels[3] = {
		{ 3, MLFY_SOURCE_PROPOSAL }, { 1, MLFY_SOURCE_PROPOSAL }, { 7, MLFY_SOURCE_SEARCH } };
	struct mlfy_annotation_save in;
	struct mlfy_annotation cur;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t a1, a2, a3, img, v = 0, n;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	a3 = add_user(s, "a3", MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);

	memset(&in, 0, sizeof(in));
	in.image_id = img;
	in.annotator_id = a1;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.labels = labels;
	in.n_labels = 3;
	in.comment = "two fish";
	in.seconds = 12.5;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 1);
	/* a second tab still based on version 0: stale */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_ECONFLICT);
	assert_non_null(strstr(err.msg, "version 1"));
	/* an empty set ("none of these") is a decision */
	in.base_version = 1;
	in.n_labels = 0;
	in.comment = NULL;
	in.seconds = 20;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 2);
	assert_int_equal(mlfy_annotations_current(s, img, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(cur.version, 2);
	assert_int_equal(cur.n_labels, 0);
	assert_string_equal(cur.comment, "");
	assert_true(fabs(cur.seconds - 20) < 1e-9);
	mlfy_annotation_release(&cur);
	/* back to three labels; the history keeps all versions */
	in.base_version = 2;
	in.n_labels = 3;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_n_versions(s, img, a1, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(mlfy_annotations_current(s, img, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_int_equal(cur.n_labels, 3);
	assert_int_equal(cur.labels[0].class_idx, 1);   /* ordered by class */
	assert_int_equal(cur.labels[2].class_idx, 7);
	assert_int_equal(cur.labels[2].source, MLFY_SOURCE_SEARCH);
	mlfy_annotation_release(&cur);

	/* not assigned: a3 may not save; bad input is refused before writing */
	in.annotator_id = a3;
	in.base_version = 0;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);
	in.annotator_id = a2;
	labels[2].class_idx = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* duplicate */
	labels[2].class_idx = 10;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* no class 10 */
	assert_non_null(strstr(err.msg, "10"));
	labels[2].class_idx = 7;
	in.seconds = NAN;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	in.seconds = 3;
	in.zl_category = "low_resolution";
	in.zl_verdict = "agree";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* stage ii */
	in.zl_category = in.zl_verdict = NULL;
	assert_int_equal(mlfy_annotations_n_versions(s, img, a2, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	assert_int_equal(n, 0);

	/* done flags */
	assert_int_equal(mlfy_tasks_list(s, a1, MLFY_STAGE_ANNOTATE, &tl, &err), 0);
	assert_int_equal(tl.n, 28);
	assert_int_equal(tl.n_done, 1);
	assert_int_equal(tl.done[0], 1);
	mlfy_task_list_release(&tl);
	mlfy_store_close(s);
}

/* The final set of img as "stage:a,b,c" ("-" when undecided). */
static void final_str(struct mlfy_store *s, int64_t img, char *out, size_t n)
{
	struct mlfy_final f;
	struct mlfy_err err;
	size_t i, k;
	if (mlfy_final_get(s, img, &f, &err) != 0) {
		snprintf(out, n, "-");
		return;
	}
	k = (size_t)snprintf(out, n, "%s:", mlfy_final_stage_name(f.stage));
	for (i = 0; i < f.n && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, i ? ",%d" : "%d", f.classes[i]);
	mlfy_final_release(&f);
}

static void refinement_rules(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" }, *experts[] = { "ex" };
	struct mlfy_assign_report rep;
	struct mlfy_label_choice l1[] = { { 2, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_label_choice l2[] = { { 2, MLFY_SOURCE_PROPOSAL }, { 4, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_annotation_save in;
	struct mlfy_annotation *all = NULL, cur;
	struct mlfy_review_stats rs;
	struct mlfy_review_check ck;
	struct mlfy_zero_review z;
	struct mlfy_final f;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	int64_t a1, a2, ex, img, v, *pending, nv;
	size_t n;
	char fs[128];

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	ex = add_user(s, "ex", MLFY_ROLE_EXPERT, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	img = first_image(s, a1);
	memset(&in, 0, sizeof(in));
	in.image_id = img;
	in.stage = MLFY_STAGE_ANNOTATE;
	in.annotator_id = a1;
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	in.annotator_id = a2;
	in.labels = l2;
	in.n_labels = 2;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	/* a stage-ii save never decides anything */
	assert_int_equal(mlfy_final_get(s, img, &f, &err), MLFY_ENOTFOUND);

	/* the expert may refine only what is queued to them */
	in.annotator_id = ex;
	in.stage = MLFY_STAGE_REFINE;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_put(s, img, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EPERM);   /* queued, not theirs yet */
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n, 0);
	mlfy_task_list_release(&tl);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_assign(s, experts, 1, NULL, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n, 1);
	assert_int_equal(tl.image_ids[0], img);
	assert_int_equal(tl.n_done, 0);
	mlfy_task_list_release(&tl);
	assert_int_equal(mlfy_tasks_check(s, a1, MLFY_STAGE_REFINE, img, &err), MLFY_EPERM);

	/* keeping the union {2, 4} needs no comment; the save is the final set */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2,4");
	assert_int_equal(mlfy_final_get(s, img, &f, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, img, ex, MLFY_STAGE_REFINE, &cur, &err), 0);
	assert_int_equal(f.annotation_id, cur.id);
	mlfy_annotation_release(&cur);
	mlfy_final_release(&f);
	assert_int_equal(mlfy_tasks_list(s, ex, MLFY_STAGE_REFINE, &tl, &err), 0);
	assert_int_equal(tl.n_done, 1);
	assert_int_equal(tl.done[0], 1);
	mlfy_task_list_release(&tl);

	/* changing it to {2} needs a comment; a refused save changes nothing */
	in.base_version = 1;
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "comment"));
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2,4");
	in.comment = "the second label is a background object";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2");

	/* an empty set without a review: decided, and awaiting the review */
	in.base_version = 2;
	in.n_labels = 0;
	in.comment = "nothing in the list fits";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:");
	assert_int_equal(mlfy_review_zero_pending(s, &pending, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pending[0], img);
	free(pending);

	/* the same with the zero-label review: stored through review.h */
	in.base_version = 3;
	in.zl_category = "fine_grained";
	in.zl_verdict = "unsure";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(mlfy_review_zero_get(s, img, &z, &err), 0);
	assert_string_equal(z.category, "fine_grained");
	assert_string_equal(z.verdict, "unsure");
	assert_string_equal(z.expert, "ex");
	assert_string_equal(z.comment, "nothing in the list fits");
	mlfy_zero_review_release(&z);
	assert_int_equal(mlfy_review_zero_pending(s, &pending, &n, &err), 0);
	assert_int_equal(n, 0);
	free(pending);
	assert_int_equal(mlfy_review_stats_get(s, &rs, &err), 0);
	assert_int_equal(rs.refined, 1);
	assert_int_equal(rs.queued, 1);
	assert_int_equal(rs.queue_refined, 1);
	assert_int_equal(rs.zero_label, 1);
	assert_int_equal(rs.zero_reviewed, 1);
	assert_int_equal(rs.by_category[mlfy_zero_category_index("fine_grained")], 1);
	assert_int_equal(rs.by_verdict[mlfy_zero_verdict_index("unsure")], 1);

	/* bad zero-label fields: nothing is written */
	in.base_version = 4;
	in.zl_category = "blurry";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "zero_label.category"));
	in.zl_category = "fine_grained";
	in.zl_verdict = "maybe";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	in.zl_verdict = "agree";
	in.labels = l1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);   /* only for an empty set */
	assert_int_equal(mlfy_annotations_n_versions(s, img, ex, MLFY_STAGE_REFINE, &nv, &err), 0);
	assert_int_equal(nv, 4);

	/* back to {2}: the final set follows; the old review stays in the history
	 * but no longer counts (the set is not empty) */
	in.zl_category = in.zl_verdict = NULL;
	in.comment = "on second look, a 2";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	final_str(s, img, fs, sizeof(fs));
	assert_string_equal(fs, "refined:2");
	assert_int_equal(mlfy_review_stats_get(s, &rs, &err), 0);
	assert_int_equal(rs.zero_label, 0);
	assert_int_equal(rs.zero_reviewed, 0);

	/* the invariants of docs/schema.md ("review") hold after every save */
	assert_int_equal(mlfy_review_check(s, &ck, &err), 0);
	assert_int_equal(ck.queued_and_agreed + ck.refined_without_refinement + ck.refined_set_differs +
			 ck.refinements_not_final, 0);

	/* stage-ii sets of the image, by annotator name */
	assert_int_equal(mlfy_annotations_of_image(s, img, MLFY_STAGE_ANNOTATE, &all, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].annotator, "a1");
	assert_int_equal(all[0].n_labels, 1);
	assert_string_equal(all[1].annotator, "a2");
	assert_int_equal(all[1].n_labels, 2);
	mlfy_annotations_free(all, n);
	mlfy_store_close(s);
}

/* mlfy_annotation_check is the one place that decides whether a save's
 * fields are valid: each bad field is refused with a message naming it,
 * before any store access (NULL store: it must not need one). */
static void check_names_the_bad_field(void **state)
{
	struct mlfy_label_choice l[3] = { { 3, MLFY_SOURCE_PROPOSAL }, { 5, MLFY_SOURCE_SEARCH },
					   { 3, MLFY_SOURCE_SEARCH } };
	struct mlfy_annotation_save in;
	struct mlfy_err err;
	char big[4 * (MLFY_COMMENT_MAX + 1) + 1];
	size_t i;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.image_id = 1;
	in.annotator_id = 1;
	in.labels = l;
	in.n_labels = 2;
	assert_int_equal(mlfy_annotation_check(&in, &err), 0);

#define REFUSED(field)                                                    \
	do {                                                              \
		assert_int_equal(mlfy_annotation_check(&in, &err), MLFY_EINVAL); \
		assert_non_null(strstr(err.msg, field));                  \
	} while (0)

	in.n_labels = 3;                      /* class 3 twice */
	REFUSED("labels: class 3 given twice");
	in.n_labels = 2;
	l[1].class_idx = -4;
	REFUSED("labels[1].class");
	l[1].class_idx = 5;
	l[0].source = (enum mlfy_label_source)MLFY_N_SOURCES;
	REFUSED("labels[0].source");
	l[0].source = MLFY_SOURCE_PROPOSAL;
	in.n_labels = MLFY_LABELS_MAX + 1;
	REFUSED("labels:");
	in.n_labels = 2;
	in.labels = NULL;
	REFUSED("labels: missing");
	in.labels = l;
	in.base_version = -1;
	REFUSED("base_version");
	in.base_version = 0;
	in.seconds = 1e7;
	REFUSED("seconds");
	in.seconds = NAN;
	REFUSED("seconds");
	in.seconds = 3;
	/* the comment counts characters as the page's box does: 4000
	 * three-byte characters pass, one more does not */
	for (i = 0; i < MLFY_COMMENT_MAX; i++)
		memcpy(big + 3 * i, "\xe2\x82\xac", 3);   /* the euro sign */
	big[3 * MLFY_COMMENT_MAX] = '\0';
	in.comment = big;
	assert_int_equal(mlfy_annotation_check(&in, &err), 0);
	memcpy(big + 3 * MLFY_COMMENT_MAX, "x", 2);
	REFUSED("comment");
	in.comment = NULL;
	in.zl_category = "low_resolution";
	REFUSED("zero_label: needs both");
	in.zl_verdict = "agree";
	REFUSED("zero_label: only in refinement");
	in.stage = MLFY_STAGE_REFINE;
	REFUSED("zero_label: only for an empty label set");
	in.n_labels = 0;
	assert_int_equal(mlfy_annotation_check(&in, &err), 0);
	in.zl_verdict = "maybe";
	REFUSED("zero_label.verdict");
	in.zl_verdict = "agree";
	in.zl_category = "blurry";
	REFUSED("zero_label.category");
#undef REFUSED
}

/* Issue 12, item 9: what the client asserts is checked against what the
 * server showed.  A label's source must match the view (proposal: among
 * the shown proposals; prefill: pre-checked in stage iv; else search); a
 * comment of white space is no comment (trimmed, and stored trimmed); the
 * seconds are capped by the caller's clock (elapsed_max). */
static void client_claims(void **state)
{
	struct mlfy_store *s = make_project();
	const char *both[] = { "a1", "a2" }, *experts[] = { "ex" };
	struct mlfy_assign_report rep;
	/* image 1: proposals 0..4 (top-5 of classes (i - 1 + r) % 10) */
	struct mlfy_label_choice l[2] = { { 7, MLFY_SOURCE_PROPOSAL }, { 2, MLFY_SOURCE_PROPOSAL } };
	struct mlfy_annotation_save in;
	struct mlfy_annotation cur;
	struct mlfy_err err;
	int64_t a1, a2, ex, v = 0, n;

	(void)state;
	a1 = add_user(s, "a1", MLFY_ROLE_ANNOTATOR, NULL);
	a2 = add_user(s, "a2", MLFY_ROLE_ANNOTATOR, NULL);
	ex = add_user(s, "ex", MLFY_ROLE_EXPERT, NULL);
	assert_int_equal(mlfy_assign_batches(s, 2, both, 2, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	memset(&in, 0, sizeof(in));
	in.image_id = 1;
	in.annotator_id = a1;
	in.labels = l;
	in.n_labels = 2;
	in.seconds = 9;

	/* (a) class 7 is no proposal of image 1: "proposal" is refused, naming
	 * the label; "search" is what the page says for it */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "labels[0].source"));   /* as given, not sorted */
	assert_non_null(strstr(err.msg, "class 7"));
	l[0].source = MLFY_SOURCE_PREFILL;    /* stage ii pre-checks nothing */
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "prefill"));
	assert_int_equal(mlfy_annotations_n_versions(s, 1, a1, MLFY_STAGE_ANNOTATE, &n, &err), 0);
	assert_int_equal(n, 0);
	l[0].source = MLFY_SOURCE_SEARCH;
	/* (c) the seconds claimed are capped: 5 s since the task was served */
	in.seconds = 86400;
	in.elapsed_max = 5;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, 1, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_true(fabs(cur.seconds - 5) < 1e-9);
	mlfy_annotation_release(&cur);
	/* cumulative: the current version's 5 s plus 2 s more at most */
	in.base_version = 1;
	in.elapsed_max = 2;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, 1, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_true(fabs(cur.seconds - 7) < 1e-9);
	mlfy_annotation_release(&cur);
	/* a claim below the cap is stored as it is; no cap (0) keeps the claim */
	in.base_version = 2;
	in.seconds = 8;
	in.elapsed_max = 60;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, 1, a1, MLFY_STAGE_ANNOTATE, &cur, &err), 0);
	assert_true(fabs(cur.seconds - 8) < 1e-9);
	mlfy_annotation_release(&cur);
	in.elapsed_max = NAN;
	assert_int_equal(mlfy_annotation_check(&in, &err), MLFY_EINVAL);
	in.elapsed_max = 0;

	/* a2 saves {2}; the union is {2, 7}; the expert refines */
	in.annotator_id = a2;
	in.base_version = 0;
	in.labels = l + 1;
	in.n_labels = 1;
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	assert_int_equal(mlfy_review_queue_put(s, 1, "paper", "sets_differ", &err), 0);
	assert_int_equal(mlfy_review_queue_assign(s, experts, 1, NULL, NULL, &err), 0);
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	in.annotator_id = ex;
	in.stage = MLFY_STAGE_REFINE;
	in.labels = l;
	in.n_labels = 2;
	l[0].class_idx = 3;                   /* {2, 3}: 3 is a proposal nobody chose */
	l[0].source = MLFY_SOURCE_PREFILL;
	in.comment = "3, not 7";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "labels[0].source"));
	assert_non_null(strstr(err.msg, "pre-checked"));
	l[0].source = MLFY_SOURCE_PROPOSAL;
	l[1].source = MLFY_SOURCE_PREFILL;    /* class 2: pre-checked */
	/* (b) the set differs from the union: a comment of white space (ASCII,
	 * no-break and ideographic spaces) is no comment */
	in.comment = " \t\n\xc2\xa0\xe3\x80\x80 ";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "comment: required"));
	assert_int_equal(mlfy_annotations_n_versions(s, 1, ex, MLFY_STAGE_REFINE, &n, &err), 0);
	assert_int_equal(n, 0);
	/* a real comment is stored trimmed; inner white space stays */
	in.comment = "\xe2\x80\x83  3,  not 7 \n";
	assert_int_equal(mlfy_annotations_save(s, &in, &v, &err), 0);
	assert_int_equal(mlfy_annotations_current(s, 1, ex, MLFY_STAGE_REFINE, &cur, &err), 0);
	assert_string_equal(cur.comment, "3,  not 7");
	assert_int_equal(cur.labels[0].source, MLFY_SOURCE_PREFILL);   /* class 2, pre-checked */
	assert_int_equal(cur.labels[1].source, MLFY_SOURCE_PROPOSAL);
	mlfy_annotation_release(&cur);
	mlfy_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_names_the_bad_field),
		cmocka_unit_test(save_versions_and_conflicts),
		cmocka_unit_test(refinement_rules),
		cmocka_unit_test(client_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
