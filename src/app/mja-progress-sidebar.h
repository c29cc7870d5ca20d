/* mja-progress-sidebar.h — the progress of a sync, beside the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "mja-sync.h"

G_BEGIN_DECLS

#define MJA_TYPE_PROGRESS_SIDEBAR (mja_progress_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (MjaProgressSidebar, mja_progress_sidebar, MJA, PROGRESS_SIDEBAR, GtkWidget)

MjaSync *mja_progress_sidebar_get_sync   (MjaProgressSidebar *self);
void     mja_progress_sidebar_set_sync   (MjaProgressSidebar *self,
                                          MjaSync            *sync);
void     mja_progress_sidebar_show_end   (MjaProgressSidebar *self,
                                          const char         *message);
void     mja_progress_sidebar_show_error (MjaProgressSidebar *self,
                                          const char         *message);

G_END_DECLS
