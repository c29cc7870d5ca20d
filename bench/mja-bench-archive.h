/* mja-bench-archive.h — synthetic archives for the benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint  n_jobs;          /* spread over about four years, newest first */
  guint  seed;
  double legacy_share;    /* the oldest jobs, in the legacy era's JSON, as the original scripts wrote them */
  guint  image_kib;       /* each distinct image file, about */
  guint  image_pixels;
  guint  pool;            /* distinct image files, hard-linked under every image name */
} MjaBenchArchiveOptions;

void     mja_bench_archive_options_init (MjaBenchArchiveOptions       *options);
gboolean mja_bench_archive_generate     (const char                   *root,
                                         const MjaBenchArchiveOptions *options,
                                         guint                        *n_images,
                                         GError                      **error);

G_END_DECLS
