/* test-fake-server.c — the fake Midjourney speaks the protocol page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A plain libsoup client in this process lists, pages, fails and downloads
 * exactly as the protocol page says a client will see Midjourney do.
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "mja-api.h"
#include "mja-fake-server.h"
#include "mja-job.h"
#include "mja-util.h"
#include "test-utils.h"

typedef struct
{
  guint       status;
  char       *content_type;
  char       *retry_after;
  GBytes     *body;
  JsonNode   *json;
} Answer;

static void
answer_free (Answer *answer)
{
  g_free (answer->content_type);
  g_free (answer->retry_after);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static Answer *
request (const char *method,
         const char *url,
         const char *cookie,
         gboolean    csrf,
         const char *form)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Answer *answer = g_new0 (Answer, 1);

  if (cookie)
    soup_message_headers_replace (headers, "Cookie", cookie);
  if (csrf)
    soup_message_headers_replace (headers, "x-csrf-protection", "1");
  if (form)
    {
      g_autoptr(GBytes) body = g_bytes_new (form, strlen (form));
      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
    }

  answer->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (msg);
  answer->content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  answer->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  if (g_strcmp0 (answer->content_type, "application/json") == 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer->body, NULL),
                                                 g_bytes_get_size (answer->body), NULL));
      answer->json = json_node_copy (json_parser_get_root (parser));
    }
  return answer;
}

static Answer *
current_page (MjaFakeServer *server,
              const char    *endpoint,
              const char    *cookie,
              guint          page_size,
              const char    *cursor,
              const char    *checkpoint)
{
  g_autoptr(GString) url = g_string_new (mja_fake_server_get_api_url (server));

  g_string_append_printf (url, "%s?user_id=%s&page_size=%u", endpoint,
                          mja_fake_server_get_user_id (server), page_size);
  if (cursor)
    {
      g_autofree char *escaped = g_uri_escape_string (cursor, NULL, TRUE);
      g_string_append_printf (url, "&cursor=%s", escaped);
    }
  if (checkpoint)
    {
      g_autofree char *escaped = g_uri_escape_string (checkpoint, NULL, TRUE);
      g_string_append_printf (url, "&checkpoint=%s", escaped);
    }
  return request ("GET", url->str, cookie, TRUE, NULL);
}

/* Lists the whole current-era account the way the protocol page says a
 * client must: stop on a null/absent cursor, an empty page, or a repeat. */
static GPtrArray *
list_all_current (MjaFakeServer *server,
                  const char    *endpoint,
                  guint          page_size,
                  char         **checkpoint_out,
                  guint         *pages_out)
{
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(GHashTable) seen_cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cursor = NULL;
  guint pages = 0;

  for (;;)
    {
      g_autoptr(Answer) answer = current_page (server, endpoint, cookie, page_size, cursor, NULL);
      JsonObject *root;
      JsonArray *data;
      JsonNode *next;

      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_nonnull (answer->json);
      root = json_node_get_object (answer->json);
      data = json_object_get_array_member (root, "data");
      pages++;
      if (checkpoint_out)
        {
          g_free (*checkpoint_out);
          *checkpoint_out = g_strdup (json_object_get_string_member (root, "checkpoint"));
        }
      for (guint i = 0; i < json_array_get_length (data); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(MjaJob) job = mja_job_new_from_json (json_array_get_object_element (data, i), &error);

          g_assert_no_error (error);
          g_assert_cmpint (mja_job_get_era (job), ==, MJA_JOB_ERA_CURRENT);
          g_ptr_array_add (ids, g_strdup (mja_job_get_id (job)));
        }
      if (json_array_get_length (data) == 0)
        break;
      next = json_object_get_member (root, "cursor");
      if (next == NULL || JSON_NODE_HOLDS_NULL (next))
        break;
      if (g_hash_table_contains (seen_cursors, json_node_get_string (next)))
        break;
      g_hash_table_add (seen_cursors, g_strdup (json_node_get_string (next)));
      g_free (cursor);
      cursor = g_strdup (json_node_get_string (next));
      g_assert_cmpuint (pages, <, 10000);
    }
  if (pages_out)
    *pages_out = pages;
  return ids;
}

static guint
count_unique (GPtrArray *ids)
{
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (set, ids->pdata[i]);
  return g_hash_table_size (set);
}

static void
test_current_listing (void)
{
  static const MjaFakeEndStyle styles[] = {
    MJA_FAKE_END_NULL_CURSOR, MJA_FAKE_END_NO_CURSOR, MJA_FAKE_END_EMPTY_PAGE, MJA_FAKE_END_REPEAT_CURSOR,
  };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    {
      MjaFakeServerOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(GPtrArray) ids = NULL;
      g_auto(GStrv) expected = NULL;
      guint pages;

      mja_fake_server_options_init (&options);
      options.n_jobs = 95;
      options.end_style = styles[s];
      server = helper_start_server (&options);
      expected = mja_fake_server_dup_job_ids (server);

      ids = list_all_current (server, "/api/imagine", 20, NULL, &pages);
      g_test_message ("end style %u: %u ids in %u pages", s, ids->len, pages);
      g_assert_cmpuint (ids->len, ==, 95);
      g_assert_cmpuint (count_unique (ids), ==, 95);
      /* Only the empty-page ending costs one request more. */
      g_assert_cmpuint (pages, ==, styles[s] == MJA_FAKE_END_EMPTY_PAGE ? 6 : 5);
      /* Newest first. */
      g_assert_cmpstr (ids->pdata[0], ==, expected[94]);
      g_assert_cmpstr (ids->pdata[94], ==, expected[0]);
    }
}

static void
test_current_alias_and_update (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) alias = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(Answer) update = NULL;
  g_autoptr(Answer) bad = NULL;
  g_auto(GStrv) expected = NULL;
  JsonArray *data;

  mja_fake_server_options_init (&options);
  options.n_jobs = 30;
  server = helper_start_server (&options);

  ids = list_all_current (server, "/api/imagine", 50, &checkpoint, NULL);
  alias = list_all_current (server, "/api/pg/thomas-jobs", 7, NULL, NULL);
  g_assert_cmpuint (ids->len, ==, 30);
  g_assert_cmpuint (alias->len, ==, 30);
  g_assert_nonnull (checkpoint);

  mja_fake_server_add_jobs (server, 4);
  expected = mja_fake_server_dup_job_ids (server);
  cookie = mja_fake_server_dup_cookie_header (server);
  update = current_page (server, "/api/imagine-update", cookie, 50, NULL, checkpoint);
  g_assert_cmpuint (update->status, ==, 200);
  data = json_object_get_array_member (json_node_get_object (update->json), "data");
  /* Only the jobs added since the checkpoint, newest first. */
  g_assert_cmpuint (json_array_get_length (data), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (data, 0), "id"), ==, expected[33]);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (data, 3), "id"), ==, expected[30]);

  bad = current_page (server, "/api/imagine-update", cookie, 50, NULL, "not-a-checkpoint");
  g_assert_cmpuint (bad->status, ==, 400);

  again = list_all_current (server, "/api/imagine", 50, NULL, NULL);
  g_assert_cmpuint (again->len, ==, 34);
}

static GPtrArray *
list_all_legacy (MjaFakeServer *server,
                 const char    *job_type,
                 gboolean       empty_end,
                 guint         *pages_out)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cookie = g_strdup_printf ("__Secure-next-auth.session-token=%s",
                                             mja_fake_server_get_session_token (server));
  g_autofree char *from_date = NULL;
  guint page;

  for (page = 1; ; page++)
    {
      g_autoptr(GString) url = g_string_new (mja_fake_server_get_api_url (server));
      g_autoptr(Answer) answer = NULL;
      JsonArray *array;

      g_string_append_printf (url, "/api/app/recent-jobs/?amount=50&orderBy=new&jobStatus=completed&userId=%s"
                              "&dedupe=true&refreshApi=0&page=%u",
                              mja_fake_server_get_user_id (server), page);
      if (job_type)
        g_string_append_printf (url, "&jobType=%s", job_type);
      if (from_date)
        {
          g_autofree char *escaped = g_uri_escape_string (from_date, NULL, TRUE);
          g_string_append_printf (url, "&fromDate=%s", escaped);
        }
      answer = request ("GET", url->str, cookie, FALSE, NULL);
      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_nonnull (answer->json);
      array = json_node_get_array (answer->json);
      if (json_array_get_length (array) == 0)
        {
          g_assert_true (empty_end);
          break;
        }
      if (json_object_has_member (json_array_get_object_element (array, 0), "msg"))
        {
          g_assert_false (empty_end);
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "msg"), ==,
                           "No jobs found.");
          break;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autoptr(GError) error = NULL;
          JsonObject *object = json_array_get_object_element (array, i);
          g_autoptr(MjaJob) job = mja_job_new_from_json (object, &error);

          g_assert_no_error (error);
          g_assert_cmpint (mja_job_get_era (job), ==, MJA_JOB_ERA_LEGACY);
          if (job_type)
            g_assert_cmpstr (mja_job_get_job_type (job), ==, job_type);
          g_ptr_array_add (ids, g_strdup (mja_job_get_id (job)));
        }
      /* The newest job of page 1 anchors every later page. */
      if (from_date == NULL)
        from_date = g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0), "enqueue_time"));
    }
  *pages_out = page;
  return ids;
}

static void
test_legacy_listing (void)
{
  for (int empty_end = 0; empty_end <= 1; empty_end++)
    {
      MjaFakeServerOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(GPtrArray) ids = NULL;
      g_autoptr(GPtrArray) upscales = NULL;
      g_autoptr(GPtrArray) grids = NULL;
      guint pages;

      mja_fake_server_options_init (&options);
      options.n_jobs = 120;
      options.eras = MJA_FAKE_ERA_LEGACY;
      options.legacy_empty_end = empty_end;
      server = helper_start_server (&options);

      ids = list_all_legacy (server, NULL, empty_end, &pages);
      g_assert_cmpuint (ids->len, ==, 120);
      g_assert_cmpuint (count_unique (ids), ==, 120);
      g_assert_cmpuint (pages, ==, 4);  /* 50 + 50 + 20, then the end marker */

      upscales = list_all_legacy (server, "upscale", empty_end, &pages);
      grids = list_all_legacy (server, "grid", empty_end, &pages);
      g_assert_cmpuint (upscales->len + grids->len, ==, 120);
      g_assert_cmpuint (upscales->len, >, 0);
      g_assert_cmpuint (grids->len, >, 0);

      /* The legacy-only server has no current era. */
      {
        g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
        g_autoptr(Answer) answer = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
        g_assert_cmpuint (answer->status, ==, 404);
      }
    }
}

static void
test_legacy_cap (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  guint pages;

  mja_fake_server_options_init (&options);
  options.n_jobs = 2600;
  server = helper_start_server (&options);

  ids = list_all_legacy (server, NULL, FALSE, &pages);
  /* 50 pages of 50, then the end marker although 100 jobs remain. */
  g_assert_cmpuint (ids->len, ==, 2500);
  g_assert_cmpuint (pages, ==, 51);
}

static void
test_challenge (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(Answer) answer = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *body = NULL;

  mja_fake_server_options_init (&options);
  options.challenge = TRUE;
  server = helper_start_server (&options);
  cookie = mja_fake_server_dup_cookie_header (server);

  answer = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
  body = g_strndup (g_bytes_get_data (answer->body, NULL), g_bytes_get_size (answer->body));
  g_assert_cmpuint (answer->status, ==, 403);
  g_assert_cmpstr (answer->content_type, ==, "text/html");
  g_assert_nonnull (strstr (body, "Just a moment"));
  g_assert_nonnull (strstr (body, "challenges.cloudflare.com"));
}

static void
test_rate_limit (void)
{
  for (int as_date = 0; as_date <= 1; as_date++)
    {
      MjaFakeServerOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(Answer) first = NULL;
      g_autoptr(Answer) second = NULL;
      g_autofree char *cookie = NULL;

      mja_fake_server_options_init (&options);
      options.rate_limit_every = 2;
      options.retry_after = 3;
      options.retry_after_date = as_date;
      server = helper_start_server (&options);
      cookie = mja_fake_server_dup_cookie_header (server);

      first = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
      second = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
      g_assert_cmpuint (first->status, ==, 200);
      g_assert_cmpuint (second->status, ==, 429);
      g_assert_nonnull (second->retry_after);
      if (as_date)
        {
          GDateTime *when = soup_date_time_new_from_http_string (second->retry_after);
          gint64 wait;

          g_assert_nonnull (when);
          wait = g_date_time_to_unix (when) - g_get_real_time () / G_USEC_PER_SEC;
          g_assert_cmpint (wait, >=, 1);
          g_assert_cmpint (wait, <=, 4);
          g_date_time_unref (when);
        }
      else
        g_assert_cmpstr (second->retry_after, ==, "3");
    }
}

static void
test_server_errors (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(Answer) answer = NULL;
  g_autoptr(Answer) recovered = NULL;
  g_autofree char *cookie = NULL;

  mja_fake_server_options_init (&options);
  options.server_error_rate = 1.0;
  server = helper_start_server (&options);
  cookie = mja_fake_server_dup_cookie_header (server);

  answer = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
  g_assert_cmpuint (answer->status, >=, 500);
  g_assert_cmpuint (answer->status, <=, 599);

  mja_fake_server_set_server_error_rate (server, 0);
  recovered = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
  g_assert_cmpuint (recovered->status, ==, 200);
}

static char *
refresh (MjaFakeServer *server,
         const char    *refresh_token,
         guint         *status)
{
  g_autofree char *url = g_strdup_printf ("%s/v1/token?key=fake-web-api-key", mja_fake_server_get_auth_url (server));
  g_autofree char *escaped = g_uri_escape_string (refresh_token, NULL, TRUE);
  g_autofree char *form = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s", escaped);
  g_autoptr(Answer) answer = request ("POST", url, NULL, FALSE, form);

  *status = answer->status;
  if (answer->status != 200)
    return NULL;
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (answer->json), "expires_in"), ==, "3600");
  return g_strdup (json_object_get_string_member (json_node_get_object (answer->json), "id_token"));
}

static void
test_expired_session (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(Answer) expired = NULL;
  g_autoptr(Answer) no_csrf = NULL;
  g_autoptr(Answer) fresh = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *id_token = NULL;
  g_autofree char *new_cookie = NULL;
  g_autofree char *payload = NULL;
  g_auto(GStrv) parts = NULL;
  gsize len;
  guint status;

  mja_fake_server_options_init (&options);
  options.expired_session = TRUE;
  server = helper_start_server (&options);
  cookie = mja_fake_server_dup_cookie_header (server);
  refresh_token = mja_fake_server_dup_refresh_token (server);

  expired = current_page (server, "/api/imagine", cookie, 10, NULL, NULL);
  g_assert_cmpuint (expired->status, ==, 401);

  id_token = refresh (server, refresh_token, &status);
  g_assert_cmpuint (status, ==, 200);
  /* The new id token carries the user id and a future expiry. */
  parts = g_strsplit (id_token, ".", 3);
  payload = (char *) mja_base64url_decode (parts[1], &len);
  g_assert_nonnull (strstr (payload, mja_fake_server_get_user_id (server)));

  new_cookie = g_strdup_printf ("__Host-Midjourney.AuthUserTokenV3_i=%s", id_token);
  fresh = current_page (server, "/api/imagine", new_cookie, 10, NULL, NULL);
  g_assert_cmpuint (fresh->status, ==, 200);

  /* Without the CSRF header the API refuses even a good session. */
  {
    g_autofree char *url = g_strdup_printf ("%s/api/imagine?user_id=%s", mja_fake_server_get_api_url (server),
                                            mja_fake_server_get_user_id (server));
    no_csrf = request ("GET", url, new_cookie, FALSE, NULL);
    g_assert_cmpuint (no_csrf->status, ==, 403);
  }

  /* An hour later the new token has expired too. */
  mja_fake_server_expire_session (server);
  {
    g_autoptr(Answer) later = current_page (server, "/api/imagine", new_cookie, 10, NULL, NULL);
    g_assert_cmpuint (later->status, ==, 401);
  }
}

static void
test_revoked_session (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(Answer) legacy = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *id_token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *body = NULL;
  guint status;

  mja_fake_server_options_init (&options);
  options.revoked = TRUE;
  server = helper_start_server (&options);
  refresh_token = mja_fake_server_dup_refresh_token (server);

  id_token = refresh (server, refresh_token, &status);
  g_assert_null (id_token);
  g_assert_cmpuint (status, ==, 400);

  /* The legacy site says "signed out" with its login page and a 200. */
  url = g_strdup_printf ("%s/api/app/recent-jobs/?amount=50&userId=%s", mja_fake_server_get_api_url (server),
                         mja_fake_server_get_user_id (server));
  cookie = g_strdup_printf ("__Secure-next-auth.session-token=%s", mja_fake_server_get_session_token (server));
  legacy = request ("GET", url, cookie, FALSE, NULL);
  body = g_strndup (g_bytes_get_data (legacy->body, NULL), g_bytes_get_size (legacy->body));
  g_assert_cmpuint (legacy->status, ==, 200);
  g_assert_cmpstr (legacy->content_type, ==, "text/html");
  g_assert_nonnull (strstr (body, "Sign in"));
}

/* The format is named: sniffing needs shared-mime-info, which the
 * isolated test directories hide. */
static GdkPixbuf *
decode (GBytes     *bytes,
        const char *format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type (format, &error);

  gdk_pixbuf_loader_write_bytes (loader, bytes, &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  return g_object_ref (gdk_pixbuf_loader_get_pixbuf (loader));
}

static void
test_cdn (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(Answer) page = NULL;
  JsonArray *data;
  guint checked_video = 0, checked_still = 0;
  guint8 first_pixel[2][3];

  mja_fake_server_options_init (&options);
  options.n_jobs = 40;
  options.image_kib = 48;
  server = helper_start_server (&options);
  cookie = mja_fake_server_dup_cookie_header (server);

  page = current_page (server, "/api/imagine", cookie, 40, NULL, NULL);
  data = json_object_get_array_member (json_node_get_object (page->json), "data");

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      g_autoptr(MjaJob) job = mja_job_new_from_json (json_array_get_object_element (data, i), NULL);
      const char *ext = checked_still % 3 == 0 ? "png" : checked_still % 3 == 1 ? "webp" : "jpeg";
      g_auto(GStrv) urls = mja_api_dup_image_urls (job, mja_fake_server_get_cdn_url (server), ext);
      g_autoptr(Answer) answer = request ("GET", urls[0], NULL, FALSE, NULL);
      g_autoptr(GBytes) expected = NULL;

      g_assert_cmpuint (answer->status, ==, 200);
      if (mja_job_get_kind (job) == MJA_JOB_KIND_VIDEO)
        {
          g_assert_cmpstr (answer->content_type, ==, "video/mp4");
          g_assert_cmpmem ((const char *) g_bytes_get_data (answer->body, NULL) + 4, 4, "ftyp", 4);
          checked_video++;
          continue;
        }

      expected = mja_fake_server_dup_image (server, mja_job_get_id (job), 0, ext);
      g_assert_true (g_bytes_equal (answer->body, expected));
      {
        g_autoptr(GdkPixbuf) pixbuf = decode (answer->body, ext);
        g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 256);
        if (checked_still < 2)
          memcpy (first_pixel[checked_still], gdk_pixbuf_get_pixels (pixbuf), 3);
      }
      if (g_str_equal (ext, "png"))
        {
          /* Padded to about the asked size. */
          g_assert_cmpuint (g_bytes_get_size (answer->body), >, 40 * 1024);
          g_assert_cmpuint (g_bytes_get_size (answer->body), <, 56 * 1024);
        }
      checked_still++;
    }
  g_assert_cmpuint (checked_still, >, 10);
  g_assert_cmpuint (checked_video, >, 0);
  /* Each job's image looks like its own. */
  g_assert_true (memcmp (first_pixel[0], first_pixel[1], 3) != 0);

  /* The CDN refuses, and counts, any request that carries a cookie. */
  ids = mja_fake_server_dup_job_ids (server);
  {
    g_autofree char *url = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (server), ids[0]);
    g_autofree char *bad = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (server), "deadbeef");
    g_autoptr(Answer) with_cookie = request ("GET", url, cookie, FALSE, NULL);
    g_autoptr(Answer) unknown = request ("GET", bad, NULL, FALSE, NULL);

    g_assert_cmpuint (with_cookie->status, ==, 400);
    g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 1);
    g_assert_cmpuint (unknown->status, ==, 404);
  }
}

static void
test_html_image (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_auto(GStrv) ids = NULL;
  g_autofree char *url = NULL;
  g_autoptr(Answer) answer = NULL;

  mja_fake_server_options_init (&options);
  options.html_image_every = 1;
  server = helper_start_server (&options);
  ids = mja_fake_server_dup_job_ids (server);
  url = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (server), ids[0]);

  answer = request ("GET", url, NULL, FALSE, NULL);
  /* It claims to be a PNG; the body is HTML. */
  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (answer->content_type, ==, "image/png");
  g_assert_cmpmem (g_bytes_get_data (answer->body, NULL), 9, "<!DOCTYPE", 9);
}

/* ---- browser-only mode ---------------------------------------------- */

typedef struct
{
  SoupSession *session;
  char        *cookies;   /* what the "browser" sends */
} Browser;

static void
browser_clear (Browser *browser)
{
  g_clear_object (&browser->session);
  g_free (browser->cookies);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Browser, browser_clear)

/* A session that trusts the fake's certificate, as MJA_TLS_CERTIFICATE
 * makes the programs do. */
static SoupSession *
trusting_session (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "tls", "cert.pem", NULL);
  g_autofree char *fixture = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GProxyResolver) resolver = NULL;

  /* The fixture is the very certificate the fake serves. */
  g_file_get_contents (path, &fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fixture, ==, mja_fake_server_get_certificate_pem ());
  database = g_tls_file_database_new (path, &error);
  g_assert_no_error (error);
  /* No system proxy look-up: the test's isolated folders have no schemas. */
  resolver = g_simple_proxy_resolver_new (NULL, NULL);
  return soup_session_new_with_options ("tls-database", database, "user-agent", "TestBrowser/1.0",
                                        "proxy-resolver", resolver, NULL);
}

static SoupMessage *
browser_send (Browser    *browser,
              const char *method,
              const char *url,
              const char *form,
              char      **body_out)
{
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (browser->cookies != NULL)
    soup_message_headers_replace (headers, "Cookie", browser->cookies);
  soup_message_headers_replace (headers, "x-csrf-protection", "1");
  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));
      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  body = soup_session_send_and_read (browser->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (body_out != NULL)
    *body_out = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return msg;
}

static void
expect_status (Browser    *browser,
               const char *url,
               guint       status)
{
  g_autoptr(SoupMessage) msg = browser_send (browser, "GET", url, NULL, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, status);
}

static void
browser_use_session (Browser    *browser,
                     const char *clearance,
                     const char *session)
{
  g_free (browser->cookies);
  browser->cookies = g_strdup_printf ("cf_clearance=%s; %s", clearance, session);
}

/* What the challenge page's script does in a browser. */
static char *
solve_challenge (const char *page,
                 const char *user_agent)
{
  const char *start = strstr (page, "const nonce = \"");
  const char *end;
  g_autofree char *nonce = NULL;

  g_assert_nonnull (start);
  start += strlen ("const nonce = \"");
  end = strchr (start, '"');
  g_assert_nonnull (end);
  nonce = g_strndup (start, end - start);
  return mja_fake_browser_dup_clearance (nonce, user_agent);
}

/* The session cookies a Set-Cookie header list hands out, as "a=b; c=d". */
static char *
session_cookies_of (SoupMessage *msg)
{
  GSList *cookies = soup_cookies_from_response (msg);
  g_autoptr(GString) header = g_string_new (NULL);

  for (GSList *l = cookies; l != NULL; l = l->next)
    {
      SoupCookie *cookie = l->data;

      g_assert_true (g_str_has_prefix (soup_cookie_get_name (cookie), "__Host-Midjourney.AuthUserTokenV3_"));
      g_assert_true (soup_cookie_get_secure (cookie));
      g_assert_cmpstr (soup_cookie_get_path (cookie), ==, "/");
      g_string_append_printf (header, "%s%s=%s", header->len ? "; " : "", soup_cookie_get_name (cookie),
                              soup_cookie_get_value (cookie));
    }
  g_assert_cmpuint (g_slist_length (cookies), ==, 2);
  soup_cookies_free (cookies);
  return g_string_free (g_steal_pointer (&header), FALSE);
}

static void
test_browser_only (void)
{
  MjaFakeServerOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_auto(Browser) browser = { NULL, NULL };
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *body = NULL;
  g_autofree char *clearance = NULL;
  g_autofree char *list_url = NULL;
  g_autofree char *image_url = NULL;
  g_autofree char *session = NULL;
  g_auto(GStrv) ids = NULL;

  mja_fake_server_options_init (&options);
  options.browser_only = TRUE;
  options.n_jobs = 5;
  server = helper_start_server (&options);
  browser.session = trusting_session ();
  g_assert_true (g_str_has_prefix (mja_fake_server_get_api_url (server), "https://127.0.0.1:"));
  g_assert_true (g_str_has_prefix (mja_fake_server_get_cdn_url (server), "https://127.0.0.2:"));
  list_url = g_strdup_printf ("%s/api/imagine?user_id=%s&page_size=10", mja_fake_server_get_api_url (server),
                              mja_fake_server_get_user_id (server));

  /* A valid session is not enough: the bot check comes first. */
  browser.cookies = mja_fake_server_dup_cookie_header (server);
  msg = browser_send (&browser, "GET", list_url, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "cf-mitigated"), ==,
                   "challenge");
  g_assert_nonnull (strstr (body, "Just a moment"));
  g_assert_cmpuint (mja_fake_server_get_challenge_count (server), ==, 1);

  /* The clearance is bound to the browser's User-Agent. */
  clearance = solve_challenge (body, "AnotherBrowser/2.0");
  g_free (browser.cookies);
  browser.cookies = g_strdup_printf ("cf_clearance=%s", clearance);
  g_clear_object (&msg);
  g_clear_pointer (&body, g_free);
  msg = browser_send (&browser, "GET", list_url, NULL, &body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 403);

  g_free (clearance);
  clearance = solve_challenge (body, "TestBrowser/1.0");
  g_free (browser.cookies);
  browser.cookies = g_strdup_printf ("cf_clearance=%s", clearance);

  /* Cleared but signed out: the API says so, the site sends to its form. */
  expect_status (&browser, list_url, 401);
  g_clear_object (&msg);
  {
    g_autofree char *imagine = g_strdup_printf ("%s/imagine", mja_fake_server_get_api_url (server));

    msg = browser_send (&browser, "GET", imagine, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 302);
    g_assert_true (g_str_has_suffix (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                   "Location"), "/login"));
  }

  /* The sign-in form: a wrong password is refused in words, the right one
   * sets the two __Host- cookies and goes to the app. */
  {
    g_autofree char *login = g_strdup_printf ("%s/login", mja_fake_server_get_api_url (server));
    g_autofree char *wrong = NULL;

    g_clear_object (&msg);
    g_clear_pointer (&body, g_free);
    msg = browser_send (&browser, "GET", login, NULL, &body);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_assert_nonnull (strstr (body, "name=\"email\""));
    g_assert_nonnull (strstr (body, "name=\"password\""));

    g_clear_object (&msg);
    g_clear_pointer (&body, g_free);
    msg = browser_send (&browser, "POST", login, "email=ada%40example.com&password=nope", &body);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_assert_nonnull (strstr (body, "Wrong e-mail or password."));
    g_assert_cmpuint (mja_fake_server_get_login_count (server), ==, 0);

    g_clear_object (&msg);
    wrong = g_strdup_printf ("email=%s&password=%s", "ada%40example.com", MJA_FAKE_ACCOUNT_PASSWORD);
    msg = browser_send (&browser, "POST", login, wrong, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 303);
    g_assert_true (g_str_has_suffix (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                   "Location"), "/imagine"));
    g_assert_cmpuint (mja_fake_server_get_login_count (server), ==, 1);
    session = session_cookies_of (msg);
  }

  browser_use_session (&browser, clearance, session);
  expect_status (&browser, list_url, 200);

  /* An expired id token is renewed by loading the app's page. */
  mja_fake_server_expire_session (server);
  expect_status (&browser, list_url, 401);
  {
    g_autofree char *imagine = g_strdup_printf ("%s/imagine", mja_fake_server_get_api_url (server));

    g_clear_object (&msg);
    msg = browser_send (&browser, "GET", imagine, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
    g_free (session);
    session = session_cookies_of (msg);
  }
  browser_use_session (&browser, clearance, session);
  expect_status (&browser, list_url, 200);

  /* The CDN, on the other loopback address, over HTTPS too. */
  ids = mja_fake_server_dup_job_ids (server);
  image_url = g_strdup_printf ("%s/%s/0_0.png", mja_fake_server_get_cdn_url (server), ids[0]);
  g_clear_pointer (&browser.cookies, g_free);
  g_clear_object (&msg);
  msg = browser_send (&browser, "GET", image_url, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/fake-server/current/listing-end-markers", test_current_listing);
  g_test_add_func ("/fake-server/current/alias-and-update", test_current_alias_and_update);
  g_test_add_func ("/fake-server/legacy/listing-end-markers", test_legacy_listing);
  g_test_add_func ("/fake-server/legacy/cap", test_legacy_cap);
  g_test_add_func ("/fake-server/errors/challenge", test_challenge);
  g_test_add_func ("/fake-server/errors/rate-limit", test_rate_limit);
  g_test_add_func ("/fake-server/errors/server-errors", test_server_errors);
  g_test_add_func ("/fake-server/auth/expired-and-refresh", test_expired_session);
  g_test_add_func ("/fake-server/auth/revoked", test_revoked_session);
  g_test_add_func ("/fake-server/cdn/images", test_cdn);
  g_test_add_func ("/fake-server/browser-only", test_browser_only);
  g_test_add_func ("/fake-server/cdn/html-as-image", test_html_image);

  return g_test_run ();
}
