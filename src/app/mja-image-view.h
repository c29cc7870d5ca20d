/* mja-image-view.h — one job, large, with its prompt and metadata
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "mja-job-item.h"

G_BEGIN_DECLS

#define MJA_TYPE_IMAGE_VIEW (mja_image_view_get_type ())
G_DECLARE_FINAL_TYPE (MjaImageView, mja_image_view, MJA, IMAGE_VIEW, GtkBox)

void        mja_image_view_set_item (MjaImageView *self,
                                     MjaJobItem   *item);
MjaJobItem *mja_image_view_get_item (MjaImageView *self);

G_END_DECLS
