/* test_quality_report.c - the report's "Quality of human work" section
 * (src/report/quality_report.c, quality_figures.c): a small simulated
 * crowd (100 images, 4 annotators, one of them a speeder) answers gold and
 * ordinary tasks through the real save path (a reduced copy of
 * tests/review/test_quality.c's simulation); the section must show the
 * forest plot (a valid PNG of the expected size), the tables and the flag,
 * the anchoring table only once an expert refined blind; a project
 * without annotations says so and writes no figure; people's names and
 * flag reasons are HTML-escaped; `mlfy report PROJECT` writes it. */
#include <arpa/inet.h>
#include <gsl/gsl_rng.h>
#include <sys/stat.h>

#include "store/people_fixture.h"
#include "report/plot.h"
#include "report/report.h"
#include "review/analyze.h"
#include "review/anchoring.h"
#include "review/gold.h"
#include "review/quality.h"
#include "review/refine.h"
#include "review/review_tx.h"
#include "store/arms.h"
#include "store/gold.h"

#define NC 20         /* classes */
#define NI 100        /* images, 4 batches of 25 */
#define K 10          /* proposals shown */

/* The simulated truth of image id: the fixture proposes class (id-1+r) % NC
 * at rank r; a third of the images have two objects (ranks 0 and 1), the
 * rest the top-1 alone. */
static size_t truth_of(int64_t id, int32_t t[2])
{
	int32_t r0 = (int32_t)((id - 1) % NC), r1 = (int32_t)(id % NC);
	t[1] = -1;
	if (id % 3 == 1) {
		t[0] = r0 < r1 ? r0 : r1;
		t[1] = r0 < r1 ? r1 : r0;
		return 2;
	}
	t[0] = r0;
	return 1;
}

struct sim {
	const char *name;
	double sens, spec, secs;
};

static const struct sim crowd[] = {
	{ "ann1", 0.97, 0.998, 20 },
	{ "ann2", 0.90, 0.995, 24 },
	{ "ann3", 0.93, 0.998, 18 },
	{ "speedy", 0.80, 0.990, 3 },
};
#define NCROWD (sizeof(crowd) / sizeof(crowd[0]))

static struct mlfy_store *crowd_project(char *path, size_t n, int64_t *ids)
{
	static const struct fixture_spec spec = { NC, NI, 25, K, 0, NULL, 0, NULL, 0 };
	struct mlfy_store *s = NULL;
	struct mlfy_assign_report rep;
	struct mlfy_err err;
	size_t i;

	test_tmpfile(path, n, "crowd.mlfy");
	assert_int_equal(fixture_project(path, &spec), 0);
	assert_int_equal(mlfy_store_open(path, 0, &s, &err), 0);
	for (i = 0; i < NCROWD; i++)
		ids[i] = add_user(s, crowd[i].name, MLFY_ROLE_ANNOTATOR, NULL);
	assert_int_equal(mlfy_store_begin(s, &err), 0);
	for (i = 3; i <= NI; i += 3) {   /* every 3rd image is gold */
		int32_t t[2];
		size_t nt = truth_of((int64_t)i, t);
		assert_int_equal(mlfy_gold_put(s, (int64_t)i, t, nt, "simulated", 0, NULL, &err), 0);
	}
	assert_int_equal(mlfy_store_commit(s, &err), 0);
	assert_int_equal(mlfy_assign_batches(s, 2, NULL, 0, &rep, &err), 0);
	mlfy_assign_report_release(&rep);
	return s;
}

/* Every annotator answers every task of their queue, as the page would. */
static void everyone_answers(struct mlfy_store *s, const int64_t *ids, gsl_rng *rng)
{
	size_t i, j, r;
	for (i = 0; i < NCROWD; i++) {
		struct mlfy_task_list tl;
		struct mlfy_err err;
		assert_int_equal(mlfy_tasks_list(s, ids[i], MLFY_STAGE_ANNOTATE, &tl, &err), 0);
		for (j = 0; j < tl.n; j++) {
			struct mlfy_label_choice l[K];
			struct mlfy_annotation_save in;
			int64_t id = tl.image_ids[j], v = 0;
			int32_t t[2];
			size_t nt = truth_of(id, t), nl = 0;
			for (r = 0; r < K; r++) {
				int32_t cls = (int32_t)((id - 1 + (int64_t)r) % NC);
				int valid = cls == t[0] || (nt == 2 && cls == t[1]);
				if (gsl_rng_uniform(rng) < (valid ? crowd[i].sens : 1 - crowd[i].spec)) {
					l[nl].class_idx = cls;
					l[nl++].source = MLFY_SOURCE_PROPOSAL;
				}
			}
			memset(&in, 0, sizeof(in));
			in.image_id = id;
			in.annotator_id = ids[i];
			in.stage = MLFY_STAGE_ANNOTATE;
			in.labels = l;
			in.n_labels = nl;
			in.seconds = crowd[i].secs * (0.7 + 0.6 * gsl_rng_uniform(rng));
			if (i == 1 && j % 10 == 0)
				in.unsure = 2;   /* too_small_or_blurred */
			if (nt == 2)
				in.tags = 1u;    /* multiple_objects */
			if (mlfy_annotations_save(s, &in, &v, &err))
				fail_msg("save of image %lld by %s: %s", (long long)id, crowd[i].name, err.msg);
		}
		mlfy_task_list_release(&tl);
	}
}

/* Sends the images waiting for an expert to exp (who was added), draws
 * half of them blind and refines them all. */
static void expert_refines(struct mlfy_store *s, int64_t exp, gsl_rng *rng)
{
	static const char *const experts[] = { "exp1" };
	struct mlfy_analyze_opts ao;
	struct mlfy_analysis an;
	struct mlfy_arms_drawn d;
	struct mlfy_expert_load *load = NULL;
	struct mlfy_task_list tl;
	struct mlfy_err err;
	size_t n_load = 0, j, r, i;

	memset(&ao, 0, sizeof(ao));
	assert_int_equal(mlfy_rule_parse("paper", &ao.rule, &err), 0);
	ao.top = 10;
	ao.max_missing = 20;
	assert_int_equal(mlfy_analyze(s, &ao, &an, &err), 0);
	assert_true(an.refine > 10);
	mlfy_analysis_release(&an);
	assert_int_equal(mlfy_queue_assign_experts(s, experts, 1, &load, &n_load, &err), 0);
	mlfy_expert_loads_free(load, n_load);
	assert_int_equal(mlfy_arms_draw(s, 0.5, 1.0, 5, &d, &err), 0);
	assert_true(d.blind > 0 && d.shown > 0);
	assert_int_equal(mlfy_tasks_list(s, exp, MLFY_STAGE_REFINE, &tl, &err), 0);
	for (j = 0; j < tl.n; j++) {
		struct mlfy_label_choice l[K];
		struct mlfy_refine_shown sh;
		struct mlfy_annotation_save in;
		int64_t id = tl.image_ids[j], v = 0;
		int32_t t[2];
		size_t nt = truth_of(id, t), nl = 0;
		assert_int_equal(mlfy_refine_shown_get(s, id, &sh, &err), 0);
		for (r = 0; r < K; r++) {
			int32_t cls = (int32_t)((id - 1 + (int64_t)r) % NC);
			int valid = cls == t[0] || (nt == 2 && cls == t[1]), pre = 0;
			for (i = 0; i < sh.n_prefill; i++)
				pre |= sh.prefill[i] == cls;
			if (pre ? gsl_rng_uniform(rng) < 0.9 : valid && gsl_rng_uniform(rng) < 0.9) {
				l[nl].class_idx = cls;
				l[nl++].source = pre ? MLFY_SOURCE_PREFILL : MLFY_SOURCE_PROPOSAL;
			}
		}
		memset(&in, 0, sizeof(in));
		in.image_id = id;
		in.annotator_id = exp;
		in.stage = MLFY_STAGE_REFINE;
		in.labels = l;
		in.n_labels = nl;
		in.comment = "simulated";
		in.seconds = sh.arm == MLFY_ARM_SHOWN ? 20 + 10 * gsl_rng_uniform(rng) : 40 + 10 * gsl_rng_uniform(rng);
		mlfy_refine_shown_release(&sh);
		if (mlfy_annotations_save(s, &in, &v, &err))
			fail_msg("refinement of image %lld: %s", (long long)id, err.msg);
	}
	mlfy_task_list_release(&tl);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;
	if (!f)
		fail_msg("cannot open %s", path);
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

static int exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* dir/name.png is a PNG (signature, IHDR) of width x height pixels. */
static void check_png(const char *dir, const char *name, uint32_t width, uint32_t height)
{
	unsigned char head[24];
	uint32_t w, h;
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s.png", dir, name);
	if (!(f = fopen(path, "rb")))
		fail_msg("missing %s", path);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	assert_memory_equal(head, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(head + 12, "IHDR", 4);
	memcpy(&w, head + 16, 4);
	memcpy(&h, head + 20, 4);
	if (ntohl(w) != width || ntohl(h) != height)
		fail_msg("%s: %u x %u pixels, expected %u x %u", path, ntohl(w), ntohl(h), width, height);
}

/* Writes a report of only q (and a) into a new directory dir; returns index.html. */
static char *write_report(char *dir, size_t n, const char *tag, const struct mlfy_quality *q,
			  const struct mlfy_anchoring *a)
{
	struct mlfy_report_input in;
	struct mlfy_err err;
	char path[4200];

	test_tmpfile(dir, n, tag);
	memset(&in, 0, sizeof(in));
	in.title = "quality";
	in.quality = q;
	in.anchoring = a;
	in.formats = MLFY_FIG_ALL;
	if (mlfy_report_write(dir, &in, &err))
		fail_msg("report: %s", err.msg);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	return slurp(path);
}

/* Figure height in pixels for n people: quality_figures.c's layout (52 pt
 * above the rows, 30 pt a row, 44 pt below) at 2 px per point. */
#define FIG_PX_W 1280u
#define FIG_PX_H(n) ((uint32_t)(2 * (52 + 30 * (n) + 44)))

static void section_from_simulated_crowd(void **state)
{
	char path[4096], dir[4096];
	int64_t ids[NCROWD], exp;
	struct mlfy_store *s;
	struct mlfy_gold_placed *placed = NULL;
	struct mlfy_quality q;
	struct mlfy_anchoring a;
	struct mlfy_err err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t n_placed = 0;
	char *html;
	(void)state;

	gsl_rng_set(rng, 17);
	s = crowd_project(path, sizeof(path), ids);
	{
		struct mlfy_gold_opts go = { 0, 3, 0.2, 7, 0 };
		assert_int_equal(mlfy_gold_assign(s, &go, NULL, 0, NULL, &placed, &n_placed, &err), 0);
	}
	mlfy_gold_placed_free(placed, n_placed);
	everyone_answers(s, ids, rng);
	assert_int_equal(mlfy_quality_compute(s, NULL, &q, &err), 0);
	assert_int_equal(mlfy_anchoring_compute(s, &a, &err), 0);
	assert_int_equal(q.n_people, NCROWD);
	assert_int_equal(a.arm[1].n, 0);

	html = write_report(dir, sizeof(dir), "quality-report", &q, &a);
	assert_non_null(strstr(html, "<h2>Quality of human work</h2>"));
	/* the forest plot and the seconds figure, in every format */
	assert_non_null(strstr(html, "<img src=\"quality_accuracy.svg\""));
	assert_non_null(strstr(html, "<img src=\"quality_seconds.svg\""));
	check_png(dir, "quality_accuracy", FIG_PX_W, FIG_PX_H(NCROWD));
	check_png(dir, "quality_seconds", FIG_PX_W, FIG_PX_H(NCROWD));
	assert_true(exists(dir, "quality_accuracy.pdf") && exists(dir, "quality_accuracy.svg"));
	/* every person in the tables, the speeder flagged with its reason */
	assert_non_null(strstr(html, "<tr><td>ann1</td><td class=l>annotator</td>"));
	assert_non_null(strstr(html, "<tr><td>speedy</td><td class=l>speeder</td><td class=l>median"));
	assert_non_null(strstr(html, "below a third"));
	/* intervals with their counts, the table headings the issue names */
	assert_non_null(strstr(html, "<th>gold exact</th>"));
	assert_non_null(strstr(html, "<th>Dawid\xE2\x80\x93Skene specificity</th>"));
	assert_non_null(strstr(html, "<th>queue done/total</th>"));
	assert_non_null(strstr(html, "<th>projected finish</th>"));
	assert_non_null(strstr(html, "<th>cannot tell the objects apart</th>") ||
			strstr(html, mlfy_unsure_label(0)));
	assert_non_null(strstr(html, mlfy_tag_label(0)));
	/* no blind refinement yet: the experiment was not run */
	assert_non_null(strstr(html, "The anchoring experiment was not run"));
	assert_non_null(strstr(html, "mlfy assign-refinement --blind-share"));
	assert_null(strstr(html, "<th>shown</th><th>blind</th>"));
	free(html);
	mlfy_quality_release(&q);

	/* an expert refines, half of the images blind: the arms appear */
	exp = add_user(s, "exp1", MLFY_ROLE_EXPERT, NULL);
	expert_refines(s, exp, rng);
	assert_int_equal(mlfy_quality_compute(s, NULL, &q, &err), 0);
	assert_int_equal(mlfy_anchoring_compute(s, &a, &err), 0);
	assert_true(a.arm[0].n > 0 && a.arm[1].n > 0);
	html = write_report(dir, sizeof(dir), "quality-report-arms", &q, &a);
	assert_non_null(strstr(html, "<h3>Anchoring experiment</h3>"));
	assert_non_null(strstr(html, "<th>shown</th><th>blind</th><th>p</th>"));
	assert_non_null(strstr(html, "<td>planted wrong labels accepted</td>"));
	assert_null(strstr(html, "was not run"));
	assert_non_null(strstr(html, "<tr><td>exp1</td><td class=l>expert</td>"));
	check_png(dir, "quality_accuracy", FIG_PX_W, FIG_PX_H(NCROWD + 1));
	free(html);
	/* without the arms (a NULL) nothing is said about the experiment */
	html = write_report(dir, sizeof(dir), "quality-report-noarms", &q, NULL);
	assert_null(strstr(html, "Anchoring experiment"));
	free(html);
	mlfy_quality_release(&q);
	mlfy_store_close(s);
	gsl_rng_free(rng);
}

/* Tasks assigned, nothing answered: a sentence, no figure. */
static void section_without_annotations(void **state)
{
	char path[4096], dir[4096];
	int64_t ids[NCROWD];
	struct mlfy_store *s = crowd_project(path, sizeof(path), ids);
	struct mlfy_quality q;
	struct mlfy_anchoring a;
	struct mlfy_err err;
	char *html;
	(void)state;

	assert_int_equal(mlfy_quality_compute(s, NULL, &q, &err), 0);
	assert_int_equal(mlfy_anchoring_compute(s, &a, &err), 0);
	html = write_report(dir, sizeof(dir), "quality-empty", &q, &a);
	assert_non_null(strstr(html, "<h2>Quality of human work</h2>"));
	assert_non_null(strstr(html, "No annotations yet"));
	assert_non_null(strstr(html, "200 stage-ii tasks are assigned"));   /* 100 images x 2 */
	assert_null(strstr(html, "quality_accuracy"));
	assert_false(exists(dir, "quality_accuracy.png"));
	assert_false(exists(dir, "quality_seconds.png"));
	free(html);
	mlfy_quality_release(&q);
	mlfy_store_close(s);
}

/* Strings that come from people are escaped.  The account rule
 * (store/accounts.c: letters, digits, '.', '_', '-') keeps '<' out of
 * names today; the report must not rely on it, so the quality figures are
 * made by hand here, with a name and a flag reason full of markup. */
static void strings_escaped(void **state)
{
	static const char evil[] = "<script>alert(1)</script>&\"x\"";
	struct mlfy_person_quality p[2];
	struct mlfy_quality q;
	char dir[4096];
	char *html;
	(void)state;

	memset(&q, 0, sizeof(q));
	memset(p, 0, sizeof(p));
	p[0].name = (char *)evil;
	snprintf(p[0].role, sizeof(p[0].role), "annotator");
	p[0].answers = 10;
	mlfy_proportion(7, 10, MLFY_Z95, &p[0].gold.exact);
	mlfy_proportion(9, 10, MLFY_Z95, &p[0].final.exact);
	p[0].flags = MLFY_FLAG_LOW_ACCURACY;
	snprintf(p[0].reason[0], sizeof(p[0].reason[0]), "accuracy <b>0.70</b> & below");
	p[0].time.n = 10;
	p[0].time.median = 12;
	p[0].time.q1 = 9;
	p[0].time.q3 = 15;
	p[1].name = (char *)"no-gold";
	snprintf(p[1].role, sizeof(p[1].role), "expert");
	p[1].refinements = 3;
	q.people = p;
	q.n_people = 2;
	q.min_accuracy = 0.8;
	q.team_median_seconds = 12;
	html = write_report(dir, sizeof(dir), "quality-escaped", &q, NULL);
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>0.70"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;x&quot;"));
	assert_non_null(strstr(html, "accuracy &lt;b&gt;0.70&lt;/b&gt; &amp; below"));
	/* a person without gold answers is drawn as such (PNG of 2 rows) */
	check_png(dir, "quality_accuracy", FIG_PX_W, FIG_PX_H(2));
	free(html);
}

/* `mlfy report PROJECT` computes the section itself. */
static void cli_report_has_section(void **state)
{
	const char *mlfy = getenv("MLFY");
	char path[4096], dir[4096], cmd[16384], html_path[4200];
	int64_t ids[NCROWD];
	struct mlfy_store *s;
	gsl_rng *rng;
	char *html;
	(void)state;
	if (!mlfy || !*mlfy) {
		fprintf(stderr, "skipping: $MLFY is not set\n");
		skip();
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, 3);
	s = crowd_project(path, sizeof(path), ids);
	everyone_answers(s, ids, rng);
	mlfy_store_close(s);
	gsl_rng_free(rng);
	test_tmpfile(dir, sizeof(dir), "quality-cli");
	snprintf(cmd, sizeof(cmd), "'%s' report '%s' --out '%s' --formats png,svg > /dev/null", mlfy, path, dir);
	assert_int_equal(system(cmd), 0);
	check_png(dir, "quality_accuracy", FIG_PX_W, FIG_PX_H(NCROWD));
	assert_true(exists(dir, "quality_seconds.png"));
	snprintf(html_path, sizeof(html_path), "%s/index.html", dir);
	html = slurp(html_path);
	assert_non_null(strstr(html, "<h2>Quality of human work</h2>"));
	assert_non_null(strstr(html, "<tr><td>speedy</td>"));
	assert_non_null(strstr(html, "The anchoring experiment was not run"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(section_from_simulated_crowd),
		cmocka_unit_test(section_without_annotations),
		cmocka_unit_test(strings_escaped),
		cmocka_unit_test(cli_report_has_section),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mlfy_plot_shutdown();
	return rc;
}
