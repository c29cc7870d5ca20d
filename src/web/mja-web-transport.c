/* mja-web-transport.c — the browser transport: Midjourney through WebKitGTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns one hidden WebKitWebView on <api base>/imagine and the network
 * session behind it: every API call runs as fetch() inside that page (same
 * origin, so the site's cookies, the CSRF header and its own token refresh
 * just work), every image and video is a download of that session into the
 * archive's .part file.  It keeps the page fit for calls (reloading it
 * after a challenge or a 401) and says when a challenge needs a person.
 * It never decides what a status means (MjaApi does), never writes a
 * cookie to disk (the session is ephemeral; the keyring is the one place)
 * and never takes an answer from a host it was not asked for: fetch()
 * follows no redirect, and a download WebKit followed to another origin
 * (it does so before anything reaches us) is refused at its answer.  What
 * the page's script hands back comes from the web process, which runs
 * what the site sends: it is read as untrusted text (mja_web_envelope_read).
 *
 * Threads: WebKit lives in the main thread.  Methods may be called from
 * any thread with its thread-default context; each call hops to the main
 * context and its events come back, in order, to the caller's context.
 */
#define G_LOG_DOMAIN "mja-web"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "mja-http-private.h"
#include "mja-json.h"
#include "mja-web-transport-private.h"
#include "mja-web-transport.h"

/* The script world of our calls: the page's own scripts cannot see or
 * replace what runs there (a patched fetch, our abort handles). */
#define WORLD_NAME "mja-archiver"

/* How long a challenge page may take to solve itself before a person is
 * needed, in seconds (MJA_WEB_CHALLENGE_WAIT overrides, for tests). */
#define CHALLENGE_WAIT_S 20

typedef enum
{
  PAGE_LOADING,
  PAGE_CHALLENGE,   /* a challenge page, waiting for it to solve itself */
  PAGE_READY,
} PageState;

struct _MjaWebTransport
{
  GObject               parent_instance;

  GMainContext         *context;      /* WebKit's: the main context */
  WebKitNetworkSession *session;
  WebKitWebView        *view;
  char                 *page_url;

  PageState             state;
  gboolean              load_failed;
  gboolean              needs_person;
  guint                 challenge_timeout_id;
  GQueue                waiting;      /* Call *: for the page or a slot */
  guint                 in_flight;
  guint                 next_id;
  GPtrArray            *renewals;     /* GTask *: waiting for the page */
};

enum
{
  PROP_0,
  PROP_NEEDS_PERSON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void mja_web_transport_iface_init (MjaTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MjaWebTransport, mja_web_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MJA_TYPE_TRANSPORT, mja_web_transport_iface_init))

/* ---- one call, and its events back in the caller's context ------------ */

typedef enum
{
  EVENT_RESPONSE,
  EVENT_BODY,
  EVENT_PROGRESS,
  EVENT_DONE,
} EventKind;

typedef struct
{
  EventKind           kind;
  guint               status;
  char               *reason;
  SoupMessageHeaders *headers;
  GBytes             *body;
  guint64             received;
  GError             *error;
} Event;

typedef struct
{
  gatomicrefcount          ref_count;
  MjaWebTransport         *self;
  GMainContext            *caller;
  GCancellable            *cancellable;
  gulong                   cancel_id;
  const MjaTransportFuncs *funcs;
  gpointer                 user_data;
  MjaTransportRequestKind  kind;
  char                    *url;
  char                    *spec;        /* send: the JSON the script reads */
  char                    *part_path;   /* download */
  guint64                  max_size;    /* send: the cap the script keeps (never 0) */

  /* main thread only */
  guint                    id;
  gboolean                 running;
  gboolean                 finished;    /* DONE is posted */
  gboolean                 retried;     /* the page was reloaded for it once */
  WebKitDownload          *download;
  guint64                  received;

  /* caller's thread only */
  gboolean                 stopped;

  GMutex                   mutex;
  GQueue                   events;
} Call;

static void
event_free (Event *event)
{
  g_free (event->reason);
  g_clear_pointer (&event->headers, soup_message_headers_unref);
  g_clear_pointer (&event->body, g_bytes_unref);
  g_clear_error (&event->error);
  g_free (event);
}

static Call *
call_ref (Call *call)
{
  g_atomic_ref_count_inc (&call->ref_count);
  return call;
}

static void
call_unref (Call *call)
{
  if (!g_atomic_ref_count_dec (&call->ref_count))
    return;
  g_queue_clear_full (&call->events, (GDestroyNotify) event_free);
  g_mutex_clear (&call->mutex);
  g_clear_object (&call->download);
  g_clear_object (&call->cancellable);
  g_main_context_unref (call->caller);
  g_object_unref (call->self);
  g_free (call->url);
  g_free (call->spec);
  g_free (call->part_path);
  g_free (call);
}

/* Runs @func soon in @context, never right now (no re-entry). */
static void
run_in (GMainContext *context,
        GSourceFunc   func,
        Call         *call)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, call_ref (call), (GDestroyNotify) call_unref);
  g_source_attach (source, context);
}

static void call_abort (Call *call, GError *error);

static gboolean
stop_in_main_cb (gpointer data)
{
  call_abort (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Stopped"));
  return G_SOURCE_REMOVE;
}

/* In the caller's context: the next event, to the caller's funcs. */
static gboolean
deliver_cb (gpointer data)
{
  Call *call = data;
  Event *event;

  g_mutex_lock (&call->mutex);
  event = g_queue_pop_head (&call->events);
  g_mutex_unlock (&call->mutex);
  if (event == NULL)
    return G_SOURCE_REMOVE;

  switch (event->kind)
    {
    case EVENT_RESPONSE:
      if (!call->stopped && call->funcs->response != NULL)
        {
          MjaTransportResponse response = { event->status, event->reason, event->headers };

          if (!call->funcs->response (&response, call->user_data))
            {
              call->stopped = TRUE;
              run_in (call->self->context, stop_in_main_cb, call);
            }
        }
      break;
    case EVENT_BODY:
      if (!call->stopped && call->funcs->chunk != NULL && g_bytes_get_size (event->body) > 0)
        {
          gsize size;
          const guint8 *bytes = g_bytes_get_data (event->body, &size);

          if (!call->funcs->chunk (bytes, size, call->user_data))
            call->stopped = TRUE;
        }
      break;
    case EVENT_PROGRESS:
      if (!call->stopped && call->funcs->progress != NULL)
        call->funcs->progress (event->received, call->user_data);
      break;
    case EVENT_DONE:
      /* No cancellation handler runs after this returns. */
      if (call->cancel_id != 0)
        g_cancellable_disconnect (call->cancellable, call->cancel_id);
      call->cancel_id = 0;
      if (!call->stopped)
        call->funcs->done (g_steal_pointer (&event->error), call->user_data);
      call->stopped = TRUE;
      event_free (event);
      call_unref (call);   /* the caller's side of the call */
      return G_SOURCE_REMOVE;
    }
  event_free (event);
  return G_SOURCE_REMOVE;
}

static void
call_post (Call  *call,
           Event *event)
{
  g_mutex_lock (&call->mutex);
  g_queue_push_tail (&call->events, event);
  g_mutex_unlock (&call->mutex);
  run_in (call->caller, deliver_cb, call);
}

static Event *
event_new (EventKind kind)
{
  Event *event = g_new0 (Event, 1);

  event->kind = kind;
  return event;
}

static void pump (MjaWebTransport *self);

/* In the main thread: the call ends now with @error (taken; %NULL: the
 * end of the body).  Whatever still runs for it is dropped. */
static void
call_finish (Call   *call,
             GError *error)
{
  Event *event;

  if (call->finished)
    {
      g_clear_error (&error);
      return;
    }
  call->finished = TRUE;
  g_queue_remove (&call->self->waiting, call);
  event = event_new (EVENT_DONE);
  event->error = error;
  call_post (call, event);
  call_unref (call);   /* the main thread's side */
}

static void
call_abort (Call   *call,
            GError *error)
{
  MjaWebTransport *self = call->self;

  if (call->finished)
    {
      g_clear_error (&error);
      return;
    }
  if (call->running && call->spec != NULL)
    {
      g_autofree char *script = g_strdup_printf ("globalThis.__mjaCalls?.get(%u)?.abort();", call->id);

      webkit_web_view_evaluate_javascript (self->view, script, -1, WORLD_NAME, NULL, NULL, NULL, NULL);
    }
  call_ref (call);
  call_finish (call, error);
  if (call->download != NULL)
    webkit_download_cancel (call->download);
  call_unref (call);
}

static gboolean
cancel_in_main_cb (gpointer data)
{
  call_abort (data, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
  return G_SOURCE_REMOVE;
}

/* Any thread: the caller's cancellable fired. */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  Call *call = data;

  run_in (call->self->context, cancel_in_main_cb, call);
}

static Call *
call_new (MjaWebTransport           *self,
          const MjaTransportRequest *request,
          GCancellable              *cancellable,
          const MjaTransportFuncs   *funcs,
          gpointer                   user_data)
{
  Call *call = g_new0 (Call, 1);

  /* One reference for the main thread, one for the caller's side. */
  g_atomic_ref_count_init (&call->ref_count);
  g_atomic_ref_count_inc (&call->ref_count);
  g_mutex_init (&call->mutex);
  call->self = g_object_ref (self);
  call->caller = g_main_context_ref_thread_default ();
  call->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  call->funcs = funcs;
  call->user_data = user_data;
  call->kind = request->kind;
  call->url = g_strdup (request->url);
  return call;
}

static void
call_start (Call       *call,
            GSourceFunc start_in_main)
{
  /* Connected before the hop, so a cancellation is never missed; the
   * handler only posts to the main context. */
  call->cancel_id = g_cancellable_connect (call->cancellable, G_CALLBACK (cancelled_cb), call, NULL);
  run_in (call->self->context, start_in_main, call);
}

/* ---- the page -------------------------------------------------------- */

static gboolean
is_challenge_text (const char *text)
{
  return text != NULL &&
         (strstr (text, "Just a moment") != NULL || strstr (text, "challenges.cloudflare.com") != NULL ||
          strstr (text, "challenge-platform") != NULL || strstr (text, "cType: 'managed'") != NULL);
}

static void
set_needs_person (MjaWebTransport *self,
                  gboolean         needs_person)
{
  if (self->needs_person == needs_person)
    return;
  self->needs_person = needs_person;
  if (needs_person)
    g_message ("The site's bot protection wants a person to answer its challenge");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_PERSON]);
}

static void
page_ready (MjaWebTransport *self)
{
  g_autoptr(GPtrArray) renewals = g_steal_pointer (&self->renewals);

  g_clear_handle_id (&self->challenge_timeout_id, g_source_remove);
  self->state = PAGE_READY;
  self->renewals = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < renewals->len; i++)
    g_task_return_boolean (g_ptr_array_index (renewals, i), !self->needs_person && !self->load_failed);
  pump (self);
}

static gboolean
challenge_timeout_cb (gpointer data)
{
  MjaWebTransport *self = data;

  self->challenge_timeout_id = 0;
  set_needs_person (self, TRUE);
  page_ready (self);
  return G_SOURCE_REMOVE;
}

static void
load_page (MjaWebTransport *self)
{
  if (self->state == PAGE_LOADING)
    return;
  self->state = PAGE_LOADING;
  self->load_failed = FALSE;
  g_debug ("Loading %s", self->page_url);
  webkit_web_view_load_uri (self->view, self->page_url);
}

static void
page_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(MjaWebTransport) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);
  g_autofree char *text = value != NULL ? jsc_value_to_string (value) : NULL;

  if (self->state == PAGE_LOADING)
    return;   /* another load began meanwhile */
  if (is_challenge_text (text))
    {
      guint wait_s = CHALLENGE_WAIT_S;
      const char *env = g_getenv ("MJA_WEB_CHALLENGE_WAIT");

      if (env != NULL && *env != '\0')
        wait_s = (guint) g_ascii_strtoull (env, NULL, 10);
      /* The page's script solves it and reloads, or a person must. */
      self->state = PAGE_CHALLENGE;
      if (self->challenge_timeout_id == 0)
        self->challenge_timeout_id = g_timeout_add_seconds (wait_s, challenge_timeout_cb, self);
      return;
    }
  set_needs_person (self, FALSE);
  page_ready (self);
}

static void
load_changed_cb (WebKitWebView   *view,
                 WebKitLoadEvent  event,
                 MjaWebTransport *self)
{
  if (event == WEBKIT_LOAD_STARTED)
    {
      self->state = PAGE_LOADING;
      return;
    }
  if (event != WEBKIT_LOAD_FINISHED)
    return;
  self->state = PAGE_CHALLENGE;
  if (self->load_failed)
    {
      page_ready (self);
      return;
    }
  webkit_web_view_evaluate_javascript (view,
                                       "document.title + '\\n' + (document.documentElement?.outerHTML ?? '').slice(0, 65536)",
                                       -1, WORLD_NAME, NULL, NULL, page_checked_cb, g_object_ref (self));
}

static gboolean
load_failed_cb (WebKitWebView   *view,
                WebKitLoadEvent  event,
                const char      *uri,
                GError          *error,
                MjaWebTransport *self)
{
  g_message ("Could not load %s: %s", uri, error->message);
  self->load_failed = TRUE;
  return FALSE;
}

static void
web_process_terminated_cb (WebKitWebView                     *view,
                           WebKitWebProcessTerminationReason  reason,
                           MjaWebTransport                   *self)
{
  g_message ("The web process ended (%d); loading the page again", reason);
  self->state = PAGE_CHALLENGE;
  load_page (self);
}

/* ---- send: fetch() in the page ----------------------------------------- */

/* The script keeps the call's cap itself (spec.maxSize, never 0: an
 * uncapped call is held to MJA_WEB_UNCAPPED_BODY_BYTES, the answer being
 * one string in the page) and hands the answer back as one JSON text. */
static const char fetch_script[] =
  "const spec = JSON.parse(specText);\n"
  "const calls = globalThis.__mjaCalls ?? (globalThis.__mjaCalls = new Map());\n"
  "const controller = new AbortController();\n"
  "calls.set(id, controller);\n"
  "try {\n"
  "  const init = { method: spec.method, headers: spec.headers, redirect: 'manual', cache: 'no-store',\n"
  "                 signal: controller.signal, credentials: spec.session ? 'same-origin' : 'omit' };\n"
  "  if (spec.body !== null)\n"
  "    init.body = spec.body;\n"
  "  const r = await fetch(spec.url, init);\n"
  "  if (r.type === 'opaqueredirect')\n"
  "    return JSON.stringify({ status: 302, reason: 'Found', headers: [], body: '', truncated: false });\n"
  "  const headers = [];\n"
  "  r.headers.forEach((value, name) => headers.push([name, value]));\n"
  "  let body = '', truncated = false;\n"
  "  const length = Number(r.headers.get('content-length') ?? 0);\n"
  "  if (length > spec.maxSize && !r.headers.has('content-encoding')) {\n"
  "    truncated = true;\n"
  "    r.body?.cancel();\n"
  "  } else if (r.body) {\n"
  "    const reader = r.body.getReader();\n"
  "    const decoder = new TextDecoder();\n"
  "    const parts = [];\n"
  "    let n = 0;\n"
  "    for (;;) {\n"
  "      const { done, value } = await reader.read();\n"
  "      if (done)\n"
  "        break;\n"
  "      n += value.length;\n"
  "      if (n > spec.maxSize) {\n"
  "        truncated = true;\n"
  "        reader.cancel();\n"
  "        break;\n"
  "      }\n"
  "      parts.push(decoder.decode(value, { stream: true }));\n"
  "    }\n"
  "    parts.push(decoder.decode());\n"
  "    body = parts.join('');\n"
  "  }\n"
  "  return JSON.stringify({ status: r.status, reason: r.statusText, headers, body, truncated });\n"
  "} finally {\n"
  "  calls.delete(id);\n"
  "}\n";

/* ---- the envelope: what the page's script hands back ------------------ */

void
mja_web_envelope_clear (MjaWebEnvelope *envelope)
{
  g_clear_pointer (&envelope->reason, g_free);
  g_clear_pointer (&envelope->headers, soup_message_headers_unref);
  g_clear_pointer (&envelope->body, g_bytes_unref);
}

static gboolean
envelope_refused (GError    **error,
                  const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The page's fetch gave no answer as ours writes it: %s", why);
  return FALSE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static const char *
string_element (JsonArray *array,
                guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

/* The body's bytes: mja_json_parse() read each escaped NUL as
 * MJA_JSON_NUL_MARK, which no other text of the envelope can hold (the
 * page's strings arrive as UTF-8, where 0xff never is), so it goes back
 * to the NUL it was. */
static GBytes *
body_bytes (const char *text)
{
  gsize length = strlen (text);
  char *bytes = g_malloc (length + 1);
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == MJA_JSON_NUL_MARK[0] && p[1] == MJA_JSON_NUL_MARK[1])
        {
          bytes[n++] = '\0';
          p++;
        }
      else
        bytes[n++] = *p;
    }
  bytes[n] = '\0';
  return g_bytes_new_take (bytes, n);
}

/**
 * mja_web_envelope_read:
 * @text: what the page's script returned (not necessarily nul-terminated)
 * @max_size: the call's cap (0: MJA_WEB_UNCAPPED_BODY_BYTES)
 *
 * Reads the envelope of a fetch() in the page.  The text comes from the
 * web process, which runs what the site sends: it is bounded before
 * json-glib sees it (no longer than a body of @max_size can make it, as
 * deep and as many values as mja_json_parse() lets through) and taken
 * only in the shape our script writes.
 */
gboolean
mja_web_envelope_read (const char      *text,
                       gsize            length,
                       guint64          max_size,
                       MjaWebEnvelope  *envelope,
                       GError         **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *answer;
  JsonNode *node;
  JsonArray *headers;
  const char *body;
  const char *reason;
  guint64 cap = max_size > 0 ? max_size : MJA_WEB_UNCAPPED_BODY_BYTES;
  guint64 limit;
  gint64 status;

  memset (envelope, 0, sizeof *envelope);
  /* JSON.stringify() writes a byte of the body as six at most ("\u001f"). */
  limit = cap <= (G_MAXUINT64 - MJA_WEB_ENVELOPE_HEAD_BYTES) / 6 ? 6 * cap + MJA_WEB_ENVELOPE_HEAD_BYTES
                                                                 : G_MAXUINT64;
  if (length > limit)
    {
      g_set_error (error, MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE,
                   "The page's fetch handed back %" G_GSIZE_FORMAT " bytes, more than a body of %" G_GUINT64_FORMAT
                   " makes", length, cap);
      return FALSE;
    }
  root = mja_json_parse (text, length, MJA_WEB_ENVELOPE_MAX_VALUES, "The page's fetch", &local_error);
  if (root == NULL)
    return envelope_refused (error, local_error->message);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return envelope_refused (error, "not an object");
  answer = json_node_get_object (root);

  node = json_object_get_member (answer, "status");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      (status = json_node_get_int (node)) < 0 || status > 999)
    return envelope_refused (error, "no status");
  body = string_member (answer, "body");
  if (body == NULL)
    return envelope_refused (error, "no body");
  node = json_object_get_member (answer, "headers");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return envelope_refused (error, "no headers");
  headers = json_node_get_array (node);
  node = json_object_get_member (answer, "truncated");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return envelope_refused (error, "no truncated");
  reason = string_member (answer, "reason");
  if (reason != NULL && (strpbrk (reason, "\r\n") != NULL || strstr (reason, MJA_JSON_NUL_MARK) != NULL))
    return envelope_refused (error, "a broken reason");

  envelope->status = (guint) status;
  envelope->truncated = json_node_get_boolean (node);
  envelope->reason = g_strdup (reason);
  envelope->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonNode *element = json_array_get_element (headers, i);
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (element) ? json_node_get_array (element) : NULL;
      const char *name = pair != NULL && json_array_get_length (pair) == 2 ? string_element (pair, 0) : NULL;
      const char *value = name != NULL ? string_element (pair, 1) : NULL;

      /* What fetch()'s Headers hold: a token, and a value of one line. */
      if (value == NULL || *name == '\0' || strpbrk (name, " \t\r\n:") != NULL ||
          strpbrk (value, "\r\n") != NULL || strstr (name, MJA_JSON_NUL_MARK) != NULL ||
          strstr (value, MJA_JSON_NUL_MARK) != NULL)
        {
          mja_web_envelope_clear (envelope);
          return envelope_refused (error, "a broken header");
        }
      soup_message_headers_append (envelope->headers, name, value);
    }
  envelope->body = body_bytes (body);
  return TRUE;
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Call *call = data;
  MjaWebTransport *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JSCValue) value = webkit_web_view_call_async_javascript_function_finish (WEBKIT_WEB_VIEW (source),
                                                                                     result, &error);
  g_autofree char *text = NULL;
  MjaWebEnvelope envelope;
  Event *event;
  const char *body;
  guint status;

  call->running = FALSE;
  self->in_flight--;
  if (call->finished)
    goto out;

  if (value == NULL)
    {
      g_debug ("fetch %s: %s", call->url, error->message);
      call_finish (call, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("The browser could not reach %s: %s"),
                                      call->url, error->message));
      goto out;
    }
  if (!jsc_value_is_string (value))
    {
      call_finish (call, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "The page's fetch gave no answer"));
      goto out;
    }
  text = jsc_value_to_string (value);
  if (!mja_web_envelope_read (text, strlen (text), call->max_size, &envelope, &error))
    {
      g_debug ("fetch %s: %s", call->url, error->message);
      call_finish (call, g_steal_pointer (&error));
      goto out;
    }
  status = envelope.status;
  body = g_bytes_get_data (envelope.body, NULL);

  event = event_new (EVENT_RESPONSE);
  event->status = status;
  event->reason = g_steal_pointer (&envelope.reason);
  event->headers = soup_message_headers_ref (envelope.headers);

  /* A challenge although the page is fine: the page is reloaded, which
   * solves it in the browser, and the call tried once more. */
  if ((status == 403 || status == 503) && call->kind == MJA_TRANSPORT_REQUEST_API && !call->retried &&
      !self->needs_person &&
      (g_strcmp0 (soup_message_headers_get_one (event->headers, "cf-mitigated"), "challenge") == 0 ||
       is_challenge_text (body)))
    {
      g_debug ("%s answered a challenge; reloading the page", call->url);
      event_free (event);
      mja_web_envelope_clear (&envelope);
      call->retried = TRUE;
      g_queue_push_head (&self->waiting, call_ref (call));
      load_page (self);
      goto out;
    }

  call_post (call, event);
  event = event_new (EVENT_BODY);
  event->body = g_bytes_ref (envelope.body);
  call_post (call, event);
  if (envelope.truncated)
    call_finish (call, g_error_new_literal (MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE, "Over the size cap"));
  else
    call_finish (call, NULL);
  mja_web_envelope_clear (&envelope);

out:
  call_unref (call);
  pump (self);
}

static void
run_fetch (Call *call)
{
  MjaWebTransport *self = call->self;
  GVariantBuilder args;

  call->id = ++self->next_id;
  call->running = TRUE;
  self->in_flight++;
  g_variant_builder_init (&args, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&args, "{sv}", "id", g_variant_new_uint32 (call->id));
  g_variant_builder_add (&args, "{sv}", "specText", g_variant_new_string (call->spec));
  webkit_web_view_call_async_javascript_function (self->view, fetch_script, -1, g_variant_builder_end (&args),
                                                  WORLD_NAME, "mja-archiver:fetch", NULL, fetched_cb,
                                                  call_ref (call));
}

/* Starts what waits, as far as the page and the slots allow. */
static void
pump (MjaWebTransport *self)
{
  if (self->state != PAGE_READY)
    return;
  if (self->load_failed && !g_queue_is_empty (&self->waiting))
    {
      load_page (self);
      return;
    }
  while (self->in_flight < MJA_WEB_TRANSPORT_MAX_CALLS && !g_queue_is_empty (&self->waiting))
    {
      Call *call = g_queue_pop_head (&self->waiting);

      if (!call->finished)
        run_fetch (call);
      call_unref (call);
    }
}

static gboolean
send_in_main_cb (gpointer data)
{
  Call *call = data;

  if (call->finished)
    return G_SOURCE_REMOVE;
  g_queue_push_tail (&call->self->waiting, call_ref (call));
  pump (call->self);
  return G_SOURCE_REMOVE;
}

static char *
request_spec (const MjaTransportRequest *request,
              guint64                    max_size)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, request->url);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, request->method);
  json_builder_set_member_name (b, "session");
  json_builder_add_boolean_value (b, request->kind == MJA_TRANSPORT_REQUEST_API);
  json_builder_set_member_name (b, "maxSize");
  json_builder_add_int_value (b, (gint64) max_size);
  json_builder_set_member_name (b, "headers");
  json_builder_begin_array (b);
  for (guint i = 0; request->headers != NULL && request->headers[i] != NULL && request->headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (request->headers[i], "Cookie") == 0)
        continue;
      json_builder_begin_array (b);
      json_builder_add_string_value (b, request->headers[i]);
      json_builder_add_string_value (b, request->headers[i + 1]);
      json_builder_end_array (b);
    }
  if (request->content_type != NULL)
    {
      json_builder_begin_array (b);
      json_builder_add_string_value (b, "Content-Type");
      json_builder_add_string_value (b, request->content_type);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "body");
  if (request->body != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (request->body, &size);
      g_autofree char *text = g_strndup (data, size);

      json_builder_add_string_value (b, text);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
mja_web_transport_send (MjaTransport              *transport,
                        const MjaTransportRequest *request,
                        GCancellable              *cancellable,
                        const MjaTransportFuncs   *funcs,
                        gpointer                   user_data)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (transport);
  Call *call = call_new (self, request, cancellable, funcs, user_data);

  call->max_size = request->max_size > 0 ? request->max_size : MJA_WEB_UNCAPPED_BODY_BYTES;
  call->spec = request_spec (request, call->max_size);
  call_start (call, send_in_main_cb);
}

/* ---- download: the session's download into the .part file -------------- */

/* "Created or truncated, never through a symlink": whatever is at the
 * .part (a symlink too) goes, and WebKit creates the file anew.  FALSE,
 * the call finished, when it cannot go. */
static gboolean
remove_part (Call *call)
{
  int saved;

  if (g_unlink (call->part_path) == 0 || errno == ENOENT)
    return TRUE;
  saved = errno;
  call_finish (call, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", call->part_path,
                                  g_strerror (saved)));
  return FALSE;
}

/* Whether @answered is of @asked's origin: scheme, host and port. */
static gboolean
same_origin (const char *asked,
             const char *answered)
{
  g_autoptr(GUri) from = asked != NULL ? g_uri_parse (asked, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
  g_autoptr(GUri) to = answered != NULL ? g_uri_parse (answered, SOUP_HTTP_URI_FLAGS, NULL) : NULL;

  return from != NULL && to != NULL && g_uri_get_host (from) != NULL && g_uri_get_host (to) != NULL &&
         g_strcmp0 (g_uri_get_scheme (from), g_uri_get_scheme (to)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (from), g_uri_get_host (to)) == 0 &&
         g_uri_get_port (from) == g_uri_get_port (to);
}

static gboolean
decide_destination_cb (WebKitDownload *download,
                       const char     *suggested,
                       Call           *call)
{
  WebKitURIResponse *response = webkit_download_get_response (download);
  const char *answered = response != NULL ? webkit_uri_response_get_uri (response) : NULL;
  Event *event;

  /* Media may move within their origin, never to another host.  WebKit
   * follows a download's redirects in its network process before anything
   * reaches us (its API has no say in them), so the other host has been
   * asked by now; what it answered is refused here, before a byte of it
   * is written: the caller hears the redirect as the direct transport
   * hands it up, a 302 (to the answer's address), with no body. */
  if (!call->finished && response != NULL && !same_origin (call->url, answered))
    {
      g_debug ("%s moved to %s, another origin: refused", call->url, answered);
      event = event_new (EVENT_RESPONSE);
      event->status = SOUP_STATUS_FOUND;
      event->reason = g_strdup ("Found");
      event->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
      if (answered != NULL)
        soup_message_headers_append (event->headers, "Location", answered);
      call_post (call, event);
      call_finish (call, NULL);
      webkit_download_cancel (download);
      return TRUE;
    }

  if (call->finished)
    {
      webkit_download_cancel (download);   /* stopped already: no file */
      return TRUE;
    }
  /* WebKit opens its destination following a symlink (a link's target is
   * truncated and written): whatever is at the .part goes now, just before
   * WebKit creates the file, not only when the request went out. */
  if (!remove_part (call))
    {
      webkit_download_cancel (download);
      return TRUE;
    }
  webkit_download_set_destination (download, call->part_path);
  if (response == NULL)
    return TRUE;
  event = event_new (EVENT_RESPONSE);
  event->status = webkit_uri_response_get_status_code (response);
  event->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (webkit_uri_response_get_http_headers (response) != NULL)
    {
      SoupMessageHeadersIter iter;
      const char *name, *value;

      soup_message_headers_iter_init (&iter, webkit_uri_response_get_http_headers (response));
      while (soup_message_headers_iter_next (&iter, &name, &value))
        soup_message_headers_append (event->headers, name, value);
    }
  call_post (call, event);
  return TRUE;
}

static void
received_data_cb (WebKitDownload *download,
                  guint64         length,
                  Call           *call)
{
  Event *event;

  if (call->finished)
    return;
  call->received += length;
  event = event_new (EVENT_PROGRESS);
  event->received = call->received;
  call_post (call, event);
}

static void
download_failed_cb (WebKitDownload *download,
                    GError         *error,
                    Call           *call)
{
  if (g_error_matches (error, WEBKIT_DOWNLOAD_ERROR, WEBKIT_DOWNLOAD_ERROR_CANCELLED_BY_USER))
    call_finish (call, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, error->message));
  else if (g_error_matches (error, WEBKIT_DOWNLOAD_ERROR, WEBKIT_DOWNLOAD_ERROR_DESTINATION))
    call_finish (call, g_error_new (MJA_TRANSPORT_ERROR, MJA_TRANSPORT_ERROR_WRITE,
                                    _("The browser could not save %s: %s"), call->url, error->message));
  else
    call_finish (call, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("The browser could not download %s: %s"),
                                    call->url, error->message));
}

static void
download_finished_cb (WebKitDownload *download,
                      Call           *call)
{
  g_signal_handlers_disconnect_by_data (download, call);
  call_finish (call, NULL);
  call_unref (call);   /* the signal handlers' */
}

static gboolean
download_in_main_cb (gpointer data)
{
  Call *call = data;
  MjaWebTransport *self = call->self;

  if (call->finished)
    return G_SOURCE_REMOVE;
  /* An old .part goes at once (and again when the answer is there). */
  if (!remove_part (call))
    return G_SOURCE_REMOVE;
  call->download = webkit_network_session_download_uri (self->session, call->url);
  /* The .part was removed just before: WebKit refuses whatever stands
   * there by the time it opens the file (a link planted meanwhile). */
  webkit_download_set_allow_overwrite (call->download, FALSE);
  call_ref (call);
  g_signal_connect (call->download, "decide-destination", G_CALLBACK (decide_destination_cb), call);
  g_signal_connect (call->download, "received-data", G_CALLBACK (received_data_cb), call);
  g_signal_connect (call->download, "failed", G_CALLBACK (download_failed_cb), call);
  g_signal_connect (call->download, "finished", G_CALLBACK (download_finished_cb), call);
  return G_SOURCE_REMOVE;
}

static void
mja_web_transport_download (MjaTransport              *transport,
                            const MjaTransportRequest *request,
                            const char                *part_path,
                            GCancellable              *cancellable,
                            const MjaTransportFuncs   *funcs,
                            gpointer                   user_data)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (transport);
  Call *call = call_new (self, request, cancellable, funcs, user_data);

  call->part_path = g_strdup (part_path);
  call_start (call, download_in_main_cb);
}

/* ---- the session ------------------------------------------------------- */

static gboolean
mja_web_transport_owns_session (MjaTransport *transport)
{
  return TRUE;
}

static gboolean
renew_in_main_cb (gpointer data)
{
  GTask *task = data;
  MjaWebTransport *self = g_task_get_source_object (task);

  g_ptr_array_add (self->renewals, g_object_ref (task));
  self->state = PAGE_CHALLENGE;   /* so that load_page() loads */
  load_page (self);
  return G_SOURCE_REMOVE;
}

static void
mja_web_transport_renew_session_async (MjaTransport        *transport,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (transport);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mja_web_transport_renew_session_async);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, renew_in_main_cb, task, g_object_unref);
}

static gboolean
mja_web_transport_renew_session_finish (MjaTransport  *transport,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
mja_web_transport_get_name (MjaTransport *transport)
{
  return "browser";
}

static void
mja_web_transport_iface_init (MjaTransportInterface *iface)
{
  iface->send = mja_web_transport_send;
  iface->download = mja_web_transport_download;
  iface->owns_session = mja_web_transport_owns_session;
  iface->renew_session_async = mja_web_transport_renew_session_async;
  iface->renew_session_finish = mja_web_transport_renew_session_finish;
  iface->get_name = mja_web_transport_get_name;
}

static void
mja_web_transport_dispose (GObject *object)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (object);

  g_clear_handle_id (&self->challenge_timeout_id, g_source_remove);
  if (self->view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->view, self);
      webkit_web_view_terminate_web_process (self->view);
    }
  g_clear_object (&self->view);
  g_clear_object (&self->session);
  if (self->renewals != NULL)
    for (guint i = 0; i < self->renewals->len; i++)
      g_task_return_boolean (g_ptr_array_index (self->renewals, i), FALSE);
  g_clear_pointer (&self->renewals, g_ptr_array_unref);
  G_OBJECT_CLASS (mja_web_transport_parent_class)->dispose (object);
}

static void
mja_web_transport_finalize (GObject *object)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (object);

  /* Every call holds the transport, so none waits any more. */
  g_assert (g_queue_is_empty (&self->waiting));
  g_free (self->page_url);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (mja_web_transport_parent_class)->finalize (object);
}

static void
mja_web_transport_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MjaWebTransport *self = MJA_WEB_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_NEEDS_PERSON:
      g_value_set_boolean (value, self->needs_person);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_web_transport_class_init (MjaWebTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mja_web_transport_dispose;
  object_class->finalize = mja_web_transport_finalize;
  object_class->get_property = mja_web_transport_get_property;

  /**
   * MjaWebTransport:needs-person:
   *
   * The site's bot protection shows a challenge that did not solve itself:
   * a person must answer it in a visible browser (the sign-in dialog).
   */
  properties[PROP_NEEDS_PERSON] =
    g_param_spec_boolean ("needs-person", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mja_web_transport_init (MjaWebTransport *self)
{
  g_queue_init (&self->waiting);
  self->renewals = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = PAGE_CHALLENGE;
}

/**
 * mja_web_transport_new:
 * @session: the account's network session (mja_web_network_session_new()),
 *   its cookies already in
 * @api_base_url: e.g. "https://www.midjourney.com"
 *
 * Call in the main thread: the transport's page starts loading at once.
 */
MjaWebTransport *
mja_web_transport_new (WebKitNetworkSession *session,
                       const char           *api_base_url)
{
  MjaWebTransport *self;
  g_autofree char *base = NULL;

  g_return_val_if_fail (WEBKIT_IS_NETWORK_SESSION (session), NULL);
  g_return_val_if_fail (api_base_url != NULL, NULL);

  self = g_object_new (MJA_TYPE_WEB_TRANSPORT, NULL);
  self->context = g_main_context_ref (g_main_context_default ());
  self->session = g_object_ref (session);
  self->view = g_object_ref_sink (g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", session, NULL));
  base = g_strdup (api_base_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  self->page_url = g_strconcat (base, "/imagine", NULL);
  g_signal_connect (self->view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (self->view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (self->view, "web-process-terminated", G_CALLBACK (web_process_terminated_cb), self);
  load_page (self);
  return self;
}

WebKitNetworkSession *
mja_web_transport_get_network_session (MjaWebTransport *self)
{
  g_return_val_if_fail (MJA_IS_WEB_TRANSPORT (self), NULL);
  return self->session;
}

WebKitWebView *
mja_web_transport_get_web_view (MjaWebTransport *self)
{
  g_return_val_if_fail (MJA_IS_WEB_TRANSPORT (self), NULL);
  return self->view;
}

gboolean
mja_web_transport_get_needs_person (MjaWebTransport *self)
{
  g_return_val_if_fail (MJA_IS_WEB_TRANSPORT (self), FALSE);
  return self->needs_person;
}

/* ---- the network session of an account ------------------------------------ */

static gboolean
allow_certificate (WebKitNetworkSession *session,
                   GTlsCertificate      *certificate,
                   const char           *url)
{
  g_autoptr(GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  webkit_network_session_allow_tls_certificate_for_host (session, certificate, g_uri_get_host (uri));
  return TRUE;
}

/**
 * mja_web_network_session_new:
 * @cdn_base_url: (nullable): where the images are
 *
 * An ephemeral session (nothing of it is written to disk) that trusts the
 * certificate of MJA_TLS_CERTIFICATE, when set, for the hosts of
 * @api_base_url and @cdn_base_url.
 */
WebKitNetworkSession *
mja_web_network_session_new (const char  *api_base_url,
                             const char  *cdn_base_url,
                             GError     **error)
{
  g_autoptr(WebKitNetworkSession) session = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (api_base_url != NULL, NULL);

  certificate = mja_transport_dup_extra_certificate (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  session = webkit_network_session_new_ephemeral ();
  if (certificate != NULL)
    {
      allow_certificate (session, certificate, api_base_url);
      allow_certificate (session, certificate, cdn_base_url);
    }
  return g_steal_pointer (&session);
}

typedef struct
{
  guint   pending;
  GError *error;
} AddCookies;

static void
cookie_added_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GTask) task = data;
  AddCookies *add = g_task_get_task_data (task);
  GError *error = NULL;

  if (!webkit_cookie_manager_add_cookie_finish (WEBKIT_COOKIE_MANAGER (source), result, &error))
    {
      if (add->error == NULL)
        add->error = error;
      else
        g_error_free (error);
    }
  if (--add->pending > 0)
    return;
  if (add->error != NULL)
    g_task_return_error (task, g_steal_pointer (&add->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
add_cookies_free (AddCookies *add)
{
  g_clear_error (&add->error);
  g_free (add);
}

/**
 * mja_web_network_session_add_cookies_async:
 * @cookie_header: "name=value; name=value" (mja_credentials_dup_cookie_header())
 *
 * Puts the stored session back into @session: each cookie for the host of
 * @api_base_url only, HttpOnly, and Secure over HTTPS.
 */
void
mja_web_network_session_add_cookies_async (WebKitNetworkSession *session,
                                           const char           *api_base_url,
                                           const char           *cookie_header,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  g_auto(GStrv) pairs = NULL;
  WebKitCookieManager *manager;
  AddCookies *add;
  gboolean https;

  g_return_if_fail (WEBKIT_IS_NETWORK_SESSION (session));
  g_return_if_fail (api_base_url != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, mja_web_network_session_add_cookies_async);
  add = g_new0 (AddCookies, 1);
  add->pending = 1;
  g_task_set_task_data (task, add, (GDestroyNotify) add_cookies_free);

  uri = g_uri_parse (api_base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not a URL: %s", api_base_url);
      return;
    }
  https = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0;
  manager = webkit_network_session_get_cookie_manager (session);
  pairs = g_strsplit (cookie_header ? cookie_header : "", ";", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *pair = g_strstrip (g_strdup (pairs[i]));
      char *equals = strchr (pair, '=');
      SoupCookie *cookie;

      if (equals == NULL || equals == pair)
        continue;
      *equals = '\0';
      cookie = soup_cookie_new (pair, equals + 1, g_uri_get_host (uri), "/", -1);
      soup_cookie_set_http_only (cookie, TRUE);
      soup_cookie_set_secure (cookie, https);
      soup_cookie_set_same_site_policy (cookie, SOUP_SAME_SITE_POLICY_LAX);
      add->pending++;
      webkit_cookie_manager_add_cookie (manager, cookie, cancellable, cookie_added_cb, g_object_ref (task));
      soup_cookie_free (cookie);
    }
  /* The one pending from the start. */
  if (--add->pending == 0)
    g_task_return_boolean (task, TRUE);
}

gboolean
mja_web_network_session_add_cookies_finish (WebKitNetworkSession *session,
                                            GAsyncResult         *result,
                                            GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
