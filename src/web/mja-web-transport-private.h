/* mja-web-transport-private.h — the browser transport's inner parts, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The most bytes of header text (names, values, the reason phrase) an
 * envelope may carry besides its body. */
#define MJA_WEB_ENVELOPE_HEAD_BYTES   (1024 * 1024)

/* The body of an answer asked for without a cap is still one string in
 * the page: at most this much (the default cap of a page of jobs). */
#define MJA_WEB_UNCAPPED_BODY_BYTES   (64 * 1024 * 1024)

/* Values in an envelope: its five members, and three for each header. */
#define MJA_WEB_ENVELOPE_MAX_VALUES   10000

/* What the page's fetch() answered, as its script hands it back: a JSON
 * text {status, reason, headers: [[name, value], …], body, truncated}. */
typedef struct
{
  guint               status;
  char               *reason;      /* (nullable) */
  SoupMessageHeaders *headers;
  GBytes             *body;        /* its bytes are followed by a NUL not counted */
  gboolean            truncated;   /* the body was cut at the cap */
} MjaWebEnvelope;

gboolean mja_web_envelope_read  (const char      *text,
                                 gsize            length,
                                 guint64          max_size,
                                 MjaWebEnvelope  *envelope,
                                 GError         **error);
void     mja_web_envelope_clear (MjaWebEnvelope  *envelope);

G_END_DECLS
