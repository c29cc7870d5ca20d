/* bench-index.c — a cold reindex of a large archive, against walking and
 * parsing the same JSON files as the original scripts did
 *
 *   bench-index [--jobs 100000] [--archive DIR]
 *
 * The archive is generated once (bench/mja-bench-archive.c) and kept for
 * later runs.  In one run, after one walk that warms the page cache:
 *   - walk + parse in C: every job's JSON read and parsed with json-glib;
 *   - walk + parse in Python: os.walk and json.load, the original
 *     downloader's way;
 *   - reindex: the index deleted, then rebuilt from the files alone
 *     (what `mj-archiver-cli reindex` does): every JSON parsed and checked,
 *     every image looked up on disk, everything written to SQLite.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sys/resource.h>

#include "mja-archive.h"
#include "mja-bench-archive.h"
#include "mja-index.h"

static guint
walk_and_parse (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (listing && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (name[0] == '.')
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        count += walk_and_parse (path);
      else if (g_str_has_suffix (name, ".json"))
        {
          g_autoptr(JsonParser) parser = json_parser_new_immutable ();
          g_autofree char *data = NULL;
          gsize length;

          if (g_file_get_contents (path, &data, &length, NULL) &&
              json_parser_load_from_data (parser, data, (gssize) length, NULL))
            count++;
        }
    }
  return count;
}

static const char python_walk[] =
  "import json, os, sys\n"
  "n = 0\n"
  "for folder, dirs, files in os.walk(sys.argv[1]):\n"
  "    dirs[:] = [d for d in dirs if not d.startswith('.')]\n"
  "    for name in files:\n"
  "        if name.endswith('.json'):\n"
  "            with open(os.path.join(folder, name), encoding='utf-8') as f:\n"
  "                json.load(f)\n"
  "            n += 1\n"
  "print(n)\n";

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *marker = NULL;
  int jobs = 100000;
  gboolean skip_python = FALSE;
  GOptionEntry entries[] = {
    { "jobs", 'n', 0, G_OPTION_ARG_INT, &jobs, "Jobs in the archive (default 100000)", "N" },
    { "archive", 'a', 0, G_OPTION_ARG_FILENAME, &root, "Where the archive is, or is generated", "DIR" },
    { "no-python", 0, 0, G_OPTION_ARG_NONE, &skip_python, "Skip the Python walk", NULL },
    { NULL }
  };
  guint parsed_c, images = 0;
  double t_c, t_python = 0, t_reindex;
  g_autofree char *python_out = NULL;
  struct rusage usage;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || jobs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--jobs takes 1 or more");
      return 2;
    }
  if (root == NULL)
    root = g_strdup_printf ("%s/mja-bench-archive-%d", g_get_tmp_dir (), jobs);
  marker = g_build_filename (root, ".bench-pool", "complete", NULL);
  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      MjaBenchArchiveOptions options;
      gint64 start = g_get_monotonic_time ();

      mja_bench_archive_options_init (&options);
      options.n_jobs = (guint) jobs;
      g_print ("Generating %d jobs in %s…\n", jobs, root);
      if (!mja_bench_archive_generate (root, &options, &images, &error) ||
          !g_file_set_contents (marker, "", 0, &error))
        g_error ("%s", error->message);
      g_print ("  %u images, %.1f s\n", images, seconds_since (start));
    }

  walk_and_parse (root);  /* warms the page cache for all three */

  {
    gint64 start = g_get_monotonic_time ();
    parsed_c = walk_and_parse (root);
    t_c = seconds_since (start);
  }
  if (!skip_python)
    {
      const char *python_argv[] = { "/usr/bin/python3", "-c", python_walk, root, NULL };
      gint64 start = g_get_monotonic_time ();
      int status;

      if (!g_spawn_sync (NULL, (char **) python_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &python_out, NULL,
                         &status, &error) || !g_spawn_check_wait_status (status, &error))
        g_error ("python3: %s", error->message);
      t_python = seconds_since (start);
    }
  {
    g_autoptr(MjaArchive) archive = mja_archive_new (root);
    g_autoptr(MjaIndex) index = NULL;
    g_autoptr(MjaRebuildReport) report = NULL;
    g_autofree char *state = g_build_filename (root, MJA_ARCHIVE_STATE_DIR, NULL);
    const char *suffixes[] = { "", "-wal", "-shm" };
    gint64 start;

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strdup_printf ("%s/index.sqlite%s", state, suffixes[i]);
        g_unlink (path);
      }
    start = g_get_monotonic_time ();
    index = mja_index_open_archive (archive, &error);
    if (index == NULL)
      g_error ("%s", error->message);
    report = mja_index_rebuild (index, archive, "https://cdn.midjourney.com", "png", NULL, &error);
    if (report == NULL)
      g_error ("%s", error->message);
    g_clear_object (&index);
    t_reindex = seconds_since (start);
    images = report->images_found;
    g_assert_cmpuint (report->jobs, ==, parsed_c);
  }
  getrusage (RUSAGE_SELF, &usage);

  g_print ("Index benchmark: %u jobs, %u images on disk (%s)\n", parsed_c, images, root);
  g_print ("walk + parse, C (json-glib):      %6.2f s\n", t_c);
  if (!skip_python)
    g_print ("walk + parse, Python (json.load): %6.2f s  (%s jobs)\n", t_python, g_strstrip (python_out));
  g_print ("cold reindex:                     %6.2f s  (target ≤ 15 s; %.2f× the C walk", t_reindex,
           t_reindex / t_c);
  if (!skip_python)
    g_print (", %.2f× the Python walk", t_reindex / t_python);
  g_print (")\npeak resident memory:             %6.1f MB\n", usage.ru_maxrss / 1024.0);
  return 0;
}
