/* test-sync.c — the sync engine against the fake Midjourney
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "mja-downloader.h"
#include "mja-media.h"
#include "test-utils.h"

/* Every job archived once, and every image of the downloaded kinds on
 * disk, byte for byte what the server has. */
static void
assert_complete_archive (MjaFakeServer *server,
                         const char    *root,
                         guint          expected_jobs,
                         const char    *extension)
{
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaArchiveScan) scan = mja_archive_scan (archive, NULL, NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint images = 0;

  g_assert_nonnull (scan);
  g_assert_cmpuint (scan->json_files->len, ==, expected_jobs);
  g_assert_cmpuint (scan->part_files->len, ==, 0);

  for (guint i = 0; i < scan->json_files->len; i++)
    {
      g_autofree char *path = mja_archive_dup_path (archive, scan->json_files->pdata[i]);
      g_autofree char *data = NULL;
      g_autofree char *prompt_path = NULL;
      g_autofree char *stem = NULL;
      g_autoptr(MjaJob) job = NULL;
      g_autoptr(GPtrArray) planned = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
      job = mja_job_new_from_data (data, -1, &error);
      g_assert_no_error (error);
      g_assert_false (g_hash_table_contains (ids, mja_job_get_id (job)));
      g_hash_table_add (ids, g_strdup (mja_job_get_id (job)));

      stem = g_strndup (path, strlen (path) - strlen (".json"));
      prompt_path = g_strconcat (stem, ".prompt.txt", NULL);
      g_assert_true (g_file_test (prompt_path, G_FILE_TEST_IS_REGULAR));

      planned = mja_archive_plan_images (job, mja_fake_server_get_cdn_url (server), extension);
      for (guint j = 0; j < planned->len; j++)
        {
          MjaPlannedImage *image = g_ptr_array_index (planned, j);
          g_autofree char *image_path = mja_archive_dup_path (archive, image->path);
          g_autofree char *contents = NULL;
          gsize length;
          g_autoptr(GBytes) expected = NULL;

          if (mja_job_get_kind (job) == MJA_JOB_KIND_VIDEO)
            {
              g_assert_false (g_file_test (image_path, G_FILE_TEST_EXISTS));
              continue;
            }
          g_assert_true (g_file_get_contents (image_path, &contents, &length, NULL));
          expected = mja_fake_server_dup_image (server, mja_job_get_id (job), image->index, image->extension);
          g_assert_nonnull (expected);
          g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
          images++;
        }
    }
  g_test_message ("%u jobs, %u images verified", expected_jobs, images);
  g_assert_cmpuint (images, >, 0);
}

static void
test_current_end_to_end (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  GParamSpec *pspec;
  MjaSyncPhase phase = MJA_SYNC_PHASE_IDLE;
  g_autoptr(GEnumClass) phases = NULL;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 80;
  fake.eras = MJA_FAKE_ERA_CURRENT;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);

  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 80);
  g_assert_cmpuint (mja_sync_get_images_done (sync), ==, mja_fake_server_get_n_images (server, "grid,upscale"));
  g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, 0);
  g_assert_cmpuint (mja_sync_get_phase (sync), ==, MJA_SYNC_PHASE_DONE);
  /* The phase is a typed property: bindings and the GTK inspector see its
   * enum, not a number. */
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (sync), "phase");
  g_assert_true (G_IS_PARAM_SPEC_ENUM (pspec));
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == MJA_TYPE_SYNC_PHASE);
  g_object_get (sync, "phase", &phase, NULL);
  g_assert_cmpint (phase, ==, MJA_SYNC_PHASE_DONE);
  phases = g_type_class_ref (MJA_TYPE_SYNC_PHASE);
  g_assert_cmpstr (g_enum_get_value (phases, phase)->value_nick, ==, "done");
  g_assert_cmpfloat (mja_sync_get_fraction (sync), ==, 1.0);
  assert_complete_archive (server, root, 80, "png");
  /* The CDN never saw a cookie. */
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 0);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_legacy_end_to_end (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 130;
  fake.eras = MJA_FAKE_ERA_LEGACY;
  fake.legacy_empty_end = TRUE;
  server = helper_start_server (&fake);
  credentials = helper_legacy_credentials (server);
  helper_sync_options (&options, server);

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 130);
  g_assert_cmpuint (mja_sync_get_pages (sync), ==, 3);
  g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, 0);
  g_assert_false (mja_sync_get_cap_reached (sync));
  assert_complete_archive (server, root, 130, "png");
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 0);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_legacy_cap (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *summary = NULL;
  GPtrArray *problems;
  gboolean said = FALSE;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 2540;
  fake.eras = MJA_FAKE_ERA_LEGACY;
  server = helper_start_server (&fake);
  credentials = helper_legacy_credentials (server);
  helper_sync_options (&options, server);
  options.download = FALSE;

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 2500);
  g_assert_true (mja_sync_get_cap_reached (sync));
  problems = mja_sync_get_problems (sync);
  for (guint i = 0; i < problems->len; i++)
    said |= strstr (((MjaSyncProblem *) problems->pdata[i])->message, "2,500") != NULL;
  g_assert_true (said);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_incremental (void)
{
  for (int era = 0; era < 2; era++)
    {
      MjaFakeServerOptions fake;
      MjaSyncOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(MjaCredentials) credentials = NULL;
      g_autoptr(MjaSync) first = NULL;
      g_autoptr(MjaSync) second = NULL;
      g_autoptr(MjaSync) third = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *root = helper_make_archive_dir ();
      guint requests;

      mja_fake_server_options_init (&fake);
      fake.n_jobs = 120;
      fake.eras = era == 0 ? MJA_FAKE_ERA_CURRENT : MJA_FAKE_ERA_LEGACY;
      server = helper_start_server (&fake);
      credentials = era == 0 ? helper_current_credentials (server) : helper_legacy_credentials (server);
      helper_sync_options (&options, server);

      first = mja_sync_new (root, credentials, &options);
      error = helper_run (first, NULL);
      g_assert_no_error (error);
      g_assert_cmpuint (mja_sync_get_jobs_new (first), ==, 120);

      mja_fake_server_add_jobs (server, 7);
      requests = mja_fake_server_get_request_count (server);
      second = mja_sync_new (root, credentials, &options);
      error = helper_run (second, NULL);
      g_assert_no_error (error);
      /* Only the new jobs, and few requests to find them. */
      g_assert_cmpuint (mja_sync_get_jobs_new (second), ==, 7);
      g_assert_cmpuint (mja_sync_get_pages (second), <=, 2);
      g_test_message ("era %d: second sync made %u requests", era, mja_fake_server_get_request_count (server) - requests);
      g_assert_cmpuint (mja_fake_server_get_request_count (server) - requests, <=, 2 + 7 * 4);
      assert_complete_archive (server, root, 127, "png");

      /* Nothing new: nothing fetched. */
      third = mja_sync_new (root, credentials, &options);
      error = helper_run (third, NULL);
      g_assert_no_error (error);
      g_assert_cmpuint (mja_sync_get_jobs_new (third), ==, 0);
      g_assert_cmpuint (mja_sync_get_images_done (third), ==, 0);

      mja_sync_options_clear (&options);
      helper_remove_tree (root);
    }
}

/* A person rates and likes older jobs on the site: the next sync's update
 * listing brings them again, and the index (what the app shows) takes the
 * new rating and like.  The job's file stays as it was unless metadata is
 * overwritten, then it takes them too. */
static void
test_update_upserts (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_auto(GStrv) ids = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *before = NULL;
  const char *rated = NULL, *unliked = NULL;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 60;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  archive = mja_archive_new (root);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(MjaSync) sync = mja_sync_new (root, credentials, &options);
      g_autoptr(MjaIndex) index = NULL;
      MjaIndexRow *row;
      g_autofree char *after = NULL;

      error = helper_run (sync, NULL);
      g_assert_no_error (error);
      index = mja_index_open_archive (archive, &error);
      g_assert_no_error (error);
      if (round == 0)
        {
          g_autoptr(JsonNode) node = NULL;
          g_autoptr(MjaJob) job = NULL;
          g_autofree char *relative = NULL;

          /* An older job (oldest first: 3 is far down the list). */
          ids = mja_fake_server_dup_job_ids (server);
          rated = ids[3];
          unliked = ids[4];
          node = mja_fake_server_dup_job_node (server, 3, FALSE);
          job = mja_job_new_from_node (node, NULL);
          g_assert_nonnull (job);
          g_assert_cmpstr (mja_job_get_id (job), ==, rated);
          relative = mja_archive_dup_json_path (job);
          json_path = mja_archive_dup_path (archive, relative);
          g_assert_true (g_file_get_contents (json_path, &before, NULL, NULL));
          mja_fake_server_rate_job (server, rated, 5, TRUE);
          mja_fake_server_rate_job (server, unliked, 0, FALSE);
          continue;
        }

      g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 0);
      g_assert_cmpuint (mja_sync_get_images_done (sync), ==, 0);
      row = mja_index_dup_row (index, rated, &error);
      g_assert_no_error (error);
      g_assert_nonnull (row);
      g_assert_cmpuint (row->rating, ==, (round == 1 ? 5 : 2));
      g_assert_true (row->liked);
      mja_index_row_free (row);
      row = mja_index_dup_row (index, unliked, &error);
      g_assert_nonnull (row);
      g_assert_cmpuint (row->rating, ==, 0);
      g_assert_false (row->liked);
      mja_index_row_free (row);

      g_assert_true (g_file_get_contents (json_path, &after, NULL, NULL));
      if (round == 1)
        {
          /* Not overwriting metadata: the file is the first sync's. */
          g_assert_cmpstr (after, ==, before);
          options.overwrite_metadata = TRUE;
          mja_fake_server_rate_job (server, rated, 2, TRUE);
        }
      else
        {
          g_assert_nonnull (strstr (after, "\"rating\": 2"));
          g_assert_nonnull (strstr (after, "\"liked_by_user\": true"));
        }
    }

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_faults_survived (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 60;
  fake.rate_limit_every = 9;
  fake.retry_after = 1;
  fake.server_error_rate = 0.15;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.max_tries = 8;

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, 0);
  assert_complete_archive (server, root, 60, "png");

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
assert_sync_fails (MjaFakeServerOptions *fake,
                   gboolean              legacy,
                   GQuark                domain,
                   int                   code)
{
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = helper_start_server (fake);
  g_autoptr(MjaCredentials) credentials = legacy ? helper_legacy_credentials (server)
                                                 : helper_current_credentials (server);
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();

  helper_sync_options (&options, server);
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 0);
  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_challenge_and_auth (void)
{
  MjaFakeServerOptions fake;

  mja_fake_server_options_init (&fake);
  fake.challenge = TRUE;
  assert_sync_fails (&fake, FALSE, MJA_API_ERROR, MJA_API_ERROR_BLOCKED);

  mja_fake_server_options_init (&fake);
  fake.expired_session = TRUE;
  fake.revoked = TRUE;
  assert_sync_fails (&fake, FALSE, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED);

  mja_fake_server_options_init (&fake);
  fake.revoked = TRUE;
  fake.eras = MJA_FAKE_ERA_LEGACY;
  assert_sync_fails (&fake, TRUE, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED);
}

static void
count_signal (gpointer unused,
              guint   *count)
{
  (*count)++;
}

static void
test_expired_token_refreshed (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  guint changed = 0;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 30;
  fake.expired_session = TRUE;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);

  sync = mja_sync_new (root, credentials, &options);
  g_signal_connect (sync, "credentials-changed", G_CALLBACK (count_signal), &changed);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 30);
  g_assert_cmpuint (mja_fake_server_get_refresh_count (server), ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  /* The caller gets the fresh token to store. */
  g_assert_cmpstr (mja_credentials_get_id_token (mja_sync_get_credentials (sync)), !=,
                   mja_credentials_get_id_token (credentials));

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_hostile_jobs_refused (void)
{
  for (int era = 0; era < 2; era++)
    {
      MjaFakeServerOptions fake;
      MjaSyncOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(MjaCredentials) credentials = NULL;
      g_autoptr(MjaSync) sync = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *root = helper_make_archive_dir ();
      g_autofree char *parent = g_path_get_dirname (root);
      g_autofree char *escaped = g_build_filename (parent, "escaped", NULL);
      GPtrArray *problems;

      mja_fake_server_options_init (&fake);
      fake.n_jobs = 50;
      fake.hostile_every = 10;  /* jobs 1, 11, 21, 31, 41 */
      fake.eras = era == 0 ? MJA_FAKE_ERA_CURRENT : MJA_FAKE_ERA_LEGACY;
      server = helper_start_server (&fake);
      credentials = era == 0 ? helper_current_credentials (server) : helper_legacy_credentials (server);
      helper_sync_options (&options, server);

      sync = mja_sync_new (root, credentials, &options);
      error = helper_run (sync, NULL);
      g_assert_no_error (error);
      /* The rest of each page is archived; the five are reported. */
      g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 45);
      problems = mja_sync_get_problems (sync);
      g_assert_cmpuint (problems->len, ==, 5);
      g_assert_nonnull (strstr (((MjaSyncProblem *) problems->pdata[0])->message,
                                era == 0 ? "not a valid job id" : "not an http(s) address"));
      g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
      assert_complete_archive (server, root, 45, "png");

      mja_sync_options_clear (&options);
      helper_remove_tree (root);
    }
}

static void
test_html_image_refused (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaArchiveScan) scan = NULL;
  GPtrArray *problems;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 20;
  fake.html_image_every = 7;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_images_failed (sync), >, 0);
  g_assert_cmpuint (mja_sync_get_images_done (sync) + mja_sync_get_images_failed (sync), ==,
                    mja_fake_server_get_n_images (server, "grid,upscale"));
  problems = mja_sync_get_problems (sync);
  g_assert_nonnull (strstr (((MjaSyncProblem *) problems->pdata[0])->message, "is not a png file"));
  g_assert_nonnull (((MjaSyncProblem *) problems->pdata[0])->job_id);
  /* Nothing half-kept: no .part, and each image present is a real PNG. */
  archive = mja_archive_new (root);
  scan = mja_archive_scan (archive, NULL, NULL);
  g_assert_cmpuint (scan->part_files->len, ==, 0);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

/* Hostile answers: each refused with its own message, nothing written
 * outside the archive, the session never sent to another host. */
typedef struct
{
  const char *name;
  guint       huge_page_mib;   /* the fake's knobs */
  gboolean    slow_body;
  gboolean    redirect;
  gboolean    slow_images;
  guint       image_kib;
  guint64     max_image_bytes; /* the client's limits; 0: its defaults */
  guint       answer_timeout_s;
  const char *message;         /* in the sync's error, or its problems */
  guint       image_pixels;    /* with image_kib; 0: 1024 */
} HostileCase;

static const HostileCase hostile_cases[] = {
  /* Above the default cap of 64 MiB: refused as it arrives, not retried. */
  { "a listing of 65 MiB", 65, FALSE, FALSE, FALSE, 0, 0, 0, "answered with more than 64 MiB" },
  { "a listing that never ends", 0, TRUE, FALSE, FALSE, 0, 0, 2, "did not finish answering within 2 seconds" },
  { "a redirect to another host", 0, FALSE, TRUE, FALSE, 0, 0, 0, "answered with a redirect, which is not followed" },
  { "images beyond the size limit", 0, FALSE, FALSE, FALSE, 1500, 1024 * 1024, 0, "larger than the limit of 1 MiB" },
  /* 2 MiB for 64 × 64 pixels: padding, however far below the limit. */
  { "images far larger than their pixels", 0, FALSE, FALSE, FALSE, 2048, 0, 0,
    "larger than an image of 64 × 64 pixels can be", 64 },
  /* Every image given up: the sync stops, as when the network is gone. */
  { "images that never end", 0, FALSE, FALSE, TRUE, 0, 0, 1, "did not finish sending it within 1 second" },
};

static void
test_hostile_answers (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      const HostileCase *c = &hostile_cases[i];
      MjaFakeServerOptions fake;
      MjaSyncOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(MjaCredentials) credentials = NULL;
      g_autoptr(MjaSync) sync = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *parent = helper_make_archive_dir ();
      g_autofree char *root = g_build_filename (parent, "archive", NULL);
      g_autoptr(MjaArchive) archive = NULL;
      g_autoptr(MjaArchiveScan) scan = NULL;
      g_autoptr(GDir) dir = NULL;
      gint64 start = g_get_monotonic_time ();
      const char *said;

      g_test_message ("%s", c->name);
      mja_fake_server_options_init (&fake);
      fake.n_jobs = 6;
      fake.huge_page_mib = c->huge_page_mib;
      fake.slow_body = c->slow_body;
      fake.redirect = c->redirect;
      fake.slow_images = c->slow_images;
      if (c->image_kib)
        {
          fake.image_kib = c->image_kib;
          fake.image_pixels = c->image_pixels ? c->image_pixels : 1024;
        }
      server = helper_start_server (&fake);
      credentials = helper_current_credentials (server);
      helper_sync_options (&options, server);
      options.max_tries = 2;
      options.max_image_bytes = c->max_image_bytes;
      options.answer_timeout_s = c->answer_timeout_s;

      sync = mja_sync_new (root, credentials, &options);
      error = helper_run (sync, NULL);
      if (c->image_kib)
        {
          GPtrArray *problems = mja_sync_get_problems (sync);

          /* The jobs are archived; every image refused, each said. */
          g_assert_no_error (error);
          g_assert_cmpuint (mja_sync_get_images_done (sync), ==, 0);
          g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, mja_fake_server_get_n_images (server, "grid,upscale"));
          g_assert_cmpuint (problems->len, >, 0);
          said = ((MjaSyncProblem *) problems->pdata[0])->message;
        }
      else
        {
          g_assert_nonnull (error);
          said = error->message;
        }
      g_test_message ("said: %s", said);
      g_assert_nonnull (strstr (said, c->message));
      /* Bounded: two tries of two seconds at most for the slow one. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
      g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 0);

      /* Nothing half-kept in the archive, nothing beside it. */
      archive = mja_archive_new (root);
      scan = mja_archive_scan (archive, NULL, NULL);
      if (scan != NULL)
        g_assert_cmpuint (scan->part_files->len, ==, 0);
      dir = g_dir_open (parent, 0, NULL);
      g_assert_cmpstr (g_dir_read_name (dir), ==, "archive");
      g_assert_null (g_dir_read_name (dir));

      mja_sync_options_clear (&options);
      helper_remove_tree (parent);
    }
}

/* Images sent gzipped, with the compressed Content-Length and chunked
 * without one: each arrives as the image itself, its decoded size
 * counted, not compared with the compressed length. */
static void
test_gzip_images (void)
{
  const MjaFakeGzip ways[] = { MJA_FAKE_GZIP_LENGTH, MJA_FAKE_GZIP_CHUNKED };

  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      MjaFakeServerOptions fake;
      MjaSyncOptions options;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autoptr(MjaCredentials) credentials = NULL;
      g_autoptr(MjaSync) sync = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *root = helper_make_archive_dir ();

      g_test_message ("gzip %s", ways[i] == MJA_FAKE_GZIP_LENGTH ? "with Content-Length" : "chunked");
      mja_fake_server_options_init (&fake);
      fake.n_jobs = 6;
      fake.eras = MJA_FAKE_ERA_CURRENT;
      fake.image_kib = 256;    /* text padding: compresses to about half */
      fake.gzip_images = ways[i];
      server = helper_start_server (&fake);
      credentials = helper_current_credentials (server);
      helper_sync_options (&options, server);
      options.max_tries = 2;

      sync = mja_sync_new (root, credentials, &options);
      error = helper_run (sync, NULL);
      g_assert_no_error (error);
      g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, 0);
      g_assert_cmpuint (mja_sync_get_images_done (sync), ==, mja_fake_server_get_n_images (server, "grid,upscale"));
      assert_complete_archive (server, root, 6, "png");
      /* Decoded bytes, each image read once. */
      g_assert_cmpuint (mja_sync_get_bytes (sync), >=,
                        (guint64) mja_fake_server_get_n_images (server, "grid,upscale") * 200 * 1024);

      mja_sync_options_clear (&options);
      helper_remove_tree (root);
    }
}

/* 64 × 64 pixels, then 256 MiB of zeros, gzipped to a few hundred KiB:
 * refused once the decoded bytes pass what such an image can take, long
 * before the end. */
static void
test_gzip_bomb_refused (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  GPtrArray *problems;
  guint n_images;
  gint64 start;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 2;
  fake.eras = MJA_FAKE_ERA_CURRENT;
  fake.image_kib = 1;
  fake.image_pixels = 64;
  fake.gzip_images = MJA_FAKE_GZIP_CHUNKED;
  fake.gzip_zeros_mib = 256;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.max_tries = 2;
  n_images = mja_fake_server_get_n_images (server, "grid,upscale");

  start = g_get_monotonic_time ();
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_images_done (sync), ==, 0);
  g_assert_cmpuint (mja_sync_get_images_failed (sync), ==, n_images);
  problems = mja_sync_get_problems (sync);
  g_assert_cmpuint (problems->len, >, 0);
  g_test_message ("said: %s", ((MjaSyncProblem *) problems->pdata[0])->message);
  g_assert_nonnull (strstr (((MjaSyncProblem *) problems->pdata[0])->message,
                            "larger than an image of 64 × 64 pixels can be"));
  /* A few MiB of each read, not its 256: refused, not tried again. */
  g_test_message ("%" G_GUINT64_FORMAT " bytes read of %u images", mja_sync_get_bytes (sync), n_images);
  g_assert_cmpuint (mja_sync_get_bytes (sync), <, (guint64) n_images * 16 * 1024 * 1024);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
cancel_after_images (MjaSync      *sync,
                     GParamSpec   *pspec,
                     GCancellable *cancellable)
{
  if (mja_sync_get_images_done (sync) >= 25)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel_and_resume (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *clean_root = helper_make_archive_dir ();
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *clean = NULL;
  g_autofree char *resumed = NULL;
  g_autoptr(MjaSync) clean_sync = NULL;
  g_autoptr(MjaSync) first = NULL;
  g_autoptr(MjaSync) second = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 150;
  fake.latency_ms = 30;  /* long enough to be cancelled mid-way */
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);

  clean_sync = mja_sync_new (clean_root, credentials, &options);
  error = helper_run (clean_sync, NULL);
  g_assert_no_error (error);

  first = mja_sync_new (root, credentials, &options);
  g_signal_connect (first, "notify::images-done", G_CALLBACK (cancel_after_images), cancellable);
  error = helper_run (first, cancellable);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (mja_sync_get_images_done (first), <, mja_sync_get_images_done (clean_sync));

  second = mja_sync_new (root, credentials, &options);
  error = helper_run (second, NULL);
  g_assert_no_error (error);

  clean = helper_archive_listing (clean_root);
  resumed = helper_archive_listing (root);
  g_assert_cmpstr (resumed, ==, clean);
  assert_complete_archive (server, root, 150, "png");

  mja_sync_options_clear (&options);
  helper_remove_tree (clean_root);
  helper_remove_tree (root);
}

/* A download whose bytes all came (Content-Length met) but whose own
 * structure ends early: asked for again like any transient failure, then
 * given up as truncated, and never kept under its final name.  A whole
 * file beside it is kept. */
#define WHOLE_PNG "\x89PNG\r\n\x1a\n" "\0\0\0\rIHDR....." "\0\0\0\0IEND\xae" "B`\x82"
#define CUT_PNG   "\x89PNG\r\n\x1a\n" "\0\0\0\rIHDR....." "\0\0\0\0IDAT"

typedef struct
{
  guint   cut_requests;
  guint   done;
  guint   idle;
  GError *failure;
} TruncatedRun;

static void
truncated_server_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  TruncatedRun *run = user_data;
  gboolean cut = g_str_equal (path, "/cut.png");

  if (cut)
    run->cut_requests++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, cut ? CUT_PNG : WHOLE_PNG,
                                    cut ? sizeof CUT_PNG - 1 : sizeof WHOLE_PNG - 1);
}

static void
truncated_done_cb (MjaDownloader *downloader,
                   const char    *job_id,
                   guint          index,
                   guint64        size,
                   gboolean       skipped,
                   TruncatedRun  *run)
{
  g_assert_cmpstr (job_id, ==, "whole");
  g_assert_cmpuint (size, ==, sizeof WHOLE_PNG - 1);
  run->done++;
}

static void
truncated_failed_cb (MjaDownloader *downloader,
                     const char    *job_id,
                     guint          index,
                     GError        *error,
                     TruncatedRun  *run)
{
  g_assert_cmpstr (job_id, ==, "cut");
  g_assert_null (run->failure);
  run->failure = g_error_copy (error);
}

static void
truncated_idle_cb (MjaDownloader *downloader,
                   TruncatedRun  *run)
{
  run->idle++;
}

static void
test_truncated_image_refused (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaDownloader) downloader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchiveScan) scan = NULL;
  g_autofree char *base = NULL;
  g_autofree char *cut_url = NULL;
  g_autofree char *whole_url = NULL;
  g_autofree char *cut_path = NULL;
  g_autofree char *whole_path = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  GSList *uris;
  TruncatedRun run = { 0 };

  g_assert_true (mja_media_problem_is_truncation (mja_media_check_data ((const guint8 *) CUT_PNG,
                                                                        sizeof CUT_PNG - 1)));
  g_assert_cmpint (mja_media_check_data ((const guint8 *) WHOLE_PNG, sizeof WHOLE_PNG - 1), ==, MJA_MEDIA_WHOLE);

  soup_server_add_handler (server, NULL, truncated_server_cb, &run, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  cut_url = g_strconcat (base, "cut.png", NULL);
  whole_url = g_strconcat (base, "whole.png", NULL);

  downloader = mja_downloader_new (archive, 2, NULL);
  mja_downloader_set_retry_policy (downloader, 3, 1);
  g_signal_connect (downloader, "image-done", G_CALLBACK (truncated_done_cb), &run);
  g_signal_connect (downloader, "image-failed", G_CALLBACK (truncated_failed_cb), &run);
  g_signal_connect (downloader, "idle", G_CALLBACK (truncated_idle_cb), &run);
  mja_downloader_add (downloader, "cut", 0, cut_url, "2024/2024-01/2024-01-01/cut.png");
  mja_downloader_add (downloader, "whole", 0, whole_url, "2024/2024-01/2024-01-01/whole.png");
  while (run.idle == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (run.failure, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (run.failure->message, "after 3 tries"));
  g_assert_cmpuint (run.cut_requests, ==, 3);
  g_assert_cmpuint (run.done, ==, 1);

  cut_path = mja_archive_dup_path (archive, "2024/2024-01/2024-01-01/cut.png");
  whole_path = mja_archive_dup_path (archive, "2024/2024-01/2024-01-01/whole.png");
  g_assert_false (g_file_test (cut_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (whole_path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, WHOLE_PNG, sizeof WHOLE_PNG - 1);
  scan = mja_archive_scan (archive, NULL, NULL);
  g_assert_cmpuint (scan->part_files->len, ==, 0);

  g_clear_error (&run.failure);
  helper_remove_tree (root);
}

/* The structure checks that the downloader and verify share: each format
 * whole, and cut short. */
static void
test_media_checks (void)
{
  static const guint8 jpeg[] = "\xff\xd8\xff\xe0" "\0\x10JFIF\0" "\xff\xd9";
  static const guint8 webp[] = "RIFF\x08\0\0\0WEBPVP8 ";
  static const guint8 mp4[] = "\0\0\0\x10" "ftypisom\0\0\0\0" "\0\0\0\x0c" "mdat...."
                              "\0\0\0\0" "free";
  static const guint8 large_mp4[] = "\0\0\0\x0c" "ftypisom" "\0\0\0\x01" "mdat" "\0\0\0\0\0\0\0\x14" "....";

  g_assert_cmpint (mja_media_check_data (jpeg, sizeof jpeg - 1), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_data (jpeg, sizeof jpeg - 2), ==, MJA_MEDIA_TRUNCATED_JPEG);
  g_assert_cmpint (mja_media_check_data (webp, sizeof webp - 1), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_data (webp, sizeof webp - 2), ==, MJA_MEDIA_TRUNCATED_WEBP);
  /* A last box of size 0 runs to the end of the file. */
  g_assert_cmpint (mja_media_check_data (mp4, sizeof mp4 - 1), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_data (mp4, 28), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_data (mp4, 27), ==, MJA_MEDIA_TRUNCATED_MP4);
  g_assert_cmpint (mja_media_check_data (mp4, 30), ==, MJA_MEDIA_TRUNCATED_MP4);
  g_assert_cmpint (mja_media_check_data (large_mp4, sizeof large_mp4 - 1), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_data (large_mp4, sizeof large_mp4 - 2), ==, MJA_MEDIA_TRUNCATED_MP4);
  g_assert_cmpint (mja_media_check_data ((const guint8 *) "<!DOCTYPE html>", 15), ==, MJA_MEDIA_UNKNOWN);
  g_assert_cmpint (mja_media_check_data (NULL, 0), ==, MJA_MEDIA_UNKNOWN);
  g_assert_cmpint (mja_media_check_file ("/nonexistent/image.png"), ==, MJA_MEDIA_UNREADABLE);
  g_assert_false (mja_media_problem_is_truncation (MJA_MEDIA_UNKNOWN));
  g_assert_null (mja_media_problem_describe (MJA_MEDIA_WHOLE));
}

static void
test_sniff (void)
{
  g_assert_cmpstr (mja_sniff_media ((const guint8 *) "\x89PNG\r\n\x1a\n....", 12), ==, "png");
  g_assert_cmpstr (mja_sniff_media ((const guint8 *) "\xff\xd8\xff\xe0", 4), ==, "jpeg");
  g_assert_cmpstr (mja_sniff_media ((const guint8 *) "RIFF\0\0\0\0WEBPVP8 ", 16), ==, "webp");
  g_assert_cmpstr (mja_sniff_media ((const guint8 *) "\0\0\0\x18" "ftypisom", 12), ==, "mp4");
  g_assert_null (mja_sniff_media ((const guint8 *) "<!DOCTYPE html>", 15));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sync/current/end-to-end", test_current_end_to_end);
  g_test_add_func ("/sync/legacy/end-to-end", test_legacy_end_to_end);
  g_test_add_func ("/sync/legacy/cap", test_legacy_cap);
  g_test_add_func ("/sync/incremental", test_incremental);
  g_test_add_func ("/sync/update-upserts", test_update_upserts);
  g_test_add_func ("/sync/faults/429-and-5xx", test_faults_survived);
  g_test_add_func ("/sync/faults/challenge-and-auth", test_challenge_and_auth);
  g_test_add_func ("/sync/auth/expired-token-refreshed", test_expired_token_refreshed);
  g_test_add_func ("/sync/hostile/ids-and-urls", test_hostile_jobs_refused);
  g_test_add_func ("/sync/hostile/html-as-image", test_html_image_refused);
  g_test_add_func ("/sync/hostile/answers", test_hostile_answers);
  g_test_add_func ("/sync/hostile/gzip-images", test_gzip_images);
  g_test_add_func ("/sync/hostile/gzip-bomb", test_gzip_bomb_refused);
  g_test_add_func ("/sync/cancel-and-resume", test_cancel_and_resume);
  g_test_add_func ("/sync/download/truncated-image-refused", test_truncated_image_refused);
  g_test_add_func ("/sync/sniff", test_sniff);
  g_test_add_func ("/sync/media-checks", test_media_checks);

  return g_test_run ();
}
