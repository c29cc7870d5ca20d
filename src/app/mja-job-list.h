/* mja-job-list.h — the grid's model: the ids of a query, rows read when shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "mja-job-item.h"

G_BEGIN_DECLS

#define MJA_TYPE_JOB_LIST (mja_job_list_get_type ())
G_DECLARE_FINAL_TYPE (MjaJobList, mja_job_list, MJA, JOB_LIST, GObject)

MjaJobList *mja_job_list_new         (void);
gboolean    mja_job_list_set_archive (MjaJobList  *self,
                                      const char  *root,
                                      GError     **error);
void        mja_job_list_splice      (MjaJobList  *self,
                                      guint        position,
                                      guint        n_removals,
                                      GPtrArray   *ids);
guint       mja_job_list_find        (MjaJobList  *self,
                                      const char  *id);
const char *mja_job_list_get_id      (MjaJobList  *self,
                                      guint        position);
GtkBitset  *mja_job_list_find_all    (MjaJobList  *self,
                                      GHashTable  *ids,
                                      guint        from);
GStrv       mja_job_list_dup_media   (MjaJobList  *self,
                                      const char  *id);
MjaJobItem *mja_job_list_dup_job     (MjaJobList  *self,
                                      const char  *id);
GPtrArray  *mja_job_list_dup_children (MjaJobList *self,
                                       const char *id);

G_END_DECLS
