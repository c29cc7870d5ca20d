/* mja-thumbnailer.h — thumbnails decoded off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MJA_TYPE_THUMBNAILER (mja_thumbnailer_get_type ())
G_DECLARE_FINAL_TYPE (MjaThumbnailer, mja_thumbnailer, MJA, THUMBNAILER, GObject)

MjaThumbnailer *mja_thumbnailer_new         (int                  size,
                                             guint                cache_entries);
void            mja_thumbnailer_set_budget  (MjaThumbnailer      *self,
                                             gsize                bytes);
void            mja_thumbnailer_set_shared_cache (MjaThumbnailer *self,
                                                  const char     *directory);
GdkTexture     *mja_thumbnailer_lookup      (MjaThumbnailer      *self,
                                             const char          *path);
void            mja_thumbnailer_load_async  (MjaThumbnailer      *self,
                                             const char          *path,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GdkTexture     *mja_thumbnailer_load_finish (MjaThumbnailer      *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
