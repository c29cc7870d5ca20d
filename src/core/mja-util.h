/* mja-util.h — small helpers shared by the core rooms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void        mja_i18n_init            (void);
void        mja_util_protect_process (void);
void        mja_util_wipe_string     (char         *text);
char       *mja_cookie_header_lookup (const char *header,
                                      const char *name);
char       *mja_base64url_encode     (const guint8 *data,
                                      gsize         length);
guint8     *mja_base64url_decode     (const char   *text,
                                      gsize        *out_length);
gboolean    mja_parse_day            (const char   *text,
                                      gboolean      end_of_day,
                                      gint64       *out_us);

G_END_DECLS

#include <gio/gio.h>

G_BEGIN_DECLS

void      mja_sleep_async  (guint                milliseconds,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
gboolean  mja_sleep_finish (GAsyncResult        *result,
                            GError             **error);

typedef struct _MjaDeadline MjaDeadline;

MjaDeadline  *mja_deadline_new             (GCancellable *parent,
                                            guint         seconds);
GCancellable *mja_deadline_get_cancellable (MjaDeadline  *self);
gboolean      mja_deadline_expired         (MjaDeadline  *self,
                                            const GError *error);
void          mja_deadline_free            (MjaDeadline  *self);

G_END_DECLS
