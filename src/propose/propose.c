/* propose.c - mlfy propose: model checks, the images to run, per-batch
 * transactions of top-K proposals, optional .npy outputs (see propose.h). */
#include "propose/propose.h"
#include "util/outfile.h"
#include "util/vec.h"
#include "util/file.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/topk.h"
#include "store/catalog.h"
#include "store/proposals.h"
#include "util/npy.h"
#include "util/npy_write.h"

void mlfy_propose_opts_init(struct mlfy_propose_opts *o)
{
	memset(o, 0, sizeof(*o));
	mlfy_prep_init(&o->prep);
	o->top_k = 20;
	o->batch = 32;
	o->label_offset = -1;
	o->softmax = 1;
	o->quant_auto = 1;
}

void mlfy_propose_result_release(struct mlfy_propose_result *r)
{
	int64_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_skipped && r->skips; i++) {
		MLFY_FREE_ALL(r->skips[i].path, r->skips[i].reason);
	}
	free(r->skips);
	memset(r, 0, sizeof(*r));
}

/* ---- the images to run ------------------------------------------------------ */

struct item {
	int64_t id;
	char *name;
	char *path;
	int label;
};

struct listing {
	struct mlfy_store *s;
	int64_t model_id;      /* existing model, or 0 */
	int all;               /* run every image */
	struct item *items;
	size_t n, cap;
	int64_t n_images, n_already;
	struct mlfy_err *err;
	int rc;
};

static int list_cb(const struct mlfy_image *img, void *ctx)
{
	struct listing *l = ctx;
	struct item *it;

	l->n_images++;
	if (!l->all && l->model_id > 0) {
		struct mlfy_proposal p;
		size_t got = 0;
		if ((l->rc = mlfy_proposals_get(l->s, img->id, l->model_id, &p, 1, &got, l->err)))
			return l->rc;
		if (got > 0) {
			l->n_already++;
			return 0;
		}
	}
	if (MLFY_GROW(l->items, l->cap, l->n + 1))
		goto nomem;
	it = &l->items[l->n];
	it->id = img->id;
	it->label = img->original_label;
	it->name = strdup(img->name);
	it->path = strdup(img->path);
	if (!it->name || !it->path) {
		MLFY_FREE_ALL(it->name, it->path);
		goto nomem;
	}
	l->n++;
	return 0;
nomem:
	l->rc = mlfy_err_set(l->err, MLFY_ENOMEM, "out of memory listing images");
	return l->rc;
}

static void items_free(struct item *items, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		MLFY_FREE_ALL(items[i].name, items[i].path);
	}
	free(items);
}

/* ---- model checks ------------------------------------------------------------ */

static size_t row_len_of(const struct mlfy_tensor_desc *d)
{
	size_t n = 1;
	int i;
	if (d->rank < 1)
		return 0;
	for (i = 1; i < d->rank; i++) {
		if (d->dims[i] < 0)
			return 0; /* symbolic */
		n *= (size_t)d->dims[i];
	}
	return n;
}

static int find_output(const struct mlfy_session_info *in, const char *name, size_t *idx)
{
	size_t i;
	for (i = 0; i < in->n_outputs; i++)
		if (!strcmp(in->outputs[i].name, name) && in->outputs[i].rank > 0) {
			*idx = i;
			return 0;
		}
	return -1;
}

static void list_outputs(const struct mlfy_session_info *in, char *buf, size_t n)
{
	size_t i, len = 0;
	buf[0] = '\0';
	for (i = 0; i < in->n_outputs; i++) {
		const struct mlfy_tensor_desc *d = &in->outputs[i];
		int k;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s [", i ? ", " : "", d->name);
		for (k = 0; k < d->rank; k++)
			len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%lld", k ? ", " : "",
						(long long)d->dims[k]);
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "]%s", d->rank ? "" : " (not float)");
	}
}

/* Picks the logits output; 0 or MLFY_EINVAL. */
static int choose_logits(const struct mlfy_session_info *in, const char *want, size_t expect,
			 size_t *idx, struct mlfy_err *err)
{
	char outs[1024];
	size_t i;
	list_outputs(in, outs, sizeof(outs));
	if (want) {
		if (find_output(in, want, idx))
			return mlfy_err_set(err, MLFY_EINVAL, "the model has no float output '%s' (outputs: %s)",
					    want, outs);
		return 0;
	}
	if (in->n_outputs == 1 && in->outputs[0].rank > 0) {
		*idx = 0;
		return 0;
	}
	if (!find_output(in, "logits", idx) || !find_output(in, "output", idx))
		return 0;
	for (i = 0; i < in->n_outputs; i++)
		if (in->outputs[i].rank == 2 && in->outputs[i].dims[1] == (int64_t)expect) {
			*idx = i;
			return 0;
		}
	return mlfy_err_set(err, MLFY_EINVAL,
			    "cannot tell which output holds the logits (outputs: %s); name it with --output",
			    outs);
}

static char *default_name(const char *path)
{
	const char *base = mlfy_path_base(path);
	return strndup(base, mlfy_path_stem_len(base, ".onnx"));
}

/* JSON record of the run's settings for meta "propose.<name>". */
static char *settings_json(const struct mlfy_propose_opts *o, const struct mlfy_propose_result *r,
			   const char *source)
{
	json_t *j = json_object();
	char now[32], *out;
	const struct mlfy_prep *p = &r->prep;
	mlfy_store_now(now);
	json_object_set_new(j, "source", json_string(source));
	json_object_set_new(j, "runtime", json_string(mlfy_session_runtime()));
	json_object_set_new(j, "session_options", json_string(r->applied));
	json_object_set_new(j, "quantized", json_boolean(r->quantized));
	json_object_set_new(j, "input_size", json_pack("[iii]", 3, p->height, p->width));
	json_object_set_new(j, "crop_pct", json_real(p->crop_pct));
	json_object_set_new(j, "crop_mode", json_string(mlfy_crop_mode_name(p->crop_mode)));
	json_object_set_new(j, "interpolation", json_string(mlfy_filter_name(p->filter)));
	json_object_set_new(j, "mean", json_pack("[fff]", p->mean[0], p->mean[1], p->mean[2]));
	json_object_set_new(j, "std", json_pack("[fff]", p->std[0], p->std[1], p->std[2]));
	json_object_set_new(j, "alpha", json_string(mlfy_alpha_name(p->alpha)));
	json_object_set_new(j, "shrink_on_load", json_boolean(p->shrink_on_load));
	json_object_set_new(j, "top_k", json_integer(o->top_k));
	json_object_set_new(j, "label_offset", json_integer(r->label_offset));
	json_object_set_new(j, "softmax", json_boolean(o->softmax));
	json_object_set_new(j, "output", json_string(r->output));
	json_object_set_new(j, "updated_at", json_string(now));
	out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	json_decref(j);
	return out;
}

/* ---- per-batch storing --------------------------------------------------------- */

struct run {
	struct mlfy_store *s;
	const struct mlfy_propose_opts *o;
	struct mlfy_propose_result *res;
	struct item *items;
	size_t n_classes, offset, top_k, skip_cap;
	int64_t model_id;
	double *probs;
	int *idx;
	struct mlfy_proposal *props;
	float *nan_row;
	const char *name, *source, *meta_key, *meta;  /* the model record */
	int activate;          /* make it the active model */
	int recorded;          /* the record is in a committed or open transaction */
	struct mlfy_npy_writer *w_logits, *w_features;
	size_t feature_len;
	int64_t progressed;
};

/* Inside the caller's transaction: the model row, its settings, and the
 * activation; sets r->model_id and r->recorded (which batch_cb resets when
 * it rolls back the transaction that did this). */
static int record_model(struct run *r, struct mlfy_err *err)
{
	struct mlfy_model act;
	int rc;
	if ((rc = mlfy_models_ensure(r->s, r->name, r->source, "onnx", &r->model_id, err)) ||
	    (rc = mlfy_store_meta_set(r->s, r->meta_key, r->meta, err)) ||
	    (r->activate && (rc = mlfy_models_set_active(r->s, r->name, err))))
		return rc;
	r->res->model_id = r->model_id;
	if (mlfy_models_active(r->s, &act, NULL) == 0) {
		r->res->activated = act.id == r->model_id;
		mlfy_model_release(&act);
	}
	r->recorded = 1;
	return 0;
}

static int add_skip(struct run *r, const char *path, const char *reason, struct mlfy_err *err)
{
	struct mlfy_propose_result *res = r->res;
	if (MLFY_GROW(res->skips, r->skip_cap, (size_t)res->n_skipped + 1))
		return mlfy_err_oom(err);
	res->skips[res->n_skipped].path = strdup(path);
	res->skips[res->n_skipped].reason = strdup(reason);
	if (!res->skips[res->n_skipped].path || !res->skips[res->n_skipped].reason) {
		MLFY_FREE_ALL(res->skips[res->n_skipped].path, res->skips[res->n_skipped].reason);
		return mlfy_err_oom(err);
	}
	res->n_skipped++;
	return 0;
}

static int batch_cb(const struct mlfy_batch_result *b, void *ctx, struct mlfy_err *err)
{
	struct run *r = ctx;
	struct mlfy_propose_result *res = r->res;
	size_t i, c, k;
	int rc;

	if (b->logits_len && b->logits_len != r->n_classes + r->offset)
		return mlfy_err_set(err, MLFY_EINVAL,
				    "the model's output '%s' has %zu values per image; the project has %zu "
				    "classes%s", res->output, b->logits_len, r->n_classes,
				    r->offset ? " plus the label offset" : "");
	if (r->w_features && b->features_len && b->features_len != r->feature_len)
		return mlfy_err_set(err, MLFY_EINVAL, "the features output has %zu values per image, not %zu",
				    b->features_len, r->feature_len);
	if ((rc = mlfy_store_begin(r->s, err)))
		return rc;
	if (!r->recorded && (rc = record_model(r, err)))
		goto fail;
	for (i = 0; i < b->n; i++) {
		const struct item *it = &r->items[b->first + i];
		const float *row = b->ok[i] ? b->logits + i * b->logits_len + r->offset : NULL;
		const char *why = NULL;

		if (!b->ok[i]) {
			why = b->error[i];
		} else if (r->o->softmax) {
			if (mlfy_softmax_f32(row, r->n_classes, r->probs))
				why = "the model's output is not a number (NaN)";
		} else {
			for (c = 0; c < r->n_classes; c++) {
				if (!(row[c] >= 0.0f && row[c] <= 1.0f)) {
					rc = mlfy_err_set(err, MLFY_EINVAL,
							  "%s: output %zu is %g, not a probability in [0, 1] "
							  "(the model outputs logits: drop --no-softmax)",
							  it->path, c + r->offset, (double)row[c]);
					goto fail;
				}
				r->probs[c] = row[c];
			}
		}
		if (why) {
			if ((rc = add_skip(r, it->path, why, err)))
				goto fail;
			row = NULL;
		} else {
			mlfy_topk_f64(r->probs, r->n_classes, r->top_k, r->idx);
			for (k = 0; k < r->top_k; k++) {
				r->props[k].rank = (int)k;
				r->props[k].class_idx = r->idx[k];
				r->props[k].score = r->probs[r->idx[k]];
			}
			if ((rc = mlfy_proposals_put(r->s, it->id, r->model_id, r->props, r->top_k, err))) {
				mlfy_err_prefix(err, "image '%s'", it->name);
				goto fail;
			}
			res->n_done++;
			if (it->label >= 0) {
				res->n_labelled++;
				res->n_top1 += r->idx[0] == it->label;
				for (k = 0; k < r->top_k && k < 5; k++)
					res->n_top5 += r->idx[k] == it->label;
			}
		}
		if (r->w_logits &&
		    (rc = mlfy_npy_writer_put(r->w_logits, row ? row : r->nan_row, r->n_classes, err)))
			goto fail;
		if (r->w_features &&
		    (rc = mlfy_npy_writer_put(r->w_features,
					      row ? b->features + i * b->features_len : r->nan_row,
					      r->feature_len, err)))
			goto fail;
	}
	if ((rc = mlfy_store_commit(r->s, err)))
		goto fail;
	r->progressed += (int64_t)b->n;
	mlfy_progress_update(r->o->progress, r->progressed);
	return 0;
fail:
	mlfy_store_rollback(r->s);
	r->recorded = r->progressed > 0;
	return rc;
}

/* Writes names of items[0..n) one per line to path, atomically. */
static int write_order(const char *npy_path, const struct item *items, size_t n, struct mlfy_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	size_t len = strlen(npy_path), i;
	FILE *f;
	if (len > 4 && !strcmp(npy_path + len - 4, ".npy"))
		len -= 4;
	if (len + sizeof(".order.txt") > sizeof(path))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: path too long", npy_path);
	snprintf(path, sizeof(path), "%.*s.order.txt", (int)len, npy_path);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", tmp, strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", items[i].name);
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		int e = errno;
		fclose(f);
		unlink(tmp);
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", tmp, strerror(e));
	}
	fclose(f);
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", path, strerror(e));
	}
	return 0;
}

/* ---- the run ----------------------------------------------------------------- */

int mlfy_propose_run(struct mlfy_store *s, const struct mlfy_propose_opts *o,
		     struct mlfy_propose_result *res, struct mlfy_err *err)
{
	struct mlfy_session_opts so;
	struct mlfy_session *sess = NULL;
	const struct mlfy_session_info *in;
	struct mlfy_pipeline_opts po;
	struct listing l;
	struct run r;
	struct mlfy_model existing;
	size_t n_classes = 0, logits_idx = 0, features_idx = MLFY_NO_OUTPUT, i;
	char *name = NULL, *abs = NULL, *meta = NULL, key[300];
	const char **paths = NULL;
	int rc = 0, have_model = 0, n_models_before = 0;

	memset(res, 0, sizeof(*res));
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	if (!o->model_path || !*o->model_path)
		return mlfy_err_set(err, MLFY_EINVAL, "no model file given");
	if (o->top_k < 1 || o->batch < 1 || o->threads < 0 || o->decode_threads < 0 ||
	    o->label_offset < -1)
		return mlfy_err_set(err, MLFY_EINVAL, "bad options (top-K, batch, threads)");
	if (!(name = o->model_name && *o->model_name ? strdup(o->model_name) : default_name(o->model_path)))
		return mlfy_err_oom(err);
	if (!*name) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "empty model name");
		goto out;
	}
	snprintf(res->model_name, sizeof(res->model_name), "%s", name);
	res->prep = o->prep;
	res->label_offset = o->label_offset < 0 ? 0 : o->label_offset;

	if ((rc = mlfy_catalog_n_classes(s, &n_classes, err)))
		goto out;
	if (n_classes == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "the project has no classes (mlfy init --classes)");
		goto out;
	}
	if ((size_t)o->top_k > n_classes) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "top-%d is more than the project's %zu classes",
				  o->top_k, n_classes);
		goto out;
	}

	/* the model */
	memset(&so, 0, sizeof(so));
	so.intra_threads = o->threads;
	so.options = o->ort_options;
	so.n_options = o->n_ort_options;
	so.quant_auto = o->quant_auto;
	so.no_spin = 1;
	if ((rc = mlfy_session_open(o->model_path, &so, &sess, err)))
		goto out;
	in = mlfy_session_info(sess);
	res->quantized = in->quantized;
	snprintf(res->first_quant_op, sizeof(res->first_quant_op), "%s", in->first_quant_op);
	snprintf(res->applied, sizeof(res->applied), "%s", in->applied);
	res->prep.layout = in->layout;
	{
		int test = o->test_height > 0 && o->test_width > 0, use_test = 0;
		if (in->height > 0 && in->width > 0) {
			use_test = test && o->test_height == in->height && o->test_width == in->width;
			if (res->prep.height && !use_test &&
			    (res->prep.height != in->height || res->prep.width != in->width)) {
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "input size %dx%d does not match the model's fixed input %dx%d",
						  res->prep.height, res->prep.width, in->height, in->width);
				goto out;
			}
			res->prep.height = in->height;
			res->prep.width = in->width;
		} else if (test) {
			use_test = 1;
			res->prep.height = o->test_height;
			res->prep.width = o->test_width;
		} else if (!res->prep.height) {
			res->prep.height = in->height > 0 ? in->height : 224;
			res->prep.width = in->width > 0 ? in->width : 224;
		}
		if (use_test && o->test_crop_pct > 0)
			res->prep.crop_pct = o->test_crop_pct;
	}
	if ((rc = mlfy_prep_validate(&res->prep, err)))
		goto out;
	if ((rc = choose_logits(in, o->output_name, n_classes + (size_t)res->label_offset, &logits_idx, err)))
		goto out;
	snprintf(res->output, sizeof(res->output), "%s", in->outputs[logits_idx].name);
	{
		size_t len = row_len_of(&in->outputs[logits_idx]);
		if (len && len != n_classes + (size_t)res->label_offset) {
			if (len == n_classes + 1 && res->label_offset == 0)
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "the model's output '%s' has %zu values and the project %zu "
						  "classes: if output 0 is a background class, use --label-offset 1",
						  res->output, len, n_classes);
			else
				rc = mlfy_err_set(err, MLFY_EINVAL,
						  "the model's output '%s' has %zu values per image; the project "
						  "has %zu classes%s", res->output, len, n_classes,
						  res->label_offset ? " plus the label offset" : "");
			goto out;
		}
	}
	if (o->save_features) {
		const char *fname = o->features_name ? o->features_name : "features";
		if (find_output(in, fname, &features_idx) || features_idx == logits_idx) {
			char outs[1024];
			list_outputs(in, outs, sizeof(outs));
			rc = mlfy_err_set(err, MLFY_EINVAL, "the model has no embedding output '%s' (outputs: %s)",
					  fname, outs);
			goto out;
		}
		if (!(r.feature_len = row_len_of(&in->outputs[features_idx]))) {
			rc = mlfy_err_set(err, MLFY_EUNSUPPORTED, "the size of output '%s' is not fixed",
					  in->outputs[features_idx].name);
			goto out;
		}
		snprintf(res->features, sizeof(res->features), "%s", in->outputs[features_idx].name);
	}
	res->batch = o->batch;
	if (in->batch > 0) {
		res->batch = (int)in->batch;
		res->pad_batch = 1;
	}
	res->decode_threads = o->decode_threads;
	if (!res->decode_threads) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		res->decode_threads = ncpu > 1 ? (int)(ncpu / 2) : 1;
		if (res->decode_threads > 8)
			res->decode_threads = 8;
	}

	/* an existing model of that name */
	if (mlfy_models_find(s, name, &existing, err) == 0) {
		have_model = 1;
		res->model_id = existing.id;
		if (strcmp(existing.kind, "onnx") && !o->force) {
			rc = mlfy_err_set(err, MLFY_ECONFLICT,
					  "the project has a model '%s' of kind %s (from %s): choose another "
					  "--name, or --force to replace its proposals", name, existing.kind,
					  existing.source);
			mlfy_model_release(&existing);
			goto out;
		}
		mlfy_model_release(&existing);
	} else if (err->code != MLFY_ENOTFOUND) {
		rc = err->code;
		goto out;
	}
	mlfy_err_clear(err);
	{
		struct mlfy_model *ms = NULL;
		size_t nm = 0;
		if ((rc = mlfy_models_list(s, &ms, &nm, err)))
			goto out;
		for (i = 0; i < nm; i++)
			mlfy_model_release(&ms[i]);
		free(ms);
		n_models_before = (int)nm;
	}

	/* the images */
	l.s = s;
	l.model_id = have_model ? res->model_id : 0;
	l.all = o->force || o->save_logits || o->save_features;
	l.err = err;
	rc = mlfy_catalog_foreach_image(s, 0, list_cb, &l, err);
	if (rc || l.rc) {
		rc = rc ? rc : l.rc;
		goto out;
	}
	res->n_images = l.n_images;
	res->n_already = l.n_already;

	/* the model and its settings are recorded with the first batch */
	abs = realpath(o->model_path, NULL);
	meta = settings_json(o, res, abs ? abs : o->model_path);
	if (!meta) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	snprintf(key, sizeof(key), "propose.%s", name);
	r.name = name;
	r.source = abs ? abs : o->model_path;
	r.meta_key = key;
	r.meta = meta;
	r.activate = n_models_before == 0 || o->activate;

	/* outputs */
	r.s = s;
	r.o = o;
	r.res = res;
	r.items = l.items;
	r.n_classes = n_classes;
	r.offset = (size_t)res->label_offset;
	r.top_k = (size_t)o->top_k;
	r.model_id = res->model_id;  /* 0 until recorded, unless the model existed */
	r.probs = malloc(n_classes * sizeof(double));
	r.idx = malloc(r.top_k * sizeof(int));
	r.props = malloc(r.top_k * sizeof(*r.props));
	r.nan_row = malloc((n_classes > r.feature_len ? n_classes : r.feature_len) * sizeof(float));
	paths = malloc((l.n ? l.n : 1) * sizeof(*paths));
	if (!r.probs || !r.idx || !r.props || !r.nan_row || !paths) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < (n_classes > r.feature_len ? n_classes : r.feature_len); i++)
		r.nan_row[i] = NAN;
	for (i = 0; i < l.n; i++)
		paths[i] = l.items[i].path;
	{
		/* the .npy files and their .order.txt lists must not land on the
		 * project or its SQLite companions (QA: --save-logits PROJECT
		 * replaced the project and exited 0) */
		const char *outs[2] = { o->save_logits, o->save_features };
		for (i = 0; i < 2; i++) {
			char order[4096];
			size_t n;
			if (!outs[i])
				continue;
			n = strlen(outs[i]);
			snprintf(order, sizeof(order), "%.*s.order.txt",
				 (int)(n > 4 && !strcmp(outs[i] + n - 4, ".npy") ? n - 4 : n), outs[i]);
			if (mlfy_path_protected(outs[i], mlfy_store_path(s)) ||
			    mlfy_path_protected(order, mlfy_store_path(s))) {
				rc = mlfy_err_set(err, MLFY_EINVAL, "--%s %s: would write over the project file %s"
						  " (or its journal); choose another file",
						  i ? "save-features" : "save-logits", outs[i], mlfy_store_path(s));
				goto out;
			}
		}
	}
	if (o->save_logits) {
		size_t shape[2] = { l.n, n_classes };
		if ((rc = mlfy_npy_writer_open(o->save_logits, MLFY_NPY_F4, 2, shape, &r.w_logits, err)))
			goto out;
	}
	if (o->save_features) {
		size_t shape[2] = { l.n, r.feature_len };
		if ((rc = mlfy_npy_writer_open(o->save_features, MLFY_NPY_F4, 2, shape, &r.w_features, err)))
			goto out;
	}

	memset(&po, 0, sizeof(po));
	po.prep = &res->prep;
	po.session = sess;
	po.logits_output = logits_idx;
	po.logits_cap = n_classes + (size_t)res->label_offset;
	po.features_output = features_idx;
	po.features_cap = r.feature_len;
	po.batch = res->batch;
	po.pad_batch = res->pad_batch;
	po.decode_threads = res->decode_threads;
	po.stop = o->stop;
	mlfy_progress_set_total(o->progress, (int64_t)l.n);
	rc = mlfy_pipeline_run(&po, paths, l.n, batch_cb, &r, &res->stats, err);
	if (rc == MLFY_EINTR)
		res->interrupted = 1;
	if (rc)
		goto out;
	if (!r.recorded) {
		/* nothing to run: still record the settings (and activation) */
		if ((rc = mlfy_store_begin(s, err)))
			goto out;
		if ((rc = record_model(&r, err)) || (rc = mlfy_store_commit(s, err))) {
			mlfy_store_rollback(s);
			goto out;
		}
	}
	if (r.w_logits) {
		rc = mlfy_npy_writer_close(r.w_logits, err);
		r.w_logits = NULL;
		if (rc || (rc = write_order(o->save_logits, l.items, l.n, err)))
			goto out;
	}
	if (r.w_features) {
		rc = mlfy_npy_writer_close(r.w_features, err);
		r.w_features = NULL;
		if (rc || (rc = write_order(o->save_features, l.items, l.n, err)))
			goto out;
	}
out:
	mlfy_npy_writer_abort(r.w_logits);
	mlfy_npy_writer_abort(r.w_features);
	MLFY_FREE_ALL(r.probs, r.idx, r.props, r.nan_row, paths);
	items_free(l.items, l.n);
	mlfy_session_close(sess);
	MLFY_FREE_ALL(meta, abs, name);
	return rc;
}
