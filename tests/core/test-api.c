/* test-api.c — MjaApi and its listings against the in-process fake Midjourney
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a sync gets from the API room, whatever the server does: every job
 * of the account once, newest first, in pages of either era however the
 * list ends; only what is new since a checkpoint; an expired session
 * refreshed once and for all; a "too many requests" waited out as long
 * as the server asked; every failure turned into the MJA_API_ERROR code a
 * caller acts on; and the session never sent anywhere but the API.
 */
#include "config.h"

#include <string.h>

#include "mja-api-private.h"
#include "mja-transport-soup.h"
#include "test-utils.h"

/* The listing's next page, or NULL at the end or with *@error set. */
static MjaPage *
next_page (MjaListing  *listing,
           GError     **error)
{
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  GError *local_error = NULL;
  MjaPage *page;

  mja_listing_next_async (listing, NULL, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  page = mja_listing_next_finish (listing, result, &local_error);
  g_assert_true (page == NULL || local_error == NULL);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return page;
}

typedef struct
{
  GPtrArray *ids;        /* char*, in the order listed */
  guint      pages;
  guint      rejected;
} Listed;

static void
listed_clear (Listed *listed)
{
  g_clear_pointer (&listed->ids, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Listed, listed_clear)

/* Lists to the end; returns the error that stopped it, if any. */
static GError *
list_all (MjaListing *listing,
          Listed     *listed)
{
  GError *error = NULL;
  MjaPage *page;

  listed->ids = g_ptr_array_new_with_free_func (g_free);
  while ((page = next_page (listing, &error)) != NULL)
    {
      listed->pages++;
      g_assert_cmpuint (page->number, ==, listed->pages);
      for (guint i = 0; i < page->jobs->len; i++)
        g_ptr_array_add (listed->ids, g_strdup (mja_job_get_id (page->jobs->pdata[i])));
      listed->rejected += page->rejected->len;
      mja_page_free (page);
    }
  /* At the end it stays at the end. */
  if (error == NULL)
    {
      g_assert_null (next_page (listing, &error));
      g_assert_no_error (error);
    }
  return error;
}

/* The account's jobs, newest first, as a listing must give them. */
static void
assert_all_jobs (MjaFakeServer *server,
                 Listed        *listed)
{
  g_auto(GStrv) oldest_first = mja_fake_server_dup_job_ids (server);
  guint n = g_strv_length (oldest_first);

  g_assert_cmpuint (listed->ids->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (listed->ids->pdata[i], ==, oldest_first[n - 1 - i]);
}

/* The fake Midjourney, a session with it, and an API room to use it. */
typedef struct
{
  MjaFakeServer  *server;
  MjaCredentials *credentials;
  MjaApi         *api;
} Session;

/* Signs @session in with @credentials (the fake's own when NULL: of the
 * legacy site when @legacy); retries are quick. */
static void
session_sign_in (Session        *session,
                 MjaCredentials *credentials,
                 gboolean        legacy)
{
  g_clear_object (&session->api);
  g_clear_object (&session->credentials);
  if (credentials != NULL)
    session->credentials = g_object_ref (credentials);
  else if (legacy)
    session->credentials = helper_legacy_credentials (session->server);
  else
    session->credentials = helper_current_credentials (session->server);
  session->api = mja_api_new (mja_fake_server_get_api_url (session->server),
                              mja_fake_server_get_auth_url (session->server));
  mja_api_set_credentials (session->api, session->credentials);
  mja_api_set_request_interval (session->api, 0);
  mja_api_set_retry_policy (session->api, 3, 10);
}

/* A fake account of @n_jobs in @eras, as @options (or the defaults) say. */
static void
session_start (Session              *session,
               MjaFakeServerOptions *options,
               guint                 n_jobs,
               MjaFakeEra            eras,
               gboolean              legacy)
{
  MjaFakeServerOptions defaults;

  if (options == NULL)
    {
      mja_fake_server_options_init (&defaults);
      options = &defaults;
    }
  options->n_jobs = n_jobs;
  options->eras = eras;
  session->server = helper_start_server (options);
  session_sign_in (session, NULL, legacy);
}

static void
session_clear (Session *session)
{
  g_clear_object (&session->api);
  g_clear_object (&session->credentials);
  if (session->server != NULL)
    mja_fake_server_stop (session->server);
  g_clear_object (&session->server);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

/* Lists the whole account with @session; returns the error, if any. */
static GError *
session_list (Session    *session,
              guint       page_size,
              const char *checkpoint,
              Listed     *listed)
{
  g_autoptr(MjaListing) listing = mja_api_list (session->api, page_size, checkpoint, NULL);

  return list_all (listing, listed);
}

/* The current era's pages, whichever of its four ways the list ends. */
static void
test_current_pages (void)
{
  static const MjaFakeEndStyle styles[] = {
    MJA_FAKE_END_NULL_CURSOR, MJA_FAKE_END_NO_CURSOR, MJA_FAKE_END_EMPTY_PAGE, MJA_FAKE_END_REPEAT_CURSOR,
  };

  for (guint s = 0; s < G_N_ELEMENTS (styles); s++)
    {
      MjaFakeServerOptions options;
      g_auto(Session) session = { 0 };
      g_autoptr(MjaListing) listing = NULL;
      g_auto(Listed) listed = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("end style %u", styles[s]);
      mja_fake_server_options_init (&options);
      options.end_style = styles[s];
      session_start (&session, &options, 130, MJA_FAKE_ERA_CURRENT, FALSE);
      listing = mja_api_list (session.api, 25, NULL, NULL);
      error = list_all (listing, &listed);
      g_assert_no_error (error);
      assert_all_jobs (session.server, &listed);
      g_assert_cmpuint (listed.pages, ==, 6);
      g_assert_cmpuint (listed.rejected, ==, 0);
      g_assert_false (mja_listing_get_cap_reached (listing));
      /* What the next sync starts from. */
      g_assert_nonnull (mja_listing_get_checkpoint (listing));
    }
}

/* After a checkpoint only the jobs made since are listed; a checkpoint
 * the server no longer knows lists everything, and says so. */
static void
test_current_checkpoint (void)
{
  g_auto(Session) session = { 0 };
  g_autoptr(MjaListing) first = NULL;
  g_autoptr(MjaListing) update = NULL;
  g_autoptr(MjaListing) unknown = NULL;
  g_auto(Listed) all = { 0 };
  g_auto(Listed) added = { 0 };
  g_auto(Listed) again = { 0 };
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;

  session_start (&session, NULL, 40, MJA_FAKE_ERA_CURRENT, FALSE);
  first = mja_api_list (session.api, 25, NULL, NULL);
  error = list_all (first, &all);
  g_assert_no_error (error);
  mja_fake_server_add_jobs (session.server, 7);
  ids = mja_fake_server_dup_job_ids (session.server);

  update = mja_api_list (session.api, 25, mja_listing_get_checkpoint (first), NULL);
  error = list_all (update, &added);
  g_assert_no_error (error);
  g_assert_cmpuint (added.ids->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (added.ids->pdata[i], ==, ids[46 - i]);
  g_assert_false (mja_listing_get_update_failed (update));

  unknown = mja_api_list (session.api, 25, "bm90IGEgY2hlY2twb2ludA", NULL);
  error = list_all (unknown, &again);
  g_assert_no_error (error);
  assert_all_jobs (session.server, &again);
  g_assert_true (mja_listing_get_update_failed (unknown));
}

/* The legacy site's pages of 50, whichever way it says "no more". */
static void
test_legacy_pages (void)
{
  for (guint empty_end = 0; empty_end < 2; empty_end++)
    {
      MjaFakeServerOptions options;
      g_auto(Session) session = { 0 };
      g_autoptr(MjaListing) listing = NULL;
      g_auto(Listed) listed = { 0 };
      g_autoptr(GError) error = NULL;

      mja_fake_server_options_init (&options);
      options.legacy_empty_end = empty_end;
      session_start (&session, &options, 120, MJA_FAKE_ERA_LEGACY, TRUE);
      listing = mja_api_list (session.api, 25, NULL, NULL);
      error = list_all (listing, &listed);
      g_assert_no_error (error);
      assert_all_jobs (session.server, &listed);
      g_assert_cmpuint (listed.pages, ==, 3);
      g_assert_false (mja_listing_get_cap_reached (listing));
    }
}

/* The legacy site shows 2,500 jobs and no more: the listing says so. */
static void
test_legacy_cap (void)
{
  g_auto(Session) session = { 0 };
  g_autoptr(MjaListing) listing = NULL;
  g_auto(Listed) listed = { 0 };
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;

  session_start (&session, NULL, 2600, MJA_FAKE_ERA_LEGACY, TRUE);
  ids = mja_fake_server_dup_job_ids (session.server);
  listing = mja_api_list (session.api, 25, NULL, NULL);
  error = list_all (listing, &listed);
  g_assert_no_error (error);
  g_assert_cmpuint (listed.ids->len, ==, 2500);
  g_assert_cmpstr (listed.ids->pdata[0], ==, ids[2599]);
  g_assert_true (mja_listing_get_cap_reached (listing));
}

/* The legacy host is gone: "auto" means the current site, and a 404 there
 * is reported, not answered by trying the legacy API (even with a cookie
 * that carries both sites' sessions). */
static void
test_auto_does_not_fall_back (void)
{
  g_auto(Session) session = { 0 };
  g_autofree char *current = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(MjaCredentials) both = NULL;
  g_auto(Listed) listed = { 0 };
  g_autoptr(GError) error = NULL;

  session_start (&session, NULL, 60, MJA_FAKE_ERA_LEGACY, FALSE);
  current = mja_fake_server_dup_cookie_header (session.server);
  cookie = g_strdup_printf ("%s; __Secure-next-auth.session-token=%s", current,
                            mja_fake_server_get_session_token (session.server));
  both = mja_credentials_parse (cookie, NULL, &error);
  g_assert_no_error (error);
  session_sign_in (&session, both, FALSE);
  error = session_list (&session, 25, NULL, &listed);
  g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_NOT_FOUND);
  g_assert_cmpuint (listed.ids->len, ==, 0);
  /* One request, to the current site only. */
  g_assert_cmpuint (mja_fake_server_get_request_count (session.server), ==, 1);
}

/* An id token the server no longer takes although it has not run out
 * (signed out elsewhere, keys rotated): the 401 is answered with one
 * refresh, and the listing goes on from where it was. */
static void
test_refresh_after_401 (void)
{
  g_auto(Session) session = { 0 };
  g_autoptr(MjaListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaPage) first = NULL;
  g_autofree char *old_token = NULL;
  g_auto(Listed) rest = { .pages = 1 };

  session_start (&session, NULL, 60, MJA_FAKE_ERA_CURRENT, FALSE);
  old_token = g_strdup (mja_credentials_get_id_token (session.credentials));
  g_assert_false (mja_credentials_needs_refresh (session.credentials, g_get_real_time () / G_USEC_PER_SEC));
  listing = mja_api_list (session.api, 25, NULL, NULL);
  first = next_page (listing, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->jobs->len, ==, 25);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (session.server), ==, 0);

  mja_fake_server_expire_session (session.server);
  error = list_all (listing, &rest);
  g_assert_no_error (error);
  g_assert_cmpuint (rest.ids->len, ==, 35);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (session.server), ==, 1);
  g_assert_cmpstr (mja_credentials_get_id_token (session.credentials), !=, old_token);
}

/* An id token that has run out: refreshed once before it is used, and
 * the listing goes on with the new token, which the caller can store. */
static void
test_expired_token_refreshed (void)
{
  MjaFakeServerOptions options;
  g_auto(Session) session = { 0 };
  g_auto(Listed) listed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_refresh = NULL;
  g_autofree char *new_refresh = NULL;

  mja_fake_server_options_init (&options);
  options.expired_session = TRUE;
  session_start (&session, &options, 60, MJA_FAKE_ERA_CURRENT, FALSE);
  old_token = g_strdup (mja_credentials_get_id_token (session.credentials));
  old_refresh = g_strdup (mja_credentials_get_refresh_token (session.credentials));
  error = session_list (&session, 25, NULL, &listed);
  g_assert_no_error (error);
  assert_all_jobs (session.server, &listed);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (session.server), ==, 1);
  g_assert_true (mja_api_get_credentials (session.api) == session.credentials);
  g_assert_cmpstr (mja_credentials_get_id_token (session.credentials), !=, old_token);
  g_assert_false (mja_credentials_needs_refresh (session.credentials, g_get_real_time () / G_USEC_PER_SEC));
  /* The rotated refresh token is the one the server now expects. */
  new_refresh = mja_fake_server_dup_refresh_token (session.server);
  g_assert_cmpstr (mja_credentials_get_refresh_token (session.credentials), ==, new_refresh);
  g_assert_cmpstr (new_refresh, !=, old_refresh);
}

/* Listing with @session fails with @code, and says so without secrets. */
static void
assert_listing_fails (Session *session,
                      int      code)
{
  g_auto(Listed) listed = { 0 };
  g_autoptr(GError) error = session_list (session, 25, NULL, &listed);
  const char *id_token = mja_credentials_get_id_token (session->credentials);
  const char *session_token = mja_credentials_get_session_token (session->credentials);

  g_assert_error (error, MJA_API_ERROR, code);
  g_assert_cmpuint (listed.ids->len, ==, 0);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (id_token != NULL)
    g_assert_null (strstr (error->message, id_token));
  if (session_token != NULL)
    g_assert_null (strstr (error->message, session_token));
}

/* Signed out for good: revoked, expired without a refresh token, or the
 * legacy site's login page. */
static void
test_auth_expired (void)
{
  MjaFakeServerOptions options;
  g_auto(Session) revoked = { 0 };
  g_auto(Session) expired = { 0 };
  g_autoptr(MjaCredentials) no_refresh = NULL;
  g_autoptr(GError) error = NULL;

  mja_fake_server_options_init (&options);
  options.revoked = TRUE;
  session_start (&revoked, &options, 10, MJA_FAKE_ERA_BOTH, FALSE);
  assert_listing_fails (&revoked, MJA_API_ERROR_AUTH_EXPIRED);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (revoked.server), ==, 1);

  mja_fake_server_options_init (&options);
  options.expired_session = TRUE;
  session_start (&expired, &options, 10, MJA_FAKE_ERA_BOTH, FALSE);
  no_refresh = mja_credentials_new_current (mja_credentials_get_id_token (expired.credentials), NULL, &error);
  g_assert_no_error (error);
  session_sign_in (&expired, no_refresh, FALSE);
  assert_listing_fails (&expired, MJA_API_ERROR_AUTH_EXPIRED);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (expired.server), ==, 0);

  /* The legacy site answers a dead session with its login page. */
  session_sign_in (&expired, NULL, TRUE);
  assert_listing_fails (&expired, MJA_API_ERROR_AUTH_EXPIRED);
}

/* "Too many requests, retry after 1 s": the listing waits that long, not
 * its own default, and goes on; given as an HTTP date, likewise. */
static void
test_retry_after (void)
{
  for (guint as_date = 0; as_date < 2; as_date++)
    {
      MjaFakeServerOptions options;
      g_auto(Session) session = { 0 };
      g_auto(Listed) listed = { 0 };
      g_autoptr(GError) error = NULL;
      gint64 start_us, elapsed_us;

      mja_fake_server_options_init (&options);
      options.rate_limit_every = 2;
      options.retry_after = as_date ? 2 : 1;
      options.retry_after_date = as_date;
      session_start (&session, &options, 40, MJA_FAKE_ERA_CURRENT, FALSE);
      start_us = g_get_monotonic_time ();
      error = session_list (&session, 25, NULL, &listed);
      elapsed_us = g_get_monotonic_time () - start_us;
      g_assert_no_error (error);
      g_assert_cmpuint (listed.ids->len, ==, 40);
      /* Two pages, the second asked for twice. */
      g_assert_cmpuint (mja_fake_server_get_request_count (session.server), ==, 3);
      g_test_message ("waited %" G_GINT64_FORMAT " ms", elapsed_us / 1000);
      /* A date has whole seconds: "in 2 s" is between 1 and 2 s away. */
      g_assert_cmpint (elapsed_us, >=, as_date ? 900000 : 1000000);
      g_assert_cmpint (elapsed_us, <, 4000000);
    }
}

/* Every failure of the server, as the code the sync and the window act on. */
static void
test_errors_mapped (void)
{
  static const struct
  {
    const char *what;
    gboolean    challenge;
    guint       rate_limit_every;
    double      server_error_rate;
    guint       huge_page_mib;
    gboolean    slow_body;
    MjaFakeEra  eras;
    gboolean    legacy_credentials;
    int         code;
  } cases[] = {
    { "bot challenge", TRUE, 0, 0, 0, FALSE, MJA_FAKE_ERA_BOTH, FALSE, MJA_API_ERROR_BLOCKED },
    { "always 429", FALSE, 1, 0, 0, FALSE, MJA_FAKE_ERA_BOTH, FALSE, MJA_API_ERROR_RATE_LIMITED },
    { "always 5xx", FALSE, 0, 1.0, 0, FALSE, MJA_FAKE_ERA_BOTH, FALSE, MJA_API_ERROR_SERVER },
    { "answer too large", FALSE, 0, 0, 2, FALSE, MJA_FAKE_ERA_BOTH, FALSE, MJA_API_ERROR_BAD_RESPONSE },
    { "answer never ends", FALSE, 0, 0, 0, TRUE, MJA_FAKE_ERA_BOTH, FALSE, MJA_API_ERROR_SERVER },
    { "no legacy site", FALSE, 0, 0, 0, FALSE, MJA_FAKE_ERA_CURRENT, TRUE, MJA_API_ERROR_NOT_FOUND },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MjaFakeServerOptions options;
      g_auto(Session) session = { 0 };

      g_test_message ("%s", cases[i].what);
      mja_fake_server_options_init (&options);
      options.challenge = cases[i].challenge;
      options.rate_limit_every = cases[i].rate_limit_every;
      options.retry_after = 0;
      options.server_error_rate = cases[i].server_error_rate;
      options.huge_page_mib = cases[i].huge_page_mib;
      options.slow_body = cases[i].slow_body;
      session_start (&session, &options, 10, cases[i].eras, cases[i].legacy_credentials);
      mja_api_set_retry_policy (session.api, 2, 1);
      mja_api_set_answer_limits (session.api, 1024 * 1024, 1);
      assert_listing_fails (&session, cases[i].code);
    }
}

/* An API that redirects elsewhere (here: to the CDN's host) is not
 * followed, so neither session cookie ever reaches another host. */
static void
test_redirect_not_followed (void)
{
  MjaFakeServerOptions options;
  g_auto(Session) session = { 0 };

  mja_fake_server_options_init (&options);
  options.redirect = TRUE;
  session_start (&session, &options, 10, MJA_FAKE_ERA_BOTH, FALSE);
  assert_listing_fails (&session, MJA_API_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (session.server), ==, 0);
  session_sign_in (&session, NULL, TRUE);
  assert_listing_fails (&session, MJA_API_ERROR_BAD_RESPONSE);
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (session.server), ==, 0);
}

/* Some 5xx on the way: retried, and nothing is lost or listed twice. */
static void
test_transient_errors_retried (void)
{
  MjaFakeServerOptions options;
  g_auto(Session) session = { 0 };
  g_auto(Listed) listed = { 0 };
  g_autoptr(GError) error = NULL;

  mja_fake_server_options_init (&options);
  options.server_error_rate = 0.3;
  session_start (&session, &options, 200, MJA_FAKE_ERA_CURRENT, FALSE);
  mja_api_set_retry_policy (session.api, 10, 1);
  error = session_list (&session, 20, NULL, &listed);
  g_assert_no_error (error);
  assert_all_jobs (session.server, &listed);
  g_assert_cmpuint (mja_fake_server_get_request_count (session.server), >, listed.pages);
}

/* Jobs whose id or image address tries to leave the archive are refused
 * one by one, each with a reason; the others of the page are listed. */
static void
test_hostile_jobs_rejected (void)
{
  MjaFakeServerOptions options;
  g_auto(Session) session = { 0 };
  g_autoptr(MjaListing) listing = NULL;
  g_autoptr(GError) error = NULL;
  guint jobs = 0, rejected = 0;
  MjaPage *page;

  mja_fake_server_options_init (&options);
  options.hostile_every = 4;
  session_start (&session, &options, 80, MJA_FAKE_ERA_CURRENT, FALSE);
  listing = mja_api_list (session.api, 25, NULL, NULL);
  while ((page = next_page (listing, &error)) != NULL)
    {
      for (guint i = 0; i < page->jobs->len; i++)
        {
          const char *id = mja_job_get_id (page->jobs->pdata[i]);

          g_assert_null (strchr (id, '/'));
          g_assert_null (strstr (id, ".."));
        }
      /* Said in words a terminal shows as they are: no control characters
       * from the server's id. */
      for (guint i = 0; i < page->rejected->len; i++)
        {
          const char *why = page->rejected->pdata[i];

          g_assert_true (g_utf8_validate (why, -1, NULL));
          g_assert_cmpuint (strlen (why), >, 0);
          for (const char *p = why; *p; p++)
            g_assert_cmpint ((guchar) *p, >=, 0x20);
        }
      jobs += page->jobs->len;
      rejected += page->rejected->len;
      mja_page_free (page);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (rejected, >, 0);
  g_assert_cmpuint (jobs, >=, 60);
  g_assert_cmpuint (jobs + rejected, <=, 80);
}

/* ---- against a server of the test's own ------------------------------ */

typedef struct
{
  SoupServer *server;
  char       *base;
  guint       requests;
  guint       with_cookie;
  guint       unauthorized;   /* answer this many 401 first */
  const char *mode;
} Own;

static void
own_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Own *own = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *json = "{\"ok\": true}";
  const char *page = "<html><body>Please wait</body></html>";

  own->requests++;
  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie") != NULL)
    own->with_cookie++;
  if (g_str_equal (own->mode, "challenge-header") || g_str_equal (own->mode, "challenge-503"))
    {
      /* Known by its header alone: the page says nothing telling. */
      soup_message_headers_replace (headers, "cf-mitigated", "challenge");
      soup_server_message_set_status (msg, g_str_equal (own->mode, "challenge-503") ? 503 : 403, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, page, strlen (page));
    }
  else if (g_str_equal (own->mode, "retry-after-hour"))
    {
      soup_message_headers_replace (headers, "Retry-After", "3600");
      soup_server_message_set_status (msg, 429, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, json, strlen (json));
    }
  else if (own->unauthorized > 0)
    {
      own->unauthorized--;
      soup_server_message_set_status (msg, 401, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, json, strlen (json));
    }
  else
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, json, strlen (json));
    }
}

static void
own_start (Own        *own,
           const char *mode)
{
  own->mode = mode;
  own->server = helper_local_server_new (&own->base);
  soup_server_add_handler (own->server, NULL, own_cb, own, NULL);
}

static void
own_clear (Own *own)
{
  if (own->server != NULL)
    soup_server_disconnect (own->server);
  g_clear_object (&own->server);
  g_clear_pointer (&own->base, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Own, own_clear)

static MjaApi *
own_api (Own *own)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = mja_credentials_new_legacy ("own-session-token-0123",
                                                                      "6f1d2c3b-4a59-4e6d-8c7b-9a0b1c2d3e4f",
                                                                      &error);
  MjaApi *api = mja_api_new (own->base, own->base);

  g_assert_no_error (error);
  mja_api_set_credentials (api, credentials);
  mja_api_set_request_interval (api, 0);
  mja_api_set_retry_policy (api, 3, 1);
  return api;
}

static GError *
own_get (MjaApi *api,
         Own    *own)
{
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  mja_api_request_async (api, MJA_API_REQUEST_LEGACY, "/api/thing", g_strconcat (own->base, "/api/thing", NULL),
                         NULL, NULL, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  node = mja_api_request_finish (api, result, &error);
  g_assert_true ((node == NULL) != (error == NULL));
  return error;
}

/* A challenge is known by Cloudflare's cf-mitigated header, 403 or 503,
 * whatever its page says; it is not asked again, and says what to do. */
static void
test_challenge_by_header (void)
{
  const char *modes[] = { "challenge-header", "challenge-503" };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(Own) own = { 0 };
      g_autoptr(MjaApi) api = NULL;
      g_autoptr(GError) error = NULL;

      own_start (&own, modes[i]);
      api = own_api (&own);
      error = own_get (api, &own);
      g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BLOCKED);
      g_assert_cmpstr (error->message, ==,
                       "Midjourney's bot protection blocked the request — sign in through the built-in browser");
      g_assert_cmpuint (own.requests, ==, 1);
    }
}

/* A server that asks for more waiting than a request may spend in all
 * (15 minutes) is given up at once, with a message saying so. */
static void
test_retry_after_budget (void)
{
  g_auto(Own) own = { 0 };
  g_autoptr(MjaApi) api = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  own_start (&own, "retry-after-hour");
  api = own_api (&own);
  error = own_get (api, &own);
  g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "15 minutes"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (own.requests, ==, 1);
}

/* A transport that keeps the session itself (as the browser does), over
 * the direct one without credentials: it counts renewals. */
#define TEST_TYPE_OWNING_TRANSPORT (test_owning_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestOwningTransport, test_owning_transport, TEST, OWNING_TRANSPORT, GObject)

struct _TestOwningTransport
{
  GObject       parent_instance;
  MjaTransport *inner;
  guint         renewals;
};

static void test_owning_transport_iface_init (MjaTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestOwningTransport, test_owning_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MJA_TYPE_TRANSPORT, test_owning_transport_iface_init))

static void
test_owning_transport_finalize (GObject *object)
{
  g_clear_object (&TEST_OWNING_TRANSPORT (object)->inner);
  G_OBJECT_CLASS (test_owning_transport_parent_class)->finalize (object);
}

static void
test_owning_transport_class_init (TestOwningTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_owning_transport_finalize;
}

static void
test_owning_transport_init (TestOwningTransport *self)
{
  self->inner = mja_transport_soup_new ();
}

static void
owning_send (MjaTransport              *transport,
             const MjaTransportRequest *request,
             GCancellable              *cancellable,
             const MjaTransportFuncs   *funcs,
             gpointer                   user_data)
{
  MJA_TRANSPORT_GET_IFACE (TEST_OWNING_TRANSPORT (transport)->inner)->send (TEST_OWNING_TRANSPORT (transport)->inner,
                                                                            request, cancellable, funcs, user_data);
}

static gboolean
owning_owns_session (MjaTransport *transport)
{
  return TRUE;
}

static void
owning_renew_async (MjaTransport        *transport,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);

  TEST_OWNING_TRANSPORT (transport)->renewals++;
  g_task_return_boolean (task, TRUE);
}

static gboolean
owning_renew_finish (MjaTransport  *transport,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
owning_get_name (MjaTransport *transport)
{
  return "owning";
}

static void
test_owning_transport_iface_init (MjaTransportInterface *iface)
{
  iface->send = owning_send;
  iface->owns_session = owning_owns_session;
  iface->renew_session_async = owning_renew_async;
  iface->renew_session_finish = owning_renew_finish;
  iface->get_name = owning_get_name;
}

/* When the transport keeps the session, a 401 renews it once and asks
 * again; a second 401 is an expired session.  No cookie and no token
 * refresh come from the client. */
static void
test_owned_session_renewed (void)
{
  for (guint failures = 1; failures <= 2; failures++)
    {
      g_auto(Own) own = { 0 };
      g_autoptr(MjaApi) api = NULL;
      g_autoptr(TestOwningTransport) transport = g_object_new (TEST_TYPE_OWNING_TRANSPORT, NULL);
      g_autoptr(GError) error = NULL;

      own_start (&own, "ok");
      own.unauthorized = failures;
      api = own_api (&own);
      mja_api_set_transport (api, MJA_TRANSPORT (transport));
      error = own_get (api, &own);
      if (failures == 1)
        g_assert_no_error (error);
      else
        g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED);
      g_assert_cmpuint (transport->renewals, ==, 1);
      g_assert_cmpuint (own.requests, ==, 2);
      g_assert_cmpuint (own.with_cookie, ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/api/current/pages", test_current_pages);
  g_test_add_func ("/api/current/checkpoint", test_current_checkpoint);
  g_test_add_func ("/api/legacy/pages", test_legacy_pages);
  g_test_add_func ("/api/legacy/cap", test_legacy_cap);
  g_test_add_func ("/api/auto-does-not-fall-back", test_auto_does_not_fall_back);
  g_test_add_func ("/api/auth/refresh-after-401", test_refresh_after_401);
  g_test_add_func ("/api/auth/expired-token-refreshed", test_expired_token_refreshed);
  g_test_add_func ("/api/auth/expired", test_auth_expired);
  g_test_add_func ("/api/retry-after", test_retry_after);
  g_test_add_func ("/api/errors-mapped", test_errors_mapped);
  g_test_add_func ("/api/redirect-not-followed", test_redirect_not_followed);
  g_test_add_func ("/api/transient-errors-retried", test_transient_errors_retried);
  g_test_add_func ("/api/hostile-jobs-rejected", test_hostile_jobs_rejected);
  g_test_add_func ("/api/challenge-by-header", test_challenge_by_header);
  g_test_add_func ("/api/retry-after-budget", test_retry_after_budget);
  g_test_add_func ("/api/owned-session-renewed", test_owned_session_renewed);

  return g_test_run ();
}
