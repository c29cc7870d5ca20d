/* mja-job-cell.h — one job's thumbnail in the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "mja-job-item.h"
#include "mja-thumbnailer.h"

G_BEGIN_DECLS

#define MJA_TYPE_JOB_CELL (mja_job_cell_get_type ())
G_DECLARE_FINAL_TYPE (MjaJobCell, mja_job_cell, MJA, JOB_CELL, GtkWidget)

MjaJobCell *mja_job_cell_new      (MjaThumbnailer *thumbnailer);
MjaJobItem *mja_job_cell_get_item (MjaJobCell     *self);
void        mja_job_cell_set_item (MjaJobCell     *self,
                                   MjaJobItem     *item);
gboolean    mja_job_cell_is_complete (MjaJobCell  *self);

G_END_DECLS
