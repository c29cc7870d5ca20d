/* mja-media.c — what a file's bytes say it is, and whether it is whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the knowledge of the four formats the archive holds (PNG, JPEG,
 * WebP, MP4): their magic bytes, and the structure that shows a file was
 * cut short (PNG's end chunk, JPEG's end marker, WebP's RIFF size, MP4's
 * top-level boxes).  The downloader asks it before a file gets its final
 * name, verify asks it of every file in the archive.  It reads only what
 * those checks need, never decodes an image, and never writes.
 */
#define G_LOG_DOMAIN "mja-media"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-media.h"

#define SNIFF_SIZE    MJA_MEDIA_HEAD_SIZE  /* what it is, and its pixel size */
#define MAX_MP4_BOXES 65536  /* a real file has a handful; fragmented ones some hundreds */

/* What "what the first bytes say" is about: "png", "jpeg", "webp", "mp4". */
const char *
mja_sniff_media (const guint8 *data,
                 gsize         length)
{
  if (length >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (length >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return "jpeg";
  if (length >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  if (length >= 8 && memcmp (data + 4, "ftyp", 4) == 0)
    return "mp4";
  return NULL;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint32
le24 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16;
}

/**
 * mja_media_read_size:
 *
 * The pixel size an image's first bytes declare: PNG's IHDR, WebP's VP8X,
 * VP8L or VP8 header (all within MJA_MEDIA_HEAD_SIZE bytes).  FALSE for a
 * JPEG (its size may come after any amount of metadata), a video, an
 * animated WebP (its frames' number is not in the head), or a header that
 * declares no sensible size.
 */
gboolean
mja_media_read_size (const guint8 *data,
                     gsize         length,
                     guint        *width,
                     guint        *height)
{
  const char *sniffed = mja_sniff_media (data, length);
  guint32 w = 0, h = 0;

  if (g_strcmp0 (sniffed, "png") == 0 && length >= 24 && memcmp (data + 12, "IHDR", 4) == 0)
    {
      w = be32 (data + 16);
      h = be32 (data + 20);
    }
  /* An animated WebP holds any number of frames: no bound from its size. */
  else if (g_strcmp0 (sniffed, "webp") == 0 && length >= 30 && memcmp (data + 12, "VP8X", 4) == 0 &&
           (data[20] & 0x02) == 0)
    {
      w = le24 (data + 24) + 1;
      h = le24 (data + 27) + 1;
    }
  else if (g_strcmp0 (sniffed, "webp") == 0 && length >= 25 && memcmp (data + 12, "VP8L", 4) == 0 &&
           data[20] == 0x2f)
    {
      guint32 bits = (guint32) data[21] | (guint32) data[22] << 8 | (guint32) data[23] << 16 |
                     (guint32) data[24] << 24;

      w = (bits & 0x3fff) + 1;
      h = ((bits >> 14) & 0x3fff) + 1;
    }
  else if (g_strcmp0 (sniffed, "webp") == 0 && length >= 30 && memcmp (data + 12, "VP8 ", 4) == 0 &&
           memcmp (data + 23, "\x9d\x01\x2a", 3) == 0)
    {
      w = ((guint32) data[26] | (guint32) data[27] << 8) & 0x3fff;
      h = ((guint32) data[28] | (guint32) data[29] << 8) & 0x3fff;
    }
  /* PNG allows 2³¹ − 1; no image of this archive comes near 2¹⁶. */
  if (w == 0 || h == 0 || w > 1u << 20 || h > 1u << 20)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

/**
 * mja_media_max_bytes:
 *
 * The most bytes an image of @width × @height pixels can honestly take,
 * with a generous margin: twice what it takes uncompressed at the deepest
 * colour these formats have (16-bit RGBA, plus PNG's filter byte per
 * row), and a MiB for metadata.  Deflate and VP8 never grow data by half
 * that much, so a larger file is padding, not an image.
 */
guint64
mja_media_max_bytes (guint width,
                     guint height)
{
  guint64 raw = (guint64) width * height * 8 + height;

  return 2 * raw + 1024 * 1024;
}

/* Whether a file sniffed as @sniffed may carry the name's @extension. */
gboolean
mja_media_matches_extension (const char *sniffed,
                             const char *extension)
{
  if (sniffed == NULL || extension == NULL)
    return FALSE;
  if (g_str_equal (sniffed, "jpeg"))
    return g_str_equal (extension, "jpg") || g_str_equal (extension, "jpeg");
  return g_str_equal (sniffed, extension);
}

/* The bytes being checked: in memory, or in an open file. */
typedef struct
{
  const guint8 *data;
  int           fd;
  guint64       length;
} Source;

static gboolean
source_read (const Source *source,
             guint64       offset,
             guint8       *buffer,
             gsize         size)
{
  g_assert (offset <= source->length && size <= source->length - offset);

  if (source->data != NULL)
    {
      memcpy (buffer, source->data + offset, size);
      return TRUE;
    }
  for (gsize done = 0; done < size;)
    {
      gssize n = pread (source->fd, buffer + done, size - done, (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* Whether the bytes at the end of the file are @marker. */
static MjaMediaProblem
check_tail (const Source    *source,
            guint64          from_end,
            const char      *marker,
            gsize            marker_len,
            MjaMediaProblem  truncated)
{
  guint8 tail[8];

  g_assert (marker_len <= sizeof tail && marker_len <= from_end);

  if (source->length < from_end)
    return truncated;
  if (!source_read (source, source->length - from_end, tail, marker_len))
    return MJA_MEDIA_UNREADABLE;
  return memcmp (tail, marker, marker_len) == 0 ? MJA_MEDIA_WHOLE : truncated;
}

/* Top-level boxes, each "size, type" (size 1: a 64-bit size follows; 0:
 * up to the end), must end exactly where the file does. */
static MjaMediaProblem
check_mp4 (const Source *source)
{
  guint64 offset = 0;
  guint boxes = 0;

  while (offset < source->length)
    {
      guint8 header[16];
      guint32 size32;
      guint64 size;

      if (source->length - offset < 8 || ++boxes > MAX_MP4_BOXES)
        return MJA_MEDIA_TRUNCATED_MP4;
      if (!source_read (source, offset, header, 8))
        return MJA_MEDIA_UNREADABLE;
      memcpy (&size32, header, 4);
      size = GUINT32_FROM_BE (size32);
      if (size == 0)
        return MJA_MEDIA_WHOLE;
      if (size == 1)
        {
          guint64 size64;

          if (source->length - offset < 16)
            return MJA_MEDIA_TRUNCATED_MP4;
          if (!source_read (source, offset + 8, header + 8, 8))
            return MJA_MEDIA_UNREADABLE;
          memcpy (&size64, header + 8, 8);
          size = GUINT64_FROM_BE (size64);
          if (size < 16)
            return MJA_MEDIA_TRUNCATED_MP4;
        }
      else if (size < 8)
        return MJA_MEDIA_TRUNCATED_MP4;
      if (size > source->length - offset)
        return MJA_MEDIA_TRUNCATED_MP4;
      offset += size;
    }
  return MJA_MEDIA_WHOLE;
}

static MjaMediaProblem
check_source (const Source *source)
{
  guint8 head[SNIFF_SIZE];
  gsize head_len = (gsize) MIN (source->length, (guint64) sizeof head);
  const char *kind;

  if (!source_read (source, 0, head, head_len))
    return MJA_MEDIA_UNREADABLE;
  kind = mja_sniff_media (head, head_len);
  if (kind == NULL)
    return MJA_MEDIA_UNKNOWN;
  /* What the downloader refuses to receive, found on disk: padding. */
  {
    guint width, height;

    if (mja_media_read_size (head, head_len, &width, &height) &&
        source->length > mja_media_max_bytes (width, height))
      return MJA_MEDIA_OVERSIZED;
  }
  if (g_str_equal (kind, "png"))
    return source->length < 12 ? MJA_MEDIA_TRUNCATED_PNG
                               : check_tail (source, 8, "IEND", 4, MJA_MEDIA_TRUNCATED_PNG);
  if (g_str_equal (kind, "jpeg"))
    return source->length < 4 ? MJA_MEDIA_TRUNCATED_JPEG
                              : check_tail (source, 2, "\xff\xd9", 2, MJA_MEDIA_TRUNCATED_JPEG);
  if (g_str_equal (kind, "webp"))
    {
      guint32 riff_size;

      memcpy (&riff_size, head + 4, 4);
      return (guint64) GUINT32_FROM_LE (riff_size) + 8 == source->length ? MJA_MEDIA_WHOLE
                                                                           : MJA_MEDIA_TRUNCATED_WEBP;
    }
  g_assert (g_str_equal (kind, "mp4"));
  return check_mp4 (source);
}

/**
 * mja_media_check_data:
 * @data: a whole file
 * @length: its size
 *
 * Returns: what is wrong with the file, or %MJA_MEDIA_WHOLE
 */
MjaMediaProblem
mja_media_check_data (const guint8 *data,
                      gsize         length)
{
  Source source = { data, -1, length };

  g_return_val_if_fail (data != NULL || length == 0, MJA_MEDIA_UNREADABLE);

  source.data = data ? data : (const guint8 *) "";
  return check_source (&source);
}

/**
 * mja_media_check_fd:
 * @fd: a regular file open for reading, whole as it is now
 *
 * Reads only the few bytes the checks need, wherever the file's position.
 *
 * Returns: what is wrong with the file, or %MJA_MEDIA_WHOLE
 */
MjaMediaProblem
mja_media_check_fd (int fd)
{
  GStatBuf st;
  Source source = { NULL, fd, 0 };

  g_return_val_if_fail (fd >= 0, MJA_MEDIA_UNREADABLE);

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    return MJA_MEDIA_UNREADABLE;
  source.length = (guint64) st.st_size;
  return check_source (&source);
}

MjaMediaProblem
mja_media_check_file (const char *path)
{
  MjaMediaProblem problem;
  int fd;

  g_return_val_if_fail (path != NULL, MJA_MEDIA_UNREADABLE);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return MJA_MEDIA_UNREADABLE;
  problem = mja_media_check_fd (fd);
  close (fd);
  return problem;
}

gboolean
mja_media_problem_is_truncation (MjaMediaProblem problem)
{
  return problem == MJA_MEDIA_TRUNCATED_PNG || problem == MJA_MEDIA_TRUNCATED_JPEG ||
         problem == MJA_MEDIA_TRUNCATED_WEBP || problem == MJA_MEDIA_TRUNCATED_MP4;
}

/**
 * mja_media_problem_describe:
 *
 * Returns: (nullable): the problem in words that follow a file's name
 *   ("…: is truncated (no PNG end chunk)"), or %NULL for a whole file
 */
const char *
mja_media_problem_describe (MjaMediaProblem problem)
{
  switch (problem)
    {
    case MJA_MEDIA_WHOLE:
      return NULL;
    case MJA_MEDIA_UNREADABLE:
      return _("cannot be read");
    case MJA_MEDIA_UNKNOWN:
      return _("is not an image or video");
    case MJA_MEDIA_TRUNCATED_PNG:
      return _("is truncated (no PNG end chunk)");
    case MJA_MEDIA_TRUNCATED_JPEG:
      return _("is truncated (no JPEG end marker)");
    case MJA_MEDIA_TRUNCATED_WEBP:
      return _("is truncated (WebP size does not match)");
    case MJA_MEDIA_TRUNCATED_MP4:
      return _("is truncated (MP4 boxes run past its end)");
    case MJA_MEDIA_OVERSIZED:
      return _("is far larger than its pixels need (padded or not an image)");
    default:
      g_assert_not_reached ();
    }
  return NULL;
}
