/* mja-fake-server.h — the fake Midjourney of shared/midjourney-protocol.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  MJA_FAKE_ERA_CURRENT = 1 << 0,
  MJA_FAKE_ERA_LEGACY  = 1 << 1,
  MJA_FAKE_ERA_BOTH    = MJA_FAKE_ERA_CURRENT | MJA_FAKE_ERA_LEGACY,
} MjaFakeEra;

/* How the current era's listing says "no more pages". */
typedef enum
{
  MJA_FAKE_END_NULL_CURSOR,   /* "cursor": null on the last page */
  MJA_FAKE_END_NO_CURSOR,     /* no "cursor" member on the last page */
  MJA_FAKE_END_EMPTY_PAGE,    /* one more page with "data": [] */
  MJA_FAKE_END_REPEAT_CURSOR, /* the last page repeats the cursor it was asked with */
} MjaFakeEndStyle;

/* A listing that never ends: every page has a cursor never sent before. */
typedef enum
{
  MJA_FAKE_ENDLESS_NO,
  MJA_FAKE_ENDLESS_REPEAT,    /* the newest page again and again */
  MJA_FAKE_ENDLESS_REFUSED,   /* pages of jobs whose ids no client accepts */
  MJA_FAKE_ENDLESS_FRESH,     /* pages of valid jobs never listed before, made as they are asked for */
} MjaFakeEndless;

/* Images sent with Content-Encoding: gzip. */
typedef enum
{
  MJA_FAKE_GZIP_NO,
  MJA_FAKE_GZIP_LENGTH,       /* with a Content-Length: the compressed length */
  MJA_FAKE_GZIP_CHUNKED,      /* chunked, without a Content-Length */
} MjaFakeGzip;

typedef struct
{
  guint           n_jobs;            /* jobs in the account */
  guint           seed;              /* everything generated follows from it */
  MjaFakeEra      eras;              /* which API eras answer; the other 404s */
  guint           latency_ms;        /* added to every request */
  guint           rate_limit_every;  /* every Nth request answers 429; 0 = never */
  guint           retry_after;       /* seconds in Retry-After */
  gboolean        retry_after_date;  /* send Retry-After as an HTTP date */
  double          server_error_rate; /* 0..1 of requests answer 5xx */
  gboolean        challenge;         /* the API answers Cloudflare's challenge page */
  gboolean        expired_session;   /* the issued id token has already expired */
  gboolean        revoked;           /* refresh answers 400 and the legacy token is dead */
  guint           image_kib;         /* approximate size of each image */
  guint           image_pixels;      /* width and height of each image */
  MjaFakeEndStyle end_style;
  gboolean        legacy_empty_end;  /* legacy end marker "[]" instead of the "msg" one */
  guint           html_image_every;  /* every Nth image answers an HTML page; 0 = never */
  guint           hostile_every;     /* every Nth job has an id or URL that tries to escape; 0 = never */
  guint           escape_every;      /* every Nth job's prompt and type, and every 4xx message, carry terminal escapes (OSC 52, title); 0 = never */
  guint           hard_prompts_every;/* every Nth job's prompt is hard to wrap (tabs, long words, CJK, NBSP …); 0 = never */
  guint           huge_page_mib;     /* listing answers are this many MiB (an empty page padded); 0 = normal */
  gboolean        slow_body;         /* listing answers trickle a byte every 100 ms and never end */
  gboolean        slow_images;       /* images trickle likewise: a PNG's first bytes, then one every 100 ms */
  gboolean        redirect;          /* the API answers 302 to the CDN, another host */
  guint           nest_depth;        /* the first job of each listing holds a member nested this deep; 0 = never */
  guint           flood_mib;         /* listing answers are this many MiB of "{}" values; 0 = normal */
  MjaFakeEndless  endless;           /* current-era pages that never stop sending a new cursor */
  guint           cursor_bytes;      /* current-era cursors padded to this length; 0 = normal */
  guint           legacy_image_paths;/* legacy jobs list this many image URLs; 0 = one per image */
  guint           nul_id_every;      /* every Nth job's id holds an escaped NUL; 0 = never */
  guint           page_jobs;         /* current-era pages hold this many jobs, whatever was asked; 0 = as asked */
  MjaFakeGzip     gzip_images;       /* images and videos compressed on the wire */
  guint           gzip_zeros_mib;    /* with gzip_images: each still padded with this many MiB of zeros before compressing */
  guint16         api_port;          /* 0 = any free port */
  guint16         cdn_port;
  guint16         auth_port;
  /* Browser-only: HTTPS (mja_fake_server_get_certificate_pem()), the CDN on
   * 127.0.0.2, and the site's origin behind a bot check that only a
   * browser running its script passes; people sign in with the form of
   * /login (MJA_FAKE_ACCOUNT_EMAIL, MJA_FAKE_ACCOUNT_PASSWORD). */
  gboolean        browser_only;
  /* With browser_only: everything but the bot check, which every request
   * passes (the transport benchmark puts both connections over the same
   * HTTPS). */
  gboolean        no_bot_check;
} MjaFakeServerOptions;

/* The account, as the site's sign-in form and its id tokens know it. */
#define MJA_FAKE_ACCOUNT_NAME     "Ada Lovelace"
#define MJA_FAKE_ACCOUNT_EMAIL    "ada@example.com"
#define MJA_FAKE_ACCOUNT_PASSWORD "analytical-engine"


#define MJA_TYPE_FAKE_SERVER (mja_fake_server_get_type ())
G_DECLARE_FINAL_TYPE (MjaFakeServer, mja_fake_server, MJA, FAKE_SERVER, GObject)

void           mja_fake_server_options_init       (MjaFakeServerOptions       *options);

MjaFakeServer *mja_fake_server_new                (const MjaFakeServerOptions *options);
gboolean       mja_fake_server_start              (MjaFakeServer  *self,
                                                   GError        **error);
void           mja_fake_server_stop               (MjaFakeServer  *self);

const char    *mja_fake_server_get_api_url        (MjaFakeServer  *self);
const char    *mja_fake_server_get_cdn_url        (MjaFakeServer  *self);
const char    *mja_fake_server_get_auth_url       (MjaFakeServer  *self);
const char    *mja_fake_server_get_user_id        (MjaFakeServer  *self);
const char    *mja_fake_server_get_session_token  (MjaFakeServer  *self);
char          *mja_fake_server_dup_refresh_token  (MjaFakeServer  *self);
char          *mja_fake_server_dup_cookie_header  (MjaFakeServer  *self);

guint          mja_fake_server_get_n_jobs         (MjaFakeServer  *self);
void           mja_fake_server_add_jobs           (MjaFakeServer  *self,
                                                   guint           n_jobs);
GStrv          mja_fake_server_dup_job_ids        (MjaFakeServer  *self);
void           mja_fake_server_rate_job           (MjaFakeServer  *self,
                                                   const char     *job_id,
                                                   guint           rating,
                                                   gboolean        liked);
JsonNode      *mja_fake_server_dup_job_node       (MjaFakeServer  *self,
                                                   guint           position,
                                                   gboolean        legacy);
guint          mja_fake_server_get_n_images       (MjaFakeServer  *self,
                                                   const char     *kinds);
GBytes        *mja_fake_server_dup_image          (MjaFakeServer  *self,
                                                   const char     *job_id,
                                                   guint           index,
                                                   const char     *extension);

guint          mja_fake_server_get_request_count  (MjaFakeServer  *self);
guint          mja_fake_server_get_cdn_cookie_count (MjaFakeServer *self);
guint          mja_fake_server_get_refresh_count  (MjaFakeServer  *self);
void           mja_fake_server_set_server_error_rate (MjaFakeServer *self,
                                                      double         rate);
void           mja_fake_server_expire_session     (MjaFakeServer  *self);

const char    *mja_fake_server_get_certificate_pem (void);
guint          mja_fake_server_get_challenge_count (MjaFakeServer *self);
guint          mja_fake_server_get_login_count    (MjaFakeServer  *self);
char          *mja_fake_browser_dup_clearance     (const char     *nonce,
                                                   const char     *user_agent);

G_END_DECLS
