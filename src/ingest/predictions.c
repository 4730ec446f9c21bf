/* predictions.c - model predictions (.npy logits/probabilities, timm
 * inference.py CSV/JSON) into top-k proposals (see predictions.h).
 *
 * Owns: reading and checking prediction files, the row -> image mapping
 * and the one-transaction write of a model's proposals; the numerics
 * (top-k, log-sum-exp) are util/topk's, shared with src/propose.
 * Row access to the store goes through store/catalog.h and
 * store/proposals.h. */
#include "ingest/predictions.h"
#include "ingest/pred_npy.h"
#include "ingest/pred_rows.h"
#include "ingest/pred_timm.h"
#include "ingest/textio.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalog.h"
#include "store/proposals.h"
#include "util/csv.h"
#include "util/file.h"
#include "util/names.h"
#include "util/npy.h"
#include "util/topk.h"
#include "util/vec.h"

#define DEFAULT_TOP_K 20
#define MAX_TIMM_FILE ((size_t)4 << 30)   /* timm CSV / JSON files up to 4 GiB */

/* 0 = .npy, 2 = JSON, 1 = CSV, from the first n bytes of a file. */
static int kind_of(const unsigned char *head, size_t n)
{
	size_t i = 0;

	if (n >= 6 && !memcmp(head, "\x93NUMPY", 6))
		return 0;
	if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && isspace(head[i]))
		i++;
	return i < n && (head[i] == '{' || head[i] == '[') ? 2 : 1;
}

/* The kind of the file at path from its first bytes; an empty file is
 * refused here, whatever --order says (it is no timm file either). */
static int file_kind(const char *path, int *kind, struct mlfy_err *err)
{
	unsigned char head[64];
	FILE *f = mlfy_open_read(path, err);
	size_t n;

	if (!f)
		return err ? err->code : MLFY_EIO;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
	*kind = kind_of(head, n);
	return 0;
}

static int write_proposals(struct mlfy_store *s, const char *path, const struct mlfy_pred_options *opt,
		      const struct pred_resolver *r, const struct pred_rows *w, int input, const char *kind,
		      struct mlfy_pred_result *res, struct mlfy_err *err)
{
	struct mlfy_proposal *p = NULL;
	size_t n_models = 0, i, k;
	char *abs = realpath(path, NULL);
	int rc, existed = 0;

	if (!(p = malloc((w->k ? w->k : 1) * sizeof(*p)))) {
		rc = mlfy_err_oom(err);
		goto done;
	}
	if ((rc = mlfy_store_begin(s, err)))
		goto done;
	/* what exists is read in the write transaction: another import that
	 * commits while this one read its file is counted */
	if ((rc = mlfy_models_lookup(s, opt->model, &n_models, &existed, err)) ||
	    (rc = mlfy_models_ensure(s, opt->model, abs ? abs : path, kind, &res->model_id, err)) ||
	    (rc = mlfy_proposals_clear(s, res->model_id, err)))
		goto fail;
	mlfy_progress_set_total(opt->progress, (int64_t)w->n);
	for (i = 0; i < w->n; i++) {
		const int *c = w->cls + i * w->k;
		const double *v = w->val + i * w->k;
		for (k = 0; k < (size_t)w->cnt[i]; k++) {
			p[k].rank = (int)k;
			p[k].class_idx = c[k];
			/* rows without a log-sum-exp (top-k probabilities) are scores already */
			p[k].score = input == MLFY_PRED_PROBS || isnan(w->lse[i]) ? v[k] : exp(v[k] - w->lse[i]);
		}
		if ((rc = mlfy_proposals_put(s, r->img[w->img[i]].id, res->model_id, p, k, err))) {
			mlfy_err_prefix(err, "%s: image '%s'", path, r->img[w->img[i]].name);
			goto fail;
		}
		if ((i & 1023) == 1023)
			mlfy_progress_update(opt->progress, (int64_t)i + 1);
	}
	mlfy_progress_update(opt->progress, (int64_t)w->n);
	res->replaced = existed;
	if (n_models == 0 || opt->activate) {
		if ((rc = mlfy_models_set_active(s, opt->model, err)))
			goto fail;
		res->activated = 1;
	} else {
		/* still active when it was the active one before */
		struct mlfy_model act;
		if ((rc = mlfy_models_active(s, &act, err)))
			goto fail;
		res->activated = act.id == res->model_id;
		mlfy_model_release(&act);
	}
	rc = mlfy_store_commit(s, err);
	goto done;
fail:
	mlfy_store_rollback(s);
done:
	MLFY_FREE_ALL(abs, p);
	return rc;
}

/* The import of a file (mem == NULL: read path) or of an in-memory image
 * of one (mem[0..mem_len), path only names it). */
static int import(struct mlfy_store *s, const char *path, const void *mem, size_t mem_len,
		  const struct mlfy_pred_options *opt, struct mlfy_pred_result *res_out, struct mlfy_err *err)
{
	struct mlfy_pred_result res;
	struct pred_resolver r;
	struct pred_rows w;
	struct pred_dense_stats ds;
	size_t n_classes = 0, i, top_k;
	char *buf = NULL;
	size_t len = 0;
	int rc, kind = 0, input;

	memset(&res, 0, sizeof(res));
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	memset(&ds, 0, sizeof(ds));
	ds.all_prob = 1;
	ds.first_neg = ds.first_over = SIZE_MAX;
	if (res_out)
		memset(res_out, 0, sizeof(*res_out));
	if (!opt->model || !*opt->model)
		return mlfy_err_set(err, MLFY_EINVAL, "a model name is required");
	/* the name is shown on annotation pages and written to JSON exports */
	if (strlen(opt->model) > MLFY_MODEL_NAME_MAX || !textio_valid_text(opt->model, strlen(opt->model), 0))
		return mlfy_err_set(err, MLFY_EINVAL,
				    "model name: expected at most %d bytes of UTF-8 text without control characters",
				    MLFY_MODEL_NAME_MAX);
	if (opt->top_k < 0)
		return mlfy_err_set(err, MLFY_EINVAL, "top-k must be positive, not %d", opt->top_k);
	if (opt->input < MLFY_PRED_AUTO || opt->input > MLFY_PRED_PROBS)
		return mlfy_err_set(err, MLFY_EINVAL, "bad input kind %d", opt->input);
	if (mlfy_store_in_transaction(s))
		return mlfy_err_set(err, MLFY_EINVAL, "internal error: import inside an open transaction");
	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)))
		return rc;
	if (n_classes == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: the project has no classes", mlfy_store_path(s));
	top_k = opt->top_k ? (size_t)opt->top_k : DEFAULT_TOP_K;
	if (top_k > n_classes)
		top_k = n_classes;
	res.n_classes = n_classes;
	w.k = top_k;
	if (mem && mem_len == 0)
		return mlfy_err_set(err, MLFY_EINVAL, "%s: empty file", path);
	if (mem)
		kind = kind_of(mem, mem_len < 64 ? mem_len : 64);
	else if ((rc = file_kind(path, &kind, err)))
		return rc;
	if ((rc = pred_resolver_load(s, &r, err)))
		goto out;
	if (r.n == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: the project has no images (mlfy add-images)", mlfy_store_path(s));
		goto out;
	}
	r.skip_unknown = opt->skip_unknown;
	if (kind == 0) {
		if ((rc = pred_read_npy(path, mem, mem_len, opt, &r, n_classes, &w, &ds, err)))
			goto out;
	} else {
		if (opt->order_path) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: --order applies to .npy files; timm files name their images",
					  path);
			goto out;
		}
		if (mem) {
			/* the parsers want a NUL-terminated copy, as mlfy_read_file makes */
			if (!(buf = malloc(mem_len + 1))) {
				rc = mlfy_err_oom(err);
				goto out;
			}
			memcpy(buf, mem, mem_len);
			buf[mem_len] = '\0';
			len = mem_len;
		} else if ((rc = mlfy_read_file(path, MAX_TIMM_FILE, &buf, &len, err))) {
			goto out;
		}
		rc = pred_read_timm(s, path, buf, len, kind == 2, opt, &r, n_classes, &w, &ds, err);
		if (rc)
			goto out;
		if (w.n == 0 && !r.n_skipped) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no predictions", path);
			goto out;
		}
	}
	if (w.n == 0 && r.n_skipped) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: none of its %zu row%s names an image of the project", path,
				  r.n_skipped, r.n_skipped == 1 ? "" : "s");
		goto out;
	}
	res.n_skipped = r.n_skipped;

	/* logits or probabilities (dense rows; top-k rows are probabilities) */
	input = opt->input;
	if (input == MLFY_PRED_AUTO)
		input = ds.n_dense == 0 || ds.all_prob ? MLFY_PRED_PROBS : MLFY_PRED_LOGITS;
	if (input == MLFY_PRED_PROBS && ds.n_dense) {
		if (ds.first_neg != SIZE_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' (row %zu): negative value; not probabilities "
					  "(use --input logits)", path, r.img[w.img[ds.first_neg]].name, ds.first_neg);
			goto out;
		}
		if (ds.first_over != SIZE_MAX) {
			rc = mlfy_err_set(err, MLFY_EINVAL, "%s: image '%s' (row %zu): value above 1; not probabilities "
					  "(use --input logits)", path, r.img[w.img[ds.first_over]].name, ds.first_over);
			goto out;
		}
	}
	res.input = input;
	if (kind == 0)
		snprintf(res.kind, sizeof(res.kind), "%s", input == MLFY_PRED_PROBS ? "npy-probs" : "npy-logits");
	else
		snprintf(res.kind, sizeof(res.kind), "%s", kind == 2 ? "timm-json" : "timm-csv");
	res.n_rows = w.n;
	for (i = 0; i < w.n; i++) {
		int orig = r.img[w.img[i]].orig;
		if ((size_t)w.cnt[i] > res.top_k)
			res.top_k = (size_t)w.cnt[i];
		if (orig >= 0) {
			res.n_top1_checked++;
			res.n_top1_correct += w.cnt[i] > 0 && w.cls[i * w.k] == orig;
		}
	}
	res.n_without = (int64_t)(r.n - w.n);
	rc = write_proposals(s, path, opt, &r, &w, input, res.kind, &res, err);
out:
	free(buf);
	pred_rows_free(&w);
	pred_resolver_free(&r);
	if (!rc && res_out)
		*res_out = res;
	return rc;
}

int mlfy_predictions_import(struct mlfy_store *s, const char *path,
			    const struct mlfy_pred_options *opt,
			    struct mlfy_pred_result *res, struct mlfy_err *err)
{
	return import(s, path, NULL, 0, opt, res, err);
}

int mlfy_predictions_import_mem(struct mlfy_store *s, const char *name, const void *data, size_t len,
				const struct mlfy_pred_options *opt,
				struct mlfy_pred_result *res, struct mlfy_err *err)
{
	return import(s, name, data ? data : "", len, opt, res, err);
}
