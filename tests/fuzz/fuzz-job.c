/* fuzz-job.c — a job from arbitrary bytes: parsed or refused, never a crash
 *
 * Everything the archive derives from a job is derived too, since that is
 * where hostile ids and URLs would do harm: every path must stay inside the
 * archive, every URL must be http(s).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mja-api.h"
#include "mja-archive.h"
#include "mja-fuzz.h"
#include "mja-job.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaJob) job = mja_job_new_from_data ((const char *) data, (gssize) size, &error);
  g_autoptr(GPtrArray) planned = NULL;
  g_auto(GStrv) urls = NULL;
  g_autofree char *base = NULL;
  g_autofree char *date_dir = NULL;
  g_autofree char *prompt_text = NULL;

  if (job == NULL)
    {
      g_assert (error != NULL && error->message != NULL && g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert (error == NULL);
  g_assert (mja_job_id_is_valid (mja_job_get_id (job)));
  base = mja_archive_dup_base_name (job);
  date_dir = mja_archive_dup_date_dir (job);
  g_assert (strchr (base, '/') == NULL && strstr (base, "..") == NULL && base[0] != '.');
  g_assert (!g_path_is_absolute (date_dir) && strstr (date_dir, "..") == NULL);
  urls = mja_api_dup_image_urls (job, "https://cdn.midjourney.com", "png");
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    g_assert (mja_fuzz_is_http (urls[i]));
  planned = mja_archive_plan_images (job, "https://cdn.midjourney.com", "webp");
  for (guint i = 0; i < planned->len; i++)
    {
      MjaPlannedImage *image = g_ptr_array_index (planned, i);

      g_assert (!g_path_is_absolute (image->path) && strstr (image->path, "..") == NULL);
    }
  prompt_text = mja_archive_format_prompt_text (job);
  g_assert (g_utf8_validate (prompt_text, -1, NULL));
  (void) mja_job_get_prompt (job);
  (void) mja_job_get_full_command (job);
  (void) mja_job_get_parent_id (job);
  (void) mja_job_kind_to_string (mja_job_get_kind (job));
  return 0;
}
