/* mja-fake-server.c — the fake Midjourney of shared/midjourney-protocol.md:
 * the server object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The executable form of the protocol page: three SoupServers (API, CDN,
 * token refresh) on loopback, run in a thread of their own so that a
 * synchronous client in the same process, or the application's main loop,
 * never waits on itself.  Everything it serves follows from a seed, so a
 * test can ask it for the exact bytes it served.  It must never know who
 * its client is: tests, the demo mode and benchmarks all speak to it
 * through the same protocol as to Midjourney.
 *
 * This file owns the object: its knobs (MjaFakeServerOptions), its
 * lifecycle and threads, the faults the knobs ask for, and the routing of
 * every request, after the configured latency, to the API
 * (mja-fake-api.c, which hands the site's pages and bot check of
 * browser-only mode to mja-fake-browser.c) or the CDN (mja-fake-cdn.c);
 * the account itself is mja-fake-jobs.c's.  In browser-only mode all of
 * them speak HTTPS and the CDN listens on 127.0.0.2.  It never builds an answer's body itself beyond the
 * few every endpoint shares.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#include "mja-fake-server-private.h"

G_DEFINE_FINAL_TYPE (MjaFakeServer, mja_fake_server, G_TYPE_OBJECT)

void
mja_fake_server_options_init (MjaFakeServerOptions *options)
{
  memset (options, 0, sizeof *options);
  options->n_jobs = 120;
  options->seed = 1;
  options->eras = MJA_FAKE_ERA_BOTH;
  options->retry_after = 1;
  options->image_kib = 32;
  options->image_pixels = 256;
  options->end_style = MJA_FAKE_END_NULL_CURSOR;
}

static void
mja_fake_server_finalize (GObject *object)
{
  MjaFakeServer *self = MJA_FAKE_SERVER (object);

  mja_fake_server_stop (self);

  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->fault_rand, g_rand_free);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_pointer (&self->job_index, g_hash_table_unref);
  g_clear_pointer (&self->id_tokens, g_hash_table_unref);
  g_clear_pointer (&self->image_cache, g_hash_table_unref);
  g_clear_error (&self->start_error);
  g_free (self->user_id);
  g_free (self->legacy_token);
  g_free (self->id_token);
  g_free (self->refresh_token);
  g_free (self->previous_refresh_token);
  g_free (self->api_url);
  g_free (self->cdn_url);
  g_free (self->auth_url);
  g_free (self->clearance_secret);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (mja_fake_server_parent_class)->finalize (object);
}

static void
mja_fake_server_class_init (MjaFakeServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_fake_server_finalize;
}

static void
mja_fake_server_init (MjaFakeServer *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);
  self->jobs = g_ptr_array_new_with_free_func (mja_fake_job_free);
  self->job_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->id_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->image_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  self->clearance_secret = g_strdup_printf ("%08x%08x%08x", g_random_int (), g_random_int (), g_random_int ());
}

MjaFakeServer *
mja_fake_server_new (const MjaFakeServerOptions *options)
{
  MjaFakeServer *self = g_object_new (MJA_TYPE_FAKE_SERVER, NULL);
  GDateTime *start;
  gint64 exp;

  if (options != NULL)
    self->options = *options;
  else
    mja_fake_server_options_init (&self->options);
  if (self->options.image_pixels < 16)
    self->options.image_pixels = 16;
  if (self->options.eras == 0)
    self->options.eras = MJA_FAKE_ERA_BOTH;

  self->rand = g_rand_new_with_seed (self->options.seed);
  self->fault_rand = g_rand_new_with_seed (self->options.seed ^ 0x5eed);
  self->user_id = mja_fake_random_uuid (self->rand);
  self->legacy_token = g_strdup_printf ("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..%08x%08x.fake-session",
                                        g_rand_int (self->rand), g_rand_int (self->rand));

  /* Spread the account over at most about four years, and at least over
   * hours between jobs, so that a small account spans months and days. */
  self->max_gap_s = CLAMP ((gint64) 2 * 4 * 365 * 24 * 3600 / MAX (self->options.n_jobs, 1), 120, 40 * 3600);
  start = g_date_time_new_utc (2022, 7, 12, 9, 30, 0);
  self->next_time_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  g_date_time_unref (start);
  mja_fake_server_generate_jobs (self, self->options.n_jobs);

  exp = g_get_real_time () / G_USEC_PER_SEC + (self->options.expired_session ? -60 : TOKEN_LIFETIME_S);
  g_free (mja_fake_server_issue_id_token (self, exp));
  mja_fake_server_rotate_refresh_token (self);

  return self;
}

/* ---- answers every endpoint shares ---------------------------------- */

void
mja_fake_respond (SoupServerMessage *msg,
                  guint              status,
                  const char        *content_type,
                  const char        *body,
                  gssize             length)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    body, length < 0 ? strlen (body) : (gsize) length);
}

/* {"message": …}; with the escape knob, a 4xx message sets the
 * terminal's title and writes its clipboard (OSC 52) around its text, and
 * carries a C1 CSI and a DEL. */
void
mja_fake_respond_json_message (MjaFakeServer     *self,
                               SoupServerMessage *msg,
                               guint              status,
                               const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hostile = NULL;
  g_autofree char *body = NULL;

  if (self->options.escape_every > 0 && SOUP_STATUS_IS_CLIENT_ERROR (status))
    message = hostile = g_strdup_printf ("\033]0;OWNED\007%s\033]52;c;b3duZWQ=\007\302\233" "2J\177", message);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);
  mja_fake_respond (msg, status, "application/json", body, -1);
}

/* A hostile answer that never ends: @head, then a space every 100 ms.
 * The tick source owns the state; it is destroyed when the client goes
 * away, or with its thread's main context when the server stops. */
typedef struct
{
  SoupServerMessage *msg;  /* a reference: a tick must never see it freed */
} Trickle;

static void
trickle_free (gpointer data)
{
  Trickle *trickle = data;

  g_object_unref (trickle->msg);
  g_free (trickle);
}

static gboolean
trickle_cb (gpointer data)
{
  Trickle *trickle = data;

  soup_message_body_append (soup_server_message_get_response_body (trickle->msg), SOUP_MEMORY_STATIC, " ", 1);
  soup_server_message_unpause (trickle->msg);
  return G_SOURCE_CONTINUE;
}

static void
trickle_finished_cb (SoupServerMessage *msg,
                     GSource           *tick)
{
  g_source_destroy (tick);
}

void
mja_fake_respond_trickle (SoupServerMessage *msg,
                          const char        *content_type,
                          const char        *head,
                          gsize              head_len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Trickle *trickle = g_new0 (Trickle, 1);
  GSource *tick = g_timeout_source_new (100);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, head, head_len);
  trickle->msg = g_object_ref (msg);
  g_source_set_callback (tick, trickle_cb, trickle, trickle_free);
  g_source_attach (tick, g_main_context_get_thread_default ());
  g_signal_connect_data (msg, "finished", G_CALLBACK (trickle_finished_cb), g_source_ref (tick),
                         (GClosureNotify) (void (*) (void)) g_source_unref, 0);
  g_signal_connect_data (msg, "disconnected", G_CALLBACK (trickle_finished_cb), g_source_ref (tick),
                         (GClosureNotify) (void (*) (void)) g_source_unref, 0);
  g_source_unref (tick);
}

/* Called with the mutex held: 429s and 5xx the knobs ask for. */
gboolean
mja_fake_server_inject_fault (MjaFakeServer     *self,
                              SoupServerMessage *msg)
{
  self->request_count++;

  if (self->options.rate_limit_every > 0 && self->request_count % self->options.rate_limit_every == 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
      g_autofree char *value = NULL;

      if (self->options.retry_after_date)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC +
                                                                     self->options.retry_after);
          value = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
        }
      else
        value = g_strdup_printf ("%u", self->options.retry_after);
      soup_message_headers_replace (headers, "Retry-After", value);
      mja_fake_respond_json_message (self, msg, 429 /* Too Many Requests */, "Too many requests, slow down.");
      return TRUE;
    }

  if (self->options.server_error_rate > 0 &&
      g_rand_double (self->fault_rand) < self->options.server_error_rate)
    {
      static const guint codes[] = { 500, 502, 503, 504 };
      guint code = codes[g_rand_int_range (self->fault_rand, 0, G_N_ELEMENTS (codes))];

      mja_fake_respond (msg, code, "text/html", "<html><body><h1>Server error</h1></body></html>", -1);
      return TRUE;
    }

  return FALSE;
}

/* ---- routing -------------------------------------------------------- */

void
mja_fake_request_free (MjaFakeRequest *pending)
{
  g_object_unref (pending->self);
  g_object_unref (pending->msg);
  g_free (pending->path);
  g_clear_pointer (&pending->query, g_hash_table_unref);
  g_free (pending);
}

static gboolean
dispatch (gpointer user_data)
{
  MjaFakeRequest *pending = user_data;

  g_assert (MJA_IS_FAKE_SERVER (pending->self));

  switch (pending->endpoint)
    {
    case MJA_FAKE_ENDPOINT_API:
      mja_fake_server_handle_api (pending->self, pending->msg, pending->path, pending->query);
      break;
    case MJA_FAKE_ENDPOINT_CDN:
      if (!mja_fake_server_handle_cdn (pending))
        {
          pending->rendering = TRUE;  /* image_ready_cb finishes it */
          return G_SOURCE_REMOVE;
        }
      break;
    case MJA_FAKE_ENDPOINT_AUTH:
      mja_fake_server_handle_auth (pending->self, pending->msg, pending->path);
      break;
    default:
      g_assert_not_reached ();
    }
  soup_server_message_unpause (pending->msg);
  return G_SOURCE_REMOVE;
}

/* The latency source's destroy notify: frees the request once answered,
 * and also when the server stops before answering it. */
static void
pending_release (gpointer data)
{
  MjaFakeRequest *pending = data;

  if (!pending->rendering)
    mja_fake_request_free (pending);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MjaFakeServer *self = g_object_get_data (G_OBJECT (server), "mja-fake-server");
  MjaFakeRequest *pending = g_new0 (MjaFakeRequest, 1);
  GSource *source;

  pending->self = g_object_ref (self);
  pending->msg = g_object_ref (msg);
  pending->path = g_strdup (path);
  pending->query = query ? g_hash_table_ref (query) : NULL;
  pending->endpoint = GPOINTER_TO_INT (user_data);

  /* Every answer goes through the loop, after the configured latency, so
   * that slow answers never hold up the others. */
  soup_server_message_pause (msg);
  source = self->options.latency_ms > 0 ? g_timeout_source_new (self->options.latency_ms) : g_idle_source_new ();
  g_source_set_callback (source, dispatch, pending, pending_release);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

/* ---- the server threads --------------------------------------------- */

#define CDN_THREADS 4

/* The CDN answers from several threads, as a real one would from several
 * machines: each thread's server listens on the same port (SO_REUSEPORT)
 * and the kernel spreads the connections. */
typedef struct
{
  MjaFakeServer *self;
  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  guint16        port;
  gboolean       ready;
  GError        *error;
} CdnThread;

static gboolean
listen_shared (SoupServer  *server,
               const char  *host,
               gboolean     https,
               guint16      port,
               guint16     *bound,
               GError     **error)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                            error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_from_string (host);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) local = NULL;

  struct sockaddr_storage native;

  if (socket == NULL || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
      !g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  /* Not g_socket_bind(): it turns SO_REUSEPORT off for TCP. */
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, g_socket_address_get_native_size (address)) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "bind: %s", g_strerror (saved));
      return FALSE;
    }
  if (!g_socket_listen (socket, error) ||
      !soup_server_listen_socket (server, socket, https ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;
  *bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

/* The host the CDN listens on: another loopback address in browser-only
 * mode, so that a browser's cookies of the site never reach it. */
static const char *
cdn_host (MjaFakeServer *self)
{
  return self->options.browser_only ? "127.0.0.2" : "127.0.0.1";
}

static const char *
url_scheme (MjaFakeServer *self)
{
  return self->options.browser_only ? "https" : "http";
}

static SoupServer *
new_server (MjaFakeServer  *self,
            MjaFakeEndpoint endpoint)
{
  SoupServer *server = soup_server_new ("server-header", "mja-fake-server ", NULL);

  if (self->options.browser_only)
    {
      g_autofree char *pem = g_strconcat (mja_fake_tls_certificate_pem, mja_fake_tls_key_pem, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_pem (pem, -1, &error);

      /* Built in, so it can only fail if GLib has no TLS backend. */
      if (certificate == NULL)
        g_error ("The fake server's certificate: %s", error->message);
      soup_server_set_tls_certificate (server, certificate);
    }

  g_object_set_data (G_OBJECT (server), "mja-fake-server", self);
  soup_server_add_handler (server, NULL, server_cb, GINT_TO_POINTER (endpoint), NULL);
  return server;
}

static gpointer
cdn_thread (gpointer data)
{
  CdnThread *cdn = data;
  g_autoptr(SoupServer) server = NULL;
  guint16 bound = 0;

  g_main_context_push_thread_default (cdn->context);
  server = new_server (cdn->self, MJA_FAKE_ENDPOINT_CDN);
  if (!listen_shared (server, cdn_host (cdn->self), cdn->self->options.browser_only, cdn->port, &bound, &cdn->error))
    g_clear_object (&server);

  g_mutex_lock (&cdn->self->start_mutex);
  cdn->port = bound;
  cdn->ready = TRUE;
  g_cond_broadcast (&cdn->self->start_cond);
  g_mutex_unlock (&cdn->self->start_mutex);

  if (server != NULL)
    {
      g_main_loop_run (cdn->loop);
      soup_server_disconnect (server);
    }
  g_clear_object (&server);
  while (g_main_context_iteration (cdn->context, FALSE))
    ;
  g_main_context_pop_thread_default (cdn->context);
  return NULL;
}

static CdnThread *
start_cdn_thread (MjaFakeServer  *self,
                  guint16         port,
                  GError        **error)
{
  CdnThread *cdn = g_new0 (CdnThread, 1);

  cdn->self = self;
  cdn->port = port;
  cdn->context = g_main_context_new ();
  cdn->loop = g_main_loop_new (cdn->context, FALSE);
  cdn->thread = g_thread_new ("mja-fake-cdn", cdn_thread, cdn);
  g_mutex_lock (&self->start_mutex);
  while (!cdn->ready)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);
  if (cdn->error != NULL)
    g_propagate_error (error, g_steal_pointer (&cdn->error));
  return cdn;
}

static void
stop_cdn_thread (CdnThread *cdn)
{
  g_main_loop_quit (cdn->loop);
  g_thread_join (cdn->thread);
  g_main_loop_unref (cdn->loop);
  g_main_context_unref (cdn->context);
  g_clear_error (&cdn->error);
  g_free (cdn);
}

static SoupServer *
make_server (MjaFakeServer  *self,
             MjaFakeEndpoint endpoint,
             guint16         port,
             char          **url,
             GError        **error)
{
  g_autoptr(SoupServer) server = new_server (self, endpoint);
  GSList *uris;
  GUri *uri;

  if (!soup_server_listen_local (server, port,
                                 SOUP_SERVER_LISTEN_IPV4_ONLY |
                                 (self->options.browser_only ? SOUP_SERVER_LISTEN_HTTPS : 0),
                                 error))
    return NULL;
  uris = soup_server_get_uris (server);
  uri = uris->data;
  *url = g_strdup_printf ("%s://127.0.0.1:%d", url_scheme (self), g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&server);
}

static gpointer
server_thread (gpointer data)
{
  MjaFakeServer *self = data;
  g_autoptr(SoupServer) api = NULL;
  g_autoptr(SoupServer) auth = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);

  api = make_server (self, MJA_FAKE_ENDPOINT_API, self->options.api_port, &self->api_url, &error);
  if (api != NULL)
    auth = make_server (self, MJA_FAKE_ENDPOINT_AUTH, self->options.auth_port, &self->auth_url, &error);

  g_mutex_lock (&self->start_mutex);
  self->start_error = error;
  self->start_done = TRUE;
  g_cond_signal (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);

  if (auth != NULL)
    g_main_loop_run (self->loop);

  if (api)
    soup_server_disconnect (api);
  if (auth)
    soup_server_disconnect (auth);
  g_clear_object (&api);
  g_clear_object (&auth);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

gboolean
mja_fake_server_start (MjaFakeServer  *self,
                       GError        **error)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->start_done = FALSE;
  self->thread = g_thread_new ("mja-fake-server", server_thread, self);

  g_mutex_lock (&self->start_mutex);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);

  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      mja_fake_server_stop (self);
      return FALSE;
    }

  self->cdn_threads = g_ptr_array_new ();
  for (guint i = 0; i < CDN_THREADS; i++)
    {
      GError *local_error = NULL;
      guint16 port = i == 0 ? self->options.cdn_port : ((CdnThread *) self->cdn_threads->pdata[0])->port;
      CdnThread *cdn = start_cdn_thread (self, port, &local_error);

      g_ptr_array_add (self->cdn_threads, cdn);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          mja_fake_server_stop (self);
          return FALSE;
        }
    }
  self->cdn_url = g_strdup_printf ("%s://%s:%u", url_scheme (self), cdn_host (self),
                                   ((CdnThread *) self->cdn_threads->pdata[0])->port);
  return TRUE;
}

void
mja_fake_server_stop (MjaFakeServer *self)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));

  if (self->cdn_threads != NULL)
    {
      for (guint i = 0; i < self->cdn_threads->len; i++)
        stop_cdn_thread (g_ptr_array_index (self->cdn_threads, i));
      g_clear_pointer (&self->cdn_threads, g_ptr_array_unref);
    }
  if (self->thread == NULL)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* ---- what tests and the executable ask ------------------------------ */

const char *
mja_fake_server_get_api_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->api_url;
}

const char *
mja_fake_server_get_cdn_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->cdn_url;
}

const char *
mja_fake_server_get_auth_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->auth_url;
}

const char *
mja_fake_server_get_user_id (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->user_id;
}

const char *
mja_fake_server_get_session_token (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->legacy_token;
}

/* One of the counters the mutex guards, read under it. */
guint
mja_fake_server_read_count (MjaFakeServer *self,
                            const guint   *count)
{
  guint n;

  g_assert (MJA_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->mutex);
  n = *count;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
mja_fake_server_get_request_count (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  return mja_fake_server_read_count (self, &self->request_count);
}

void
mja_fake_server_set_server_error_rate (MjaFakeServer *self,
                                       double         rate)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_mutex_lock (&self->mutex);
  self->options.server_error_rate = rate;
  g_mutex_unlock (&self->mutex);
}
