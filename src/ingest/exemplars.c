/* exemplars.c - seeded choice of exemplar images per class and their
 * storage (exemplars.h). */
#include "ingest/exemplars.h"
#include "ingest/batches.h"
#include "ingest/probe.h"
#include "ingest/scan.h"
#include "util/vec.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cand {
	const struct scan_file *f;
	int cls;
	uint64_t key;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->f->rel, y->f->rel);
}

void mlfy_add_exemplars_result_release(struct mlfy_add_exemplars_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->n_skipped; i++) {
		MLFY_FREE_ALL(r->skipped[i].where, r->skipped[i].reason);
	}
	free(r->skipped);
	memset(r, 0, sizeof(*r));
}

static int skip(struct mlfy_add_exemplars_result *r, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int skip(struct mlfy_add_exemplars_result *r, const char *where, const char *fmt, ...)
{
	struct mlfy_ingest_problem *np;
	char buf[1024];
	va_list ap;

	if (!(np = realloc(r->skipped, (r->n_skipped + 1) * sizeof(*np))))
		return MLFY_ENOMEM;
	r->skipped = np;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	np[r->n_skipped].where = strdup(where);
	np[r->n_skipped].reason = strdup(buf);
	if (!np[r->n_skipped].where || !np[r->n_skipped].reason) {
		MLFY_FREE_ALL(np[r->n_skipped].where, np[r->n_skipped].reason);
		return MLFY_ENOMEM;
	}
	r->n_skipped++;
	return 0;
}

static uint64_t seeded_key(const char *s, uint64_t seed)
{
	unsigned char key[crypto_shorthash_KEYBYTES], h[crypto_shorthash_BYTES];
	uint64_t k = 0;
	int j;

	memset(key, 0, sizeof(key));
	for (j = 0; j < 8; j++)
		key[j] = (unsigned char)(seed >> (8 * j));
	crypto_shorthash(h, (const unsigned char *)s, strlen(s), key);
	for (j = 0; j < 8; j++)
		k |= (uint64_t)h[j] << (8 * j);
	return k;
}

/* The chosen exemplars of one class: taken (not project images) first,
 * then fill-ins. */
struct pick {
	struct mlfy_exemplar *v;
	size_t n;
	int *is_project;
};

int mlfy_ingest_add_exemplars(struct mlfy_store *s, const struct mlfy_add_exemplars_opts *o,
			      struct mlfy_add_exemplars_result *res, struct mlfy_err *err)
{
	struct scan_list l;
	struct cand *c = NULL;
	struct stat st;
	size_t n_c = 0, i, n_cls_cand = 0, done_cls = 0;
	struct mlfy_exemplar *chosen = NULL, *fill = NULL;
	struct mlfy_exemplar *all = NULL;   /* every class's picks, contiguous */
	size_t n_all = 0, cap_all = 0;
	struct { int cls; size_t start, n; } *groups = NULL;
	size_t n_groups = 0;
	int rc = 0, imagefolder;
	char prev_dir[4096] = "";

	memset(res, 0, sizeof(*res));
	memset(&l, 0, sizeof(l));
	if (o->per_class < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "--per-class must be at least 1");
	if (stat(o->src, &st) != 0)
		return mlfy_err_set(err, MLFY_EIO, "%s: %s", o->src, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return mlfy_err_set(err, MLFY_EINVAL, "%s: not a folder", o->src);
	if (sodium_init() < 0)
		return mlfy_err_set(err, MLFY_EIO, "cannot initialise libsodium");
	if ((rc = scan_images(o->src, 0, &l, err)))
		return rc;
	imagefolder = l.n_subdirs > 0;
	if (imagefolder) {
		scan_list_free(&l);
		memset(&l, 0, sizeof(l));
		if ((rc = scan_images(o->src, 1, &l, err)))
			return rc;
	}
	res->n_ignored = l.n_ignored;
	if (!(c = malloc((l.n ? l.n : 1) * sizeof(*c)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}

	/* classes of the candidates */
	for (i = 0; i < l.n; i++) {
		const char *rel = l.v[i].rel;
		const char *cut = imagefolder ? strchr(rel, '/') : strchr(rel, '_');
		char label[4096];
		struct mlfy_err fe;
		int idx, frc;

		if (!cut) {
			if ((rc = skip(res, rel, imagefolder ? "image outside a class folder"
							     : "no class in the file name (expected <class>_<name>)")))
				goto nomem;
			continue;
		}
		snprintf(label, sizeof(label), "%.*s", (int)(cut - rel), rel);
		mlfy_err_clear(&fe);
		frc = mlfy_catalog_find_class(s, label, &idx, &fe);
		if (frc == MLFY_ENOTFOUND || frc == MLFY_EINVAL) {
			/* report a folder once, a flat file each time */
			if (!imagefolder || strcmp(prev_dir, label)) {
				if ((rc = skip(res, imagefolder ? label : rel, "%s", fe.msg)))
					goto nomem;
				snprintf(prev_dir, sizeof(prev_dir), "%s", label);
			}
			continue;
		}
		if (frc) {
			*err = fe;
			rc = frc;
			goto out;
		}
		c[n_c].f = &l.v[i];
		c[n_c].cls = idx;
		c[n_c].key = seeded_key(rel, o->seed);
		n_c++;
	}
	res->n_files = l.n;
	qsort(c, n_c, sizeof(*c), cmp_cand);
	for (i = 0; i < n_c; i++)
		n_cls_cand += i == 0 || c[i].cls != c[i - 1].cls;
	mlfy_progress_set_total(o->progress, (int64_t)n_cls_cand);

	if (!(chosen = calloc((size_t)o->per_class, sizeof(*chosen))) ||
	    !(fill = calloc((size_t)o->per_class, sizeof(*fill)))) {
		rc = mlfy_err_oom(err);
		goto out;
	}
	for (i = 0; i < n_c;) {
		size_t end = i, k, n_chosen = 0, n_fill = 0, m;
		int cls = c[i].cls;

		while (end < n_c && c[end].cls == cls)
			end++;
		if (o->cancel && *o->cancel) {
			rc = mlfy_err_set(err, MLFY_EINTR, "interrupted; no exemplars changed");
			goto out;
		}
		for (k = i; k < end && n_chosen < (size_t)o->per_class; k++) {
			struct mlfy_image_info info;
			struct mlfy_image proj;
			struct mlfy_err pe;
			int dup = 0, in_project;

			mlfy_err_clear(&pe);
			if (mlfy_image_probe(c[k].f->abs, &info, &pe)) {
				if (pe.code == MLFY_ENOMEM)
					goto nomem;
				if (pe.code == MLFY_EUNSUPPORTED) {   /* no image codec: no file can be read */
					rc = mlfy_err_set(err, pe.code, "%s; no exemplars changed", pe.msg);
					goto out;
				}
				if ((rc = skip(res, c[k].f->rel, "%s", pe.msg)))
					goto nomem;
				continue;
			}
			for (m = 0; m < n_chosen && !dup; m++)
				dup = !strcmp(chosen[m].sha256, info.sha256);
			for (m = 0; m < n_fill && !dup; m++)
				dup = !strcmp(fill[m].sha256, info.sha256);
			if (dup) {
				if ((rc = skip(res, c[k].f->rel, "same content as another exemplar of its class")))
					goto nomem;
				continue;
			}
			mlfy_err_clear(&pe);
			rc = mlfy_catalog_image_by_hash(s, info.sha256, &proj, &pe);
			if (rc && rc != MLFY_ENOTFOUND) {
				*err = pe;
				goto out;
			}
			in_project = rc == 0;
			if (in_project)
				mlfy_image_release(&proj);
			rc = 0;
			if (in_project && n_fill >= (size_t)o->per_class)
				continue;
			{
				struct mlfy_exemplar *e = in_project ? &fill[n_fill++] : &chosen[n_chosen++];
				memset(e, 0, sizeof(*e));
				e->class_idx = cls;
				e->path = (char *)c[k].f->abs;   /* borrowed from l until stored */
				memcpy(e->sha256, info.sha256, sizeof(e->sha256));
				e->width = info.width;
				e->height = info.height;
			}
		}
		/* fill-ins after the others, up to per_class */
		for (m = 0; m < n_fill && n_chosen < (size_t)o->per_class; m++) {
			chosen[n_chosen++] = fill[m];
			res->n_project++;
		}
		if (n_chosen > 0) {
			void *ng = realloc(groups, (n_groups + 1) * sizeof(*groups));
			if (!ng)
				goto nomem;
			groups = ng;
			if (n_all + n_chosen > cap_all) {
				size_t nc = (cap_all + n_chosen) * 2;
				struct mlfy_exemplar *na = realloc(all, nc * sizeof(*na));
				if (!na)
					goto nomem;
				all = na;
				cap_all = nc;
			}
			groups[n_groups].cls = cls;
			groups[n_groups].start = n_all;
			groups[n_groups].n = n_chosen;
			n_groups++;
			for (m = 0; m < n_chosen; m++) {
				all[n_all] = chosen[m];
				all[n_all].rank = (int)m;
				n_all++;
			}
			res->n_short += n_chosen < (size_t)o->per_class;
		}
		mlfy_progress_update(o->progress, (int64_t)++done_cls);
		i = end;
	}
	mlfy_progress_finish(o->progress);

	if (n_groups == 0) {
		rc = mlfy_err_set(err, MLFY_EINVAL, "%s: no usable exemplar for any class of the project (%zu image files)",
				  o->src, l.n);
		goto out;
	}
	if ((rc = mlfy_store_begin(s, err)))
		goto out;
	for (i = 0; i < n_groups && !rc; i++)
		rc = mlfy_catalog_set_exemplars(s, groups[i].cls, all + groups[i].start, groups[i].n, err);
	if (!rc)
		rc = mlfy_store_commit(s, err);
	if (rc) {
		mlfy_store_rollback(s);
		res->n_project = 0;
		goto out;
	}
	res->n_classes = n_groups;
	res->n_exemplars = n_all;
	goto out;
nomem:
	rc = mlfy_err_oom(err);
out:
	MLFY_FREE_ALL(groups, all, chosen, fill, c);
	scan_list_free(&l);
	return rc;
}
