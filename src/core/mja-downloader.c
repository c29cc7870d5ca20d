/* mja-downloader.c — the download queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fetches image and video files from the CDN with bounded concurrency.
 * Each file is fetched by the transport (MjaTransport, media kind: never a
 * cookie, no redirect to another host) into "<final name>.part" in its own
 * folder, its first bytes checked as soon as they are there to be the
 * media its name says (an HTML page served as an image is an error, not a
 * file), its structure checked to be whole once all of it came (mja-media;
 * a truncated file is asked for again), flushed to disk, given the job's
 * XMP when asked (mja-embed), and only then renamed to its final name; a
 * failure or a cancellation removes the .part.  An image fetched again to
 * repair it waits as NAME.damaged until the new one has its name
 * (mja-repair); any NAME.damaged goes once a new NAME is saved.  Caps of size and time are kept by mja-transport.  It runs
 * in the thread-default context of whoever created it (the sync's thread).
 */
#define G_LOG_DOMAIN "mja-downloader"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "mja-archive.h"
#include "mja-config.h"
#include "mja-downloader.h"
#include "mja-embed.h"
#include "mja-http-private.h"
#include "mja-media.h"
#include "mja-repair.h"
#include "mja-transport-soup.h"
#include "mja-util.h"

#define SNIFF_SIZE     MJA_MEDIA_HEAD_SIZE  /* what it is, and its pixel size */
#define ANSWER_TIMEOUT mja_config_get_default_uint (MJA_CONFIG_KEY_IMAGE_DEADLINE)  /* however it trickles */

typedef struct
{
  MjaDownloader *self;
  char          *job_id;
  guint          index;
  char          *url;
  char          *path;       /* absolute, final */
  char          *relative;   /* the same, inside the archive */
  char          *part_path;
  guint          tries;
  guint          rate_waits;
  guint64        rate_waited_ms;  /* all Retry-After waits so far */
  GCancellable  *try_cancellable; /* this try: the sync's Stop, or a refused head */
  gulong         cancel_handler;
  gboolean       refused;    /* its first bytes are not the media it should be */
  guint          width;      /* the pixel size its head declares, or 0 */
  guint          height;
  gboolean       oversize;   /* more bytes than an image of that size can be */
  guint64        received;
  gint64         expected;   /* Content-Length of an unencoded body, or -1 */
  guint8         head[SNIFF_SIZE];
  gsize          head_len;
  MjaJob        *embed_job;  /* its XMP goes into the file, or NULL */
  gboolean       repair;     /* fetched again: what is there is set aside */
} Item;

struct _MjaDownloader
{
  GObject        parent_instance;

  MjaArchive    *archive;
  MjaTransport  *transport;
  GCancellable  *cancellable;
  GQueue         queue;
  guint          active;    /* downloads on the network */
  guint          flushing;  /* downloads being flushed and renamed */
  guint          concurrency;
  guint          max_tries;
  guint          base_delay_ms;
  guint64        max_file_size;
  guint          answer_timeout_s;
};

G_DEFINE_FINAL_TYPE (MjaDownloader, mja_downloader, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-download-error-quark, mja_download_error)

enum
{
  SIGNAL_DONE,
  SIGNAL_FAILED,
  SIGNAL_BYTES,
  SIGNAL_IDLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_item (Item *item);
static void pump (MjaDownloader *self);

static void
cancel_try_cb (GCancellable *sync_cancellable,
               gpointer      try_cancellable)
{
  g_cancellable_cancel (try_cancellable);
}

/* The try is over: the sync's Stop no longer reaches it. */
static void
end_try (Item *item)
{
  if (item->try_cancellable == NULL)
    return;
  g_cancellable_disconnect (item->self->cancellable, item->cancel_handler);
  item->cancel_handler = 0;
  g_clear_object (&item->try_cancellable);
}

static void
item_free (Item *item)
{
  end_try (item);
  g_clear_object (&item->embed_job);
  g_free (item->job_id);
  g_free (item->url);
  g_free (item->path);
  g_free (item->relative);
  g_free (item->part_path);
  g_free (item);
}

static void
mja_downloader_dispose (GObject *object)
{
  MjaDownloader *self = MJA_DOWNLOADER (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
  g_clear_object (&self->transport);
  g_clear_object (&self->archive);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (mja_downloader_parent_class)->dispose (object);
}

static void
mja_downloader_class_init (MjaDownloaderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mja_downloader_dispose;

  /* (job id, index, bytes on disk, skipped: already there) */
  signals[SIGNAL_DONE] = g_signal_new ("image-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT64,
                                       G_TYPE_BOOLEAN);
  /* (job id, index, GError) */
  signals[SIGNAL_FAILED] = g_signal_new ("image-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_ERROR);
  /* bytes received since the last emission */
  signals[SIGNAL_BYTES] = g_signal_new ("bytes-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
  /* the queue ran empty */
  signals[SIGNAL_IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 0);
}

static void
mja_downloader_init (MjaDownloader *self)
{
  g_queue_init (&self->queue);
  self->max_tries = mja_config_get_default_uint (MJA_CONFIG_KEY_MAX_TRIES);
  self->base_delay_ms = mja_config_get_default_uint (MJA_CONFIG_KEY_RETRY_BASE);
  self->max_file_size = mja_config_get_default_uint (MJA_CONFIG_KEY_MAX_IMAGE_BYTES);
  self->answer_timeout_s = ANSWER_TIMEOUT;
}

/* Over the direct transport. */
MjaDownloader *
mja_downloader_new (MjaArchive   *archive,
                    guint         concurrency,
                    GCancellable *cancellable)
{
  g_autoptr(MjaTransport) transport = mja_transport_soup_new ();

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);
  mja_transport_soup_set_concurrency (MJA_TRANSPORT_SOUP (transport), concurrency);
  return mja_downloader_new_with_transport (archive, concurrency, cancellable, transport);
}

/**
 * mja_downloader_new_with_transport:
 * @transport: what fetches the files (media requests: never a cookie)
 */
MjaDownloader *
mja_downloader_new_with_transport (MjaArchive   *archive,
                                   guint         concurrency,
                                   GCancellable *cancellable,
                                   MjaTransport *transport)
{
  MjaDownloader *self;

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);
  g_return_val_if_fail (MJA_IS_TRANSPORT (transport), NULL);

  self = g_object_new (MJA_TYPE_DOWNLOADER, NULL);
  self->archive = g_object_ref (archive);
  self->concurrency = CLAMP (concurrency, 1, 16);
  self->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  self->transport = g_object_ref (transport);
  return self;
}

void
mja_downloader_set_retry_policy (MjaDownloader *self,
                                 guint          max_tries,
                                 guint          base_delay_ms)
{
  g_return_if_fail (MJA_IS_DOWNLOADER (self));
  self->max_tries = MAX (max_tries, 1);
  self->base_delay_ms = base_delay_ms;
}

/* How long one try may take to deliver a whole image (0: 900 s). */
void
mja_downloader_set_answer_timeout (MjaDownloader *self,
                                   guint          seconds)
{
  g_return_if_fail (MJA_IS_DOWNLOADER (self));
  self->answer_timeout_s = seconds ? seconds : ANSWER_TIMEOUT;
}

void
mja_downloader_set_max_file_size (MjaDownloader *self,
                                  guint64        bytes)
{
  g_return_if_fail (MJA_IS_DOWNLOADER (self));
  self->max_file_size = bytes;
}

guint
mja_downloader_get_pending (MjaDownloader *self)
{
  g_return_val_if_fail (MJA_IS_DOWNLOADER (self), 0);
  return self->queue.length + self->active + self->flushing;
}

static gboolean
media_matches (const char *sniffed,
               const char *path)
{
  const char *dot = strrchr (path, '.');

  return mja_media_matches_extension (sniffed, dot ? dot + 1 : "");
}

static void
discard_part (Item *item)
{
  g_unlink (item->part_path);
}

/* The first bytes of the .part, as many as there are up to SNIFF_SIZE. */
static void
read_head (Item *item)
{
  int fd = g_open (item->part_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  gssize n;

  item->head_len = 0;
  if (fd < 0)
    return;
  do
    n = pread (fd, item->head, SNIFF_SIZE, 0);
  while (n < 0 && errno == EINTR);
  item->head_len = n > 0 ? (gsize) n : 0;
  close (fd);
}

static GError *
oversize_error (Item *item)
{
  return g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_TOO_LARGE,
                      _("Image %u is larger than an image of %u × %u pixels can be; it was not saved."),
                      item->index + 1, item->width, item->height);
}

/* The head is in: what it should be, and how large it may grow. */
static void
head_read (Item *item)
{
  read_head (item);
  item->width = item->height = 0;
  if (!mja_media_read_size (item->head, item->head_len, &item->width, &item->height))
    item->width = item->height = 0;
}

/* Past what an image of the pixel size its head declares can take. */
static gboolean
beyond_its_size (Item *item)
{
  return item->width > 0 && item->received > mja_media_max_bytes (item->width, item->height);
}

static void
emit_idle_if_done (MjaDownloader *self)
{
  if (self->active == 0 && self->flushing == 0 && g_queue_is_empty (&self->queue))
    g_signal_emit (self, signals[SIGNAL_IDLE], 0);
}

/* The item leaves the network: the next download can start. */
static void
release_slot (Item *item)
{
  MjaDownloader *self = item->self;

  self->active--;
  pump (self);
}

static void
item_report (Item   *item,
             GError *error)
{
  MjaDownloader *self = item->self;

  if (error != NULL)
    discard_part (item);
  /* Saved whole: a NAME.damaged is no longer wanted, set aside by this
   * repair or left by a stopped one (a download that is no repair would
   * leave it for good). */
  if (error == NULL)
    mja_repair_discard (item->path);
  else if (item->repair)
    mja_repair_restore (item->path);
  if (error == NULL)
    g_signal_emit (self, signals[SIGNAL_DONE], 0, item->job_id, item->index, item->received, FALSE);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, item->job_id, item->index, error);
  item_free (item);
  emit_idle_if_done (self);
  g_object_unref (self);
}

/* Ends an item that is still on the network. */
static void
item_finish (Item   *item,
             GError *error)
{
  release_slot (item);
  item_report (item, error);
}

static void
retry_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Item *item = user_data;
  g_autoptr(GError) error = NULL;

  if (!mja_sleep_finish (result, &error))
    item_finish (item, error);
  else
    start_item (item);
}

/* A transient failure: try again after a back-off, or give up with
 * @code. */
static void
retry_or_fail (Item             *item,
               guint             wait_ms,
               MjaDownloadError  code,
               const char       *what)
{
  MjaDownloader *self = item->self;

  discard_part (item);
  if (item->tries >= self->max_tries)
    {
      g_autoptr(GError) error = g_error_new (MJA_DOWNLOAD_ERROR, code,
                                             ngettext ("Could not download image %u after %u try: %s",
                                                       "Could not download image %u after %u tries: %s",
                                                       item->tries),
                                             item->index + 1, item->tries, what);
      item_finish (item, error);
      return;
    }
  if (wait_ms == 0)
    wait_ms = mja_backoff_delay_ms (item->tries, self->base_delay_ms);
  mja_sleep_async (wait_ms, self->cancellable, retry_done_cb, item);
}

/* A try's network error: given up by the deadline, the sync cancelled, or
 * the network's; the first and the last are tried again. */
static void
item_network_failed (Item   *item,
                     GError *error)
{
  if (g_error_matches (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE))
    {
      guint seconds = item->self->answer_timeout_s;
      g_autofree char *what = g_strdup_printf (ngettext ("the image server did not finish sending it within %u second",
                                                         "the image server did not finish sending it within %u seconds",
                                                         seconds), seconds);
      retry_or_fail (item, 0, MJA_DOWNLOAD_ERROR_NETWORK, what);
    }
  else if (g_error_matches (error, MJA_TRANSPORT_ERROR, MJA_TRANSPORT_ERROR_WRITE))
    {
      /* A full disk fails the sync, as any write of ours does. */
      g_autoptr(GError) disk = g_error_new_literal (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK, error->message);

      item_finish (item, disk);
    }
  else if (mja_error_is_transient (error))
    retry_or_fail (item, 0, MJA_DOWNLOAD_ERROR_NETWORK, error->message);
  else
    item_finish (item, error);
}

/* The job's XMP into the closed .part (flushed and checked whole by
 * mja-embed); what is on disk is then its size. */
static gboolean
embed_part (Item    *item,
            GError **error)
{
  g_autoptr(GError) local = NULL;
  GStatBuf st;

  if (!mja_embed_write (item->part_path, item->embed_job, &local))
    {
      g_set_error (error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_METADATA, _("Image %u was not saved: %s"),
                   item->index + 1, local->message);
      return FALSE;
    }
  if (g_stat (item->part_path, &st) == 0)
    item->received = (guint64) st.st_size;
  return TRUE;
}

/* On disk before it has its final name: a crash never leaves a short
 * file where a complete one is expected.  Runs in a pool thread; the item
 * is not touched by the loop meanwhile. */
static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Item *item = task_data;
  const char *failed_path = NULL;
  int saved = 0;
  int fd = g_open (item->part_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);

  if (fd < 0 || fdatasync (fd) != 0)
    {
      saved = errno;
      failed_path = item->part_path;
    }
  if (fd >= 0 && close (fd) != 0 && failed_path == NULL)
    {
      saved = errno;
      failed_path = item->part_path;
    }
  if (failed_path == NULL && item->embed_job != NULL && mja_embed_is_supported (item->path))
    {
      GError *error = NULL;

      if (!embed_part (item, &error))
        {
          g_unlink (item->part_path);
          g_task_return_error (task, error);
          return;
        }
    }
  if (failed_path == NULL && g_rename (item->part_path, item->path) != 0)
    {
      saved = errno;
      failed_path = item->path;
    }
  if (failed_path != NULL)
    g_task_return_new_error (task, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK, _("Could not write “%s”: %s"),
                             failed_path, g_strerror (saved));
  else
    g_task_return_boolean (task, TRUE);
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Item *item = user_data;
  g_autoptr(GError) error = NULL;

  item->self->flushing--;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_debug ("Saved %s (%" G_GUINT64_FORMAT " bytes)", item->path, item->received);
  item_report (item, error);
}

static void
complete (Item *item)
{
  const char *sniffed;
  g_autoptr(GError) error = NULL;
  MjaMediaProblem problem;

  if (item->head_len < SNIFF_SIZE)
    head_read (item);
  sniffed = mja_sniff_media (item->head, item->head_len);

  if (!media_matches (sniffed, item->path))
    {
      error = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_NOT_MEDIA,
                           _("Image %u is not a %s file (the server sent %s); it was not saved."),
                           item->index + 1, strrchr (item->path, '.') + 1,
                           sniffed ? sniffed : _("something else, maybe a web page"));
      item_finish (item, error);
      return;
    }
  if (item->oversize || beyond_its_size (item))
    {
      error = oversize_error (item);
      item_finish (item, error);
      return;
    }
  if (item->expected >= 0 && item->received != (guint64) item->expected)
    {
      g_autofree char *received = g_strdup_printf ("%" G_GUINT64_FORMAT, item->received);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, item->expected);
      g_autofree char *what = g_strdup_printf (_("the connection ended after %s of %s bytes"), received, expected);
      retry_or_fail (item, 0, MJA_DOWNLOAD_ERROR_NETWORK, what);
      return;
    }
  /* All of it came, yet its own structure says it ends early: asked
   * again, the server may send it whole. */
  {
    int fd = g_open (item->part_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);

    problem = fd >= 0 ? mja_media_check_fd (fd) : MJA_MEDIA_WHOLE;
    if (fd >= 0)
      close (fd);
  }
  if (mja_media_problem_is_truncation (problem))
    {
      g_debug ("%s %s", item->url, mja_media_problem_describe (problem));
      retry_or_fail (item, 0, MJA_DOWNLOAD_ERROR_TRUNCATED, _("the image arrived truncated"));
      return;
    }
  /* Flushing takes milliseconds of waiting on the disk: done in a pool
   * thread, and the network slot is given to the next download. */
  item->self->flushing++;
  release_slot (item);
  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, finished_cb, item);

    g_task_set_task_data (task, item, NULL);
    g_task_run_in_thread (task, finish_thread);
  }
}

static GError *
too_large_error (Item *item)
{
  return g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_TOO_LARGE,
                      _("Image %u is larger than the limit of %u MiB; it was not saved."),
                      item->index + 1, (guint) (item->self->max_file_size / (1024 * 1024)));
}

/* More of the body is in the .part: counted, and its head checked as soon
 * as it is there, so that an HTML page is refused at once. */
static void
item_progress_cb (guint64  received,
                  gpointer user_data)
{
  Item *item = user_data;
  MjaDownloader *self = item->self;

  if (received > item->received)
    g_signal_emit (self, signals[SIGNAL_BYTES], 0, received - item->received);
  item->received = received;
  if (item->head_len < SNIFF_SIZE && received >= SNIFF_SIZE && !item->refused)
    {
      head_read (item);
      if (item->head_len == SNIFF_SIZE && !media_matches (mja_sniff_media (item->head, item->head_len), item->path))
        {
          item->refused = TRUE;
          g_cancellable_cancel (item->try_cancellable);
        }
    }
  /* Padding sent as an image is cut off as soon as it shows, not after
   * the whole of it has been read. */
  if (!item->refused && !item->oversize && beyond_its_size (item))
    {
      item->oversize = TRUE;
      item->refused = TRUE;
      g_cancellable_cancel (item->try_cancellable);
    }
}

/* The status: a 429 waits as told, other transient answers are tried
 * again, anything else but 200 is this image's failure. */
static gboolean
item_response_cb (const MjaTransportResponse *response,
                  gpointer                    user_data)
{
  Item *item = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = response->headers;
  guint status = response->status;

  if (status == 429 && ++item->rate_waits <= MJA_HTTP_MAX_RATE_WAITS)
    {
      guint64 asked_ms;
      guint wait_ms = mja_http_rate_wait_headers_ms (headers, &asked_ms);

      if (item->rate_waited_ms + asked_ms > MJA_HTTP_MAX_RATE_WAIT_TOTAL_MS)
        {
          guint minutes = MJA_HTTP_MAX_RATE_WAIT_TOTAL_MS / 60000;

          error = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_NETWORK,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "The image server asked to wait more than %u minute in all for image %u.",
                                            "The image server asked to wait more than %u minutes in all for image %u.",
                                            minutes),
                               minutes, item->index + 1);
          item_finish (item, error);
          return FALSE;
        }
      item->rate_waited_ms += wait_ms;
      end_try (item);
      item->tries--;
      retry_or_fail (item, wait_ms, MJA_DOWNLOAD_ERROR_NETWORK, "HTTP 429");
      return FALSE;
    }
  if (status != SOUP_STATUS_OK)
    end_try (item);
  if (SOUP_STATUS_IS_SERVER_ERROR (status) || status == 429 || status == SOUP_STATUS_REQUEST_TIMEOUT)
    {
      g_autofree char *what = g_strdup_printf ("HTTP %u", status);
      retry_or_fail (item, 0, MJA_DOWNLOAD_ERROR_NETWORK, what);
      return FALSE;
    }
  if (status != SOUP_STATUS_OK)
    {
      error = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_HTTP,
                           _("The image server answered %u %s for image %u."), status,
                           response->reason ? response->reason : "", item->index + 1);
      item_finish (item, error);
      return FALSE;
    }

  g_debug ("Headers of %s", item->url);
  /* A compressed body arrives decoded: its Content-Length counts other
   * bytes, so only an unencoded one says how much should come. */
  item->expected = -1;
  if (headers != NULL && soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL)
    item->expected = soup_message_headers_get_content_length (headers);
  return TRUE;
}

static void
item_done_cb (GError  *error_,
              gpointer user_data)
{
  Item *item = user_data;
  g_autoptr(GError) error = error_;

  end_try (item);
  if (error == NULL || (item->refused && !g_cancellable_is_cancelled (item->self->cancellable)))
    complete (item);
  else if (g_error_matches (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE))
    {
      g_autoptr(GError) too_large = too_large_error (item);
      item_finish (item, too_large);
    }
  else
    item_network_failed (item, error);
}

static const MjaTransportFuncs item_funcs = {
  item_response_cb,
  NULL,
  item_progress_cb,
  item_done_cb,
};

static void
start_item (Item *item)
{
  MjaDownloader *self = item->self;
  g_autofree char *dir = g_path_get_dirname (item->path);
  g_autoptr(GUri) uri = g_uri_parse (item->url, SOUP_HTTP_URI_FLAGS, NULL);
  MjaTransportRequest request = { MJA_TRANSPORT_REQUEST_MEDIA, "GET", item->url, NULL, NULL, NULL, 0, 0 };

  item->tries++;
  item->received = 0;
  item->head_len = 0;
  item->refused = FALSE;
  item->oversize = FALSE;
  item->width = item->height = 0;
  item->expected = -1;
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_autoptr(GError) error = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_HTTP,
                                             _("Image %u has an address that cannot be fetched."), item->index + 1);
      item_finish (item, error);
      return;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autoptr(GError) error = g_error_new (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK,
                                             _("Could not write “%s”: %s"), item->part_path, g_strerror (saved));
      item_finish (item, error);
      return;
    }
  g_debug ("GET %s (try %u)", item->url, item->tries);
  /* Each try has answer_timeout_s to deliver the whole image, however
   * slowly it trickles. */
  request.timeout_s = self->answer_timeout_s;
  request.max_size = self->max_file_size;
  item->try_cancellable = g_cancellable_new ();
  item->cancel_handler = g_cancellable_connect (self->cancellable, G_CALLBACK (cancel_try_cb),
                                                g_object_ref (item->try_cancellable), g_object_unref);
  mja_transport_download (self->transport, &request, item->part_path, item->try_cancellable, &item_funcs, item);
}

static void
pump (MjaDownloader *self)
{
  while (self->active < self->concurrency && !g_queue_is_empty (&self->queue))
    {
      Item *item = g_queue_pop_head (&self->queue);
      g_autoptr(GError) refused = NULL;
      GStatBuf st;

      if (g_cancellable_is_cancelled (self->cancellable))
        {
          item_free (item);
          continue;
        }
      /* Never through a link planted in the archive: its folders, its
       * name, its .part.  A link fails this image; a disk that cannot be
       * written fails the sync. */
      if (!mja_archive_prepare_file (self->archive, item->relative, &refused))
        {
          if (!g_error_matches (refused, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK) &&
              !g_error_matches (refused, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER))
            {
              refused->domain = MJA_DOWNLOAD_ERROR;
              refused->code = MJA_DOWNLOAD_ERROR_DISK;
            }
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, item->job_id, item->index, refused);
          item_free (item);
          continue;
        }
      /* Already there from an earlier run: nothing to fetch. */
      if (!item->repair && g_stat (item->path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0)
        {
          g_signal_emit (self, signals[SIGNAL_DONE], 0, item->job_id, item->index, (guint64) st.st_size, TRUE);
          item_free (item);
          continue;
        }
      if (item->repair)
        {
          g_autoptr(GError) error = NULL;

          if (!mja_repair_set_aside (item->path, &error))
            {
              g_autoptr(GError) disk = g_error_new_literal (MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK,
                                                            error->message);
              g_signal_emit (self, signals[SIGNAL_FAILED], 0, item->job_id, item->index, disk);
              item_free (item);
              continue;
            }
        }
      self->active++;
      g_object_ref (self);
      start_item (item);
    }
}

void
mja_downloader_add (MjaDownloader *self,
                    const char    *job_id,
                    guint          index,
                    const char    *url,
                    const char    *relative_path)
{
  mja_downloader_add_image (self, job_id, index, url, relative_path, NULL, FALSE);
}

/**
 * mja_downloader_add_image:
 * @embed_job: (nullable): the job whose XMP the image gets (PNG, JPEG,
 *   WebP), or %NULL to keep the server's bytes
 * @repair: fetch it even when a file is there, setting that one aside as
 *   NAME.damaged until the new one is whole (put back if it fails)
 */
void
mja_downloader_add_image (MjaDownloader *self,
                          const char    *job_id,
                          guint          index,
                          const char    *url,
                          const char    *relative_path,
                          MjaJob        *embed_job,
                          gboolean       repair)
{
  Item *item;

  g_return_if_fail (MJA_IS_DOWNLOADER (self));
  g_return_if_fail (embed_job == NULL || MJA_IS_JOB (embed_job));

  item = g_new0 (Item, 1);
  item->self = self;
  item->job_id = g_strdup (job_id);
  item->index = index;
  item->url = g_strdup (url);
  item->path = mja_archive_dup_path (self->archive, relative_path);
  item->relative = g_strdup (relative_path);
  item->part_path = g_strconcat (item->path, MJA_ARCHIVE_PART_SUFFIX, NULL);
  item->expected = -1;
  item->embed_job = embed_job ? g_object_ref (embed_job) : NULL;
  item->repair = repair;
  g_queue_push_tail (&self->queue, item);
  pump (self);
  /* Everything added so far was already on disk. */
  emit_idle_if_done (self);
}
