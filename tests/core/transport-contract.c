/* transport-contract.c — what every MjaTransport must keep, as GTest cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two servers of the test's own, an API origin on 127.0.0.1 and a CDN
 * origin on 127.0.0.2, answer what each case needs; the transport under
 * test comes from the contract's factory.  The cases go through
 * mja_transport_send() and mja_transport_download() (so the guard of
 * mja-transport.c is part of what is checked) and, for retries and waits,
 * through MjaApi and MjaDownloader given that transport.  Nothing here knows which
 * transport it tests, beyond what the contract says of it (whether its
 * engine follows a media redirect before the transport can refuse it).
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-api-private.h"
#include "mja-downloader.h"
#include "mja-http-private.h"
#include "test-utils.h"
#include "transport-contract.h"

#define COOKIE_NAME  "__Secure-next-auth.session-token"
#define COOKIE_VALUE "contract-session-0123456789"
#define USER_ID      "6f1d2c3b-4a59-4e6d-8c7b-9a0b1c2d3e4f"
#define BIG_SIZE     (2 * 1024 * 1024)
#define CAP          (1024 * 1024)
/* An answer with NUL bytes in it: not JSON, and the API client must see
 * it whole to say so (cut at its first NUL it would be valid). */
#define NUL_BODY     "{\"ok\": true}\0{\"more\": 1}\0"

/* ---- the servers ------------------------------------------------------ */

typedef struct
{
  const TransportContract *contract;
  SoupServer              *api;
  SoupServer              *cdn;
  char                    *api_base;
  char                    *cdn_base;
  GHashTable              *counts;    /* path → requests */
  GHashTable              *cookies;   /* path → last Cookie header, "" for none */
  GBytes                  *png;
  GSList                  *trickles;
  MjaCredentials          *credentials;
  MjaTransport            *transport;
  char                    *dir;
} Fixture;

static void
count_request (Fixture           *fixture,
               SoupServerMessage *msg,
               const char        *path)
{
  const char *cookie = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (fixture->counts, path));

  g_hash_table_replace (fixture->counts, g_strdup (path), GUINT_TO_POINTER (count + 1));
  g_hash_table_replace (fixture->cookies, g_strdup (path), g_strdup (cookie ? cookie : ""));
}

static guint
requests_to (Fixture    *fixture,
             const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->counts, path));
}

static const char *
cookie_to (Fixture    *fixture,
           const char *path)
{
  return g_hash_table_lookup (fixture->cookies, path);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, body, strlen (body));
}

static GBytes *
gzip_bytes (GBytes *bytes)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) packed = g_converter_input_stream_new (plain, G_CONVERTER (compressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, packed, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static GBytes *
gzip_zeros (gsize size)
{
  g_autoptr(GBytes) zeros = g_bytes_new_take (g_malloc0 (size), size);

  return gzip_bytes (zeros);
}

typedef struct
{
  SoupServerMessage *msg;
  guint              source;
} Trickle;

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
                     gpointer           data)
{
  Trickle *trickle = data;

  g_clear_handle_id (&trickle->source, g_source_remove);
}

/* A status line and headers, then a byte every 100 ms, never the end. */
static void
trickle (Fixture           *fixture,
         SoupServerMessage *msg,
         const char        *type,
         const guint8      *head,
         gsize              head_len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Trickle *trickle = g_new0 (Trickle, 1);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, type, NULL);
  if (head_len > 0)
    soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY, head, head_len);
  trickle->msg = msg;
  trickle->source = g_timeout_add (100, trickle_cb, trickle);
  g_signal_connect (msg, "finished", G_CALLBACK (trickle_finished_cb), trickle);
  g_signal_connect (msg, "disconnected", G_CALLBACK (trickle_finished_cb), trickle);
  fixture->trickles = g_slist_prepend (fixture->trickles, trickle);
}

static void
api_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint count;

  count_request (fixture, msg, path);
  count = requests_to (fixture, path);

  if (g_str_equal (path, "/api/ok"))
    respond (msg, SOUP_STATUS_OK, "application/json", "{\"ok\": true}");
  else if (g_str_equal (path, "/imagine"))
    /* The page a browser transport keeps open on the API origin. */
    respond (msg, SOUP_STATUS_OK, "text/html", "<!DOCTYPE html><title>Imagine</title><p>The contract's site.</p>");
  else if (g_str_equal (path, "/api/big-announced"))
    {
      g_autofree char *big = g_malloc0 (BIG_SIZE);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, g_steal_pointer (&big), BIG_SIZE);
    }
  else if (g_str_equal (path, "/api/big-streamed"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      for (guint i = 0; i < BIG_SIZE / 65536; i++)
        {
          g_autofree char *piece = g_malloc0 (65536);
          soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&piece), 65536);
        }
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
  else if (g_str_equal (path, "/api/gzip-bomb") || g_str_equal (path, "/api/gzip-bomb-chunked"))
    {
      g_autoptr(GBytes) packed = gzip_zeros (8 * BIG_SIZE);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      if (g_str_equal (path, "/api/gzip-bomb-chunked"))
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), packed);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
  else if (g_str_equal (path, "/api/slow"))
    trickle (fixture, msg, "application/json", NULL, 0);
  else if (g_str_equal (path, "/api/rate-limited"))
    {
      if (count == 1)
        {
          soup_message_headers_replace (headers, "Retry-After", "1");
          respond (msg, 429, "application/json", "{\"message\": \"slow down\"}");
        }
      else
        respond (msg, SOUP_STATUS_OK, "application/json", "{\"ok\": true}");
    }
  else if (g_str_equal (path, "/api/flaky"))
    {
      if (count <= 2)
        respond (msg, count == 1 ? 503 : 502, "text/plain", "try later");
      else
        respond (msg, SOUP_STATUS_OK, "application/json", "{\"ok\": true}");
    }
  else if (g_str_equal (path, "/api/redirect"))
    {
      g_autofree char *to = g_strdup_printf ("%s/api/ok", fixture->api_base);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, to);
    }
  else if (g_str_equal (path, "/api/nul"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, NUL_BODY, sizeof NUL_BODY - 1);
    }
  else if (g_str_equal (path, "/api/post"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
      g_autofree char *answer = g_strdup_printf ("{\"method\": \"%s\", \"type\": \"%s\", \"size\": %" G_GSIZE_FORMAT "}",
                                                 soup_server_message_get_method (msg), type ? type : "",
                                                 g_bytes_get_size (bytes));
      respond (msg, SOUP_STATUS_OK, "application/json", answer);
    }
  else
    respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "no such thing");
}

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
cdn_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *fixture = user_data;

  count_request (fixture, msg, path);
  if (g_str_equal (path, "/image.png"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), fixture->png);
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), "image/png", NULL);
    }
  else if (g_str_equal (path, "/big.png"))
    {
      g_autofree guint8 *big = g_malloc0 (BIG_SIZE);

      memcpy (big, g_bytes_get_data (fixture->png, NULL), MIN (g_bytes_get_size (fixture->png), 64));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_TAKE, (char *) g_steal_pointer (&big), BIG_SIZE);
    }
  else if (g_str_equal (path, "/big-streamed.png"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "image/png", NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), fixture->png);
      for (guint i = 0; i < BIG_SIZE / 65536; i++)
        soup_message_body_append_take (soup_server_message_get_response_body (msg), g_malloc0 (65536), 65536);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
    }
  else if (g_str_equal (path, "/flaky.png"))
    {
      /* A 503, then a 429 that asks for a second, then the image. */
      guint count = requests_to (fixture, path);

      if (count == 1)
        respond (msg, 503, "text/plain", "try later");
      else if (count == 2)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
          respond (msg, 429, "text/plain", "slow down");
        }
      else
        {
          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_message_body_append_bytes (soup_server_message_get_response_body (msg), fixture->png);
          soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), "image/png", NULL);
        }
    }
  else if (g_str_equal (path, "/rate-limited.png"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      respond (msg, 429, "text/plain", "slow down");
    }
  else if (g_str_equal (path, "/packed.png"))
    {
      /* gzip, with the Content-Length of the packed bytes. */
      g_autoptr(GBytes) packed = gzip_bytes (fixture->png);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Encoding", "gzip");
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), "image/png", NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), packed);
    }
  else if (g_str_equal (path, "/late.png"))
    {
      /* The image, its headers 600 ms late. */
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), fixture->png);
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), "image/png", NULL);
      soup_server_message_pause (msg);
      g_timeout_add (600, unpause_cb, g_object_ref (msg));
    }
  else if (g_str_equal (path, "/slow.png"))
    trickle (fixture, msg, "image/png", g_bytes_get_data (fixture->png, NULL), 32);
  else if (g_str_equal (path, "/moved.png"))
    soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/image.png");
  else if (g_str_equal (path, "/elsewhere.png"))
    {
      g_autofree char *to = g_strdup_printf ("%s/api/ok", fixture->api_base);
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, to);
    }
  else
    respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "no such thing");
}

/* A server on @address (a loopback address), over HTTPS with the
 * contract's certificate when it has one. */
static SoupServer *
server_new (Fixture    *fixture,
            const char *address,
            char      **base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (inet, 0);
  SoupServer *server;
  GSList *uris;
  char *url;

  if (fixture->contract->tls_pem != NULL)
    {
      certificate = g_tls_certificate_new_from_file (fixture->contract->tls_pem, &error);
      g_assert_no_error (error);
    }
  server = soup_server_new ("server-header", "mja-contract ", "tls-certificate", certificate, NULL);
  g_assert_true (soup_server_listen (server, socket_address, certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  *base = url;
  return server;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->contract = data;
  fixture->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture->cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->png = helper_image_bytes ("png", 4096);
  /* The CDN is a host of its own, as on the real site: a browser scopes
   * cookies by host, not by port, so one host for both would hand the
   * CDN the session whatever the transport does. */
  fixture->api = server_new (fixture, "127.0.0.1", &fixture->api_base);
  fixture->cdn = server_new (fixture, "127.0.0.2", &fixture->cdn_base);
  soup_server_add_handler (fixture->api, NULL, api_cb, fixture, NULL);
  soup_server_add_handler (fixture->cdn, NULL, cdn_cb, fixture, NULL);
  fixture->credentials = mja_credentials_new_legacy (COOKIE_VALUE, USER_ID, &error);
  g_assert_no_error (error);
  fixture->transport = fixture->contract->create (fixture->api_base, fixture->cdn_base, fixture->credentials,
                                                  fixture->contract->user_data);
  g_assert_true (MJA_IS_TRANSPORT (fixture->transport));
  fixture->dir = helper_make_archive_dir ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->transport);
  for (GSList *l = fixture->trickles; l != NULL; l = l->next)
    {
      Trickle *trickle = l->data;
      g_clear_handle_id (&trickle->source, g_source_remove);
    }
  soup_server_disconnect (fixture->api);
  soup_server_disconnect (fixture->cdn);
  /* What the servers still had in flight ends before they go. */
  helper_wait_ms (50);
  g_slist_free_full (fixture->trickles, g_free);
  g_clear_object (&fixture->api);
  g_clear_object (&fixture->cdn);
  g_free (fixture->api_base);
  g_free (fixture->cdn_base);
  g_hash_table_unref (fixture->counts);
  g_hash_table_unref (fixture->cookies);
  g_bytes_unref (fixture->png);
  g_clear_object (&fixture->credentials);
  helper_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* ---- one exchange, through the interface ------------------------------ */

typedef struct
{
  gboolean    done;
  GError     *error;
  guint       status;
  char       *retry_after;
  GByteArray *body;
  guint64     progress;
  gboolean    stop_at_response;
} Exchange;

static gboolean
exchange_response (const MjaTransportResponse *response,
                   gpointer                    user_data)
{
  Exchange *ex = user_data;

  ex->status = response->status;
  g_free (ex->retry_after);
  ex->retry_after = g_strdup (response->headers ? soup_message_headers_get_one (response->headers, "Retry-After")
                                                : NULL);
  if (ex->stop_at_response)
    {
      ex->done = TRUE;
      return FALSE;
    }
  return TRUE;
}

static gboolean
exchange_chunk (const guint8 *data,
                gsize         size,
                gpointer      user_data)
{
  Exchange *ex = user_data;

  g_assert_false (ex->done);
  g_byte_array_append (ex->body, data, (guint) size);
  return TRUE;
}

static void
exchange_progress (guint64  received,
                   gpointer user_data)
{
  Exchange *ex = user_data;

  g_assert_false (ex->done);
  g_assert_cmpuint (received, >=, ex->progress);
  ex->progress = received;
}

static void
exchange_done (GError  *error,
               gpointer user_data)
{
  Exchange *ex = user_data;

  g_assert_false (ex->done);
  ex->done = TRUE;
  ex->error = error;
}

static const MjaTransportFuncs exchange_funcs = {
  exchange_response,
  exchange_chunk,
  exchange_progress,
  exchange_done,
};

static void
exchange_clear (Exchange *ex)
{
  g_clear_error (&ex->error);
  g_clear_pointer (&ex->retry_after, g_free);
  g_clear_pointer (&ex->body, g_byte_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exchange, exchange_clear)

static gboolean
exchange_is_done (gpointer data)
{
  return ((Exchange *) data)->done;
}

static char *
url_of (const char *base,
        const char *path)
{
  return g_strconcat (base, path, NULL);
}

/* Sends to the API origin and waits (at most 30 s) for the end. */
static void
send_api (Fixture      *fixture,
          const char   *path,
          guint         timeout_s,
          guint64       max_size,
          GCancellable *cancellable,
          Exchange     *ex)
{
  g_autofree char *url = url_of (fixture->api_base, path);
  const char *headers[] = { "x-csrf-protection", "1", NULL };
  MjaTransportRequest request = {
    MJA_TRANSPORT_REQUEST_API, "GET", url, headers, NULL, NULL, timeout_s, max_size,
  };

  if (ex->body == NULL)
    ex->body = g_byte_array_new ();
  mja_transport_send (fixture->transport, &request, cancellable, &exchange_funcs, ex);
  helper_wait_until (exchange_is_done, ex, 30, path);
}

/* Downloads from the CDN origin into @part and waits for the end. */
static void
download_media_cancellable (Fixture      *fixture,
                            const char   *path,
                            const char   *part,
                            guint         timeout_s,
                            guint64       max_size,
                            GCancellable *cancellable,
                            Exchange     *ex)
{
  g_autofree char *url = url_of (fixture->cdn_base, path);
  MjaTransportRequest request = {
    MJA_TRANSPORT_REQUEST_MEDIA, "GET", url, NULL, NULL, NULL, timeout_s, max_size,
  };

  mja_transport_download (fixture->transport, &request, part, cancellable, &exchange_funcs, ex);
  helper_wait_until (exchange_is_done, ex, 30, path);
}

static void
download_media (Fixture    *fixture,
                const char *path,
                const char *part,
                guint       timeout_s,
                guint64     max_size,
                Exchange   *ex)
{
  download_media_cancellable (fixture, path, part, timeout_s, max_size, NULL, ex);
}

/* ---- the cases -------------------------------------------------------- */

/* An API answer arrives whole, and the session's cookie went with it. */
static void
test_api_answer (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };

  send_api (fixture, "/api/ok", 10, CAP, NULL, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 200);
  g_assert_cmpmem (ex.body->data, ex.body->len, "{\"ok\": true}", 12);
  g_assert_nonnull (strstr (cookie_to (fixture, "/api/ok"), COOKIE_NAME "=" COOKIE_VALUE));
}

/* The body arrives byte for byte, NULs too. */
static void
test_api_nul_bytes (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };

  send_api (fixture, "/api/nul", 10, CAP, NULL, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 200);
  g_assert_cmpmem (ex.body->data, ex.body->len, NUL_BODY, sizeof NUL_BODY - 1);
}

/* A POST carries its body and type (the token service's form). */
static void
test_post_body (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *url = url_of (fixture->api_base, "/api/post");
  g_autoptr(GBytes) form = g_bytes_new_static ("a=1&b=2", 7);
  MjaTransportRequest request = {
    MJA_TRANSPORT_REQUEST_TOKEN, "POST", url, NULL, form, "application/x-www-form-urlencoded", 10, CAP,
  };

  ex.body = g_byte_array_new ();
  mja_transport_send (fixture->transport, &request, NULL, &exchange_funcs, &ex);
  helper_wait_until (exchange_is_done, &ex, 30, "the POST");
  g_assert_no_error (ex.error);
  g_byte_array_append (ex.body, (const guint8 *) "", 1);
  g_assert_cmpstr ((char *) ex.body->data, ==,
                   "{\"method\": \"POST\", \"type\": \"application/x-www-form-urlencoded\", \"size\": 7}");
  /* The token service never sees the session. */
  g_assert_cmpstr (cookie_to (fixture, "/api/post"), ==, "");
}

static void
assert_too_large (Fixture    *fixture,
                  const char *path)
{
  g_auto(Exchange) ex = { 0 };

  send_api (fixture, path, 30, CAP, NULL, &ex);
  g_assert_error (ex.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  g_assert_cmpuint (ex.body->len, <=, CAP);
}

static void
test_cap_announced (Fixture       *fixture,
                    gconstpointer  data)
{
  assert_too_large (fixture, "/api/big-announced");
}

static void
test_cap_streamed (Fixture       *fixture,
                   gconstpointer  data)
{
  assert_too_large (fixture, "/api/big-streamed");
}

/* The cap counts decoded bytes: a small gzip that unpacks to 32 MiB stops
 * at the cap, with or without a Content-Length of its packed size. */
static void
test_cap_gzip (Fixture       *fixture,
               gconstpointer  data)
{
  assert_too_large (fixture, "/api/gzip-bomb");
  assert_too_large (fixture, "/api/gzip-bomb-chunked");
}

/* A body that trickles forever is given up at the deadline. */
static void
test_deadline (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  gint64 start = g_get_monotonic_time ();

  send_api (fixture, "/api/slow", 1, CAP, NULL, &ex);
  g_assert_error (ex.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* Stop means stop, promptly, as G_IO_ERROR_CANCELLED. */
static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (300, cancel_cb, cancellable);
  send_api (fixture, "/api/slow", 60, CAP, cancellable, &ex);
  g_assert_error (ex.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* A 429 and its Retry-After reach the caller as they are. */
static void
test_rate_limited_status (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };

  send_api (fixture, "/api/rate-limited", 10, CAP, NULL, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 429);
  g_assert_cmpstr (ex.retry_after, ==, "1");
}

/* An API redirect is handed up, not followed: the session stays home. */
static void
test_api_redirect (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };

  send_api (fixture, "/api/redirect", 10, CAP, NULL, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 302);
  g_assert_cmpuint (requests_to (fixture, "/api/ok"), ==, 0);
}

/* A @response that says stop ends the exchange: nothing more is called. */
static void
test_stop_at_response (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };

  ex.stop_at_response = TRUE;
  send_api (fixture, "/api/big-streamed", 10, 0, NULL, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.body->len, ==, 0);
  /* Nothing arrives afterwards either. */
  helper_wait_ms (200);
  g_assert_cmpuint (ex.body->len, ==, 0);
}

/* Media come whole into the .part file, and no cookie goes to the CDN. */
static void
test_media_download (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "image.png.part", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  /* An API request first, so a transport that would leak cookies has one. */
  {
    g_auto(Exchange) api = { 0 };
    send_api (fixture, "/api/ok", 10, CAP, NULL, &api);
    g_assert_no_error (api.error);
  }
  download_media (fixture, "/image.png", part, 10, CAP, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 200);
  g_assert_cmpuint (ex.progress, ==, g_bytes_get_size (fixture->png));
  g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
  g_assert_cmpstr (cookie_to (fixture, "/image.png"), ==, "");
}

/* An old .part is replaced, not appended to. */
static void
test_media_truncates (Fixture       *fixture,
                      gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "image.png.part", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *junk = g_strnfill (3 * g_bytes_get_size (fixture->png), 'x');
  gsize length;

  g_assert_true (g_file_set_contents (part, junk, -1, NULL));
  download_media (fixture, "/image.png", part, 10, CAP, &ex);
  g_assert_no_error (ex.error);
  g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
}

/* A symlink planted where the .part goes is not followed: the download
 * is refused (the direct transport's O_NOFOLLOW), or the link itself is
 * replaced by a file of the download's own (the browser's, which removes
 * whatever is there before WebKit creates the file). */
static void
test_media_symlink (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "image.png.part", NULL);
  g_autofree char *victim = g_build_filename (fixture->dir, "victim.txt", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_set_contents (victim, "keep me", -1, NULL));
  g_assert_cmpint (symlink (victim, part), ==, 0);
  download_media (fixture, "/image.png", part, 10, CAP, &ex);
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  if (ex.error == NULL)
    {
      g_clear_pointer (&contents, g_free);
      g_assert_false (g_file_test (part, G_FILE_TEST_IS_SYMLINK));
      g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
      g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
    }
}

/* Nor one planted while the request is on its way, before the answer
 * comes: the file is made when the answer is there, not before. */
static void
test_media_symlink_late (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *url = url_of (fixture->cdn_base, "/late.png");
  g_autofree char *part = g_build_filename (fixture->dir, "image.png.part", NULL);
  g_autofree char *victim = g_build_filename (fixture->dir, "victim.txt", NULL);
  g_autofree char *contents = NULL;
  MjaTransportRequest request = {
    MJA_TRANSPORT_REQUEST_MEDIA, "GET", url, NULL, NULL, NULL, 10, CAP,
  };
  gsize length;

  g_assert_true (g_file_set_contents (victim, "keep me", -1, NULL));
  mja_transport_download (fixture->transport, &request, part, NULL, &exchange_funcs, &ex);
  helper_wait_ms (300);
  g_assert_false (ex.done);
  g_assert_cmpint (symlink (victim, part), ==, 0);
  helper_wait_until (exchange_is_done, &ex, 30, "/late.png");
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  if (ex.error == NULL)
    {
      g_clear_pointer (&contents, g_free);
      g_assert_false (g_file_test (part, G_FILE_TEST_IS_SYMLINK));
      g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
      g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
    }
}

static void
test_media_cap (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "big.png.part", NULL);

  download_media (fixture, "/big.png", part, 30, CAP, &ex);
  g_assert_error (ex.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  g_assert_cmpuint (ex.progress, <=, CAP);
}

/* Without a Content-Length the cap counts what arrives. */
static void
test_media_cap_streamed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "big.png.part", NULL);

  download_media (fixture, "/big-streamed.png", part, 30, CAP, &ex);
  g_assert_error (ex.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  g_assert_cmpuint (ex.progress, <=, CAP);
}

/* Stop means stop for a download too. */
static void
test_media_cancel (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *part = g_build_filename (fixture->dir, "slow.png.part", NULL);
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (300, cancel_cb, cancellable);
  download_media_cancellable (fixture, "/slow.png", part, 60, CAP, cancellable, &ex);
  g_assert_error (ex.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_media_deadline (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "slow.png.part", NULL);

  download_media (fixture, "/slow.png", part, 1, CAP, &ex);
  g_assert_error (ex.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE);
}

/* A 429 of the CDN and its Retry-After reach the caller as they are. */
static void
test_media_rate_limited_status (Fixture       *fixture,
                                gconstpointer  data)
{
  g_auto(Exchange) ex = { 0 };
  g_autofree char *part = g_build_filename (fixture->dir, "image.png.part", NULL);

  ex.stop_at_response = TRUE;
  download_media (fixture, "/rate-limited.png", part, 10, CAP, &ex);
  g_assert_no_error (ex.error);
  g_assert_cmpuint (ex.status, ==, 429);
  g_assert_cmpstr (ex.retry_after, ==, "1");
}

/* Media may move within the CDN, never to another host: the move is
 * handed up as the redirect it is, a 302, and nothing of the other host's
 * answer reaches the caller or the .part. */
static void
test_media_redirects (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *part = g_build_filename (fixture->dir, "moved.png.part", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  {
    g_auto(Exchange) ex = { 0 };
    download_media (fixture, "/moved.png", part, 10, CAP, &ex);
    g_assert_no_error (ex.error);
    g_assert_cmpuint (ex.status, ==, 200);
    g_assert_cmpuint (requests_to (fixture, "/image.png"), ==, 1);
    g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
    g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
    g_clear_pointer (&contents, g_free);
  }
  /* The caller stops at the 302, as the downloader does. */
  {
    g_auto(Exchange) ex = { 0 };
    ex.stop_at_response = TRUE;
    download_media (fixture, "/elsewhere.png", part, 10, CAP, &ex);
    g_assert_no_error (ex.error);
    g_assert_cmpuint (ex.status, ==, 302);
    if (fixture->contract->engine_follows_redirects)
      g_assert_cmpuint (requests_to (fixture, "/api/ok"), ==, 1);
    else
      g_assert_cmpuint (requests_to (fixture, "/api/ok"), ==, 0);
  }
  /* The caller reads on: the 302's body at most, never the answer of the
   * host it points to. */
  {
    g_auto(Exchange) ex = { 0 };
    download_media (fixture, "/elsewhere.png", part, 10, CAP, &ex);
    g_assert_no_error (ex.error);
    g_assert_cmpuint (ex.status, ==, 302);
    if (g_file_get_contents (part, &contents, &length, NULL))
      g_assert_null (g_strstr_len (contents, length, "\"ok\""));
  }
}

/* ---- the API client and the downloader above the transport ------------ */

static MjaApi *
api_new (Fixture *fixture)
{
  MjaApi *api = mja_api_new (fixture->api_base, fixture->api_base);

  mja_api_set_transport (api, fixture->transport);
  mja_api_set_credentials (api, fixture->credentials);
  mja_api_set_request_interval (api, 0);
  mja_api_set_retry_policy (api, 3, 10);
  return api;
}

static JsonNode *
api_get (MjaApi      *api,
         const char  *base,
         const char  *path,
         GError     **error)
{
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;

  mja_api_request_async (api, MJA_API_REQUEST_LEGACY, path, g_strconcat (base, path, NULL), NULL, NULL,
                         helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  return mja_api_request_finish (api, result, error);
}

/* 5xx answers are tried again until one succeeds. */
static void
test_api_retries (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MjaApi) api = api_new (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = api_get (api, fixture->api_base, "/api/flaky", &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (requests_to (fixture, "/api/flaky"), ==, 3);
}

/* A 429 is waited out as long as Retry-After says, then asked again. */
static void
test_api_retry_after (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(MjaApi) api = api_new (fixture);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr(JsonNode) node = api_get (api, fixture->api_base, "/api/rate-limited", &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpuint (requests_to (fixture, "/api/rate-limited"), ==, 2);
}

/* The downloader over the transport: the file lands under its final name,
 * whole, without a cookie, and nothing is left as .part. */
typedef struct
{
  guint   done;
  guint   failed;
  GError *error;
} Downloads;

static void
image_done_cb (MjaDownloader *downloader,
               const char    *job_id,
               guint          index,
               guint64        bytes,
               gboolean       skipped,
               gpointer       user_data)
{
  ((Downloads *) user_data)->done++;
}

static void
image_failed_cb (MjaDownloader *downloader,
                 const char    *job_id,
                 guint          index,
                 GError        *error,
                 gpointer       user_data)
{
  Downloads *downloads = user_data;

  downloads->failed++;
  g_clear_error (&downloads->error);
  downloads->error = g_error_copy (error);
}

static gboolean
downloads_ended (gpointer data)
{
  Downloads *downloads = data;

  return downloads->done + downloads->failed > 0;
}

static void
download_one (Fixture    *fixture,
              const char *source)
{
  g_autoptr(MjaArchive) archive = mja_archive_new (fixture->dir);
  g_autoptr(MjaDownloader) downloader = NULL;
  g_autofree char *url = url_of (fixture->cdn_base, source);
  g_autofree char *path = g_build_filename (fixture->dir, "job", "image.png", NULL);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *contents = NULL;
  Downloads downloads = { 0 };
  gsize length;

  downloader = mja_downloader_new_with_transport (archive, 2, NULL, fixture->transport);
  g_signal_connect (downloader, "image-done", G_CALLBACK (image_done_cb), &downloads);
  g_signal_connect (downloader, "image-failed", G_CALLBACK (image_failed_cb), &downloads);
  mja_downloader_add (downloader, "job", 0, url, "job/image.png");
  helper_wait_until (downloads_ended, &downloads, 30, "the download");
  g_assert_no_error (downloads.error);
  g_assert_cmpuint (downloads.done, ==, 1);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (cookie_to (fixture, source), ==, "");
}

/* A 5xx is tried again and a 429 waited out as its Retry-After says,
 * for images as for the API. */
static void
test_downloader_retries (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(MjaArchive) archive = mja_archive_new (fixture->dir);
  g_autoptr(MjaDownloader) downloader = mja_downloader_new_with_transport (archive, 2, NULL, fixture->transport);
  g_autofree char *url = url_of (fixture->cdn_base, "/flaky.png");
  g_autofree char *path = g_build_filename (fixture->dir, "job", "image.png", NULL);
  g_autofree char *contents = NULL;
  Downloads downloads = { 0 };
  gint64 start = g_get_monotonic_time ();
  gsize length;

  mja_downloader_set_retry_policy (downloader, 3, 10);
  g_signal_connect (downloader, "image-done", G_CALLBACK (image_done_cb), &downloads);
  g_signal_connect (downloader, "image-failed", G_CALLBACK (image_failed_cb), &downloads);
  mja_downloader_add (downloader, "job", 0, url, "job/image.png");
  helper_wait_until (downloads_ended, &downloads, 30, "the download");
  g_assert_no_error (downloads.error);
  g_assert_cmpuint (downloads.done, ==, 1);
  g_assert_cmpuint (requests_to (fixture, "/flaky.png"), ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (fixture->png, NULL), g_bytes_get_size (fixture->png));
}

/* An image moved to another host fails as the image server's answer (not
 * a network error to try again), and nothing lands in the archive. */
static void
test_downloader_redirect (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(MjaArchive) archive = mja_archive_new (fixture->dir);
  g_autoptr(MjaDownloader) downloader = mja_downloader_new_with_transport (archive, 2, NULL, fixture->transport);
  g_autofree char *url = url_of (fixture->cdn_base, "/elsewhere.png");
  g_autofree char *path = g_build_filename (fixture->dir, "job", "image.png", NULL);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  Downloads downloads = { 0 };

  g_signal_connect (downloader, "image-done", G_CALLBACK (image_done_cb), &downloads);
  g_signal_connect (downloader, "image-failed", G_CALLBACK (image_failed_cb), &downloads);
  mja_downloader_add (downloader, "job", 0, url, "job/image.png");
  helper_wait_until (downloads_ended, &downloads, 30, "the download");
  g_assert_cmpuint (downloads.done, ==, 0);
  g_assert_cmpuint (downloads.failed, ==, 1);
  g_assert_error (downloads.error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_HTTP);
  g_assert_cmpuint (requests_to (fixture, "/elsewhere.png"), ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_clear_error (&downloads.error);
}

static void
test_downloader (Fixture       *fixture,
                 gconstpointer  data)
{
  download_one (fixture, "/image.png");
}

/* A compressed image arrives whole: its Content-Length counts the packed
 * bytes, which is not taken for a connection cut short. */
static void
test_downloader_gzip (Fixture       *fixture,
                      gconstpointer  data)
{
  download_one (fixture, "/packed.png");
  g_assert_cmpuint (requests_to (fixture, "/packed.png"), ==, 1);
}

/* ---- registering ------------------------------------------------------ */

static void
add (const TransportContract *contract,
     const char              *name,
     void                   (*func) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strdup_printf ("/transport/%s/%s", contract->name, name);

  g_test_add (path, Fixture, contract, fixture_setup, func, fixture_teardown);
}

void
transport_contract_add_tests (const TransportContract *contract)
{
  g_return_if_fail (contract != NULL && contract->create != NULL);

  add (contract, "api-answer", test_api_answer);
  add (contract, "api-nul-bytes", test_api_nul_bytes);
  add (contract, "post-body", test_post_body);
  add (contract, "cap-announced", test_cap_announced);
  add (contract, "cap-streamed", test_cap_streamed);
  add (contract, "cap-gzip", test_cap_gzip);
  add (contract, "deadline", test_deadline);
  add (contract, "cancel", test_cancel);
  add (contract, "rate-limited-status", test_rate_limited_status);
  add (contract, "api-redirect", test_api_redirect);
  add (contract, "stop-at-response", test_stop_at_response);
  add (contract, "media-download", test_media_download);
  add (contract, "media-truncates", test_media_truncates);
  add (contract, "media-symlink", test_media_symlink);
  add (contract, "media-symlink-late", test_media_symlink_late);
  add (contract, "media-cap", test_media_cap);
  add (contract, "media-cap-streamed", test_media_cap_streamed);
  add (contract, "media-cancel", test_media_cancel);
  add (contract, "media-deadline", test_media_deadline);
  add (contract, "media-rate-limited-status", test_media_rate_limited_status);
  add (contract, "media-redirects", test_media_redirects);
  add (contract, "api-retries", test_api_retries);
  add (contract, "api-retry-after", test_api_retry_after);
  add (contract, "downloader", test_downloader);
  add (contract, "downloader-retries", test_downloader_retries);
  add (contract, "downloader-redirect", test_downloader_redirect);
  add (contract, "downloader-gzip", test_downloader_gzip);
}
