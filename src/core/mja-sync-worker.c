/* mja-sync-worker.c — the thread a sync runs in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lists the pages, writes each job into the archive, records it in the
 * index and queues its images, in a thread of its own with its own main
 * context; every PROGRESS_INTERVAL_MS it hands a snapshot to the caller's
 * context (mja-sync.c), and at the end the result.  From its thread it
 * reads only the MjaSync's archive folder, which never changes, and
 * writes none of its fields: what the caller sees changes only in the
 * caller's context.  Before the listing, when asked to repair, it queues
 * again what verify finds missing or damaged (mja-repair).
 */
#define G_LOG_DOMAIN "mja-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mja-archive-lock.h"
#include "mja-archive.h"
#include "mja-downloader.h"
#include "mja-index.h"
#include "mja-json.h"
#include "mja-repair.h"
#include "mja-sync-private.h"

#define PROGRESS_INTERVAL_MS 200
#define SPEED_WINDOW_US      (5 * G_USEC_PER_SEC)

/* All but write_page_thread runs in the worker's thread, its context
 * pushed: nothing of the Worker is shared with another thread. */
#define ASSERT_IN_WORKER(w) g_assert (g_main_context_get_thread_default () == (w)->context)

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
  MjaArchiveLock *lock;          /* held from setup to the end */
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

  MjaSyncProgress progress;
  guint           jobs_added;
  gint64          wait_until;
  GPtrArray      *problems;      /* new since the last hand-over */
  GHashTable     *new_per_type;
  char           *new_cookie;
  GArray         *samples;
  GHashTable     *queued;        /* "job id/index" of every image queued */
  GHashTable     *repairs;       /* of those: fetched again to repair them */
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
  g_clear_pointer (&w->lock, mja_archive_lock_release);
  g_clear_object (&w->archive);
  g_clear_object (&w->credentials);
  g_clear_object (&w->cancellable);
  g_clear_pointer (&w->loop, g_main_loop_unref);
  g_clear_pointer (&w->context, g_main_context_unref);
  g_clear_pointer (&w->owner_context, g_main_context_unref);
  g_clear_pointer (&w->problems, g_ptr_array_unref);
  g_clear_pointer (&w->new_per_type, g_hash_table_unref);
  g_clear_pointer (&w->samples, g_array_unref);
  g_clear_pointer (&w->queued, g_hash_table_unref);
  g_clear_pointer (&w->repairs, g_hash_table_unref);
  g_clear_error (&w->fatal);
  g_free (w->new_cookie);
  mja_sync_options_clear (&w->options);
  g_free (w);
}

static void
update_rates (Worker *w)
{
  MjaSyncProgress *p = &w->progress;
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
  MjaSyncSnapshot *snapshot = g_new0 (MjaSyncSnapshot, 1);

  ASSERT_IN_WORKER (w);
  /* The last hand-over, the one that returns the task, follows the end. */
  g_assert (task == NULL || w->finished);

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
  g_main_context_invoke_full (w->owner_context, G_PRIORITY_DEFAULT, _mja_sync_apply_snapshot, snapshot,
                              (GDestroyNotify) _mja_sync_snapshot_free);
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

/* A job whose folder is a symbolic link is reported and skipped: it is
 * neither written, nor indexed, nor downloaded. */
static gboolean
job_path_safe (Worker *w,
               MjaJob *job)
{
  g_autofree char *json_path = mja_archive_dup_json_path (job);
  g_autoptr(GError) error = NULL;

  if (mja_archive_check_path (w->archive, json_path, &error))
    return TRUE;
  add_problem (w, mja_job_get_id (job), error->message);
  return FALSE;
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

  ASSERT_IN_WORKER (w);

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

/* Once per image: a job whose file a stopped sync did not write is listed
 * again while its images are still pending from the index, and two
 * downloads of one image would share its .part file.  The key is
 * queue_indexed's. */
static void
queue_image (Worker     *w,
             const char *job_id,
             guint       index,
             const char *url,
             const char *path,
             MjaJob     *embed_job)
{
  if (!g_hash_table_add (w->queued, g_strdup_printf ("%s/%u", job_id, index)))
    return;
  w->progress.images_queued++;
  mja_downloader_add_image (w->downloader, job_id, index, url, path, embed_job, FALSE);
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

      queue_image (w, mja_job_get_id (job), image->index, image->url, image->path,
                   w->options.embed_metadata ? job : NULL);
    }
}

/* A listed page on its way into the archive. */
typedef struct
{
  Worker       *w;
  GCancellable *cancellable;  /* the worker's, for the pool thread */
  MjaPage      *page;
  GPtrArray    *jobs;      /* MjaJob*: wanted, and not both on disk and indexed */
  GArray       *on_disk;   /* gboolean per job: already archived before */
  gboolean      all_archived;
  gboolean      older_than_wanted;
  guint         json_indent;
  gboolean      overwrite;
} PageWork;

static void
page_work_free (PageWork *work)
{
  g_clear_object (&work->cancellable);
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
  work->cancellable = g_object_ref (w->cancellable);
  work->page = page;
  work->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  work->on_disk = g_array_new (FALSE, FALSE, sizeof (gboolean));
  work->all_archived = TRUE;
  work->json_indent = w->options.json_indent;
  work->overwrite = w->options.overwrite_metadata;

  for (guint i = 0; i < page->rejected->len; i++)
    add_problem (w, NULL, g_ptr_array_index (page->rejected, i));

  /* A page may hold 100,000 jobs: Ctrl+C is looked at between them. */
  for (guint i = 0; i < page->jobs->len && !g_cancellable_is_cancelled (w->cancellable); i++)
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
      if (!job_path_safe (w, job))
        continue;

      on_disk = mja_archive_has_job (w->archive, job);
      if (on_disk && !w->options.overwrite_metadata)
        w->progress.jobs_skipped++;
      else
        work->all_archived = FALSE;
      /* Archived and indexed as it is: nothing to do.  A job rated or
       * liked since goes on, to the index (its file stays unless
       * metadata is overwritten). */
      if (on_disk && !w->options.overwrite_metadata && mja_index_job_is_current (w->index, job))
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
      /* What is written so far stays; the next sync writes the rest. */
      if (g_cancellable_set_error_if_cancelled (work->cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
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

  ASSERT_IN_WORKER (w);
  g_assert (work->jobs->len == work->on_disk->len);

  if (!mja_index_begin (w->index, &error))
    {
      set_fatal (w, error);
      return FALSE;
    }
  for (guint i = 0; i < work->jobs->len; i++)
    {
      MjaJob *job = g_ptr_array_index (work->jobs, i);
      g_autofree char *json_path = mja_archive_dup_json_path (job);
      GPtrArray *planned;

      /* Rows without their files are what a killed sync leaves too: the
       * next one writes those jobs again. */
      if (g_cancellable_set_error_if_cancelled (w->cancellable, &error))
        {
          mja_index_commit (w->index, NULL);
          set_fatal (w, error);
          return FALSE;
        }
      planned = mja_archive_plan_images (job, w->options.cdn_base_url, w->options.image_format);
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

  ASSERT_IN_WORKER (w);
  /* One page at a time: the next is asked for only once this one is
   * written, and never after the listing ended. */
  g_assert (!w->listing_done);

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

  ASSERT_IN_WORKER (w);
  g_assert (!w->listing_done);

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
  if (g_cancellable_set_error_if_cancelled (w->cancellable, &error))
    {
      /* Sorted only in part: nothing of it may count as caught up. */
      set_fatal (w, error);
      page_work_free (work);
      w->listing_done = TRUE;
      maybe_finish (w);
      return;
    }
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

  ASSERT_IN_WORKER (w);

  if (skipped)
    w->progress.images_skipped++;
  else
    {
      g_autofree char *key = g_strdup_printf ("%s/%u", job_id, index);

      w->progress.images_done++;
      if (g_hash_table_contains (w->repairs, key))
        w->progress.images_repaired++;
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
  ASSERT_IN_WORKER (w);

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

/* The job an indexed image belongs to, read back from its file (through
 * the bounded reader: a FIFO planted there blocked the sync for good) for
 * the XMP; NULL when it cannot be read (the image is then saved untagged). */
static MjaJob *
load_job (Worker     *w,
          const char *job_id)
{
  MjaIndexRow *row = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  MjaJob *job = NULL;

  if (!w->options.embed_metadata || (row = mja_index_dup_row (w->index, job_id, NULL)) == NULL)
    return NULL;
  path = mja_archive_dup_path (w->archive, row->json_path);
  root = mja_json_load_file (path, row->json_path, MJA_JSON_MAX_JOB_VALUES, &error);
  mja_index_row_free (row);
  if (root == NULL || (job = mja_job_new_from_node (root, &error)) == NULL)
    g_debug ("Job %s is saved untagged: %s", job_id, error->message);
  return job;
}

/* Queues an image the index knows, once however many reasons it has. */
static void
queue_indexed (Worker        *w,
               MjaIndexImage *image,
               gboolean       repair)
{
  g_autofree char *key = g_strdup_printf ("%s/%u", image->job_id, image->index);
  g_autoptr(MjaJob) job = NULL;

  if (!g_hash_table_add (w->queued, g_strdup (key)))
    return;
  if (repair)
    g_hash_table_add (w->repairs, g_steal_pointer (&key));
  job = load_job (w, image->job_id);
  w->progress.images_queued++;
  mja_downloader_add_image (w->downloader, image->job_id, image->index, image->url, image->path, job, repair);
}

/* What verify finds missing, truncated or not an image, fetched again.
 * The check reads only each file's head and tail. */
static gboolean
queue_repairs (Worker  *w,
               GError **error)
{
  static const char * const every_kind[] = { "grid", "upscale", "video", NULL };
  const char * const *kinds = (const char * const *) w->options.download_kinds;
  g_autoptr(MjaRepairPlan) plan = NULL;
  gint64 start = g_get_monotonic_time ();

  if (kinds != NULL && g_strv_contains (kinds, "all"))
    kinds = every_kind;
  plan = mja_repair_plan (w->archive, w->index, kinds, w->cancellable, error);
  if (plan == NULL)
    return FALSE;
  g_debug ("Repair check: %u images in %.3f s, %u damaged, %u missing", plan->checked,
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, plan->damaged, plan->missing);
  for (guint i = 0; i < plan->images->len; i++)
    queue_indexed (w, g_ptr_array_index (plan->images, i), TRUE);
  return TRUE;
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

  ASSERT_IN_WORKER (w);
  g_assert (w->archive == NULL && w->index == NULL);

  w->archive = mja_archive_new (w->sync->archive_dir);
  if (!mja_archive_check_writable (w->archive, &error))
    {
      set_fatal (w, error);
      return FALSE;
    }
  /* Before anything is read or removed: one writer at a time. */
  w->lock = mja_archive_lock_acquire (w->archive, &error);
  if (w->lock == NULL)
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
  /* An archive of the original scripts, or an index of an older schema
   * just emptied: read the files before syncing into it. */
  mja_index_build_if_empty (w->index, w->archive, w->options.cdn_base_url, w->cancellable);
  dirty = mja_index_dup_state (w->index, "dirty");
  if (dirty != NULL)
    remove_leftovers (w);
  if (!mja_index_set_state (w->index, "dirty", "1", &error))
    {
      set_fatal (w, error);
      return FALSE;
    }
  /* What this archive downloads, for verify to tell missing from not
   * chosen. */
  if (w->options.download)
    {
      g_autoptr(GString) kinds = g_string_new (NULL);
      const char *all[] = { "grid", "upscale", "video" };

      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        if (download_wanted (w, all[i]))
          g_string_append_printf (kinds, "%s%s", kinds->len ? "," : "", all[i]);
      mja_index_set_state (w->index, MJA_INDEX_STATE_DOWNLOAD_KINDS, kinds->str, NULL);
    }

  w->downloader = w->options.transport
                  ? mja_downloader_new_with_transport (w->archive, w->options.concurrency, w->cancellable,
                                                       w->options.transport)
                  : mja_downloader_new (w->archive, w->options.concurrency, w->cancellable);
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
          queue_indexed (w, image, FALSE);
        }
      if (w->options.repair && !queue_repairs (w, &error))
        {
          set_fatal (w, error);
          return FALSE;
        }
    }

  if (!w->options.list)
    return TRUE;

  w->api = mja_api_new (w->options.api_base_url, w->options.auth_base_url);
  if (w->options.transport != NULL)
    mja_api_set_transport (w->api, w->options.transport);
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
  mja_listing_set_max_pages (w->listing, w->options.max_pages);
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

  /* Let cancelled operations wind down before their objects go; the
   * index is closed (its WAL folded in, nothing left beside it) before
   * the caller hears the end, which may be the end of the process. */
  g_clear_object (&w->listing);
  if (w->downloader)
    g_signal_handlers_disconnect_by_data (w->downloader, w);
  g_clear_object (&w->downloader);
  while (g_main_context_iteration (w->context, FALSE))
    ;
  g_clear_object (&w->index);
  /* Nothing is written any more: a sync started as this one returns
   * finds the archive free. */
  g_clear_pointer (&w->lock, mja_archive_lock_release);
  hand_over (w, task);
  g_main_context_pop_thread_default (w->context);
  worker_free (w);
  return NULL;
}

void
_mja_sync_worker_start (MjaSync      *self,
                        GTask        *task,
                        GCancellable *cancellable)
{
  Worker *w;
  GThread *thread;

  g_assert (MJA_IS_SYNC (self));
  g_assert (G_IS_TASK (task));
  g_assert (self->running);

  w = g_new0 (Worker, 1);
  w->sync = self;  /* kept alive by the task */
  w->task = task;
  w->owner_context = g_main_context_ref_thread_default ();
  w->context = g_main_context_new ();
  w->loop = g_main_loop_new (w->context, FALSE);
  w->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      w->owner_cancellable = g_object_ref (cancellable);
      w->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (owner_cancelled_cb), w, NULL);
    }
  _mja_sync_options_copy (&w->options, &self->options);
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
  w->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->repairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  thread = g_thread_new ("mja-sync", worker_thread, w);
  g_thread_unref (thread);
}
