/* mja-sign-in-dialog.h — signing in to Midjourney in the built-in browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <webkit/webkit.h>

#include "mja-app-types.h"
#include "mja-web-transport.h"

G_BEGIN_DECLS

#define MJA_TYPE_SIGN_IN_DIALOG (mja_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (MjaSignInDialog, mja_sign_in_dialog, MJA, SIGN_IN_DIALOG, AdwWindow)

MjaSignInDialog *mja_sign_in_dialog_new             (MjaApplication *application,
                                                     GtkWindow      *parent);
MjaSignInDialog *mja_sign_in_dialog_new_for_check    (MjaApplication  *application,
                                                     GtkWindow       *parent,
                                                     MjaWebTransport *transport);
WebKitWebView   *mja_sign_in_dialog_get_web_view     (MjaSignInDialog *self);
char            *mja_sign_in_dialog_dup_account_name (const char    *id_token);

G_END_DECLS
