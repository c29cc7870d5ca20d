/* mja-http.c — what the API client and the downloader share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The HTTP manners both network rooms keep: the browser's user agent,
 * Retry-After and how long a 429 is waited for, back-off with jitter,
 * which failures are worth another try.  Reading an answer capped in size
 * and in time is mja-transport's.  It knows no URL and sends no header of its own: what
 * is asked, of whom, and with which cookie stays with MjaApi (the API)
 * and MjaDownloader (the CDN, never a cookie).
 */
#define G_LOG_DOMAIN "mja-http"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-http-private.h"
#include "mja-util.h"

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
 * it says nothing), but never more than ten minutes; never 0.  *@asked_ms
 * gets what it asked for before that bound, for the budget of all waits. */
guint
mja_http_rate_wait_headers_ms (SoupMessageHeaders *headers,
                               guint64            *asked_ms)
{
  gint64 wait = mja_parse_retry_after (headers ? soup_message_headers_get_one (headers, "Retry-After") : NULL,
                                       g_get_real_time () / G_USEC_PER_SEC);

  if (wait < 0)
    wait = DEFAULT_RATE_WAIT;
  if (asked_ms != NULL)
    *asked_ms = MAX ((guint64) wait * 1000, 1);
  wait = MIN (wait, MAX_RATE_WAIT);
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
