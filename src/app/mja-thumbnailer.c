/* mja-thumbnailer.c — thumbnails decoded off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decodes images at the cell's size on its own few threads (see
 * decode_worker; gdk-pixbuf scales while it decodes, so a 2048-pixel PNG
 * never exists in memory at full size) and keeps textures up to a number
 * and a budget in bytes (what their pixels take, which GL renderers hold
 * once more on the GPU's side), least recently used out first.  The load
 * asked for last is decoded first, so after a jump (End, a scrollbar drag)
 * the cells now in sight fill before any still queued; a cell that is
 * recycled cancels its load, which is then skipped.
 *
 * With a shared cache (the freedesktop thumbnail cache, ~/.cache/thumbnails/
 * large) a thumbnail decoded once is written there as a PNG carrying
 * Thumb::URI and Thumb::MTime, so the next start, and every other app,
 * finds it without decoding the image again.
 */
#define G_LOG_DOMAIN "mja-thumbnailer"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "mja-bench-hooks.h"
#include "mja-thumbnailer.h"

struct _MjaThumbnailer
{
  GObject     parent_instance;

  char       *shared_cache;
  int         size;
  guint       max_entries;
  gsize       max_bytes;
  gsize       bytes;     /* of the textures kept */
  guint       serial;    /* of the last load asked for */
  GHashTable *cache;   /* path -> GList link in lru */
  GQueue      lru;     /* CacheEntry*, most recent first */
  GThreadPool *decoders; /* as many as there are cores: each full decode holds a whole image */
  GQueue      posters;   /* GTask*: videos waiting for a frame, one at a time */
  GTask      *poster;    /* the video playing for its first frame, or NULL */
  GtkMediaStream *stream;
  guint       poster_timeout;
};

#define POSTER_TIMEOUT_S 15  /* a video that shows no frame by then has none */

typedef struct
{
  char       *path;
  GdkTexture *texture;
} CacheEntry;

G_DEFINE_FINAL_TYPE (MjaThumbnailer, mja_thumbnailer, G_TYPE_OBJECT)

static void
cache_entry_free (CacheEntry *entry)
{
  g_free (entry->path);
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void poster_done (MjaThumbnailer *self,
                         GdkPixbuf      *pixbuf,
                         GError         *error);

static void
mja_thumbnailer_finalize (GObject *object)
{
  MjaThumbnailer *self = MJA_THUMBNAILER (object);

  g_thread_pool_free (self->decoders, FALSE, TRUE);
  g_hash_table_unref (self->cache);
  g_free (self->shared_cache);
  g_queue_clear_full (&self->lru, (GDestroyNotify) cache_entry_free);
  G_OBJECT_CLASS (mja_thumbnailer_parent_class)->finalize (object);
}

static void
mja_thumbnailer_class_init (MjaThumbnailerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_thumbnailer_finalize;
}

static void decode_worker (gpointer data,
                           gpointer user_data);

/* The last asked for first. */
static int
newest_first (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  guint serial_a = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (a), "mja-serial"));
  guint serial_b = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (b), "mja-serial"));

  return serial_a < serial_b ? 1 : serial_a > serial_b ? -1 : 0;
}

static void
mja_thumbnailer_init (MjaThumbnailer *self)
{
  self->cache = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->lru);
  self->decoders = g_thread_pool_new (decode_worker, NULL, (int) MAX (g_get_num_processors (), 2), TRUE, NULL);
  g_thread_pool_set_sort_function (self->decoders, newest_first, NULL);
  self->max_bytes = G_MAXSIZE;
}

MjaThumbnailer *
mja_thumbnailer_new (int   size,
                     guint cache_entries)
{
  MjaThumbnailer *self = g_object_new (MJA_TYPE_THUMBNAILER, NULL);

  self->size = size;
  self->max_entries = MAX (cache_entries, 16);
  return self;
}

static gsize
texture_bytes (GdkTexture *texture)
{
  return (gsize) gdk_texture_get_width (texture) * (gsize) gdk_texture_get_height (texture) * 4;
}

static void
evict (MjaThumbnailer *self)
{
  /* The newest one stays, whatever its size. */
  while (self->lru.length > 1 && (self->lru.length > self->max_entries || self->bytes > self->max_bytes))
    {
      CacheEntry *old = g_queue_pop_tail (&self->lru);

      g_hash_table_remove (self->cache, old->path);
      self->bytes -= texture_bytes (old->texture);
      cache_entry_free (old);
    }
}

/* At most @bytes of pixels kept (4 bytes a pixel), besides the count. */
void
mja_thumbnailer_set_budget (MjaThumbnailer *self,
                            gsize           bytes)
{
  g_return_if_fail (MJA_IS_THUMBNAILER (self));

  self->max_bytes = bytes;
  evict (self);
}

GdkTexture *
mja_thumbnailer_lookup (MjaThumbnailer *self,
                        const char     *path)
{
  GList *link = g_hash_table_lookup (self->cache, path);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&self->lru, link);
  g_queue_push_head_link (&self->lru, link);
  return ((CacheEntry *) link->data)->texture;
}

static void
remember (MjaThumbnailer *self,
          const char     *path,
          GdkTexture     *texture)
{
  CacheEntry *entry;

  if (g_hash_table_contains (self->cache, path))
    return;
  entry = g_new0 (CacheEntry, 1);
  entry->path = g_strdup (path);
  entry->texture = g_object_ref (texture);
  g_queue_push_head (&self->lru, entry);
  g_hash_table_insert (self->cache, entry->path, self->lru.head);
  self->bytes += texture_bytes (texture);
  evict (self);
}

void
mja_thumbnailer_set_shared_cache (MjaThumbnailer *self,
                                  const char     *directory)
{
  g_free (self->shared_cache);
  self->shared_cache = g_strdup (directory);
}

/* The thumbnail's name and what it must say, by the freedesktop spec. */
static char *
shared_path (MjaThumbnailer *self,
             const char     *path,
             char          **uri_out,
             char          **mtime_out)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, uri, -1);
  g_autofree char *name = g_strconcat (md5, ".png", NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return NULL;
  *uri_out = g_steal_pointer (&uri);
  *mtime_out = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_mtime);
  return g_build_filename (self->shared_cache, name, NULL);
}

static GdkPixbuf *
load_shared (MjaThumbnailer *self,
             const char     *path)
{
  g_autofree char *uri = NULL;
  g_autofree char *mtime = NULL;
  g_autofree char *thumbnail = shared_path (self, path, &uri, &mtime);
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (thumbnail == NULL || !g_file_test (thumbnail, G_FILE_TEST_IS_REGULAR))
    return NULL;
  pixbuf = gdk_pixbuf_new_from_file (thumbnail, NULL);
  /* Stale (the image changed) or someone else's: decode anew. */
  if (pixbuf == NULL || g_strcmp0 (gdk_pixbuf_get_option (pixbuf, "tEXt::Thumb::URI"), uri) != 0 ||
      g_strcmp0 (gdk_pixbuf_get_option (pixbuf, "tEXt::Thumb::MTime"), mtime) != 0)
    return NULL;
  return g_steal_pointer (&pixbuf);
}

static void
save_shared (MjaThumbnailer *self,
             const char     *path,
             GdkPixbuf      *pixbuf)
{
  g_autofree char *uri = NULL;
  g_autofree char *mtime = NULL;
  g_autofree char *thumbnail = shared_path (self, path, &uri, &mtime);
  g_autofree char *temporary = NULL;

  if (thumbnail == NULL || g_mkdir_with_parents (self->shared_cache, 0700) != 0)
    return;
  /* Written aside and renamed, as the spec asks, so no reader sees half. */
  temporary = g_strdup_printf ("%s.mja-%u", thumbnail, g_random_int ());
  if (gdk_pixbuf_save (pixbuf, temporary, "png", NULL, "tEXt::Thumb::URI", uri, "tEXt::Thumb::MTime", mtime,
                       "tEXt::Software", "Midjourney Archiver", NULL))
    {
      g_chmod (temporary, 0600);
      g_rename (temporary, thumbnail);
    }
  else
    g_unlink (temporary);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MjaThumbnailer *self = source_object;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->shared_cache != NULL)
    pixbuf = load_shared (self, task_data);
  mja_bench_hooks_thumbnail_made (pixbuf != NULL);
  if (pixbuf == NULL)
    {
      pixbuf = gdk_pixbuf_new_from_file_at_scale (task_data, self->size, self->size, TRUE, &error);
      if (pixbuf == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (self->shared_cache != NULL)
        save_shared (self, task_data, pixbuf);
    }
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

/* Loads run on the thumbnailer's own few threads, not GTask's shared pool,
 * which grows while its threads wait on the disk: scrolling fast through
 * an archive of 1024-pixel PNGs otherwise decoded dozens at once (1.2 GB).
 * A load whose cell was recycled meanwhile is skipped as it comes up. */
static void
decode_worker (gpointer data,
               gpointer user_data)
{
  g_autoptr(GTask) task = data;
#ifdef __linux__
  static _Thread_local gboolean lowered;

  /* Decoding must not take the cores from the main thread, which has to
   * draw a frame every 16 ms while the grid scrolls: on Linux a thread's
   * nice value is its own.  (The pool is exclusive, so these threads never
   * run anyone else's work.) */
  if (!lowered)
    {
      lowered = TRUE;
      if (setpriority (PRIO_PROCESS, (id_t) gettid (), 10) != 0)
        g_debug ("Could not lower the decoding thread's priority: %s", g_strerror (errno));
    }
#endif

  load_thread (task, g_task_get_source_object (task), g_task_get_task_data (task), g_task_get_cancellable (task));
}

/* ---- video posters: the first frame, from GTK's media backend --------- */

static gboolean
is_video (const char *path)
{
  return g_str_has_suffix (path, ".mp4");
}

/* The frame as a pixbuf of at most size × size, or NULL. */
static GdkPixbuf *
frame_pixbuf (MjaThumbnailer *self,
              GdkTexture     *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autoptr(GdkPixbuf) full = NULL;
  cairo_surface_t *surface;
  double scale;

  if (width <= 0 || height <= 0)
    return NULL;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  gdk_texture_download (texture, cairo_image_surface_get_data (surface),
                        (gsize) cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  full = gdk_pixbuf_get_from_surface (surface, 0, 0, width, height);
  cairo_surface_destroy (surface);
  if (full == NULL)
    return NULL;
  scale = MIN (1.0, (double) self->size / MAX (width, height));
  return gdk_pixbuf_scale_simple (full, MAX (1, (int) (width * scale)), MAX (1, (int) (height * scale)),
                                  GDK_INTERP_BILINEAR);
}

static void
frame_cb (GtkMediaStream *stream,
          MjaThumbnailer *self)
{
  GdkPaintable *image = gdk_paintable_get_current_image (GDK_PAINTABLE (stream));
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (image != NULL && GDK_IS_TEXTURE (image))
    pixbuf = frame_pixbuf (self, GDK_TEXTURE (image));
  g_clear_object (&image);
  if (pixbuf != NULL)
    poster_done (self, pixbuf, NULL);
}

static void
stream_error_cb (GtkMediaStream *stream,
                 GParamSpec     *pspec,
                 MjaThumbnailer *self)
{
  const GError *error = gtk_media_stream_get_error (stream);

  if (error != NULL)
    poster_done (self, NULL, g_error_copy (error));
}

static gboolean
poster_timeout_cb (gpointer data)
{
  MjaThumbnailer *self = data;

  self->poster_timeout = 0;
  poster_done (self, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The video showed no frame"));
  return G_SOURCE_REMOVE;
}

static void
next_poster (MjaThumbnailer *self)
{
  while (self->poster == NULL && !g_queue_is_empty (&self->posters))
    {
      GTask *task = g_queue_pop_head (&self->posters);
      const char *path = g_task_get_task_data (task);
      GdkPixbuf *shared;

      if (g_task_return_error_if_cancelled (task))
        {
          g_object_unref (task);
          continue;
        }
      shared = self->shared_cache ? load_shared (self, path) : NULL;
      if (shared != NULL)
        {
          g_task_return_pointer (task, gdk_texture_new_for_pixbuf (shared), g_object_unref);
          g_object_unref (shared);
          g_object_unref (task);
          continue;
        }
      /* Muted, played until its first frame arrives, then let go. */
      self->poster = task;
      self->stream = gtk_media_file_new_for_filename (path);
      gtk_media_stream_set_muted (self->stream, TRUE);
      g_signal_connect (self->stream, "invalidate-contents", G_CALLBACK (frame_cb), self);
      g_signal_connect (self->stream, "notify::error", G_CALLBACK (stream_error_cb), self);
      self->poster_timeout = g_timeout_add_seconds (POSTER_TIMEOUT_S, poster_timeout_cb, self);
      gtk_media_stream_play (self->stream);
    }
}

static gboolean
next_poster_idle (gpointer data)
{
  next_poster (data);
  return G_SOURCE_REMOVE;
}

/* Takes @error (or uses @pixbuf). */
static void
poster_done (MjaThumbnailer *self,
             GdkPixbuf      *pixbuf,
             GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->poster);

  g_clear_handle_id (&self->poster_timeout, g_source_remove);
  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      gtk_media_stream_pause (self->stream);
      g_clear_object (&self->stream);
    }
  if (task != NULL)
    {
      if (pixbuf != NULL && self->shared_cache != NULL)
        save_shared (self, g_task_get_task_data (task), pixbuf);
      if (pixbuf != NULL)
        g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
      else
        g_task_return_error (task, error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "No frame"));
      error = NULL;
    }
  g_clear_error (&error);
  /* Not from inside the stream's own signal. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, next_poster_idle, g_object_ref (self), g_object_unref);
}

void
mja_thumbnailer_load_async (MjaThumbnailer      *self,
                            const char          *path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  mja_bench_hooks_thumbnail_requested ();
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_object_set_data (G_OBJECT (task), "mja-serial", GUINT_TO_POINTER (++self->serial));
  /* A video's poster is its first frame, played on the main thread by
   * GTK's media backend; images are decoded on the pool. */
  if (is_video (path))
    {
      g_queue_push_tail (&self->posters, g_steal_pointer (&task));
      next_poster (self);
      return;
    }
  g_thread_pool_push (self->decoders, g_steal_pointer (&task), NULL);
}

GdkTexture *
mja_thumbnailer_load_finish (MjaThumbnailer  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  GdkTexture *texture = g_task_propagate_pointer (G_TASK (result), error);

  if (texture != NULL)
    remember (self, g_task_get_task_data (G_TASK (result)), texture);
  mja_bench_hooks_thumbnail_finished ();
  return texture;
}
