/* test-repair.c — mja-repair and a sync that heals damaged images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive-verify.h"
#include "mja-media.h"
#include "mja-repair.h"
#include "test-utils.h"

/* Two images on disk: the first cut in half, the second a web page. */
static void
damage_two (MjaArchive  *archive,
            MjaIndex    *index,
            char       **truncated,
            char       **corrupt)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GPtrArray) rows = mja_index_query (index, &everything, NULL);

  *truncated = *corrupt = NULL;
  for (guint i = 0; rows && i < rows->len && *corrupt == NULL; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) images = mja_index_dup_images (index, row->id, NULL);

      for (guint j = 0; images && j < images->len && *corrupt == NULL; j++)
        {
          MjaIndexImage *image = g_ptr_array_index (images, j);
          g_autofree char *path = mja_archive_dup_path (archive, image->path);
          g_autofree char *data = NULL;
          gsize length;

          if (!g_file_get_contents (path, &data, &length, NULL))
            continue;
          if (*truncated == NULL)
            {
              g_assert_true (g_file_set_contents (path, data, (gssize) (length / 2), NULL));
              *truncated = g_steal_pointer (&path);
            }
          else
            {
              g_assert_true (g_file_set_contents (path, "<!DOCTYPE html><p>Just a moment</p>", -1, NULL));
              *corrupt = g_steal_pointer (&path);
            }
        }
    }
  g_assert_nonnull (*corrupt);
}

static guint
count_problems (MjaArchive *archive,
                MjaIndex   *index)
{
  g_autoptr(MjaVerifyReport) report = mja_archive_verify (archive, index, NULL, NULL, NULL);

  g_assert_nonnull (report);
  return report->problems->len;
}

static void
assert_no_leftovers (const char *root)
{
  g_autofree char *listing = helper_archive_listing (root);

  g_assert_null (strstr (listing, ".damaged"));
  g_assert_null (strstr (listing, ".part"));
}

/* The app's sync (repair on): a truncated and a corrupt image come back
 * whole, and verify is clean after. */
static void
test_sync_repairs (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) first = NULL;
  g_autoptr(MjaSync) second = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaRepairPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *truncated = NULL;
  g_autofree char *corrupt = NULL;
  g_autofree char *summary = NULL;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 10;
  fake.eras = MJA_FAKE_ERA_CURRENT;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);
  first = mja_sync_new (root, credentials, &options);
  error = helper_run (first, NULL);
  g_assert_no_error (error);

  archive = mja_archive_new (root);
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_problems (archive, index), ==, 0);
  plan = mja_repair_plan (archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->images->len, ==, 0);
  g_assert_cmpuint (plan->checked, ==, mja_fake_server_get_n_images (server, "grid,upscale"));
  g_clear_pointer (&plan, mja_repair_plan_free);

  damage_two (archive, index, &truncated, &corrupt);
  g_assert_cmpint (mja_media_check_file (truncated), !=, MJA_MEDIA_WHOLE);
  g_assert_cmpuint (count_problems (archive, index), ==, 2);
  plan = mja_repair_plan (archive, index, NULL, NULL, &error);
  g_assert_cmpuint (plan->images->len, ==, 2);
  g_assert_cmpuint (plan->damaged, ==, 2);
  g_clear_object (&index);

  options.repair = TRUE;
  second = mja_sync_new (root, credentials, &options);
  error = helper_run (second, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_images_repaired (second), ==, 2);
  summary = mja_sync_dup_summary (second);
  g_assert_nonnull (strstr (summary, "2 damaged or missing images were repaired"));

  g_assert_cmpint (mja_media_check_file (truncated), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_file (corrupt), ==, MJA_MEDIA_WHOLE);
  index = mja_index_open_archive (archive, &error);
  g_assert_cmpuint (count_problems (archive, index), ==, 0);
  assert_no_leftovers (root);

  /* A repair killed between setting aside and the new file: the next plan
   * puts the whole file back and does not fetch it again. */
  {
    g_autofree char *damaged = mja_repair_dup_damaged_path (truncated);

    g_assert_cmpint (g_rename (truncated, damaged), ==, 0);
    g_clear_pointer (&plan, mja_repair_plan_free);
    plan = mja_repair_plan (archive, index, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (plan->images->len, ==, 0);
    g_assert_cmpint (mja_media_check_file (truncated), ==, MJA_MEDIA_WHOLE);
    assert_no_leftovers (root);
  }

  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

/* Set aside, put back, discarded. */
static void
test_leftover_put_back (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = helper_image_bytes ("png", 0);
  g_autofree char *path = g_build_filename (root, "image.png", NULL);
  g_autofree char *damaged = mja_repair_dup_damaged_path (path);

  /* Set aside, then restored when nothing replaced it. */
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  g_assert_true (mja_repair_set_aside (path, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (damaged, G_FILE_TEST_EXISTS));
  mja_repair_restore (path);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (damaged, G_FILE_TEST_EXISTS));
  /* Discarded once a new one is there. */
  g_assert_true (mja_repair_set_aside (path, &error));
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png), NULL));
  mja_repair_discard (path);
  g_assert_false (g_file_test (damaged, G_FILE_TEST_EXISTS));
  g_unlink (path);
  helper_remove_tree (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/repair/sync", test_sync_repairs);
  g_test_add_func ("/repair/leftover-put-back", test_leftover_put_back);
  return g_test_run ();
}
