/* test_report.c - the report directory (src/report/report.c) from
 * synthetic inputs and from the shared ImageNetV2 labels and timm tables,
 * and `mlfy report PROJECT` on a small project made with the store API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>

#include "evaluate/coverage.h"
#include "evaluate/evalset.h"
#include "evaluate/fit.h"
#include "evaluate/label_counts.h"
#include "evaluate/scores.h"
#include "evaluate/timm.h"
#include "evaluate/top1.h"
#include "ingest/labels.h"
#include "report/report.h"
#include "report/tables.h"
#include "store/catalog.h"
#include "store/final_labels.h"
#include "store/proposals.h"
#include "testutil.h"
#include "evaluate/project_fixture.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* dir/name.{svg,png,pdf} exist with the right magic bytes */
static void check_figure(const char *dir, const char *name)
{
	static const char *ext[3] = { "svg", "png", "pdf" };
	static const char *magic[3] = { "<?xml", "\x89PNG", "%PDF-" };
	char path[4096], head[8];
	int i;
	for (i = 0; i < 3; i++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext[i]);
		f = fopen(path, "rb");
		if (!f)
			fail_msg("missing %s", path);
		assert_int_equal(fread(head, 1, 5, f), 5);
		fclose(f);
		assert_memory_equal(head, magic[i], strlen(magic[i]));
	}
}

static int exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Every part from synthetic inputs: label counts, two models' results,
 * four scatter points with a fit, coverage, zero-label categories. */
static void test_all_parts_synthetic(void **state)
{
	char dir[4096], lp[4096], op[4096], pp[4096], html_path[4096];
	struct mlfy_label_counts lc;
	struct mlfy_evalset *es;
	struct mlfy_top1 *p[2];
	struct mlfy_eval_results r;
	struct mlfy_coverage cov;
	struct mlfy_linfit fit;
	struct mlfy_err err;
	char *names[4] = { "m1", "m2", "m3", "m<4>" };
	double top1[4] = { 60, 70, 80, 90 }, real[4] = { 80, 85, 93, 95 };
	struct mlfy_model_scores s = { 4, names, top1, real, "synthetic" };
	const int64_t zc[4] = { 3, 1, 2, 0 };
	const int pa[] = { 1, 2, 3 }, la[] = { 1 }, lb[] = { 2, 9 }, lc3[] = { 1, 3, 7 };
	struct mlfy_report_input in;
	char *html;
	(void)state;

	test_tmpfile(dir, sizeof(dir), "report");
	test_tmpfile(lp, sizeof(lp), "labels.json");
	test_tmpfile(op, sizeof(op), "orig.csv");
	test_tmpfile(pp, sizeof(pp), "pred.csv");
	write_file(lp, "{\"a\": [0], \"b\": [1, 5], \"c\": [], \"d\": [3, 7, 8], \"e\": [9], \"f\": [2]}");
	write_file(op, "file,label\na,0\nb,1\nc,2\nd,3\ne,4\nf,2\n");
	write_file(pp, "file,index\na,0\nb,5\nc,2\nd,3\ne,1\nf,2\n");
	assert_int_equal(mlfy_evalset_from_files(lp, op, 10, &es, &err), 0);
	assert_int_equal(mlfy_top1_load("hand", pp, 10, &p[0], &err), 0);
	assert_int_equal(mlfy_top1_load("same <name> & co", pp, 10, &p[1], &err), 0);
	assert_int_equal(mlfy_eval_run(es, p, 2, NULL, 0, 2, &r, &err), 0);
	mlfy_label_counts_init(&lc);
	assert_int_equal(mlfy_label_counts_add_csr(&lc, es->off, es->n, &err), 0);
	assert_int_equal(mlfy_linfit(top1, real, 4, &fit, &err), 0);
	assert_int_equal(mlfy_coverage_init(&cov, 3, 2, &err), 0);
	assert_int_equal(mlfy_coverage_add(&cov, pa, 3, la, 1, &err), 0);
	assert_int_equal(mlfy_coverage_add(&cov, pa, 3, lb, 2, &err), 0);
	assert_int_equal(mlfy_coverage_add(&cov, pa, 3, lc3, 3, &err), 0);

	in = (struct mlfy_report_input){ .title = "Test report", .counts = &lc,
					 .counts_source = "labels.json", .results = &r, .scores = &s,
					 .fit = &fit, .outlier_t = 2.0, .coverage = &cov,
					 .coverage_model = "m1", .n_zero = 4,
					 .zero_counts = zc, .zero_pending = 5, .formats = MLFY_FIG_ALL };
	assert_int_equal(mlfy_report_write(dir, &in, &err), 0);
	check_figure(dir, "label_counts");
	check_figure(dir, "top1_by_label_count");
	check_figure(dir, "moe_by_label_count");
	check_figure(dir, "accuracy_by_label_count");
	check_figure(dir, "real_vs_top1");
	check_figure(dir, "proposal_coverage");
	check_figure(dir, "zero_label_review");
	assert_true(exists(dir, "results.csv") && exists(dir, "results.json"));
	assert_false(exists(dir, "index.html.tmp"));
	snprintf(html_path, sizeof(html_path), "%s/index.html", dir);
	html = slurp(html_path);
	assert_non_null(strstr(html, "<title>Test report</title>"));
	assert_non_null(strstr(html, "<h2>Labels per image</h2>"));
	assert_non_null(strstr(html, "<h2>Accuracy</h2>"));
	assert_non_null(strstr(html, "<h2>ReaL accuracy vs top-1 accuracy</h2>"));
	assert_non_null(strstr(html, "<h2>Proposal coverage</h2>"));
	assert_non_null(strstr(html, "<h2>Images without valid labels</h2>"));
	/* names are escaped */
	assert_non_null(strstr(html, "same &lt;name&gt; &amp; co"));
	assert_null(strstr(html, "same <name>"));
	/* hand: ReaL 4/5 = 80.00 %, top-1 4/6 = 66.67 % */
	assert_non_null(strstr(html, "80.00 % \xC2\xB1 35.06"));
	assert_non_null(strstr(html, "66.67 % \xC2\xB1 37.72"));
	/* coverage: 4 of 6 labels in the top-3 (labels 9 and 7 are not proposed) */
	assert_non_null(strstr(html, "outside the top-3: 33.33 %"));
	/* the table has the figure's series, >= 3 labels included: at k = 3
	 * all 4/6, 1 label 1/1, 2 labels 1/2, >= 3 labels 2/3, images fully
	 * covered 1/3 */
	assert_non_null(strstr(html, "<th>with \xE2\x89\xA5" "3 labels</th>"));
	assert_non_null(strstr(html, "<tr><td>3</td><td>66.67 %</td><td>100.00 %</td><td>50.00 %</td>"
				     "<td>66.67 %</td><td>33.33 %</td></tr>"));
	assert_non_null(strstr(html, "<tr><td>1</td><td>33.33 %</td><td>100.00 %</td><td>0.00 %</td>"
				     "<td>33.33 %</td><td>33.33 %</td></tr>"));
	/* zero-label review: 6 reviewed, 5 waiting */
	assert_non_null(strstr(html, "Reviewed: 6; awaiting review: 5."));
	free(html);

	/* a report of nothing is an error; a single part works alone */
	memset(&in, 0, sizeof(in));
	in.formats = MLFY_FIG_PNG;
	assert_int_equal(mlfy_report_write(dir, &in, &err), MLFY_EINVAL);
	in.counts = &lc;
	assert_int_equal(mlfy_report_write(dir, &in, &err), 0);

	mlfy_linfit_release(&fit);
	mlfy_label_counts_release(&lc);
	mlfy_eval_results_release(&r);
	mlfy_top1_free(p[0]);
	mlfy_top1_free(p[1]);
	mlfy_evalset_free(es);
}

static char *fit_output(const struct mlfy_model_scores *s, const struct mlfy_linfit *fit, int json)
{
	FILE *f = tmpfile();
	struct mlfy_err err;
	char *buf = calloc(1, 8192);
	size_t n;
	assert_non_null(f);
	assert_non_null(buf);
	assert_int_equal(mlfy_fit_write(f, s, fit, 2.0, json, &err), 0);
	rewind(f);
	n = fread(buf, 1, 8191, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Edge cases of the fit output: a model off a line that the others fit
 * exactly has an infinite studentized residual (the JSON dropped it while
 * the text listed it); with 3 models the residuals are undefined (it said
 * "outliers: 0"). */
static void test_fit_output_edges(void **state)
{
	char *names[5] = { "m1", "m2", "m3", "m4", "m5" };
	/* m1, m2, m3, m5 on ReaL = 0.5 top-1 + 50; m4 4 points above */
	double top1[5] = { 60, 70, 80, 90, 50 }, real[5] = { 80, 85, 90, 99, 75 };
	struct mlfy_model_scores s = { 5, names, top1, real, "edges" };
	struct mlfy_linfit fit;
	struct mlfy_err err;
	char *out;
	(void)state;
	assert_int_equal(mlfy_linfit(top1, real, 5, &fit, &err), 0);
	assert_true(isinf(fit.studentized[3]) && fit.studentized[3] > 0);
	out = fit_output(&s, &fit, 0);
	assert_non_null(strstr(out, "outliers (|externally studentized residual| > 2): 1"));
	assert_non_null(strstr(out, "m4 "));
	free(out);
	out = fit_output(&s, &fit, 1);
	assert_non_null(strstr(out, "\"model\": \"m4\""));
	assert_non_null(strstr(out, "\"studentized\": null"));
	free(out);
	mlfy_linfit_release(&fit);

	s.n = 3;
	assert_int_equal(mlfy_linfit(top1, real, 3, &fit, &err), 0);
	out = fit_output(&s, &fit, 0);
	assert_non_null(strstr(out, "n = 3"));
	assert_non_null(strstr(out, "outliers: undefined (externally studentized residuals need "
				    "at least 4 models)"));
	free(out);
	mlfy_linfit_release(&fit);
}

/* The shared data: ImageNetV2 refined labels (label counts 129 / 5,083 /
 * 2,385 / 1,306 / 628 ..., the seed paper's Fig. 3 numbers) and the timm
 * ReaL-vs-top-1 fit. */
static void test_shared_imagenetv2_and_timm(void **state)
{
	char lp[4096], ta[4096], tb[4096], dir[4096], html_path[4096];
	struct mlfy_labels *l;
	struct mlfy_label_counts lc;
	struct mlfy_timm_table a, b;
	struct mlfy_timm_join j;
	struct mlfy_model_scores s;
	struct mlfy_linfit fit;
	struct mlfy_report_input in = { 0 };
	struct mlfy_err err;
	char *html;
	(void)state;
	if (!test_shared(lp, sizeof(lp), "data/imagenetv2/refined_labels.json") ||
	    !test_shared(ta, sizeof(ta), "data/timm/results-imagenet.csv") ||
	    !test_shared(tb, sizeof(tb), "data/timm/results-imagenet-real.csv"))
		skip();
	assert_int_equal(mlfy_labels_load(lp, MLFY_LABELS_AUTO, 1000, &l, &err), 0);
	mlfy_label_counts_init(&lc);
	assert_int_equal(mlfy_label_counts_add_csr(&lc, l->offsets, l->n, &err), 0);
	assert_int_equal(lc.n_images, 10000);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 0), 129);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 1), 5083);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 2), 2385);
	assert_int_equal(mlfy_label_counts_exactly(&lc, 3), 1306);
	assert_int_equal(mlfy_label_counts_at_least(&lc, 4), 1097);
	assert_int_equal(mlfy_timm_read(ta, &a, &err), 0);
	assert_int_equal(mlfy_timm_read(tb, &b, &err), 0);
	assert_int_equal(mlfy_timm_join(&a, &b, MLFY_TIMM_BY_MODEL, &j, &err), 0);
	assert_int_equal(mlfy_model_scores_from_timm(&j, &s, &err), 0);
	assert_int_equal(mlfy_linfit(s.top1, s.real, s.n, &fit, &err), 0);

	test_tmpfile(dir, sizeof(dir), "report-v2");
	in.title = "ImageNetV2";
	in.counts = &lc;
	in.counts_source = "refined_labels.json";
	in.scores = &s;
	in.fit = &fit;
	in.outlier_t = 2;
	in.formats = MLFY_FIG_ALL;
	assert_int_equal(mlfy_report_write(dir, &in, &err), 0);
	check_figure(dir, "label_counts");
	check_figure(dir, "real_vs_top1");
	snprintf(html_path, sizeof(html_path), "%s/index.html", dir);
	html = slurp(html_path);
	assert_non_null(strstr(html, "<td>1</td><td>5,083</td><td>50.83 %</td>"));
	assert_non_null(strstr(html, "<td>0</td><td>129</td><td>1.29 %</td>"));
	assert_non_null(strstr(html, "multi-label (\xE2\x89\xA5 2 labels): 47.88 %; no valid label: 129."));
	assert_non_null(strstr(html, "<td>1,266</td><td>0.8187"));
	assert_non_null(strstr(html, "<td>0.9705</td>"));
	assert_null(strstr(html, "<h2>Accuracy</h2>"));   /* no predictions given */
	free(html);
	mlfy_linfit_release(&fit);
	mlfy_model_scores_release(&s);
	mlfy_timm_join_release(&j);
	mlfy_timm_table_release(&a);
	mlfy_timm_table_release(&b);
	mlfy_label_counts_release(&lc);
	mlfy_labels_free(l);
}

/* `mlfy report PROJECT` through the binary ($MLFY) on a project with final
 * labels and proposals (tests/evaluate/project_fixture.h, with model z). */
static void test_cli_project(void **state)
{
	const char *mlfy = getenv("MLFY");
	char path[4096], dir[4096], cmd[16384], html_path[4096];
	struct mlfy_store *s;
	struct mlfy_err err;
	char *html;
	(void)state;
	if (!mlfy || !*mlfy) {
		fprintf(stderr, "skipping: $MLFY is not set\n");
		skip();
	}
	s = project_fixture(path, sizeof(path), 1);
	mlfy_store_close(s);

	test_tmpfile(dir, sizeof(dir), "report-project");
	snprintf(cmd, sizeof(cmd), "'%s' report '%s' --out '%s' --proposals 3 --formats png,svg "
				   "> /dev/null 2>&1", mlfy, path, dir);
	assert_int_equal(system(cmd), 0);
	assert_true(exists(dir, "label_counts.png") && exists(dir, "label_counts.svg"));
	assert_false(exists(dir, "label_counts.pdf"));   /* --formats png,svg */
	assert_true(exists(dir, "proposal_coverage.png"));
	snprintf(html_path, sizeof(html_path), "%s/index.html", dir);
	html = slurp(html_path);
	/* 4 decided images: 0 labels 1, 1 label 1, 2 labels 2 */
	assert_non_null(strstr(html, "<td>2</td><td>2</td><td>50.00 %</td>"));
	/* coverage: 4 of 5 labels within the top-3 */
	assert_non_null(strstr(html, "outside the top-3: 20.00 %"));
	free(html);
	/* `mlfy stats PROJECT` prints the same coverage (K = 20 of which the
	 * fixture stores 3): top-1 2/5, top-2 3/5, top-3 and beyond 4/5 */
	snprintf(html_path, sizeof(html_path), "%s/stats.txt", dir);
	snprintf(cmd, sizeof(cmd), "'%s' stats '%s' > '%s' 2>&1", mlfy, path, html_path);
	assert_int_equal(system(cmd), 0);
	html = slurp(html_path);
	assert_non_null(strstr(html, "final labels among the top-k proposals of 'm'"));
	assert_non_null(strstr(html, "all final labels               40.0 %   60.0 %   80.0 %   80.0 %"));
	assert_non_null(strstr(html, "outside the top-20 (added through the class search): 20.00 %"));
	free(html);
	/* and in --json (it had no coverage) */
	snprintf(cmd, sizeof(cmd), "'%s' stats --json '%s' > '%s' 2>&1", mlfy, path, html_path);
	assert_int_equal(system(cmd), 0);
	html = slurp(html_path);
	assert_non_null(strstr(html, "\"proposal_coverage\": {"));
	assert_non_null(strstr(html, "\"model\": \"m\""));
	assert_non_null(strstr(html, "\"k\": 1,\n        \"labels\": 40.0,"));
	assert_non_null(strstr(html, "\"outside_percent\": 20.0"));
	free(html);
	/* stage (i): z predicts every decided set (ReaL 3/3), m does not
	 * (ReaL 1/3); --activate makes z the active proposal model */
	{
		char pz[4096], pm[4096];
		struct mlfy_model act = { 0 };
		test_tmpfile(pz, sizeof(pz), "z.txt");
		test_tmpfile(pm, sizeof(pm), "m.txt");
		write_file(pz, "0\n5\n2\n7\n9\n");
		write_file(pm, "0\n2\n2\n7\n8\n");
		assert_int_equal(mlfy_store_open(path, MLFY_STORE_READONLY, &s, &err), 0);
		assert_int_equal(mlfy_models_active(s, &act, &err), 0);
		assert_string_equal(act.name, "m");
		mlfy_model_release(&act);
		mlfy_store_close(s);
		snprintf(cmd, sizeof(cmd), "'%s' select-model --project '%s' --predictions m='%s' "
					   "--predictions z='%s' --activate > /dev/null 2>&1",
			 mlfy, path, pm, pz);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(mlfy_store_open(path, MLFY_STORE_READONLY, &s, &err), 0);
		assert_int_equal(mlfy_models_active(s, &act, &err), 0);
		assert_string_equal(act.name, "z");
		mlfy_model_release(&act);
		mlfy_store_close(s);
	}
	/* the zero-label review of image c (empty set) by an expert appears
	 * as bars and a table */
	snprintf(cmd, sizeof(cmd), "'%s' user add '%s' ex --role expert --no-password > /dev/null 2>&1 && "
				   "'%s' zero-review '%s' c.jpg --expert ex --category fine_grained "
				   "--verdict disagree > /dev/null 2>&1 && "
				   "'%s' report '%s' --out '%s' --formats png > /dev/null 2>&1",
		 mlfy, path, mlfy, path, mlfy, path, dir);
	assert_int_equal(system(cmd), 0);
	assert_true(exists(dir, "zero_label_review.png"));
	snprintf(html_path, sizeof(html_path), "%s/index.html", dir);
	html = slurp(html_path);
	/* the words are the library's (store/zero_label.h), as on every page */
	assert_non_null(strstr(html, "<td>fine-grained, needs an expert</td><td>1</td><td>100.00 %</td>"));
	assert_non_null(strstr(html, "Reviewed: 1; awaiting review: 0. The expert's verdict on the "
				     "original label: correct (agree) 0, wrong (disagree) 1, unsure 0."));
	free(html);
	/* a bad --formats and a missing --out are usage errors (exit 2) */
	snprintf(cmd, sizeof(cmd), "'%s' report '%s' --out '%s' --formats gif > /dev/null 2>&1",
		 mlfy, path, dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
	snprintf(cmd, sizeof(cmd), "'%s' report '%s' > /dev/null 2>&1", mlfy, path);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_parts_synthetic),
		cmocka_unit_test(test_fit_output_edges),
		cmocka_unit_test(test_shared_imagenetv2_and_timm),
		cmocka_unit_test(test_cli_project),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mlfy_plot_shutdown();
	return rc;
}
