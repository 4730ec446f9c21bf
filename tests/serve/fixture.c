/* fixture.c - mlfy-fixture: makes projects for the serve tests, the browser
 * tests and bench/serve, before (and independently of) the ingest commands.
 *
 *   mlfy-fixture synthetic OUT.mlfy DIR [--images N] [--classes C] [--batch-size B]
 *                [--k K] [--exemplars E] [--image-files F]
 *       N synthetic images (F distinct JPEG files drawn with libvips in DIR),
 *       C classes, top-K proposals, E exemplars per class.
 *   mlfy-fixture imagenet OUT.mlfy SHARED [--images N] [--batch-size B]
 *       N photos of SHARED/data/imagenet-samples with the 1000 ImageNet classes
 *       (names, synonyms, WordNet glosses), top-20 proposals from the shared
 *       MobileNetV2 logits, and each class's sample photo as its exemplar.
 *   mlfy-fixture users PROJECT NAME:ROLE...
 *       adds accounts whose password is "NAME-password-1", in one
 *       transaction (a file or a postgresql:// URI).  Unlike `mlfy user add`
 *       (argon2id at libsodium's INTERACTIVE cost, 64 MiB and ~0.2 s per
 *       hash) the hashes are argon2id at libsodium's MIN cost, so the tests'
 *       logins take microseconds; a login reads the cost from the stored
 *       hash (crypto_pwhash_str_verify), so it runs the same code.  Test
 *       setup only: tests of `mlfy user` itself and of login costs use the
 *       real command.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <vips/vips.h>
#include <wn.h>

#include "fixture_project.h"
#include "store/accounts.h"

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mlfy-fixture: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A 320x240 JPEG: a colour field with a contrasting disc, seeded by n. */
static int draw_image(const char *path, int n)
{
	VipsImage *bg = NULL, *col = NULL, *u8 = NULL, *mem = NULL;
	double a[3] = { 1, 1, 1 };
	double b[3] = { (n * 67) % 256, (n * 139) % 256, (n * 211) % 256 };
	double ink[3] = { 255 - b[0], 255 - b[1], 255 - b[2] };
	int rc = -1;

	if (vips_black(&bg, 320, 240, "bands", 3, NULL) || vips_linear(bg, &col, a, b, 3, NULL) ||
	    vips_cast_uchar(col, &u8, NULL) || !(mem = vips_image_copy_memory(u8)) ||
	    vips_draw_circle(mem, ink, 3, 60 + (n * 37) % 200, 50 + (n * 53) % 140, 20 + n % 40, "fill", TRUE,
			     NULL) ||
	    vips_jpegsave(mem, path, "Q", 85, NULL))
		fprintf(stderr, "mlfy-fixture: %s: %s\n", path, vips_error_buffer());
	else
		rc = 0;
	if (bg)
		g_object_unref(bg);
	if (col)
		g_object_unref(col);
	if (u8)
		g_object_unref(u8);
	if (mem)
		g_object_unref(mem);
	return rc;
}

static int synthetic(const char *out, const char *dir, struct fixture_spec *f)
{
	char path[4096];
	int i, r, n = f->image_files > 0 ? f->image_files : f->n_images;
	int nc = f->exemplar_classes > 0 ? f->exemplar_classes : f->n_classes;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return die("cannot create %s", dir);
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/img%05d.jpg", dir, i);
		if (draw_image(path, i))
			return 1;
	}
	for (i = 0; i < nc; i++)
		for (r = 0; r < f->n_exemplars; r++) {
			snprintf(path, sizeof(path), "%s/ex%d-%d.jpg", dir, i, r);
			if (draw_image(path, 1000 + i * 10 + r))
				return 1;
		}
	f->image_dir = dir;
	f->exemplar_dir = dir;
	return fixture_project(out, f) ? 1 : 0;
}

/* ---- imagenet-samples ------------------------------------------------------ */

static float *read_npy_f32(const char *path, size_t rows, size_t cols)
{
	FILE *fp = fopen(path, "rb");
	unsigned char head[10];
	size_t hl;
	char *hdr;
	float *v = NULL;

	if (!fp)
		return NULL;
	if (fread(head, 1, 10, fp) != 10 || memcmp(head, "\x93NUMPY", 6) != 0 || head[6] != 1)
		goto out;
	hl = (size_t)head[8] | (size_t)head[9] << 8;
	if (!(hdr = calloc(1, hl + 1)) || fread(hdr, 1, hl, fp) != hl) {
		free(hdr);
		goto out;
	}
	if (!strstr(hdr, "'<f4'") || !strstr(hdr, "False")) {
		free(hdr);
		goto out;
	}
	free(hdr);
	if (!(v = malloc(rows * cols * sizeof(float))) || fread(v, sizeof(float), rows * cols, fp) != rows * cols) {
		free(v);
		v = NULL;
	}
out:
	fclose(fp);
	return v;
}

static int sha256_file(const char *path, char out[65], long *bytes)
{
	FILE *fp = fopen(path, "rb");
	crypto_hash_sha256_state st;
	unsigned char buf[65536], h[32];
	size_t n;
	int i;
	if (!fp)
		return -1;
	*bytes = 0;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		crypto_hash_sha256_update(&st, buf, n);
		*bytes += (long)n;
	}
	fclose(fp);
	crypto_hash_sha256_final(&st, h);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
	return 0;
}

static int exec_bind(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "mlfy-fixture: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int imagenet(const char *out, const char *shared, int n_images, int batch_size)
{
	char p[4096], line[512], sha[65];
	json_t *wn, *syn;
	json_error_t je;
	float *logits;
	FILE *order;
	sqlite3 *db;
	sqlite3_stmt *cl, *im, *pr, *ex;
	struct mlfy_store *s;
	struct mlfy_err err;
	int i, row = 0, added = 0;

	snprintf(p, sizeof(p), "%s/data/imagenet/label_indices_to_wordnet_ids.json", shared);
	if (!(wn = json_load_file(p, 0, &je)))
		return die("cannot read %s", p);
	snprintf(p, sizeof(p), "%s/data/imagenet/label_indices_to_full_synonyms.json", shared);
	if (!(syn = json_load_file(p, 0, &je)))
		return die("cannot read %s", p);
	snprintf(p, sizeof(p), "%s/models/imagenet-samples.mobilenetv2-12-int8.logits.npy", shared);
	if (!(logits = read_npy_f32(p, 1000, 1000)))
		return die("cannot read %s", p);
	snprintf(p, sizeof(p), "%s/models/imagenet-samples.order.txt", shared);
	if (!(order = fopen(p, "r")))
		return die("cannot read %s", p);
	if (mlfy_store_open(out, MLFY_STORE_CREATE, &s, &err))
		return die("%s", err.msg);
	mlfy_store_close(s);
	if (sqlite3_open(out, &db) != SQLITE_OK)
		return die("cannot open %s", out);
	wninit();
	fixture_exec(db, "BEGIN");
	sqlite3_prepare_v2(db, "INSERT INTO classes(idx, ext_id, name, synonyms, gloss) VALUES (?1,?2,?3,?4,?5)", -1,
			   &cl, NULL);
	for (i = 0; i < 1000; i++) {
		char key[8], name[256];
		const char *id, *sy, *gl = "";
		SynsetPtr ss;
		snprintf(key, sizeof(key), "%d", i);
		id = json_string_value(json_object_get(wn, key));
		sy = json_string_value(json_object_get(syn, key));
		if (!id || !sy)
			return die("class %s missing in the json files", key);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(sy, ","), sy);
		ss = read_synset(NOUN, strtol(id + 1, NULL, 10), NULL);
		if (ss && ss->defn) {
			gl = ss->defn;
			if (*gl == '(')
				gl++;
		}
		sqlite3_bind_int(cl, 1, i);
		sqlite3_bind_text(cl, 2, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cl, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cl, 4, sy, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(cl, 5, gl, (int)strcspn(gl, ";)"), SQLITE_TRANSIENT);
		if (exec_bind(db, cl))
			return 1;
		if (ss)
			free_synset(ss);
	}
	fixture_exec(db, "INSERT INTO models(id, name, source, kind, created_at) VALUES (1, 'mobilenetv2-12-int8',"
			 " 'shared/models', 'npy-logits', '2026-01-01T00:00:00Z')");
	sqlite3_prepare_v2(db, "INSERT INTO images(id, name, path, original_label, batch, sha256, width, height, bytes,"
			   " added_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'2026-01-01T00:00:00Z')", -1, &im, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO proposals(image_id, model_id, rank, class_idx, score) VALUES (?1,1,?2,?3,?4)",
			   -1, &pr, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO exemplars(class_idx, rank, path, sha256, width, height)"
			   " VALUES (?1, 0, ?2, ?3, ?4, ?5)", -1, &ex, NULL);
	while (fgets(line, sizeof(line), order)) {
		const float *lg = logits + (size_t)row * 1000;
		int top[20], k, j, label = -1, w, h;
		double mx = -1e30, z = 0;
		VipsImage *vi;
		long bytes;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(p, sizeof(p), "%s/data/imagenet-samples/%s", shared, line);
		for (i = 0; i < 1000; i++)
			if (!strncmp(json_string_value(json_object_get(wn, (snprintf(sha, sizeof(sha), "%d", i), sha))),
				     line, 9))
				label = i;
		if (sha256_file(p, sha, &bytes) || !(vi = vips_image_new_from_file(p, NULL)))
			return die("cannot read %s", p);
		w = vips_image_get_width(vi);
		h = vips_image_get_height(vi);
		g_object_unref(vi);
		/* every sample photo is its class's exemplar */
		if (label >= 0) {
			sqlite3_bind_int(ex, 1, label);
			sqlite3_bind_text(ex, 2, p, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ex, 3, sha, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(ex, 4, w);
			sqlite3_bind_int(ex, 5, h);
			if (exec_bind(db, ex))
				return 1;
		}
		if (added < n_images && label >= 0) {
			added++;
			sqlite3_bind_int(im, 1, added);
			sqlite3_bind_text(im, 2, line, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(im, 3, p, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(im, 4, label);
			sqlite3_bind_int(im, 5, (added - 1) / batch_size + 1);
			sqlite3_bind_text(im, 6, sha, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(im, 7, w);
			sqlite3_bind_int(im, 8, h);
			sqlite3_bind_int64(im, 9, bytes);
			if (exec_bind(db, im))
				return 1;
			/* top-20 by logit (ties by index), softmax scores */
			for (i = 0; i < 1000; i++)
				if (lg[i] > mx)
					mx = lg[i];
			for (i = 0; i < 1000; i++)
				z += exp(lg[i] - mx);
			for (k = 0; k < 20; k++) {
				int best = -1;
				for (i = 0; i < 1000; i++) {
					for (j = 0; j < k && top[j] != i; j++)
						;
					if (j < k)
						continue;
					if (best < 0 || lg[i] > lg[best])
						best = i;
				}
				top[k] = best;
				sqlite3_bind_int(pr, 1, added);
				sqlite3_bind_int(pr, 2, k);
				sqlite3_bind_int(pr, 3, best);
				sqlite3_bind_double(pr, 4, exp(lg[best] - mx) / z);
				if (exec_bind(db, pr))
					return 1;
			}
		}
		row++;
	}
	fclose(order);
	sqlite3_finalize(cl);
	sqlite3_finalize(im);
	sqlite3_finalize(pr);
	sqlite3_finalize(ex);
	if (fixture_exec(db, "COMMIT"))
		return 1;
	sqlite3_close(db);
	free(logits);
	json_decref(wn);
	json_decref(syn);
	return 0;
}

/* mlfy-fixture users PROJECT NAME:ROLE... (see the comment at the top) */
static int users(const char *project, int n, char **specs)
{
	struct mlfy_store *s = NULL;
	struct mlfy_err err = { 0 };
	int i, rc = 1;

	if (mlfy_store_open(project, 0, &s, &err) || mlfy_store_begin(s, &err))
		goto out;
	for (i = 0; i < n; i++) {
		char name[128], pw[160], hash[MLFY_PWHASH_BYTES];
		const char *colon = strchr(specs[i], ':');
		enum mlfy_role role;

		if (!colon || colon == specs[i] || (size_t)(colon - specs[i]) >= sizeof(name)) {
			mlfy_err_set(&err, MLFY_EINVAL, "'%s': not NAME:ROLE", specs[i]);
			goto out;
		}
		memcpy(name, specs[i], (size_t)(colon - specs[i]));
		name[colon - specs[i]] = '\0';
		snprintf(pw, sizeof(pw), "%s-password-1", name);
		if (mlfy_role_parse(colon + 1, &role, &err))
			goto out;
		if (crypto_pwhash_str_alg(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
					  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0) {
			mlfy_err_set(&err, MLFY_ENOMEM, "argon2id of %s failed", name);
			goto out;
		}
		if (mlfy_users_add_hashed(s, name, role, hash, NULL, &err))
			goto out;
	}
	rc = mlfy_store_commit(s, &err) ? 1 : 0;
out:
	if (rc)
		die("users: %s", err.msg);
	mlfy_store_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images", required_argument, NULL, 'n' },
		{ "classes", required_argument, NULL, 'c' },
		{ "batch-size", required_argument, NULL, 'b' },
		{ "k", required_argument, NULL, 'k' },
		{ "exemplars", required_argument, NULL, 'e' },
		{ "image-files", required_argument, NULL, 'f' },
		{ "exemplar-classes", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct fixture_spec f = { 50, 40, 10, 20, 10, NULL, 0, NULL, 0 };
	int c, rc;

	if (argc >= 3 && !strcmp(argv[1], "users")) {
		if (sodium_init() < 0)
			return die("%s", "cannot initialise libsodium");
		return users(argv[2], argc - 3, argv + 3);
	}
	if (argc < 4)
		return die("%s", "usage: mlfy-fixture synthetic|imagenet OUT.mlfy DIR|SHARED [options]"
			   " | users PROJECT NAME:ROLE...");
	optind = 4;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': f.n_images = atoi(optarg); break;
		case 'c': f.n_classes = atoi(optarg); break;
		case 'b': f.batch_size = atoi(optarg); break;
		case 'k': f.k = atoi(optarg); break;
		case 'e': f.n_exemplars = atoi(optarg); break;
		case 'f': f.image_files = atoi(optarg); break;
		case 'x': f.exemplar_classes = atoi(optarg); break;
		default: return 2;
		}
	}
	if (f.n_images < 1 || f.n_classes < 1 || f.batch_size < 1 || f.k < 0 || f.n_exemplars < 0)
		return die("%s", "bad numbers");
	if (VIPS_INIT(argv[0]) || sodium_init() < 0)
		return die("%s", "cannot initialise libvips/libsodium");
	if (!strcmp(argv[1], "synthetic"))
		rc = synthetic(argv[2], argv[3], &f);
	else if (!strcmp(argv[1], "imagenet"))
		rc = imagenet(argv[2], argv[3], f.n_images, f.batch_size);
	else
		rc = die("unknown mode '%s'", argv[1]);
	vips_shutdown();
	return rc;
}
