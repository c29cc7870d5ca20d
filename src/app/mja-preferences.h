/* mja-preferences.h — the Preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "mja-app-types.h"

G_BEGIN_DECLS

#define MJA_TYPE_PREFERENCES (mja_preferences_get_type ())
G_DECLARE_FINAL_TYPE (MjaPreferences, mja_preferences, MJA, PREFERENCES, AdwPreferencesWindow)

MjaPreferences *mja_preferences_new (MjaApplication *application);

G_END_DECLS
