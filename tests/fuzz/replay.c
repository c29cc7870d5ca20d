/* replay.c — runs a fuzz target over files, without libFuzzer
 *
 * Linked with each target in the normal build, so that the test suite runs
 * every target over its corpus (the seeds and every crash found so far)
 * with gcc, and under AddressSanitizer in the sanitizer build.  With
 * -Dfuzzing=true and clang, libFuzzer's own main() is used instead.
 *
 * Usage: fuzz-NAME FILE|FOLDER…
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mja-fuzz.h"

static guint
replay_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      guint count = 0;

      if (dir == NULL)
        g_error ("%s", error->message);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        count += replay_path (g_ptr_array_index (names, i));
      return count;
    }
  if (!g_file_get_contents (path, &data, &length, &error))
    g_error ("%s", error->message);
  /* A copy of exactly that length, so that reading past it is caught
   * (never NULL, as libFuzzer never passes NULL for an empty input). */
  {
    g_autofree guint8 *copy = g_malloc (MAX (length, 1));

    memcpy (copy, data, length);
    LLVMFuzzerTestOneInput (copy, length);
  }
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  guint count = 0;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE|FOLDER…\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    count += replay_path (argv[i]);
  if (count == 0)
    {
      fprintf (stderr, "%s: no input to replay\n", argv[0]);
      return 1;
    }
  printf ("%s: %u inputs replayed, none crashed\n", argv[0], count);
  return 0;
}
