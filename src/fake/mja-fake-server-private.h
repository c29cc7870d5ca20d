/* mja-fake-server-private.h — what the fake Midjourney's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server object's struct and the calls its files make of each other:
 * mja-fake-server.c (object, threads, routing), mja-fake-jobs.c (the
 * account), mja-fake-api.c (both API eras, auth) and mja-fake-cdn.c
 * (images, videos).  Nothing outside src/fake/ includes it.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mja-fake-server.h"
#include "mja-job.h"

G_BEGIN_DECLS

#define TOKEN_LIFETIME_S  3600

typedef struct
{
  char        id[40];
  gint64      time_us;
  MjaJobKind  kind;
  const char *job_type;
  const char *event_type;
  char       *prompt;
  char       *full_command;
  char       *parent_id;
  guint       batch;
  guint       width;
  guint       height;
  guint       rating;
  gboolean    liked;
  gboolean    null_paths;
  gboolean    no_micro;
  gboolean    no_parsed_params;
  gboolean    hostile;
  gboolean    nul_id;
  guint       changed;   /* the change clock when its rating or like changed, or 0 */
} FakeJob;

struct _MjaFakeServer
{
  GObject               parent_instance;

  MjaFakeServerOptions  options;

  GThread              *thread;
  GPtrArray            *cdn_threads;  /* CdnThread* */
  GMainContext         *context;
  GMainLoop            *loop;
  GMutex                start_mutex;
  GCond                 start_cond;
  gboolean              start_done;
  GError               *start_error;

  char                 *api_url;
  char                 *cdn_url;
  char                 *auth_url;

  /* Everything below is shared with the server thread and its render
   * threads, and guarded by the mutex. */
  GMutex                mutex;
  GRand                *rand;
  GRand                *fault_rand;
  GPtrArray            *jobs;        /* FakeJob*, oldest first */
  GHashTable           *job_index;   /* id -> index + 1 */
  gint64                next_time_us;
  gint64                max_gap_s;
  guint                 change_clock;
  char                 *user_id;
  char                 *legacy_token;
  GHashTable           *id_tokens;   /* token -> exp (seconds) */
  char                 *id_token;
  char                 *refresh_token;
  char                 *previous_refresh_token;
  guint                 token_serial;
  GHashTable           *image_cache; /* "id/index.ext" -> GBytes */
  gsize                 image_cache_bytes;

  guint                 request_count;
  guint                 image_count;
  guint                 cdn_cookie_count;
  guint                 refresh_count;
  guint                 challenge_count;
  guint                 login_count;
  char                 *clearance_secret;
};

/* Which of the three servers a request came to. */
typedef enum
{
  MJA_FAKE_ENDPOINT_API,
  MJA_FAKE_ENDPOINT_CDN,
  MJA_FAKE_ENDPOINT_AUTH,
} MjaFakeEndpoint;

/* One request on its way through the loop to its endpoint. */
typedef struct
{
  MjaFakeServer     *self;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
  MjaFakeEndpoint    endpoint;
  gboolean           rendering;  /* handed to a render thread */
} MjaFakeRequest;

/* mja-fake-server.c */
void      mja_fake_respond                      (SoupServerMessage *msg,
                                                 guint              status,
                                                 const char        *content_type,
                                                 const char        *body,
                                                 gssize             length);
void      mja_fake_respond_json_message         (MjaFakeServer     *self,
                                                 SoupServerMessage *msg,
                                                 guint              status,
                                                 const char        *message);
void      mja_fake_respond_trickle              (SoupServerMessage *msg,
                                                 const char        *content_type,
                                                 const char        *head,
                                                 gsize              head_len);
gboolean  mja_fake_server_inject_fault          (MjaFakeServer     *self,
                                                 SoupServerMessage *msg);
void      mja_fake_request_free                 (MjaFakeRequest    *pending);
guint     mja_fake_server_read_count            (MjaFakeServer     *self,
                                                 const guint       *count);

/* mja-fake-jobs.c */
void      mja_fake_job_free                     (gpointer           data);
char     *mja_fake_random_uuid                  (GRand             *rand);
void      mja_fake_server_generate_jobs         (MjaFakeServer     *self,
                                                 guint              n_jobs);
const FakeJob *mja_fake_server_lookup_job (MjaFakeServer     *self,
                                           const char        *job_id);
void      mja_fake_server_add_current_job       (MjaFakeServer     *self,
                                                 JsonBuilder       *b,
                                                 const FakeJob     *job);
void      mja_fake_server_add_legacy_job        (MjaFakeServer     *self,
                                                 JsonBuilder       *b,
                                                 const FakeJob     *job);

/* mja-fake-api.c */
extern const char mja_fake_login_page[];

char     *mja_fake_server_issue_id_token        (MjaFakeServer     *self,
                                                 gint64             exp);
void      mja_fake_server_rotate_refresh_token  (MjaFakeServer     *self);
void      mja_fake_server_handle_api            (MjaFakeServer     *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query);
void      mja_fake_server_handle_auth           (MjaFakeServer     *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path);

/* mja-fake-browser.c */
gboolean  mja_fake_browser_check                (MjaFakeServer     *self,
                                                 SoupServerMessage *msg);
gboolean  mja_fake_browser_handle_page          (MjaFakeServer     *self,
                                                 SoupServerMessage *msg,
                                                 const char        *path);

/* mja-fake-tls.c */
extern const char mja_fake_tls_certificate_pem[];
extern const char mja_fake_tls_key_pem[];

/* mja-fake-cdn.c */
gboolean  mja_fake_server_handle_cdn            (MjaFakeRequest    *pending);

G_END_DECLS
