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
/* GET /api/exemplars/<class>/<rank>?size=: an exemplar, unless its content
 * is an image of the person's own tasks (store/taskview.h). */
enum MHD_Result h_exemplar(struct req *r, const char *rest);

#endif
