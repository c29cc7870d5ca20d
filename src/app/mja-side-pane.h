/* mja-side-pane.h — a pane beside the content, or over it when narrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MJA_TYPE_SIDE_PANE (mja_side_pane_get_type ())
G_DECLARE_FINAL_TYPE (MjaSidePane, mja_side_pane, MJA, SIDE_PANE, GtkWidget)

GtkWidget *mja_side_pane_get_content  (MjaSidePane *self);
void       mja_side_pane_set_content  (MjaSidePane *self,
                                       GtkWidget   *content);
GtkWidget *mja_side_pane_get_side     (MjaSidePane *self);
void       mja_side_pane_set_side     (MjaSidePane *self,
                                       GtkWidget   *side);
gboolean   mja_side_pane_get_overlaid (MjaSidePane *self);

G_END_DECLS
