/* mja-embed.h — a job's prompt written into its image file as XMP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive.h"
#include "mja-index.h"
#include "mja-job.h"

G_BEGIN_DECLS

/* Our own XMP namespace: the job id and the full command. */
#define MJA_EMBED_XMP_NAMESPACE "https://github.com/mjarchiver/mj-archiver/ns/1.0/"
#define MJA_EMBED_XMP_PREFIX    "mjarchiver"

gboolean  mja_embed_is_supported  (const char  *path);
char     *mja_embed_dup_model     (MjaJob      *job);
gboolean  mja_embed_write         (const char  *path,
                                   MjaJob      *job,
                                   GError     **error);
gboolean  mja_embed_has_metadata  (const char  *path,
                                   const char  *job_id);

gboolean  mja_embed_tag_file      (const char  *path,
                                   MjaJob      *job,
                                   GError     **error);

typedef struct
{
  guint      tagged;    /* images that got the XMP now */
  guint      already;   /* images that had it */
  guint      skipped;   /* videos, and images missing or damaged (repair them first) */
  GPtrArray *failures;  /* char*: "path: why" */
} MjaTagReport;

MjaTagReport *mja_embed_tag_archive (MjaArchive    *archive,
                                     MjaIndex      *index,
                                     GCancellable  *cancellable,
                                     GError       **error);
void          mja_tag_report_free   (MjaTagReport  *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaTagReport, mja_tag_report_free)

G_END_DECLS
