/* mja-application.h — the Midjourney Archiver application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "mja-app-types.h"

G_BEGIN_DECLS

#define MJA_TYPE_APPLICATION (mja_application_get_type ())
G_DECLARE_FINAL_TYPE (MjaApplication, mja_application, MJA, APPLICATION, AdwApplication)

MjaApplication *mja_application_new              (void);
gboolean        mja_application_get_demo         (MjaApplication *self);
const char     *mja_application_get_demo_url     (MjaApplication *self);
GSettings      *mja_application_get_settings     (MjaApplication *self);
char           *mja_application_dup_base_url     (MjaApplication *self,
                                                  const char     *which);
char           *mja_application_dup_archive_dir  (MjaApplication *self);
MjaSession     *mja_application_get_session      (MjaApplication *self);

G_END_DECLS
