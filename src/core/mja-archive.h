/* mja-archive.h — the archive on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-job.h"

G_BEGIN_DECLS

#define MJA_ARCHIVE_ERROR (mja_archive_error_quark ())

typedef enum
{
  MJA_ARCHIVE_ERROR_IO,
  MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
  MJA_ARCHIVE_ERROR_SYMLINK,   /* a symbolic link inside the archive: never written through */
  MJA_ARCHIVE_ERROR_BUSY,      /* another process holds the archive's lock */
} MjaArchiveError;

#define MJA_ARCHIVE_STATE_DIR ".mj-archiver"
/* What a file is called while it is being written: "<final name>.part". */
#define MJA_ARCHIVE_PART_SUFFIX ".part"
/* What a damaged image is called while it is fetched again: "<final name>.damaged". */
#define MJA_ARCHIVE_DAMAGED_SUFFIX ".damaged"

typedef struct
{
  GPtrArray *json_files;   /* char*, relative to the root */
  GPtrArray *part_files;   /* char*, unfinished downloads and metadata writes */
  GPtrArray *damaged_files; /* char*, images a repair set aside as NAME.damaged */
  GPtrArray *errors;       /* char*, folders that could not be read, links skipped */
  GPtrArray *links;        /* char*, relative: symbolic links to folders, not followed */
} MjaArchiveScan;

/* One image file a job should have in the archive. */
typedef struct
{
  guint  index;      /* 0-based */
  char  *url;
  char  *extension;
  char  *path;       /* relative to the root */
} MjaPlannedImage;

#define MJA_TYPE_ARCHIVE (mja_archive_get_type ())
G_DECLARE_FINAL_TYPE (MjaArchive, mja_archive, MJA, ARCHIVE, GObject)

GQuark          mja_archive_error_quark          (void);

MjaArchive     *mja_archive_new                  (const char    *root);
const char     *mja_archive_get_root             (MjaArchive    *self);
void            mja_archive_set_flush            (MjaArchive    *self,
                                                  gboolean       flush);
gboolean        mja_archive_check_writable       (MjaArchive    *self,
                                                  GError       **error);
gboolean        mja_archive_ensure               (MjaArchive    *self,
                                                  GError       **error);
char           *mja_archive_dup_state_path       (MjaArchive    *self,
                                                  const char    *name);
char           *mja_archive_dup_path             (MjaArchive    *self,
                                                  const char    *relative);
int             mja_archive_open_folder          (MjaArchive    *self,
                                                  const char    *relative,
                                                  gboolean       create,
                                                  GError       **error);
gboolean        mja_archive_check_path           (MjaArchive    *self,
                                                  const char    *relative,
                                                  GError       **error);
gboolean        mja_archive_prepare_file         (MjaArchive    *self,
                                                  const char    *relative,
                                                  GError       **error);

char           *mja_archive_dup_base_name        (MjaJob        *job);
char           *mja_archive_dup_date_dir         (MjaJob        *job);
char           *mja_archive_dup_json_path        (MjaJob        *job);
char           *mja_archive_dup_prompt_path      (MjaJob        *job);
char           *mja_archive_dup_image_path       (MjaJob        *job,
                                                  guint          index,
                                                  guint          n_images,
                                                  const char    *extension);

GPtrArray      *mja_archive_plan_images          (MjaJob        *job,
                                                  const char    *cdn_base_url,
                                                  const char    *extension);
void            mja_planned_image_free           (MjaPlannedImage *image);

gboolean        mja_archive_has_job              (MjaArchive    *self,
                                                  MjaJob        *job);
gboolean        mja_archive_write_job            (MjaArchive    *self,
                                                  MjaJob        *job,
                                                  guint          json_indent,
                                                  gboolean       overwrite,
                                                  gboolean      *written,
                                                  GError       **error);
char           *mja_archive_format_prompt_text   (MjaJob        *job);
gboolean        mja_archive_write_file           (MjaArchive    *self,
                                                  const char    *relative,
                                                  const char    *contents,
                                                  gsize          length,
                                                  GError       **error);

MjaArchiveScan *mja_archive_scan                 (MjaArchive    *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
void            mja_archive_scan_free            (MjaArchiveScan *scan);
const char     *mja_archive_link_skipped         (void);
gboolean        mja_archive_parse_json_name      (const char    *filename,
                                                  char         **id);
char           *mja_default_archive_dir          (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaArchiveScan, mja_archive_scan_free)

G_END_DECLS
