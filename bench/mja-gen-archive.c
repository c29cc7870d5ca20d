/* mja-gen-archive.c — write a synthetic archive for the benchmarks
 *
 *   mja-gen-archive [--jobs N] [--seed S] [--legacy-share F] DIR
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "mja-bench-archive.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("DIR");
  g_autoptr(GError) error = NULL;
  MjaBenchArchiveOptions options;
  int jobs, seed, kib, pool;
  double share;
  guint images;
  gint64 start;

  setlocale (LC_ALL, "");
  mja_bench_archive_options_init (&options);
  jobs = (int) options.n_jobs;
  seed = (int) options.seed;
  kib = (int) options.image_kib;
  pool = (int) options.pool;
  share = options.legacy_share;
  {
    GOptionEntry entries[] = {
      { "jobs", 'n', 0, G_OPTION_ARG_INT, &jobs, "Jobs in the archive (default 100000)", "N" },
      { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Random seed (default 1)", "S" },
      { "legacy-share", 0, 0, G_OPTION_ARG_DOUBLE, &share, "Oldest share of jobs in legacy-era JSON (default 0.3)", "F" },
      { "image-kib", 0, 0, G_OPTION_ARG_INT, &kib, "Size of each distinct image, about (default 1400)", "KIB" },
      { "pool", 0, 0, G_OPTION_ARG_INT, &pool, "Distinct image files, hard-linked (default 24)", "N" },
      { NULL }
    };
    g_option_context_add_main_entries (context, entries, NULL);
  }
  g_option_context_set_summary (context, "Writes N jobs of a fake Midjourney account in the archive's layout, with "
                                         "real images hard-linked from a small pool.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || jobs < 1 || pool < 1 ||
      share < 0 || share > 1)
    {
      g_printerr ("%s\n", error ? error->message : "Usage: mja-gen-archive [OPTION…] DIR (see --help)");
      return 2;
    }
  options.n_jobs = (guint) jobs;
  options.seed = (guint) seed;
  options.image_kib = (guint) kib;
  options.pool = (guint) pool;
  options.legacy_share = share;

  start = g_get_monotonic_time ();
  if (!mja_bench_archive_generate (argv[1], &options, &images, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("%u jobs, %u images in %s (%.1f s)\n", options.n_jobs, images, argv[1],
           (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
