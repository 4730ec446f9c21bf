/* served.h - when each task was last served to each session (served.c):
 * the server's own clock for the time a person can have spent on an image,
 * which caps the seconds a save may claim (review/save.h, elapsed_max).
 * A fixed in-memory table (SERVED_SLOTS entries, keyed by SipHash of the
 * session token, the stage and the image id with a random key): bounded
 * memory whatever the number of sessions; the oldest entry of a full probe
 * window is given up.  Lost at a restart. */
#ifndef MLFY_SERVE_SERVED_H
#define MLFY_SERVE_SERVED_H

#include <stdint.h>

#define SERVED_SLOTS 8192
#define SERVED_WINDOW 8

/* Records that the session with this token was sent (image_id, stage) now
 * (a GET of the task, or a save of it that was accepted). */
void served_note(const char *token, int64_t image_id, int stage);

/* Seconds since served_note for (token, image_id, stage), or fallback when
 * there is no record (never served to this session, forgotten, or served
 * before a restart). */
double served_elapsed(const char *token, int64_t image_id, int stage, double fallback);

#endif
