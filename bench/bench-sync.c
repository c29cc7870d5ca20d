/* bench-sync.c — sync N images from the fake server with latency per
 * request, at concurrency 1 and at the default, against the floor
 * images × latency ÷ concurrency.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>

#include "mja-fake-server.h"
#include "mja-sync.h"

typedef struct
{
  GMainLoop *loop;
  GError    *error;
} Run;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Run *run = data;

  mja_sync_run_finish (MJA_SYNC (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static double
sync_once (MjaFakeServer *server,
           guint          concurrency,
           guint         *images)
{
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (cookie, NULL, NULL);
  g_autofree char *root = g_dir_make_tmp ("mja-bench-XXXXXX", NULL);
  g_autoptr(MjaSync) sync = NULL;
  MjaSyncOptions options;
  Run run = { g_main_loop_new (NULL, FALSE), NULL };
  gint64 start;
  double seconds;

  mja_sync_options_init (&options);
  options.api_base_url = g_strdup (mja_fake_server_get_api_url (server));
  options.cdn_base_url = g_strdup (mja_fake_server_get_cdn_url (server));
  options.auth_base_url = g_strdup (mja_fake_server_get_auth_url (server));
  options.concurrency = concurrency;
  sync = mja_sync_new (root, credentials, &options);

  start = g_get_monotonic_time ();
  mja_sync_run_async (sync, NULL, done_cb, &run);
  g_main_loop_run (run.loop);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  if (run.error != NULL)
    g_error ("sync failed: %s", run.error->message);
  *images = mja_sync_get_images_done (sync);
  g_main_loop_unref (run.loop);
  mja_sync_options_clear (&options);
  remove_tree (root);
  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  int want_images = 2000, latency = 30, default_concurrency = 6;
  gboolean only_default = FALSE;
  GOptionEntry entries[] = {
    { "images", 'n', 0, G_OPTION_ARG_INT, &want_images, "Images to sync (default 2000)", "N" },
    { "latency", 'l', 0, G_OPTION_ARG_INT, &latency, "Milliseconds of latency per request (default 30)", "MS" },
    { "concurrency", 'j', 0, G_OPTION_ARG_INT, &default_concurrency, "The concurrency compared with 1 (default 6)", "N" },
    { "only-default", 0, 0, G_OPTION_ARG_NONE, &only_default, "Skip the run at concurrency 1", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaFakeServer) server = NULL;
  g_auto(GStrv) ids = NULL;
  MjaFakeServerOptions fake;
  guint n_jobs, images_1, images_default;
  double t1, t_default, floor_1, floor_default;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* As many jobs as it takes for the grids and upscales to hold N images. */
  mja_fake_server_options_init (&fake);
  fake.latency_ms = latency;
  fake.image_kib = 24;
  fake.image_pixels = 64;
  for (n_jobs = want_images / 3; ; n_jobs += 5)
    {
      fake.n_jobs = n_jobs;
      g_clear_object (&server);
      server = mja_fake_server_new (&fake);
      if (mja_fake_server_get_n_images (server, "grid,upscale") >= (guint) want_images)
        break;
    }
  if (!mja_fake_server_start (server, &error))
    g_error ("%s", error->message);

  /* Draw every image before timing: the fake's drawing is not the client's cost. */
  ids = mja_fake_server_dup_job_ids (server);
  for (guint i = 0; ids[i] != NULL; i++)
    for (guint j = 0; j < 4; j++)
      {
        g_autoptr(GBytes) drawn = mja_fake_server_dup_image (server, ids[i], j, "png");
      }

  g_print ("Sync benchmark: %u jobs, %u images, %d ms latency per request\n", n_jobs,
           mja_fake_server_get_n_images (server, "grid,upscale"), latency);
  t_default = sync_once (server, default_concurrency, &images_default);
  if (only_default)
    {
      floor_default = images_default * latency / 1000.0 / default_concurrency;
      g_print ("concurrency %d:  %6.2f s  (floor %6.2f s, %.2f× the floor)\n", default_concurrency, t_default,
               floor_default, t_default / floor_default);
      return 0;
    }
  t1 = sync_once (server, 1, &images_1);
  floor_1 = images_1 * latency / 1000.0;
  floor_default = images_default * latency / 1000.0 / default_concurrency;

  g_print ("concurrency 1:  %6.2f s  (floor %6.2f s, %.2f× the floor)\n", t1, floor_1, t1 / floor_1);
  g_print ("concurrency %d:  %6.2f s  (floor %6.2f s, %.2f× the floor; target ≤ 1.5×)\n", default_concurrency,
           t_default, floor_default, t_default / floor_default);
  g_print ("speed-up of the default over concurrency 1: %.2f× (target ≥ 6×)\n", t1 / t_default);
  return 0;
}
