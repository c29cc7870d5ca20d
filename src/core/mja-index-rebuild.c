/* mja-index-rebuild.c — the index rebuilt from the archive's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `reindex` and the first opening of an archive the original scripts
 * wrote: every job file is read again and every image looked for on disk.
 * The files are the truth; nothing here changes one.
 */
#define G_LOG_DOMAIN "mja-index"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mja-config.h"
#include "mja-index-private.h"
#include "mja-json.h"

void
mja_rebuild_report_free (MjaRebuildReport *report)
{
  g_clear_pointer (&report->broken, g_ptr_array_unref);
  g_free (report);
}

static gboolean
file_size (MjaArchive *archive,
           const char *relative,
           guint64    *size)
{
  g_autofree char *path = mja_archive_dup_path (archive, relative);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
    return FALSE;
  *size = (guint64) st.st_size;
  return TRUE;
}

/* An image already on disk, under the planned name or, for current-era
 * stills synced in another format, under another still format's name. */
static gboolean
find_image (MjaArchive      *archive,
            MjaJob          *job,
            MjaPlannedImage *image,
            guint            n_images,
            guint64         *size)
{
  static const char * const stills[] = { "png", "webp", "jpeg", "jpg", NULL };

  if (file_size (archive, image->path, size))
    return TRUE;
  if (mja_job_get_era (job) != MJA_JOB_ERA_CURRENT || g_str_equal (image->extension, "mp4"))
    return FALSE;
  for (guint i = 0; stills[i] != NULL; i++)
    {
      g_autofree char *relative = NULL;

      if (g_str_equal (stills[i], image->extension))
        continue;
      relative = mja_archive_dup_image_path (job, image->index, n_images, stills[i]);
      if (file_size (archive, relative, size))
        {
          g_free (image->path);
          image->path = g_steal_pointer (&relative);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * mja_index_rebuild:
 *
 * Forgets everything and indexes the archive from its files alone.  A
 * JSON file that does not parse is reported in the result and skipped;
 * the rest is indexed.
 */
MjaRebuildReport *
mja_index_rebuild (MjaIndex      *self,
                   MjaArchive    *archive,
                   const char    *cdn_base_url,
                   const char    *image_format,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(MjaArchiveScan) scan = NULL;
  g_autoptr(MjaRebuildReport) report = g_new0 (MjaRebuildReport, 1);

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);
  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);

  scan = mja_archive_scan (archive, cancellable, error);
  if (scan == NULL)
    return NULL;
  report->broken = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < scan->errors->len; i++)
    g_ptr_array_add (report->broken, g_strdup (scan->errors->pdata[i]));

  if (!mja_index_begin (self, error))
    return NULL;
  /* After a rebuild nothing says the history is complete: the next sync
   * lists everything once more. */
  if (!mja_index_clear (self, error) ||
      !mja_index_set_state (self, "history-complete", NULL, error) ||
      !mja_index_set_state (self, "checkpoint", NULL, error))
    goto fail;

  for (guint i = 0; i < scan->json_files->len; i++)
    {
      const char *relative = scan->json_files->pdata[i];
      g_autofree char *path = mja_archive_dup_path (archive, relative);
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(MjaJob) job = NULL;
      g_autoptr(GPtrArray) planned = NULL;

      /* Every job of the rebuild lands in the one transaction begun above,
       * or in none. */
      g_assert (!sqlite3_get_autocommit (self->db));
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if ((root = mja_json_load_file (path, _("The file"), MJA_JSON_MAX_JOB_VALUES, &local_error)) == NULL ||
          (job = mja_job_new_from_node (root, &local_error)) == NULL)
        {
          g_ptr_array_add (report->broken, g_strdup_printf ("%s: %s", relative, local_error->message));
          continue;
        }

      planned = mja_archive_plan_images (job, cdn_base_url, image_format);
      if (!mja_index_add_job (self, job, relative, planned, error))
        goto fail;
      report->jobs++;
      for (guint j = 0; j < planned->len; j++)
        {
          MjaPlannedImage *image = g_ptr_array_index (planned, j);
          guint64 size = 0;

          if (find_image (archive, job, image, planned->len, &size))
            {
              g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self,
                                                                 "UPDATE images SET state = 1, size = ?3, path = ?4"
                                                                 " WHERE job_id = ?1 AND idx = ?2", error);
              if (stmt == NULL)
                goto fail;
              bind_text (stmt, 1, mja_job_get_id (job));
              sqlite3_bind_int (stmt, 2, (int) image->index);
              sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) size);
              bind_text (stmt, 4, image->path);
              if (sqlite3_step (stmt) != SQLITE_DONE)
                {
                  _mja_index_db_error (self, error);
                  goto fail;
                }
              report->images_found++;
            }
          else
            report->images_missing++;
        }
    }
  if (!mja_index_commit (self, error))
    return NULL;
  return g_steal_pointer (&report);

fail:
  _mja_index_exec (self, "ROLLBACK", NULL);
  return NULL;
}

/**
 * mja_index_build_if_empty:
 *
 * An archive written by the original scripts, opened for the first time,
 * has files but no index: index them before answering anything.
 *
 * Returns: how many jobs were indexed now; 0 when the index had jobs
 *   already, or the archive has none.
 */
guint
mja_index_build_if_empty (MjaIndex     *self,
                          MjaArchive   *archive,
                          const char   *cdn_base_url,
                          GCancellable *cancellable)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(MjaRebuildReport) report = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), 0);
  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), 0);

  if (mja_index_count (self, &everything, NULL) != 0)
    return 0;
  report = mja_index_rebuild (self, archive, cdn_base_url, mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT),
                              cancellable, NULL);
  return report ? report->jobs : 0;
}
