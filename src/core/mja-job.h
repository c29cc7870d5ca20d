/* mja-job.h — one Midjourney job, parsed from either API era's JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MJA_JOB_ERROR (mja_job_error_quark ())

typedef enum
{
  MJA_JOB_ERROR_INVALID_JSON,
  MJA_JOB_ERROR_MISSING_FIELD,
  MJA_JOB_ERROR_WRONG_TYPE,
  MJA_JOB_ERROR_INVALID_ID,
  MJA_JOB_ERROR_INVALID_TIME,
  MJA_JOB_ERROR_INVALID_URL,
  MJA_JOB_ERROR_INVALID_EXTENSION,
  MJA_JOB_ERROR_INVALID_VALUE,
} MjaJobError;

typedef enum
{
  MJA_JOB_ERA_LEGACY,
  MJA_JOB_ERA_CURRENT,
} MjaJobEra;

/* What kind of output a job made; decides which jobs' images are
 * downloaded ("--job-types-to-download grid,upscale"). */
typedef enum
{
  MJA_JOB_KIND_GRID,
  MJA_JOB_KIND_UPSCALE,
  MJA_JOB_KIND_VIDEO,
} MjaJobKind;

#define MJA_TYPE_JOB (mja_job_get_type ())
G_DECLARE_FINAL_TYPE (MjaJob, mja_job, MJA, JOB, GObject)

GQuark       mja_job_error_quark        (void);

MjaJob      *mja_job_new_from_json      (JsonObject   *object,
                                         GError      **error);
MjaJob      *mja_job_new_from_data      (const char   *data,
                                         gssize        length,
                                         GError      **error);
MjaJob      *mja_job_new_from_node      (JsonNode     *root,
                                         GError      **error);

JsonObject  *mja_job_get_json           (MjaJob       *self);
MjaJobEra    mja_job_get_era            (MjaJob       *self);
const char  *mja_job_get_id             (MjaJob       *self);
GDateTime   *mja_job_get_enqueue_time   (MjaJob       *self);
const char  *mja_job_get_job_type       (MjaJob       *self);
const char  *mja_job_get_event_type     (MjaJob       *self);
MjaJobKind   mja_job_get_kind           (MjaJob       *self);
const char  *mja_job_get_prompt         (MjaJob       *self);
const char  *mja_job_get_full_command   (MjaJob       *self);
guint        mja_job_get_width          (MjaJob       *self);
guint        mja_job_get_height         (MjaJob       *self);
guint        mja_job_get_batch_size     (MjaJob       *self);
guint        mja_job_get_rating         (MjaJob       *self);  /* 0 = not rated (null) */
gboolean     mja_job_get_liked          (MjaJob       *self);
const char  *mja_job_get_parent_id      (MjaJob       *self);

GStrv        mja_job_dup_listed_urls    (MjaJob       *self);

const char  *mja_job_kind_to_string     (MjaJobKind    kind);
gboolean     mja_job_kind_from_string   (const char   *name,
                                         MjaJobKind   *kind);

gboolean     mja_job_id_is_valid        (const char   *id);
gboolean     mja_extension_is_valid     (const char   *extension);
char        *mja_url_dup_extension      (const char   *url);
gboolean     mja_url_check              (const char   *url,
                                         const char   *field,
                                         GError      **error);
char        *mja_prompt_from_command    (const char   *full_command);
GDateTime   *mja_parse_enqueue_time     (const char   *text);

G_END_DECLS
