/* mja-api-private.h — what the API client shares with its listing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mja-api.h"

G_BEGIN_DECLS

typedef enum
{
  MJA_API_REQUEST_CURRENT,  /* the current-era API: cookie, CSRF header */
  MJA_API_REQUEST_LEGACY,   /* the legacy API: its session cookie */
  MJA_API_REQUEST_REFRESH,  /* the token service: no cookie at all */
} MjaApiRequestKind;

void        mja_api_request_async  (MjaApi              *self,
                                    MjaApiRequestKind    kind,
                                    const char          *endpoint,
                                    char                *url,
                                    char                *form,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
JsonNode   *mja_api_request_finish (MjaApi              *self,
                                    GAsyncResult        *result,
                                    GError             **error);
const char *mja_api_get_base_url   (MjaApi              *self);

MjaListing *mja_listing_new        (MjaApi              *api,
                                    guint                page_size,
                                    const char          *checkpoint,
                                    const char          *legacy_job_type,
                                    MjaProtocol          era);

G_END_DECLS
