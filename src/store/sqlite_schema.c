/* sqlite_schema.c - the project schema in SQLite's dialect, as a list of
 * forward migrations (run by sqlite.c).
 *
 * store_migrations[i] upgrades a project from user_version i to i + 1; the
 * store runs the pending ones in one transaction at open.  Never edit a
 * migration that has shipped: append a new one.  docs/schema.md explains
 * every table; keep the two in step.
 */

const char *const store_migrations[] = {
	/* 0 -> 1: the initial schema */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");"
	/* classes: index is the model's output index (0-based) */
	"CREATE TABLE classes ("
	"  idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
	"  ext_id TEXT NOT NULL UNIQUE,"          /* WordNet id (n01440764) or the name */
	"  name TEXT NOT NULL,"
	"  synonyms TEXT NOT NULL DEFAULT '',"    /* comma-separated, as in ImageNet */
	"  gloss TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE TABLE images ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"            /* key in exports: path relative to the import root */
	"  path TEXT NOT NULL,"                   /* absolute path of the file */
	"  original_label INTEGER REFERENCES classes(idx),"
	"  batch INTEGER NOT NULL CHECK (batch >= 1),"
	"  sha256 TEXT NOT NULL,"
	"  width INTEGER NOT NULL CHECK (width > 0),"
	"  height INTEGER NOT NULL CHECK (height > 0),"
	"  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
	"  added_at TEXT NOT NULL"
	");"
	"CREATE INDEX images_sha256 ON images(sha256);"
	"CREATE INDEX images_batch ON images(batch, id);"
	"CREATE TABLE exemplars ("
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  rank INTEGER NOT NULL CHECK (rank >= 0),"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  width INTEGER NOT NULL,"
	"  height INTEGER NOT NULL,"
	"  PRIMARY KEY (class_idx, rank)"
	") WITHOUT ROWID;"
	"CREATE TABLE models ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL DEFAULT '',"      /* file it was imported from / onnx path */
	"  kind TEXT NOT NULL DEFAULT '',"        /* npy-logits, npy-probs, timm-csv, timm-json, onnx */
	"  top1 REAL,"                            /* % vs original labels, when known */
	"  real_accuracy REAL,"                   /* % ReaL accuracy, when known */
	"  created_at TEXT NOT NULL"
	");"
	/* proposals: top-k of one model for one image; rank 0 is the top-1 */
	"CREATE TABLE proposals ("
	"  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
	"  model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,"
	"  rank INTEGER NOT NULL CHECK (rank >= 0),"
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  score REAL NOT NULL,"                  /* softmax probability in [0,1] */
	"  PRIMARY KEY (image_id, model_id, rank)"
	") WITHOUT ROWID;"
	"CREATE TABLE annotators ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('annotator','expert','admin')),"
	"  pw_hash TEXT,"                         /* argon2id string (libsodium), NULL = cannot log in */
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),"
	"  created_at TEXT NOT NULL"
	");"
	/* stage ii: a batch given to an annotator */
	"CREATE TABLE assignments ("
	"  batch INTEGER NOT NULL,"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  assigned_at TEXT NOT NULL,"
	"  PRIMARY KEY (batch, annotator_id)"
	") WITHOUT ROWID;"
	/* annotations: append-only history; one row per save */
	"CREATE TABLE annotations ("
	"  id INTEGER PRIMARY KEY,"
	"  image_id INTEGER NOT NULL REFERENCES images(id),"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  stage TEXT NOT NULL CHECK (stage IN ('annotate','refine')),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  model_id INTEGER REFERENCES models(id),"  /* whose proposals were shown */
	"  comment TEXT NOT NULL DEFAULT '',"
	"  seconds REAL NOT NULL DEFAULT 0,"          /* time on image for this save */
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (image_id, annotator_id, stage, version)"
	");"
	"CREATE INDEX annotations_annotator ON annotations(annotator_id, stage, image_id);"
	"CREATE TABLE annotation_labels ("
	"  annotation_id INTEGER NOT NULL REFERENCES annotations(id),"
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  source TEXT NOT NULL CHECK (source IN ('proposal','search','prefill')),"
	"  PRIMARY KEY (annotation_id, class_idx)"
	") WITHOUT ROWID;"
	"CREATE TRIGGER annotations_append_only_u BEFORE UPDATE ON annotations"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	"CREATE TRIGGER annotations_append_only_d BEFORE DELETE ON annotations"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	"CREATE TRIGGER annotation_labels_append_only_u BEFORE UPDATE ON annotation_labels"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	"CREATE TRIGGER annotation_labels_append_only_d BEFORE DELETE ON annotation_labels"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	/* the current annotation of each (image, annotator, stage) is its latest version */
	"CREATE VIEW current_annotations AS"
	"  SELECT a.* FROM annotations a"
	"  WHERE a.version = (SELECT MAX(b.version) FROM annotations b"
	"    WHERE b.image_id = a.image_id AND b.annotator_id = a.annotator_id"
	"      AND b.stage = a.stage);"
	/* stage iii output: images that go to refinement, and who refines them */
	"CREATE TABLE refinement_queue ("
	"  image_id INTEGER PRIMARY KEY REFERENCES images(id),"
	"  rule TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  expert_id INTEGER REFERENCES annotators(id),"
	"  queued_at TEXT NOT NULL,"
	"  assigned_at TEXT"
	");"
	/* the product: final multi-label sets (an image with a final_status row and
	 * no final_labels rows has an empty set) */
	"CREATE TABLE final_status ("
	"  image_id INTEGER PRIMARY KEY REFERENCES images(id),"
	"  stage TEXT NOT NULL CHECK (stage IN ('agreed','refined','aggregated','imported')),"
	"  annotation_id INTEGER REFERENCES annotations(id),"
	"  decided_at TEXT NOT NULL"
	");"
	"CREATE TABLE final_labels ("
	"  image_id INTEGER NOT NULL REFERENCES final_status(image_id) ON DELETE CASCADE,"
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  PRIMARY KEY (image_id, class_idx)"
	") WITHOUT ROWID;"
	/* zero-label review (images whose final set is empty) */
	"CREATE TABLE zero_label_reviews ("
	"  id INTEGER PRIMARY KEY,"
	"  image_id INTEGER NOT NULL REFERENCES images(id),"
	"  expert_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  category TEXT NOT NULL CHECK (category IN ('no_valid_proposal','low_resolution',"
	"    'fine_grained','unusual_object_or_view')),"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('agree','disagree','unsure')),"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  created_at TEXT NOT NULL"
	");"
	"CREATE INDEX zero_label_reviews_image ON zero_label_reviews(image_id, id);"
	/* raw votes (ReaL's format, or the project's own checkbox answers) */
	"CREATE TABLE questions ("
	"  id INTEGER PRIMARY KEY,"
	"  image_name TEXT NOT NULL,"
	"  class_idx INTEGER NOT NULL,"
	"  UNIQUE (image_name, class_idx)"
	");"
	"CREATE TABLE votes ("
	"  question_id INTEGER NOT NULL REFERENCES questions(id),"
	"  rater TEXT NOT NULL,"
	"  answer INTEGER NOT NULL CHECK (answer IN (0,1,2)),"  /* no, maybe, yes */
	"  source TEXT NOT NULL,"
	"  PRIMARY KEY (question_id, rater, source)"
	") WITHOUT ROWID;"
	/* login sessions of mlfy serve (the token itself is never stored) */
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"   /* unix seconds */
	"  last_seen INTEGER NOT NULL"
	");"
	/* ---- serve (issue 3): lookup indexes for sessions, assignments and the
	 * refinement queue as mlfy serve reads them (docs/schema.md, "serve") */
	"CREATE INDEX serve_sessions_annotator ON sessions(annotator_id);"
	"CREATE INDEX serve_assignments_annotator ON assignments(annotator_id, batch);"
	"CREATE INDEX serve_refinement_queue_expert ON refinement_queue(expert_id, image_id);"
	/* ---- review (issue 4): aggregation results and lookup indexes for
	 * votes and the review tables (docs/review.md, "Store tables") */
	"CREATE TABLE aggregations ("
	"  question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,"
	"  method TEXT NOT NULL CHECK (method IN ('majority','dawid-skene')),"
	"  posterior REAL NOT NULL CHECK (posterior >= 0 AND posterior <= 1),"  /* P(label applies) */
	"  label INTEGER NOT NULL CHECK (label IN (0,1)),"   /* posterior > threshold */
	"  threshold REAL NOT NULL,"
	"  computed_at TEXT NOT NULL,"
	"  PRIMARY KEY (question_id, method)"
	") WITHOUT ROWID;"
	"CREATE INDEX review_votes_source ON votes(source);"
	"CREATE INDEX review_final_status_stage ON final_status(stage, image_id);",
	/* 1 -> 2 (issue 12, item 5): what each decision was based on, and the
	 * audit of reopened images (store/decisions.c; docs/schema.md) */
	"CREATE TABLE decision_basis ("
	"  image_id INTEGER NOT NULL REFERENCES images(id),"
	"  annotation_id INTEGER NOT NULL REFERENCES annotations(id),"
	"  PRIMARY KEY (image_id, annotation_id)"
	") WITHOUT ROWID;"
	"CREATE TABLE reopenings ("
	"  id INTEGER PRIMARY KEY,"
	"  image_id INTEGER NOT NULL REFERENCES images(id),"
	"  reopened_by TEXT NOT NULL,"             /* who (the coordinator's account on the machine) */
	"  reason TEXT NOT NULL DEFAULT '',"
	"  reopened_at TEXT NOT NULL,"
	"  stage TEXT NOT NULL CHECK (stage IN ('agreed','refined','aggregated','imported','queued')),"
	"  labels TEXT NOT NULL DEFAULT '',"       /* the removed final set, class indices space-separated */
	"  annotation_id INTEGER,"                 /* the removed final_status.annotation_id */
	"  decided_at TEXT,"                       /* the removed decision's time (NULL: queued only) */
	"  queue_reason TEXT,"                     /* the removed refinement-queue row's rule:reason, or NULL */
	"  basis TEXT NOT NULL DEFAULT ''"         /* the annotation ids it was based on, space-separated */
	");"
	"CREATE INDEX reopenings_image ON reopenings(image_id, id);"
	"CREATE TRIGGER reopenings_append_only_u BEFORE UPDATE ON reopenings"
	"  BEGIN SELECT RAISE(ABORT, 'reopenings are append-only'); END;"
	"CREATE TRIGGER reopenings_append_only_d BEFORE DELETE ON reopenings"
	"  BEGIN SELECT RAISE(ABORT, 'reopenings are append-only'); END;",
	/* 2 -> 3 (issue 13): quality control of human work: gold images and
	 * the gold tasks placed in annotators' queues (store/gold.c), unsure
	 * answers and problem tags of a save (store/flags.c), and the arms of
	 * the anchoring experiment (store/arms.c); docs/quality.md */
	"CREATE TABLE gold_images ("
	"  image_id INTEGER PRIMARY KEY REFERENCES images(id),"
	"  source TEXT NOT NULL,"                  /* the label file, or 'final' (--from-final) */
	"  annotation_id INTEGER REFERENCES annotations(id),"  /* --from-final: the deciding refinement */
	"  added_at TEXT NOT NULL"
	");"
	/* a gold image with a gold_images row and no gold_labels rows has an empty set */
	"CREATE TABLE gold_labels ("
	"  image_id INTEGER NOT NULL REFERENCES gold_images(image_id) ON DELETE CASCADE,"
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  PRIMARY KEY (image_id, class_idx)"
	") WITHOUT ROWID;"
	/* a gold image in an annotator's stage-ii queue: shown before the
	 * annotator's own image number position (0-based, in their batch order;
	 * the number of their own images = after the last), seq orders gold
	 * tasks at one position */
	"CREATE TABLE gold_tasks ("
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  image_id INTEGER NOT NULL REFERENCES images(id),"
	"  position INTEGER NOT NULL CHECK (position >= 0),"
	"  seq INTEGER NOT NULL,"
	"  assigned_at TEXT NOT NULL,"
	"  PRIMARY KEY (annotator_id, image_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX gold_tasks_image ON gold_tasks(image_id, annotator_id);"
	/* unsure answers (kind 'unsure', code = reason) and problem tags (kind
	 * 'tag') of one save; append-only like the save itself */
	"CREATE TABLE annotation_flags ("
	"  annotation_id INTEGER NOT NULL REFERENCES annotations(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('unsure','tag')),"
	"  code TEXT NOT NULL,"
	"  PRIMARY KEY (annotation_id, kind, code)"
	") WITHOUT ROWID;"
	"CREATE TRIGGER annotation_flags_append_only_u BEFORE UPDATE ON annotation_flags"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	"CREATE TRIGGER annotation_flags_append_only_d BEFORE DELETE ON annotation_flags"
	"  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;"
	/* the anchoring experiment: how each refinement task is shown */
	"CREATE TABLE refinement_arms ("
	"  image_id INTEGER PRIMARY KEY REFERENCES images(id),"
	"  arm TEXT NOT NULL CHECK (arm IN ('shown','blind')),"
	"  planted_class INTEGER REFERENCES classes(idx),"  /* a known-wrong label pre-checked (gold images) */
	"  seed INTEGER NOT NULL,"
	"  assigned_at TEXT NOT NULL"
	");",
	/* 3 -> 4 (issue 14): the coordinator's console (docs/admin.md).
	 * Invitations: one-time links whose token only the SHA-256 of is kept
	 * (store/invites.c); the audit log of admin actions, append-only
	 * (store/audit.c); and the change sequence of the final labels that
	 * the live project view follows (store/live_input.c): every insert,
	 * update or delete of a final_status row (mlfy_final_put and
	 * mlfy_final_delete write one per decision) gives the image the next
	 * seq, so that a reader holding seq S reads only the images decided,
	 * changed or reopened since. */
	"CREATE TABLE invites ("
	"  token_hash TEXT PRIMARY KEY,"           /* hex SHA-256 of the token */
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  created_by TEXT NOT NULL,"              /* the admin's account, or shell:LOGIN */
	"  created_at INTEGER NOT NULL,"           /* unix seconds */
	"  expires_at INTEGER NOT NULL,"           /* unix seconds */
	"  used_at INTEGER,"                       /* redeemed (the password set) */
	"  revoked_at INTEGER"                     /* replaced by a newer invitation, or revoked */
	");"
	"CREATE INDEX invites_annotator ON invites(annotator_id);"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"                      /* ISO-8601 UTC */
	"  actor TEXT NOT NULL,"                   /* the admin's account, or shell:LOGIN */
	"  via TEXT NOT NULL CHECK (via IN ('console','cli')),"
	"  action TEXT NOT NULL,"                  /* e.g. user.invite, assign, analyze */
	"  params TEXT NOT NULL DEFAULT '{}',"     /* JSON object */
	"  result TEXT NOT NULL DEFAULT '',"       /* JSON, or the error message */
	"  ok INTEGER NOT NULL CHECK (ok IN (0,1))"
	");"
	"CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TABLE final_changes ("
	"  image_id INTEGER PRIMARY KEY,"
	"  seq INTEGER NOT NULL"
	");"
	"CREATE INDEX final_changes_seq ON final_changes(seq);"
	"CREATE TRIGGER final_changes_i AFTER INSERT ON final_status BEGIN"
	"  INSERT INTO final_changes(image_id, seq)"
	"  VALUES (NEW.image_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM final_changes))"
	"  ON CONFLICT(image_id) DO UPDATE SET seq = excluded.seq; END;"
	"CREATE TRIGGER final_changes_u AFTER UPDATE ON final_status BEGIN"
	"  INSERT INTO final_changes(image_id, seq)"
	"  VALUES (NEW.image_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM final_changes))"
	"  ON CONFLICT(image_id) DO UPDATE SET seq = excluded.seq; END;"
	"CREATE TRIGGER final_changes_d AFTER DELETE ON final_status BEGIN"
	"  INSERT INTO final_changes(image_id, seq)"
	"  VALUES (OLD.image_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM final_changes))"
	"  ON CONFLICT(image_id) DO UPDATE SET seq = excluded.seq; END;",
	/* 4 -> 5 (issue B): ReaL's verification protocol (review/verify.h,
	 * store/verify.c; docs/schema.md, "verification").  Which questions
	 * belong to the project's protocol and where they came from; which
	 * rater answers which; the pages of the grid (a client_page_id once
	 * per rater: a re-send writes nothing) and the answers, append-only
	 * with a version per (question, rater); the current answers as votes
	 * of source 'verify' (store/votes.c reads them beside the votes table). */
	"CREATE TABLE verify_questions ("
	"  question_id INTEGER PRIMARY KEY REFERENCES questions(id),"
	"  origin TEXT NOT NULL,"                  /* 'model:NAME rank R; ...; original' at creation */
	"  created_at TEXT NOT NULL"
	");"
	"CREATE TABLE verify_assignments ("
	"  question_id INTEGER NOT NULL REFERENCES verify_questions(question_id),"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  assigned_at TEXT NOT NULL,"
	"  PRIMARY KEY (question_id, annotator_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX verify_assignments_annotator ON verify_assignments(annotator_id, question_id);"
	"CREATE TABLE verify_pages ("
	"  id INTEGER PRIMARY KEY,"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  class_idx INTEGER NOT NULL REFERENCES classes(idx),"
	"  client_page_id TEXT NOT NULL,"          /* chosen by the client: the re-send key */
	"  seconds REAL NOT NULL CHECK (seconds >= 0),"  /* time on the page */
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (annotator_id, client_page_id)"
	");"
	"CREATE TABLE verify_answers ("
	"  id INTEGER PRIMARY KEY,"
	"  page_id INTEGER NOT NULL REFERENCES verify_pages(id),"
	"  question_id INTEGER NOT NULL REFERENCES verify_questions(question_id),"
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  answer INTEGER NOT NULL CHECK (answer IN (0,1,2)),"  /* no, maybe, yes */
	"  bulk INTEGER NOT NULL DEFAULT 0 CHECK (bulk IN (0,1)),"  /* 1: the "no for the rest" key */
	"  seconds REAL NOT NULL DEFAULT 0 CHECK (seconds >= 0),"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (question_id, annotator_id, version)"
	");"
	"CREATE INDEX verify_answers_page ON verify_answers(page_id);"
	"CREATE INDEX verify_answers_annotator ON verify_answers(annotator_id, question_id);"
	"CREATE TRIGGER verify_pages_append_only_u BEFORE UPDATE ON verify_pages"
	"  BEGIN SELECT RAISE(ABORT, 'verification answers are append-only'); END;"
	"CREATE TRIGGER verify_pages_append_only_d BEFORE DELETE ON verify_pages"
	"  BEGIN SELECT RAISE(ABORT, 'verification answers are append-only'); END;"
	"CREATE TRIGGER verify_answers_append_only_u BEFORE UPDATE ON verify_answers"
	"  BEGIN SELECT RAISE(ABORT, 'verification answers are append-only'); END;"
	"CREATE TRIGGER verify_answers_append_only_d BEFORE DELETE ON verify_answers"
	"  BEGIN SELECT RAISE(ABORT, 'verification answers are append-only'); END;"
	/* the current answer of each (question, rater) is its latest version */
	"CREATE VIEW current_verify_answers AS"
	"  SELECT a.* FROM verify_answers a"
	"  WHERE a.version = (SELECT MAX(b.version) FROM verify_answers b"
	"    WHERE b.question_id = a.question_id AND b.annotator_id = a.annotator_id);"
	/* ... as votes (rater = account name, source 'verify') */
	"CREATE VIEW verify_votes AS"
	"  SELECT c.question_id, n.name AS rater, c.answer, 'verify' AS source"
	"  FROM current_verify_answers c JOIN annotators n ON n.id = c.annotator_id;",

	/* 5 -> 6: votes rebuilt with its key columns first, in key order.
	 * SQLite 3.40.1 (Debian 12) misreads a WITHOUT ROWID table whose
	 * non-key column (answer) sits between key columns: PRAGMA
	 * integrity_check reported "NULL value in votes.answer" for every
	 * project holding votes, so `mlfy check` failed on them.  Nothing
	 * refers to votes, so it is copied, dropped and renamed. */
	"CREATE TABLE votes_v6 ("
	"  question_id INTEGER NOT NULL REFERENCES questions(id),"
	"  rater TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  answer INTEGER NOT NULL CHECK (answer IN (0,1,2)),"  /* no, maybe, yes */
	"  PRIMARY KEY (question_id, rater, source)"
	") WITHOUT ROWID;"
	"INSERT INTO votes_v6(question_id, rater, source, answer)"
	"  SELECT question_id, rater, source, answer FROM votes;"
	"DROP TABLE votes;"
	"ALTER TABLE votes_v6 RENAME TO votes;"
	"CREATE INDEX review_votes_source ON votes(source);",

	/* 6 -> 7 (issue 16, item 3): the login throttle in the store, shared
	 * by every `mlfy serve` instance on the project and kept across
	 * restarts (store/login_throttle.c; the rule is serve/ratelimit.c's).
	 * One row per throttled key: a hex digest of a (name, address) pair or
	 * of an address alone, never a name, address or password.  Throttling
	 * state, not history: rows are replaced and pruned. */
	"CREATE TABLE login_throttle ("
	"  key TEXT PRIMARY KEY,"                  /* hex BLAKE2b of the pair or the address */
	"  fails INTEGER NOT NULL CHECK (fails >= 0),"
	"  until_at INTEGER NOT NULL,"             /* unix seconds: refused before (0: never) */
	"  last_at INTEGER NOT NULL"               /* unix seconds: the last failure */
	");"
	"CREATE INDEX login_throttle_last ON login_throttle(last_at);"
	/* (issue 16, item 5) progress_counts: per (person, stage, batch) the
	 * images with at least one saved annotation, so that a task list's
	 * "done" count and its first open task need not read every save of
	 * the person (store/taskpage.c).  Derived data, not history: kept by
	 * the trigger below in the transaction of the save (an image counts at
	 * its first version: no version of it below NEW's), filled here from
	 * the history of an existing project, verified by `mlfy check`
	 * against a recount (store/progress.c). */
	"CREATE TABLE progress_counts ("
	"  annotator_id INTEGER NOT NULL REFERENCES annotators(id),"
	"  stage TEXT NOT NULL CHECK (stage IN ('annotate','refine')),"
	"  batch INTEGER NOT NULL,"                /* images.batch of the images counted */
	"  n INTEGER NOT NULL CHECK (n >= 0),"     /* distinct images with a saved annotation */
	"  PRIMARY KEY (annotator_id, stage, batch)"
	") WITHOUT ROWID;"
	"INSERT INTO progress_counts(annotator_id, stage, batch, n)"
	"  SELECT a.annotator_id, a.stage, i.batch, COUNT(DISTINCT a.image_id)"
	"  FROM annotations a JOIN images i ON i.id = a.image_id"
	"  GROUP BY a.annotator_id, a.stage, i.batch;"
	"CREATE TRIGGER annotations_progress AFTER INSERT ON annotations"
	"  WHEN NOT EXISTS (SELECT 1 FROM annotations b WHERE b.image_id = NEW.image_id"
	"    AND b.annotator_id = NEW.annotator_id AND b.stage = NEW.stage AND b.version < NEW.version)"
	"  BEGIN"
	"    INSERT INTO progress_counts(annotator_id, stage, batch, n)"
	"      SELECT NEW.annotator_id, NEW.stage, i.batch, 1 FROM images i WHERE i.id = NEW.image_id"
	"      ON CONFLICT (annotator_id, stage, batch) DO UPDATE SET n = n + 1;"
	"  END;",
};

const int store_n_migrations = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));
