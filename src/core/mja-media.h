/* mja-media.h — what a file's bytes say it is, and whether it is whole
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What is wrong with a file that should be an image or a video. */
typedef enum
{
  MJA_MEDIA_WHOLE,           /* nothing: it looks complete */
  MJA_MEDIA_UNREADABLE,      /* the file cannot be read */
  MJA_MEDIA_UNKNOWN,         /* not an image or video this archive holds */
  MJA_MEDIA_TRUNCATED_PNG,   /* no PNG end chunk */
  MJA_MEDIA_TRUNCATED_JPEG,  /* no JPEG end marker */
  MJA_MEDIA_TRUNCATED_WEBP,  /* the RIFF size is not the file's */
  MJA_MEDIA_TRUNCATED_MP4,   /* the top-level boxes do not end with the file */
  MJA_MEDIA_OVERSIZED,       /* far more bytes than its declared pixels take */
} MjaMediaProblem;

const char      *mja_sniff_media             (const guint8    *data,
                                              gsize            length);
gboolean         mja_media_matches_extension (const char      *sniffed,
                                              const char      *extension);
MjaMediaProblem  mja_media_check_data        (const guint8    *data,
                                              gsize            length);
MjaMediaProblem  mja_media_check_fd          (int              fd);
MjaMediaProblem  mja_media_check_file        (const char      *path);
gboolean         mja_media_problem_is_truncation (MjaMediaProblem problem);

/* The bytes a file may need to start with for mja_media_read_size(). */
#define MJA_MEDIA_HEAD_SIZE 32

gboolean         mja_media_read_size         (const guint8    *data,
                                              gsize            length,
                                              guint           *width,
                                              guint           *height);
guint64          mja_media_max_bytes         (guint            width,
                                              guint            height);
const char      *mja_media_problem_describe  (MjaMediaProblem  problem);

G_END_DECLS
