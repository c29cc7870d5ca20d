/* mja-file-actions.h — what a person does with an archived file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void mja_open_with_default_viewer (GtkWidget          *widget,
                                   const char         *path);
void mja_open_with_chooser        (GtkWidget          *widget,
                                   const char * const *paths);
void mja_show_in_folder           (GtkWidget          *widget,
                                   const char         *path);
void mja_show_files_in_folder     (GtkWidget          *widget,
                                   const char * const *paths);
void mja_copy_text                (GtkWidget          *widget,
                                   const char         *text);
void mja_copy_image               (GtkWidget          *widget,
                                   const char         *path);

G_END_DECLS
