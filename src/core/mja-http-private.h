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

#define MJA_HTTP_ERROR (mja_http_error_quark ())

typedef enum
{
  MJA_HTTP_ERROR_TOO_LARGE,  /* the body is (or is announced) larger than the cap */
  MJA_HTTP_ERROR_DEADLINE,   /* the whole answer did not come in time */
} MjaHttpError;

/* How an answer is taken in; all run in the caller's thread-default
 * context.  @headers and @chunk return FALSE to stop reading: the caller
 * has then dealt with the answer, and @done is not called. */
typedef struct
{
  /* (nullable) The status and headers are in; before the size cap. */
  gboolean (*headers) (SoupMessage  *msg,
                       gpointer      user_data);
  /* A piece of the body, within the cap. */
  gboolean (*chunk)   (const guint8 *data,
                       gsize         size,
                       gpointer      user_data);
  /* The end of the body (@error %NULL), or why there is no more: the
   * network's error or an MJA_HTTP_ERROR.  Takes @error. */
  void     (*done)    (SoupMessage  *msg,
                       GError       *error,
                       gpointer      user_data);
} MjaHttpReadFuncs;

GQuark       mja_http_error_quark   (void);

const char  *mja_user_agent         (void);
gint64       mja_parse_retry_after  (const char             *value,
                                     gint64                  now_s);
guint        mja_http_rate_wait_ms  (SoupMessage            *msg);
guint        mja_backoff_delay_ms   (guint                   attempt,
                                     guint                   base_delay_ms);
gboolean     mja_error_is_transient (GError                 *error);

void         mja_http_send_and_read (SoupSession            *session,
                                     SoupMessage            *msg,
                                     GCancellable           *cancellable,
                                     guint                   timeout_s,
                                     guint64                 max_size,
                                     const MjaHttpReadFuncs *funcs,
                                     gpointer                user_data);

G_END_DECLS
