/* mja-transport-soup.c — the direct transport: libsoup, no browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the SoupSessions that carry the sync's bytes when no browser does:
 * one towards the API and the token service, one towards the CDN (no
 * cookie, ever, and its own connection limit).  It adds the session's
 * Cookie header to API requests only, follows no redirect for the API or
 * the token service and, for media, only one to the same origin; it writes
 * downloads into a .part file it creates (one already there is replaced,
 * never written into) without following a symlink, and trusts the extra
 * certificate of MJA_TLS_CERTIFICATE besides the system's.  The caps and
 * deadlines are kept around it by mja-transport.c; what a status means is
 * its callers' business.
 */
#define G_LOG_DOMAIN "mja-transport-soup"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mja-http-private.h"
#include "mja-transport-soup.h"

#define READ_CHUNK    (64 * 1024)
#define MAX_REDIRECTS 5

struct _MjaTransportSoup
{
  GObject          parent_instance;

  GMutex           lock;          /* the credentials: set from another thread */
  MjaCredentials  *credentials;
  guint            concurrency;
  GMainContext    *context;       /* where the sessions were made */
  SoupSession     *api_session;
  SoupSession     *media_session;
  GTlsCertificate *extra_ca;
  gboolean         extra_ca_read;
};

static void mja_transport_soup_iface_init (MjaTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MjaTransportSoup, mja_transport_soup, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MJA_TYPE_TRANSPORT, mja_transport_soup_iface_init))

static void
mja_transport_soup_finalize (GObject *object)
{
  MjaTransportSoup *self = MJA_TRANSPORT_SOUP (object);

  g_clear_object (&self->api_session);
  g_clear_object (&self->media_session);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->credentials);
  g_clear_object (&self->extra_ca);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mja_transport_soup_parent_class)->finalize (object);
}

static void
mja_transport_soup_class_init (MjaTransportSoupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_transport_soup_finalize;
}

static void
mja_transport_soup_init (MjaTransportSoup *self)
{
  g_mutex_init (&self->lock);
  self->concurrency = 6;
}

MjaTransport *
mja_transport_soup_new (void)
{
  return g_object_new (MJA_TYPE_TRANSPORT_SOUP, NULL);
}

/**
 * mja_transport_soup_set_credentials:
 * @credentials: (nullable): whose Cookie header API requests carry
 *
 * The transport asks @credentials for the Cookie header at each API
 * request, so a refreshed token is used at once.
 */
void
mja_transport_soup_set_credentials (MjaTransportSoup *self,
                                    MjaCredentials   *credentials)
{
  g_return_if_fail (MJA_IS_TRANSPORT_SOUP (self));

  g_mutex_lock (&self->lock);
  g_set_object (&self->credentials, credentials);
  g_mutex_unlock (&self->lock);
}

/* How many media downloads may be on the wire at once. */
void
mja_transport_soup_set_concurrency (MjaTransportSoup *self,
                                    guint             concurrency)
{
  g_return_if_fail (MJA_IS_TRANSPORT_SOUP (self));
  self->concurrency = CLAMP (concurrency, 1, 16);
  g_clear_object (&self->media_session);
}

/* A session serves the thread-default context it was made in; a sync in
 * another thread gets fresh ones. */
static SoupSession *
get_session (MjaTransportSoup        *self,
             MjaTransportRequestKind  kind)
{
  GMainContext *context = g_main_context_ref_thread_default ();

  if (context != self->context)
    {
      g_clear_object (&self->api_session);
      g_clear_object (&self->media_session);
      g_clear_pointer (&self->context, g_main_context_unref);
      self->context = g_main_context_ref (context);
    }
  g_main_context_unref (context);

  if (kind == MJA_TRANSPORT_REQUEST_MEDIA)
    {
      /* No cookie jar and no credentials: the CDN never sees the session. */
      if (self->media_session == NULL)
        self->media_session = soup_session_new_with_options ("user-agent", mja_user_agent (),
                                                             "max-conns", (int) self->concurrency * 2,
                                                             "max-conns-per-host", (int) self->concurrency,
                                                             "timeout", 60,
                                                             "idle-timeout", 60,
                                                             NULL);
      return self->media_session;
    }
  if (self->api_session == NULL)
    self->api_session = soup_session_new_with_options ("user-agent", mja_user_agent (),
                                                       "timeout", 60,
                                                       "idle-timeout", 60,
                                                       NULL);
  return self->api_session;
}

/* ---- the extra certificate of MJA_TLS_CERTIFICATE --------------------- */

/* Only asked when the system's check failed: the peer passes if its chain
 * leads to the extra certificate and it is who the address says. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificate *extra_ca = user_data;
  GUri *uri = soup_message_get_uri (msg);
  g_autoptr(GSocketConnectable) identity = NULL;
  GTlsCertificateFlags flags;

  identity = g_network_address_new (g_uri_get_host (uri), (guint16) MAX (g_uri_get_port (uri), 0));
  flags = g_tls_certificate_verify (peer, identity, extra_ca);
  if (flags != 0)
    g_debug ("%s: its certificate is not trusted (flags 0x%x, with the extra certificate 0x%x)",
             g_uri_get_host (uri), errors, flags);
  return flags == 0;
}

static GTlsCertificate *
get_extra_ca (MjaTransportSoup *self)
{
  if (!self->extra_ca_read)
    {
      g_autoptr(GError) error = NULL;

      self->extra_ca_read = TRUE;
      self->extra_ca = mja_transport_dup_extra_certificate (&error);
      if (error != NULL)
        g_warning ("%s", error->message);
    }
  return self->extra_ca;
}

/* ---- one exchange ------------------------------------------------------ */

typedef struct
{
  MjaTransportSoup        *self;
  SoupSession             *session;
  SoupMessage             *msg;
  GInputStream            *stream;
  GCancellable            *cancellable;
  MjaTransportRequestKind  kind;
  char                    *method;
  GBytes                  *body;
  char                    *content_type;
  char                   **headers;
  guint                    redirects;
  char                    *part_path;   /* %NULL: send, not download */
  int                      fd;
  guint64                  written;
  const MjaTransportFuncs *funcs;
  gpointer                 user_data;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  if (ex->stream != NULL)
    g_input_stream_close_async (ex->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&ex->stream);
  g_clear_object (&ex->msg);
  g_clear_object (&ex->cancellable);
  g_clear_pointer (&ex->body, g_bytes_unref);
  if (ex->fd >= 0)
    close (ex->fd);
  g_free (ex->part_path);
  g_free (ex->method);
  g_free (ex->content_type);
  g_strfreev (ex->headers);
  g_object_unref (ex->self);
  g_free (ex);
}

static GError *
write_error (const char *path,
             int         saved)
{
  return g_error_new (MJA_TRANSPORT_ERROR, MJA_TRANSPORT_ERROR_WRITE, _("Could not write “%s”: %s"), path,
                      g_strerror (saved));
}

/* A new file, never one already there: a planted symlink is refused, not
 * followed; a file left there (by a killed run, or a hard link planted to
 * a file elsewhere) is replaced by unlinking its name, never truncated or
 * written into, so its other names keep their bytes. */
static int
create_part (const char *path)
{
  GStatBuf st;
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

  if (fd >= 0 || errno != EEXIST)
    return fd;
  if (g_lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
    {
      errno = ELOOP;
      return -1;
    }
  if (g_unlink (path) != 0 && errno != ENOENT)
    return -1;
  return g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

/* Takes @error. */
static void
exchange_done (Exchange *ex,
               GError   *error)
{
  const MjaTransportFuncs *funcs = ex->funcs;
  gpointer user_data = ex->user_data;

  if (ex->fd >= 0 && close (ex->fd) != 0 && error == NULL)
    error = write_error (ex->part_path, errno);
  ex->fd = -1;
  exchange_free (ex);
  funcs->done (error, user_data);
}

static void exchange_start (Exchange   *ex,
                            const char *url);

static void exchange_read_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
exchange_read_next (Exchange *ex)
{
  g_input_stream_read_bytes_async (ex->stream, READ_CHUNK, G_PRIORITY_DEFAULT, ex->cancellable,
                                   exchange_read_cb, ex);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size)
{
  for (gsize written = 0; written < size;)
    {
      gssize n = write (fd, data + written, size - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      written += (gsize) n;
    }
  return TRUE;
}

static void
exchange_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Exchange *ex = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  const guint8 *data;
  gsize size;

  if (chunk == NULL)
    {
      exchange_done (ex, error);
      return;
    }
  data = g_bytes_get_data (chunk, &size);
  if (size == 0)
    {
      exchange_done (ex, NULL);
      return;
    }
  if (ex->part_path == NULL)
    {
      if (!ex->funcs->chunk (data, size, ex->user_data))
        {
          exchange_free (ex);
          return;
        }
    }
  else
    {
      if (!write_all (ex->fd, data, size))
        {
          exchange_done (ex, write_error (ex->part_path, errno));
          return;
        }
      ex->written += size;
      if (ex->funcs->progress != NULL)
        ex->funcs->progress (ex->written, ex->user_data);
    }
  exchange_read_next (ex);
}

/* Media may move within its own origin, never to another host. */
static char *
same_origin_location (Exchange *ex)
{
  GUri *from = soup_message_get_uri (ex->msg);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (ex->msg), "Location");
  g_autoptr(GUri) to = NULL;

  if (location == NULL)
    return NULL;
  to = g_uri_parse_relative (from, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (to == NULL || g_strcmp0 (g_uri_get_scheme (to), g_uri_get_scheme (from)) != 0 ||
      g_ascii_strcasecmp (g_uri_get_host (to), g_uri_get_host (from)) != 0 ||
      g_uri_get_port (to) != g_uri_get_port (from))
    return NULL;
  return g_uri_to_string (to);
}

static void
exchange_sent_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Exchange *ex = user_data;
  GError *error = NULL;
  MjaTransportResponse response;
  guint status;

  ex->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (ex->stream == NULL)
    {
      exchange_done (ex, error);
      return;
    }
  status = soup_message_get_status (ex->msg);
  if (ex->kind == MJA_TRANSPORT_REQUEST_MEDIA && SOUP_STATUS_IS_REDIRECTION (status) &&
      ex->redirects < MAX_REDIRECTS)
    {
      g_autofree char *next = same_origin_location (ex);

      if (next != NULL)
        {
          ex->redirects++;
          g_input_stream_close_async (ex->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
          g_clear_object (&ex->stream);
          g_clear_object (&ex->msg);
          exchange_start (ex, next);
          return;
        }
    }

  response.status = status;
  response.reason = soup_message_get_reason_phrase (ex->msg);
  response.headers = soup_message_get_response_headers (ex->msg);
  if (ex->funcs->response != NULL && !ex->funcs->response (&response, ex->user_data))
    {
      exchange_free (ex);
      return;
    }
  if (ex->part_path != NULL)
    {
      ex->fd = create_part (ex->part_path);
      if (ex->fd < 0)
        {
          exchange_done (ex, write_error (ex->part_path, errno));
          return;
        }
    }
  exchange_read_next (ex);
}

static void
exchange_start (Exchange   *ex,
                const char *url)
{
  SoupMessageHeaders *headers;
  GTlsCertificate *extra_ca;

  ex->msg = soup_message_new (ex->method, url);
  if (ex->msg == NULL)
    {
      exchange_done (ex, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not a valid address"), url));
      return;
    }
  /* Redirects are never followed by libsoup: for the API the session must
   * not leave its host, for media only the same origin is (above). */
  soup_message_add_flags (ex->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (ex->msg);
  soup_message_headers_replace (headers, "Accept", "*/*");
  for (guint i = 0; ex->headers != NULL && ex->headers[i] != NULL && ex->headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (ex->headers[i], "Cookie") == 0)
        continue;
      soup_message_headers_replace (headers, ex->headers[i], ex->headers[i + 1]);
    }
  if (ex->kind == MJA_TRANSPORT_REQUEST_API)
    {
      g_autofree char *cookie = NULL;

      g_mutex_lock (&ex->self->lock);
      if (ex->self->credentials != NULL)
        cookie = mja_credentials_dup_cookie_header (ex->self->credentials);
      g_mutex_unlock (&ex->self->lock);
      if (cookie != NULL)
        {
          soup_message_headers_replace (headers, "Cookie", cookie);
          memset (cookie, 0, strlen (cookie));
        }
    }
  if (ex->body != NULL)
    soup_message_set_request_body_from_bytes (ex->msg, ex->content_type, ex->body);
  extra_ca = get_extra_ca (ex->self);
  if (extra_ca != NULL)
    g_signal_connect_object (ex->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), extra_ca, 0);

  soup_session_send_async (ex->session, ex->msg, G_PRIORITY_DEFAULT, ex->cancellable, exchange_sent_cb, ex);
}

static void
exchange_begin (MjaTransportSoup          *self,
                const MjaTransportRequest *request,
                const char                *part_path,
                GCancellable              *cancellable,
                const MjaTransportFuncs   *funcs,
                gpointer                   user_data)
{
  Exchange *ex = g_new0 (Exchange, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  ex->self = g_object_ref (self);
  ex->session = get_session (self, request->kind);
  ex->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  ex->kind = request->kind;
  ex->method = g_strdup (request->method ? request->method : "GET");
  ex->body = request->body ? g_bytes_ref (request->body) : NULL;
  ex->content_type = g_strdup (request->content_type);
  for (guint i = 0; request->headers != NULL && request->headers[i] != NULL && request->headers[i + 1] != NULL;
       i += 2)
    {
      g_strv_builder_add (builder, request->headers[i]);
      g_strv_builder_add (builder, request->headers[i + 1]);
    }
  ex->headers = g_strv_builder_end (builder);
  ex->part_path = g_strdup (part_path);
  ex->fd = -1;
  ex->funcs = funcs;
  ex->user_data = user_data;
  exchange_start (ex, request->url);
}

static void
mja_transport_soup_send (MjaTransport              *transport,
                         const MjaTransportRequest *request,
                         GCancellable              *cancellable,
                         const MjaTransportFuncs   *funcs,
                         gpointer                   user_data)
{
  exchange_begin (MJA_TRANSPORT_SOUP (transport), request, NULL, cancellable, funcs, user_data);
}

static void
mja_transport_soup_download (MjaTransport              *transport,
                             const MjaTransportRequest *request,
                             const char                *part_path,
                             GCancellable              *cancellable,
                             const MjaTransportFuncs   *funcs,
                             gpointer                   user_data)
{
  exchange_begin (MJA_TRANSPORT_SOUP (transport), request, part_path, cancellable, funcs, user_data);
}

static const char *
mja_transport_soup_get_name (MjaTransport *transport)
{
  return "direct";
}

static void
mja_transport_soup_iface_init (MjaTransportInterface *iface)
{
  iface->send = mja_transport_soup_send;
  iface->download = mja_transport_soup_download;
  iface->get_name = mja_transport_soup_get_name;
}
