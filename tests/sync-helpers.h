/* sync-helpers.h — run syncs against the fake server in tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>

#include "mja-archive.h"
#include "mja-fake-server.h"
#include "mja-index.h"
#include "mja-sync.h"

static inline MjaFakeServer *
helper_start_server (MjaFakeServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  MjaFakeServer *server = mja_fake_server_new (options);

  g_assert_true (mja_fake_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

static inline void
helper_sync_options (MjaSyncOptions *options,
                     MjaFakeServer  *server)
{
  mja_sync_options_init (options);
  options->api_base_url = g_strdup (mja_fake_server_get_api_url (server));
  options->cdn_base_url = g_strdup (mja_fake_server_get_cdn_url (server));
  options->auth_base_url = g_strdup (mja_fake_server_get_auth_url (server));
  options->request_interval_ms = 0;
  options->retry_base_ms = 20;
  options->page_size = 25;
}

static inline MjaCredentials *
helper_current_credentials (MjaFakeServer *server)
{
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(GError) error = NULL;
  MjaCredentials *credentials = mja_credentials_parse (cookie, NULL, &error);

  g_assert_no_error (error);
  return credentials;
}

static inline MjaCredentials *
helper_legacy_credentials (MjaFakeServer *server)
{
  g_autoptr(GError) error = NULL;
  MjaCredentials *credentials = mja_credentials_new_legacy (mja_fake_server_get_session_token (server),
                                                            mja_fake_server_get_user_id (server), &error);
  g_assert_no_error (error);
  return credentials;
}

typedef struct
{
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} SyncRun;

static inline void
helper_sync_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SyncRun *run = user_data;

  run->ok = mja_sync_run_finish (MJA_SYNC (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

/* Runs @sync to its end; returns its error, if any. */
static inline GError *
helper_run (MjaSync      *sync,
            GCancellable *cancellable)
{
  SyncRun run = { g_main_loop_new (NULL, FALSE), FALSE, NULL };

  mja_sync_run_async (sync, cancellable, helper_sync_done_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  g_assert_true (run.ok == (run.error == NULL));
  return run.error;
}

static inline char *
helper_make_archive_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("mja-test-archive-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline int
helper_compare_names (gconstpointer a,
                      gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static inline void
helper_collect_files (const char *root,
                      const char *relative,
                      GString    *listing)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, helper_compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *child_name = names->pdata[i];
      g_autofree char *child = *relative ? g_build_filename (relative, child_name, NULL) : g_strdup (child_name);
      g_autofree char *child_path = g_build_filename (root, child, NULL);

      if (g_str_equal (child_name, MJA_ARCHIVE_STATE_DIR))
        continue;
      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        helper_collect_files (root, child, listing);
      else
        {
          g_autofree char *contents = NULL;
          gsize length = 0;
          g_autofree char *sum = NULL;

          g_assert_true (g_file_get_contents (child_path, &contents, &length, NULL));
          sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
          g_string_append_printf (listing, "%s %" G_GSIZE_FORMAT " %s\n", child, length, sum);
        }
    }
}

/* Every file of the archive (but the state folder) with size and hash. */
static inline char *
helper_archive_listing (const char *root)
{
  GString *listing = g_string_new (NULL);

  helper_collect_files (root, "", listing);
  return g_string_free (listing, FALSE);
}

static inline void
helper_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        helper_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* @n jobs in @index alone (no files), one a minute on 2024-01-01, every
 * third an upscale, the others diffusions, job i's prompt "prompt of job i"
 * and its id "0000000i-0000-4000-8000-00000000000i" (i in hexadecimal,
 * then in decimal). */
static inline void
helper_index_numbered_jobs (MjaIndex *index,
                            guint     n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mja_index_begin (index, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\": \"%08x-0000-4000-8000-%012u\", \"type\": \"%s\", "
                                               "\"enqueue_time\": \"2024-01-01 %02u:%02u:00\", "
                                               "\"prompt\": \"prompt of job %u\", \"image_paths\": []}",
                                               i, i, i % 3 ? "diffusion" : "upscale", i / 60 % 24, i % 60, i);
      g_autoptr(MjaJob) job = mja_job_new_from_data (json, -1, &error);
      g_autofree char *json_path = NULL;

      g_assert_no_error (error);
      json_path = mja_archive_dup_json_path (job);
      g_assert_true (mja_index_add_job (index, job, json_path, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (mja_index_commit (index, &error));
}
