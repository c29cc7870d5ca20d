/* mja-util.c — small helpers shared by the core rooms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-util"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "mja-util.h"

/* Sets up gettext for the app, the CLI and the fake server. The catalogues
 * come from the installed locale folder; MJA_LOCALEDIR points elsewhere to
 * run from a build tree (the tests and build-aux/run.sh set it to the
 * build's po/ folder, where meson puts de/LC_MESSAGES/mj-archiver.mo). */
void
mja_i18n_init (void)
{
  const char *localedir = g_getenv ("MJA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* A session cookie and its refresh token live in this process's memory:
 * no core dump is written should it crash, and other processes of the
 * same user cannot attach to it or read its memory (a non-dumpable
 * process's /proc files belong to root).  Called first thing by the app
 * and the CLI. */
void
mja_util_protect_process (void)
{
  struct rlimit none = { 0, 0 };

  if (setrlimit (RLIMIT_CORE, &none) != 0)
    g_debug ("Could not turn core dumps off: %s", g_strerror (errno));
#if !MJA_SANITIZED
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_debug ("Could not make the process non-dumpable: %s", g_strerror (errno));
#endif
}

/* Overwrites a secret before its memory is freed, in a way the compiler
 * may not drop as a dead store. */
void
mja_util_wipe_string (char *text)
{
  volatile char *p = (volatile char *) text;

  if (text == NULL)
    return;
  while (*p != '\0')
    *p++ = '\0';
}

/* Finds one cookie's value in a "Cookie:" header ("a=1; b=2"); the header
 * may still carry its "Cookie:" prefix when pasted from a browser. */
char *
mja_cookie_header_lookup (const char *header,
                          const char *name)
{
  g_auto(GStrv) parts = NULL;
  gsize name_len;

  if (header == NULL || name == NULL)
    return NULL;

  while (g_ascii_isspace (*header))
    header++;
  if (g_ascii_strncasecmp (header, "cookie:", 7) == 0)
    header += 7;

  name_len = strlen (name);
  parts = g_strsplit (header, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (strncmp (part, name, name_len) == 0 && part[name_len] == '=')
        {
          g_autofree char *value = g_strdup (part + name_len + 1);
          g_strstrip (value);
          if (*value == '\0')
            return NULL;
          return g_steal_pointer (&value);
        }
    }
  return NULL;
}

/* "YYYY-MM-DD" as a UTC day: its first microsecond, or with @end_of_day
 * its last, so that a range "from A to B" includes all of B. */
gboolean
mja_parse_day (const char *text,
               gboolean    end_of_day,
               gint64     *out_us)
{
  g_autoptr(GDateTime) day = NULL;
  int y, m, d;
  char extra;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
    return FALSE;
  day = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (day == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (day) * G_USEC_PER_SEC + (end_of_day ? (gint64) 24 * 3600 * G_USEC_PER_SEC - 1 : 0);
  return TRUE;
}

char *
mja_base64url_encode (const guint8 *data,
                      gsize         length)
{
  char *text = g_base64_encode (data, length);
  gsize len = strlen (text);

  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  while (len > 0 && text[len - 1] == '=')
    text[--len] = '\0';
  return text;
}

guint8 *
mja_base64url_decode (const char *text,
                      gsize      *out_length)
{
  g_autoptr(GString) copy = NULL;

  g_return_val_if_fail (out_length != NULL, NULL);
  *out_length = 0;
  if (text == NULL)
    return NULL;

  copy = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (copy, *p);
      else if (*p == '-' || *p == '+')
        g_string_append_c (copy, '+');
      else if (*p == '_' || *p == '/')
        g_string_append_c (copy, '/');
      else if (*p == '=')
        break;
      else
        return NULL;
    }
  if (copy->len % 4 == 1)
    return NULL;
  while (copy->len % 4 != 0)
    g_string_append_c (copy, '=');
  return g_base64_decode (copy->str, out_length);
}

typedef struct
{
  GSource *timeout;
  GSource *cancelled;
} SleepData;

static void
sleep_data_clear_sources (SleepData *data)
{
  GSource **sources[] = { &data->timeout, &data->cancelled };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      if (*sources[i] == NULL)
        continue;
      g_source_destroy (*sources[i]);
      g_clear_pointer (sources[i], g_source_unref);
    }
}

static void
sleep_data_free (SleepData *data)
{
  sleep_data_clear_sources (data);
  g_free (data);
}

/* The task's own reference is held by the wait and dropped by whichever
 * source fires first; both sources go with it. */
static void
sleep_done (GTask    *task,
            gboolean  cancelled)
{
  sleep_data_clear_sources (g_task_get_task_data (task));
  if (!cancelled || !g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
sleep_timeout_cb (gpointer user_data)
{
  sleep_done (user_data, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  sleep_done (user_data, TRUE);
  return G_SOURCE_REMOVE;
}

/* Waits without blocking the loop, and ends at once when cancelled, so a
 * long back-off never delays "Stop". */
void
mja_sleep_async (guint                milliseconds,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SleepData *data = g_new0 (SleepData, 1);
  GMainContext *context = g_task_get_context (task);

  g_task_set_source_tag (task, mja_sleep_async);
  g_task_set_task_data (task, data, (GDestroyNotify) sleep_data_free);

  data->timeout = g_timeout_source_new (milliseconds);
  g_source_set_callback (data->timeout, sleep_timeout_cb, task, NULL);
  g_source_attach (data->timeout, context);
  if (cancellable != NULL)
    {
      data->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancelled, G_SOURCE_FUNC (sleep_cancelled_cb), task, NULL);
      g_source_attach (data->cancelled, context);
    }
}

gboolean
mja_sleep_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- a deadline for one network answer ------------------------------- */

/* libsoup's timeouts bound one silent read; an answer that trickles in a
 * byte at a time would never end.  A deadline is a cancellable for one
 * try, cancelled when @parent is (Stop) or when @seconds have passed,
 * with a timer on the thread-default main context. */
struct _MjaDeadline
{
  GCancellable *parent;
  GCancellable *cancellable;
  gulong        parent_id;
  GSource      *timer;
  gboolean      expired;
};

static void
deadline_parent_cancelled_cb (GCancellable *parent,
                              GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static gboolean
deadline_timer_cb (gpointer data)
{
  MjaDeadline *self = data;

  self->expired = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

MjaDeadline *
mja_deadline_new (GCancellable *parent,
                  guint         seconds)
{
  MjaDeadline *self = g_new0 (MjaDeadline, 1);

  self->cancellable = g_cancellable_new ();
  if (parent != NULL)
    {
      self->parent = g_object_ref (parent);
      self->parent_id = g_cancellable_connect (parent, G_CALLBACK (deadline_parent_cancelled_cb),
                                               self->cancellable, NULL);
    }
  self->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (self->timer, deadline_timer_cb, self, NULL);
  g_source_attach (self->timer, g_main_context_get_thread_default ());
  return self;
}

GCancellable *
mja_deadline_get_cancellable (MjaDeadline *self)
{
  return self->cancellable;
}

/* Whether @error (of an operation given this deadline's cancellable) is
 * the deadline passing rather than Stop or the network. */
gboolean
mja_deadline_expired (MjaDeadline  *self,
                      const GError *error)
{
  return self->expired && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

void
mja_deadline_free (MjaDeadline *self)
{
  if (self == NULL)
    return;
  g_source_destroy (self->timer);
  g_source_unref (self->timer);
  if (self->parent != NULL)
    {
      g_cancellable_disconnect (self->parent, self->parent_id);
      g_object_unref (self->parent);
    }
  g_object_unref (self->cancellable);
  g_free (self);
}
