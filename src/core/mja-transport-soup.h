/* mja-transport-soup.h — the direct transport: libsoup, no browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mja-credentials.h"
#include "mja-transport.h"

G_BEGIN_DECLS

#define MJA_TYPE_TRANSPORT_SOUP (mja_transport_soup_get_type ())
G_DECLARE_FINAL_TYPE (MjaTransportSoup, mja_transport_soup, MJA, TRANSPORT_SOUP, GObject)

MjaTransport *mja_transport_soup_new             (void);
void          mja_transport_soup_set_credentials (MjaTransportSoup *self,
                                                  MjaCredentials   *credentials);
void          mja_transport_soup_set_concurrency (MjaTransportSoup *self,
                                                  guint             concurrency);

G_END_DECLS
