/* mja-app-types.h — forward declarations of the app's rooms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rooms of src/app know each other by name only through this header
 * (as Text Editor's editor-types.h), so that no header includes another
 * room's header and no two rooms' headers include each other in a circle.
 * A .c file includes the headers of the rooms it calls.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MjaApplication MjaApplication;
typedef struct _MjaPreferences MjaPreferences;
typedef struct _MjaSession     MjaSession;
typedef struct _MjaWindow      MjaWindow;

G_END_DECLS
