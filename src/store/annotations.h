/* annotations.h - typed access to the people side of a project: accounts
 * (annotators, experts, admins), login sessions, batch assignments, the
 * append-only annotation history (stages ii and iv), per-person task lists,
 * the page's task view and the admin dashboard (SQLite backend in
 * annotations.c).  The refinement queue, final labels and zero-label reviews
 * belong to store/review.h: this file's functions read and write them only
 * through it (a refinement save finalises the image with
 * mlfy_review_finalize and records its zero-label review with
 * mlfy_review_zero_add).
 *
 * Writes need an open transaction unless the function says it opens its own
 * (the ones marked "one transaction" do, and must be called outside one).
 * Every struct filled by a getter owns its strings; release it with the
 * matching release or free function (which accept zeroed structs / NULL).
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash_str,
 * OPSLIMIT/MEMLIMIT_INTERACTIVE); session tokens are 256-bit random values of
 * which only the SHA-256 is stored.
 */
#ifndef MLFY_STORE_ANNOTATIONS_H
#define MLFY_STORE_ANNOTATIONS_H

#include <stddef.h>
#include <stdint.h>
#include "store/review.h"
#include "store/store.h"

/* ---- accounts ------------------------------------------------------------- */

enum mlfy_role {
	MLFY_ROLE_ANNOTATOR = 0,   /* stage ii: labels images of assigned batches */
	MLFY_ROLE_EXPERT = 1,      /* stage iv: refines images of the refinement queue */
	MLFY_ROLE_ADMIN = 2        /* dashboard; no labelling unless assigned */
};

/* "annotator" / "expert" / "admin" (static strings). */
const char *mlfy_role_name(enum mlfy_role r);
/* Parses a role name; MLFY_EINVAL naming the word when unknown. */
int mlfy_role_parse(const char *s, enum mlfy_role *r, struct mlfy_err *err);

/* Minimum and maximum password length in bytes. */
#define MLFY_PASSWORD_MIN 8
#define MLFY_PASSWORD_MAX 1024

struct mlfy_user {
	int64_t id;
	char *name;          /* [A-Za-z0-9._-]{1,64}, unique */
	enum mlfy_role role;
	int disabled;        /* 1: cannot log in, sessions dropped */
	int has_password;    /* 0: the account cannot log in yet */
	char created_at[32]; /* ISO-8601 UTC */
};

void mlfy_user_release(struct mlfy_user *u);
/* Releases n users and frees the array.  Accepts NULL. */
void mlfy_users_free(struct mlfy_user *u, size_t n);

/* 0 when name is a valid account name, MLFY_EINVAL (message names it) else. */
int mlfy_user_name_check(const char *name, struct mlfy_err *err);

/* Adds an account.  password (borrowed, NUL-terminated) may be NULL for an
 * account that cannot log in until mlfy_users_set_password; otherwise it
 * must be MLFY_PASSWORD_MIN..MAX bytes.  *id (may be NULL) receives the new
 * id.  MLFY_ECONFLICT when the name exists.  Needs a transaction. */
int mlfy_users_add(struct mlfy_store *s, const char *name, enum mlfy_role role,
		   const char *password, int64_t *id, struct mlfy_err *err);

/* All accounts ordered by name: *out a new array (mlfy_users_free). */
int mlfy_users_list(struct mlfy_store *s, struct mlfy_user **out, size_t *n,
		    struct mlfy_err *err);

/* One account by name / id into *out (mlfy_user_release); MLFY_ENOTFOUND. */
int mlfy_users_get(struct mlfy_store *s, const char *name, struct mlfy_user *out,
		   struct mlfy_err *err);
int mlfy_users_get_id(struct mlfy_store *s, int64_t id, struct mlfy_user *out,
		      struct mlfy_err *err);

/* Enables (disabled = 0) or disables an account; disabling also ends all its
 * sessions.  MLFY_ENOTFOUND.  Needs a transaction. */
int mlfy_users_set_disabled(struct mlfy_store *s, const char *name, int disabled,
			    struct mlfy_err *err);

/* Sets a new password (length as in add) and ends all sessions of the
 * account.  MLFY_ENOTFOUND.  Needs a transaction. */
int mlfy_users_set_password(struct mlfy_store *s, const char *name,
			    const char *password, struct mlfy_err *err);

/* Checks a login.  On success fills *out (release it).  Unknown name, wrong
 * password, no password and disabled account all return MLFY_EPERM with the
 * same message ("wrong user name or password"), so a caller cannot probe
 * which names exist; an unknown name still costs one argon2id verification.
 * Read-only.  Each call takes about 64 MiB for argon2id: a multi-threaded
 * caller serialises calls (mlfy serve does), which also makes the lazy
 * set-up of the dummy hash for unknown names race-free. */
int mlfy_users_verify(struct mlfy_store *s, const char *name, const char *password,
		      struct mlfy_user *out, struct mlfy_err *err);

/* ---- sessions ------------------------------------------------------------- */

/* Token and CSRF token: 64 lowercase hex characters (256 random bits). */
#define MLFY_TOKEN_LEN 64

struct mlfy_session {
	struct mlfy_user user;               /* the logged-in account (owned) */
	char csrf[MLFY_TOKEN_LEN + 1];       /* to be echoed in X-CSRF-Token */
	int64_t created;                     /* unix seconds */
	int64_t last_seen;                   /* unix seconds */
};

void mlfy_session_release(struct mlfy_session *ss);

/* Starts a session for user_id at time now (unix seconds): fills token and
 * csrf with fresh random hex strings (NUL-terminated, MLFY_TOKEN_LEN
 * characters); only SHA-256(token) is stored.  Needs a transaction. */
int mlfy_sessions_create(struct mlfy_store *s, int64_t user_id, int64_t now,
			 char token[MLFY_TOKEN_LEN + 1], char csrf[MLFY_TOKEN_LEN + 1],
			 struct mlfy_err *err);

/* Looks a token up at time now.  A session idle for more than idle_s seconds
 * (now - last_seen > idle_s), or whose account is disabled, is deleted and
 * MLFY_ENOTFOUND returned, as for an unknown or malformed token.  last_seen
 * is refreshed when it is older than touch_s seconds (so a busy session does
 * not write on every request; the effective idle limit is thus between
 * idle_s - touch_s and idle_s).  Opens its own short transaction when it
 * writes (one transaction; must be called outside one).  Fills *out. */
int mlfy_sessions_lookup(struct mlfy_store *s, const char *token, int64_t now,
			 int64_t idle_s, int64_t touch_s, struct mlfy_session *out,
			 struct mlfy_err *err);

/* Sets last_seen of token's session to now (no error when there is none).
 * One transaction: call outside one.  For callers that look sessions up
 * with touch_s = INT64_MAX and refresh them under their own write lock. */
int mlfy_sessions_touch(struct mlfy_store *s, const char *token, int64_t now,
			struct mlfy_err *err);

/* Ends the session of token (no error when there is none).  Needs a
 * transaction. */
int mlfy_sessions_delete(struct mlfy_store *s, const char *token, struct mlfy_err *err);

/* Deletes sessions idle for more than idle_s at time now; *n (may be NULL)
 * receives how many.  Needs a transaction. */
int mlfy_sessions_purge(struct mlfy_store *s, int64_t now, int64_t idle_s, int64_t *n,
			struct mlfy_err *err);

/* ---- assignments (stage ii) ----------------------------------------------- */

struct mlfy_assign_load {
	int64_t annotator_id;
	char *annotator;     /* name (owned) */
	int batches;         /* batches assigned after the run */
	int64_t images;      /* images in those batches */
	int added;           /* batches added by this run */
};

struct mlfy_assign_report {
	int n_batches;              /* batches in the project */
	int added;                  /* assignments created by this run */
	int complete;               /* batches that now have per_image annotators */
	struct mlfy_assign_load *load;  /* one per candidate, ordered by name */
	size_t n_load;
};

void mlfy_assign_report_release(struct mlfy_assign_report *r);

/* Gives every batch of the project to per_image annotators (the paper: each
 * batch to 2).  Candidates are names[0..n) (borrowed; enabled accounts of any
 * role), or when n == 0 every enabled account with role annotator.  Existing
 * assignments are never removed or moved, so re-running after adding images
 * (new batches) or people only adds.  Each missing slot goes to the candidate
 * with the fewest assigned images (ties: fewest batches, then name order),
 * never twice to the same batch: the greedy "least loaded first" rule, which
 * keeps loads within one batch of each other when batches are equal-sized.
 * Errors: MLFY_EINVAL when per_image < 1 or more than the candidates,
 * MLFY_ENOTFOUND for an unknown/disabled name.  One transaction. */
int mlfy_assign_batches(struct mlfy_store *s, int per_image, const char *const *names,
			size_t n, struct mlfy_assign_report *rep, struct mlfy_err *err);

/* ---- annotations ---------------------------------------------------------- */

enum mlfy_stage {
	MLFY_STAGE_ANNOTATE = 0,   /* stage ii */
	MLFY_STAGE_REFINE = 1      /* stage iv */
};
const char *mlfy_stage_name(enum mlfy_stage st);   /* "annotate" / "refine" */
int mlfy_stage_parse(const char *s, enum mlfy_stage *st, struct mlfy_err *err);

enum mlfy_label_source {
	MLFY_SOURCE_PROPOSAL = 0,   /* ticked among the shown proposals */
	MLFY_SOURCE_SEARCH = 1,     /* added through the class search (outside the proposals) */
	MLFY_SOURCE_PREFILL = 2     /* kept from the pre-checked stage-ii union (refinement) */
};
#define MLFY_N_SOURCES 3
/* "proposal" / "search" / "prefill" (static; "?" out of range). */
const char *mlfy_source_name(enum mlfy_label_source src);
/* Human-readable: "model proposal" / "class search" / "pre-checked (stage ii)". */
const char *mlfy_source_label(enum mlfy_label_source src);
int mlfy_source_parse(const char *s, enum mlfy_label_source *src, struct mlfy_err *err);

struct mlfy_label_choice {
	int class_idx;
	enum mlfy_label_source source;
};

/* Longest comment, in UTF-8 code points (what the page's box counts). */
#define MLFY_COMMENT_MAX 4000

struct mlfy_annotation_save {
	int64_t image_id;
	int64_t annotator_id;
	enum mlfy_stage stage;
	int64_t base_version;     /* the version the client last saw; 0 = none yet */
	const struct mlfy_label_choice *labels;  /* borrowed; may be NULL when n_labels == 0 */
	size_t n_labels;          /* 0 = "none of these", an explicit empty set */
	const char *comment;      /* borrowed, may be NULL = ""; UTF-8, at most 4000 characters
				   * (code points, as the page's box counts them) */
	double seconds;           /* cumulative time on the image, >= 0, < 1e7 */
	/* refinement only, and only for an empty set: the zero-label review
	 * (both NULL = none), names from MLFY_ZERO_CATEGORIES and
	 * MLFY_ZERO_VERDICTS (store/review.h) */
	const char *zl_category;
	const char *zl_verdict;
};

/* Appends one version to the annotation history of (image, annotator,
 * stage) in one transaction: checks the annotator may label the image
 * (MLFY_EPERM: stage ii needs an assignment of the image's batch, stage iv a
 * refinement-queue row for this expert), that base_version is the current
 * version (else MLFY_ECONFLICT: a stale save from a second tab), that labels
 * are known classes without duplicates (MLFY_EINVAL), and for a refinement
 * that changes the pre-checked union of the stage-ii sets, that a comment is
 * given (MLFY_EINVAL).  Records the active proposal model.
 *
 * A refinement (stage iv) also becomes the image's final set in the same
 * transaction: mlfy_review_finalize (final stage "refined", annotation_id =
 * this save), and a zero-label review given with an empty set is appended
 * with mlfy_review_zero_add (the comment is the save's comment).  So the
 * final labels always match the expert's latest save, and a failure of any
 * part writes nothing.
 *
 * *version receives the new version (base_version + 1).  Cost: a few index
 * lookups, independent of the number of saved annotations. */
int mlfy_annotations_save(struct mlfy_store *s, const struct mlfy_annotation_save *in,
			  int64_t *version, struct mlfy_err *err);

struct mlfy_annotation {
	int64_t id;
	int64_t image_id;
	int64_t annotator_id;
	char *annotator;          /* name (owned) */
	enum mlfy_stage stage;
	int64_t version;
	char *comment;            /* owned, "" when none */
	double seconds;
	char created_at[32];
	struct mlfy_label_choice *labels;   /* owned, ordered by class index */
	size_t n_labels;
};

void mlfy_annotation_release(struct mlfy_annotation *a);
void mlfy_annotations_free(struct mlfy_annotation *a, size_t n);

/* The current (latest) version of (image, annotator, stage) into *out;
 * MLFY_ENOTFOUND when never saved. */
int mlfy_annotations_current(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
			     enum mlfy_stage stage, struct mlfy_annotation *out,
			     struct mlfy_err *err);

/* The current versions of every annotator for (image, stage), ordered by
 * annotator name: *out a new array (mlfy_annotations_free). */
int mlfy_annotations_of_image(struct mlfy_store *s, int64_t image_id, enum mlfy_stage stage,
			      struct mlfy_annotation **out, size_t *n, struct mlfy_err *err);

/* Number of saved versions (history rows) of (image, annotator, stage). */
int mlfy_annotations_n_versions(struct mlfy_store *s, int64_t image_id, int64_t annotator_id,
				enum mlfy_stage stage, int64_t *n, struct mlfy_err *err);

/* ---- task lists and access checks ----------------------------------------- */

struct mlfy_task_list {
	int64_t *image_ids;     /* owned; stage ii: assigned batches' images by (batch, id);
				 * stage iv: the expert's refinement-queue rows in image-name
				 * order (mlfy_review_queue_list) */
	unsigned char *done;    /* owned; done[i] = 1 when image_ids[i] is done: stage ii, the
				 * user saved an annotation; stage iv, its final set is a
				 * refinement (final stage "refined") */
	size_t n;
	size_t n_done;
};

void mlfy_task_list_release(struct mlfy_task_list *t);

/* The images user_id is to label in stage st, in a stable order. */
int mlfy_tasks_list(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st,
		    struct mlfy_task_list *out, struct mlfy_err *err);

/* 0 when user_id may label image_id in stage st; MLFY_ENOTFOUND when the
 * image does not exist, MLFY_EPERM when it is not theirs. */
int mlfy_tasks_check(struct mlfy_store *s, int64_t user_id, enum mlfy_stage st,
		     int64_t image_id, struct mlfy_err *err);

/* 0 when user_id may view image_id in any stage (assigned batch or queued to
 * them); MLFY_ENOTFOUND / MLFY_EPERM as above. */
int mlfy_tasks_can_view(struct mlfy_store *s, int64_t user_id, int64_t image_id,
			struct mlfy_err *err);

/* ---- the page's task view ------------------------------------------------- */

struct mlfy_view_class {
	int idx;
	char *ext_id, *name, *synonyms, *gloss;   /* owned */
	int n_exemplars;
};

struct mlfy_view_proposal {
	int rank;          /* 0 = top-1 */
	int class_idx;
	double score;      /* softmax probability */
};

/* Proposals shown per image in stages ii and iv (the paper: the top-20, in
 * four groups of MLFY_TASK_GROUP). */
#define MLFY_TASK_TOP_K 20
#define MLFY_TASK_GROUP 5

struct mlfy_task_view {
	int64_t image_id;
	char *name;              /* owned: image name */
	int width, height, batch;
	int original_label;      /* class index or -1 */
	char sha256[65];
	struct mlfy_view_proposal *proposals;  /* owned, by rank; of the active model */
	size_t n_proposals;
};

void mlfy_task_view_release(struct mlfy_task_view *v);

/* The image and its top-k (at most k) proposals of the active proposal model
 * (meta "proposal_model", else the latest model) into *out.
 * MLFY_ENOTFOUND when the image does not exist. */
int mlfy_task_view_get(struct mlfy_store *s, int64_t image_id, size_t k,
		       struct mlfy_task_view *out, struct mlfy_err *err);

void mlfy_view_classes_free(struct mlfy_view_class *c, size_t n);

/* Classes idx[0..n) (any order, duplicates allowed) into *out, a new array
 * of the distinct known ones ordered by index (mlfy_view_classes_free). */
int mlfy_view_classes(struct mlfy_store *s, const int *idx, size_t n,
		      struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err);

/* Class search for the page's "add a label" box: classes whose name,
 * synonyms or external id contain q (ASCII case-insensitive; a decimal q
 * also matches that index), at most limit (capped at 200), best first:
 * the index q, then a name or synonym equal to q, then q as whole words of
 * the name or synonyms ("cat" finds "tabby cat" before "catamaran";
 * commas and hyphens count as spaces), then names starting with q, then
 * words starting with q, then any substring; ties by shorter name, then
 * index.  q longer than 200 bytes: MLFY_EINVAL. */
int mlfy_view_search_classes(struct mlfy_store *s, const char *q, size_t limit,
			     struct mlfy_view_class **out, size_t *n_out, struct mlfy_err *err);

/* Image file of image_id: *path (new string, free()) and sha256 (65 bytes). */
int mlfy_view_image_file(struct mlfy_store *s, int64_t image_id, char **path,
			 char sha256[65], struct mlfy_err *err);
/* Exemplar file of (class, rank) likewise. */
int mlfy_view_exemplar_file(struct mlfy_store *s, int class_idx, int rank, char **path,
			    char sha256[65], struct mlfy_err *err);

/* ---- dashboard ------------------------------------------------------------ */

struct mlfy_dash_row {
	int batch;
	int64_t annotator_id;
	char *annotator;          /* owned */
	int64_t assigned;         /* images in the batch */
	int64_t done;             /* of those, with a saved stage-ii annotation */
	double median_seconds;    /* median time on image over done images (0 when none) */
	double labels_per_image;  /* mean label count over done images (0 when none) */
	int64_t empty;            /* done images saved as "none of these" */
};

struct mlfy_dashboard {
	struct mlfy_dash_row *rows;  /* owned, ordered by (batch, annotator name) */
	size_t n_rows;
	int64_t n_images;            /* images in the project */
	struct mlfy_review_stats review;  /* final labels by stage, the refinement queue
					   * and zero-label reviews (mlfy_review_stats_get) */
};

void mlfy_dashboard_release(struct mlfy_dashboard *d);

/* Per batch x annotator progress of stage ii, plus the review counts of
 * mlfy_review_stats_get (one read snapshot for both). */
int mlfy_dashboard_get(struct mlfy_store *s, struct mlfy_dashboard *out, struct mlfy_err *err);

#endif
