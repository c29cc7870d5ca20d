/* mja-sync.c — listing → archive → index → downloads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one object the GUI and the CLI both drive: its options, the
 * progress as properties, the signals, and the result.  A run happens in
 * the worker (mja-sync-worker.c), a thread of its own with its own main
 * context, so that file writes, the index and the network never touch
 * the caller's thread; this file only takes over what the worker hands
 * to the context run_async was called in.  It never opens the archive,
 * the index or a connection itself.  Downloads start while listing goes
 * on.
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
#include <string.h>

#include "mja-archive.h"
#include "mja-config.h"
#include "mja-sync-private.h"

#define MAX_PROBLEMS 200

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
  options->embed_metadata = mja_config_get_default_boolean (MJA_CONFIG_KEY_EMBED_METADATA);
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
  g_clear_object (&options->transport);
}

void
_mja_sync_options_copy (MjaSyncOptions       *dest,
                        const MjaSyncOptions *src)
{
  *dest = *src;
  dest->api_base_url = g_strdup (src->api_base_url);
  dest->cdn_base_url = g_strdup (src->cdn_base_url);
  dest->auth_base_url = g_strdup (src->auth_base_url);
  dest->job_types = g_strdupv (src->job_types);
  dest->download_kinds = g_strdupv (src->download_kinds);
  dest->transport = src->transport ? g_object_ref (src->transport) : NULL;
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
  MjaSyncProgress *p = &self->progress;

  switch (prop_id)
    {
    case PROP_PHASE: g_value_set_enum (value, p->phase); break;
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

  properties[PROP_PHASE] = g_param_spec_enum ("phase", "Phase", NULL, MJA_TYPE_SYNC_PHASE, MJA_SYNC_PHASE_IDLE,
                                              flags);
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
    _mja_sync_options_copy (&self->options, options);
  else
    mja_sync_options_init (&self->options);
  return self;
}

void
_mja_sync_snapshot_free (MjaSyncSnapshot *snapshot)
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
gboolean
_mja_sync_apply_snapshot (gpointer data)
{
  MjaSyncSnapshot *snapshot = data;
  MjaSync *self = snapshot->sync;

  g_assert (MJA_IS_SYNC (self));
  /* Snapshots come only from a running worker, and its last one (with
   * the task) says it is done. */
  g_assert (self->running);
  g_assert (snapshot->task == NULL || snapshot->progress.phase == MJA_SYNC_PHASE_DONE);

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
  self->progress.images_repaired = snapshot->progress.images_repaired;
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

void
mja_sync_run_async (MjaSync             *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

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

  _mja_sync_worker_start (self, g_steal_pointer (&task), cancellable);
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
guint mja_sync_get_images_repaired (MjaSync *self) { return self->progress.images_repaired; }
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
  MjaSyncProgress *p = &self->progress;
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
  MjaSyncProgress *p = &self->progress;
  g_autofree char *size = g_format_size (p->bytes);
  g_autofree char *jobs = g_strdup_printf (ngettext ("%u new job", "%u new jobs", p->jobs_new), p->jobs_new);
  g_autofree char *images = g_strdup_printf (ngettext ("%u image", "%u images", p->images_done), p->images_done);
  g_autofree char *old_jobs = g_strdup_printf (ngettext ("%u job", "%u jobs", p->jobs_skipped), p->jobs_skipped);
  g_autofree char *old_images = g_strdup_printf (ngettext ("%u image", "%u images", p->images_skipped),
                                                 p->images_skipped);
  GString *text = g_string_new (NULL);

  /* download lists nothing: its summary is about images alone. */
  if (!self->options.list)
    g_string_append_printf (text, _("Download complete: %s (%s)"), images, size);
  else
    g_string_append_printf (text, _("Sync complete: %s, %s (%s)"), jobs, images, size);
  /* Only what was counted: a job already archived is not looked into,
   * so its images are not "0 already archived". */
  if (p->jobs_skipped > 0 && p->images_skipped > 0 && self->options.list)
    g_string_append_printf (text, _("; %s and %s were already archived"), old_jobs, old_images);
  else if (p->jobs_skipped > 0 && self->options.list)
    g_string_append_printf (text, ngettext ("; %s was already archived", "; %s were already archived",
                                            p->jobs_skipped), old_jobs);
  else if (p->images_skipped > 0)
    g_string_append_printf (text, ngettext ("; %s was already archived", "; %s were already archived",
                                            p->images_skipped), old_images);
  if (p->images_repaired > 0)
    g_string_append_printf (text, ngettext ("; %u damaged or missing image was repaired",
                                            "; %u damaged or missing images were repaired", p->images_repaired),
                            p->images_repaired);
  if (self->n_problems > 0)
    g_string_append_printf (text, ngettext ("; %u problem", "; %u problems", self->n_problems),
                            self->n_problems);
  g_string_append_c (text, '.');
  return g_string_free (text, FALSE);
}
