/* test-web-transport.c — the browser transport against the fake, under a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a sync through the built-in browser relies on: API calls answered
 * with the session the keyring gave it, the size cap and the deadline, the
 * calls of another thread answered in that thread, images byte-identical
 * in the .part file with progress, no cookie to the CDN, a challenge that
 * needs a person said so, a 401 renewed by reloading the page.  Then the
 * transport contract (tests/core/transport-contract.c), the very cases
 * the direct transport passes, against MjaWebTransport over HTTPS:
 * "/transport/browser/…".
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "mja-fake-server-private.h"
#include "mja-http-private.h"
#include "mja-web-transport-private.h"
#include "mja-web-transport.h"
#include "test-utils.h"
#include "transport-contract.h"

/* The fake's API and CDN share 127.0.0.1; the browser scopes cookies by
 * host, not port, so the API is reached as "localhost" to keep the CDN a
 * host of its own, as on the real site. */
static char *
localhost_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return g_strdup_printf ("%s://localhost:%d", g_uri_get_scheme (uri), g_uri_get_port (uri));
}

typedef struct
{
  MjaFakeServer   *server;
  char            *api_url;
  MjaWebTransport *transport;
} Fixture;

static MjaWebTransport *
new_transport (const char *api_url,
               const char *cdn_url,
               const char *cookie_header)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WebKitNetworkSession) session = mja_web_network_session_new (api_url, cdn_url, &error);
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (error);
  mja_web_network_session_add_cookies_async (session, api_url, cookie_header, NULL, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  g_assert_true (mja_web_network_session_add_cookies_finish (session, result, &error));
  g_assert_no_error (error);
  return mja_web_transport_new (session, api_url);
}

static void
fixture_set_up_with (Fixture              *fixture,
                     MjaFakeServerOptions *options,
                     gboolean              signed_in)
{
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autofree char *cookie = NULL;

  fixture->server = helper_start_server (options);
  /* Browser-only: the CDN is on 127.0.0.2 already, and __Host- cookies
   * need the site's own HTTPS origin. */
  fixture->api_url = options->browser_only ? g_strdup (mja_fake_server_get_api_url (fixture->server))
                                           : localhost_url (mja_fake_server_get_api_url (fixture->server));
  credentials = helper_current_credentials (fixture->server);
  cookie = signed_in ? mja_credentials_dup_cookie_header (credentials) : NULL;
  fixture->transport = new_transport (fixture->api_url, mja_fake_server_get_cdn_url (fixture->server), cookie);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  MjaFakeServerOptions options;

  mja_fake_server_options_init (&options);
  options.n_jobs = 12;
  options.slow_body = GPOINTER_TO_INT (data) == 1;
  options.challenge = GPOINTER_TO_INT (data) == 2;
  options.browser_only = GPOINTER_TO_INT (data) == 4;
  fixture_set_up_with (fixture, &options, GPOINTER_TO_INT (data) != 3);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->transport);
  mja_fake_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->api_url);
}

/* ---- running one request to its end ------------------------------------ */

typedef struct
{
  GMainContext *context;     /* where the callbacks must run */
  gboolean      finished;
  guint         status;
  char         *content_type;
  char         *cf_mitigated;
  GByteArray   *body;
  guint64       progress;
  guint         n_progress;
  GError       *error;
  gboolean      wrong_context;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->content_type);
  g_free (answer->cf_mitigated);
  g_clear_pointer (&answer->body, g_byte_array_unref);
  g_clear_error (&answer->error);
}

static void
check_context (Answer *answer)
{
  if (!g_main_context_is_owner (answer->context))
    answer->wrong_context = TRUE;
}

static gboolean
answer_response (const MjaTransportResponse *response,
                 gpointer                    data)
{
  Answer *answer = data;

  check_context (answer);
  answer->status = response->status;
  answer->content_type = g_strdup (soup_message_headers_get_content_type (response->headers, NULL));
  answer->cf_mitigated = g_strdup (soup_message_headers_get_one (response->headers, "cf-mitigated"));
  return TRUE;
}

static gboolean
answer_chunk (const guint8 *data,
              gsize         size,
              gpointer      user_data)
{
  Answer *answer = user_data;

  check_context (answer);
  g_byte_array_append (answer->body, data, size);
  return TRUE;
}

static void
answer_progress (guint64  received,
                 gpointer data)
{
  Answer *answer = data;

  check_context (answer);
  g_assert_cmpuint (received, >=, answer->progress);
  answer->progress = received;
  answer->n_progress++;
}

static void
answer_done (GError  *error,
             gpointer data)
{
  Answer *answer = data;

  check_context (answer);
  g_assert_false (answer->finished);
  answer->error = error;
  answer->finished = TRUE;
}

static const MjaTransportFuncs answer_funcs = {
  answer_response, answer_chunk, answer_progress, answer_done,
};

static void
run (MjaWebTransport *transport,
     const char      *method,
     const char      *url,
     guint            timeout_s,
     guint64          max_size,
     const char      *part_path,
     Answer          *answer)
{
  const char *headers[] = { "x-csrf-protection", "1", "accept", "*/*", NULL };
  MjaTransportRequest request = {
    part_path ? MJA_TRANSPORT_REQUEST_MEDIA : MJA_TRANSPORT_REQUEST_API,
    method, url, part_path ? NULL : headers, NULL, NULL, timeout_s, max_size,
  };
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  memset (answer, 0, sizeof *answer);
  answer->context = g_main_context_ref_thread_default ();
  answer->body = g_byte_array_new ();
  if (part_path != NULL)
    mja_transport_download (MJA_TRANSPORT (transport), &request, part_path, NULL, &answer_funcs, answer);
  else
    mja_transport_send (MJA_TRANSPORT (transport), &request, NULL, &answer_funcs, answer);
  while (!answer->finished)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (answer->context, TRUE);
    }
  g_main_context_unref (answer->context);
  g_assert_false (answer->wrong_context);
}

static char *
listing_url (Fixture    *fixture,
             guint       page_size)
{
  return g_strdup_printf ("%s/api/imagine?user_id=%s&page_size=%u", fixture->api_url,
                          mja_fake_server_get_user_id (fixture->server), page_size);
}

/* ---- the tests ------------------------------------------------------- */

static void
test_send_listing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 5);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Answer answer;

  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpstr (answer.content_type, ==, "application/json");
  g_assert_true (json_parser_load_from_data (parser, (const char *) answer.body->data, answer.body->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                         "data")), ==, 5);
  answer_clear (&answer);
}

static void
test_send_signed_out (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 5);
  Answer answer;

  /* No cookie from the keyring: the site says 401, nothing else is made up. */
  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 401);
  answer_clear (&answer);
}

static void
test_send_cap (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 12);
  Answer answer;

  run (fixture->transport, "GET", url, 30, 200, NULL, &answer);
  g_assert_error (answer.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  g_assert_cmpuint (answer.body->len, <=, 200);
  answer_clear (&answer);

  /* The page is still fit for the next call. */
  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
}

static void
test_send_deadline (Fixture       *fixture,
                    gconstpointer  data)
{
  char *url = listing_url (fixture, 5);
  gint64 start = g_get_monotonic_time ();
  Answer answer;

  /* The fake trickles a byte every 100 ms and never ends. */
  for (guint i = 0; i < MJA_WEB_TRANSPORT_MAX_CALLS + 1; i++)
    {
      run (fixture->transport, "GET", url, 1, 0, NULL, &answer);
      g_assert_error (answer.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE);
      answer_clear (&answer);
    }
  /* Each gave up after its second. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, (MJA_WEB_TRANSPORT_MAX_CALLS + 1) * 4 * G_USEC_PER_SEC);

  /* None kept a slot: a quick answer still comes (the fake answers
   * anything but a listing at once, 404). */
  g_free (url);
  url = g_strdup_printf ("%s/api/nothing-here", fixture->api_url);
  run (fixture->transport, "GET", url, 10, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 404);
  answer_clear (&answer);
  g_free (url);
}

typedef struct
{
  Fixture *fixture;
  Answer   answer;
} ThreadCall;

static gpointer
thread_func (gpointer data)
{
  ThreadCall *call = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *url = listing_url (call->fixture, 3);

  g_main_context_push_thread_default (context);
  run (call->fixture->transport, "GET", url, 30, 0, NULL, &call->answer);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_send_from_thread (Fixture       *fixture,
                       gconstpointer  data)
{
  ThreadCall calls[3] = { { fixture }, { fixture }, { fixture } };
  GThread *threads[3];

  /* As the sync does: calls from its own thread, answered there (run()
   * checks the context of every callback), while the main loop runs. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("caller", thread_func, &calls[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      while (!g_atomic_int_get (&calls[i].answer.finished))
        g_main_context_iteration (NULL, TRUE);
      g_thread_join (threads[i]);
      g_assert_no_error (calls[i].answer.error);
      g_assert_cmpuint (calls[i].answer.status, ==, 200);
      answer_clear (&calls[i].answer);
    }
}

static void
test_download (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *dir = helper_make_archive_dir ();
  g_autofree char *part = g_build_filename (dir, "image.png.part", NULL);
  g_autofree char *elsewhere = g_build_filename (dir, "elsewhere", NULL);
  g_auto(GStrv) ids = mja_fake_server_dup_job_ids (fixture->server);
  g_autofree char *url = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (fixture->server), ids[0]);
  g_autoptr(GBytes) expected = mja_fake_server_dup_image (fixture->server, ids[0], 0, "png");
  g_autofree char *contents = NULL;
  gsize length;
  Answer answer;

  /* A stale .part that is a symlink: replaced, never written through. */
  g_assert_true (g_file_set_contents (elsewhere, "keep", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, part), ==, 0);

  run (fixture->transport, "GET", url, 30, 0, part, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (answer.n_progress, >, 0);
  g_assert_cmpuint (answer.progress, ==, g_bytes_get_size (expected));
  g_assert_false (g_file_test (part, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (elsewhere, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep");
  /* The session went to the API host only. */
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (fixture->server), ==, 0);
  answer_clear (&answer);

  /* Over the cap: stopped, said so. */
  run (fixture->transport, "GET", url, 30, 100, part, &answer);
  g_assert_error (answer.error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  answer_clear (&answer);

  helper_remove_tree (dir);
}

static void
test_download_missing (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dir = helper_make_archive_dir ();
  g_autofree char *part = g_build_filename (dir, "gone.png.part", NULL);
  g_autofree char *url = g_strdup_printf ("%s/no-such-job/0_0.png", mja_fake_server_get_cdn_url (fixture->server));
  Answer answer;

  run (fixture->transport, "GET", url, 30, 0, part, &answer);
  /* The caller hears the status (it decides what a 404 means). */
  g_assert_true (answer.error != NULL || answer.status == 404);
  if (answer.error == NULL)
    g_assert_cmpuint (answer.status, ==, 404);
  answer_clear (&answer);
  helper_remove_tree (dir);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_challenge_needs_person (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 5);
  guint notified = 0;
  Answer answer;

  /* Every page and call is a challenge that never solves itself. */
  g_signal_connect (fixture->transport, "notify::needs-person", G_CALLBACK (notify_cb), &notified);
  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 403);
  g_assert_true (mja_web_transport_get_needs_person (fixture->transport));
  g_assert_cmpuint (notified, ==, 1);
  answer_clear (&answer);
}

static void
test_renew_session (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 5);
  g_autoptr(GError) error = NULL;
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  guint before;
  Answer answer;

  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);

  /* A 401 makes the caller ask for a renewal: the page is loaded again
   * (the site's script refreshes its token there), then it is worth a try. */
  before = mja_fake_server_get_request_count (fixture->server);
  mja_transport_renew_session_async (MJA_TRANSPORT (fixture->transport), NULL, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  g_assert_true (mja_transport_renew_session_finish (MJA_TRANSPORT (fixture->transport), result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mja_fake_server_get_request_count (fixture->server), >, before);

  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
}

static void
cookies_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GList **cookies = data;

  *cookies = webkit_cookie_manager_get_cookies_finish (WEBKIT_COOKIE_MANAGER (source), result, NULL);
  if (*cookies == NULL)
    *cookies = g_list_prepend (NULL, NULL);
}

static void
cookie_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_assert_true (webkit_cookie_manager_delete_cookie_finish (WEBKIT_COOKIE_MANAGER (source), result, NULL));
  (*(guint *) data)--;
}

static gboolean
list_ready (gpointer data)
{
  return *(GList **) data != NULL;
}

static gboolean
none_pending (gpointer data)
{
  return *(guint *) data == 0;
}

/* Deletes the bot check's cookie from the transport's session. */
static void
forget_clearance (Fixture *fixture)
{
  WebKitCookieManager *manager =
    webkit_network_session_get_cookie_manager (mja_web_transport_get_network_session (fixture->transport));
  GList *cookies = NULL;
  guint pending = 0;

  webkit_cookie_manager_get_cookies (manager, fixture->api_url, NULL, cookies_cb, &cookies);
  helper_wait_until (list_ready, &cookies, 10, "the session's cookies");
  for (GList *l = cookies; l != NULL; l = l->next)
    if (l->data != NULL && g_str_equal (soup_cookie_get_name (l->data), "cf_clearance"))
      {
        pending++;
        webkit_cookie_manager_delete_cookie (manager, l->data, NULL, cookie_deleted_cb, &pending);
      }
  g_assert_cmpuint (pending, ==, 1);
  helper_wait_until (none_pending, &pending, 10, "the clearance to go");
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);
}

static void
test_browser_only (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = listing_url (fixture, 5);
  g_autofree char *dir = helper_make_archive_dir ();
  g_autofree char *part = g_build_filename (dir, "image.png.part", NULL);
  g_auto(GStrv) ids = mja_fake_server_dup_job_ids (fixture->server);
  g_autofree char *image_url = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (fixture->server), ids[0]);
  g_autoptr(GBytes) expected = mja_fake_server_dup_image (fixture->server, ids[0], 0, "png");
  g_autofree char *contents = NULL;
  guint challenges;
  gsize length;
  Answer answer;

  /* HTTPS trusted through MJA_TLS_CERTIFICATE only; the page passes the
   * bot check by running its script, then fetch() carries the clearance
   * and the session the keyring gave. */
  g_assert_true (g_str_has_prefix (fixture->api_url, "https://"));
  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (mja_fake_server_get_challenge_count (fixture->server), >, 0);
  g_assert_false (mja_web_transport_get_needs_person (fixture->transport));
  answer_clear (&answer);

  /* The clearance goes (it expires on the real site): the call meets the
   * bot check, the page is reloaded, which passes it, and the call is
   * tried once more — the caller only sees the answer. */
  challenges = mja_fake_server_get_challenge_count (fixture->server);
  forget_clearance (fixture);
  run (fixture->transport, "GET", url, 30, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_cmpuint (mja_fake_server_get_challenge_count (fixture->server), >, challenges);
  answer_clear (&answer);

  run (fixture->transport, "GET", image_url, 30, 0, part, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  g_assert_true (g_file_get_contents (part, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (fixture->server), ==, 0);
  answer_clear (&answer);
  helper_remove_tree (dir);
}

/* ---- the envelope the page's script hands back ------------------------ */

/* What our script writes is read whole: the body byte for byte, NULs
 * (escaped as \u0000) too. */
static void
test_envelope_read (void)
{
  static const char text[] =
    "{\"status\":429,\"reason\":\"Too Many Requests\",\"headers\":[[\"content-type\",\"application/json\"],"
    "[\"retry-after\",\"1\"]],\"body\":\"{\\\"a\\\": \\\"\\\\u0000\\\"}\\u0000\\u00e9\\n\",\"truncated\":false}";
  static const char body[] = "{\"a\": \"\\u0000\"}\0\xc3\xa9\n";
  g_autoptr(GError) error = NULL;
  MjaWebEnvelope envelope;
  gsize size;
  const char *data;

  g_assert_true (mja_web_envelope_read (text, strlen (text), 1024, &envelope, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (envelope.status, ==, 429);
  g_assert_cmpstr (envelope.reason, ==, "Too Many Requests");
  g_assert_cmpstr (soup_message_headers_get_one (envelope.headers, "Retry-After"), ==, "1");
  g_assert_cmpstr (soup_message_headers_get_content_type (envelope.headers, NULL), ==, "application/json");
  data = g_bytes_get_data (envelope.body, &size);
  g_assert_cmpmem (data, size, body, sizeof body - 1);
  g_assert_cmpint (data[size], ==, '\0');
  g_assert_false (envelope.truncated);
  mja_web_envelope_clear (&envelope);
}

/* Nesting json-glib would recurse into until its stack ends: refused. */
static void
test_envelope_deep (void)
{
  g_autofree char *text = g_strnfill (200000, '[');
  g_autoptr(GError) error = NULL;
  MjaWebEnvelope envelope;

  g_assert_false (mja_web_envelope_read (text, strlen (text), 0, &envelope, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "deeper"));
}

/* Longer than a body under the call's cap can make it: refused before it
 * is read. */
static void
test_envelope_large (void)
{
  g_autofree char *filler = g_strnfill (MJA_WEB_ENVELOPE_HEAD_BYTES + 100, 'x');
  g_autofree char *text = g_strdup_printf ("{\"status\":200,\"reason\":\"OK\",\"headers\":[],\"body\":\"%s\","
                                           "\"truncated\":false}", filler);
  g_autoptr(GError) error = NULL;
  MjaWebEnvelope envelope;

  g_assert_false (mja_web_envelope_read (text, strlen (text), 10, &envelope, &error));
  g_assert_error (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE);
  /* The same text is fine for a call whose cap allows it. */
  g_clear_error (&error);
  g_assert_true (mja_web_envelope_read (text, strlen (text), 2 * MJA_WEB_ENVELOPE_HEAD_BYTES, &envelope, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (envelope.body), ==, strlen (filler));
  mja_web_envelope_clear (&envelope);
}

/* Anything but our script's shape is refused, without a critical (the
 * tests run with G_DEBUG=fatal-criticals) and without a header of two
 * lines reaching the caller. */
static void
test_envelope_shapes (void)
{
  static const char *const texts[] = {
    "",
    "[]",
    "\"a string\"",
    "{\"status\":\"200\",\"headers\":[],\"body\":\"\",\"truncated\":false}",
    "{\"status\":-1,\"headers\":[],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200.5,\"headers\":[],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[],\"truncated\":false}",
    "{\"status\":200,\"headers\":[],\"body\":7,\"truncated\":false}",
    "{\"status\":200,\"headers\":{},\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[\"a\"],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[\"a\"]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[1,2]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[\"a:b\",\"c\"]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[\"\",\"c\"]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[\"a\",\"b\\r\\nset-cookie: x=1\"]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[[\"a\",\"b\\u0000c\"]],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"reason\":\"OK\\r\\nx: y\",\"headers\":[],\"body\":\"\",\"truncated\":false}",
    "{\"status\":200,\"headers\":[],\"body\":\"\",\"truncated\":\"no\"}",
    "{\"status\":200,\"headers\":[],\"body\":\"\"}",
    "{\"status\":200,\"headers\":[],\"body\":\"\",\"truncated\":false /* a comment */}",
    "{\"status\":200,\"headers\":[],\"body\":\"\\ud800\",\"truncated\":false}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      MjaWebEnvelope envelope;

      g_test_message ("%s", texts[i]);
      g_assert_false (mja_web_envelope_read (texts[i], strlen (texts[i]), 1024, &envelope, &error));
      g_assert_nonnull (error);
      g_assert_null (envelope.headers);
      g_assert_null (envelope.body);
    }
}

/* ---- the transport contract ------------------------------------------ */

/* The contract's servers: the API origin serves the page the transport
 * stands on (<api base>/imagine), the CDN is on 127.0.0.2.  The transport
 * is returned once its page is ready and a first call went through, so
 * that every case times its own call, not the web process starting. */
static MjaTransport *
create_browser (const char     *api_base,
                const char     *cdn_base,
                MjaCredentials *credentials,
                gpointer        user_data)
{
  g_autofree char *cookie = mja_credentials_dup_cookie_header (credentials);
  g_autofree char *page = g_strconcat (api_base, "/imagine", NULL);
  MjaWebTransport *transport = new_transport (api_base, cdn_base, cookie);
  Answer answer;

  run (transport, "GET", page, 60, 0, NULL, &answer);
  g_assert_no_error (answer.error);
  g_assert_cmpuint (answer.status, ==, 200);
  answer_clear (&answer);
  return MJA_TRANSPORT (transport);
}

int
main (int   argc,
      char *argv[])
{
  static TransportContract browser = { "browser", create_browser, NULL, NULL, TRUE };
  g_autofree char *contract_pem = NULL;
  g_autofree char *both = NULL;
  g_autofree char *certificate = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("MJA_WEB_CHALLENGE_WAIT", "1", TRUE);
  certificate = g_build_filename (g_get_tmp_dir (), "mja-test-web-certificate-XXXXXX.pem", NULL);
  g_close (g_mkstemp (certificate), NULL);
  g_assert_true (g_file_set_contents (certificate, mja_fake_server_get_certificate_pem (), -1, NULL));
  g_setenv ("MJA_TLS_CERTIFICATE", certificate, TRUE);
  /* These need no display. */
  g_test_add_func ("/web-transport/envelope/read", test_envelope_read);
  g_test_add_func ("/web-transport/envelope/deep", test_envelope_deep);
  g_test_add_func ("/web-transport/envelope/large", test_envelope_large);
  g_test_add_func ("/web-transport/envelope/shapes", test_envelope_shapes);
  /* The contract's servers need the key as well. */
  contract_pem = g_build_filename (g_get_tmp_dir (), "mja-test-web-contract-XXXXXX.pem", NULL);
  g_close (g_mkstemp (contract_pem), NULL);
  both = g_strconcat (mja_fake_tls_certificate_pem, mja_fake_tls_key_pem, NULL);
  g_assert_true (g_file_set_contents (contract_pem, both, -1, NULL));
  browser.tls_pem = contract_pem;
  if (!gtk_init_check ())
    {
      g_test_skip ("No display: run under xvfb-run");
      status = g_test_run ();
      g_unlink (certificate);
      g_unlink (contract_pem);
      return status;
    }

#define ADD(path, data, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (data), fixture_set_up, func, fixture_tear_down)
  ADD ("/web-transport/send/listing", 0, test_send_listing);
  ADD ("/web-transport/send/signed-out", 3, test_send_signed_out);
  ADD ("/web-transport/send/cap", 0, test_send_cap);
  ADD ("/web-transport/send/deadline", 1, test_send_deadline);
  ADD ("/web-transport/send/from-thread", 0, test_send_from_thread);
  ADD ("/web-transport/download", 0, test_download);
  ADD ("/web-transport/download/missing", 0, test_download_missing);
  ADD ("/web-transport/challenge/needs-person", 2, test_challenge_needs_person);
  ADD ("/web-transport/renew-session", 0, test_renew_session);
  ADD ("/web-transport/browser-only", 4, test_browser_only);
#undef ADD
  transport_contract_add_tests (&browser);

  status = g_test_run ();
  g_unlink (certificate);
  g_unlink (contract_pem);
  return status;
}
