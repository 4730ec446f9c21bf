/* tables.c - evaluation results, fits and rankings as text, CSV and JSON
 * (see tables.h).  Writes to a caller's stream; computes nothing new. */
#include "report/tables.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/numfmt.h"

static int io_status(FILE *f, struct mlfy_err *err)
{
	if (ferror(f))
		return mlfy_err_set(err, MLFY_EIO, "write error");
	return 0;
}

/* "76.13 %" or "-" */
static const char *pct(char *buf, size_t n, double p)
{
	return mlfy_fmt_pct(buf, n, p, 2, 1);
}

static int name_width(const struct mlfy_eval_results *r)
{
	size_t i, w = 5;
	for (i = 0; i < r->n_models; i++)
		if (strlen(r->models[i].model) > w)
			w = strlen(r->models[i].model);
	return (int)(w > 48 ? 48 : w);
}

/* Buckets worth a row: those with images, and always 1..max_count. */
static int bucket_shown(const struct mlfy_eval_results *r, int b)
{
	size_t i;
	if (b >= 1 && b <= r->max_count)
		return 1;
	for (i = 0; i < r->n_models; i++)
		if (r->models[i].acc.count_all[b] || r->models[i].acc.count_n[b])
			return 1;
	return 0;
}

int mlfy_results_write_table(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err)
{
	char a[32], b[32], c[32], d[32], e[32], name[16];
	int w = name_width(r), bk;
	size_t i;

	fprintf(f, "Evaluation set: %s\n", r->labels);
	fprintf(f, "  images: %s", mlfy_fmt_count(a, sizeof(a), r->n_images));
	fprintf(f, "; empty label sets (left out of ReaL accuracy): %s",
		mlfy_fmt_count(b, sizeof(b), r->n_empty));
	if (r->n_undecided)
		fprintf(f, "; not yet decided: %s", mlfy_fmt_count(c, sizeof(c), r->n_undecided));
	if (r->n_no_original)
		fprintf(f, "; without an original label (left out of top-1): %s",
			mlfy_fmt_count(d, sizeof(d), r->n_no_original));
	fputs("\n\n", f);

	fprintf(f, "%-*s  %10s  %-19s  %10s  %s\n", w, "model", "images", "top-1 accuracy",
		"ReaL n", "ReaL accuracy");
	for (i = 0; i < r->n_models; i++) {
		const struct mlfy_model_result *m = &r->models[i];
		struct mlfy_proportion t, q;
		char ts[48], qs[48];
		mlfy_eval_top1(m, &t);
		mlfy_eval_real(m, &q);
		snprintf(ts, sizeof(ts), "%s \xC2\xB1 %.2f", pct(a, sizeof(a), t.p), 100 * t.moe);
		snprintf(qs, sizeof(qs), "%s \xC2\xB1 %.2f", pct(b, sizeof(b), q.p), 100 * q.moe);
		fprintf(f, "%-*.*s  %10s  %-20s  %10s  %s\n", w, w, m->model,
			mlfy_fmt_count(c, sizeof(c), t.n), t.n ? ts : "-",
			mlfy_fmt_count(d, sizeof(d), q.n), q.n ? qs : "-");
	}

	fprintf(f, "\nTop-1 accuracy by label count (E = 1.96 sqrt(p(1-p)/n); Wilson 95 %% score "
		   "interval; ReaL accuracy of the same images)\n");
	fprintf(f, "%-*s  %6s  %10s  %9s  %6s  %-17s  %9s\n", w, "model", "labels", "images",
		"top-1", "E", "Wilson 95 %", "ReaL");
	for (i = 0; i < r->n_models; i++) {
		const struct mlfy_model_result *m = &r->models[i];
		int first = 1;
		for (bk = 0; bk <= r->max_count + 1; bk++) {
			struct mlfy_proportion t, q;
			char wi[48];
			if (!bucket_shown(r, bk))
				continue;
			mlfy_eval_bucket(m, bk, &t, &q);
			if (t.n)
				snprintf(wi, sizeof(wi), "[%.2f, %.2f]", 100 * t.lo, 100 * t.hi);
			else
				snprintf(wi, sizeof(wi), "-");
			snprintf(e, sizeof(e), "%.2f", 100 * t.moe);
			fprintf(f, "%-*.*s  %6s  %10s  %9s  %6s  %-17s  %9s\n", w, w,
				first ? m->model : "", mlfy_eval_bucket_name(bk, r->max_count, name,
									    sizeof(name)),
				mlfy_fmt_count(a, sizeof(a), t.n), pct(b, sizeof(b), t.p),
				t.n ? e : "-", wi, pct(c, sizeof(c), q.p));
			first = 0;
		}
	}
	return io_status(f, err);
}

/* CSV number: empty when undefined */
static void csv_num(FILE *f, double v, double scale)
{
	if (isnan(v))
		fputs(",", f);
	else
		fprintf(f, ",%.4f", scale * v);
}

static void csv_prop(FILE *f, const struct mlfy_proportion *p, int with_counts)
{
	if (with_counts)
		fprintf(f, ",%zu,%zu", p->n, p->k);
	csv_num(f, p->p, 100);
	csv_num(f, p->moe, 100);
	csv_num(f, p->lo, 100);
	csv_num(f, p->hi, 100);
}

int mlfy_results_write_csv(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err)
{
	size_t i;
	int bk;
	char name[16];

	fputs("model,label_count,images,top1_correct,top1,top1_moe,top1_wilson_lo,top1_wilson_hi,"
	      "real_images,real_correct,real_accuracy,real_moe,real_wilson_lo,real_wilson_hi\n",
	      f);
	for (i = 0; i < r->n_models; i++) {
		const struct mlfy_model_result *m = &r->models[i];
		struct mlfy_proportion t, q;
		mlfy_eval_top1(m, &t);
		mlfy_eval_real(m, &q);
		mlfy_csv_write_text(f, m->model);
		fputs(",all", f);
		csv_prop(f, &t, 1);
		csv_prop(f, &q, 1);
		fputc('\n', f);
		for (bk = 0; bk <= r->max_count + 1; bk++) {
			if (!bucket_shown(r, bk))
				continue;
			mlfy_eval_bucket(m, bk, &t, &q);
			mlfy_csv_write_text(f, m->model);
			fprintf(f, ",%s", mlfy_eval_bucket_name(bk, r->max_count, name, sizeof(name)));
			csv_prop(f, &t, 1);
			csv_prop(f, &q, 1);
			fputc('\n', f);
		}
	}
	return io_status(f, err);
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();   /* JSON has no NaN or infinity */
}

static json_t *jprop(const struct mlfy_proportion *p)
{
	/* percentages rounded to 1e-4 so that output is stable across platforms */
#define R4(x) (isnan(x) ? (x) : round((x) * 1e6) / 1e4)
	json_t *o = json_object();
	json_object_set_new(o, "correct", json_integer((json_int_t)p->k));
	json_object_set_new(o, "images", json_integer((json_int_t)p->n));
	json_object_set_new(o, "accuracy", jnum(R4(p->p)));
	json_object_set_new(o, "moe", jnum(R4(p->moe)));
	json_object_set_new(o, "wilson", json_pack("[o,o]", jnum(R4(p->lo)), jnum(R4(p->hi))));
#undef R4
	return o;
}

int mlfy_results_write_json(FILE *f, const struct mlfy_eval_results *r, struct mlfy_err *err)
{
	json_t *root = json_object(), *models = json_array();
	size_t i;
	int bk, rc;
	char name[16];

	json_object_set_new(root, "labels", json_string(r->labels));
	json_object_set_new(root, "images", json_integer((json_int_t)r->n_images));
	json_object_set_new(root, "empty_sets", json_integer((json_int_t)r->n_empty));
	json_object_set_new(root, "undecided", json_integer((json_int_t)r->n_undecided));
	json_object_set_new(root, "no_original", json_integer((json_int_t)r->n_no_original));
	json_object_set_new(root, "max_count", json_integer(r->max_count));
	json_object_set_new(root, "z", json_real(MLFY_Z95));
	for (i = 0; i < r->n_models; i++) {
		const struct mlfy_model_result *m = &r->models[i];
		struct mlfy_proportion t, q;
		json_t *o = json_object(), *by = json_array();
		mlfy_eval_top1(m, &t);
		mlfy_eval_real(m, &q);
		json_object_set_new(o, "model", json_string(m->model));
		json_object_set_new(o, "predictions", json_string(m->source));
		json_object_set_new(o, "classes", json_integer(m->n_classes));
		json_object_set_new(o, "top1", jprop(&t));
		json_object_set_new(o, "real", jprop(&q));
		for (bk = 0; bk <= r->max_count + 1; bk++) {
			json_t *b;
			if (!bucket_shown(r, bk))
				continue;
			mlfy_eval_bucket(m, bk, &t, &q);
			b = json_object();
			json_object_set_new(b, "label_count",
					    json_string(mlfy_eval_bucket_name(bk, r->max_count, name,
									      sizeof(name))));
			json_object_set_new(b, "top1", jprop(&t));
			json_object_set_new(b, "real", jprop(&q));
			json_array_append_new(by, b);
		}
		json_object_set_new(o, "by_label_count", by);
		json_array_append_new(models, o);
	}
	json_object_set_new(root, "models", models);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	fputc('\n', f);
	if (rc)
		return mlfy_err_set(err, MLFY_EIO, "write error");
	return io_status(f, err);
}

int mlfy_fit_write(FILE *f, const struct mlfy_model_scores *s, const struct mlfy_linfit *fit,
		   double outlier_t, int json, struct mlfy_err *err)
{
	size_t n_out = mlfy_linfit_outliers(fit, outlier_t, NULL, 0), i;
	size_t *idx = malloc((n_out ? n_out : 1) * sizeof(size_t));
	char a[32];

	if (!idx)
		return mlfy_err_oom(err);
	mlfy_linfit_outliers(fit, outlier_t, idx, n_out);
	if (json) {
		json_t *root = json_object(), *outl = json_array();
		int rc;
		json_object_set_new(root, "source", json_string(s->source));
		json_object_set_new(root, "n", json_integer((json_int_t)fit->n));
		json_object_set_new(root, "slope", json_real(fit->slope));
		json_object_set_new(root, "slope_se", json_real(fit->se_slope));
		json_object_set_new(root, "intercept", json_real(fit->intercept));
		json_object_set_new(root, "intercept_se", json_real(fit->se_intercept));
		json_object_set_new(root, "r2", json_real(fit->r2));
		json_object_set_new(root, "residual_sd", json_real(fit->resid_sd));
		json_object_set_new(root, "outlier_threshold", json_real(outlier_t));
		for (i = 0; i < n_out; i++) {
			size_t k = idx[i];
			/* studentized is null when infinite (the other models lie
			 * exactly on a line); the entry is kept */
			json_array_append_new(outl, json_pack("{s:s,s:f,s:f,s:f,s:o}", "model",
							      s->model[k], "top1", s->top1[k],
							      "real", s->real[k], "residual",
							      fit->residual[k], "studentized",
							      jnum(fit->studentized[k])));
		}
		json_object_set_new(root, "outliers", outl);
		rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(root);
		fputc('\n', f);
		free(idx);
		if (rc)
			return mlfy_err_set(err, MLFY_EIO, "write error");
		return io_status(f, err);
	}
	fprintf(f, "Least-squares fit of ReaL accuracy on top-1 accuracy (%s)\n", s->source);
	fprintf(f, "  ReaL = %.4f (\xC2\xB1 %.4f) \xC3\x97 top-1 %s %.4f (\xC2\xB1 %.4f)\n",
		fit->slope, fit->se_slope, fit->intercept < 0 ? "-" : "+", fabs(fit->intercept),
		fit->se_intercept);
	fprintf(f, "  n = %s, R\xC2\xB2 = %.4f, residual SD = %.4f points\n",
		mlfy_fmt_count(a, sizeof(a), fit->n), fit->r2, fit->resid_sd);
	if (fit->n < 4)
		fprintf(f, "  outliers: undefined (externally studentized residuals need at least "
			   "4 models)\n");
	else
		fprintf(f, "  outliers (|externally studentized residual| > %g): %zu\n", outlier_t,
			n_out);
	if (n_out) {
		int w = 5;
		for (i = 0; i < n_out; i++)
			if ((int)strlen(s->model[idx[i]]) > w)
				w = (int)strlen(s->model[idx[i]]);
		if (w > 60)
			w = 60;
		fprintf(f, "  %-*s  %8s  %8s  %9s  %11s\n", w, "model", "top-1", "ReaL", "residual",
			"studentized");
		for (i = 0; i < n_out; i++) {
			size_t k = idx[i];
			fprintf(f, "  %-*.*s  %8.3f  %8.3f  %+9.3f  %+11.2f\n", w, w, s->model[k],
				s->top1[k], s->real[k], fit->residual[k], fit->studentized[k]);
		}
	}
	free(idx);
	return io_status(f, err);
}

int mlfy_rank_write(FILE *f, const struct mlfy_model_scores *s, const size_t *order,
		    size_t top, int json, struct mlfy_err *err)
{
	size_t i, n = top && top < s->n ? top : s->n;
	if (json) {
		json_t *arr = json_array();
		int rc;
		for (i = 0; i < n; i++) {
			size_t k = order[i];
			json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:o}", "rank",
							     (json_int_t)i + 1, "model", s->model[k],
							     "real", jnum(s->real[k]), "top1",
							     jnum(s->top1[k])));
		}
		rc = json_dumpf(arr, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(arr);
		fputc('\n', f);
		if (rc)
			return mlfy_err_set(err, MLFY_EIO, "write error");
		return io_status(f, err);
	}
	{
		int w = 5;
		char a[32], b[32];
		for (i = 0; i < n; i++)
			if ((int)strlen(s->model[order[i]]) > w)
				w = (int)strlen(s->model[order[i]]);
		if (w > 60)
			w = 60;
		fprintf(f, "%4s  %-*s  %9s  %9s\n", "rank", w, "model", "ReaL", "top-1");
		for (i = 0; i < n; i++) {
			size_t k = order[i];
			fprintf(f, "%4zu  %-*.*s  %9s  %9s\n", i + 1, w, w, s->model[k],
				mlfy_fmt_pct(a, sizeof(a), s->real[k] / 100, 2, 1),
				mlfy_fmt_pct(b, sizeof(b), s->top1[k] / 100, 2, 1));
		}
	}
	return io_status(f, err);
}
