/* mja-sync.h — listing → archive → index → downloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-api.h"
#include "mja-credentials.h"
#include "mja-types.h"

G_BEGIN_DECLS

typedef struct
{
  char        *api_base_url;      /* NULL: Midjourney's */
  char        *cdn_base_url;
  char        *auth_base_url;
  MjaProtocol  protocol;
  GStrv        job_types;         /* kinds or job types to archive; NULL = all */
  gint64       from_us;           /* only jobs enqueued at or after; 0 = no bound */
  gint64       to_us;             /* only jobs enqueued at or before; 0 = no bound */
  guint        page_limit;        /* 0 = no limit */
  guint        page_size;         /* current era */
  gboolean     list;              /* FALSE: only download what the index misses */
  gboolean     full;              /* list everything, not only what is new */
  gboolean     overwrite_metadata;
  guint        json_indent;
  gboolean     download;
  GStrv        download_kinds;    /* "grid", "upscale", "video"; NULL = grid and upscale */
  guint        concurrency;
  char        *image_format;      /* png, webp or jpeg, for current-era stills */
  guint        request_interval_ms;
  guint        max_tries;
  guint        retry_base_ms;
  gsize        max_page_bytes;    /* an API answer larger is refused; 0 = 64 MiB */
  guint        answer_timeout_s;  /* an answer slower is given up and tried again;
                                     0 = 300 s for a page, 900 s for an image */
  guint64      max_image_bytes;   /* an image larger is refused; 0 = 512 MiB */
  guint        max_pages;         /* the listing stops after this many pages, a server's
                                     that never stops; 0 = 20,000 */
  gboolean     repair;            /* fetch again what verify finds missing or damaged */
  gboolean     embed_metadata;    /* write each job's XMP into its images */
  MjaTransport *transport;        /* (nullable) what carries the requests; NULL = a direct one */
} MjaSyncOptions;

typedef struct
{
  char *job_id;   /* may be NULL */
  char *message;
} MjaSyncProblem;

#define MJA_TYPE_SYNC (mja_sync_get_type ())
G_DECLARE_FINAL_TYPE (MjaSync, mja_sync, MJA, SYNC, GObject)

void            mja_sync_options_init      (MjaSyncOptions       *options);
void            mja_sync_options_clear     (MjaSyncOptions       *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MjaSyncOptions, mja_sync_options_clear)

MjaSync        *mja_sync_new               (const char           *archive_dir,
                                            MjaCredentials       *credentials,
                                            const MjaSyncOptions *options);
void            mja_sync_run_async         (MjaSync              *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean        mja_sync_run_finish        (MjaSync              *self,
                                            GAsyncResult         *result,
                                            GError              **error);

MjaSyncPhase    mja_sync_get_phase         (MjaSync              *self);
guint           mja_sync_get_pages         (MjaSync              *self);
guint           mja_sync_get_jobs_seen     (MjaSync              *self);
guint           mja_sync_get_jobs_new      (MjaSync              *self);
guint           mja_sync_get_jobs_skipped  (MjaSync              *self);
guint           mja_sync_get_images_queued (MjaSync              *self);
guint           mja_sync_get_images_done   (MjaSync              *self);
guint           mja_sync_get_images_skipped (MjaSync             *self);
guint           mja_sync_get_images_failed (MjaSync              *self);
guint           mja_sync_get_images_repaired (MjaSync            *self);
guint64         mja_sync_get_bytes         (MjaSync              *self);
double          mja_sync_get_bytes_per_second (MjaSync           *self);
int             mja_sync_get_seconds_left  (MjaSync              *self);
double          mja_sync_get_fraction      (MjaSync              *self);
guint           mja_sync_get_wait_seconds  (MjaSync              *self);
gboolean        mja_sync_get_cap_reached   (MjaSync              *self);
GPtrArray      *mja_sync_get_problems      (MjaSync              *self);
guint           mja_sync_get_n_problems    (MjaSync              *self);
GHashTable     *mja_sync_get_new_per_type  (MjaSync              *self);
char           *mja_sync_dup_phase_text    (MjaSync              *self);
char           *mja_sync_dup_summary       (MjaSync              *self);
MjaCredentials *mja_sync_get_credentials   (MjaSync              *self);

G_END_DECLS
