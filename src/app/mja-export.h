/* mja-export.h — copy the files of chosen jobs into a folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Called on the main thread as files are copied. */
typedef void (*MjaExportProgress) (guint    done,
                                   guint    total,
                                   gpointer user_data);

void     mja_export_async         (GPtrArray          *items,
                                   GFile              *folder,
                                   gboolean            with_metadata,
                                   GCancellable       *cancellable,
                                   MjaExportProgress   progress,
                                   gpointer            progress_data,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean mja_export_finish        (GAsyncResult       *result,
                                   guint              *n_copied,
                                   GError            **error);
void     mja_export_choose_folder (GtkWidget          *widget,
                                   GPtrArray          *items);

G_END_DECLS
