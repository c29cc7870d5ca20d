/* mja-archive-verify.h — what is wrong with an archive on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive.h"
#include "mja-index.h"

G_BEGIN_DECLS

typedef enum
{
  MJA_VERIFY_UNFINISHED,   /* a .part file (a download or metadata write that stopped), or a
                            * NAME.damaged a stopped repair left */
  MJA_VERIFY_BROKEN_JSON,  /* a job file that does not parse as a job */
  MJA_VERIFY_MISSING,      /* an image of a kind chosen for download is not there */
  MJA_VERIFY_CORRUPT,      /* an image is there but truncated, or not an image */
  MJA_VERIFY_NOT_CHOSEN,   /* an image absent because its kind is not downloaded: no problem */
  MJA_VERIFY_SYMLINK,      /* a symbolic link to a folder inside the archive, not followed */
} MjaVerifyKind;

typedef struct
{
  MjaVerifyKind  kind;
  char          *path;    /* absolute */
  char          *detail;  /* in words for the user */
} MjaVerifyProblem;

typedef struct
{
  guint      jobs;            /* job files found */
  guint      checked_images;  /* images on disk that were checked */
  GPtrArray *problems;        /* MjaVerifyProblem*, in the order found */
  GPtrArray *not_chosen;      /* MjaVerifyProblem* of kind MJA_VERIFY_NOT_CHOSEN: not problems */
} MjaVerifyReport;

MjaVerifyReport *mja_archive_verify          (MjaArchive          *archive,
                                              MjaIndex            *index,
                                              const char * const  *kinds,
                                              GCancellable        *cancellable,
                                              GError             **error);
const char      *mja_verify_kind_to_string   (MjaVerifyKind        kind);
void             mja_verify_report_free      (MjaVerifyReport     *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaVerifyReport, mja_verify_report_free)

G_END_DECLS
