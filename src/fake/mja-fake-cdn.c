/* mja-fake-cdn.c — the fake Midjourney's CDN: images and videos
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what the CDN serves: stills drawn with GdkPixbuf (PNG padded to
 * the asked size, JPEG, WebP) and MP4 videos, each following from the job
 * id, cached up to a bound and drawn in a thread so that one slow image
 * never holds up the others.  It refuses any request that carries
 * credentials and counts it.  It must never know the API's URLs, tokens
 * or paging: those are mja-fake-api.c's.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "mja-fake-resources.h"
#include "mja-fake-server-private.h"
#include "mja-job.h"

/* Drawn images are kept up to this many bytes, enough for the 10,000-image
 * benchmark at its 24 KiB, so that a benchmark measures the client and
 * not the fake redrawing what it already drew. */
#define IMAGE_CACHE_BYTES (384u << 20)

/* ---- drawing -------------------------------------------------------- */

static void
hsv_to_rgb (double  h,
            double  s,
            double  v,
            double *r,
            double *g,
            double *b)
{
  double c = v * s;
  double x = c * (1 - fabs (fmod (h / 60.0, 2) - 1));
  double m = v - c;
  int sector = (int) (h / 60.0) % 6;
  double rgb[6][3] = { { c, x, 0 }, { x, c, 0 }, { 0, c, x }, { 0, x, c }, { x, 0, c }, { c, 0, x } };

  *r = rgb[sector][0] + m;
  *g = rgb[sector][1] + m;
  *b = rgb[sector][2] + m;
}

/* A picture that looks like its job and no other: two colours, a gradient
 * and rings whose centre and spacing come from the id. */
static GdkPixbuf *
render_pixbuf (const char *job_id,
               guint       index,
               guint       size)
{
  guint32 hash = g_str_hash (job_id) ^ (index * 2654435761u);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) size, (int) size);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  double hue1 = hash % 360, hue2 = fmod (hue1 + 60 + (hash >> 9) % 180, 360);
  double r1, g1, b1, r2, g2, b2;
  double cx = size * (0.2 + ((hash >> 3) % 60) / 100.0);
  double cy = size * (0.2 + ((hash >> 11) % 60) / 100.0);
  double spacing = size / (6.0 + (hash >> 17) % 10);

  hsv_to_rgb (hue1, 0.65, 0.95, &r1, &g1, &b1);
  hsv_to_rgb (hue2, 0.80, 0.55, &r2, &g2, &b2);

  for (guint y = 0; y < size; y++)
    {
      guint8 *row = pixels + y * stride;

      for (guint x = 0; x < size; x++)
        {
          double t = (double) (x + y) / (2.0 * size);
          double d = sqrt ((x - cx) * (x - cx) + (y - cy) * (y - cy));
          double ring = 0.5 + 0.5 * sin (d / spacing * G_PI);
          double mix = CLAMP (0.65 * t + 0.35 * ring, 0, 1);

          row[x * 3 + 0] = (guint8) (255 * (r1 * (1 - mix) + r2 * mix));
          row[x * 3 + 1] = (guint8) (255 * (g1 * (1 - mix) + g2 * mix));
          row[x * 3 + 2] = (guint8) (255 * (b1 * (1 - mix) + b2 * mix));
        }
    }
  return pixbuf;
}

/* A real MP4 that plays (the fake's resource), then a "free" box that
 * players skip, filled with bytes of this video's own: each video is a
 * file of its own, of about @kib KiB. */
static GBytes *
render_video (const char *job_id,
              guint       index,
              guint       kib)
{
  /* From the library's own resource: linked in because it is named. */
  g_autoptr(GBytes) movie = g_resource_lookup_data (mja_fake_get_resource (), "/io/github/mjarchiver/Fake/video.mp4",
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize length = g_bytes_get_size (movie);
  gsize payload = MAX ((gsize) MAX (kib, 1) * 1024, length + 64) - length - 8;
  GByteArray *data = g_byte_array_sized_new (length + 8 + payload);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_str_hash (job_id) + index);
  guint8 header[8] = { 0, 0, 0, 0, 'f', 'r', 'e', 'e' };
  guint32 box = GUINT32_TO_BE ((guint32) (payload + 8));

  memcpy (header, &box, 4);
  g_byte_array_append (data, g_bytes_get_data (movie, NULL), length);
  g_byte_array_append (data, header, sizeof header);
  for (gsize i = 0; i < payload; i++)
    {
      guint8 byte = (guint8) g_rand_int (rand);
      g_byte_array_append (data, &byte, 1);
    }
  return g_byte_array_free_to_bytes (data);
}

static GBytes *
render_image (const char *job_id,
              guint       index,
              const char *extension,
              guint       kib,
              guint       pixels,
              GError    **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  gsize length = 0;

  if (g_str_equal (extension, "mp4"))
    return render_video (job_id, index, kib);

  pixbuf = render_pixbuf (job_id, index, pixels);
  if (g_str_equal (extension, "png"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", error, NULL))
        return NULL;
      /* Pad to the asked size with a text chunk: still a valid PNG. */
      if (length + 64 < (gsize) kib * 1024)
        {
          gsize pad = kib * 1024 - length - 64;
          g_autofree char *comment = g_malloc (pad + 1);
          g_autoptr(GRand) rand = g_rand_new_with_seed (g_str_hash (job_id) + index);

          for (gsize i = 0; i < pad; i++)
            comment[i] = 'a' + g_rand_int_range (rand, 0, 26);
          comment[pad] = '\0';
          g_clear_pointer (&buffer, g_free);
          if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", error,
                                          "tEXt::Comment", comment, NULL))
            return NULL;
        }
    }
  else if (g_str_equal (extension, "jpeg") || g_str_equal (extension, "jpg"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "jpeg", error, "quality", "90", NULL))
        return NULL;
    }
  else if (g_str_equal (extension, "webp"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "webp", error, "quality", "90", NULL))
        return NULL;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "No such format");
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&buffer), length);
}

/* ---- serving -------------------------------------------------------- */

/* Parses "/<id>/0_<i>.<ext>" and "/video/<id>/<i>.mp4". */
static gboolean
parse_cdn_path (const char  *path,
                char       **job_id,
                guint       *index,
                char       **extension)
{
  g_auto(GStrv) parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  guint n = g_strv_length (parts);
  const char *file;
  const char *dot;
  guint64 value;
  g_autofree char *number = NULL;
  gboolean video = n == 3 && g_str_equal (parts[0], "video");

  if (!(n == 2 || video))
    return FALSE;
  file = parts[n - 1];
  dot = strrchr (file, '.');
  if (dot == NULL)
    return FALSE;
  if (!video)
    {
      if (!g_str_has_prefix (file, "0_"))
        return FALSE;
      file += 2;
    }
  number = g_strndup (file, dot - file);
  if (!g_ascii_string_to_unsigned (number, 10, 0, 63, &value, NULL))
    return FALSE;
  if (video != g_str_equal (dot + 1, "mp4"))
    return FALSE;

  *job_id = g_strdup (parts[n - 2]);
  *index = (guint) value;
  *extension = g_strdup (dot + 1);
  return TRUE;
}

static GBytes *dup_served (MjaFakeServer *self,
                           const char    *job_id,
                           guint          index,
                           const char    *extension);

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_auto(GStrv) key = g_strsplit (task_data, "\n", 3);
  guint64 index = g_ascii_strtoull (key[1], NULL, 10);
  GBytes *bytes = dup_served (source_object, key[0], (guint) index, key[2]);

  if (bytes == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such image");
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static char *
cache_key (const char *job_id,
           guint       index,
           const char *extension)
{
  return g_strdup_printf ("%s/%u.%s", job_id, index, extension);
}

/* Takes the mutex. */
static GBytes *
lookup_cached (MjaFakeServer *self,
               const char    *key)
{
  GBytes *bytes;

  g_mutex_lock (&self->mutex);
  bytes = g_hash_table_lookup (self->image_cache, key);
  if (bytes != NULL)
    g_bytes_ref (bytes);
  g_mutex_unlock (&self->mutex);
  return bytes;
}

/* Takes the mutex, and @key. */
static void
store_cached (MjaFakeServer *self,
              char          *key,
              GBytes        *bytes)
{
  g_mutex_lock (&self->mutex);
  if (self->image_cache_bytes + g_bytes_get_size (bytes) > IMAGE_CACHE_BYTES)
    {
      g_hash_table_remove_all (self->image_cache);
      self->image_cache_bytes = 0;
    }
  if (!g_hash_table_contains (self->image_cache, key))
    self->image_cache_bytes += g_bytes_get_size (bytes);
  g_hash_table_replace (self->image_cache, key, g_bytes_ref (bytes));
  g_mutex_unlock (&self->mutex);
}

GBytes *
mja_fake_server_dup_image (MjaFakeServer *self,
                           const char    *job_id,
                           guint          index,
                           const char    *extension)
{
  g_autofree char *key = NULL;
  GBytes *bytes;
  const FakeJob *job;
  gboolean known;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (job_id != NULL, NULL);
  g_return_val_if_fail (extension != NULL, NULL);

  g_mutex_lock (&self->mutex);
  job = mja_fake_server_lookup_job (self, job_id);
  known = job != NULL && index < job->batch;
  g_mutex_unlock (&self->mutex);
  if (!known)
    return NULL;

  key = cache_key (job_id, index, extension);
  bytes = lookup_cached (self, key);
  if (bytes == NULL)
    {
      bytes = render_image (job_id, index, extension, self->options.image_kib, self->options.image_pixels, NULL);
      if (bytes == NULL)
        return NULL;
      store_cached (self, g_steal_pointer (&key), bytes);
    }
  return bytes;
}

/* @bytes, then @zeros zero bytes, in one gzip stream: a bomb compresses
 * a thousandfold, so hundreds of MiB decoded cost a few hundred KiB. */
static GBytes *
gzip_bytes (GBytes *bytes,
            gsize   zeros)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autofree guint8 *block = g_malloc0 (1 << 20);
  GByteArray *out = g_byte_array_new ();
  const guint8 *in = g_bytes_get_data (bytes, NULL);
  gsize left = g_bytes_get_size (bytes);
  gboolean in_zeros = FALSE;
  guint8 buffer[64 * 1024];

  for (;;)
    {
      gsize chunk = in_zeros ? MIN (zeros, (gsize) 1 << 20) : left;
      GConverterFlags flags = in_zeros && chunk == zeros ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS;
      const guint8 *from = in_zeros ? block : in;
      gsize read = 0, written = 0;
      GConverterResult result;

      if (!in_zeros && zeros == 0)
        flags = G_CONVERTER_INPUT_AT_END;
      result = g_converter_convert (G_CONVERTER (compressor), from, chunk, buffer, sizeof buffer, flags,
                                    &read, &written, NULL);
      g_assert (result != G_CONVERTER_ERROR);
      g_byte_array_append (out, buffer, written);
      if (result == G_CONVERTER_FINISHED)
        break;
      if (in_zeros)
        zeros -= read;
      else
        {
          in += read;
          left -= read;
          in_zeros = left == 0;
        }
    }
  return g_byte_array_free_to_bytes (out);
}

static char *
served_key (MjaFakeServer *self,
            const char    *job_id,
            guint          index,
            const char    *extension)
{
  g_autofree char *key = cache_key (job_id, index, extension);

  return self->options.gzip_images == MJA_FAKE_GZIP_NO ? g_steal_pointer (&key) : g_strconcat (key, ".gz", NULL);
}

/* What the CDN sends of an image: the image, or its gzip (with the
 * zeros of the knob behind a still), kept in the cache likewise. */
static GBytes *
dup_served (MjaFakeServer *self,
            const char    *job_id,
            guint          index,
            const char    *extension)
{
  g_autoptr(GBytes) image = mja_fake_server_dup_image (self, job_id, index, extension);
  g_autofree char *key = NULL;
  GBytes *bytes;

  if (image == NULL || self->options.gzip_images == MJA_FAKE_GZIP_NO)
    return g_steal_pointer (&image);
  key = served_key (self, job_id, index, extension);
  bytes = lookup_cached (self, key);
  if (bytes != NULL)
    return bytes;
  bytes = gzip_bytes (image, g_str_equal (extension, "mp4") ? 0 : (gsize) self->options.gzip_zeros_mib << 20);
  store_cached (self, g_steal_pointer (&key), bytes);
  return bytes;
}

static void
set_image_response (MjaFakeServer     *self,
                    SoupServerMessage *msg,
                    const char        *extension,
                    GBytes            *bytes)
{
  g_autofree char *type = g_str_equal (extension, "mp4") ? g_strdup ("video/mp4")
                          : g_strdup_printf ("image/%s", g_str_equal (extension, "jpg") ? "jpeg" : extension);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (self->options.gzip_images != MJA_FAKE_GZIP_NO)
    soup_message_headers_replace (headers, "Content-Encoding", "gzip");
  if (self->options.gzip_images == MJA_FAKE_GZIP_CHUNKED)
    soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes));
  soup_message_body_complete (soup_server_message_get_response_body (msg));
}

static void
image_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MjaFakeRequest *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  if (bytes == NULL)
    mja_fake_respond (pending->msg, SOUP_STATUS_NOT_FOUND, "text/plain", error->message, -1);
  else
    set_image_response (pending->self, pending->msg, strrchr (pending->path, '.') + 1, bytes);
  soup_server_message_unpause (pending->msg);
  mja_fake_request_free (pending);
}

/* Returns TRUE when the answer is set; FALSE when it is being rendered. */
gboolean
mja_fake_server_handle_cdn (MjaFakeRequest *pending)
{
  MjaFakeServer *self = pending->self;
  SoupServerMessage *msg = pending->msg;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *job_id = NULL;
  g_autofree char *extension = NULL;
  g_autoptr(GTask) task = NULL;
  guint index;
  gboolean serve_html = FALSE;
  gboolean known;

  g_assert (MJA_IS_FAKE_SERVER (self));
  g_assert (pending->endpoint == MJA_FAKE_ENDPOINT_CDN);

  g_mutex_lock (&self->mutex);
  if (soup_message_headers_get_one (headers, "Cookie") != NULL ||
      soup_message_headers_get_one (headers, "Authorization") != NULL)
    {
      /* The CDN must never see the session: count it so tests can tell. */
      self->cdn_cookie_count++;
      g_mutex_unlock (&self->mutex);
      mja_fake_respond (msg, SOUP_STATUS_BAD_REQUEST, "text/plain", "Credentials must not be sent to the CDN", -1);
      return TRUE;
    }
  if (mja_fake_server_inject_fault (self, msg))
    {
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  if (self->options.slow_images)
    {
      g_mutex_unlock (&self->mutex);
      mja_fake_respond_trickle (msg, "image/png", "\x89PNG\r\n\x1a\n", 8);
      return TRUE;
    }
  if (parse_cdn_path (pending->path, &job_id, &index, &extension))
    {
      const FakeJob *job = mja_fake_server_lookup_job (self, job_id);

      /* Stills of every job (the legacy site showed videos as grids),
       * videos only of video jobs. */
      known = job != NULL && index < job->batch &&
              (job->kind == MJA_JOB_KIND_VIDEO || !g_str_equal (extension, "mp4"));
      if (known)
        {
          self->image_count++;
          serve_html = self->options.html_image_every > 0 &&
                       self->image_count % self->options.html_image_every == 0;
        }
    }
  else
    known = FALSE;
  g_mutex_unlock (&self->mutex);

  if (!known)
    {
      mja_fake_respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "Not found", -1);
      return TRUE;
    }
  if (serve_html)
    {
      /* A misbehaving CDN: an HTML page that claims to be an image. */
      mja_fake_respond (msg, SOUP_STATUS_OK, "image/png", mja_fake_login_page, -1);
      return TRUE;
    }

  /* Drawn before: answer at once.  Drawing takes a thread. */
  {
    g_autofree char *key = served_key (self, job_id, index, extension);
    g_autoptr(GBytes) cached = lookup_cached (self, key);

    if (cached != NULL)
      {
        set_image_response (self, msg, extension, cached);
        return TRUE;
      }
  }

  task = g_task_new (self, NULL, image_ready_cb, pending);
  g_task_set_task_data (task, g_strdup_printf ("%s\n%u\n%s", job_id, index, extension), g_free);
  g_task_run_in_thread (task, render_thread);
  return FALSE;
}

guint
mja_fake_server_get_cdn_cookie_count (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  return mja_fake_server_read_count (self, &self->cdn_cookie_count);
}
