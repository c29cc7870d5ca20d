/* mja-filter-panel.h — narrow the grid by kind, model, aspect ratio, date, rating and liked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "mja-index.h"

G_BEGIN_DECLS

#define MJA_TYPE_FILTER_PANEL (mja_filter_panel_get_type ())
G_DECLARE_FINAL_TYPE (MjaFilterPanel, mja_filter_panel, MJA, FILTER_PANEL, GtkBox)

void     mja_filter_panel_set_settings (MjaFilterPanel *self,
                                        GSettings      *settings);
void     mja_filter_panel_set_counts   (MjaFilterPanel *self,
                                        MjaIndexFacet   which,
                                        GPtrArray      *counts);
gboolean mja_filter_apply              (GSettings      *settings,
                                        MjaIndexQuery  *query);
void     mja_filter_clear              (GSettings      *settings);

G_END_DECLS
