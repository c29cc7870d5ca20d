/* test-archive.c — the on-disk layout, compatible with the original scripts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive.h"

static const char *original_jobs[] = {
  "2022/2022-09/2022-09-07/20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c",
  "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
};

static MjaJob *
load (const char *relative_json,
      char      **prompt_text)
{
  g_autofree char *json = g_test_build_filename (G_TEST_DIST, "fixtures", "original-archive", relative_json, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  MjaJob *job;

  g_assert_true (g_file_get_contents (json, &data, NULL, NULL));
  job = mja_job_new_from_data (data, -1, &error);
  g_assert_no_error (error);
  if (prompt_text)
    {
      g_autofree char *prompt_path = g_strdup (json);
      prompt_path[strlen (prompt_path) - strlen (".json")] = '\0';
      g_free (g_steal_pointer (&data));
      {
        g_autofree char *full = g_strconcat (prompt_path, ".prompt.txt", NULL);
        g_assert_true (g_file_get_contents (full, prompt_text, NULL, NULL));
      }
    }
  return job;
}

/* The original scripts' textwrap output, byte for byte. */
static void
test_prompt_text_matches_original (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (original_jobs); i++)
    {
      g_autofree char *relative = g_strconcat (original_jobs[i], ".json", NULL);
      g_autofree char *expected = NULL;
      g_autoptr(MjaJob) job = load (relative, &expected);
      g_autofree char *text = mja_archive_format_prompt_text (job);
      g_autofree char *json_path = mja_archive_dup_json_path (job);

      g_assert_cmpstr (text, ==, expected);
      /* And our names are theirs. */
      g_assert_cmpstr (json_path, ==, relative);
    }
}

static void
test_image_names (void)
{
  g_autofree char *relative = g_strconcat (original_jobs[1], ".json", NULL);
  g_autoptr(MjaJob) grid = load (relative, NULL);
  g_autofree char *one = mja_archive_dup_image_path (grid, 0, 1, "png");
  g_autofree char *third = mja_archive_dup_image_path (grid, 2, 4, "webp");
  g_autoptr(GPtrArray) planned = mja_archive_plan_images (grid, NULL, "png");
  MjaPlannedImage *last;

  g_assert_cmpstr (one, ==, "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.png");
  g_assert_cmpstr (third, ==, "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-3.webp");
  g_assert_cmpuint (planned->len, ==, 4);
  last = g_ptr_array_index (planned, 3);
  g_assert_cmpstr (last->url, ==, "https://mj-gallery.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/grid_3.png");
  g_assert_cmpstr (last->path, ==, "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-4.png");
}

static void
test_parse_json_name (void)
{
  g_autofree char *id = NULL;

  g_assert_true (mja_archive_parse_json_name ("20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.json", &id));
  g_assert_cmpstr (id, ==, "8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c");
  g_assert_false (mja_archive_parse_json_name ("20220907-065802_8b4c.prompt.txt", NULL));
  g_assert_false (mja_archive_parse_json_name ("2022090-065802_8b4c.json", NULL));
  g_assert_false (mja_archive_parse_json_name ("20220907-065802_../x.json", NULL));
  g_assert_false (mja_archive_parse_json_name ("notes.json", NULL));
}

static void
test_write_job (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("mja-archive-XXXXXX", &error);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autofree char *relative = g_strconcat (original_jobs[0], ".json", NULL);
  g_autoptr(MjaJob) job = load (relative, NULL);
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_autoptr(GDir) listing = NULL;
  gboolean written;
  guint files = 0;
  const char *name;

  g_assert_no_error (error);
  g_assert_true (mja_archive_write_job (archive, job, 2, FALSE, &written, &error));
  g_assert_no_error (error);
  g_assert_true (written);
  g_assert_true (mja_archive_has_job (archive, job));
  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_true (g_str_has_prefix (data, "{\n  \"id\": \"8b4c5b8c"));

  /* Kept unless asked to overwrite. */
  g_assert_true (mja_archive_write_job (archive, job, 0, FALSE, &written, &error));
  g_assert_false (written);
  g_assert_true (mja_archive_write_job (archive, job, 0, TRUE, &written, &error));
  g_assert_true (written);
  g_free (data);
  g_assert_true (g_file_get_contents (path, &data, NULL, NULL));
  g_assert_true (g_str_has_prefix (data, "{\"id\": \"8b4c5b8c"));

  /* No temporary files left beside them. */
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_assert_true (g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".prompt.txt"));
      files++;
    }
  g_assert_cmpuint (files, ==, 2);

  g_unlink (path);
  {
    g_autofree char *stem = g_strndup (path, strlen (path) - 5);
    g_autofree char *prompt = g_strconcat (stem, ".prompt.txt", NULL);
    g_unlink (prompt);
  }
  g_rmdir (dir);
}

/* A process killed in the middle of a write leaves NAME.part: the scan
 * reports it, so that the next sync removes it and verify names it; other
 * files are the user's and left alone. */
static void
test_scan_finds_unfinished_writes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("mja-archive-XXXXXX", &error);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaArchiveScan) scan = NULL;
  const char *day = "2022/2022-09/2022-09-07";
  const char *names[] = {
    "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.json",          /* a job */
    "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.json.part",     /* unfinished */
    "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.prompt.txt.part", /* unfinished */
    "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c_0.png.part",    /* unfinished */
    "notes.txt.Ab12Cd",                                                    /* not ours */
    "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c.json.backup",   /* not ours */
  };
  g_autofree char *dir = g_build_filename (root, day, NULL);

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_assert_true (g_file_set_contents (path, "{}", -1, NULL));
    }
  scan = mja_archive_scan (archive, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (scan->json_files->len, ==, 1);
  g_assert_cmpuint (scan->part_files->len, ==, 3);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *relative = g_build_filename (day, names[i], NULL);
      g_assert_true (g_ptr_array_find_with_equal_func (scan->part_files, relative, g_str_equal, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/archive/prompt-text-matches-original", test_prompt_text_matches_original);
  g_test_add_func ("/archive/image-names", test_image_names);
  g_test_add_func ("/archive/parse-json-name", test_parse_json_name);
  g_test_add_func ("/archive/write-job", test_write_job);
  g_test_add_func ("/archive/scan-finds-unfinished-writes", test_scan_finds_unfinished_writes);

  return g_test_run ();
}
