/* mja-transport.h — how a request reaches Midjourney: the seam between
 * the API client and the downloader and whatever carries their bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two transports implement it: the direct one (libsoup, in core) and the
 * browser one (WebKitGTK, in src/web, never linked into core).  MjaApi and
 * MjaDownloader only ever talk to this interface, so every guarantee the
 * sync gives (size caps, deadlines, retries, Retry-After, .part + sniff +
 * rename, no cookie to the CDN, cancellation) is kept above it and tested
 * once against it: tests/core/transport-contract.c, run for the direct
 * transport by tests/core/test-transport.c and for the browser one by
 * tests/web/test-web-transport.c.
 *
 * Threads: the sync calls a transport from its own thread.  Every method
 * is called in the caller's thread-default main context and every callback
 * is invoked in that same context; a transport that must work in another
 * thread (WebKit lives in the main thread) hops there and back itself.
 *
 * Caps and deadlines: mja_transport_send() and mja_transport_download()
 * enforce @max_size and @timeout_s of the request themselves, around the
 * vfuncs, so a transport cannot forget them; a transport may stop earlier.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define MJA_TRANSPORT_ERROR (mja_transport_error_quark ())

typedef enum
{
  /* The answer came, but its file could not be written (a full disk, a
   * file-size limit, a folder gone): the disk's problem, not the
   * network's, so no retry helps. */
  MJA_TRANSPORT_ERROR_WRITE,
} MjaTransportError;

#define MJA_TYPE_TRANSPORT (mja_transport_get_type ())
G_DECLARE_INTERFACE (MjaTransport, mja_transport, MJA, TRANSPORT, GObject)

typedef enum
{
  MJA_TRANSPORT_REQUEST_API,    /* to the API origin, carrying the signed-in session */
  MJA_TRANSPORT_REQUEST_TOKEN,  /* to the token service: no session, no cookie */
  MJA_TRANSPORT_REQUEST_MEDIA,  /* to the CDN: never a cookie */
} MjaTransportRequestKind;

/* What to ask.  Owned by the caller; a transport copies what it keeps. */
typedef struct
{
  MjaTransportRequestKind  kind;
  const char              *method;        /* "GET" or "POST" */
  const char              *url;
  /* (nullable) name, value, name, value, …, %NULL.  Never "Cookie": the
   * session's cookies are the transport's business (kind API only). */
  const char *const       *headers;
  GBytes                  *body;          /* (nullable) */
  const char              *content_type;  /* (nullable) of @body */
  guint                    timeout_s;     /* the whole answer, however it trickles; 0: none */
  guint64                  max_size;      /* the most body bytes; 0: no cap */
} MjaTransportRequest;

/* The status line and headers of an answer.  Redirects are never followed
 * for API and token requests; for media, only to the same scheme. */
typedef struct
{
  guint               status;
  const char         *reason;    /* (nullable) */
  SoupMessageHeaders *headers;   /* response headers; Content-Type, Retry-After, cf-mitigated, … */
} MjaTransportResponse;

/* How an answer is taken in (see mja-http-private.h, whose shape it is).
 * @response returns FALSE to stop: the caller has then dealt with the
 * answer, and @done is not called.  @chunk (send only) returns FALSE to
 * stop the same way.  @progress (download only) tells how many body bytes
 * are now in the file.  @done takes @error: %NULL at the end of the body,
 * else the network's error, G_IO_ERROR_CANCELLED, or an MJA_HTTP_ERROR
 * (too large, deadline). */
typedef struct
{
  gboolean (*response) (const MjaTransportResponse *response,
                        gpointer                    user_data);
  gboolean (*chunk)    (const guint8               *data,
                        gsize                       size,
                        gpointer                    user_data);
  void     (*progress) (guint64                     received,
                        gpointer                    user_data);
  void     (*done)     (GError                     *error,
                        gpointer                    user_data);
} MjaTransportFuncs;

struct _MjaTransportInterface
{
  GTypeInterface parent_iface;

  /* Streams the answer's body through @funcs->chunk. */
  void      (*send)             (MjaTransport              *self,
                                 const MjaTransportRequest *request,
                                 GCancellable              *cancellable,
                                 const MjaTransportFuncs   *funcs,
                                 gpointer                   user_data);
  /* Writes the answer's body into @part_path (created or truncated, never
   * through a symlink), reporting through @funcs->progress; the caller
   * sniffs, checks and renames it.  On failure the file may be left for
   * the caller to remove. */
  void      (*download)         (MjaTransport              *self,
                                 const MjaTransportRequest *request,
                                 const char                *part_path,
                                 GCancellable              *cancellable,
                                 const MjaTransportFuncs   *funcs,
                                 gpointer                   user_data);
  /* TRUE when the transport keeps the signed-in session itself (the
   * browser: its cookies, the site's own token refresh); MjaApi then
   * neither refreshes the token nor adds a Cookie header. */
  gboolean  (*owns_session)     (MjaTransport              *self);
  /* (nullable) Called once after an API request was answered 401 when
   * owns_session: the transport may renew the session (the browser
   * reloads the page so the site refreshes its token).  Finishes TRUE
   * when it is worth trying again. */
  void      (*renew_session_async)  (MjaTransport          *self,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data);
  gboolean  (*renew_session_finish) (MjaTransport          *self,
                                     GAsyncResult          *result,
                                     GError               **error);
  /* A short name for messages and --verbose: "direct", "browser". */
  const char *(*get_name)       (MjaTransport              *self);
};

GQuark      mja_transport_error_quark          (void);

void        mja_transport_send                 (MjaTransport              *self,
                                                const MjaTransportRequest *request,
                                                GCancellable              *cancellable,
                                                const MjaTransportFuncs   *funcs,
                                                gpointer                   user_data);
void        mja_transport_download             (MjaTransport              *self,
                                                const MjaTransportRequest *request,
                                                const char                *part_path,
                                                GCancellable              *cancellable,
                                                const MjaTransportFuncs   *funcs,
                                                gpointer                   user_data);
gboolean    mja_transport_owns_session         (MjaTransport              *self);
void        mja_transport_renew_session_async  (MjaTransport              *self,
                                                GCancellable              *cancellable,
                                                GAsyncReadyCallback        callback,
                                                gpointer                   user_data);
gboolean    mja_transport_renew_session_finish (MjaTransport              *self,
                                                GAsyncResult              *result,
                                                GError                   **error);
const char *mja_transport_get_name             (MjaTransport              *self);

/* The extra certificate authority named by MJA_TLS_CERTIFICATE (a PEM
 * file), for test servers over HTTPS; %NULL when unset.  Both transports
 * trust it in addition to the system's; nothing else changes TLS checks.
 * Sets @error when the variable names a file that cannot be read. */
GTlsCertificate *mja_transport_dup_extra_certificate (GError **error);

G_END_DECLS
