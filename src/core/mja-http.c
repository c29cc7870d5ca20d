/* mja-http.c — what the API client and the downloader share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The HTTP manners both network rooms keep: the browser's user agent,
 * Retry-After and how long a 429 is waited for, back-off with jitter,
 * which failures are worth another try, and reading an answer capped in
 * size and in time.  It knows no URL and sends no header of its own: what
 * is asked, of whom, and with which cookie stays with MjaApi (the API)
 * and MjaDownloader (the CDN, never a cookie).
 */
#define G_LOG_DOMAIN "mja-http"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-http-private.h"
#include "mja-util.h"

#define READ_CHUNK         (64 * 1024)
#define DEFAULT_RATE_WAIT  5
#define MAX_RATE_WAIT      600

G_DEFINE_QUARK (mja-http-error-quark, mja_http_error)

const char *
mja_user_agent (void)
{
  return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
}

/* Retry-After is seconds or an HTTP date; returns seconds to wait, or -1. */
gint64
mja_parse_retry_after (const char *value,
                       gint64      now_s)
{
  guint64 seconds;
  g_autoptr(GDateTime) when = NULL;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32, &seconds, NULL))
    return (gint64) seconds;
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  return MAX (g_date_time_to_unix (when) - now_s, 0);
}

/* How long a 429 asks to be left alone: as its Retry-After says (5 s when
 * it says nothing), but never more than ten minutes; never 0. */
guint
mja_http_rate_wait_ms (SoupMessage *msg)
{
  gint64 wait = mja_parse_retry_after (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                     "Retry-After"),
                                       g_get_real_time () / G_USEC_PER_SEC);

  wait = wait < 0 ? DEFAULT_RATE_WAIT : MIN (wait, MAX_RATE_WAIT);
  return (guint) MAX (wait * 1000, 1);
}

/* 1, 2, 4, 8 … × base, each with ±50 % jitter so clients spread out. */
guint
mja_backoff_delay_ms (guint attempt,
                      guint base_delay_ms)
{
  double delay = (double) base_delay_ms * (1u << MIN (attempt > 0 ? attempt - 1 : 0, 10));

  return (guint) (delay * g_random_double_range (0.5, 1.5));
}

gboolean
mja_error_is_transient (GError *error)
{
  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  /* A certificate problem will not go away by asking again. */
  if (error->domain == G_TLS_ERROR)
    return FALSE;
  return TRUE;
}

/* ---- reading an answer: capped in size and in time ------------------- */

typedef struct
{
  SoupMessage            *msg;
  GInputStream           *stream;
  MjaDeadline            *deadline;
  guint64                 max_size;
  guint64                 received;
  const MjaHttpReadFuncs *funcs;
  gpointer                user_data;
} Reader;

static void
reader_free (Reader *reader)
{
  g_clear_pointer (&reader->deadline, mja_deadline_free);
  if (reader->stream != NULL)
    g_input_stream_close_async (reader->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&reader->stream);
  g_clear_object (&reader->msg);
  g_free (reader);
}

/* The end, or why it came early; takes @error. */
static void
reader_finish (Reader *reader,
               GError *error)
{
  SoupMessage *msg = g_object_ref (reader->msg);
  const MjaHttpReadFuncs *funcs = reader->funcs;
  gpointer user_data = reader->user_data;

  if (error != NULL && mja_deadline_expired (reader->deadline, error))
    {
      g_clear_error (&error);
      error = g_error_new_literal (MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE, "Deadline passed");
    }
  /* The clock stops and the stream closes before the caller goes on, which
   * may well be another try. */
  reader_free (reader);
  funcs->done (msg, error, user_data);
  g_object_unref (msg);
}

static GError *
too_large (void)
{
  return g_error_new_literal (MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE, "Over the size cap");
}

static void reader_read_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
reader_read_next (Reader *reader)
{
  g_input_stream_read_bytes_async (reader->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   mja_deadline_get_cancellable (reader->deadline), reader_read_cb, reader);
}

static void
reader_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Reader *reader = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize size;
  const guint8 *data;

  if (chunk == NULL)
    {
      reader_finish (reader, error);
      return;
    }
  data = g_bytes_get_data (chunk, &size);
  if (size == 0)
    {
      reader_finish (reader, NULL);
      return;
    }
  if (reader->received + size > reader->max_size)
    {
      reader_finish (reader, too_large ());
      return;
    }
  reader->received += size;
  if (!reader->funcs->chunk (data, size, reader->user_data))
    {
      reader_free (reader);
      return;
    }
  reader_read_next (reader);
}

static void
reader_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Reader *reader = user_data;
  GError *error = NULL;
  goffset length;

  reader->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (reader->stream == NULL)
    {
      reader_finish (reader, error);
      return;
    }
  if (reader->funcs->headers != NULL && !reader->funcs->headers (reader->msg, reader->user_data))
    {
      reader_free (reader);
      return;
    }
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (reader->msg));
  if (length > 0 && (guint64) length > reader->max_size)
    {
      reader_finish (reader, too_large ());
      return;
    }
  reader_read_next (reader);
}

/**
 * mja_http_send_and_read:
 * @cancellable: (nullable): Stop, for this answer
 * @timeout_s: how long the whole answer may take
 * @max_size: the most bytes the body may have
 * @funcs: (not nullable): what to do with the answer; must outlive it
 *
 * Sends @msg and reads its answer as it comes, refusing more than
 * @max_size bytes (also when Content-Length announces them) and giving up
 * after @timeout_s seconds: the session's own timeouts only bound a single
 * silent read, not a body that trickles forever.
 */
void
mja_http_send_and_read (SoupSession            *session,
                        SoupMessage            *msg,
                        GCancellable           *cancellable,
                        guint                   timeout_s,
                        guint64                 max_size,
                        const MjaHttpReadFuncs *funcs,
                        gpointer                user_data)
{
  Reader *reader;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (funcs != NULL && funcs->chunk != NULL && funcs->done != NULL);

  reader = g_new0 (Reader, 1);
  reader->msg = g_object_ref (msg);
  reader->max_size = max_size;
  reader->funcs = funcs;
  reader->user_data = user_data;
  reader->deadline = mja_deadline_new (cancellable, timeout_s);
  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, mja_deadline_get_cancellable (reader->deadline),
                           reader_sent_cb, reader);
}
