/* mja-zoom-picture.h — an image that zooms around a point and pans
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MJA_TYPE_ZOOM_PICTURE (mja_zoom_picture_get_type ())
G_DECLARE_FINAL_TYPE (MjaZoomPicture, mja_zoom_picture, MJA, ZOOM_PICTURE, GtkWidget)

#define MJA_ZOOM_STEP 1.25

GtkWidget *mja_zoom_picture_new               (void);
void       mja_zoom_picture_set_file          (MjaZoomPicture *self,
                                               const char     *path);
gboolean   mja_zoom_picture_get_loaded        (MjaZoomPicture *self);
int        mja_zoom_picture_get_image_width   (MjaZoomPicture *self);
int        mja_zoom_picture_get_image_height  (MjaZoomPicture *self);
int        mja_zoom_picture_get_decoded_width (MjaZoomPicture *self);
double     mja_zoom_picture_get_zoom          (MjaZoomPicture *self);
gboolean   mja_zoom_picture_get_best_fit      (MjaZoomPicture *self);
double     mja_zoom_picture_get_fit_zoom      (MjaZoomPicture *self);
void       mja_zoom_picture_zoom_fit          (MjaZoomPicture *self);
void       mja_zoom_picture_set_zoom          (MjaZoomPicture *self,
                                               double          zoom);
void       mja_zoom_picture_zoom_at           (MjaZoomPicture *self,
                                               double          zoom,
                                               double          x,
                                               double          y);
void       mja_zoom_picture_zoom_in           (MjaZoomPicture *self);
void       mja_zoom_picture_zoom_out          (MjaZoomPicture *self);
void       mja_zoom_picture_toggle_at         (MjaZoomPicture *self,
                                               double          x,
                                               double          y);
gboolean   mja_zoom_picture_scroll_at_pointer (MjaZoomPicture *self,
                                               double          dy);
void       mja_zoom_picture_widget_to_image   (MjaZoomPicture *self,
                                               double          x,
                                               double          y,
                                               double         *image_x,
                                               double         *image_y);

G_END_DECLS
