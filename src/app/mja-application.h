/* mja-application.h — the Midjourney Archiver application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MJA_TYPE_APPLICATION (mja_application_get_type ())
G_DECLARE_FINAL_TYPE (MjaApplication, mja_application, MJA, APPLICATION, AdwApplication)

#include "mja-credentials.h"

MjaApplication *mja_application_new              (void);
gboolean        mja_application_get_demo         (MjaApplication *self);
const char     *mja_application_get_demo_url     (MjaApplication *self);
GSettings      *mja_application_get_settings     (MjaApplication *self);
char           *mja_application_dup_base_url     (MjaApplication *self,
                                                  const char     *which);
char           *mja_application_dup_archive_dir  (MjaApplication *self);
MjaCredentials *mja_application_get_credentials  (MjaApplication *self);
gboolean        mja_application_get_in_memory    (MjaApplication *self);
void            mja_application_sign_in          (MjaApplication *self,
                                                  MjaCredentials *credentials);
void            mja_application_sign_out         (MjaApplication *self);

G_END_DECLS
