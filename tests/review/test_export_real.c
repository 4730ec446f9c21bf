/* test_export_real.c - the real-votes and real-scores exports: a project's
 * votes (raters with numeric and other names, one question without
 * votes of one rater) exported as ReaL's raters.npz and read back with
 * mlfy_vote_set_read_npz give the same votes and the same Dawid-Skene
 * posteriors as aggregating in the project; the ids rule and the names
 * member; real-scores read back with util/npz equals the stored posteriors;
 * no stored results is a clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review/aggregate.h"
#include "review/export.h"
#include "review/votes.h"
#include "util/npz.h"
#include "testutil.h"
#include "review_fixture.h"
#include "review_test.h"

/* 4 raters, 6 questions on 3 images; rater "alice" skips question 5. */
static const char *const raters[4] = { "alice", "17", "3", "007" };

static void build_votes(struct mlfy_vote_set *v)
{
	static const char *const images[6] = { "img01.jpg", "img01.jpg", "img02.jpg", "img02.jpg", "img03.jpg",
					       "img03.jpg" };
	static const int labels[6] = { 0, 1, 1, 2, 0, 3 };
	size_t q, r;
	memset(v, 0, sizeof(*v));
	v->n_questions = 6;
	v->n_raters = 4;
	v->n_answers = 3;
	assert_non_null(v->image = calloc(6, sizeof(*v->image)));
	assert_non_null(v->label = calloc(6, sizeof(*v->label)));
	assert_non_null(v->rater = calloc(4, sizeof(*v->rater)));
	assert_non_null(v->votes = calloc(24, sizeof(*v->votes)));
	for (q = 0; q < 6; q++) {
		assert_non_null(v->image[q] = strdup(images[q]));
		v->label[q] = labels[q];
	}
	for (r = 0; r < 4; r++)
		assert_non_null(v->rater[r] = strdup(raters[r]));
	for (q = 0; q < 6; q++)
		for (r = 0; r < 4; r++) {
			if (r == 0 && q == 5)
				continue;
			v->votes[v->n_votes].question = (uint32_t)q;
			v->votes[v->n_votes].rater = (uint32_t)r;
			v->votes[v->n_votes].answer = (uint8_t)((q * 7 + r * 3) % 3);
			v->n_votes++;
		}
}

static void export_to(struct mlfy_store *s, enum mlfy_export_format f, const char *method, const char *path,
		      struct mlfy_export_summary *sum)
{
	struct mlfy_err err;
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	if (mlfy_export_with(s, f, NULL, method, out, sum, &err))
		fail_msg("export: %s", err.msg);
	assert_int_equal(fclose(out), 0);
}

static void round_trip(void **state)
{
	char proj[4096], rv[4096], rs[4096], **names = NULL, **info = NULL;
	struct rfix f;
	struct mlfy_store *s;
	struct mlfy_vote_set in, stored, back;
	struct mlfy_export_summary sum;
	struct mlfy_err err;
	struct mlfy_npz *z;
	struct mlfy_npy *a;
	double post[6], post_back[6], *scores = NULL;
	uint8_t label[6];
	struct mlfy_aggregate_apply res;
	int64_t *ids = NULL;
	size_t i;
	(void)state;

	test_tmpfile(proj, sizeof(proj), "real.mlfy");
	assert_int_equal(rfix_create(&f, proj, 4, 3, 3, 2), 0);
	assert_int_equal(mlfy_store_open(proj, 0, &s, &err), 0);
	build_votes(&in);
	assert_int_equal(mlfy_vote_set_store(s, &in, "test", 1, NULL, NULL, &err), 0);
	mlfy_vote_set_release(&in);

	/* real-scores before any aggregation: a clear error */
	test_tmpfile(rs, sizeof(rs), "scores.npz");
	{
		FILE *out = fopen(rs, "wb");
		assert_int_equal(mlfy_export_with(s, MLFY_EXPORT_REAL_SCORES, NULL, NULL, out, &sum, &err),
				 MLFY_ENOTFOUND);
		assert_non_null(strstr(err.msg, "mlfy aggregate"));
		fclose(out);
	}

	/* aggregate in the project, as `mlfy aggregate PROJECT` does */
	assert_int_equal(mlfy_vote_set_from_store(s, NULL, &stored, &err), 0);
	assert_int_equal(mlfy_dawid_skene(stored.votes, stored.n_votes, stored.n_questions, stored.n_raters, 3, NULL,
					  post, NULL, NULL, &err), 0);
	for (i = 0; i < 6; i++)
		label[i] = post[i] > 0.5;
	assert_int_equal(mlfy_vote_set_store_results(s, &stored, "dawid-skene", post, label, 0.5, 0, &res, &err), 0);

	/* real-votes: read back, same questions, votes and posteriors */
	test_tmpfile(rv, sizeof(rv), "raters.npz");
	export_to(s, MLFY_EXPORT_REAL_VOTES, NULL, rv, &sum);
	assert_int_equal(sum.questions, 6);
	assert_int_equal(sum.raters, 4);
	assert_int_equal(sum.votes, 23);
	assert_int_equal(mlfy_vote_set_read_npz(rv, &back, &err), 0);
	assert_int_equal(back.n_questions, stored.n_questions);
	assert_int_equal(back.n_votes, stored.n_votes);
	for (i = 0; i < 6; i++) {
		assert_string_equal(back.image[i], stored.image[i]);
		assert_int_equal(back.label[i], stored.label[i]);
	}
	assert_int_equal(mlfy_dawid_skene(back.votes, back.n_votes, back.n_questions, back.n_raters, 3, NULL,
					  post_back, NULL, NULL, &err), 0);
	for (i = 0; i < 6; i++)
		assert_close(post_back[i], post[i], 1e-12);
	/* ids: raters in name order "007", "17", "3", "alice"; the canonical
	 * decimal names keep their number, the others get 17 + position */
	assert_string_equal(stored.rater[0], "007");
	assert_string_equal(back.rater[0], "18");
	assert_string_equal(back.rater[1], "17");
	assert_string_equal(back.rater[2], "3");
	assert_string_equal(back.rater[3], "21");
	assert_int_equal(mlfy_npz_open(rv, &z, &err), 0);
	assert_int_equal(mlfy_npz_member(z, "ids", &a, &err), 0);
	assert_string_equal(a->descr, "<i8");
	assert_int_equal(mlfy_npy_read_int64(a, &ids, &err), 0);
	assert_int_equal(ids[0], 18);
	free(ids);
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "names", &a, &err), 0);
	assert_int_equal(mlfy_npy_read_strings(a, &names, &err), 0);
	for (i = 0; i < 4; i++)
		assert_string_equal(names[i], stored.rater[i]);
	mlfy_npy_strings_free(names, 4);
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "tensor", &a, &err), 0);
	assert_string_equal(a->descr, "<f8");
	assert_int_equal(a->shape[0], 4);
	assert_int_equal(a->shape[1], 6);
	assert_int_equal(a->shape[2], 3);
	mlfy_npy_close(a);
	mlfy_npz_close(z);
	mlfy_vote_set_release(&back);

	/* real-scores: tensor = the stored posteriors, info = the questions */
	export_to(s, MLFY_EXPORT_REAL_SCORES, "dawid-skene", rs, &sum);
	assert_int_equal(sum.questions, 6);
	assert_int_equal(mlfy_npz_open(rs, &z, &err), 0);
	assert_int_equal(mlfy_npz_count(z), 2);
	assert_int_equal(mlfy_npz_member(z, "tensor", &a, &err), 0);
	assert_int_equal(a->ndim, 1);
	assert_int_equal(mlfy_npy_read_double(a, &scores, &err), 0);
	for (i = 0; i < 6; i++)
		assert_close(scores[i], post[i], 1e-15);
	free(scores);
	mlfy_npy_close(a);
	assert_int_equal(mlfy_npz_member(z, "info", &a, &err), 0);
	assert_int_equal(a->ndim, 2);
	assert_int_equal(mlfy_npy_read_strings(a, &info, &err), 0);
	for (i = 0; i < 6; i++) {
		char lab[16];
		snprintf(lab, sizeof(lab), "%d", (int)stored.label[i]);
		assert_string_equal(info[2 * i], stored.image[i]);
		assert_string_equal(info[2 * i + 1], lab);
	}
	mlfy_npy_strings_free(info, 12);
	mlfy_npy_close(a);
	mlfy_npz_close(z);

	/* majority was never stored */
	{
		FILE *out = fopen(rs, "wb");
		assert_int_equal(mlfy_export_with(s, MLFY_EXPORT_REAL_SCORES, NULL, "majority", out, &sum, &err),
				 MLFY_ENOTFOUND);
		assert_int_equal(mlfy_export_with(s, MLFY_EXPORT_REAL_SCORES, NULL, "mean", out, &sum, &err),
				 MLFY_EINVAL);
		fclose(out);
	}
	/* pulled piece by piece into a new stream each time, as the server's
	 * download does: the same bytes as the whole export */
	{
		int k;
		for (k = 0; k < 2; k++) {
			enum mlfy_export_format fmt = k ? MLFY_EXPORT_REAL_SCORES : MLFY_EXPORT_REAL_VOTES;
			struct mlfy_export_stream *es;
			char *whole = NULL, *all = NULL, *piece = NULL;
			size_t n_whole = 0, n_all = 0, n_piece = 0;
			FILE *w = open_memstream(&whole, &n_whole), *cat = open_memstream(&all, &n_all);
			int rc, pieces = 0;
			assert_int_equal(mlfy_export_with(s, fmt, NULL, NULL, w, &sum, &err), 0);
			fclose(w);
			assert_int_equal(mlfy_export_stream_open_with(s, fmt, NULL, NULL, &es, &err), 0);
			do {
				FILE *out = open_memstream(&piece, &n_piece);
				rc = mlfy_export_stream_next(es, out, &err);
				fclose(out);
				assert_true(rc == 0 || rc == 1);
				fwrite(piece, 1, n_piece, cat);
				free(piece);
				pieces += rc;
			} while (rc == 1);
			mlfy_export_stream_close(es);
			fclose(cat);
			assert_true(pieces >= 3);
			assert_int_equal(n_all, n_whole);
			assert_memory_equal(all, whole, n_all);
			free(all);
			free(whole);
		}
	}
	mlfy_vote_set_release(&stored);
	mlfy_store_close(s);
	rfix_close(&f);
}

static void formats_registered(void **state)
{
	enum mlfy_export_format f;
	struct mlfy_err err;
	(void)state;
	assert_int_equal(mlfy_export_format_parse("real-votes", &f, &err), 0);
	assert_int_equal(f, MLFY_EXPORT_REAL_VOTES);
	assert_string_equal(mlfy_export_format_ext(f), "npz");
	assert_int_equal(mlfy_export_format_parse("real-scores", &f, &err), 0);
	assert_string_equal(mlfy_export_format_name(f), "real-scores");
	assert_int_equal(mlfy_export_format_parse("real-vote", &f, &err), MLFY_EINVAL);
	assert_non_null(strstr(err.msg, "real-votes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(formats_registered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
