/* test-textwrap.c — .prompt.txt and .json byte for byte as Python writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected files in tests/fixtures/textwrap/ were written by
 * make.py with Python's own textwrap and json (the "python-fixtures"
 * test checks they still are); here our writer must give the same bytes,
 * through mja-archive as a sync writes them.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive.h"
#include "mja-job-writer.h"
#include "mja-textwrap.h"

static char *
fixture_path (const char *name,
              const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "textwrap", file, NULL);
}

static char *
read_fixture (const char *name,
              const char *suffix,
              gsize      *length)
{
  g_autofree char *path = fixture_path (name, suffix);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, length, &error);
  g_assert_no_error (error);
  return data;
}

static GPtrArray *
case_names (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fixtures", "textwrap", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".input.json"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (".input.json")));
  /* Every case of the issue is there. */
  g_assert_cmpuint (names->len, >=, 20);
  return names;
}

static void
assert_same_bytes (const char *name,
                   const char *what,
                   const char *ours,
                   gsize       ours_length,
                   const char *theirs,
                   gsize       theirs_length)
{
  if (ours_length != theirs_length || memcmp (ours, theirs, ours_length) != 0)
    {
      g_test_message ("%s %s:\nours:   %s\npython: %s", name, what, ours, theirs);
      g_test_fail ();
    }
}

static MjaJob *
load_case (const char *name)
{
  g_autofree char *input = read_fixture (name, ".input.json", NULL);
  g_autoptr(GError) error = NULL;
  MjaJob *job = mja_job_new_from_data (input, -1, &error);

  g_assert_no_error (error);
  return job;
}

/* What the formatters give, case by case. */
static void
test_fixtures_formatted (void)
{
  g_autoptr(GPtrArray) names = case_names ();

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr(MjaJob) job = load_case (name);
      g_autofree char *prompt = mja_job_writer_format_prompt (job);
      gsize length = 0, expected_length = 0;
      g_autofree char *json = mja_job_writer_format_json (job, 2, &length);
      g_autofree char *compact = NULL;
      g_autofree char *expected = read_fixture (name, ".prompt.txt", &expected_length);

      assert_same_bytes (name, ".prompt.txt", prompt, strlen (prompt), expected, expected_length);
      g_free (expected);
      expected = read_fixture (name, ".json", &expected_length);
      assert_same_bytes (name, ".json", json, length, expected, expected_length);
      g_free (expected);
      expected = read_fixture (name, ".compact.json", &expected_length);
      compact = mja_job_writer_format_json (job, 0, &length);
      assert_same_bytes (name, ".compact.json", compact, length, expected, expected_length);
    }
}

/* And what lands on disk when a sync writes the job. */
static void
test_fixtures_on_disk (void)
{
  g_autoptr(GPtrArray) names = case_names ();
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("mja-textwrap-XXXXXX", &error);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);

  g_assert_no_error (error);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr(MjaJob) job = load_case (name);
      g_autofree char *json_relative = mja_archive_dup_json_path (job);
      g_autofree char *prompt_relative = mja_archive_dup_prompt_path (job);
      g_autofree char *json_path = g_build_filename (root, json_relative, NULL);
      g_autofree char *prompt_path = g_build_filename (root, prompt_relative, NULL);
      g_autofree char *ours = NULL;
      g_autofree char *theirs = NULL;
      gsize ours_length = 0, theirs_length = 0;
      gboolean written = FALSE;

      g_assert_true (mja_archive_write_job (archive, job, 2, TRUE, &written, &error));
      g_assert_no_error (error);
      g_assert_true (written);
      g_assert_true (g_file_get_contents (json_path, &ours, &ours_length, NULL));
      theirs = read_fixture (name, ".json", &theirs_length);
      assert_same_bytes (name, "written .json", ours, ours_length, theirs, theirs_length);
      g_clear_pointer (&ours, g_free);
      g_clear_pointer (&theirs, g_free);
      g_assert_true (g_file_get_contents (prompt_path, &ours, &ours_length, NULL));
      theirs = read_fixture (name, ".prompt.txt", &theirs_length);
      assert_same_bytes (name, "written .prompt.txt", ours, ours_length, theirs, theirs_length);
      g_clear_pointer (&ours, g_free);
      g_clear_pointer (&theirs, g_free);

      g_assert_true (mja_archive_write_job (archive, job, 0, TRUE, &written, &error));
      g_assert_true (g_file_get_contents (json_path, &ours, &ours_length, NULL));
      theirs = read_fixture (name, ".compact.json", &theirs_length);
      assert_same_bytes (name, "written compact .json", ours, ours_length, theirs, theirs_length);
      g_unlink (json_path);
      g_unlink (prompt_path);
    }
}

/* The rules one by one, for a reader of this file. */
static void
test_fill_rules (void)
{
  g_autofree char *word = g_strnfill (5000, 'w');
  g_autofree char *expected = g_strconcat ("    ", word, NULL);
  struct { const char *in, *out; } cases[] = {
    { "", "" },
    { "   ", "" },
    { "  lead", "      lead" },
    { "a\tb", "    a       b" },
    { "a\r\nb", "    a  b" },
    { "a  b", "    a  b" },
    { "x\u00a0y", "    x\u00a0y" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = mja_textwrap_fill (cases[i].in, 80, "    ", "    ");

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  /* A word longer than a line stays whole, on its own line. */
  {
    g_autofree char *out = mja_textwrap_fill (word, 80, "    ", "    ");
    g_autofree char *two = g_strconcat ("a ", word, " b", NULL);
    g_autofree char *out_two = mja_textwrap_fill (two, 80, "    ", "    ");
    g_autofree char *expected_two = g_strconcat ("    a\n    ", word, "\n    b", NULL);

    g_assert_cmpstr (out, ==, expected);
    g_assert_cmpstr (out_two, ==, expected_two);
  }
  g_assert_true (mja_unichar_is_python_space (0x3000));
  g_assert_false (mja_unichar_is_python_space (0x200b));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/textwrap/fill-rules", test_fill_rules);
  g_test_add_func ("/textwrap/fixtures-formatted", test_fixtures_formatted);
  g_test_add_func ("/textwrap/fixtures-on-disk", test_fixtures_on_disk);
  return g_test_run ();
}
