/* mja-bench-archive.c — synthetic archives for the benchmarks
 *
 * N jobs of the fake Midjourney account, written in the archive's on-disk
 * layout by the archive's own code (JSON, .prompt.txt, the folders by
 * day), the oldest of them in the legacy era's JSON as the original scripts
 * wrote it.  Every grid and upscale image is a real PNG of realistic size:
 * a pool of distinct images drawn once, hard-linked under each image's
 * name, so 300,000 images cost the disk only the pool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "mja-archive.h"
#include "mja-bench-archive.h"
#include "mja-fake-server.h"
#include "mja-job.h"

void
mja_bench_archive_options_init (MjaBenchArchiveOptions *options)
{
  options->n_jobs = 100000;
  options->seed = 1;
  options->legacy_share = 0.3;
  options->image_kib = 1400;
  options->image_pixels = 1024;
  options->pool = 24;
}

gboolean
mja_bench_archive_generate (const char                   *root,
                            const MjaBenchArchiveOptions *options,
                            guint                        *n_images,
                            GError                      **error)
{
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autofree char *pool_dir = g_build_filename (root, ".bench-pool", NULL);
  g_auto(GStrv) ids = NULL;
  MjaFakeServerOptions fake;
  guint n_jobs, legacy_from, images = 0;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = options->n_jobs;
  fake.seed = options->seed;
  fake.image_kib = options->image_kib;
  fake.image_pixels = options->image_pixels;
  server = mja_fake_server_new (&fake);
  n_jobs = mja_fake_server_get_n_jobs (server);
  legacy_from = n_jobs - (guint) (n_jobs * options->legacy_share);
  ids = mja_fake_server_dup_job_ids (server);

  if (g_mkdir_with_parents (pool_dir, 0755) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", pool_dir, g_strerror (errno));
      return FALSE;
    }
  /* The distinct images: drawn by the fake as its CDN serves them. */
  for (guint i = 0; i < options->pool; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u.png", pool_dir, i);
      g_autoptr(GBytes) bytes = mja_fake_server_dup_image (server, ids[i / 4 % n_jobs], 0, "png");

      if (bytes == NULL)
        bytes = mja_fake_server_dup_image (server, ids[0], 0, "png");
      if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error))
        return FALSE;
    }

  /* Written like a sync writes them, without flushing each file. */
  mja_archive_set_flush (archive, FALSE);
  if (!mja_archive_ensure (archive, error))
    return FALSE;
  for (guint i = 0; i < n_jobs; i++)
    {
      g_autoptr(JsonNode) node = mja_fake_server_dup_job_node (server, i, i >= legacy_from);
      g_autoptr(MjaJob) job = mja_job_new_from_json (json_node_get_object (node), error);
      g_autoptr(GPtrArray) planned = NULL;
      const char *kind;

      if (job == NULL || !mja_archive_write_job (archive, job, 2, FALSE, NULL, error))
        return FALSE;
      /* Videos are not downloaded unless asked for: left out, as in most archives. */
      kind = mja_job_kind_to_string (mja_job_get_kind (job));
      if (g_str_equal (kind, "video"))
        continue;
      planned = mja_archive_plan_images (job, "https://cdn.midjourney.com", "png");
      for (guint j = 0; j < planned->len; j++)
        {
          MjaPlannedImage *image = g_ptr_array_index (planned, j);
          g_autofree char *target = mja_archive_dup_path (archive, image->path);
          g_autofree char *source = g_strdup_printf ("%s/%u.png", pool_dir, (i * 4 + j) % options->pool);

          if (link (source, target) != 0 && errno != EEXIST)
            {
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", target, g_strerror (errno));
              return FALSE;
            }
          images++;
        }
    }
  if (n_images != NULL)
    *n_images = images;
  return TRUE;
}
