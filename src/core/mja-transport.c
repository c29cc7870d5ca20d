/* mja-transport.c — the transport interface and the guard around it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what every transport must keep and none may forget: the size cap
 * and the deadline of a request, enforced around the transport's own
 * send/download, and the extra test certificate of MJA_TLS_CERTIFICATE.
 * It never opens a connection itself.
 */
#define G_LOG_DOMAIN "mja-transport"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-http-private.h"
#include "mja-transport.h"
#include "mja-util.h"

G_DEFINE_INTERFACE (MjaTransport, mja_transport, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-transport-error-quark, mja_transport_error)

static void
mja_transport_default_init (MjaTransportInterface *iface)
{
}

/* ---- the guard: caps and deadline around a transport ----------------- */

typedef struct
{
  MjaDeadline             *deadline;
  guint64                  max_size;
  guint64                  received;
  gboolean                 stopped;   /* the caller said stop, or the cap did */
  const MjaTransportFuncs *funcs;
  gpointer                 user_data;
} Guard;

static void
guard_free (Guard *guard)
{
  g_clear_pointer (&guard->deadline, mja_deadline_free);
  g_free (guard);
}

static GError *
guard_too_large (void)
{
  return g_error_new_literal (MJA_HTTP_ERROR, MJA_HTTP_ERROR_TOO_LARGE, "Over the size cap");
}

/* The cap was passed: the caller hears it once, now, and the transport's
 * own end (which follows the cancellation) is swallowed.  When @response
 * or @chunk said stop, the transport calls nothing more: the guard goes
 * with that answer; after @progress, it waits for the transport's @done. */
static void
guard_stop_too_large (Guard *guard)
{
  guard->stopped = TRUE;
  guard->funcs->done (guard_too_large (), guard->user_data);
  g_cancellable_cancel (mja_deadline_get_cancellable (guard->deadline));
}

static gboolean
guard_response (const MjaTransportResponse *response,
                gpointer                    user_data)
{
  Guard *guard = user_data;
  goffset length;

  if (guard->stopped)
    return FALSE;
  if (guard->funcs->response != NULL && !guard->funcs->response (response, guard->user_data))
    {
      guard_free (guard);
      return FALSE;
    }
  length = response->headers ? soup_message_headers_get_content_length (response->headers) : 0;
  if (guard->max_size > 0 && length > 0 && (guint64) length > guard->max_size &&
      soup_message_headers_get_encoding (response->headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (response->headers, "Content-Encoding") == NULL)
    {
      guard_stop_too_large (guard);
      guard_free (guard);
      return FALSE;
    }
  return TRUE;
}

static gboolean
guard_chunk (const guint8 *data,
             gsize         size,
             gpointer      user_data)
{
  Guard *guard = user_data;

  if (guard->stopped)
    return FALSE;
  if (guard->max_size > 0 && guard->received + size > guard->max_size)
    {
      guard_stop_too_large (guard);
      guard_free (guard);
      return FALSE;
    }
  guard->received += size;
  if (!guard->funcs->chunk (data, size, guard->user_data))
    {
      guard_free (guard);
      return FALSE;
    }
  return TRUE;
}

static void
guard_progress (guint64  received,
                gpointer user_data)
{
  Guard *guard = user_data;

  if (guard->stopped)
    return;
  if (guard->max_size > 0 && received > guard->max_size)
    {
      guard_stop_too_large (guard);
      return;
    }
  guard->received = received;
  if (guard->funcs->progress != NULL)
    guard->funcs->progress (received, guard->user_data);
}

static void
guard_done (GError  *error,
            gpointer user_data)
{
  Guard *guard = user_data;

  if (guard->stopped)
    {
      g_clear_error (&error);
      guard_free (guard);
      return;
    }
  if (error != NULL && mja_deadline_expired (guard->deadline, error))
    {
      g_clear_error (&error);
      error = g_error_new_literal (MJA_HTTP_ERROR, MJA_HTTP_ERROR_DEADLINE, "Deadline passed");
    }
  /* The clock stops before the caller goes on, which may be another try. */
  {
    const MjaTransportFuncs *funcs = guard->funcs;
    gpointer caller_data = guard->user_data;

    guard_free (guard);
    funcs->done (error, caller_data);
  }
}

static const MjaTransportFuncs guard_funcs = {
  guard_response,
  guard_chunk,
  guard_progress,
  guard_done,
};

static Guard *
guard_new (const MjaTransportRequest *request,
           GCancellable              *cancellable,
           const MjaTransportFuncs   *funcs,
           gpointer                   user_data)
{
  Guard *guard = g_new0 (Guard, 1);

  guard->deadline = mja_deadline_new (cancellable, request->timeout_s);
  guard->max_size = request->max_size;
  guard->funcs = funcs;
  guard->user_data = user_data;
  return guard;
}

/**
 * mja_transport_send:
 * @request: what to ask; copied as needed before this returns
 * @cancellable: (nullable): Stop, for this answer
 * @funcs: (not nullable): must outlive the answer; @chunk and @done required
 *
 * Sends @request and streams its answer through @funcs, refusing more than
 * @request->max_size body bytes (also when Content-Length announces them)
 * and giving up after @request->timeout_s seconds.
 */
void
mja_transport_send (MjaTransport              *self,
                    const MjaTransportRequest *request,
                    GCancellable              *cancellable,
                    const MjaTransportFuncs   *funcs,
                    gpointer                   user_data)
{
  Guard *guard;

  g_return_if_fail (MJA_IS_TRANSPORT (self));
  g_return_if_fail (request != NULL && request->url != NULL && request->method != NULL);
  g_return_if_fail (funcs != NULL && funcs->chunk != NULL && funcs->done != NULL);

  guard = guard_new (request, cancellable, funcs, user_data);
  MJA_TRANSPORT_GET_IFACE (self)->send (self, request, mja_deadline_get_cancellable (guard->deadline),
                                        &guard_funcs, guard);
}

/**
 * mja_transport_download:
 * @part_path: the file to write (the archive's "NAME.part"); one already
 *   there is replaced, a symbolic link refused
 * @funcs: (not nullable): @done required
 *
 * Fetches @request into @part_path under the same cap and deadline as
 * mja_transport_send().  The caller checks and renames the file.
 */
void
mja_transport_download (MjaTransport              *self,
                        const MjaTransportRequest *request,
                        const char                *part_path,
                        GCancellable              *cancellable,
                        const MjaTransportFuncs   *funcs,
                        gpointer                   user_data)
{
  Guard *guard;

  g_return_if_fail (MJA_IS_TRANSPORT (self));
  g_return_if_fail (request != NULL && request->url != NULL);
  g_return_if_fail (part_path != NULL);
  g_return_if_fail (funcs != NULL && funcs->done != NULL);

  guard = guard_new (request, cancellable, funcs, user_data);
  MJA_TRANSPORT_GET_IFACE (self)->download (self, request, part_path, mja_deadline_get_cancellable (guard->deadline),
                                            &guard_funcs, guard);
}

gboolean
mja_transport_owns_session (MjaTransport *self)
{
  MjaTransportInterface *iface;

  g_return_val_if_fail (MJA_IS_TRANSPORT (self), FALSE);
  iface = MJA_TRANSPORT_GET_IFACE (self);
  return iface->owns_session != NULL && iface->owns_session (self);
}

void
mja_transport_renew_session_async (MjaTransport        *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  MjaTransportInterface *iface;

  g_return_if_fail (MJA_IS_TRANSPORT (self));
  iface = MJA_TRANSPORT_GET_IFACE (self);
  if (iface->renew_session_async == NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, mja_transport_renew_session_async);
      g_task_return_boolean (task, FALSE);
      return;
    }
  iface->renew_session_async (self, cancellable, callback, user_data);
}

gboolean
mja_transport_renew_session_finish (MjaTransport  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  MjaTransportInterface *iface;

  g_return_val_if_fail (MJA_IS_TRANSPORT (self), FALSE);
  if (g_async_result_is_tagged (result, mja_transport_renew_session_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  iface = MJA_TRANSPORT_GET_IFACE (self);
  return iface->renew_session_finish (self, result, error);
}

const char *
mja_transport_get_name (MjaTransport *self)
{
  g_return_val_if_fail (MJA_IS_TRANSPORT (self), NULL);
  return MJA_TRANSPORT_GET_IFACE (self)->get_name (self);
}

GTlsCertificate *
mja_transport_dup_extra_certificate (GError **error)
{
  const char *path = g_getenv ("MJA_TLS_CERTIFICATE");
  GError *local_error = NULL;
  GTlsCertificate *certificate;

  if (path == NULL || *path == '\0')
    return NULL;
  certificate = g_tls_certificate_new_from_file (path, &local_error);
  if (certificate == NULL)
    g_propagate_prefixed_error (error, local_error, _("Could not read the certificate of MJA_TLS_CERTIFICATE (%s): "),
                                path);
  return certificate;
}
