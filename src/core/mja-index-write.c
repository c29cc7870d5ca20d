/* mja-index-write.c — what the index records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Jobs, their planned images, what became of each image, and the few
 * key/value states a sync resumes from.  Only mja-sync and the rebuild
 * write here; nothing here reads a file of the archive.
 */
#define G_LOG_DOMAIN "mja-index"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-index-private.h"

gboolean
mja_index_clear (MjaIndex  *self,
                 GError   **error)
{
  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  return _mja_index_exec (self, "DELETE FROM jobs; DELETE FROM images; "
                                "INSERT INTO jobs_fts (jobs_fts) VALUES ('delete-all');"
                                "INSERT INTO jobs_trgm (jobs_trgm) VALUES ('delete-all');", error);
}

/**
 * mja_index_add_job:
 * @json_path: the job's file, relative to the archive root
 * @planned: (element-type MjaPlannedImage): the image files it should have
 *
 * Adds or updates the job; images already known keep their state.
 */
gboolean
mja_index_add_job (MjaIndex   *self,
                   MjaJob     *job,
                   const char *json_path,
                   GPtrArray  *planned,
                   GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) image = NULL;
  GDateTime *time = mja_job_get_enqueue_time (job);
  const char *kind = mja_job_kind_to_string (mja_job_get_kind (job));

  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  stmt = _mja_index_prepare (self,
                  "INSERT INTO jobs (id, json_path, time_us, job_type, event_type, kind, prompt, full_command,"
                  " width, height, batch, rating, liked, parent_id, era)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                  " ON CONFLICT (id) DO UPDATE SET json_path = ?2, time_us = ?3, job_type = ?4, event_type = ?5,"
                  " kind = ?6, prompt = ?7, full_command = ?8, width = ?9, height = ?10, batch = ?11,"
                  " rating = ?12, liked = ?13, parent_id = ?14, era = ?15", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, mja_job_get_id (job));
  bind_text (stmt, 2, json_path);
  sqlite3_bind_int64 (stmt, 3, g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time));
  bind_text (stmt, 4, mja_job_get_job_type (job));
  bind_text (stmt, 5, mja_job_get_event_type (job));
  bind_text (stmt, 6, kind);
  bind_text (stmt, 7, mja_job_get_prompt (job));
  bind_text (stmt, 8, mja_job_get_full_command (job));
  sqlite3_bind_int (stmt, 9, (int) mja_job_get_width (job));
  sqlite3_bind_int (stmt, 10, (int) mja_job_get_height (job));
  sqlite3_bind_int (stmt, 11, (int) mja_job_get_batch_size (job));
  if (mja_job_get_rating (job) > 0)
    sqlite3_bind_int (stmt, 12, (int) mja_job_get_rating (job));
  else
    sqlite3_bind_null (stmt, 12);  /* not rated */
  sqlite3_bind_int (stmt, 13, mja_job_get_liked (job));
  bind_text (stmt, 14, mja_job_get_parent_id (job));
  sqlite3_bind_int (stmt, 15, mja_job_get_era (job));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _mja_index_db_error (self, error);

  if (planned == NULL)
    return TRUE;
  image = _mja_index_prepare (self,
                   "INSERT INTO images (job_id, idx, path, url, kind) VALUES (?1, ?2, ?3, ?4, ?5)"
                   " ON CONFLICT (job_id, idx) DO UPDATE SET url = ?4, kind = ?5,"
                   " path = CASE WHEN state = 1 THEN path ELSE ?3 END", error);
  if (image == NULL)
    return FALSE;
  for (guint i = 0; i < planned->len; i++)
    {
      MjaPlannedImage *p = g_ptr_array_index (planned, i);

      sqlite3_reset (image);
      bind_text (image, 1, mja_job_get_id (job));
      sqlite3_bind_int (image, 2, (int) p->index);
      bind_text (image, 3, p->path);
      bind_text (image, 4, p->url);
      bind_text (image, 5, kind);
      if (sqlite3_step (image) != SQLITE_DONE)
        return _mja_index_db_error (self, error);
    }
  return TRUE;
}

gboolean
mja_index_set_image (MjaIndex       *self,
                     const char     *job_id,
                     guint           index,
                     MjaImageState   state,
                     guint64         size,
                     GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);
  g_return_val_if_fail (job_id != NULL, FALSE);

  stmt = _mja_index_prepare (self, "UPDATE images SET state = ?3, size = ?4 WHERE job_id = ?1 AND idx = ?2", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, job_id);
  sqlite3_bind_int (stmt, 2, (int) index);
  sqlite3_bind_int (stmt, 3, state);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) size);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _mja_index_db_error (self, error);
  return TRUE;
}

gboolean
mja_index_set_state (MjaIndex    *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (value == NULL)
    stmt = _mja_index_prepare (self, "DELETE FROM state WHERE key = ?1", error);
  else
    stmt = _mja_index_prepare (self, "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  if (value != NULL)
    bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return _mja_index_db_error (self, error);
  return TRUE;
}
