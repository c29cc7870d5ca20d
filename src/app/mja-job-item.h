/* mja-job-item.h — one job of the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-index.h"
#include "mja-job-words.h"

G_BEGIN_DECLS

#define MJA_TYPE_JOB_ITEM (mja_job_item_get_type ())
G_DECLARE_FINAL_TYPE (MjaJobItem, mja_job_item, MJA, JOB_ITEM, GObject)

MjaJobItem *mja_job_item_new        (MjaIndexRow *row,
                                     const char  *archive_root);
const char *mja_job_item_get_id     (MjaJobItem  *self);
const char *mja_job_item_get_prompt (MjaJobItem  *self);
const char *mja_job_item_get_image  (MjaJobItem  *self);
gint64      mja_job_item_get_time   (MjaJobItem  *self);
const char *mja_job_item_get_job_type (MjaJobItem *self);
const char *mja_job_item_get_full_command (MjaJobItem *self);
MjaJobCategory mja_job_item_get_category (MjaJobItem *self);
const char *mja_job_item_get_parent_id (MjaJobItem *self);
const char *mja_job_item_get_json_path (MjaJobItem *self);
guint       mja_job_item_get_width  (MjaJobItem  *self);
guint       mja_job_item_get_height (MjaJobItem  *self);
guint       mja_job_item_get_rating (MjaJobItem  *self);
guint       mja_job_item_get_n_images (MjaJobItem *self);

G_END_DECLS
