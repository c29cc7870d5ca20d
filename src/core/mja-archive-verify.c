/* mja-archive-verify.c — what is wrong with an archive on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Walks the archive (mja-archive's scan) and the index's list of the
 * images each job should have, and reports what a sync left unfinished,
 * job files that no longer parse, images missing, and images whose bytes
 * are cut short or are not an image at all (mja-media's checks).  It only
 * reads: it never repairs, deletes or re-indexes anything.
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
  g_ptr_array_add (report->problems, problem);
}

void
mja_verify_report_free (MjaVerifyReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->problems, g_ptr_array_unref);
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
    default:
      g_assert_not_reached ();
    }
  return NULL;
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
              if (!g_strv_contains (kinds, image->kind))
                continue;  /* not chosen for download */
              add_problem (report, MJA_VERIFY_MISSING, g_steal_pointer (&path), _("not downloaded"));
              continue;
            }
          report->checked_images++;
          problem = mja_media_check_file (path);
          if (problem != MJA_MEDIA_WHOLE)
            add_problem (report, MJA_VERIFY_CORRUPT, g_steal_pointer (&path), mja_media_problem_describe (problem));
        }
    }
  return TRUE;
}

/**
 * mja_archive_verify:
 * @archive: the archive
 * @index: its index, which says which images each job should have
 * @kinds: (nullable) (array zero-terminated=1): the kinds of job whose
 *   images count as missing when absent; %NULL: grid and upscale
 * @cancellable: (nullable): stops the walk
 * @error: where a failure to scan or query is described
 *
 * Problems are reported in a fixed order: unfinished files, broken job
 * files, then each job's images, newest job first.
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
  static const char * const default_kinds[] = { "grid", "upscale", NULL };
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
  report->jobs = scan->json_files->len;
  check_part_files (archive, scan, report);
  check_json_files (archive, scan, cancellable, report);
  if (!check_images (archive, index, kinds ? kinds : default_kinds, cancellable, report, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&report);
}
