/* mja-api.c — the only code that talks to Midjourney
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the headers Midjourney's web app sends, token refresh (unless the
 * transport keeps the session itself), the steady request rate, retries
 * with back-off, and turning every kind of failure of the protocol page's
 * table into one MJA_API_ERROR code with a message that says what to do.
 * It alone knows URLs.  Its bytes go through an MjaTransport (the direct
 * one unless it is given another) and never through a SoupSession of its
 * own; the transport adds the session's cookie, to the API host only, and
 * API requests never follow a redirect, so the cookie cannot travel to
 * another host either.
 */
#define G_LOG_DOMAIN "mja-api"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-api-private.h"
#include "mja-config.h"
#include "mja-http-private.h"
#include "mja-json.h"
#include "mja-transport-soup.h"
#include "mja-util.h"

#define MAX_BODY_SIZE      mja_config_get_default_uint (MJA_CONFIG_KEY_MAX_PAGE_BYTES)
#define ANSWER_TIMEOUT     mja_config_get_default_uint (MJA_CONFIG_KEY_PAGE_DEADLINE)  /* however it trickles */

struct _MjaApi
{
  GObject         parent_instance;

  MjaTransport   *transport;
  char           *api_base;
  char           *auth_base;
  MjaCredentials *credentials;
  MjaProtocol     protocol;
  guint           interval_ms;
  gint64          next_slot_us;
  guint           max_tries;
  guint           base_delay_ms;
  gsize           max_body;
  guint           answer_timeout_s;
};

G_DEFINE_FINAL_TYPE (MjaApi, mja_api, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-api-error-quark, mja_api_error)

enum
{
  SIGNAL_WAITING,
  SIGNAL_CREDENTIALS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
mja_api_finalize (GObject *object)
{
  MjaApi *self = MJA_API (object);

  g_clear_object (&self->transport);
  g_clear_object (&self->credentials);
  g_free (self->api_base);
  g_free (self->auth_base);

  G_OBJECT_CLASS (mja_api_parent_class)->finalize (object);
}

static void
mja_api_class_init (MjaApiClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_api_finalize;

  /**
   * MjaApi::waiting:
   * @seconds: how long
   * @reason: why, in words for the user
   *
   * Emitted before the client waits: rate limited, or backing off.
   */
  signals[SIGNAL_WAITING] = g_signal_new ("waiting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /**
   * MjaApi::credentials-changed:
   *
   * Emitted after a token refresh; the new tokens should be stored.
   */
  signals[SIGNAL_CREDENTIALS_CHANGED] = g_signal_new ("credentials-changed", G_TYPE_FROM_CLASS (klass),
                                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mja_api_init (MjaApi *self)
{
  self->max_tries = mja_config_get_default_uint (MJA_CONFIG_KEY_MAX_TRIES);
  self->base_delay_ms = mja_config_get_default_uint (MJA_CONFIG_KEY_RETRY_BASE);
  self->interval_ms = mja_config_get_default_uint (MJA_CONFIG_KEY_REQUEST_INTERVAL);
  self->max_body = MAX_BODY_SIZE;
  self->answer_timeout_s = ANSWER_TIMEOUT;
  self->transport = mja_transport_soup_new ();
}

static char *
strip_slashes (const char *url)
{
  char *copy = g_strdup (url);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

MjaApi *
mja_api_new (const char *api_base_url,
             const char *auth_base_url)
{
  MjaApi *self = g_object_new (MJA_TYPE_API, NULL);

  self->api_base = strip_slashes (api_base_url ? api_base_url
                                  : mja_config_get_default_string (MJA_CONFIG_KEY_API_BASE_URL));
  self->auth_base = strip_slashes (auth_base_url ? auth_base_url
                                   : mja_config_get_default_string (MJA_CONFIG_KEY_AUTH_BASE_URL));
  return self;
}

void
mja_api_set_credentials (MjaApi         *self,
                         MjaCredentials *credentials)
{
  g_return_if_fail (MJA_IS_API (self));
  g_set_object (&self->credentials, credentials);
  /* The direct transport asks them for the Cookie header at each request,
   * so a refreshed token is sent at once. */
  if (MJA_IS_TRANSPORT_SOUP (self->transport))
    mja_transport_soup_set_credentials (MJA_TRANSPORT_SOUP (self->transport), credentials);
}

/**
 * mja_api_set_transport:
 * @transport: what carries the requests; the direct one by default
 *
 * When the transport keeps the session itself (the browser), the client
 * neither refreshes the token nor sends a cookie; a 401 then asks the
 * transport to renew the session once.
 */
void
mja_api_set_transport (MjaApi       *self,
                       MjaTransport *transport)
{
  g_return_if_fail (MJA_IS_API (self));
  g_return_if_fail (MJA_IS_TRANSPORT (transport));

  g_set_object (&self->transport, transport);
  if (MJA_IS_TRANSPORT_SOUP (transport) && self->credentials != NULL)
    mja_transport_soup_set_credentials (MJA_TRANSPORT_SOUP (transport), self->credentials);
}

MjaTransport *
mja_api_get_transport (MjaApi *self)
{
  g_return_val_if_fail (MJA_IS_API (self), NULL);
  return self->transport;
}

MjaCredentials *
mja_api_get_credentials (MjaApi *self)
{
  g_return_val_if_fail (MJA_IS_API (self), NULL);
  return self->credentials;
}

void
mja_api_set_protocol (MjaApi      *self,
                      MjaProtocol  protocol)
{
  g_return_if_fail (MJA_IS_API (self));
  self->protocol = protocol;
}

void
mja_api_set_request_interval (MjaApi *self,
                              guint   milliseconds)
{
  g_return_if_fail (MJA_IS_API (self));
  self->interval_ms = milliseconds;
}

void
mja_api_set_retry_policy (MjaApi *self,
                          guint   max_tries,
                          guint   base_delay_ms)
{
  g_return_if_fail (MJA_IS_API (self));
  self->max_tries = MAX (max_tries, 1);
  self->base_delay_ms = base_delay_ms;
}

/* What an answer may be: at most @max_body bytes (0: 64 MiB), read in at
 * most @timeout_s seconds (0: 300) however slowly it comes.  Larger is
 * refused, slower is given up and retried like a network error. */
void
mja_api_set_answer_limits (MjaApi *self,
                           gsize   max_body,
                           guint   timeout_s)
{
  g_return_if_fail (MJA_IS_API (self));
  self->max_body = max_body ? max_body : MAX_BODY_SIZE;
  self->answer_timeout_s = timeout_s ? timeout_s : ANSWER_TIMEOUT;
}

/**
 * mja_api_dup_image_urls:
 * @job: the job
 * @cdn_base_url: (nullable): CDN base for current-era jobs (no trailing
 *   slash needed)
 * @extension: image format for current-era stills: png, webp or jpeg
 *
 * Legacy jobs list their URLs (already validated at parse time).
 * Current-era URLs are built from the id.
 *
 * Returns: (transfer full): the addresses of the job's images, in order
 */
GStrv
mja_api_dup_image_urls (MjaJob     *job,
                        const char *cdn_base_url,
                        const char *extension)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (MJA_IS_JOB (job), NULL);

  if (mja_job_get_era (job) == MJA_JOB_ERA_LEGACY)
    return mja_job_dup_listed_urls (job);

  builder = g_strv_builder_new ();
  base = strip_slashes (cdn_base_url ? cdn_base_url : mja_config_get_default_string (MJA_CONFIG_KEY_CDN_BASE_URL));
  if (!mja_extension_is_valid (extension) || g_str_equal (extension, "mp4"))
    extension = mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT);

  for (guint i = 0; i < mja_job_get_batch_size (job); i++)
    {
      g_autofree char *url = NULL;

      if (mja_job_get_kind (job) == MJA_JOB_KIND_VIDEO)
        url = g_strdup_printf ("%s/video/%s/%u.mp4", base, mja_job_get_id (job), i);
      else
        url = g_strdup_printf ("%s/%s/0_%u.%s", base, mja_job_get_id (job), i, extension);
      g_strv_builder_add (builder, url);
    }
  return g_strv_builder_end (builder);
}

/* ---- one request, with its retries --------------------------------- */

typedef struct
{
  MjaApiRequestKind  kind;
  char              *endpoint;   /* for messages: "/api/imagine" */
  char              *url;
  char              *form;
  guint              tries;
  guint              rate_waits;
  guint64            rate_waited_ms;  /* all Retry-After waits so far */
  gboolean           refreshed;
  gboolean           renewed;
  GByteArray        *answer;     /* the body of this try, as it comes */
  guint              status;     /* of this try */
  SoupMessageHeaders *headers;   /* of this try */
} Request;

static void
request_free (Request *request)
{
  g_free (request->endpoint);
  g_free (request->url);
  if (request->form)
    memset (request->form, 0, strlen (request->form));
  g_free (request->form);
  g_clear_pointer (&request->answer, g_byte_array_unref);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_free (request);
}

static void request_start (GTask *task);

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!mja_sleep_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  request_start (g_steal_pointer (&task));
}

static void
wait_then_start (GTask      *task,
                 guint       delay_ms,
                 const char *reason)
{
  MjaApi *self = g_task_get_source_object (task);

  if (reason != NULL)
    g_signal_emit (self, signals[SIGNAL_WAITING], 0, (delay_ms + 999) / 1000, reason);
  mja_sleep_async (delay_ms, g_task_get_cancellable (task), wait_done_cb, task);
}

/* Takes the task. */
static gboolean
retry_or_fail (GTask      *task,
               const char *what)
{
  MjaApi *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);

  if (request->tries >= self->max_tries)
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_SERVER,
                               ngettext ("Midjourney could not be reached after %u try (%s: %s). "
                                         "Check your connection and sync again later; the archive resumes where "
                                         "it stopped.",
                                         "Midjourney could not be reached after %u tries (%s: %s). "
                                         "Check your connection and sync again later; the archive resumes where "
                                         "it stopped.", request->tries),
                               request->tries, request->endpoint, what);
      g_object_unref (task);
      return FALSE;
    }
  wait_then_start (task, mja_backoff_delay_ms (request->tries, self->base_delay_ms), _("Retrying after an error"));
  return TRUE;
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MjaApi *self = MJA_API (source);
  Request *request = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *object;
  const char *id_token;

  root = g_task_propagate_pointer (G_TASK (result), &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  id_token = object && json_object_has_member (object, "id_token") ?
             json_object_get_string_member_with_default (object, "id_token", NULL) : NULL;
  if (id_token == NULL)
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                               _("The token refresh service answered without a new token. Sign in again."));
      return;
    }
  mja_credentials_update_tokens (self->credentials, id_token,
                                 json_object_get_string_member_with_default (object, "refresh_token", NULL));
  g_signal_emit (self, signals[SIGNAL_CREDENTIALS_CHANGED], 0);
  request->refreshed = TRUE;
  request_start (g_steal_pointer (&task));
}

static void
refresh_then_start (GTask *task)
{
  MjaApi *self = g_task_get_source_object (task);
  const char *key = g_getenv ("MJA_AUTH_API_KEY");
  g_autofree char *escaped = g_uri_escape_string (mja_credentials_get_refresh_token (self->credentials), NULL, TRUE);
  g_autofree char *escaped_key = NULL;
  char *url;

  /* An empty MJA_AUTH_API_KEY asks for none at all. */
  if (key == NULL)
    key = mja_config_get_default_string (MJA_CONFIG_KEY_REFRESH_KEY);
  escaped_key = g_uri_escape_string (key, NULL, TRUE);
  url = *key ? g_strdup_printf ("%s/v1/token?key=%s", self->auth_base, escaped_key)
             : g_strdup_printf ("%s/v1/token", self->auth_base);
  mja_api_request_async (self, MJA_API_REQUEST_REFRESH, "/v1/token", url,
                     g_strdup_printf ("grant_type=refresh_token&refresh_token=%s", escaped),
                     g_task_get_cancellable (task), refresh_done_cb, task);
}

static char *
body_text (GBytes *bytes,
           gsize   max)
{
  gsize size = bytes ? g_bytes_get_size (bytes) : 0;

  return g_utf8_make_valid (bytes ? g_bytes_get_data (bytes, NULL) : "", MIN (size, max));
}

/* Cloudflare's challenge: a 403 or 503 page that says so in its header or
 * in its text (the protocol page lists both). */
static gboolean
is_challenge (guint               status,
              SoupMessageHeaders *headers,
              GBytes             *body)
{
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  const char *mitigated = soup_message_headers_get_one (headers, "cf-mitigated");
  g_autofree char *text = NULL;

  if (status != SOUP_STATUS_FORBIDDEN && status != SOUP_STATUS_SERVICE_UNAVAILABLE)
    return FALSE;
  if (mitigated != NULL && g_ascii_strcasecmp (mitigated, "challenge") == 0)
    return TRUE;
  if (g_strcmp0 (type, "text/html") != 0)
    return FALSE;
  text = body_text (body, 256 * 1024);
  return strstr (text, "Just a moment") != NULL || strstr (text, "challenges.cloudflare.com") != NULL ||
         strstr (text, "challenge-platform") != NULL || strstr (text, "cType: 'managed'") != NULL;
}

static char *
server_message (GBytes *body)
{
  g_autofree char *text = body_text (body, 4096);
  g_autoptr(JsonNode) root = mja_json_parse (text, strlen (text), MJA_JSON_MAX_JOB_VALUES, "", NULL);

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      const char *keys[] = { "message", "msg", "error" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          JsonNode *node = json_object_get_member (object, keys[i]);
          if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            return g_strdup (json_node_get_string (node));
        }
    }
  g_strstrip (text);
  if (strlen (text) > 200)
    {
      text[200] = '\0';
      return g_strdup_printf ("%s…", g_utf8_make_valid (text, -1));
    }
  return g_steal_pointer (&text);
}

/* ---- reading an answer: capped in size and in time ------------------- */

static void request_answered (GTask       *task,
                              GBytes      *body,
                              GError      *error);

static gboolean
answer_response_cb (const MjaTransportResponse *response,
                    gpointer                    user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  request->status = response->status;
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  request->headers = response->headers ? soup_message_headers_ref (response->headers)
                                       : soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  return TRUE;
}

static gboolean
answer_chunk_cb (const guint8 *data,
                 gsize         size,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_byte_array_append (request->answer, data, (guint) size);
  return TRUE;
}

/* Hands the whole body, or why there is none, to request_answered(). */
static void
answer_done_cb (GError  *error,
                gpointer user_data)
{
  GTask *task = user_data;
  MjaApi *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;

  if (g_error_matches (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE))
    {
      g_clear_error (&error);
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           ngettext ("%s did not finish answering within %u second",
                                     "%s did not finish answering within %u seconds", self->answer_timeout_s),
                           request->endpoint, self->answer_timeout_s);
    }
  else if (g_error_matches (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE))
    {
      g_clear_error (&error);
      error = g_error_new (MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                           _("%s answered with more than %u MiB; refused as no page of jobs is that large"),
                           request->endpoint, (guint) (self->max_body / (1024 * 1024)));
    }
  if (error == NULL)
    body = g_byte_array_free_to_bytes (g_steal_pointer (&request->answer));
  g_clear_pointer (&request->answer, g_byte_array_unref);
  request_answered (task, body, error);
}

static const MjaTransportFuncs answer_funcs = {
  answer_response_cb,
  answer_chunk_cb,
  NULL,
  answer_done_cb,
};

/* Sends @transport_request and reads its answer into memory, at most
 * max_body bytes in at most answer_timeout_s seconds; takes @task. */
static void
send_and_read_answer (MjaApi              *self,
                      MjaTransportRequest *transport_request,
                      GTask               *task)
{
  Request *request = g_task_get_task_data (task);

  g_assert (request->answer == NULL);
  request->answer = g_byte_array_new ();
  request->status = 0;
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  transport_request->timeout_s = self->answer_timeout_s;
  transport_request->max_size = self->max_body;
  mja_transport_send (self->transport, transport_request, g_task_get_cancellable (task), &answer_funcs, task);
}

static void
renew_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!mja_transport_renew_session_finish (MJA_TRANSPORT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (error != NULL)
        g_debug ("Renewing the session failed: %s", error->message);
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED,
                               _("Session expired — sign in again: through the app's built-in browser, or with "
                                 "“mj-archiver-cli login” or --cookie-file and a fresh cookie from your browser."));
      return;
    }
  request_start (g_steal_pointer (&task));
}

/* Takes @task and @error. */
static void
request_answered (GTask       *task_,
                  GBytes      *body,
                  GError      *error_)
{
  g_autoptr(GTask) task = task_;
  MjaApi *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = error_;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *source = NULL;
  SoupMessageHeaders *headers;
  const char *content_type;
  guint status;

  if (body == NULL)
    {
      /* Too large is what the server means to send: asking again will not
       * make it smaller. */
      if (!mja_error_is_transient (error) || error->domain == MJA_API_ERROR)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        retry_or_fail (g_steal_pointer (&task), error->message);
      return;
    }

  status = request->status;
  headers = request->headers;
  content_type = soup_message_headers_get_content_type (headers, NULL);
  g_debug ("%s answered %u (%s, %" G_GSIZE_FORMAT " bytes)", request->endpoint, status,
           content_type ? content_type : "no type", g_bytes_get_size (body));

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                               _("%s answered with a redirect, which is not followed so that your session "
                                 "never leaves Midjourney. Midjourney may have changed its API."),
                               request->endpoint);
      return;
    }

  if (is_challenge (status, headers, body))
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BLOCKED,
                               _("Midjourney's bot protection blocked the request — sign in through the built-in "
                                 "browser"));
      return;
    }

  switch (status)
    {
    case 429:
      {
        guint64 asked_ms;
        guint wait_ms;

        if (++request->rate_waits > MJA_HTTP_MAX_RATE_WAITS)
          {
            g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_RATE_LIMITED,
                                     _("Midjourney kept answering “too many requests” after waiting as told. "
                                       "Try again later, or lower the request rate."));
            return;
          }
        wait_ms = mja_http_rate_wait_headers_ms (headers, &asked_ms);
        if (request->rate_waited_ms + asked_ms > MJA_HTTP_MAX_RATE_WAIT_TOTAL_MS)
          {
            guint minutes = MJA_HTTP_MAX_RATE_WAIT_TOTAL_MS / 60000;

            g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_RATE_LIMITED,
                                     g_dngettext (GETTEXT_PACKAGE,
                                                  "Midjourney asked to wait more than %u minute in all for %s. "
                                                  "Try again later, or lower the request rate.",
                                                  "Midjourney asked to wait more than %u minutes in all for %s. "
                                                  "Try again later, or lower the request rate.", minutes),
                                     minutes, request->endpoint);
            return;
          }
        request->rate_waited_ms += wait_ms;
        /* Asked to wait, the attempt does not count as a failure. */
        request->tries--;
        wait_then_start (g_steal_pointer (&task), wait_ms, _("Rate limited by Midjourney"));
        return;
      }
    case SOUP_STATUS_UNAUTHORIZED:
      g_debug ("%s answered 401: an expired session, or a request without the x-csrf-protection header",
               request->endpoint);
      if (request->kind != MJA_API_REQUEST_REFRESH && mja_transport_owns_session (self->transport))
        {
          if (!request->renewed)
            {
              GCancellable *cancellable = g_task_get_cancellable (task);

              request->renewed = TRUE;
              mja_transport_renew_session_async (self->transport, cancellable, renew_done_cb,
                                                 g_steal_pointer (&task));
              return;
            }
        }
      else if (request->kind == MJA_API_REQUEST_CURRENT && !request->refreshed &&
          mja_credentials_get_refresh_token (self->credentials) != NULL)
        {
          refresh_then_start (g_steal_pointer (&task));
          return;
        }
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED,
                               _("Session expired — sign in again: through the app's built-in browser, or with "
                                 "“mj-archiver-cli login” or --cookie-file and a fresh cookie from your browser."));
      return;
    case SOUP_STATUS_FORBIDDEN:
      {
        g_autofree char *message = server_message (body);
        g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_FORBIDDEN,
                                 _("Midjourney refused the request: %s Check that the user id belongs to the "
                                   "account you signed in with."), message);
      }
      return;
    case SOUP_STATUS_NOT_FOUND:
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_NOT_FOUND,
                               _("%s does not exist on this server (404)."), request->endpoint);
      return;
    case SOUP_STATUS_BAD_REQUEST:
      if (request->kind == MJA_API_REQUEST_REFRESH)
        g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED,
                                 _("Your Midjourney session was revoked — sign in again: through the app's built-in "
                                   "browser, or with “mj-archiver-cli login” or --cookie-file and a fresh cookie "
                                   "from your browser."));
      else
        {
          g_autofree char *message = server_message (body);
          g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_INVALID_REQUEST,
                                   _("Midjourney rejected the request to %s: %s"), request->endpoint, message);
        }
      return;
    default:
      break;
    }

  if (SOUP_STATUS_IS_SERVER_ERROR (status) || status == SOUP_STATUS_REQUEST_TIMEOUT)
    {
      g_autofree char *what = g_strdup_printf ("HTTP %u", status);
      retry_or_fail (g_steal_pointer (&task), what);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                               _("%s answered with the unexpected status %u."), request->endpoint, status);
      return;
    }

  /* The legacy site answers a dead session with its login page, 200. */
  if (g_strcmp0 (content_type, "application/json") != 0)
    {
      if (request->kind == MJA_API_REQUEST_LEGACY)
        g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED,
                                 _("Not signed in to the legacy Midjourney site — sign in again with a fresh "
                                   "session token."));
      else
        g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                                 _("%s answered with %s instead of JSON. Midjourney may have changed its API; "
                                   "nothing was archived from that page."),
                                 request->endpoint, content_type ? content_type : _("no content type"));
      return;
    }

  source = g_strdup_printf (_("The answer of %s"), request->endpoint);
  root = mja_json_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), MJA_JSON_MAX_PAGE_VALUES, source,
                         &error);
  if (root == NULL)
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                               _("%s; nothing was archived from that page."), error->message);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&root), (GDestroyNotify) json_node_unref);
}

static void
request_start (GTask *task)
{
  MjaApi *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autofree char *referer = g_strdup_printf ("%s/imagine", self->api_base);
  const char *api_headers[] = { "Accept", "*/*", "x-csrf-protection", "1", "Referer", referer, NULL };
  g_autoptr(GBytes) form = NULL;
  g_autoptr(GUri) uri = NULL;
  MjaTransportRequest transport_request = { 0 };
  gint64 now = g_get_monotonic_time ();

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* A steady pace towards the API host; the token service is not paced. */
  if (request->kind != MJA_API_REQUEST_REFRESH && self->interval_ms > 0)
    {
      if (now < self->next_slot_us)
        {
          wait_then_start (task, (guint) ((self->next_slot_us - now + 999) / 1000), NULL);
          return;
        }
      self->next_slot_us = now + (gint64) self->interval_ms * 1000;
    }

  if (request->kind == MJA_API_REQUEST_CURRENT && !request->refreshed &&
      !mja_transport_owns_session (self->transport) && self->credentials != NULL &&
      mja_credentials_needs_refresh (self->credentials, g_get_real_time () / G_USEC_PER_SEC))
    {
      refresh_then_start (task);
      return;
    }

  request->tries++;
  uri = g_uri_parse (request->url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_task_return_new_error (task, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                               _("“%s” is not a valid address; check the API base address."), request->endpoint);
      g_object_unref (task);
      return;
    }
  transport_request.url = request->url;
  if (request->kind != MJA_API_REQUEST_REFRESH)
    {
      /* The session's cookie is the transport's to add (API kind only). */
      transport_request.kind = MJA_TRANSPORT_REQUEST_API;
      transport_request.method = "GET";
      transport_request.headers = api_headers;
    }
  else
    {
      transport_request.kind = MJA_TRANSPORT_REQUEST_TOKEN;
      transport_request.method = "POST";
      transport_request.headers = api_headers;  /* Accept only */
      api_headers[2] = NULL;
      form = g_bytes_new (request->form, strlen (request->form));
      transport_request.body = form;
      transport_request.content_type = "application/x-www-form-urlencoded";
    }

  send_and_read_answer (self, &transport_request, task);
}

/**
 * mja_api_request_async:
 * @endpoint: the path, for messages: "/api/imagine"
 * @url: (transfer full): the whole address
 * @form: (transfer full) (nullable): a form to POST; %NULL to GET
 *
 * One request with its retries, rate waits and token refresh; finishes
 * with the parsed JSON of the answer.
 */
void
mja_api_request_async (MjaApi              *self,
                       MjaApiRequestKind    kind,
                       const char          *endpoint,
                       char                *url,
                       char                *form,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, mja_api_request_async);
  request->kind = kind;
  request->endpoint = g_strdup (endpoint);
  request->url = url;
  request->form = form;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  request_start (task);
}

JsonNode *
mja_api_request_finish (MjaApi        *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
mja_api_get_base_url (MjaApi *self)
{
  g_return_val_if_fail (MJA_IS_API (self), NULL);
  return self->api_base;
}

/**
 * mja_api_list:
 * @page_size: jobs per page (current era; the legacy era always uses 50)
 * @checkpoint: (nullable): list only what was added since this checkpoint
 * @legacy_job_type: (nullable): "upscale" or "grid" to narrow a legacy listing
 */
MjaListing *
mja_api_list (MjaApi     *self,
              guint       page_size,
              const char *checkpoint,
              const char *legacy_job_type)
{
  MjaProtocol era;

  g_return_val_if_fail (MJA_IS_API (self), NULL);
  g_return_val_if_fail (self->credentials != NULL, NULL);

  if (self->protocol != MJA_PROTOCOL_AUTO)
    era = self->protocol;
  else if (mja_credentials_get_kind (self->credentials) == MJA_CREDENTIALS_LEGACY)
    era = MJA_PROTOCOL_LEGACY;
  else
    era = MJA_PROTOCOL_CURRENT;  /* the legacy host is gone: no fallback */
  return mja_listing_new (self, page_size, checkpoint, legacy_job_type, era);
}
