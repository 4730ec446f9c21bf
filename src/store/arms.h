/* arms.h - the arms of the anchoring experiment (arms.c; table
 * refinement_arms): whether a refinement task is shown with the earlier
 * annotators' sets pre-checked ("shown", the paper's stage iv) or blind
 * (nothing pre-checked, the earlier sets hidden), and a known-wrong label
 * planted among the pre-checked ones of a gold image.  An image without a
 * row is "shown" and has no planted label.  Writes need an open
 * transaction.  docs/quality.md tells what the design lets one conclude. */
#ifndef MLFY_STORE_ARMS_H
#define MLFY_STORE_ARMS_H

#include <stdint.h>
#include "store/store.h"

enum mlfy_arm { MLFY_ARM_SHOWN = 0, MLFY_ARM_BLIND = 1 };

struct mlfy_arm_row {
	enum mlfy_arm arm;
	int planted;         /* class index of the planted wrong label, -1 when none */
};

/* Records image_id's arm, planted class (-1 = none) and the seed that drew
 * them; an image's arm is drawn once: a second call for the same image
 * keeps the first (*kept = 1; kept may be NULL). */
int mlfy_arm_put(struct mlfy_store *s, int64_t image_id, enum mlfy_arm arm, int planted, int64_t seed,
		 int *kept, struct mlfy_err *err);

/* image_id's arm into *out (MLFY_ARM_SHOWN, planted -1 when it has none). */
int mlfy_arm_get(struct mlfy_store *s, int64_t image_id, struct mlfy_arm_row *out, struct mlfy_err *err);

/* "shown" / "blind". */
const char *mlfy_arm_name(enum mlfy_arm a);
#endif
