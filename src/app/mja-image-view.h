/* mja-image-view.h — one job, large: its images or video, zoom, and the job in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "mja-job-item.h"
#include "mja-job-list.h"

G_BEGIN_DECLS

#define MJA_TYPE_IMAGE_VIEW (mja_image_view_get_type ())
G_DECLARE_FINAL_TYPE (MjaImageView, mja_image_view, MJA, IMAGE_VIEW, GtkBox)

void          mja_image_view_set_jobs        (MjaImageView *self,
                                              MjaJobList   *jobs);
void          mja_image_view_show            (MjaImageView *self,
                                              guint         position,
                                              guint         image);
void          mja_image_view_clear           (MjaImageView *self);
void          mja_image_view_set_highlight   (MjaImageView *self,
                                              const char   *search);
void          mja_image_view_set_item        (MjaImageView *self,
                                              MjaJobItem   *item);
MjaJobItem   *mja_image_view_get_item        (MjaImageView *self);
guint         mja_image_view_get_position    (MjaImageView *self);
guint         mja_image_view_get_image       (MjaImageView *self);
guint         mja_image_view_get_n_images    (MjaImageView *self);
char         *mja_image_view_dup_title       (MjaImageView *self);
GActionGroup *mja_image_view_get_actions     (MjaImageView *self);
void          mja_image_view_add_shortcuts   (MjaImageView *self,
                                              GtkWidget    *window);

G_END_DECLS
