/* mja-web-transport.h — the browser transport: Midjourney through WebKitGTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <webkit/webkit.h>

#include "mja-transport.h"

G_BEGIN_DECLS

#define MJA_TYPE_WEB_TRANSPORT (mja_web_transport_get_type ())
G_DECLARE_FINAL_TYPE (MjaWebTransport, mja_web_transport, MJA, WEB_TRANSPORT, GObject)

/* Most API calls in flight at once, as the direct transport. */
#define MJA_WEB_TRANSPORT_MAX_CALLS 6

WebKitNetworkSession *mja_web_network_session_new      (const char    *api_base_url,
                                                        const char    *cdn_base_url,
                                                        GError       **error);
void                  mja_web_network_session_add_cookies_async  (WebKitNetworkSession *session,
                                                                  const char           *api_base_url,
                                                                  const char           *cookie_header,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
gboolean              mja_web_network_session_add_cookies_finish (WebKitNetworkSession *session,
                                                                  GAsyncResult         *result,
                                                                  GError              **error);

MjaWebTransport      *mja_web_transport_new            (WebKitNetworkSession *session,
                                                        const char           *api_base_url);
WebKitNetworkSession *mja_web_transport_get_network_session (MjaWebTransport *self);
WebKitWebView        *mja_web_transport_get_web_view   (MjaWebTransport *self);
gboolean              mja_web_transport_get_needs_person (MjaWebTransport *self);

G_END_DECLS
