/* mja-embed.c — a job's prompt written into its image file as XMP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes what a photo manager or GNOME's desktop search reads: the prompt
 * as dc:description, the parameters as dc:subject, the model as
 * xmp:CreatorTool, the enqueue time as exif:DateTimeOriginal, and the job
 * id and the full command in a small namespace of our own, with gexiv2.
 * Only PNG, JPEG and WebP are tagged; videos never.  It works on the path
 * it is given (the downloader's .part, the tag command's copy) and never
 * renames, so a half-tagged file never has a final name; the tag
 * command's walk tags a copy and renames it over the image.  Exiv2's XMP
 * parser is not safe to drive from several threads at once: every call
 * holds one lock.
 */
#define G_LOG_DOMAIN "mja-embed"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gexiv2/gexiv2.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-embed.h"
#include "mja-job-words.h"
#include "mja-json.h"
#include "mja-media.h"

static GMutex embed_lock;

static gboolean
ensure_initialized (GError **error)
{
  static gsize initialized = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GError) local = NULL;

      ok = gexiv2_initialize ();
      if (ok && !gexiv2_metadata_try_register_xmp_namespace (MJA_EMBED_XMP_NAMESPACE, MJA_EMBED_XMP_PREFIX, &local))
        {
          /* Already registered by an earlier caller in this process: fine. */
          g_debug ("Registering the XMP namespace: %s", local ? local->message : "already there");
        }
      g_once_init_leave (&initialized, 1);
    }
  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The image metadata library could not start."));
  return ok;
}

/**
 * mja_embed_is_supported:
 * @path: an image's file name
 *
 * Returns: whether images of this name are tagged (PNG, JPEG, WebP)
 */
gboolean
mja_embed_is_supported (const char *path)
{
  const char *dot;
  g_autofree char *extension = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FALSE;
  extension = g_ascii_strdown (dot + 1, -1);
  return g_str_equal (extension, "png") || g_str_equal (extension, "jpg") || g_str_equal (extension, "jpeg") ||
         g_str_equal (extension, "webp");
}

/**
 * mja_embed_dup_model:
 *
 * Returns: (transfer full): "Midjourney V7", "Midjourney Niji 6", from
 *   the command or the job type (mja-job-words), else "Midjourney"
 */
char *
mja_embed_dup_model (MjaJob *job)
{
  g_autofree char *model = NULL;

  g_return_val_if_fail (MJA_IS_JOB (job), NULL);

  model = mja_command_dup_model (mja_job_get_full_command (job), mja_job_get_job_type (job));
  return model ? g_strconcat ("Midjourney ", model, NULL) : g_strdup ("Midjourney");
}

static gboolean
set_tags (GExiv2Metadata  *metadata,
          MjaJob          *job,
          GError         **error)
{
  const char *prompt = mja_job_get_prompt (job);
  const char *command = mja_job_get_full_command (job);
  GDateTime *time = mja_job_get_enqueue_time (job);
  g_auto(GStrv) parameters = mja_command_dup_parameters (command);
  g_autofree char *model = mja_embed_dup_model (job);

  /* A language qualifier first: a prompt that starts with lang="…" stays
   * the prompt. */
  if (prompt != NULL && *prompt != '\0')
    {
      g_autofree char *description = g_strconcat ("lang=\"x-default\" ", prompt, NULL);

      if (!gexiv2_metadata_try_set_tag_string (metadata, "Xmp.dc.description", description, error))
        return FALSE;
    }
  if (parameters[0] != NULL)
    {
      if (gexiv2_metadata_try_has_tag (metadata, "Xmp.dc.subject", NULL) &&
          !gexiv2_metadata_try_clear_tag (metadata, "Xmp.dc.subject", error))
        return FALSE;
      if (!gexiv2_metadata_try_set_tag_multiple (metadata, "Xmp.dc.subject", (const char **) parameters, error))
        return FALSE;
    }
  if (!gexiv2_metadata_try_set_tag_string (metadata, "Xmp.xmp.CreatorTool", model, error))
    return FALSE;
  if (time != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
      g_autofree char *date = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

      if (!gexiv2_metadata_try_set_tag_string (metadata, "Xmp.exif.DateTimeOriginal", date, error))
        return FALSE;
    }
  if (!gexiv2_metadata_try_set_tag_string (metadata, "Xmp." MJA_EMBED_XMP_PREFIX ".JobId", mja_job_get_id (job),
                                           error))
    return FALSE;
  if (command != NULL && *command != '\0' &&
      !gexiv2_metadata_try_set_tag_string (metadata, "Xmp." MJA_EMBED_XMP_PREFIX ".Command", command, error))
    return FALSE;
  return TRUE;
}

/* Flushed, and still whole by mja-media's checks. */
static gboolean
check_written (const char  *path,
               GError     **error)
{
  g_autofree char *name = g_filename_display_basename (path);
  MjaMediaProblem problem;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fdatasync (fd) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not write “%s”: %s"), name,
                   g_strerror (saved));
      return FALSE;
    }
  problem = mja_media_check_fd (fd);
  close (fd);
  if (problem != MJA_MEDIA_WHOLE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” %s after its prompt was written into it"), name,
                   mja_media_problem_describe (problem));
      return FALSE;
    }
  return TRUE;
}

/**
 * mja_embed_write:
 * @path: a PNG, JPEG or WebP file, rewritten in place
 * @job: the job it belongs to
 * @error: where a file exiv2 cannot read or write is described
 *
 * Adds the job's XMP to @path, replacing ours if it had them, flushes it
 * to disk and checks it is still whole (mja-media).  The caller renames
 * the file into place afterwards; the file may be left half-written when
 * it fails.
 *
 * Returns: whether the file now carries the job's metadata
 */
gboolean
mja_embed_write (const char  *path,
                 MjaJob      *job,
                 GError     **error)
{
  g_autoptr(GExiv2Metadata) metadata = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (MJA_IS_JOB (job), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_initialized (error))
    return FALSE;
  locker = g_mutex_locker_new (&embed_lock);
  metadata = gexiv2_metadata_new ();
  if (!gexiv2_metadata_open_path (metadata, path, &local) || !set_tags (metadata, job, &local) ||
      !gexiv2_metadata_save_file (metadata, path, &local))
    {
      g_autofree char *name = g_filename_display_basename (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the prompt into “%s”: %s"), name,
                   local->message);
      return FALSE;
    }
  g_clear_pointer (&locker, g_mutex_locker_free);
  return check_written (path, error);
}

/**
 * mja_embed_has_metadata:
 * @path: an image file
 * @job_id: the job it should name
 *
 * Returns: whether @path carries our XMP for @job_id
 */
gboolean
mja_embed_has_metadata (const char *path,
                        const char *job_id)
{
  g_autoptr(GExiv2Metadata) metadata = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree char *stored = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (job_id != NULL, FALSE);

  if (!ensure_initialized (NULL))
    return FALSE;
  locker = g_mutex_locker_new (&embed_lock);
  metadata = gexiv2_metadata_new ();
  if (!gexiv2_metadata_open_path (metadata, path, NULL))
    return FALSE;
  stored = gexiv2_metadata_try_get_tag_string (metadata, "Xmp." MJA_EMBED_XMP_PREFIX ".JobId", NULL);
  return g_strcmp0 (stored, job_id) == 0;
}

/**
 * mja_embed_tag_file:
 * @path: an image in its final place
 * @job: its job
 * @error: where a failure is described; @path is then untouched
 *
 * Tags a copy beside @path (NAME.part) and renames it over @path: a crash
 * leaves the untagged image or the tagged one, never half of either.
 *
 * Returns: whether @path now carries the job's XMP
 */
gboolean
mja_embed_tag_file (const char  *path,
                    MjaJob      *job,
                    GError     **error)
{
  g_autofree char *part = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  int saved;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (MJA_IS_JOB (job), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  part = g_strconcat (path, MJA_ARCHIVE_PART_SUFFIX, NULL);
  source = g_file_new_for_path (path);
  copy = g_file_new_for_path (part);
  if (!g_file_copy (source, copy, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, error) ||
      !mja_embed_write (part, job, error))
    {
      g_unlink (part);
      return FALSE;
    }
  if (g_rename (part, path) != 0)
    {
      saved = errno;
      g_unlink (part);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not write “%s”: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
mja_tag_report_free (MjaTagReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->failures, g_ptr_array_unref);
  g_free (report);
}

/* Through the bounded reader, as reindex and verify read it: a job file
 * planted larger than any job, nested too deep, a link, a FIFO (which
 * would block the walk) is refused, naming the file. */
static MjaJob *
read_job (MjaArchive  *archive,
          const char  *json_path,
          GError     **error)
{
  g_autofree char *path = mja_archive_dup_path (archive, json_path);
  g_autoptr(JsonNode) root = mja_json_load_file (path, json_path, MJA_JSON_MAX_JOB_VALUES, error);

  return root ? mja_job_new_from_node (root, error) : NULL;
}

static void
tag_job_images (MjaArchive   *archive,
                MjaIndex     *index,
                MjaIndexRow  *row,
                MjaTagReport *report)
{
  g_autoptr(GPtrArray) images = mja_index_dup_images (index, row->id, NULL);
  g_autoptr(MjaJob) job = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; images && i < images->len; i++)
    {
      MjaIndexImage *image = g_ptr_array_index (images, i);
      g_autofree char *path = mja_archive_dup_path (archive, image->path);

      /* Videos, and damaged images (verify's, repair's), are skipped; a
       * missing image is no news. */
      if (!mja_embed_is_supported (path) ||
          (g_file_test (path, G_FILE_TEST_EXISTS) && mja_media_check_file (path) != MJA_MEDIA_WHOLE))
        {
          report->skipped++;
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (job == NULL && error == NULL)
        job = read_job (archive, row->json_path, &error);
      if (job == NULL)
        {
          g_ptr_array_add (report->failures, g_strdup_printf ("%s: %s", path, error->message));
          continue;
        }
      if (mja_embed_has_metadata (path, mja_job_get_id (job)))
        {
          report->already++;
          continue;
        }
      {
        g_autoptr(GError) tag_error = NULL;

        if (mja_embed_tag_file (path, job, &tag_error))
          report->tagged++;
        else
          g_ptr_array_add (report->failures, g_strdup_printf ("%s: %s", path, tag_error->message));
      }
    }
}

/**
 * mja_embed_tag_archive:
 * @archive: the archive, the original scripts' included
 * @index: its index
 * @cancellable: (nullable): stops the walk between images
 * @error: where a failure to query the index is described
 *
 * Gives every whole PNG, JPEG and WebP image of the archive its job's
 * XMP, each atomically (mja_embed_tag_file()); images that have it are
 * left as they are, so it may run again at any time.
 *
 * Returns: (transfer full) (nullable): what was done
 */
MjaTagReport *
mja_embed_tag_archive (MjaArchive    *archive,
                       MjaIndex      *index,
                       GCancellable  *cancellable,
                       GError       **error)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(MjaTagReport) report = NULL;

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (MJA_IS_INDEX (index), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = mja_index_query (index, &everything, error);
  if (rows == NULL)
    return NULL;
  report = g_new0 (MjaTagReport, 1);
  report->failures = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rows->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      tag_job_images (archive, index, g_ptr_array_index (rows, i), report);
    }
  return g_steal_pointer (&report);
}
