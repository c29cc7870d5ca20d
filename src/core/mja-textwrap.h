/* mja-textwrap.h — Python's textwrap.fill, as the original scripts called it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  mja_unichar_is_python_space (gunichar    c);
char     *mja_textwrap_fill           (const char *text,
                                       guint       width,
                                       const char *initial_indent,
                                       const char *subsequent_indent);

G_END_DECLS
