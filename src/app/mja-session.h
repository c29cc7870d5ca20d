/* mja-session.h — who is signed in, kept where
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-api.h"
#include "mja-app-types.h"
#include "mja-config.h"
#include "mja-credentials.h"
#include "mja-sync.h"
#include "mja-web-transport.h"

G_BEGIN_DECLS

#define MJA_TYPE_SESSION (mja_session_get_type ())
G_DECLARE_FINAL_TYPE (MjaSession, mja_session, MJA, SESSION, GObject)

MjaSession     *mja_session_new                      (MjaApplication       *application,
                                                      gboolean              use_keyring);
gboolean        mja_session_get_signed_in            (MjaSession           *self);
MjaCredentials *mja_session_get_credentials          (MjaSession           *self);
gboolean        mja_session_get_in_memory            (MjaSession           *self);
void            mja_session_sign_in                  (MjaSession           *self,
                                                      MjaCredentials       *credentials);
void            mja_session_sign_in_through_browser  (MjaSession           *self,
                                                      MjaCredentials       *credentials,
                                                      const char           *account_name);
void            mja_session_sign_out                 (MjaSession           *self);
void            mja_session_check_credentials_async  (MjaSession           *self,
                                                      MjaCredentials       *credentials,
                                                      MjaProtocol           protocol,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
MjaCredentials *mja_session_check_credentials_finish (MjaSession           *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

GFile          *mja_session_get_archive_dir          (MjaSession           *self);
void            mja_session_set_archive_dir          (MjaSession           *self,
                                                      GFile                *archive_dir);
MjaSync        *mja_session_get_current_sync         (MjaSession           *self);
void            mja_session_start_sync               (MjaSession           *self);
void            mja_session_stop_sync                (MjaSession           *self);
void            mja_session_sync_at_startup          (MjaSession           *self);
MjaConnection   mja_session_get_connection           (MjaSession           *self);
MjaWebTransport *mja_session_get_web_transport       (MjaSession           *self);

G_END_DECLS
