/* mja-fuzz.h — the entry point every fuzz target defines (libFuzzer's)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* URL schemes are case-insensitive: "HTTPS://" is as good as "https://". */
static inline gboolean
mja_fuzz_is_http (const char *url)
{
  return g_ascii_strncasecmp (url, "https://", 8) == 0 || g_ascii_strncasecmp (url, "http://", 7) == 0;
}
