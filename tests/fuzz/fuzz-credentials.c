/* fuzz-credentials.c — a pasted cookie header, token or JWT
 *
 * Up to the first newline: what the user pasted; after it: the user id
 * given with a legacy token.  Parsed or refused with a message; a parsed
 * session gives a cookie header for the API and never leaks into the
 * error message of a refused one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mja-credentials.h"
#include "mja-fuzz.h"
#include "mja-util.h"

#define COOKIE_NAMES "__Host-Midjourney.AuthUserTokenV3_i __Host-Midjourney.AuthUserTokenV3_r " \
                     "__Secure-next-auth.session-token"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
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
      /* A refused secret is never repeated back: no value of the pasted
       * text long enough to be a token is in the message (the cookie
       * names the message explains are not secret). */
      g_auto(GStrv) values = g_strsplit_set (text, " \t\r;=:,\"'", -1);

      for (guint i = 0; values[i] != NULL; i++)
        g_assert (strlen (values[i]) < 16 || strstr (COOKIE_NAMES, values[i]) != NULL ||
                  strstr (error->message, values[i]) == NULL);
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
