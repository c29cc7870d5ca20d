/* mja-index.h — SQLite (WAL) + FTS5 index over the archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive.h"
#include "mja-job.h"
#include "mja-types.h"

G_BEGIN_DECLS

#define MJA_INDEX_ERROR (mja_index_error_quark ())

typedef enum
{
  MJA_INDEX_ERROR_DATABASE,
  MJA_INDEX_ERROR_BAD_QUERY,
} MjaIndexError;

typedef struct
{
  char       *text;          /* full-text query (FTS5 syntax; bare words match as prefixes) */
  GStrv       job_types;     /* e.g. "v6_upscale"; NULL = all */
  GStrv       kinds;         /* "grid", "upscale", "video"; NULL = all */
  GStrv       categories;    /* mja_job_category_to_string(): "image", "upscale"; NULL = all */
  GStrv       models;        /* mja_command_dup_model(): "V7", "Niji 6"; NULL = all */
  GStrv       aspect_ratios; /* mja_command_dup_aspect_ratio(): "16:9"; NULL = all */
  gint64      from_us;       /* enqueue time bounds, 0 = open */
  gint64      to_us;
  guint       min_rating;    /* 0 = any */
  gboolean    liked_only;
  gboolean    with_images_only;
  gboolean    oldest_first;
  gboolean    by_rating;     /* highest rated first, unrated last; then by time */
  guint       offset;
  guint       limit;         /* 0 = no limit */
} MjaIndexQuery;

typedef struct
{
  char     *id;
  char     *json_path;
  gint64    time_us;
  char     *job_type;
  char     *event_type;      /* the current era's "diffusion", "variation"…; NULL in the legacy era */
  char     *kind;
  char     *prompt;
  char     *full_command;
  guint     width;
  guint     height;
  guint     rating;          /* 1–5; 0 = not rated (NULL in the index, null in JSON) */
  gboolean  liked;
  char     *parent_id;
  char     *first_image;     /* relative path of the first downloaded image, or NULL */
  guint     n_images;        /* downloaded */
} MjaIndexRow;

typedef struct
{
  char    *job_id;
  guint    index;
  char    *path;
  char    *url;
  char    *kind;
  MjaImageState state;  /* mja_index_dup_images() only */
} MjaIndexImage;

typedef struct
{
  guint64     jobs;
  guint64     images;          /* downloaded */
  guint64     bytes;
  guint64     missing_images;  /* of the kinds downloaded: not (yet) there */
  guint64     failed_images;   /* of those: failed last time */
  guint64     not_wanted;      /* of kinds not downloaded (videos are opt-in) */
  GPtrArray  *per_type;        /* MjaIndexCount* */
  GPtrArray  *per_month;       /* MjaIndexCount*, "YYYY-MM" */
} MjaIndexStats;

typedef struct
{
  char    *name;
  guint64  count;
} MjaIndexCount;

/* The kinds the last sync downloaded, comma-separated (set by mja-sync,
 * read through mja_index_dup_download_kinds() by verify and stats). */
#define MJA_INDEX_STATE_DOWNLOAD_KINDS "download-kinds"

/* What a job can be counted by, in words (src/core/mja-job-words.h). */
typedef enum
{
  MJA_INDEX_FACET_CATEGORY,      /* "image", "upscale", … merged across the API eras */
  MJA_INDEX_FACET_MODEL,         /* "V7", "Niji 6" */
  MJA_INDEX_FACET_ASPECT_RATIO,  /* "16:9" */
  MJA_INDEX_FACET_MONTH,         /* "2025-03", in UTC as the date filters are */
} MjaIndexFacet;

#define MJA_TYPE_INDEX (mja_index_get_type ())
G_DECLARE_FINAL_TYPE (MjaIndex, mja_index, MJA, INDEX, GObject)

GQuark         mja_index_error_quark     (void);

MjaIndex      *mja_index_open            (const char     *path,
                                          GError        **error);
MjaIndex      *mja_index_open_archive    (MjaArchive     *archive,
                                          GError        **error);
gboolean       mja_index_begin           (MjaIndex       *self,
                                          GError        **error);
gboolean       mja_index_commit          (MjaIndex       *self,
                                          GError        **error);
gboolean       mja_index_clear           (MjaIndex       *self,
                                          GError        **error);

gboolean       mja_index_add_job         (MjaIndex       *self,
                                          MjaJob         *job,
                                          const char     *json_path,
                                          GPtrArray      *planned,
                                          GError        **error);
gboolean       mja_index_has_job         (MjaIndex       *self,
                                          const char     *id);
gboolean       mja_index_job_is_current (MjaIndex      *self,
                                          MjaJob        *job);
gboolean       mja_index_set_image       (MjaIndex       *self,
                                          const char     *job_id,
                                          guint           index,
                                          MjaImageState   state,
                                          guint64         size,
                                          GError        **error);
GPtrArray     *mja_index_dup_pending_images (MjaIndex    *self,
                                          GStrv           kinds,
                                          GError        **error);

char          *mja_index_dup_state       (MjaIndex       *self,
                                          const char     *key);
gboolean       mja_index_set_state       (MjaIndex       *self,
                                          const char     *key,
                                          const char     *value,
                                          GError        **error);

GPtrArray     *mja_index_query           (MjaIndex       *self,
                                          const MjaIndexQuery *query,
                                          GError        **error);
GPtrArray     *mja_index_query_ids       (MjaIndex       *self,
                                          const MjaIndexQuery *query,
                                          GError        **error);
MjaIndexRow   *mja_index_dup_row         (MjaIndex       *self,
                                          const char     *id,
                                          GError        **error);
gint64         mja_index_count           (MjaIndex       *self,
                                          const MjaIndexQuery *query,
                                          GError        **error);
/* A byte range of a prompt that a search matched. */
typedef struct
{
  guint start;
  guint end;
} MjaIndexMatch;

GArray        *mja_index_find_matches     (const char    *search,
                                           const char    *text);
GPtrArray     *mja_index_dup_facet_counts (MjaIndex      *self,
                                          MjaIndexFacet   facet,
                                          const MjaIndexQuery *query,
                                          GError        **error);
MjaIndexStats *mja_index_dup_stats       (MjaIndex       *self,
                                          GStrv           download_kinds,
                                          GError        **error);
GStrv          mja_index_dup_download_kinds (MjaIndex            *self,
                                          const char * const  *kinds_with_images,
                                          GError             **error);
GPtrArray     *mja_index_dup_images      (MjaIndex       *self,
                                          const char     *job_id,
                                          GError        **error);
GPtrArray     *mja_index_dup_children    (MjaIndex       *self,
                                          const char     *parent_id,
                                          GError        **error);

typedef struct
{
  guint      jobs;
  guint      images_found;
  guint      images_missing;
  GPtrArray *broken;   /* char*: "path: why" for files that could not be read */
} MjaRebuildReport;

MjaRebuildReport *mja_index_rebuild      (MjaIndex       *self,
                                          MjaArchive     *archive,
                                          const char     *cdn_base_url,
                                          const char     *image_format,
                                          GCancellable   *cancellable,
                                          GError        **error);
void           mja_rebuild_report_free   (MjaRebuildReport *report);
guint          mja_index_build_if_empty  (MjaIndex       *self,
                                          MjaArchive     *archive,
                                          const char     *cdn_base_url,
                                          GCancellable   *cancellable);

void           mja_index_row_free        (MjaIndexRow    *row);
void           mja_index_image_free      (MjaIndexImage  *image);
void           mja_index_stats_free      (MjaIndexStats  *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaIndexStats, mja_index_stats_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaRebuildReport, mja_rebuild_report_free)

G_END_DECLS
