/* scores.c - per-model summary scores from runs, timm joins and results
 * files (see scores.h). */
#include "evaluate/scores.h"
#include "util/vec.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

void mlfy_model_scores_release(struct mlfy_model_scores *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->model[i]);
	MLFY_FREE_ALL(s->model, s->top1, s->real, s->source);
	memset(s, 0, sizeof(*s));
}

static int alloc_scores(struct mlfy_model_scores *s, size_t n, const char *source,
			struct mlfy_err *err)
{
	memset(s, 0, sizeof(*s));
	s->model = calloc(n ? n : 1, sizeof(char *));
	s->top1 = malloc((n ? n : 1) * sizeof(double));
	s->real = malloc((n ? n : 1) * sizeof(double));
	s->source = strdup(source);
	if (!s->model || !s->top1 || !s->real || !s->source) {
		mlfy_model_scores_release(s);
		return mlfy_err_oom(err);
	}
	return 0;
}

static int push(struct mlfy_model_scores *s, size_t *cap, const char *name, double top1,
		double real)
{
	size_t c1 = *cap;
	size_t c2 = c1;
	/* three arrays of one capacity: grow the last two first, then the one
	 * whose capacity counts */
	if (MLFY_GROW(s->top1, c1, s->n + 1) || MLFY_GROW(s->real, c2, s->n + 1) || MLFY_GROW(s->model, *cap, s->n + 1))
		return -1;
	if (!(s->model[s->n] = strdup(name)))
		return -1;
	s->top1[s->n] = top1;
	s->real[s->n] = real;
	s->n++;
	return 0;
}

int mlfy_model_scores_from_eval(const struct mlfy_eval_results *r,
				struct mlfy_model_scores *out, struct mlfy_err *err)
{
	size_t i;
	int rc;
	if ((rc = alloc_scores(out, r->n_models, r->labels, err)))
		return rc;
	for (i = 0; i < r->n_models; i++) {
		struct mlfy_proportion t, q;
		mlfy_eval_top1(&r->models[i], &t);
		mlfy_eval_real(&r->models[i], &q);
		if (!(out->model[i] = strdup(r->models[i].model))) {
			out->n = i;
			mlfy_model_scores_release(out);
			return mlfy_err_oom(err);
		}
		out->top1[i] = 100 * t.p;
		out->real[i] = 100 * q.p;
		out->n = i + 1;
	}
	return 0;
}

int mlfy_model_scores_from_timm(const struct mlfy_timm_join *j, struct mlfy_model_scores *out,
				struct mlfy_err *err)
{
	size_t i;
	int rc;
	if ((rc = alloc_scores(out, j->n, "timm results", err)))
		return rc;
	for (i = 0; i < j->n; i++) {
		if (!(out->model[i] = strdup(j->model[i]))) {
			out->n = i;
			mlfy_model_scores_release(out);
			return mlfy_err_oom(err);
		}
		out->top1[i] = j->top1_a[i];
		out->real[i] = j->top1_b[i];
		out->n = i + 1;
	}
	return 0;
}

static int read_csv(const char *path, struct mlfy_model_scores *out, struct mlfy_err *err)
{
	struct mlfy_csv *c;
	char **f;
	size_t nf, ncols, cap = 0;
	int cm, cl, ct, cr, rc;

	if ((rc = mlfy_csv_open(path, &c, err)))
		return rc;
	if ((rc = mlfy_csv_next(c, &f, &nf, err)) <= 0) {
		if (!rc)
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
		goto done;
	}
	ncols = nf;
	cm = mlfy_csv_find(f, nf, "model");
	cl = mlfy_csv_find(f, nf, "label_count");
	ct = mlfy_csv_find(f, nf, "top1");
	cr = mlfy_csv_find(f, nf, "real_accuracy");
	if (cm < 0 || ct < 0 || cr < 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL,
				  "%s:1: not mlfy evaluate results: the header needs the columns "
				  "model, top1 and real_accuracy",
				  path);
		goto done;
	}
	while ((rc = mlfy_csv_next(c, &f, &nf, err)) == 1) {
		double t = NAN, r = NAN;
		if (nf < ncols) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: %zu fields, the header has %zu",
					  path, mlfy_csv_line(c), nf, ncols);
			goto done;
		}
		if (cl >= 0 && strcmp(f[cl], "all"))
			continue;   /* per-label-count rows */
		if ((f[ct][0] && mlfy_parse_number(f[ct], &t)) ||
		    (f[cr][0] && mlfy_parse_number(f[cr], &r))) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s:%zu: model '%s': top1 or real_accuracy "
					  "is not a number", path, mlfy_csv_line(c), f[cm]);
			goto done;
		}
		if (push(out, &cap, mlfy_csv_text_read(f[cm]), t, r)) {
			rc = mlfy_err_oom(err);
			goto done;
		}
	}
done:
	mlfy_csv_close(c);
	return rc < 0 ? rc : 0;
}

static double json_accuracy(json_t *m, const char *key, int *bad)
{
	json_t *o = json_object_get(m, key), *a;
	if (!o)
		return NAN;
	a = json_object_get(o, "accuracy");
	if (!a || json_is_null(a))
		return NAN;
	if (!json_is_number(a)) {
		*bad = 1;
		return NAN;
	}
	return json_number_value(a);
}

static int read_json(const char *path, struct mlfy_model_scores *out, struct mlfy_err *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *models, *m;
	size_t i, cap = 0;
	int rc = 0;

	if (!root)
		return mlfy_err_set(err, MLFY_EINVAL, "%s:%d: %s", path, je.line, je.text);
	models = json_object_get(root, "models");
	if (!json_is_array(models)) {
		json_decref(root);
		return mlfy_err_set(err, MLFY_EINVAL,
				    "%s: not mlfy evaluate results: no \"models\" array", path);
	}
	json_array_foreach(models, i, m) {
		const char *name = json_string_value(json_object_get(m, "model"));
		int bad = 0;
		double t = json_accuracy(m, "top1", &bad), r = json_accuracy(m, "real", &bad);
		if (!name || bad) {
			rc = mlfy_err_set(err, MLFY_EINVAL,
					  "%s: models[%zu]: needs a \"model\" string and numeric "
					  "top1/real accuracies",
					  path, i);
			break;
		}
		if (push(out, &cap, name, t, r)) {
			rc = mlfy_err_oom(err);
			break;
		}
	}
	json_decref(root);
	return rc;
}

int mlfy_model_scores_read(const char *path, struct mlfy_model_scores *out,
			   struct mlfy_err *err)
{
	FILE *f;
	int c, rc;

	if ((rc = alloc_scores(out, 0, path, err)))
		return rc;
	if (!(f = fopen(path, "rb"))) {
		int e = errno;
		mlfy_model_scores_release(out);
		return mlfy_err_set(err, e == ENOENT ? MLFY_ENOTFOUND : MLFY_EIO, "%s: %s", path,
				    strerror(e));
	}
	do
		c = getc(f);
	while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
	fclose(f);
	rc = c == '{' ? read_json(path, out, err) : read_csv(path, out, err);
	if (!rc && !out->n)
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no model results", path);
	if (rc)
		mlfy_model_scores_release(out);
	return rc;
}
