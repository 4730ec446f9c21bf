/* flags.c - unsure answers and problem tags of a save (table
 * annotation_flags) and their coded lists (flags.h). */
#include "store/flags.h"
#include "store/engine.h"
#include "util/vocab.h"

#include <stdio.h>
#include <string.h>

static const char *const unsure_codes[] = MLFY_UNSURE_REASONS;
static const char *const unsure_labels[MLFY_N_UNSURE] = {
	"cannot tell the objects apart", "image too small or blurred", "image broken", "other"
};
static const char *const tag_codes[] = MLFY_TAGS;
static const char *const tag_labels[MLFY_N_TAGS] = {
	"multiple objects", "low resolution or blur", "artificial, drawing or render", "text or watermark",
	"near-duplicate of another image", "object outside the label space", "ambiguous or overlapping classes"
};

int mlfy_unsure_index(const char *code)
{
	return mlfy_name_index(unsure_codes, MLFY_N_UNSURE, code);
}

int mlfy_tag_index(const char *code)
{
	return mlfy_name_index(tag_codes, MLFY_N_TAGS, code);
}

const char *mlfy_unsure_name(int i)
{
	return mlfy_name_of(unsure_codes, MLFY_N_UNSURE, i, "?");
}

const char *mlfy_unsure_label(int i)
{
	return mlfy_name_of(unsure_labels, MLFY_N_UNSURE, i, "?");
}

const char *mlfy_tag_name(int i)
{
	return mlfy_name_of(tag_codes, MLFY_N_TAGS, i, "?");
}

const char *mlfy_tag_label(int i)
{
	return mlfy_name_of(tag_labels, MLFY_N_TAGS, i, "?");
}

static const char SQL_FLAG_PUT[] = "INSERT INTO annotation_flags(annotation_id, kind, code) VALUES (?1, ?2, ?3)";
static const char SQL_FLAG_GET[] = "SELECT kind, code FROM annotation_flags WHERE annotation_id = ?1";

static int put(struct mlfy_store *s, int64_t id, const char *kind, const char *code, struct mlfy_err *err)
{
	struct store_stmt *st;
	STMT(st, SQL_FLAG_PUT);
	stmt_bind_int64(st, 1, id);
	stmt_bind_text(st, 2, kind);
	stmt_bind_text(st, 3, code);
	return store_step_done(s, st, "record the flags of a save", err);
}

int mlfy_flags_append(struct mlfy_store *s, int64_t annotation_id, int unsure, unsigned tags,
		      struct mlfy_err *err)
{
	int rc, i;

	if ((rc = store_require_tx(s, err, "flags")))
		return rc;
	if (unsure < -1 || unsure >= MLFY_N_UNSURE)
		return mlfy_err_set(err, MLFY_EINVAL, "unsure: no reason with index %d", unsure);
	if (tags >> MLFY_N_TAGS)
		return mlfy_err_set(err, MLFY_EINVAL, "tags: unknown tag bits 0x%x", tags);
	if (unsure >= 0 && (rc = put(s, annotation_id, "unsure", unsure_codes[unsure], err)))
		return rc;
	for (i = 0; i < MLFY_N_TAGS; i++)
		if ((tags >> i & 1u) && (rc = put(s, annotation_id, "tag", tag_codes[i], err)))
			return rc;
	return 0;
}

int mlfy_flags_get(struct mlfy_store *s, int64_t annotation_id, int *unsure, unsigned *tags,
		   struct mlfy_err *err)
{
	struct store_stmt *st;
	int rc;

	*unsure = -1;
	*tags = 0;
	STMT(st, SQL_FLAG_GET);
	stmt_bind_int64(st, 1, annotation_id);
	while ((rc = stmt_step(st)) == STORE_ROW) {
		const char *kind = stmt_text(st, 0), *code = stmt_text(st, 1);
		int i;
		if (kind && !strcmp(kind, "unsure"))
			*unsure = mlfy_unsure_index(code);
		else if ((i = mlfy_tag_index(code)) >= 0)
			*tags |= 1u << i;
	}
	stmt_reset(st);
	return rc == STORE_DONE ? 0 : store_fail(s, err, "read the flags of a save");
}

char *mlfy_tags_join(unsigned tags, const char *sep, char *buf, size_t cap)
{
	size_t len = 0;
	int i;

	if (!cap)
		return buf;
	buf[0] = 0;
	for (i = 0; i < MLFY_N_TAGS; i++) {
		int w;
		if (!(tags >> i & 1u))
			continue;
		w = snprintf(buf + len, cap - len, "%s%s", len ? sep : "", tag_codes[i]);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
	return buf;
}
