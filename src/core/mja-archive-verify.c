/* mja-archive-verify.c — what is wrong with an archive on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks the archive (mja-archive's scan) and the index's list of the
 * images each job should have, and reports folders that are symbolic
 * links (not followed, so what they hold is not checked), what a sync
 * left unfinished (a .part, or the NAME.damaged of a repair that was
 * stopped before it could put it back or remove it), job files that no longer parse, images missing, and
 * images whose bytes are cut short or are not an image at all (mja-media's
 * checks).  An image is missing only when the archive downloads its kind:
 * the kinds asked for, else those the last sync downloaded, else (an
 * archive of the original scripts, often upscales only) the kinds of
 * which any image is there; other absent images are listed apart, as not
 * downloaded by choice.  It only reads: it never repairs, deletes or
 * re-indexes anything.
 */
#define G_LOG_DOMAIN "mja-archive-verify"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-archive-verify.h"
#include "mja-json.h"
#include "mja-media.h"

static void
problem_free (MjaVerifyProblem *problem)
{
  g_free (problem->path);
  g_free (problem->detail);
  g_free (problem);
}

/* Takes @path. */
static void
add_problem (MjaVerifyReport *report,
             MjaVerifyKind    kind,
             char            *path,
             const char      *detail)
{
  MjaVerifyProblem *problem = g_new0 (MjaVerifyProblem, 1);

  problem->kind = kind;
  problem->path = path;
  problem->detail = g_strdup (detail);
  g_ptr_array_add (kind == MJA_VERIFY_NOT_CHOSEN ? report->not_chosen : report->problems, problem);
}

void
mja_verify_report_free (MjaVerifyReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_clear_pointer (&report->not_chosen, g_ptr_array_unref);
  g_free (report);
}

/* The names of `mj-archiver-cli verify --json`; scripts rely on them. */
const char *
mja_verify_kind_to_string (MjaVerifyKind kind)
{
  switch (kind)
    {
    case MJA_VERIFY_UNFINISHED:
      return "unfinished";
    case MJA_VERIFY_BROKEN_JSON:
      return "broken-json";
    case MJA_VERIFY_MISSING:
      return "missing";
    case MJA_VERIFY_CORRUPT:
      return "corrupt";
    case MJA_VERIFY_NOT_CHOSEN:
      return "not-downloaded";
    case MJA_VERIFY_SYMLINK:
      return "symlink";
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static void
check_links (MjaArchive      *archive,
             MjaArchiveScan  *scan,
             MjaVerifyReport *report)
{
  for (guint i = 0; i < scan->links->len; i++)
    add_problem (report, MJA_VERIFY_SYMLINK, mja_archive_dup_path (archive, g_ptr_array_index (scan->links, i)),
                 mja_archive_link_skipped ());
}

static void
check_part_files (MjaArchive      *archive,
                  MjaArchiveScan  *scan,
                  MjaVerifyReport *report)
{
  for (guint i = 0; i < scan->part_files->len; i++)
    {
      const char *relative = g_ptr_array_index (scan->part_files, i);
      gboolean metadata = g_str_has_suffix (relative, ".json" MJA_ARCHIVE_PART_SUFFIX)
                          || g_str_has_suffix (relative, ".prompt.txt" MJA_ARCHIVE_PART_SUFFIX);

      add_problem (report, MJA_VERIFY_UNFINISHED, mja_archive_dup_path (archive, relative),
                   metadata ? _("an unfinished metadata write") : _("an unfinished download"));
    }
  for (guint i = 0; i < scan->damaged_files->len; i++)
    add_problem (report, MJA_VERIFY_UNFINISHED,
                 mja_archive_dup_path (archive, g_ptr_array_index (scan->damaged_files, i)),
                 _("a damaged image set aside by a repair that was stopped"));
}

static void
check_json_files (MjaArchive      *archive,
                  MjaArchiveScan  *scan,
                  GCancellable    *cancellable,
                  MjaVerifyReport *report)
{
  for (guint i = 0; i < scan->json_files->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autofree char *path = mja_archive_dup_path (archive, g_ptr_array_index (scan->json_files, i));
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(MjaJob) job = NULL;
      g_autoptr(GError) error = NULL;

      if ((root = mja_json_load_file (path, _("The file"), MJA_JSON_MAX_JOB_VALUES, &error)) == NULL ||
          (job = mja_job_new_from_node (root, &error)) == NULL)
        add_problem (report, MJA_VERIFY_BROKEN_JSON, g_steal_pointer (&path), error->message);
    }
}

static gboolean
check_images (MjaArchive          *archive,
              MjaIndex            *index,
              const char * const  *kinds,
              GCancellable        *cancellable,
              MjaVerifyReport     *report,
              GError             **error)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GPtrArray) rows = mja_index_query (index, &everything, error);
  g_autoptr(GPtrArray) absent_paths = g_ptr_array_new_with_free_func (g_free);  /* absolute */
  g_autoptr(GPtrArray) absent_kinds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) kinds_on_disk = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) chosen = NULL;

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) images = mja_index_dup_images (index, row->id, NULL);

      for (guint j = 0; images && j < images->len; j++)
        {
          MjaIndexImage *image = g_ptr_array_index (images, j);
          g_autofree char *path = mja_archive_dup_path (archive, image->path);
          MjaMediaProblem problem;

          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            {
              g_ptr_array_add (absent_paths, g_steal_pointer (&path));
              g_ptr_array_add (absent_kinds, g_strdup (image->kind));
              continue;
            }
          g_hash_table_add (kinds_on_disk, g_strdup (image->kind));
          report->checked_images++;
          problem = mja_media_check_file (path);
          if (problem != MJA_MEDIA_WHOLE)
            add_problem (report, MJA_VERIFY_CORRUPT, g_steal_pointer (&path), mja_media_problem_describe (problem));
        }
    }

  /* Not said: the archive's own, from the kinds it has images of on disk. */
  if (kinds == NULL)
    {
      g_autofree const char **on_disk = (const char **) g_hash_table_get_keys_as_array (kinds_on_disk, NULL);

      chosen = mja_index_dup_download_kinds (index, on_disk, error);
      if (chosen == NULL)
        return FALSE;
      kinds = (const char * const *) chosen;
    }
  for (guint i = 0; i < absent_paths->len; i++)
    {
      const char *kind = g_ptr_array_index (absent_kinds, i);
      char *path = g_strdup (g_ptr_array_index (absent_paths, i));

      if (g_strv_contains (kinds, kind) || g_strv_contains (kinds, "all"))
        add_problem (report, MJA_VERIFY_MISSING, path, _("not downloaded"));
      else
        add_problem (report, MJA_VERIFY_NOT_CHOSEN, path, _("not downloaded: its kind is not chosen for download"));
    }
  return TRUE;
}

/**
 * mja_archive_verify:
 * @archive: the archive
 * @index: its index, which says which images each job should have
 * @kinds: (nullable) (array zero-terminated=1): the kinds of job whose
 *   images count as missing when absent; %NULL: the archive's own (what
 *   its last sync downloaded, else the kinds it has images of)
 * @cancellable: (nullable): stops the walk
 * @error: where a failure to scan or query is described
 *
 * Problems are reported in a fixed order: folders that are links,
 * unfinished files, broken job files, then each job's images (corrupt
 * ones, then missing ones), newest job first.
 *
 * Returns: (transfer full) (nullable): what was checked and found
 */
MjaVerifyReport *
mja_archive_verify (MjaArchive          *archive,
                    MjaIndex            *index,
                    const char * const  *kinds,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(MjaVerifyReport) report = NULL;
  g_autoptr(MjaArchiveScan) scan = NULL;

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (MJA_IS_INDEX (index), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scan = mja_archive_scan (archive, cancellable, error);
  if (scan == NULL)
    return NULL;

  report = g_new0 (MjaVerifyReport, 1);
  report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  report->not_chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  report->jobs = scan->json_files->len;
  check_links (archive, scan, report);
  check_part_files (archive, scan, report);
  check_json_files (archive, scan, cancellable, report);
  if (!check_images (archive, index, kinds, cancellable, report, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&report);
}
