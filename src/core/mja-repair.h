/* mja-repair.h — which images to fetch again, and the damaged file set aside meanwhile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive.h"
#include "mja-index.h"

G_BEGIN_DECLS

typedef struct
{
  guint      checked;   /* images on disk that were checked */
  guint      damaged;   /* of those: truncated or not an image */
  guint      missing;   /* images of the chosen kinds not on disk */
  GPtrArray *images;    /* MjaIndexImage*: to fetch again, damaged and missing */
} MjaRepairPlan;

MjaRepairPlan *mja_repair_plan          (MjaArchive          *archive,
                                         MjaIndex            *index,
                                         const char * const  *kinds,
                                         GCancellable        *cancellable,
                                         GError             **error);
void           mja_repair_plan_free     (MjaRepairPlan       *plan);
char          *mja_repair_dup_damaged_path (const char       *path);
gboolean       mja_repair_set_aside     (const char          *path,
                                         GError             **error);
void           mja_repair_restore       (const char          *path);
void           mja_repair_discard       (const char          *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaRepairPlan, mja_repair_plan_free)

G_END_DECLS
