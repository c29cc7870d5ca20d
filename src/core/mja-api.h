/* mja-api.h — the only code that talks to Midjourney
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mja-credentials.h"
#include "mja-job.h"
#include "mja-listing.h"
#include "mja-transport.h"

G_BEGIN_DECLS

#define MJA_API_ERROR (mja_api_error_quark ())

typedef enum
{
  MJA_API_ERROR_AUTH_EXPIRED,     /* signed out, token expired or revoked */
  MJA_API_ERROR_BLOCKED,          /* Cloudflare's bot challenge */
  MJA_API_ERROR_FORBIDDEN,        /* 403 for another reason */
  MJA_API_ERROR_RATE_LIMITED,     /* still 429 after waiting as told */
  MJA_API_ERROR_SERVER,           /* 5xx, reset or timeout after retries */
  MJA_API_ERROR_BAD_RESPONSE,     /* an answer of the wrong shape */
  MJA_API_ERROR_CAP_REACHED,      /* the legacy listing stops at 2,500 jobs */
  MJA_API_ERROR_NOT_FOUND,        /* 404: the endpoint is not there */
  MJA_API_ERROR_INVALID_REQUEST,  /* 400: e.g. an expired checkpoint */
} MjaApiError;

typedef enum
{
  MJA_PROTOCOL_AUTO,
  MJA_PROTOCOL_CURRENT,
  MJA_PROTOCOL_LEGACY,
} MjaProtocol;

#define MJA_TYPE_API (mja_api_get_type ())
G_DECLARE_FINAL_TYPE (MjaApi, mja_api, MJA, API, GObject)

GQuark          mja_api_error_quark           (void);

MjaApi         *mja_api_new                   (const char          *api_base_url,
                                               const char          *auth_base_url);
void            mja_api_set_credentials       (MjaApi              *self,
                                               MjaCredentials      *credentials);
MjaCredentials *mja_api_get_credentials       (MjaApi              *self);
void            mja_api_set_transport         (MjaApi              *self,
                                               MjaTransport        *transport);
MjaTransport   *mja_api_get_transport         (MjaApi              *self);
void            mja_api_set_protocol          (MjaApi              *self,
                                               MjaProtocol          protocol);
void            mja_api_set_request_interval  (MjaApi              *self,
                                               guint                milliseconds);
void            mja_api_set_answer_limits     (MjaApi              *self,
                                               gsize                max_body,
                                               guint                timeout_s);
void            mja_api_set_retry_policy      (MjaApi              *self,
                                               guint                max_tries,
                                               guint                base_delay_ms);

MjaListing     *mja_api_list                  (MjaApi              *self,
                                               guint                page_size,
                                               const char          *checkpoint,
                                               const char          *legacy_job_type);

GStrv           mja_api_dup_image_urls        (MjaJob              *job,
                                               const char          *cdn_base_url,
                                               const char          *extension);

G_END_DECLS
