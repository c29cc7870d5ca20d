/* mja-sync.c — listing → archive → index → downloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one object the GUI and the CLI both drive.  A run happens in a
 * thread of its own with its own main context, so that file writes, the
 * index and the network never touch the caller's thread; what the caller
 * sees (properties, signals, the result) is handed over to the context
 * run_async was called in.  Downloads start while listing goes on.
 *
 * Resuming is a matter of order: a job's JSON is written last (its
 * presence means "archived"), images are renamed into place only when
 * complete, the index records what is missing, and "history-complete" is
 * set only once a listing reached the end; until then the next sync lists
 * everything again instead of stopping at what it already has.
 */
#define G_LOG_DOMAIN "mja-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive.h"
#include "mja-config.h"
#include "mja-downloader.h"
#include "mja-index.h"
#include "mja-sync.h"

#define PROGRESS_INTERVAL_MS 200
#define SPEED_WINDOW_US      (5 * G_USEC_PER_SEC)
#define MAX_PROBLEMS         200

typedef struct
{
  MjaSyncPhase phase;
  guint        pages;
  guint        jobs_seen;
  guint        jobs_new;
  guint        jobs_skipped;
  guint        images_queued;
  guint        images_done;
  guint        images_skipped;
  guint        images_failed;
  guint64      bytes;
  double       bytes_per_second;
  int          seconds_left;
  double       fraction;
  guint        wait_seconds;
  gboolean     cap_reached;
} Progress;

struct _MjaSync
{
  GObject         parent_instance;

  char           *archive_dir;
  MjaCredentials *credentials;
  MjaSyncOptions  options;
  gboolean        running;

  Progress        progress;
  GPtrArray      *problems;      /* MjaSyncProblem*, the most recent */
  guint           n_problems;
  GHashTable     *new_per_type;  /* job type -> count */
};

G_DEFINE_FINAL_TYPE (MjaSync, mja_sync, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PHASE,
  PROP_PAGES,
  PROP_JOBS_SEEN,
  PROP_JOBS_NEW,
  PROP_JOBS_SKIPPED,
  PROP_IMAGES_QUEUED,
  PROP_IMAGES_DONE,
  PROP_IMAGES_SKIPPED,
  PROP_IMAGES_FAILED,
  PROP_BYTES,
  PROP_BYTES_PER_SECOND,
  PROP_SECONDS_LEFT,
  PROP_FRACTION,
  PROP_WAIT_SECONDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PROBLEM,
  SIGNAL_JOBS_ADDED,
  SIGNAL_CREDENTIALS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- options -------------------------------------------------------- */

void
mja_sync_options_init (MjaSyncOptions *options)
{
  memset (options, 0, sizeof *options);
  mja_config_protocol_from_string (mja_config_get_default_string (MJA_CONFIG_KEY_PROTOCOL), &options->protocol);
  options->list = TRUE;
  options->page_size = mja_config_get_default_uint (MJA_CONFIG_KEY_PAGE_SIZE);
  options->json_indent = mja_config_get_default_uint (MJA_CONFIG_KEY_JSON_INDENT);
  options->download = TRUE;
  options->concurrency = mja_config_get_default_uint (MJA_CONFIG_KEY_CONCURRENCY);
  options->image_format = g_strdup (mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT));
  options->request_interval_ms = mja_config_get_default_uint (MJA_CONFIG_KEY_REQUEST_INTERVAL);
  options->max_tries = mja_config_get_default_uint (MJA_CONFIG_KEY_MAX_TRIES);
  options->retry_base_ms = mja_config_get_default_uint (MJA_CONFIG_KEY_RETRY_BASE);
}

void
mja_sync_options_clear (MjaSyncOptions *options)
{
  g_clear_pointer (&options->api_base_url, g_free);
  g_clear_pointer (&options->cdn_base_url, g_free);
  g_clear_pointer (&options->auth_base_url, g_free);
  g_clear_pointer (&options->job_types, g_strfreev);
  g_clear_pointer (&options->download_kinds, g_strfreev);
  g_clear_pointer (&options->image_format, g_free);
}

static void
options_copy (MjaSyncOptions       *dest,
              const MjaSyncOptions *src)
{
  *dest = *src;
  dest->api_base_url = g_strdup (src->api_base_url);
  dest->cdn_base_url = g_strdup (src->cdn_base_url);
  dest->auth_base_url = g_strdup (src->auth_base_url);
  dest->job_types = g_strdupv (src->job_types);
  dest->download_kinds = g_strdupv (src->download_kinds);
  dest->image_format = g_strdup (src->image_format ? src->image_format
                                 : mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT));
}

static void
problem_free (MjaSyncProblem *problem)
{
  g_free (problem->job_id);
  g_free (problem->message);
  g_free (problem);
}

/* ---- the object ----------------------------------------------------- */

static void
mja_sync_finalize (GObject *object)
{
  MjaSync *self = MJA_SYNC (object);

  g_free (self->archive_dir);
  g_clear_object (&self->credentials);
  mja_sync_options_clear (&self->options);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->new_per_type, g_hash_table_unref);

  G_OBJECT_CLASS (mja_sync_parent_class)->finalize (object);
}

static void
mja_sync_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MjaSync *self = MJA_SYNC (object);
  Progress *p = &self->progress;

  switch (prop_id)
    {
    case PROP_PHASE: g_value_set_uint (value, p->phase); break;
    case PROP_PAGES: g_value_set_uint (value, p->pages); break;
    case PROP_JOBS_SEEN: g_value_set_uint (value, p->jobs_seen); break;
    case PROP_JOBS_NEW: g_value_set_uint (value, p->jobs_new); break;
    case PROP_JOBS_SKIPPED: g_value_set_uint (value, p->jobs_skipped); break;
    case PROP_IMAGES_QUEUED: g_value_set_uint (value, p->images_queued); break;
    case PROP_IMAGES_DONE: g_value_set_uint (value, p->images_done); break;
    case PROP_IMAGES_SKIPPED: g_value_set_uint (value, p->images_skipped); break;
    case PROP_IMAGES_FAILED: g_value_set_uint (value, p->images_failed); break;
    case PROP_BYTES: g_value_set_uint64 (value, p->bytes); break;
    case PROP_BYTES_PER_SECOND: g_value_set_double (value, p->bytes_per_second); break;
    case PROP_SECONDS_LEFT: g_value_set_int (value, p->seconds_left); break;
    case PROP_FRACTION: g_value_set_double (value, p->fraction); break;
    case PROP_WAIT_SECONDS: g_value_set_uint (value, p->wait_seconds); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
uint_property (const char *name,
               const char *nick)
{
  return g_param_spec_uint (name, nick, NULL, 0, G_MAXUINT, 0,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
mja_sync_class_init (MjaSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = mja_sync_finalize;
  object_class->get_property = mja_sync_get_property;

  properties[PROP_PHASE] = g_param_spec_uint ("phase", "Phase", NULL, 0, MJA_SYNC_PHASE_DONE, 0, flags);
  properties[PROP_PAGES] = uint_property ("pages", "Pages listed");
  properties[PROP_JOBS_SEEN] = uint_property ("jobs-seen", "Jobs seen");
  properties[PROP_JOBS_NEW] = uint_property ("jobs-new", "New jobs");
  properties[PROP_JOBS_SKIPPED] = uint_property ("jobs-skipped", "Jobs already archived");
  properties[PROP_IMAGES_QUEUED] = uint_property ("images-queued", "Images queued");
  properties[PROP_IMAGES_DONE] = uint_property ("images-done", "Images downloaded");
  properties[PROP_IMAGES_SKIPPED] = uint_property ("images-skipped", "Images already there");
  properties[PROP_IMAGES_FAILED] = uint_property ("images-failed", "Images failed");
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", "Bytes", NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_PER_SECOND] = g_param_spec_double ("bytes-per-second", "Speed", NULL, 0, G_MAXDOUBLE, 0,
                                                           flags);
  properties[PROP_SECONDS_LEFT] = g_param_spec_int ("seconds-left", "Time left", NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", "Fraction", NULL, 0, 1, 0, flags);
  properties[PROP_WAIT_SECONDS] = uint_property ("wait-seconds", "Waiting");
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (job id or NULL, message) — something failed; the sync goes on. */
  signals[SIGNAL_PROBLEM] = g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /* (count) — new jobs are in the index. */
  signals[SIGNAL_JOBS_ADDED] = g_signal_new ("jobs-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* The session token was refreshed: store mja_sync_get_credentials(). */
  signals[SIGNAL_CREDENTIALS_CHANGED] = g_signal_new ("credentials-changed", G_TYPE_FROM_CLASS (klass),
                                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mja_sync_init (MjaSync *self)
{
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  self->new_per_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->progress.seconds_left = -1;
}

MjaSync *
mja_sync_new (const char           *archive_dir,
              MjaCredentials       *credentials,
              const MjaSyncOptions *options)
{
  MjaSync *self;

  g_return_val_if_fail (credentials == NULL || MJA_IS_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (credentials != NULL || (options != NULL && !options->list), NULL);

  self = g_object_new (MJA_TYPE_SYNC, NULL);
  self->archive_dir = archive_dir ? g_strdup (archive_dir) : mja_default_archive_dir ();
  self->credentials = credentials ? g_object_ref (credentials) : NULL;
  if (options)
    options_copy (&self->options, options);
  else
    mja_sync_options_init (&self->options);
  return self;
}

/* ---- the worker ----------------------------------------------------- */

typedef struct
{
  gint64  time;
  guint64 bytes;
  guint   images;
} Sample;

typedef struct
{
  MjaSync        *sync;
  GTask          *task;
  GMainContext   *owner_context;
  GMainContext   *context;
  GMainLoop      *loop;
  GCancellable   *cancellable;   /* cancels everything in the worker */
  GCancellable   *owner_cancellable;
  gulong          cancel_handler;
  MjaSyncOptions  options;
  MjaCredentials *credentials;

  MjaArchive     *archive;
  MjaIndex       *index;
  MjaApi         *api;
  MjaDownloader  *downloader;
  MjaListing     *listing;
  GSource        *timer;

  gboolean        may_stop_early;
  gboolean        used_checkpoint;
  gboolean        listing_done;
  gboolean        caught_up;     /* the listing reached the end, or what was archived */
  gboolean        finished;
  guint           network_failures;  /* images failed on the network in a row */
  GError         *fatal;

  Progress        progress;
  guint           jobs_added;
  gint64          wait_until;
  GPtrArray      *problems;      /* new since the last hand-over */
  GHashTable     *new_per_type;
  char           *new_cookie;
  GArray         *samples;
} Worker;

static void
worker_free (Worker *w)
{
  if (w->owner_cancellable && w->cancel_handler)
    g_cancellable_disconnect (w->owner_cancellable, w->cancel_handler);
  g_clear_object (&w->owner_cancellable);
  g_clear_object (&w->listing);
  if (w->downloader)
    g_signal_handlers_disconnect_by_data (w->downloader, w);
  g_clear_object (&w->downloader);
  if (w->api)
    g_signal_handlers_disconnect_by_data (w->api, w);
  g_clear_object (&w->api);
  g_clear_object (&w->index);
  g_clear_object (&w->archive);
  g_clear_object (&w->credentials);
  g_clear_object (&w->cancellable);
  g_clear_pointer (&w->loop, g_main_loop_unref);
  g_clear_pointer (&w->context, g_main_context_unref);
  g_clear_pointer (&w->owner_context, g_main_context_unref);
  g_clear_pointer (&w->problems, g_ptr_array_unref);
  g_clear_pointer (&w->new_per_type, g_hash_table_unref);
  g_clear_pointer (&w->samples, g_array_unref);
  g_clear_error (&w->fatal);
  g_free (w->new_cookie);
  mja_sync_options_clear (&w->options);
  g_free (w);
}

typedef struct
{
  MjaSync    *sync;
  Progress    progress;
  GPtrArray  *problems;
  GHashTable *new_per_type;
  guint       jobs_added;
  char       *new_cookie;
  GTask      *task;       /* set on the last hand-over: return it */
  GError     *fatal;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_object (&snapshot->sync);
  g_clear_pointer (&snapshot->problems, g_ptr_array_unref);
  g_clear_pointer (&snapshot->new_per_type, g_hash_table_unref);
  if (snapshot->new_cookie)
    memset (snapshot->new_cookie, 0, strlen (snapshot->new_cookie));
  g_free (snapshot->new_cookie);
  g_clear_object (&snapshot->task);
  g_clear_error (&snapshot->fatal);
  g_free (snapshot);
}

#define NOTIFY_IF(field, prop) \
  if (self->progress.field != snapshot->progress.field) \
    { self->progress.field = snapshot->progress.field; g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); }

/* In the caller's context: take over what the worker did since last time. */
static gboolean
apply_snapshot (gpointer data)
{
  Snapshot *snapshot = data;
  MjaSync *self = snapshot->sync;

  g_object_freeze_notify (G_OBJECT (self));
  NOTIFY_IF (phase, PROP_PHASE);
  NOTIFY_IF (pages, PROP_PAGES);
  NOTIFY_IF (jobs_seen, PROP_JOBS_SEEN);
  NOTIFY_IF (jobs_new, PROP_JOBS_NEW);
  NOTIFY_IF (jobs_skipped, PROP_JOBS_SKIPPED);
  NOTIFY_IF (images_queued, PROP_IMAGES_QUEUED);
  NOTIFY_IF (images_done, PROP_IMAGES_DONE);
  NOTIFY_IF (images_skipped, PROP_IMAGES_SKIPPED);
  NOTIFY_IF (images_failed, PROP_IMAGES_FAILED);
  NOTIFY_IF (bytes, PROP_BYTES);
  NOTIFY_IF (bytes_per_second, PROP_BYTES_PER_SECOND);
  NOTIFY_IF (seconds_left, PROP_SECONDS_LEFT);
  NOTIFY_IF (fraction, PROP_FRACTION);
  NOTIFY_IF (wait_seconds, PROP_WAIT_SECONDS);
  self->progress.cap_reached = snapshot->progress.cap_reached;
  g_object_thaw_notify (G_OBJECT (self));

  for (guint i = 0; snapshot->problems && i < snapshot->problems->len; i++)
    {
      MjaSyncProblem *problem = g_ptr_array_index (snapshot->problems, i);

      /* The most recent ones are kept; the count covers them all. */
      if (self->problems->len >= MAX_PROBLEMS)
        g_ptr_array_remove_index (self->problems, 0);
      g_ptr_array_add (self->problems, problem);
      self->n_problems++;
      g_signal_emit (self, signals[SIGNAL_PROBLEM], 0, problem->job_id, problem->message);
    }
  if (snapshot->problems)
    g_ptr_array_set_free_func (snapshot->problems, NULL);

  if (snapshot->jobs_added > 0)
    g_signal_emit (self, signals[SIGNAL_JOBS_ADDED], 0, snapshot->jobs_added);

  if (snapshot->new_cookie != NULL)
    {
      g_autoptr(MjaCredentials) updated = mja_credentials_parse (snapshot->new_cookie,
                                                                 mja_credentials_get_user_id (self->credentials),
                                                                 NULL);
      if (updated != NULL)
        {
          g_set_object (&self->credentials, updated);
          g_signal_emit (self, signals[SIGNAL_CREDENTIALS_CHANGED], 0);
        }
    }

  if (snapshot->task != NULL)
    {
      if (snapshot->new_per_type)
        {
          g_hash_table_unref (self->new_per_type);
          self->new_per_type = g_hash_table_ref (snapshot->new_per_type);
        }
      self->running = FALSE;
      if (snapshot->fatal)
        g_task_return_error (snapshot->task, g_steal_pointer (&snapshot->fatal));
      else
        g_task_return_boolean (snapshot->task, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static void
update_rates (Worker *w)
{
  Progress *p = &w->progress;
  gint64 now = g_get_monotonic_time ();
  guint handled = p->images_done + p->images_skipped + p->images_failed;
  Sample sample = { now, p->bytes, handled };
  Sample *oldest;

  g_array_append_val (w->samples, sample);
  while (w->samples->len > 2 && now - g_array_index (w->samples, Sample, 1).time > SPEED_WINDOW_US)
    g_array_remove_index (w->samples, 0);
  oldest = &g_array_index (w->samples, Sample, 0);

  if (now > oldest->time + G_USEC_PER_SEC / 2)
    {
      double seconds = (now - oldest->time) / (double) G_USEC_PER_SEC;
      double images_per_second = (handled - oldest->images) / seconds;
      guint remaining = p->images_queued > handled ? p->images_queued - handled : 0;

      p->bytes_per_second = (p->bytes - oldest->bytes) / seconds;
      if (!w->listing_done)
        p->seconds_left = -1;
      else if (remaining == 0)
        p->seconds_left = 0;
      else if (images_per_second > 0)
        p->seconds_left = (int) (remaining / images_per_second + 0.5);
    }
  p->fraction = p->images_queued > 0 ? MIN ((double) handled / p->images_queued, 1.0) : 0.0;

  p->wait_seconds = w->wait_until > now ? (guint) ((w->wait_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  if (w->finished)
    p->phase = MJA_SYNC_PHASE_DONE;
  else if (p->wait_seconds > 0)
    p->phase = MJA_SYNC_PHASE_WAITING;
  else if (w->listing_done)
    p->phase = MJA_SYNC_PHASE_DOWNLOADING;
  else if (p->pages > 0 || w->listing)
    p->phase = MJA_SYNC_PHASE_LISTING;
}

static void
hand_over (Worker *w,
           GTask  *task)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  update_rates (w);
  snapshot->sync = g_object_ref (w->sync);
  snapshot->progress = w->progress;
  snapshot->problems = g_steal_pointer (&w->problems);
  w->problems = g_ptr_array_new ();
  snapshot->jobs_added = w->jobs_added;
  w->jobs_added = 0;
  snapshot->new_cookie = g_steal_pointer (&w->new_cookie);
  if (task != NULL)
    {
      snapshot->task = task;
      snapshot->new_per_type = g_hash_table_ref (w->new_per_type);
      snapshot->fatal = g_steal_pointer (&w->fatal);
    }
  g_main_context_invoke_full (w->owner_context, G_PRIORITY_DEFAULT, apply_snapshot, snapshot,
                              (GDestroyNotify) snapshot_free);
}

static gboolean
timer_cb (gpointer data)
{
  hand_over (data, NULL);
  return G_SOURCE_CONTINUE;
}

static void
add_problem (Worker     *w,
             const char *job_id,
             const char *message)
{
  MjaSyncProblem *problem = g_new0 (MjaSyncProblem, 1);

  problem->job_id = g_strdup (job_id);
  problem->message = g_strdup (message);
  g_ptr_array_add (w->problems, problem);
}

static void
set_fatal (Worker *w,
           GError *error)
{
  if (w->fatal == NULL)
    w->fatal = g_error_copy (error);
  g_cancellable_cancel (w->cancellable);
}

static gboolean
type_wanted (GStrv   wanted,
             MjaJob *job)
{
  if (wanted == NULL || g_strv_contains ((const char * const *) wanted, "all"))
    return TRUE;
  return g_strv_contains ((const char * const *) wanted, mja_job_kind_to_string (mja_job_get_kind (job))) ||
         g_strv_contains ((const char * const *) wanted, mja_job_get_job_type (job));
}

static gboolean
download_wanted (Worker     *w,
                 const char *kind)
{
  static const char * const defaults[] = { "grid", "upscale", NULL };
  const char * const *kinds = w->options.download_kinds ? (const char * const *) w->options.download_kinds
                                                        : defaults;

  return w->options.download && (g_strv_contains (kinds, kind) || g_strv_contains (kinds, "all"));
}

static void
maybe_finish (Worker *w)
{
  g_autoptr(GError) error = NULL;

  if (w->finished || !w->listing_done || mja_downloader_get_pending (w->downloader) > 0)
    return;
  w->finished = TRUE;
  g_debug ("Listing and downloads are done");

  /* The archive now holds everything up to the newest job: later syncs
   * may stop where they meet what is archived.  Not so after a narrowed
   * listing, which skipped jobs on purpose. */
  if (w->caught_up && w->fatal == NULL && w->options.job_types == NULL &&
      w->options.from_us == 0 && w->options.to_us == 0 && w->options.page_limit == 0)
    {
      const char *checkpoint = mja_listing_get_checkpoint (w->listing);

      if (!mja_index_set_state (w->index, "history-complete", "1", &error) ||
          (checkpoint != NULL && !mja_index_set_state (w->index, "checkpoint", checkpoint, &error)))
        set_fatal (w, error);
    }
  if (w->fatal == NULL || g_error_matches (w->fatal, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    mja_index_set_state (w->index, "dirty", NULL, NULL);
  g_main_loop_quit (w->loop);
}

static void
queue_images (Worker     *w,
              MjaJob     *job,
              GPtrArray  *planned)
{
  const char *kind = mja_job_kind_to_string (mja_job_get_kind (job));

  if (!download_wanted (w, kind))
    return;
  for (guint i = 0; i < planned->len; i++)
    {
      MjaPlannedImage *image = g_ptr_array_index (planned, i);

      w->progress.images_queued++;
      mja_downloader_add (w->downloader, mja_job_get_id (job), image->index, image->url, image->path);
    }
}

/* A listed page on its way into the archive. */
typedef struct
{
  Worker    *w;
  MjaPage   *page;
  GPtrArray *jobs;      /* MjaJob*: wanted, and not both on disk and indexed */
  GArray    *on_disk;   /* gboolean per job: already archived before */
  gboolean   all_archived;
  gboolean   older_than_wanted;
  guint      json_indent;
  gboolean   overwrite;
} PageWork;

static void
page_work_free (PageWork *work)
{
  g_clear_pointer (&work->page, mja_page_free);
  g_clear_pointer (&work->jobs, g_ptr_array_unref);
  g_clear_pointer (&work->on_disk, g_array_unref);
  g_free (work);
}

/* In the loop: what to do with each job of the page.  Cheap: stats only. */
static PageWork *
sort_page (Worker  *w,
           MjaPage *page)
{
  PageWork *work = g_new0 (PageWork, 1);

  work->w = w;
  work->page = page;
  work->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  work->on_disk = g_array_new (FALSE, FALSE, sizeof (gboolean));
  work->all_archived = TRUE;
  work->json_indent = w->options.json_indent;
  work->overwrite = w->options.overwrite_metadata;

  for (guint i = 0; i < page->rejected->len; i++)
    add_problem (w, NULL, g_ptr_array_index (page->rejected, i));

  for (guint i = 0; i < page->jobs->len; i++)
    {
      MjaJob *job = g_ptr_array_index (page->jobs, i);
      GDateTime *time = mja_job_get_enqueue_time (job);
      gint64 time_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
      gboolean on_disk;

      w->progress.jobs_seen++;
      if (w->options.from_us != 0 && time_us < w->options.from_us)
        {
          /* Newest first: everything after this is older still. */
          work->older_than_wanted = TRUE;
          continue;
        }
      if ((w->options.to_us != 0 && time_us > w->options.to_us) || !type_wanted (w->options.job_types, job))
        continue;

      on_disk = mja_archive_has_job (w->archive, job);
      if (on_disk && !w->options.overwrite_metadata)
        w->progress.jobs_skipped++;
      else
        work->all_archived = FALSE;
      if (on_disk && !w->options.overwrite_metadata && mja_index_has_job (w->index, mja_job_get_id (job)))
        continue;
      g_ptr_array_add (work->jobs, g_object_ref (job));
      g_array_append_val (work->on_disk, on_disk);
    }
  return work;
}

/* In a pool thread: the files.  Each is flushed to disk before it gets
 * its name, which takes the disk's time: the loop goes on downloading.
 * The next page is listed once this one is written, so that at most one
 * page waits for the disk. */
static void
write_page_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PageWork *work = task_data;
  GError *error = NULL;

  for (guint i = 0; i < work->jobs->len; i++)
    {
      if (!mja_archive_write_job (work->w->archive, g_ptr_array_index (work->jobs, i), work->json_indent,
                                  work->overwrite, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

/* In the loop: the index, then the downloads.  Returns FALSE on a fatal
 * error. */
static gboolean
index_page (Worker   *w,
            PageWork *work)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plans = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  if (!mja_index_begin (w->index, &error))
    {
      set_fatal (w, error);
      return FALSE;
    }
  for (guint i = 0; i < work->jobs->len; i++)
    {
      MjaJob *job = g_ptr_array_index (work->jobs, i);
      g_autofree char *json_path = mja_archive_dup_json_path (job);
      GPtrArray *planned = mja_archive_plan_images (job, w->options.cdn_base_url, w->options.image_format);

      g_ptr_array_add (plans, planned);
      if (!mja_index_add_job (w->index, job, json_path, planned, &error))
        {
          mja_index_commit (w->index, NULL);
          set_fatal (w, error);
          return FALSE;
        }
      if (!g_array_index (work->on_disk, gboolean, i))
        {
          const char *type = mja_job_get_job_type (job);

          w->progress.jobs_new++;
          w->jobs_added++;
          g_hash_table_insert (w->new_per_type, g_strdup (type),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (w->new_per_type, type)) + 1));
        }
    }
  if (!mja_index_commit (w->index, &error))
    {
      set_fatal (w, error);
      return FALSE;
    }

  /* Queued after the commit, so a finished download always finds its row. */
  for (guint i = 0; i < work->jobs->len; i++)
    queue_images (w, g_ptr_array_index (work->jobs, i), g_ptr_array_index (plans, i));
  return TRUE;
}

static void next_page (Worker *w);

static void
page_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PageWork *work = g_task_get_task_data (G_TASK (result));
  Worker *w = work->w;
  g_autoptr(GError) error = NULL;
  MjaPage *page = work->page;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_fatal (w, error);
      w->listing_done = TRUE;
    }
  else if (work->older_than_wanted || (w->options.page_limit > 0 && w->progress.pages >= w->options.page_limit))
    w->listing_done = TRUE;
  else if (w->may_stop_early && work->all_archived && page->jobs->len > 0 &&
           (!w->used_checkpoint || mja_listing_get_update_failed (w->listing)))
    {
      /* Listing everything, newest first: we met what we already have. */
      w->listing_done = TRUE;
      w->caught_up = TRUE;
    }

  if (w->listing_done)
    maybe_finish (w);
  else
    next_page (w);
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Worker *w = user_data;
  g_autoptr(GError) error = NULL;
  MjaPage *page = mja_listing_next_finish (MJA_LISTING (source), result, &error);
  g_autoptr(GTask) task = NULL;
  PageWork *work;

  if (page == NULL)
    {
      w->listing_done = TRUE;
      w->progress.cap_reached = mja_listing_get_cap_reached (w->listing);
      if (error != NULL)
        {
          /* What is queued still downloads: nothing listed is lost. */
          if (w->fatal == NULL)
            w->fatal = g_steal_pointer (&error);
        }
      else
        w->caught_up = TRUE;
      if (w->progress.cap_reached)
        add_problem (w, NULL, _("Midjourney's legacy site lists only your 2,500 newest jobs; older ones could not "
                                "be listed and are not in the archive."));
      maybe_finish (w);
      return;
    }

  w->progress.pages++;
  g_debug ("Page %u: %u jobs, %u refused", page->number, page->jobs->len, page->rejected->len);
  work = sort_page (w, page);
  /* The index and the downloads first, so that images start coming while
   * the page's files are flushed to disk one by one (a page takes the disk
   * a quarter of a second).  Should the process die in between, the next
   * sync finds those jobs without their JSON and writes them again. */
  if (!index_page (w, work))
    {
      page_work_free (work);
      w->listing_done = TRUE;
      maybe_finish (w);
      return;
    }
  task = g_task_new (NULL, NULL, page_written_cb, NULL);
  g_task_set_task_data (task, work, (GDestroyNotify) page_work_free);
  g_task_run_in_thread (task, write_page_thread);
}

static void
next_page (Worker *w)
{
  mja_listing_next_async (w->listing, w->cancellable, page_cb, w);
}

static void
image_done_cb (MjaDownloader *downloader,
               const char    *job_id,
               guint          index,
               guint64        size,
               gboolean       skipped,
               Worker        *w)
{
  g_autoptr(GError) error = NULL;

  if (skipped)
    w->progress.images_skipped++;
  else
    {
      w->progress.images_done++;
      w->network_failures = 0;
    }
  if (!mja_index_set_image (w->index, job_id, index, MJA_IMAGE_DONE, size, &error))
    set_fatal (w, error);
}

static void
image_failed_cb (MjaDownloader *downloader,
                 const char    *job_id,
                 guint          index,
                 GError        *error,
                 Worker        *w)
{
  if (g_error_matches (error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK))
    {
      set_fatal (w, error);
      return;
    }
  w->progress.images_failed++;
  mja_index_set_image (w->index, job_id, index, MJA_IMAGE_FAILED, 0, NULL);
  add_problem (w, job_id, error->message);

  /* As many images in a row as go at once, each after all its tries: the
   * network or the image server is gone.  Stop now rather than spend the
   * tries of every image still queued; the next sync resumes. */
  if (g_error_matches (error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_NETWORK) &&
      ++w->network_failures >= MAX (w->options.concurrency, 3))
    {
      g_autoptr(GError) gone = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_NETWORK,
                                            _("The image server cannot be reached (%s). Check your connection "
                                              "and sync again later; the archive resumes where it stopped."),
                                            error->message);
      set_fatal (w, gone);
    }
}

static void
bytes_cb (MjaDownloader *downloader,
          guint64        bytes,
          Worker        *w)
{
  w->progress.bytes += bytes;
}

static void
idle_cb (MjaDownloader *downloader,
         Worker        *w)
{
  maybe_finish (w);
}

static void
waiting_cb (MjaApi     *api,
            guint       seconds,
            const char *reason,
            Worker     *w)
{
  w->wait_until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static void
credentials_changed_cb (MjaApi *api,
                        Worker *w)
{
  g_free (w->new_cookie);
  w->new_cookie = mja_credentials_dup_cookie_header (w->credentials);
}

static void
owner_cancelled_cb (GCancellable *cancellable,
                    Worker       *w)
{
  g_cancellable_cancel (w->cancellable);
}

/* Removes downloads a killed process left unfinished. */
static void
remove_leftovers (Worker *w)
{
  g_autoptr(MjaArchiveScan) scan = mja_archive_scan (w->archive, w->cancellable, NULL);

  for (guint i = 0; scan && i < scan->part_files->len; i++)
    {
      g_autofree char *path = mja_archive_dup_path (w->archive, g_ptr_array_index (scan->part_files, i));
      g_remove (path);
    }
}

static gboolean
worker_setup (Worker *w)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autofree char *dirty = NULL;
  g_autofree char *complete = NULL;
  g_autofree char *checkpoint = NULL;
  const char *legacy_type = NULL;

  w->archive = mja_archive_new (w->sync->archive_dir);
  if (!mja_archive_check_writable (w->archive, &error))
    {
      set_fatal (w, error);
      return FALSE;
    }
  w->index = mja_index_open_archive (w->archive, &error);
  if (w->index == NULL)
    {
      set_fatal (w, error);
      return FALSE;
    }
  dirty = mja_index_dup_state (w->index, "dirty");
  if (dirty != NULL)
    remove_leftovers (w);
  if (!mja_index_set_state (w->index, "dirty", "1", &error))
    {
      set_fatal (w, error);
      return FALSE;
    }

  w->downloader = mja_downloader_new (w->archive, w->options.concurrency, w->cancellable);
  mja_downloader_set_retry_policy (w->downloader, w->options.max_tries, w->options.retry_base_ms);
  if (w->options.max_image_bytes > 0)
    mja_downloader_set_max_file_size (w->downloader, w->options.max_image_bytes);
  mja_downloader_set_answer_timeout (w->downloader, w->options.answer_timeout_s);
  g_signal_connect (w->downloader, "image-done", G_CALLBACK (image_done_cb), w);
  g_signal_connect (w->downloader, "image-failed", G_CALLBACK (image_failed_cb), w);
  g_signal_connect (w->downloader, "bytes-received", G_CALLBACK (bytes_cb), w);
  g_signal_connect (w->downloader, "idle", G_CALLBACK (idle_cb), w);

  /* What earlier runs listed but did not finish downloading. */
  if (w->options.download)
    {
      pending = mja_index_dup_pending_images (w->index, NULL, &error);
      if (pending == NULL)
        {
          set_fatal (w, error);
          return FALSE;
        }
      for (guint i = 0; i < pending->len; i++)
        {
          MjaIndexImage *image = g_ptr_array_index (pending, i);

          if (!download_wanted (w, image->kind))
            continue;
          w->progress.images_queued++;
          mja_downloader_add (w->downloader, image->job_id, image->index, image->url, image->path);
        }
    }

  if (!w->options.list)
    return TRUE;

  w->api = mja_api_new (w->options.api_base_url, w->options.auth_base_url);
  mja_api_set_credentials (w->api, w->credentials);
  mja_api_set_protocol (w->api, w->options.protocol);
  mja_api_set_request_interval (w->api, w->options.request_interval_ms);
  mja_api_set_retry_policy (w->api, w->options.max_tries, w->options.retry_base_ms);
  mja_api_set_answer_limits (w->api, w->options.max_page_bytes, w->options.answer_timeout_s);
  g_signal_connect (w->api, "waiting", G_CALLBACK (waiting_cb), w);
  g_signal_connect (w->api, "credentials-changed", G_CALLBACK (credentials_changed_cb), w);

  complete = mja_index_dup_state (w->index, "history-complete");
  w->may_stop_early = !w->options.full && complete != NULL;
  if (w->may_stop_early)
    checkpoint = mja_index_dup_state (w->index, "checkpoint");
  w->used_checkpoint = checkpoint != NULL;
  if (w->options.job_types != NULL && g_strv_length (w->options.job_types) == 1 &&
      (g_str_equal (w->options.job_types[0], "upscale") || g_str_equal (w->options.job_types[0], "grid")))
    legacy_type = w->options.job_types[0];
  w->listing = mja_api_list (w->api, w->options.page_size, checkpoint, legacy_type);
  return TRUE;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  GTask *task = g_steal_pointer (&w->task);

  g_main_context_push_thread_default (w->context);

  w->progress.phase = MJA_SYNC_PHASE_STARTING;
  if (worker_setup (w))
    {
      w->timer = g_timeout_source_new (PROGRESS_INTERVAL_MS);
      g_source_set_callback (w->timer, timer_cb, w, NULL);
      g_source_attach (w->timer, w->context);
      if (w->listing != NULL)
        next_page (w);
      else
        {
          w->listing_done = TRUE;
          maybe_finish (w);
        }
      if (!w->finished)
        g_main_loop_run (w->loop);
      g_source_destroy (w->timer);
      g_clear_pointer (&w->timer, g_source_unref);
    }
  w->finished = TRUE;
  w->listing_done = TRUE;
  hand_over (w, task);

  /* Let cancelled operations wind down before their objects go. */
  g_clear_object (&w->listing);
  if (w->downloader)
    g_signal_handlers_disconnect_by_data (w->downloader, w);
  g_clear_object (&w->downloader);
  while (g_main_context_iteration (w->context, FALSE))
    ;
  g_main_context_pop_thread_default (w->context);
  worker_free (w);
  return NULL;
}

void
mja_sync_run_async (MjaSync             *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Worker *w;
  GThread *thread;

  g_return_if_fail (MJA_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mja_sync_run_async);
  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, _("A sync is already running."));
      return;
    }
  self->running = TRUE;
  memset (&self->progress, 0, sizeof self->progress);
  self->progress.seconds_left = -1;
  g_ptr_array_set_size (self->problems, 0);
  self->n_problems = 0;
  g_hash_table_remove_all (self->new_per_type);

  w = g_new0 (Worker, 1);
  w->sync = self;  /* kept alive by the task */
  w->task = g_steal_pointer (&task);
  w->owner_context = g_main_context_ref_thread_default ();
  w->context = g_main_context_new ();
  w->loop = g_main_loop_new (w->context, FALSE);
  w->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      w->owner_cancellable = g_object_ref (cancellable);
      w->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (owner_cancelled_cb), w, NULL);
    }
  options_copy (&w->options, &self->options);
  /* The worker's own copy: a refresh in its thread never races a read
   * of the caller's. */
  if (self->credentials != NULL)
    {
      g_autofree char *cookie = mja_credentials_dup_cookie_header (self->credentials);
      w->credentials = mja_credentials_parse (cookie, mja_credentials_get_user_id (self->credentials), NULL);
      memset (cookie, 0, strlen (cookie));
      if (w->credentials == NULL)
        w->credentials = g_object_ref (self->credentials);
    }
  w->problems = g_ptr_array_new ();
  w->new_per_type = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->samples = g_array_new (FALSE, FALSE, sizeof (Sample));

  thread = g_thread_new ("mja-sync", worker_thread, w);
  g_thread_unref (thread);
}

gboolean
mja_sync_run_finish (MjaSync       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- what the caller reads ----------------------------------------- */

MjaSyncPhase mja_sync_get_phase (MjaSync *self) { return self->progress.phase; }
guint mja_sync_get_pages (MjaSync *self) { return self->progress.pages; }
guint mja_sync_get_jobs_seen (MjaSync *self) { return self->progress.jobs_seen; }
guint mja_sync_get_jobs_new (MjaSync *self) { return self->progress.jobs_new; }
guint mja_sync_get_jobs_skipped (MjaSync *self) { return self->progress.jobs_skipped; }
guint mja_sync_get_images_queued (MjaSync *self) { return self->progress.images_queued; }
guint mja_sync_get_images_done (MjaSync *self) { return self->progress.images_done; }
guint mja_sync_get_images_skipped (MjaSync *self) { return self->progress.images_skipped; }
guint mja_sync_get_images_failed (MjaSync *self) { return self->progress.images_failed; }
guint64 mja_sync_get_bytes (MjaSync *self) { return self->progress.bytes; }
double mja_sync_get_bytes_per_second (MjaSync *self) { return self->progress.bytes_per_second; }
int mja_sync_get_seconds_left (MjaSync *self) { return self->progress.seconds_left; }
double mja_sync_get_fraction (MjaSync *self) { return self->progress.fraction; }
guint mja_sync_get_wait_seconds (MjaSync *self) { return self->progress.wait_seconds; }
gboolean mja_sync_get_cap_reached (MjaSync *self) { return self->progress.cap_reached; }
GPtrArray *mja_sync_get_problems (MjaSync *self) { return self->problems; }
guint mja_sync_get_n_problems (MjaSync *self) { return self->n_problems; }
GHashTable *mja_sync_get_new_per_type (MjaSync *self) { return self->new_per_type; }
MjaCredentials *mja_sync_get_credentials (MjaSync *self) { return self->credentials; }

char *
mja_sync_dup_phase_text (MjaSync *self)
{
  Progress *p = &self->progress;
  guint handled = p->images_done + p->images_skipped + p->images_failed;

  switch (p->phase)
    {
    case MJA_SYNC_PHASE_IDLE:
      return g_strdup (_("Not syncing"));
    case MJA_SYNC_PHASE_STARTING:
      return g_strdup (_("Starting"));
    case MJA_SYNC_PHASE_LISTING:
      return g_strdup_printf (_("Listing page %u"), p->pages + 1);
    case MJA_SYNC_PHASE_DOWNLOADING:
      return g_strdup_printf (_("Downloading %u of %u"), MIN (handled + 1, p->images_queued), p->images_queued);
    case MJA_SYNC_PHASE_WAITING:
      return g_strdup_printf (ngettext ("Waiting %u second", "Waiting %u seconds", p->wait_seconds),
                              p->wait_seconds);
    case MJA_SYNC_PHASE_DONE:
    default:
      return g_strdup (_("Done"));
    }
}

char *
mja_sync_dup_summary (MjaSync *self)
{
  Progress *p = &self->progress;
  g_autofree char *size = g_format_size (p->bytes);
  g_autofree char *jobs = g_strdup_printf (ngettext ("%u new job", "%u new jobs", p->jobs_new), p->jobs_new);
  g_autofree char *images = g_strdup_printf (ngettext ("%u image", "%u images", p->images_done), p->images_done);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("Sync complete: %s, %s (%s)"), jobs, images, size);
  if (p->jobs_skipped > 0 || p->images_skipped > 0)
    g_string_append_printf (text, _("; %u jobs and %u images were already archived"), p->jobs_skipped,
                            p->images_skipped);
  if (self->n_problems > 0)
    g_string_append_printf (text, ngettext ("; %u problem", "; %u problems", self->n_problems),
                            self->n_problems);
  g_string_append_c (text, '.');
  return g_string_free (text, FALSE);
}
