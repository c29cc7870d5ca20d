/* mja-repair.c — which images to fetch again, and the damaged file set aside meanwhile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns verify's findings into a list of images to download again: every
 * image of the chosen kinds that is missing, truncated or not an image
 * (mja-media's structure checks, which read only a file's head and tail,
 * so the check is cheap enough for every sync).  While an image is
 * fetched again, the damaged file waits beside it as NAME.damaged: it is
 * removed once the new file has its final name, and put back if the
 * download fails, so a failed repair never loses what was there.  A
 * NAME.damaged a killed process left where NAME is missing is put back
 * here before anything is planned, and one beside a whole NAME removed.  It decides nothing about the network
 * and never deletes an image that has no replacement.
 */
#define G_LOG_DOMAIN "mja-repair"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive-verify.h"
#include "mja-media.h"
#include "mja-repair.h"

void
mja_repair_plan_free (MjaRepairPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->images, g_ptr_array_unref);
  g_free (plan);
}

/**
 * mja_repair_dup_damaged_path:
 * @path: an image's absolute path
 *
 * Returns: (transfer full): where @path waits while it is fetched again
 */
char *
mja_repair_dup_damaged_path (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);
  return g_strconcat (path, MJA_ARCHIVE_DAMAGED_SUFFIX, NULL);
}

/**
 * mja_repair_set_aside:
 * @path: an image about to be fetched again
 * @error: where a failed rename is described
 *
 * Moves @path to NAME.damaged; nothing to do when @path is not there.
 *
 * Returns: whether @path is out of the way
 */
gboolean
mja_repair_set_aside (const char  *path,
                      GError     **error)
{
  g_autofree char *damaged = NULL;
  int saved;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  damaged = mja_repair_dup_damaged_path (path);
  if (g_rename (path, damaged) == 0)
    return TRUE;
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not move “%s” aside: %s"), path,
               g_strerror (saved));
  return FALSE;
}

/**
 * mja_repair_restore:
 * @path: an image whose new download failed
 *
 * Puts NAME.damaged back where nothing replaced it.
 */
void
mja_repair_restore (const char *path)
{
  g_autofree char *damaged = NULL;

  g_return_if_fail (path != NULL);

  damaged = mja_repair_dup_damaged_path (path);
  if (!g_file_test (damaged, G_FILE_TEST_EXISTS))
    return;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_unlink (damaged);
  else if (g_rename (damaged, path) != 0)
    g_warning ("Could not put “%s” back: %s", damaged, g_strerror (errno));
}

/**
 * mja_repair_discard:
 * @path: an image that was fetched again and is whole
 */
void
mja_repair_discard (const char *path)
{
  g_autofree char *damaged = NULL;

  g_return_if_fail (path != NULL);

  damaged = mja_repair_dup_damaged_path (path);
  g_unlink (damaged);
}

/* A killed repair left NAME.damaged and no NAME: back it goes.  Returns
 * whether NAME is now there and whole. */
static gboolean
recover_leftover (const char *path)
{
  g_autofree char *damaged = mja_repair_dup_damaged_path (path);

  if (!g_file_test (damaged, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  mja_repair_restore (path);
  return mja_media_check_file (path) == MJA_MEDIA_WHOLE;
}

/* A NAME.damaged a stopped repair left beside a NAME that is whole (it
 * was killed after the new file got its name): nothing more to keep. */
static void
drop_superseded (const char *damaged)
{
  g_autofree char *path = g_strndup (damaged, strlen (damaged) - strlen (MJA_ARCHIVE_DAMAGED_SUFFIX));

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && mja_media_check_file (path) == MJA_MEDIA_WHOLE)
    mja_repair_discard (path);
}

/* The images of @index whose absolute paths are in @wanted, in the
 * index's order. */
static gboolean
collect_images (MjaArchive     *archive,
                MjaIndex       *index,
                GHashTable     *wanted,
                GCancellable   *cancellable,
                MjaRepairPlan  *plan,
                GError        **error)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GPtrArray) rows = mja_index_query (index, &everything, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len && g_hash_table_size (wanted) > 0; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) images = mja_index_dup_images (index, row->id, NULL);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint j = 0; images && j < images->len;)
        {
          MjaIndexImage *image = g_ptr_array_index (images, j);
          g_autofree char *path = mja_archive_dup_path (archive, image->path);

          if (image->url != NULL && g_hash_table_remove (wanted, path))
            g_ptr_array_add (plan->images, g_ptr_array_steal_index (images, j));
          else
            j++;
        }
    }
  return TRUE;
}

/**
 * mja_repair_plan:
 * @archive: the archive
 * @index: its index
 * @kinds: (nullable) (array zero-terminated=1): the kinds of job whose
 *   images are downloaded; %NULL: grid and upscale
 * @cancellable: (nullable): stops the check
 * @error: where a failure to scan or query is described
 *
 * What mja_archive_verify() finds missing or damaged, as images to fetch
 * again.  When nothing is, it costs verify's walk and nothing more.
 *
 * Returns: (transfer full) (nullable): the plan
 */
MjaRepairPlan *
mja_repair_plan (MjaArchive          *archive,
                 MjaIndex            *index,
                 const char * const  *kinds,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(MjaVerifyReport) report = NULL;
  g_autoptr(MjaRepairPlan) plan = NULL;
  g_autoptr(GHashTable) wanted = NULL;

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (MJA_IS_INDEX (index), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  report = mja_archive_verify (archive, index, kinds, cancellable, error);
  if (report == NULL)
    return NULL;

  plan = g_new0 (MjaRepairPlan, 1);
  plan->images = g_ptr_array_new_with_free_func ((GDestroyNotify) mja_index_image_free);
  plan->checked = report->checked_images;
  wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < report->problems->len; i++)
    {
      MjaVerifyProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->kind == MJA_VERIFY_UNFINISHED && g_str_has_suffix (problem->path, MJA_ARCHIVE_DAMAGED_SUFFIX))
        {
          drop_superseded (problem->path);
          continue;
        }
      if (problem->kind == MJA_VERIFY_MISSING)
        {
          if (recover_leftover (problem->path))
            continue;
          if (g_file_test (problem->path, G_FILE_TEST_EXISTS))
            plan->damaged++;
          else
            plan->missing++;
        }
      else if (problem->kind == MJA_VERIFY_CORRUPT)
        plan->damaged++;
      else
        continue;
      g_hash_table_add (wanted, g_strdup (problem->path));
    }
  if (g_hash_table_size (wanted) > 0 && !collect_images (archive, index, wanted, cancellable, plan, error))
    return NULL;
  g_debug ("%u images checked, %u damaged, %u missing", plan->checked, plan->damaged, plan->missing);
  return g_steal_pointer (&plan);
}
