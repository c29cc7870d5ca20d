/* mja-application.h — the Midjourney Archiver application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MJA_TYPE_APPLICATION (mja_application_get_type ())
G_DECLARE_FINAL_TYPE (MjaApplication, mja_application, MJA, APPLICATION, AdwApplication)

MjaApplication *mja_application_new          (void);
gboolean        mja_application_get_demo     (MjaApplication *self);
const char     *mja_application_get_demo_url (MjaApplication *self);

G_END_DECLS
