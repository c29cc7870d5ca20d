/* mja-credentials.h — the Midjourney session: parsing, keyring, environment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MJA_CREDENTIALS_ERROR (mja_credentials_error_quark ())

typedef enum
{
  MJA_CREDENTIALS_ERROR_NOT_FOUND,   /* nothing given, nothing stored */
  MJA_CREDENTIALS_ERROR_INVALID,     /* given, but not a cookie or token we understand */
  MJA_CREDENTIALS_ERROR_NO_KEYRING,  /* no Secret Service to keep it in */
} MjaCredentialsError;

typedef enum
{
  MJA_CREDENTIALS_CURRENT,  /* __Host-Midjourney.AuthUserTokenV3_i / _r */
  MJA_CREDENTIALS_LEGACY,   /* __Secure-next-auth.session-token + user id */
} MjaCredentialsKind;

#define MJA_TYPE_CREDENTIALS (mja_credentials_get_type ())
G_DECLARE_FINAL_TYPE (MjaCredentials, mja_credentials, MJA, CREDENTIALS, GObject)

GQuark              mja_credentials_error_quark      (void);

MjaCredentials     *mja_credentials_parse            (const char      *text,
                                                      const char      *user_id,
                                                      GError         **error);
MjaCredentials     *mja_credentials_new_current      (const char      *id_token,
                                                      const char      *refresh_token,
                                                      GError         **error);
MjaCredentials     *mja_credentials_new_legacy       (const char      *session_token,
                                                      const char      *user_id,
                                                      GError         **error);
MjaCredentials     *mja_credentials_from_environment (GError         **error);

MjaCredentialsKind  mja_credentials_get_kind         (MjaCredentials  *self);
const char         *mja_credentials_get_user_id      (MjaCredentials  *self);
const char         *mja_credentials_get_id_token     (MjaCredentials  *self);
const char         *mja_credentials_get_refresh_token (MjaCredentials *self);
const char         *mja_credentials_get_session_token (MjaCredentials *self);
gboolean            mja_credentials_needs_refresh    (MjaCredentials  *self,
                                                      gint64           now_s);
void                mja_credentials_update_tokens    (MjaCredentials  *self,
                                                      const char      *id_token,
                                                      const char      *refresh_token);
char               *mja_credentials_dup_cookie_header (MjaCredentials *self);

gboolean            mja_credentials_store            (MjaCredentials  *self,
                                                      GCancellable    *cancellable,
                                                      GError         **error);
MjaCredentials     *mja_credentials_lookup           (GCancellable    *cancellable,
                                                      GError         **error);
gboolean            mja_credentials_clear            (GCancellable    *cancellable,
                                                      GError         **error);

G_END_DECLS
