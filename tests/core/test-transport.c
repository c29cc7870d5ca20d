/* test-transport.c — the transport contract, run against the direct transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cases are transport-contract.c's; this main gives them the direct
 * transport (libsoup), over HTTP and over HTTPS with the fake's test
 * certificate, and adds what only the direct one does: trusting the extra
 * certificate of MJA_TLS_CERTIFICATE, and nothing else.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-fake-server-private.h"
#include "mja-http-private.h"
#include "mja-transport-soup.h"
#include "test-utils.h"
#include "transport-contract.h"

static MjaTransport *
create_direct (const char     *api_base,
               const char     *cdn_base,
               MjaCredentials *credentials,
               gpointer        user_data)
{
  MjaTransport *transport = mja_transport_soup_new ();

  mja_transport_soup_set_credentials (MJA_TRANSPORT_SOUP (transport), credentials);
  return transport;
}

/* ---- the extra certificate, and nothing else -------------------------- */

static char *tls_pem;        /* the fake's certificate and key */
static char *other_pem;      /* another certificate (and key) of nobody we trust */

typedef struct
{
  gboolean done;
  GError  *error;
  guint    status;
} Answer;

static gboolean
answer_response (const MjaTransportResponse *response,
                 gpointer                    user_data)
{
  ((Answer *) user_data)->status = response->status;
  return TRUE;
}

static gboolean
answer_chunk (const guint8 *data,
              gsize         size,
              gpointer      user_data)
{
  return TRUE;
}

static void
answer_done (GError  *error,
             gpointer user_data)
{
  Answer *answer = user_data;

  answer->done = TRUE;
  answer->error = error;
}

static const MjaTransportFuncs answer_funcs = { answer_response, answer_chunk, NULL, answer_done };

static gboolean
answer_is_done (gpointer data)
{
  return ((Answer *) data)->done;
}

static void
hello_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

/* An HTTPS server with @pem on @address; returns its base address. */
static SoupServer *
https_server_new (const char  *pem,
                  const char  *address,
                  char       **base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (pem, &error);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (inet, 0);
  SoupServer *server;
  GSList *uris;

  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  g_assert_true (soup_server_listen (server, socket_address, SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  soup_server_add_handler (server, NULL, hello_cb, NULL, NULL);
  uris = soup_server_get_uris (server);
  *base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

/* One GET to @url by a new direct transport, with MJA_TLS_CERTIFICATE as
 * @extra (%NULL: unset). */
static void
fetch (const char *url,
       const char *extra,
       Answer     *answer)
{
  g_autoptr(MjaTransport) transport = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("MJA_TLS_CERTIFICATE"));
  MjaTransportRequest request = { MJA_TRANSPORT_REQUEST_API, "GET", url, NULL, NULL, NULL, 10, 1024 };

  if (extra != NULL)
    g_setenv ("MJA_TLS_CERTIFICATE", extra, TRUE);
  else
    g_unsetenv ("MJA_TLS_CERTIFICATE");
  transport = mja_transport_soup_new ();
  mja_transport_send (transport, &request, NULL, &answer_funcs, answer);
  helper_wait_until (answer_is_done, answer, 30, url);
  if (saved != NULL)
    g_setenv ("MJA_TLS_CERTIFICATE", saved, TRUE);
  else
    g_unsetenv ("MJA_TLS_CERTIFICATE");
}

static void
test_tls_extra_certificate (void)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) server = https_server_new (tls_pem, "127.0.0.1", &base);

  /* Trusted with it. */
  {
    Answer answer = { 0 };
    fetch (base, tls_pem, &answer);
    g_assert_no_error (answer.error);
    g_assert_cmpuint (answer.status, ==, 200);
  }
  /* Not without it: the system does not know the fake's certificate. */
  {
    Answer answer = { 0 };
    fetch (base, NULL, &answer);
    g_assert_nonnull (answer.error);
    g_assert_true (answer.error->domain == G_TLS_ERROR || answer.error->domain == G_IO_ERROR);
    g_assert_false (mja_error_is_transient (answer.error) && answer.error->domain == G_TLS_ERROR);
    g_assert_cmpuint (answer.status, ==, 0);
    g_clear_error (&answer.error);
  }
  /* Nor with another certificate in its place. */
  if (other_pem != NULL)
    {
      Answer answer = { 0 };
      fetch (base, other_pem, &answer);
      g_assert_nonnull (answer.error);
      g_assert_cmpuint (answer.status, ==, 0);
      g_clear_error (&answer.error);
    }
  soup_server_disconnect (server);
}

/* The extra certificate vouches for the hosts it names, not for any host
 * that shows it: 127.0.0.3 is not among them. */
static void
test_tls_wrong_host (void)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) server = https_server_new (tls_pem, "127.0.0.3", &base);
  Answer answer = { 0 };

  fetch (base, tls_pem, &answer);
  g_assert_nonnull (answer.error);
  g_assert_cmpuint (answer.status, ==, 0);
  g_clear_error (&answer.error);
  soup_server_disconnect (server);
}

/* A file already where the .part goes, a hard link planted to a file
 * elsewhere: replaced, never truncated nor written into (O_TRUNC wrote
 * the image into the other file). */
static void
test_part_hard_link (void)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) server = helper_local_server_new (&base);
  g_autofree char *dir = g_dir_make_tmp ("mja-test-part-XXXXXX", NULL);
  g_autofree char *victim = g_build_filename (dir, "victim.txt", NULL);
  g_autofree char *part = g_build_filename (dir, "image.png.part", NULL);
  g_autofree char *url = g_strconcat (base, "/image.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(MjaTransport) transport = mja_transport_soup_new ();
  MjaTransportRequest request = { MJA_TRANSPORT_REQUEST_MEDIA, "GET", url, NULL, NULL, NULL, 10, 1024 };
  Answer answer = { 0 };

  soup_server_add_handler (server, NULL, hello_cb, NULL, NULL);
  g_assert_true (g_file_set_contents (victim, "keep me", -1, NULL));
  g_assert_cmpint (link (victim, part), ==, 0);
  mja_transport_download (transport, &request, part, NULL, &answer_funcs, &answer);
  helper_wait_until (answer_is_done, &answer, 30, url);
  g_assert_no_error (answer.error);
  g_assert_true (g_file_get_contents (victim, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (part, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{}");
  soup_server_disconnect (server);
  helper_remove_tree (dir);
}

/* A second self-signed certificate for 127.0.0.1 from openssl, when it is
 * there; %NULL otherwise. */
static char *
make_other_pem (const char *dir)
{
  g_autofree char *key = g_build_filename (dir, "other-key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "other-cert.pem", NULL);
  g_autofree char *key_text = NULL;
  g_autofree char *cert_text = NULL;
  g_autofree char *both = NULL;
  char *path = g_build_filename (dir, "other.pem", NULL);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=somebody else",
    "-addext", "subjectAltName=IP:127.0.0.1", NULL,
  };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL) ||
      !g_file_get_contents (cert, &cert_text, NULL, NULL) || !g_file_get_contents (key, &key_text, NULL, NULL))
    {
      g_free (path);
      return NULL;
    }
  both = g_strconcat (cert_text, key_text, NULL);
  g_assert_true (g_file_set_contents (path, both, -1, NULL));
  return path;
}

int
main (int    argc,
      char **argv)
{
  static TransportContract direct = { "direct", create_direct, NULL, NULL };
  static TransportContract direct_https = { "direct-https", create_direct, NULL, NULL };
  g_autofree char *dir = NULL;
  g_autofree char *both = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  dir = g_dir_make_tmp ("mja-test-transport-XXXXXX", NULL);
  g_assert_nonnull (dir);
  tls_pem = g_build_filename (dir, "fake.pem", NULL);
  both = g_strconcat (mja_fake_tls_certificate_pem, mja_fake_tls_key_pem, NULL);
  g_assert_true (g_file_set_contents (tls_pem, both, -1, NULL));
  other_pem = make_other_pem (dir);
  /* The contract's HTTPS servers show the fake's certificate. */
  g_setenv ("MJA_TLS_CERTIFICATE", tls_pem, TRUE);
  direct_https.tls_pem = tls_pem;

  transport_contract_add_tests (&direct);
  transport_contract_add_tests (&direct_https);
  g_test_add_func ("/transport/direct/tls/extra-certificate", test_tls_extra_certificate);
  g_test_add_func ("/transport/direct/tls/wrong-host", test_tls_wrong_host);
  g_test_add_func ("/transport/direct/part-hard-link", test_part_hard_link);
  status = g_test_run ();

  helper_remove_tree (dir);
  g_free (tls_pem);
  g_free (other_pem);
  return status;
}
