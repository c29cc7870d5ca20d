/* mja-job-grid.h — the grid of the archive's jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MJA_TYPE_JOB_GRID (mja_job_grid_get_type ())
G_DECLARE_FINAL_TYPE (MjaJobGrid, mja_job_grid, MJA, JOB_GRID, GtkWidget)

void               mja_job_grid_set_model      (MjaJobGrid *self,
                                                GListModel *jobs);
void               mja_job_grid_select         (MjaJobGrid *self,
                                                guint       position);
GtkSelectionModel *mja_job_grid_get_selection  (MjaJobGrid *self);
guint              mja_job_grid_get_n_selected (MjaJobGrid *self);
GPtrArray         *mja_job_grid_dup_selected   (MjaJobGrid *self);
void               mja_job_grid_scroll_to      (MjaJobGrid *self,
                                                guint       position);

G_END_DECLS
