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

/* The images on disk (MjaIndexImage*), in the index's order. */
static GPtrArray *
images_on_disk (MjaArchive *archive,
                MjaIndex   *index)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GPtrArray) rows = mja_index_query (index, &everything, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) mja_index_image_free);

  for (guint i = 0; rows && i < rows->len; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) images = mja_index_dup_images (index, row->id, NULL);

      while (images && images->len > 0)
        {
          MjaIndexImage *image = g_ptr_array_steal_index (images, 0);
          g_autofree char *path = mja_archive_dup_path (archive, image->path);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (found, image);
          else
            mja_index_image_free (image);
        }
    }
  return found;
}

/* The absolute path of the @n-th image on disk. */
static char *
image_path (MjaArchive *archive,
            GPtrArray  *images,
            guint       n)
{
  g_assert_cmpuint (n, <, images->len);
  return mja_archive_dup_path (archive, ((MjaIndexImage *) g_ptr_array_index (images, n))->path);
}

/* Two images on disk: the first cut in half, the second a web page. */
static void
damage_two (MjaArchive  *archive,
            MjaIndex    *index,
            char       **truncated,
            char       **corrupt)
{
  g_autoptr(GPtrArray) images = images_on_disk (archive, index);
  g_autofree char *data = NULL;
  gsize length;

  *truncated = image_path (archive, images, 0);
  *corrupt = image_path (archive, images, 1);
  g_assert_true (g_file_get_contents (*truncated, &data, &length, NULL));
  g_assert_true (g_file_set_contents (*truncated, data, (gssize) (length / 2), NULL));
  g_assert_true (g_file_set_contents (*corrupt, "<!DOCTYPE html><p>Just a moment</p>", -1, NULL));
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

/* A fake of current-era jobs, synced once into a new archive. */
typedef struct
{
  MjaFakeServer  *server;
  MjaCredentials *credentials;
  MjaSyncOptions  options;
  char           *root;
  MjaArchive     *archive;
} Synced;

static void
synced_init (Synced *s,
             guint   n_jobs)
{
  MjaFakeServerOptions fake;
  g_autoptr(MjaSync) first = NULL;
  g_autoptr(GError) error = NULL;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = n_jobs;
  fake.eras = MJA_FAKE_ERA_CURRENT;
  s->server = helper_start_server (&fake);
  s->credentials = helper_current_credentials (s->server);
  helper_sync_options (&s->options, s->server);
  s->root = helper_make_archive_dir ();
  first = mja_sync_new (s->root, s->credentials, &s->options);
  error = helper_run (first, NULL);
  g_assert_no_error (error);
  s->archive = mja_archive_new (s->root);
}

/* Another sync of the same fake, repairing or not. */
static MjaSync *
synced_again (Synced   *s,
              gboolean  repair)
{
  MjaSync *sync;
  g_autoptr(GError) error = NULL;

  s->options.repair = repair;
  sync = mja_sync_new (s->root, s->credentials, &s->options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  return sync;
}

static MjaIndex *
synced_index (Synced *s)
{
  g_autoptr(GError) error = NULL;
  MjaIndex *index = mja_index_open_archive (s->archive, &error);

  g_assert_no_error (error);
  return index;
}

static void
synced_clear (Synced *s)
{
  helper_remove_tree (s->root);
  g_free (s->root);
  g_object_unref (s->archive);
  mja_sync_options_clear (&s->options);
  g_object_unref (s->credentials);
  g_object_unref (s->server);
}

/* The app's sync (repair on): a truncated and a corrupt image come back
 * whole, and verify is clean after. */
static void
test_sync_repairs (void)
{
  Synced s = { 0 };
  g_autoptr(MjaSync) second = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaRepairPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *corrupt = NULL;
  g_autofree char *summary = NULL;

  synced_init (&s, 10);
  index = synced_index (&s);
  g_assert_cmpuint (count_problems (s.archive, index), ==, 0);
  plan = mja_repair_plan (s.archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->images->len, ==, 0);
  g_assert_cmpuint (plan->checked, ==, mja_fake_server_get_n_images (s.server, "grid,upscale"));
  g_clear_pointer (&plan, mja_repair_plan_free);

  damage_two (s.archive, index, &truncated, &corrupt);
  g_assert_cmpint (mja_media_check_file (truncated), !=, MJA_MEDIA_WHOLE);
  g_assert_cmpuint (count_problems (s.archive, index), ==, 2);
  plan = mja_repair_plan (s.archive, index, NULL, NULL, &error);
  g_assert_cmpuint (plan->images->len, ==, 2);
  g_assert_cmpuint (plan->damaged, ==, 2);
  g_clear_object (&index);

  second = synced_again (&s, TRUE);
  g_assert_cmpuint (mja_sync_get_images_repaired (second), ==, 2);
  summary = mja_sync_dup_summary (second);
  g_assert_nonnull (strstr (summary, "2 damaged or missing images were repaired"));

  g_assert_cmpint (mja_media_check_file (truncated), ==, MJA_MEDIA_WHOLE);
  g_assert_cmpint (mja_media_check_file (corrupt), ==, MJA_MEDIA_WHOLE);
  index = synced_index (&s);
  g_assert_cmpuint (count_problems (s.archive, index), ==, 0);
  assert_no_leftovers (s.root);

  /* A repair killed between setting aside and the new file: the next plan
   * puts the whole file back and does not fetch it again. */
  {
    g_autofree char *damaged = mja_repair_dup_damaged_path (truncated);

    g_assert_cmpint (g_rename (truncated, damaged), ==, 0);
    g_clear_pointer (&plan, mja_repair_plan_free);
    plan = mja_repair_plan (s.archive, index, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (plan->images->len, ==, 0);
    g_assert_cmpint (mja_media_check_file (truncated), ==, MJA_MEDIA_WHOLE);
    assert_no_leftovers (s.root);
  }

  g_clear_object (&index);
  synced_clear (&s);
}

/* The paths of @report's problems of @kind, in its order, joined by "\n". */
static char *
problem_paths (MjaVerifyReport *report,
               MjaVerifyKind    kind)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  for (guint i = 0; i < report->problems->len; i++)
    {
      MjaVerifyProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->kind == kind)
        g_ptr_array_add (paths, problem->path);
    }
  g_ptr_array_add (paths, NULL);
  return g_strjoinv ("\n", (char **) paths->pdata);
}

/* What a killed repair leaves: NAME.damaged instead of NAME (killed
 * before the new file came), or beside a whole NAME (killed after it got
 * its name).  Verify reports both; the next download of NAME, repair or
 * not, drops the first; the next repair's plan drops the second. */
static void
test_leftover_stray (void)
{
  Synced s = { 0 };
  g_autoptr(MjaSync) second = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaVerifyReport) report = NULL;
  g_autoptr(MjaRepairPlan) plan = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *instead = NULL, *instead_damaged = NULL;
  g_autofree char *beside = NULL, *beside_damaged = NULL;
  g_autofree char *expected = NULL, *found = NULL;
  g_autofree char *data = NULL;
  gsize length;
  MjaIndexImage *image;

  synced_init (&s, 6);
  index = synced_index (&s);
  images = images_on_disk (s.archive, index);
  instead = image_path (s.archive, images, 0);
  instead_damaged = mja_repair_dup_damaged_path (instead);
  beside = image_path (s.archive, images, 1);
  beside_damaged = mja_repair_dup_damaged_path (beside);
  /* Killed before the new file came; the index was told it is missing
   * (as a reindex would), so a plain sync downloads it again. */
  g_assert_true (g_file_get_contents (instead, &data, &length, NULL));
  g_assert_true (g_file_set_contents (instead_damaged, data, (gssize) (length / 2), NULL));
  g_assert_cmpint (g_unlink (instead), ==, 0);
  image = g_ptr_array_index (images, 0);
  g_assert_true (mja_index_set_image (index, image->job_id, image->index, MJA_IMAGE_MISSING, 0, &error));
  /* Killed after the new file got its name. */
  g_assert_true (g_file_set_contents (beside_damaged, data, (gssize) (length / 2), NULL));

  report = mja_archive_verify (s.archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  /* In name order, as verify lists what it finds. */
  found = problem_paths (report, MJA_VERIFY_UNFINISHED);
  expected = strcmp (instead_damaged, beside_damaged) < 0 ? g_strjoin ("\n", instead_damaged, beside_damaged, NULL)
                                                          : g_strjoin ("\n", beside_damaged, instead_damaged, NULL);
  g_assert_cmpstr (found, ==, expected);
  g_clear_pointer (&found, g_free);
  g_clear_pointer (&report, mja_verify_report_free);
  g_clear_object (&index);

  /* A sync that does not repair downloads the missing one: its leftover goes. */
  second = synced_again (&s, FALSE);
  g_assert_cmpuint (mja_sync_get_images_done (second), ==, 1);
  g_assert_cmpint (mja_media_check_file (instead), ==, MJA_MEDIA_WHOLE);
  g_assert_false (g_file_test (instead_damaged, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (beside_damaged, G_FILE_TEST_EXISTS));

  index = synced_index (&s);
  report = mja_archive_verify (s.archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->problems->len, ==, 1);
  found = problem_paths (report, MJA_VERIFY_UNFINISHED);
  g_assert_cmpstr (found, ==, beside_damaged);

  /* The repair's plan drops the one beside a whole image, fetching nothing. */
  plan = mja_repair_plan (s.archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->images->len, ==, 0);
  g_assert_cmpint (mja_media_check_file (beside), ==, MJA_MEDIA_WHOLE);
  assert_no_leftovers (s.root);
  g_assert_cmpuint (count_problems (s.archive, index), ==, 0);

  g_clear_object (&index);
  synced_clear (&s);
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
  g_test_add_func ("/repair/leftover-stray", test_leftover_stray);
  return g_test_run ();
}
