/* test-hostile.c — hostile answers and files: the bounded reader, endless listings, prompt cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mja-archive-verify.h"
#include "mja-embed.h"
#include "mja-json.h"
#include "mja-job.h"
#include "mja-media.h"
#include "test-utils.h"

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static JsonNode *
parse (const char  *text,
       gsize        max_values,
       GError     **error)
{
  return mja_json_parse (text, strlen (text), max_values, "test", error);
}

static void
test_reader_depth (void)
{
  g_autofree char *ok = nested (MJA_JSON_MAX_DEPTH);
  g_autofree char *deep = nested (MJA_JSON_MAX_DEPTH + 1);
  g_autofree char *very_deep = nested (100000);
  g_autofree char *in_string = g_strdup_printf ("[\"%s\", \"\\\"%s\"]", very_deep, very_deep);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = parse (ok, MJA_JSON_MAX_PAGE_VALUES, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);

  g_assert_null (parse (deep, MJA_JSON_MAX_PAGE_VALUES, &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_DEEP);
  g_assert_nonnull (strstr (error->message, "test nests its JSON deeper than 64 levels"));
  g_clear_error (&error);

  /* 100,000 levels overflowed json-glib's stack. */
  g_assert_null (parse (very_deep, MJA_JSON_MAX_PAGE_VALUES, &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);

  /* Brackets inside strings, after an escaped quote too, are text. */
  root = parse (in_string, MJA_JSON_MAX_PAGE_VALUES, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 2);
}

static void
test_reader_values (void)
{
  g_autoptr(GString) flood = g_string_new ("[{}");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  /* An object costs two, as json-glib spends twice as much on it. */
  root = parse ("[{}, {}, 1]", 6, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);
  g_assert_null (parse ("[{}, {}, 1, 2]", 6, &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_MANY);
  g_assert_nonnull (strstr (error->message, "more than 6 JSON values"));
  g_clear_error (&error);
  /* A member counts its name and its value; numbers and words are one each. */
  g_assert_null (parse ("{\"a\": true, \"b\": -1.5e3}", 5, &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_MANY);
  g_clear_error (&error);
  root = parse ("{\"a\": true, \"b\": -1.5e3}", 6, &error);
  g_assert_no_error (error);
  g_clear_pointer (&root, json_node_unref);

  while (flood->len < 4 * 1024 * 1024)
    g_string_append (flood, ",{}");
  g_string_append_c (flood, ']');
  g_assert_null (mja_json_parse (flood->str, flood->len, MJA_JSON_MAX_PAGE_VALUES, "flood", &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_MANY);
}

static void
test_reader_strict (void)
{
  /* A lone surrogate or a short "\u" made json-glib read on past the
   * closing quote, into what the count took for a string. */
  const char *refused[] = { "/* \" */ [[1]]", "['a']", "[1] /* x */", "[\"\\udfff\", \"[[1]]\"]",
                            "[\"\\ud800\", \"[[1]]\"]", "[\"\\ud800\\u0041\"]", "[\"\\u12\", \"[[1]]\"]", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  /* A comment json-glib skips would hide brackets from the count. */
  for (guint i = 0; refused[i]; i++)
    {
      g_assert_null (parse (refused[i], 100, &error));
      g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_null (mja_json_parse ("[\"a\0b\"]", 7, 100, "nul", &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (parse ("[1,", 100, &error));
  g_assert_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "test is not valid JSON"));
  g_clear_error (&error);

  /* Escaped NULs (and the octal escapes json-glib reads as NUL) become
   * the mark; a slash inside a string is text. */
  root = parse ("[\"ab\\u0000cd\", \"x\\0y\", \"p\\400q\", \"a/b\\u0041\\ud83d\\ude00\"]", 100, &error);
  g_assert_no_error (error);
  text = json_array_get_string_element (json_node_get_array (root), 0);
  g_assert_cmpstr (text, ==, "ab" MJA_JSON_NUL_MARK "cd");
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (root), 1), ==, "x" MJA_JSON_NUL_MARK "y");
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (root), 2), ==, "p" MJA_JSON_NUL_MARK "q");
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (root), 3), ==, "a/bA\xf0\x9f\x98\x80");
}

static void
test_job_nul_and_paths (void)
{
  g_autoptr(GString) paths = g_string_new (NULL);
  g_autofree char *many = NULL;
  g_autoptr(GError) error = NULL;
  MjaJob *job;

  job = mja_job_new_from_data ("{\"id\": \"0a1b\\u0000../x\", \"job_type\": \"a\", "
                               "\"enqueue_time\": \"2025-01-01T00:00:00+00:00\"}", -1, &error);
  g_assert_null (job);
  g_assert_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "“id” holds a NUL character"));
  g_clear_error (&error);

  for (guint i = 0; i < 17; i++)
    g_string_append_printf (paths, "%s\"https://cdn.example/a/%u.png\"", i ? "," : "", i);
  many = g_strdup_printf ("{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2023-01-01 00:00:00\", "
                          "\"image_paths\": [%s]}", paths->str);
  g_assert_null (mja_job_new_from_data (many, -1, &error));
  g_assert_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "lists 17 images; a job has at most 16"));
}

/* A tree that did not come through the reader is bounded by the job too. */
static void
test_job_deep_tree (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *inner = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(MjaJob) job = NULL;

  json_node_take_array (inner, json_array_new ());
  for (guint i = 0; i < 1000; i++)
    {
      JsonArray *array = json_array_new ();
      JsonNode *outer = json_node_new (JSON_NODE_ARRAY);

      json_array_add_element (array, inner);
      json_node_take_array (outer, array);
      inner = outer;
    }
  json_object_set_string_member (object, "id", "0a1b");
  json_object_set_string_member (object, "job_type", "a");
  json_object_set_string_member (object, "enqueue_time", "2025-01-01T00:00:00+00:00");
  json_object_set_member (object, "extra", inner);
  job = mja_job_new_from_json (object, &error);
  g_assert_null (job);
  g_assert_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "deeper than 64 levels"));
}

/* The fake's options with @n_jobs jobs in the @eras; knobs come after. */
static void
fake_options (MjaFakeServerOptions *fake,
              guint                 n_jobs,
              MjaFakeEra            eras)
{
  mja_fake_server_options_init (fake);
  fake->n_jobs = n_jobs;
  fake->eras = eras;
}

static guint
count_files (const char *dir,
             const char *suffix,
             goffset    *largest)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        n += count_files (path, suffix, largest);
      else if (g_str_has_suffix (name, suffix))
        {
          n++;
          if (largest && st.st_size > *largest)
            *largest = st.st_size;
        }
    }
  return n;
}

/* Syncs the metadata (no images) of @server into @root; returns its
 * error, and the sync in @sync_out if asked. */
static GError *
sync_once (MjaFakeServer  *server,
           const char     *root,
           gboolean        legacy,
           MjaSync       **sync_out)
{
  MjaSyncOptions options;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  GError *error;

  credentials = legacy ? helper_legacy_credentials (server) : helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.download = FALSE;
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  mja_sync_options_clear (&options);
  if (sync_out)
    *sync_out = g_steal_pointer (&sync);
  return error;
}

static void
test_deep_page (void)
{
  const guint depths[] = { 100000, 50000 };

  for (guint era = 0; era < 2; era++)
    for (guint d = 0; d < G_N_ELEMENTS (depths); d++)
      {
        MjaFakeServerOptions fake;
        g_autoptr(MjaFakeServer) server = NULL;
        g_autofree char *root = helper_make_archive_dir ();
        g_autoptr(GError) error = NULL;
        goffset largest = 0;

        fake_options (&fake, 10, era == 0 ? MJA_FAKE_ERA_CURRENT : MJA_FAKE_ERA_LEGACY);
        fake.nest_depth = depths[d];
        server = helper_start_server (&fake);

        /* 50,000 levels wrote a 5 GB .json, 100,000 crashed. */
        error = sync_once (server, root, era == 1, NULL);
        g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE);
        g_assert_nonnull (strstr (error->message, era == 0 ? "/api/imagine" : "/api/app/recent-jobs"));
        g_assert_nonnull (strstr (error->message, "deeper than 64 levels"));
        g_assert_cmpuint (count_files (root, ".json", &largest), ==, 0);
        g_assert_cmpint (largest, ==, 0);
        helper_remove_tree (root);
      }
}

static guint64
high_water_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

static void
test_flood_page (void)
{
  MjaFakeServerOptions fake;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(GError) error = NULL;
  guint64 before, after;

  fake_options (&fake, 10, MJA_FAKE_ERA_CURRENT);
  fake.flood_mib = 60;
  server = helper_start_server (&fake);

  before = high_water_kib ();
  error = sync_once (server, root, FALSE, NULL);
  after = high_water_kib ();
  g_test_message ("VmHWM %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after", before, after);
  g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "more than 1000000 JSON values"));
  /* 60 MiB of "{}" made a 6.4 GB tree.  What is left is the page itself,
   * in the fake and in the client, with libsoup's copies. */
  g_assert_cmpuint (after - before, <, 400 * 1024);
  g_assert_cmpuint (count_files (root, ".json", NULL), ==, 0);
  helper_remove_tree (root);
}

static void
test_endless_listing (void)
{
  for (MjaFakeEndless how = MJA_FAKE_ENDLESS_REPEAT; how <= MJA_FAKE_ENDLESS_REFUSED; how++)
    {
      MjaFakeServerOptions fake;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autofree char *root = helper_make_archive_dir ();

      fake_options (&fake, 30, MJA_FAKE_ERA_CURRENT);
      fake.endless = how;
      server = helper_start_server (&fake);

      /* The first sync and every later one stop, after a few pages. */
      for (guint run = 0; run < 2; run++)
        {
          g_autoptr(MjaSync) sync = NULL;
          g_autoptr(GError) error = NULL;
          guint requests = mja_fake_server_get_request_count (server);

          error = sync_once (server, root, FALSE, &sync);
          g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE);
          g_assert_nonnull (strstr (error->message, "kept paging with nothing new"));
          g_assert_cmpuint (mja_sync_get_pages (sync), <=, 6);
          g_assert_cmpuint (mja_fake_server_get_request_count (server) - requests, <=, 8);
          /* What the pages brought is archived: the newest page. */
          g_assert_cmpuint (count_files (root, ".json", NULL), ==, how == MJA_FAKE_ENDLESS_REPEAT ? 25 : 0);
        }
      helper_remove_tree (root);
    }
}

/* A new valid job and a new cursor on every page: nothing barren, so only
 * the overall page cap (20,000; 30 here) stops the listing. */
static void
test_endless_fresh_listing (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();

  fake_options (&fake, 3, MJA_FAKE_ERA_CURRENT);
  fake.endless = MJA_FAKE_ENDLESS_FRESH;
  fake.page_jobs = 1;
  server = helper_start_server (&fake);

  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.download = FALSE;
  options.max_pages = 30;
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE);
  g_test_message ("said: %s", error->message);
  g_assert_nonnull (strstr (error->message, "kept paging past 30 pages"));
  g_assert_cmpuint (mja_sync_get_pages (sync), ==, 30);
  /* Every page brought its job, and each is archived. */
  g_assert_cmpuint (count_files (root, ".json", NULL), ==, 30);

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

static void
test_long_cursor (void)
{
  MjaFakeServerOptions fake;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;

  fake_options (&fake, 60, MJA_FAKE_ERA_CURRENT);
  fake.cursor_bytes = 100000;
  server = helper_start_server (&fake);

  error = sync_once (server, root, FALSE, &sync);
  g_assert_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "sent a page cursor of"));
  /* The first page is kept; its cursor is not followed. */
  g_assert_cmpuint (mja_sync_get_pages (sync), ==, 1);
  g_assert_cmpuint (count_files (root, ".json", NULL), ==, 25);
  helper_remove_tree (root);
}

static void
test_legacy_image_paths (void)
{
  const guint counts[] = { 17, 100000 };

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      MjaFakeServerOptions fake;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autofree char *root = helper_make_archive_dir ();
      g_autoptr(MjaSync) sync = NULL;
      g_autoptr(GError) error = NULL;
      /* 100,000 are more values than a job may hold at all. */
      g_autofree char *expected = counts[c] <= MJA_JSON_MAX_JOB_VALUES
                                  ? g_strdup_printf ("lists %u images; a job has at most 16", counts[c])
                                  : g_strdup_printf ("more than %u JSON values", MJA_JSON_MAX_JOB_VALUES);
      GPtrArray *problems;

      fake_options (&fake, 3, MJA_FAKE_ERA_LEGACY);
      fake.legacy_image_paths = counts[c];
      server = helper_start_server (&fake);

      error = sync_once (server, root, TRUE, &sync);
      g_assert_no_error (error);
      g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 0);
      problems = mja_sync_get_problems (sync);
      g_test_message ("%s", problems->len ? ((MjaSyncProblem *) problems->pdata[0])->message : "none");
      g_assert_cmpuint (problems->len, ==, 3);
      g_assert_nonnull (strstr (((MjaSyncProblem *) problems->pdata[0])->message, expected));
      g_assert_cmpuint (count_files (root, ".json", NULL), ==, 0);
      helper_remove_tree (root);
    }
}

static void
test_nul_in_id (void)
{
  for (guint era = 0; era < 2; era++)
    {
      MjaFakeServerOptions fake;
      g_autoptr(MjaFakeServer) server = NULL;
      g_autofree char *root = helper_make_archive_dir ();
      g_autoptr(MjaSync) sync = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) ids = NULL;
      g_autoptr(MjaArchive) archive = NULL;
      g_autoptr(MjaArchiveScan) scan = NULL;
      GPtrArray *problems;

      fake_options (&fake, 20, era == 0 ? MJA_FAKE_ERA_CURRENT : MJA_FAKE_ERA_LEGACY);
      fake.nul_id_every = 10;  /* jobs 2 and 12 */
      server = helper_start_server (&fake);

      error = sync_once (server, root, era == 1, &sync);
      g_assert_no_error (error);
      g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 18);
      problems = mja_sync_get_problems (sync);
      g_assert_cmpuint (problems->len, ==, 2);
      g_assert_nonnull (strstr (((MjaSyncProblem *) problems->pdata[0])->message, "holds a NUL character"));

      /* Nothing was archived under the id cut at the NUL. */
      archive = mja_archive_new (root);
      scan = mja_archive_scan (archive, NULL, NULL);
      ids = mja_fake_server_dup_job_ids (server);
      g_assert_cmpuint (scan->json_files->len, ==, 18);
      for (guint i = 0; i < scan->json_files->len; i++)
        {
          const char *name = strrchr (scan->json_files->pdata[i], '/');
          gboolean known = FALSE;

          for (guint j = 0; ids[j]; j++)
            known |= strstr (name, ids[j]) != NULL;
          g_assert_true (known);
        }
      helper_remove_tree (root);
    }
}

/* A job file planted in an archive: reindex and verify report it and go on. */
static void
test_hostile_files (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *day = g_build_filename (root, "2025", "2025-01", "2025-01-01", NULL);
  g_autofree char *deep_path = g_build_filename (day, "20250101-000000_0a1c.json", NULL);
  g_autofree char *huge_path = g_build_filename (day, "20250101-000000_0a1d.json", NULL);
  g_autofree char *good_path = g_build_filename (day, "20250101-000000_0a1b.json", NULL);
  g_autofree char *link_path = g_build_filename (day, "20250101-000000_0a1e.json", NULL);
  g_autofree char *outside = g_strconcat (root, ".outside.json", NULL);
  g_autofree char *deep = nested (100000);
  g_autofree char *deep_job = g_strdup_printf ("{\"id\": \"0a1c\", \"job_type\": \"a\", \"enqueue_time\": "
                                               "\"2025-01-01T00:00:00+00:00\", \"extra\": %s}", deep);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaRebuildReport) report = NULL;
  g_autoptr(MjaVerifyReport) verify = NULL;
  g_autoptr(GError) error = NULL;
  guint broken = 0;
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (day, 0755), ==, 0);
  g_assert_true (g_file_set_contents (deep_path, deep_job, -1, NULL));
  g_assert_true (g_file_set_contents (good_path, "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": "
                                      "\"2025-01-01T00:00:00+00:00\"}", -1, NULL));
  /* 5 GB, sparse: never read. */
  fd = g_open (huge_path, O_WRONLY | O_CREAT, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) 5 * 1024 * 1024 * 1024), ==, 0);
  g_close (fd, NULL);
  /* A job file that is a link to one outside: not followed. */
  g_assert_true (g_file_set_contents (outside, "{\"id\": \"0a1e\", \"job_type\": \"a\", \"enqueue_time\": "
                                      "\"2025-01-01T00:00:00+00:00\"}", -1, NULL));
  g_assert_cmpint (symlink (outside, link_path), ==, 0);

  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  report = mja_index_rebuild (index, archive, "https://cdn.example", "png", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->jobs, ==, 1);
  g_assert_cmpuint (report->broken->len, ==, 3);
  for (guint i = 0; i < report->broken->len; i++)
    {
      const char *line = report->broken->pdata[i];

      g_test_message ("%s", line);
      g_assert_true ((strstr (line, "0a1c.json") && strstr (line, "deeper than 64 levels")) ||
                     (strstr (line, "0a1d.json") && strstr (line, "larger than")) ||
                     (strstr (line, "0a1e.json") && strstr (line, "is a symbolic link; it was not read")));
    }

  verify = mja_archive_verify (archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < verify->problems->len; i++)
    {
      MjaVerifyProblem *problem = g_ptr_array_index (verify->problems, i);

      if (problem->kind == MJA_VERIFY_BROKEN_JSON)
        broken++;
    }
  g_assert_cmpuint (broken, ==, 3);
  g_unlink (outside);
  helper_remove_tree (root);
}

/* What runs while a job file is a FIFO: were nothing to open its other
 * end, a reader that waits on it would wait for good. */
typedef struct
{
  const char *fifo;
  gboolean    hung;
} Stuck;

static gboolean
unblock_fifo_cb (gpointer data)
{
  Stuck *stuck = data;
  /* Opens only while a reader waits on the other end, which then reads
   * an empty file. */
  int fd = g_open (stuck->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      stuck->hung = TRUE;
      g_close (fd, NULL);
    }
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  MjaArchive *archive;
  MjaIndex   *index;
} TagWalk;

static void
tag_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  TagWalk *walk = data;
  GError *error = NULL;
  MjaTagReport *report = mja_embed_tag_archive (walk->archive, walk->index, NULL, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) mja_tag_report_free);
}

/* @async's loop run until its result, the FIFO's far end opened every
 * 30 s meanwhile. */
static GAsyncResult *
wait_unblocking (HelperAsync *async,
                 Stuck       *stuck)
{
  guint source = g_timeout_add_seconds (30, unblock_fifo_cb, stuck);
  GAsyncResult *result = helper_async_wait (async);

  g_source_remove (source);
  return result;
}

/* Job files planted behind archived images: a FIFO (which blocked tag and
 * a sync that fetches the image again, for good) and a file larger than
 * any job (read whole before).  tag says so for each of their images; the
 * sync saves them again, untagged; neither waits. */
static void
test_job_files_behind_images (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  MjaIndexQuery everything = { 0 };
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(MjaTagReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  /* g_autofree on an array frees its first element only. */
  char *json[2] = { NULL, NULL };
  char *image[2] = { NULL, NULL };
  char *id[2] = { NULL, NULL };
  HelperAsync async = { NULL, NULL };
  TagWalk walk;
  Stuck stuck = { NULL, FALSE };
  guint n = 0, not_regular = 0, too_large = 0;
  int fd;

  fake_options (&fake, 4, MJA_FAKE_ERA_CURRENT);
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.embed_metadata = FALSE;
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_clear_object (&sync);

  archive = mja_archive_new (root);
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  rows = mja_index_query (index, &everything, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len && n < 2; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);

      if (row->first_image == NULL || !mja_embed_is_supported (row->first_image))
        continue;
      json[n] = mja_archive_dup_path (archive, row->json_path);
      image[n] = mja_archive_dup_path (archive, row->first_image);
      id[n] = g_strdup (row->id);
      n++;
    }
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (g_unlink (json[0]), ==, 0);
  g_assert_cmpint (mkfifo (json[0], 0644), ==, 0);
  stuck.fifo = json[0];
  /* The job's own text, then zeros up to a byte past the limit (sparse). */
  fd = g_open (json[1], O_WRONLY | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) MJA_JSON_MAX_FILE_BYTES + 1), ==, 0);
  g_close (fd, NULL);

  walk.archive = archive;
  walk.index = index;
  async.loop = g_main_loop_new (NULL, FALSE);
  task = g_task_new (NULL, NULL, helper_async_done_cb, &async);
  g_task_set_task_data (task, &walk, NULL);
  g_task_run_in_thread (task, tag_thread);
  result = wait_unblocking (&async, &stuck);
  report = g_task_propagate_pointer (G_TASK (result), &error);
  g_assert_no_error (error);
  g_assert_false (stuck.hung);
  for (guint i = 0; i < report->failures->len; i++)
    {
      const char *failure = report->failures->pdata[i];

      g_test_message ("%s", failure);
      not_regular += strstr (failure, "is not a regular file; it was not read") != NULL;
      too_large += strstr (failure, "is larger than") != NULL;
    }
  g_assert_cmpuint (not_regular, >=, 1);
  g_assert_cmpuint (too_large, >=, 1);
  g_assert_cmpuint (not_regular + too_large, ==, report->failures->len);
  g_clear_object (&result);
  g_clear_object (&index);

  /* Each one's first image gone: the sync fetches it again. */
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (g_unlink (image[i]), ==, 0);
  options.list = FALSE;
  options.repair = TRUE;
  options.embed_metadata = TRUE;
  sync = mja_sync_new (root, credentials, &options);
  async.loop = g_main_loop_new (NULL, FALSE);
  mja_sync_run_async (sync, NULL, helper_async_done_cb, &async);
  result = wait_unblocking (&async, &stuck);
  g_assert_true (mja_sync_run_finish (sync, result, &error));
  g_assert_no_error (error);
  g_assert_false (stuck.hung);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (mja_media_check_file (image[i]), ==, MJA_MEDIA_WHOLE);
      g_assert_false (mja_embed_has_metadata (image[i], id[i]));
    }
  mja_sync_options_clear (&options);
  for (guint i = 0; i < 2; i++)
    {
      g_free (json[i]);
      g_free (image[i]);
      g_free (id[i]);
    }
  helper_remove_tree (root);
}

static void
test_locked_index (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  sqlite3 *other = NULL;

  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  path = mja_archive_dup_state_path (archive, "index.sqlite");
  g_assert_cmpint (sqlite3_open (path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  /* Waits its 10 s, then says who is to blame. */
  g_assert_false (mja_index_set_state (index, "probe", "1", &error));
  g_assert_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "in use by another program"));
  g_assert_null (strstr (error->message, "mj-archiver-cli reindex"));

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  helper_remove_tree (root);
}

typedef struct
{
  const char *root;
  guint       at_least;
} Written;

static gboolean
some_written (gpointer data)
{
  Written *written = data;

  return count_files (written->root, ".json", NULL) >= written->at_least;
}

/* Cancelled while a page of 2,000 jobs is written (each file is flushed to
 * disk: a minute here), the sync ends at once; the next one finishes the
 * archive. */
static void
test_cancel_mid_page (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  HelperAsync async = { NULL, NULL };
  Written written = { root, 100 };
  guint after_cancel;
  gint64 start;

  fake_options (&fake, 2000, MJA_FAKE_ERA_CURRENT);
  fake.page_jobs = 2000;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  options.download = FALSE;
  options.answer_timeout_s = 120;
  sync = mja_sync_new (root, credentials, &options);

  async.loop = g_main_loop_new (NULL, FALSE);
  mja_sync_run_async (sync, cancellable, helper_async_done_cb, &async);
  helper_wait_until (some_written, &written, 120, "the page is being written");
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  result = helper_async_wait (&async);
  g_assert_false (mja_sync_run_finish (sync, result, &error));
  g_test_message ("Ended %.2f s after the cancel", (g_get_monotonic_time () - start) / 1e6);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  after_cancel = count_files (root, ".json", NULL);
  g_assert_cmpuint (after_cancel, <, 2000);
  g_clear_object (&sync);
  g_clear_error (&error);

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (root, ".json", NULL), ==, 2000);
  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

/* The pixel size an image's head declares, and what that allows: the
 * downloader cuts off a file larger than its pixels could need. */
static void
test_media_size (void)
{
  g_autoptr(GBytes) png = helper_image_bytes ("png", 0);
  g_autoptr(GBytes) jpeg = helper_image_bytes ("jpeg", 0);
  /* RIFF....WEBP + a chunk header, then each kind's size fields. */
  guint8 vp8x[32] = "RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0";
  guint8 vp8l[32] = "RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f";
  guint8 vp8[32] = "RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a";
  guint32 bits = (1023 - 1) | (768 - 1) << 14;
  guint w = 0, h = 0;

  g_assert_true (mja_media_read_size (g_bytes_get_data (png, NULL), MJA_MEDIA_HEAD_SIZE, &w, &h));
  g_assert_cmpuint (w, ==, 16);
  g_assert_cmpuint (h, ==, 16);
  /* A head cut before the size says nothing. */
  g_assert_false (mja_media_read_size (g_bytes_get_data (png, NULL), 20, &w, &h));
  g_assert_false (mja_media_read_size (g_bytes_get_data (jpeg, NULL), MJA_MEDIA_HEAD_SIZE, &w, &h));

  /* VP8X: 24-bit sizes minus one, 2048 × 1536. */
  vp8x[24] = (2048 - 1) & 0xff;
  vp8x[25] = (2048 - 1) >> 8;
  vp8x[27] = (1536 - 1) & 0xff;
  vp8x[28] = (1536 - 1) >> 8;
  g_assert_true (mja_media_read_size (vp8x, sizeof vp8x, &w, &h));
  g_assert_cmpuint (w, ==, 2048);
  g_assert_cmpuint (h, ==, 1536);
  /* Animated, it may take any number of frames: no bound. */
  vp8x[20] |= 0x02;
  g_assert_false (mja_media_read_size (vp8x, sizeof vp8x, &w, &h));
  vp8x[20] &= ~0x02;
  /* VP8L: 14 bits each, minus one, after the signature byte. */
  vp8l[21] = bits & 0xff;
  vp8l[22] = (bits >> 8) & 0xff;
  vp8l[23] = (bits >> 16) & 0xff;
  vp8l[24] = (bits >> 24) & 0xff;
  g_assert_true (mja_media_read_size (vp8l, sizeof vp8l, &w, &h));
  g_assert_cmpuint (w, ==, 1023);
  g_assert_cmpuint (h, ==, 768);
  /* VP8: after the start code, 14 bits each (the top two are scaling). */
  vp8[26] = 640 & 0xff;
  vp8[27] = (640 >> 8) | 0x40;
  vp8[28] = 480 & 0xff;
  vp8[29] = 480 >> 8;
  g_assert_true (mja_media_read_size (vp8, sizeof vp8, &w, &h));
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 480);
  /* No size at all is no size. */
  vp8[26] = vp8[27] = 0;
  g_assert_false (mja_media_read_size (vp8, sizeof vp8, &w, &h));

  /* Room for any honest image of that size, not for 400 MB of padding. */
  g_assert_cmpuint (mja_media_max_bytes (16, 16), >, 4096 + 1024 * 1024);
  g_assert_cmpuint (mja_media_max_bytes (2048, 2048), >, 2048ull * 2048 * 8);
  g_assert_cmpuint (mja_media_max_bytes (2048, 2048), <, 100ull << 20);

  /* On disk too (verify, repair): a whole 16 × 16 PNG padded with 2 MiB
   * of a chunk of its own before its end is no image to keep. */
  {
    gsize length = 0;
    const guint8 *data = g_bytes_get_data (png, &length);
    gsize padding = 2 * 1024 * 1024;
    g_autofree guint8 *padded = g_malloc0 (length + 12 + padding);
    guint32 size = GUINT32_TO_BE ((guint32) padding);

    g_assert_cmpint (mja_media_check_data (data, length), ==, MJA_MEDIA_WHOLE);
    memcpy (padded, data, length - 12);
    memcpy (padded + length - 12, &size, 4);
    memcpy (padded + length - 8, "zzPd", 4);
    /* (the padding's bytes and its CRC left at zero), then IEND */
    memcpy (padded + length + padding, data + length - 12, 12);
    g_assert_cmpint (mja_media_check_data (padded, length + 12 + padding), ==, MJA_MEDIA_OVERSIZED);
    g_assert_nonnull (mja_media_problem_describe (MJA_MEDIA_OVERSIZED));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/hostile/reader-depth", test_reader_depth);
  g_test_add_func ("/hostile/reader-values", test_reader_values);
  g_test_add_func ("/hostile/reader-strict", test_reader_strict);
  g_test_add_func ("/hostile/job-nul-and-paths", test_job_nul_and_paths);
  g_test_add_func ("/hostile/job-deep-tree", test_job_deep_tree);
  g_test_add_func ("/hostile/deep-page", test_deep_page);
  g_test_add_func ("/hostile/flood-page", test_flood_page);
  g_test_add_func ("/hostile/endless-listing", test_endless_listing);
  g_test_add_func ("/hostile/endless-fresh-listing", test_endless_fresh_listing);
  g_test_add_func ("/hostile/long-cursor", test_long_cursor);
  g_test_add_func ("/hostile/legacy-image-paths", test_legacy_image_paths);
  g_test_add_func ("/hostile/nul-in-id", test_nul_in_id);
  g_test_add_func ("/hostile/media-size", test_media_size);
  g_test_add_func ("/hostile/hostile-files", test_hostile_files);
  g_test_add_func ("/hostile/job-files-behind-images", test_job_files_behind_images);
  g_test_add_func ("/hostile/locked-index", test_locked_index);
  g_test_add_func ("/hostile/cancel-mid-page", test_cancel_mid_page);

  return g_test_run ();
}
