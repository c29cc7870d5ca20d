/* mja-downloader.h — the download queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive.h"
#include "mja-transport.h"

G_BEGIN_DECLS

#define MJA_DOWNLOAD_ERROR (mja_download_error_quark ())

typedef enum
{
  MJA_DOWNLOAD_ERROR_HTTP,        /* the CDN answered an error */
  MJA_DOWNLOAD_ERROR_NOT_MEDIA,   /* the body is not the image it claims to be */
  MJA_DOWNLOAD_ERROR_TOO_LARGE,
  MJA_DOWNLOAD_ERROR_TRUNCATED,   /* it kept arriving cut short (after retries) */
  MJA_DOWNLOAD_ERROR_NETWORK,     /* after retries */
  MJA_DOWNLOAD_ERROR_DISK,        /* writing the file failed: fatal for a sync */
  MJA_DOWNLOAD_ERROR_METADATA,    /* the prompt could not be written into it */
} MjaDownloadError;

#define MJA_TYPE_DOWNLOADER (mja_downloader_get_type ())
G_DECLARE_FINAL_TYPE (MjaDownloader, mja_downloader, MJA, DOWNLOADER, GObject)

GQuark         mja_download_error_quark         (void);

MjaDownloader *mja_downloader_new               (MjaArchive    *archive,
                                                 guint          concurrency,
                                                 GCancellable  *cancellable);
MjaDownloader *mja_downloader_new_with_transport (MjaArchive   *archive,
                                                  guint         concurrency,
                                                  GCancellable *cancellable,
                                                  MjaTransport *transport);
void           mja_downloader_set_retry_policy  (MjaDownloader *self,
                                                 guint          max_tries,
                                                 guint          base_delay_ms);
void           mja_downloader_set_answer_timeout (MjaDownloader *self,
                                                  guint          seconds);
void           mja_downloader_set_max_file_size (MjaDownloader *self,
                                                 guint64        bytes);
void           mja_downloader_add               (MjaDownloader *self,
                                                 const char    *job_id,
                                                 guint          index,
                                                 const char    *url,
                                                 const char    *relative_path);
void           mja_downloader_add_image         (MjaDownloader *self,
                                                 const char    *job_id,
                                                 guint          index,
                                                 const char    *url,
                                                 const char    *relative_path,
                                                 MjaJob        *embed_job,
                                                 gboolean       repair);
guint          mja_downloader_get_pending       (MjaDownloader *self);

G_END_DECLS
