/* images.h - project images and class exemplars over HTTP (images.c):
 * thumbnails and display sizes made with libvips and cached on disk by
 * content hash, originals verified against their import hash. */
#ifndef MLFY_SERVE_IMAGES_H
#define MLFY_SERVE_IMAGES_H

#include "serve/state.h"

/* Starts libvips once and makes sure the cache directory exists and is
 * writable.  0 or MLFY_EIO. */
int images_init(struct mlfy_server *srv, struct mlfy_err *err);

/* GET /api/images/<id>?size=thumb|display|full: an image of the person's
 * tasks (any image for an admin). */
enum MHD_Result h_image(struct req *r, const char *rest);
/* Replies with image image_id at the size asked by ?size= (thumb, display
 * or full), as h_image does once access is granted: the caller has checked
 * that the person may see it (serve/verify.c: a verification question of
 * theirs).  404 when the image does not exist. */
enum MHD_Result image_reply(struct req *r, int64_t image_id);
/* GET /api/exemplars/<class>/<rank>?size=: an exemplar, unless its content
 * is an image of the person's own tasks (store/taskview.h). */
enum MHD_Result h_exemplar(struct req *r, const char *rest);

#endif
