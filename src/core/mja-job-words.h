/* mja-job-words.h — a job in words: its kind, model and parameters as people say them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a person calls a job, merged across the two API eras (legacy
 * "grid"/"upscale" + eventType, current job_type/event_type). */
typedef enum
{
  MJA_JOB_CATEGORY_IMAGE,      /* a fresh generation: imagine, diffusion, grid */
  MJA_JOB_CATEGORY_DRAFT,
  MJA_JOB_CATEGORY_VARIATION,  /* variation, remix, reroll */
  MJA_JOB_CATEGORY_EDIT,       /* pan, zoom out, vary region, inpaint, outpaint */
  MJA_JOB_CATEGORY_UPSCALE,
  MJA_JOB_CATEGORY_VIDEO,
  MJA_JOB_CATEGORY_OTHER,
} MjaJobCategory;

#define MJA_JOB_CATEGORY_COUNT (MJA_JOB_CATEGORY_OTHER + 1)

MjaJobCategory  mja_job_category_from_types   (const char     *job_type,
                                               const char     *event_type);
const char     *mja_job_category_to_string    (MjaJobCategory  category);
gboolean        mja_job_category_from_string  (const char     *name,
                                               MjaJobCategory *category);
const char     *mja_job_category_get_label    (MjaJobCategory  category);

char           *mja_command_dup_model         (const char     *full_command,
                                               const char     *job_type);
char           *mja_command_dup_aspect_ratio  (const char     *full_command);
GStrv           mja_command_dup_parameters    (const char     *full_command);

G_END_DECLS
