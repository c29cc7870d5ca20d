/* fuzz-credentials.c — a pasted cookie header, token or JWT
 *
 * Up to the first newline: what the user pasted; after it: the user id
 * given with a legacy token.  Every "@" stands for a secret value (a
 * canary no message contains): parsed or refused with a message, and a
 * refused secret is never repeated back in that message.  A parsed session
 * gives a cookie header for the API without line breaks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mja-credentials.h"
#include "mja-fuzz.h"
#include "mja-util.h"

#define CANARY "Zq9Xw7Kc3Vb5Nm1Lp8Rt"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *raw = g_strndup ((const char *) data, size);
  g_auto(GStrv) parts = g_strsplit (raw, "@", -1);
  g_autofree char *text = g_strjoinv (CANARY, parts);
  char *newline = strchr (text, '\n');
  const char *user_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;

  if (newline != NULL)
    {
      *newline = '\0';
      user_id = newline + 1;
    }
  credentials = mja_credentials_parse (text, user_id, &error);
  if (credentials == NULL)
    {
      g_assert (error != NULL && g_utf8_validate (error->message, -1, NULL));
      /* A refused secret is never repeated back. */
      g_assert (strstr (error->message, CANARY) == NULL);
      return 0;
    }
  {
    g_autofree char *header = mja_credentials_dup_cookie_header (credentials);

    g_assert (header != NULL && strchr (header, '\n') == NULL && strchr (header, '\r') == NULL);
    (void) mja_credentials_needs_refresh (credentials, 0);
    (void) mja_credentials_get_user_id (credentials);
  }
  {
    g_autofree char *value = mja_cookie_header_lookup (text, "__Host-Midjourney.AuthUserTokenV3_i");
    gsize length = 0;
    g_autofree guint8 *decoded = value ? mja_base64url_decode (value, &length) : NULL;
    (void) decoded;
  }
  return 0;
}
