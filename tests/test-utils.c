/* test-utils.c — what the test suites share: servers, archives, waiting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the plumbing a suite needs before it can say anything about its
 * room: the fake Midjourney started and the sync pointed at it, temporary
 * archives made, listed and removed, the main loop run until something a
 * user would see has happened, a plain SoupServer for tests that must
 * shape answers byte by byte, libsecret's file keyring.  It must never
 * assert anything about a room itself; that is the suites' job.  The
 * functions keep the names the header of inline helpers they replace gave
 * them, so that test cases written against it still build.
 */
#define G_LOG_DOMAIN "mja-test-utils"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "test-utils.h"

/* ---- the fake Midjourney -------------------------------------------- */

MjaFakeServer *
helper_start_server (MjaFakeServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  MjaFakeServer *server = mja_fake_server_new (options);

  g_assert_true (mja_fake_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

void
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

MjaCredentials *
helper_current_credentials (MjaFakeServer *server)
{
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(GError) error = NULL;
  MjaCredentials *credentials = mja_credentials_parse (cookie, NULL, &error);

  g_assert_no_error (error);
  return credentials;
}

MjaCredentials *
helper_legacy_credentials (MjaFakeServer *server)
{
  g_autoptr(GError) error = NULL;
  MjaCredentials *credentials = mja_credentials_new_legacy (mja_fake_server_get_session_token (server),
                                                            mja_fake_server_get_user_id (server), &error);
  g_assert_no_error (error);
  return credentials;
}

GError *
helper_run (MjaSync      *sync,
            GCancellable *cancellable)
{
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  gboolean ok;

  mja_sync_run_async (sync, cancellable, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  ok = mja_sync_run_finish (sync, result, &error);
  g_assert_true (ok == (error == NULL));
  return error;
}

/* ---- archives and files --------------------------------------------- */

char *
helper_make_archive_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("mja-test-archive-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void
collect_files (const char *root,
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
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *child_name = names->pdata[i];
      g_autofree char *child = *relative ? g_build_filename (relative, child_name, NULL) : g_strdup (child_name);
      g_autofree char *child_path = g_build_filename (root, child, NULL);

      if (g_str_equal (child_name, MJA_ARCHIVE_STATE_DIR))
        continue;
      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        collect_files (root, child, listing);
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
char *
helper_archive_listing (const char *root)
{
  GString *listing = g_string_new (NULL);

  collect_files (root, "", listing);
  return g_string_free (listing, FALSE);
}

void
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

/* One job, from its JSON, into @index (inside a transaction). */
void
helper_index_job (MjaIndex   *index,
                  const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaJob) job = mja_job_new_from_data (json, -1, &error);
  g_autofree char *json_path = NULL;

  g_assert_no_error (error);
  json_path = mja_archive_dup_json_path (job);
  g_assert_true (mja_index_add_job (index, job, json_path, NULL, &error));
  g_assert_no_error (error);
}

/* @n jobs in @index alone (no files), one a minute on 2024-01-01, every
 * third an upscale, the others diffusions, job i's prompt "prompt of job i"
 * and its id "0000000i-0000-4000-8000-00000000000i" (i in hexadecimal,
 * then in decimal). */
void
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
      helper_index_job (index, json);
    }
  g_assert_true (mja_index_commit (index, &error));
}

/* A complete, valid image file in @format ("png" or "jpeg") of at least
 * @min_size bytes: a PNG grows by a text chunk, which every reader skips. */
GBytes *
helper_image_bytes (const char *format,
                    gsize       min_size)
{
  /* Enough pixels for its size to be honest: the downloader refuses a
   * file far larger than its pixels could need (mja_media_max_bytes). */
  int side = 16;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *padding = NULL;
  gchar *data = NULL;
  gsize size = 0;

  while ((guint64) side * side * 4 < min_size)
    side += 16;
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, side, side);

  gdk_pixbuf_fill (pixbuf, 0x3366ccff);
  if (g_str_equal (format, "png") && min_size > 0)
    {
      padding = g_malloc (min_size + 1);
      memset (padding, 'x', min_size);
      padding[min_size] = '\0';
      g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &data, &size, "png", &error, "tEXt::Comment", padding,
                                                "compression", "0", NULL));
    }
  else
    g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &data, &size, format, &error, NULL));
  g_assert_no_error (error);
  g_assert_cmpuint (size, >=, min_size);
  return g_bytes_new_take (data, size);
}

/* ---- waiting on the main loop ---------------------------------------- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds; fails the test after
 * @seconds, naming @what it waited for. */
void
helper_wait_until (HelperCondition  condition,
                   gpointer         data,
                   guint            seconds,
                   const char      *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Gave up after %u s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
time_is_up (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

/* Runs the main loop for @milliseconds, whatever happens meanwhile. */
void
helper_wait_ms (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  helper_wait_until (time_is_up, &end, milliseconds / 1000 + 10, "time to pass");
}

void
helper_async_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  HelperAsync *async = user_data;

  g_assert_null (async->result);
  async->result = g_object_ref (result);
  g_main_loop_quit (async->loop);
}

/* Runs the main loop until the operation given helper_async_done_cb and
 * @async ends; returns (transfer full) its result. */
GAsyncResult *
helper_async_wait (HelperAsync *async)
{
  g_assert_nonnull (async->loop);
  if (async->result == NULL)
    g_main_loop_run (async->loop);
  g_clear_pointer (&async->loop, g_main_loop_unref);
  return g_steal_pointer (&async->result);
}

/* ---- a server of the test's own -------------------------------------- */

/* A SoupServer on loopback in the thread-default context, without
 * handlers; *@base_url gets its address without a trailing slash. */
SoupServer *
helper_local_server_new (char **base_url)
{
  SoupServer *server = soup_server_new ("server-header", "mja-test-server ", NULL);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *url;

  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  *base_url = url;
  return server;
}

/* ---- the keyring ------------------------------------------------------ */

/* libsecret's file backend in @dir, so that storing a session touches no
 * keyring of the person running the tests.  Call before libsecret is used. */
void
helper_use_file_keyring (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "keyring", NULL);

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", path, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);
}
