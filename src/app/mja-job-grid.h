/* mja-job-grid.h — the grid of the archive's jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MJA_TYPE_JOB_GRID (mja_job_grid_get_type ())
G_DECLARE_FINAL_TYPE (MjaJobGrid, mja_job_grid, MJA, JOB_GRID, GtkWidget)

void mja_job_grid_set_model (MjaJobGrid *self,
                             GListModel *jobs);
void mja_job_grid_select    (MjaJobGrid *self,
                             guint       position);

G_END_DECLS
