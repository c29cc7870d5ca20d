/* mja-window.h — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "mja-app-types.h"

G_BEGIN_DECLS

#define MJA_TYPE_WINDOW (mja_window_get_type ())
G_DECLARE_FINAL_TYPE (MjaWindow, mja_window, MJA, WINDOW, AdwApplicationWindow)

MjaWindow *mja_window_new             (MjaApplication *application);
void       mja_window_set_archive_dir (MjaWindow      *self,
                                       GFile          *directory);
void       mja_window_show_message    (MjaWindow      *self,
                                       const char     *message);

G_END_DECLS
