/* mja-http-private.h — what the API client and the downloader share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A server that keeps answering 429 after being waited for this often is
 * not going to stop. */
#define MJA_HTTP_MAX_RATE_WAITS 8
/* Nor is one that asks a single request to wait longer than this in all. */
#define MJA_HTTP_MAX_RATE_WAIT_TOTAL_MS (15 * 60 * 1000)

#define MJA_HTTP_ERROR (mja_http_error_quark ())

typedef enum
{
  MJA_HTTP_ERROR_TOO_LARGE,  /* the body is (or is announced) larger than the cap */
  MJA_HTTP_ERROR_DEADLINE,   /* the whole answer did not come in time */
} MjaHttpError;

GQuark       mja_http_error_quark   (void);

const char  *mja_user_agent         (void);
gint64       mja_parse_retry_after  (const char             *value,
                                     gint64                  now_s);
guint        mja_http_rate_wait_headers_ms (SoupMessageHeaders *headers,
                                            guint64            *asked_ms);
guint        mja_backoff_delay_ms   (guint                   attempt,
                                     guint                   base_delay_ms);
gboolean     mja_error_is_transient (GError                 *error);

G_END_DECLS
