/* mja-fake-server.c — the fake Midjourney of shared/midjourney-protocol.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The executable form of the protocol page: three SoupServers (API, CDN,
 * token refresh) on loopback, run in a thread of their own so that a
 * synchronous client in the same process, or the application's main loop,
 * never waits on itself.  Everything it serves follows from a seed, so a
 * test can ask it for the exact bytes it served.  It must never know who
 * its client is: tests, the demo mode and benchmarks all speak to it
 * through the same protocol as to Midjourney.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "mja-config.h"
#include "mja-fake-server.h"
#include "mja-job.h"
#include "mja-util.h"

#define LEGACY_CAP        2500
#define LEGACY_PAGE_SIZE  50
#define MAX_PAGE_SIZE     1000
/* Drawn images are kept up to this many bytes, enough for the 10,000-image
 * benchmark at its 24 KiB, so that a benchmark measures the client and
 * not the fake redrawing what it already drew. */
#define IMAGE_CACHE_BYTES (384u << 20)
#define TOKEN_LIFETIME_S  3600
#define ID_COOKIE         "__Host-Midjourney.AuthUserTokenV3_i"
#define REFRESH_COOKIE    "__Host-Midjourney.AuthUserTokenV3_r"
#define LEGACY_COOKIE     "__Secure-next-auth.session-token"

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
};

G_DEFINE_FINAL_TYPE (MjaFakeServer, mja_fake_server, G_TYPE_OBJECT)

static const char * const subjects[] = {
  "a lighthouse on a basalt cliff", "an owl reading by candlelight", "a koi pond in autumn",
  "a brutalist library at dawn", "a red fox in fresh snow", "a tram crossing a bridge in Lisbon",
  "a greenhouse full of ferns", "a jellyfish made of stained glass", "an old cartographer's desk",
  "a desert observatory under the milky way", "a paper boat on a rain puddle", "a bonsai on a windowsill",
};
static const char * const styles[] = {
  "watercolor", "isometric 3d render", "35mm film photograph", "ukiyo-e woodblock print",
  "oil painting, impasto", "cinematic lighting", "pencil sketch", "art nouveau poster",
};
static const char * const unicode_bits[] = {
  "猫と桜の庭 🌸", "café au lait, crème brûlée", "Москва зимой", "נמל יפו", "ο Παρθενώνας", "🐙🚲✨",
};
static const char * const params[] = {
  "--ar 16:9 --v 6.1", "--ar 2:3 --style raw --v 7", "--v 5.2 --q 2", "--ar 1:1 --stylize 250 --v 6",
  "--niji 6 --ar 3:4", "--v 7 --chaos 20 --ar 21:9",
};

static void
fake_job_free (gpointer data)
{
  FakeJob *job = data;

  g_free (job->prompt);
  g_free (job->full_command);
  g_free (job->parent_id);
  g_free (job);
}

void
mja_fake_server_options_init (MjaFakeServerOptions *options)
{
  memset (options, 0, sizeof *options);
  options->n_jobs = 120;
  options->seed = 1;
  options->eras = MJA_FAKE_ERA_BOTH;
  options->retry_after = 1;
  options->image_kib = 32;
  options->image_pixels = 256;
  options->end_style = MJA_FAKE_END_NULL_CURSOR;
}

static void
mja_fake_server_finalize (GObject *object)
{
  MjaFakeServer *self = MJA_FAKE_SERVER (object);

  mja_fake_server_stop (self);

  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->fault_rand, g_rand_free);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_pointer (&self->job_index, g_hash_table_unref);
  g_clear_pointer (&self->id_tokens, g_hash_table_unref);
  g_clear_pointer (&self->image_cache, g_hash_table_unref);
  g_clear_error (&self->start_error);
  g_free (self->user_id);
  g_free (self->legacy_token);
  g_free (self->id_token);
  g_free (self->refresh_token);
  g_free (self->previous_refresh_token);
  g_free (self->api_url);
  g_free (self->cdn_url);
  g_free (self->auth_url);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (mja_fake_server_parent_class)->finalize (object);
}

static void
mja_fake_server_class_init (MjaFakeServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_fake_server_finalize;
}

static void
mja_fake_server_init (MjaFakeServer *self)
{
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);
  self->jobs = g_ptr_array_new_with_free_func (fake_job_free);
  self->job_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->id_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->image_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

static char *
random_uuid (GRand *rand)
{
  return g_strdup_printf ("%08x-%04x-4%03x-%04x-%04x%08x",
                          g_rand_int (rand),
                          g_rand_int_range (rand, 0, 0x10000),
                          g_rand_int_range (rand, 0, 0x1000),
                          g_rand_int_range (rand, 0x8000, 0xc000),
                          g_rand_int_range (rand, 0, 0x10000),
                          g_rand_int (rand));
}

static char *
make_prompt (GRand *rand,
             guint  serial)
{
  GString *prompt = g_string_new (NULL);

  g_string_append_printf (prompt, "%s, %s",
                          subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))],
                          styles[g_rand_int_range (rand, 0, G_N_ELEMENTS (styles))]);
  if (serial % 5 == 2)
    g_string_append_printf (prompt, ", %s", unicode_bits[g_rand_int_range (rand, 0, G_N_ELEMENTS (unicode_bits))]);
  /* Some people write essays: one job in 97 has a 5,000-character prompt. */
  if (serial % 97 == 50)
    {
      while (g_utf8_strlen (prompt->str, -1) < 5000)
        g_string_append_printf (prompt, ", %s in the style of %s",
                                subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))],
                                styles[g_rand_int_range (rand, 0, G_N_ELEMENTS (styles))]);
      g_string_truncate (prompt, g_utf8_offset_to_pointer (prompt->str, 5000) - prompt->str);
    }
  return g_string_free (prompt, FALSE);
}

/* Called with the mutex held. */
static void
generate_jobs (MjaFakeServer *self,
               guint          n_jobs)
{
  for (guint n = 0; n < n_jobs; n++)
    {
      FakeJob *job = g_new0 (FakeJob, 1);
      guint serial = self->jobs->len;
      g_autofree char *id = random_uuid (self->rand);
      int roll = g_rand_int_range (self->rand, 0, 100);
      g_autofree char *prompt = NULL;

      g_strlcpy (job->id, id, sizeof job->id);
      job->time_us = self->next_time_us + g_rand_int_range (self->rand, 0, 1000000);
      self->next_time_us += (gint64) g_rand_int_range (self->rand, 60, (gint32) self->max_gap_s) * G_USEC_PER_SEC;

      if (roll < 55)
        {
          job->kind = MJA_JOB_KIND_GRID;
          job->job_type = serial % 2 ? "v7_raw_diffusion" : "v6_diffusion";
          job->event_type = "diffusion";
          job->batch = 4;
        }
      else if (roll < 65)
        {
          job->kind = MJA_JOB_KIND_GRID;
          job->job_type = "v6_variation";
          job->event_type = "variation";
          job->batch = 4;
        }
      else if (roll < 90)
        {
          job->kind = MJA_JOB_KIND_UPSCALE;
          job->job_type = "v6_upscale";
          job->event_type = "upscale";
          job->batch = 1;
        }
      else
        {
          job->kind = MJA_JOB_KIND_VIDEO;
          job->job_type = "v7_video";
          job->event_type = "video_diffusion";
          job->batch = 2;
        }

      /* Variations and upscales come from an earlier grid. */
      if (job->event_type[0] != 'd' && serial > 0)
        {
          for (guint back = 1; back <= 8 && back <= serial; back++)
            {
              FakeJob *candidate = g_ptr_array_index (self->jobs, serial - back);
              if (candidate->kind == MJA_JOB_KIND_GRID)
                {
                  job->parent_id = g_strdup (candidate->id);
                  break;
                }
            }
        }

      prompt = make_prompt (self->rand, serial);
      job->full_command = g_strdup_printf ("%s %s", prompt,
                                           params[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (params))]);
      job->prompt = g_steal_pointer (&prompt);
      job->width = job->kind == MJA_JOB_KIND_UPSCALE ? 2048 : 1024;
      job->height = serial % 3 == 0 ? job->width * 9 / 16 : job->width;
      job->rating = serial % 6 == 0 ? (guint) g_rand_int_range (self->rand, 1, 6) : 0;
      job->liked = serial % 9 == 4;
      job->null_paths = serial % 11 == 7;
      job->no_micro = serial % 7 == 3;
      job->no_parsed_params = serial < 10;
      job->hostile = self->options.hostile_every > 0 && serial % self->options.hostile_every == 1;

      g_ptr_array_add (self->jobs, job);
      g_hash_table_insert (self->job_index, job->id, GUINT_TO_POINTER (self->jobs->len));
    }
}

static char *
issue_id_token (MjaFakeServer *self,
                gint64         exp)
{
  g_autofree char *header = mja_base64url_encode ((const guint8 *) "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 27);
  g_autofree char *payload_json = NULL;
  g_autofree char *payload = NULL;
  char *token;

  payload_json = g_strdup_printf ("{\"iss\":\"https://securetoken.google.com/fake\",\"midjourney_id\":\"%s\","
                                  "\"iat\":%" G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT ",\"jti\":%u}",
                                  self->user_id, exp - TOKEN_LIFETIME_S, exp, ++self->token_serial);
  payload = mja_base64url_encode ((const guint8 *) payload_json, strlen (payload_json));
  token = g_strdup_printf ("%s.%s.ZmFrZS1zaWduYXR1cmU", header, payload);
  g_hash_table_insert (self->id_tokens, g_strdup (token), GINT_TO_POINTER ((gint) exp));
  g_free (self->id_token);
  self->id_token = g_strdup (token);
  return token;
}

static void
rotate_refresh_token (MjaFakeServer *self)
{
  g_free (self->previous_refresh_token);
  self->previous_refresh_token = self->refresh_token;
  self->refresh_token = g_strdup_printf ("AMf-vB%08x%08x%08x", g_rand_int (self->rand),
                                         g_rand_int (self->rand), self->token_serial);
}

MjaFakeServer *
mja_fake_server_new (const MjaFakeServerOptions *options)
{
  MjaFakeServer *self = g_object_new (MJA_TYPE_FAKE_SERVER, NULL);
  GDateTime *start;
  gint64 exp;

  if (options != NULL)
    self->options = *options;
  else
    mja_fake_server_options_init (&self->options);
  if (self->options.image_pixels < 16)
    self->options.image_pixels = 16;
  if (self->options.eras == 0)
    self->options.eras = MJA_FAKE_ERA_BOTH;

  self->rand = g_rand_new_with_seed (self->options.seed);
  self->fault_rand = g_rand_new_with_seed (self->options.seed ^ 0x5eed);
  self->user_id = random_uuid (self->rand);
  self->legacy_token = g_strdup_printf ("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..%08x%08x.fake-session",
                                        g_rand_int (self->rand), g_rand_int (self->rand));

  /* Spread the account over at most about four years, and at least over
   * hours between jobs, so that a small account spans months and days. */
  self->max_gap_s = CLAMP ((gint64) 2 * 4 * 365 * 24 * 3600 / MAX (self->options.n_jobs, 1), 120, 40 * 3600);
  start = g_date_time_new_utc (2022, 7, 12, 9, 30, 0);
  self->next_time_us = g_date_time_to_unix (start) * G_USEC_PER_SEC;
  g_date_time_unref (start);
  generate_jobs (self, self->options.n_jobs);

  exp = g_get_real_time () / G_USEC_PER_SEC + (self->options.expired_session ? -60 : TOKEN_LIFETIME_S);
  g_free (issue_id_token (self, exp));
  rotate_refresh_token (self);

  return self;
}

/* ---- answers -------------------------------------------------------- */

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body,
         gssize             length)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    body, length < 0 ? strlen (body) : (gsize) length);
}

static void
respond_json_message (SoupServerMessage *msg,
                      guint              status,
                      const char        *message)
{
  g_autofree char *escaped = g_strescape (message, NULL);
  g_autofree char *body = g_strdup_printf ("{\"message\":\"%s\"}", escaped);

  respond (msg, status, "application/json", body, -1);
}

static void
respond_node (SoupServerMessage *msg,
              JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length;
  g_autofree char *body = NULL;

  json_generator_set_root (generator, node);
  body = json_generator_to_data (generator, &length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
}

/* A hostile listing: an empty page padded to @mib MiB of JSON. */
static void
respond_huge_page (SoupServerMessage *msg,
                   guint              mib)
{
  gsize length = (gsize) mib * 1024 * 1024;
  char *body = g_malloc (length);

  memset (body, ' ', length);
  body[0] = '[';
  body[length - 1] = ']';
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

/* A hostile answer that never ends: @head, then a space every 100 ms.
 * The tick source owns the state; it is destroyed when the client goes
 * away, or with its thread's main context when the server stops. */
typedef struct
{
  SoupServerMessage *msg;
} Trickle;

static gboolean
trickle_cb (gpointer data)
{
  Trickle *trickle = data;

  soup_message_body_append (soup_server_message_get_response_body (trickle->msg), SOUP_MEMORY_STATIC, " ", 1);
  soup_server_message_unpause (trickle->msg);
  return G_SOURCE_CONTINUE;
}

static void
trickle_finished_cb (SoupServerMessage *msg,
                     GSource           *tick)
{
  g_source_destroy (tick);
}

static void
respond_trickle (SoupServerMessage *msg,
                 const char        *content_type,
                 const char        *head,
                 gsize              head_len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Trickle *trickle = g_new0 (Trickle, 1);
  GSource *tick = g_timeout_source_new (100);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, head, head_len);
  trickle->msg = msg;
  g_source_set_callback (tick, trickle_cb, trickle, g_free);
  g_source_attach (tick, g_main_context_get_thread_default ());
  g_signal_connect_data (msg, "finished", G_CALLBACK (trickle_finished_cb), g_source_ref (tick),
                         (GClosureNotify) (void (*) (void)) g_source_unref, 0);
  g_signal_connect_data (msg, "disconnected", G_CALLBACK (trickle_finished_cb), g_source_ref (tick),
                         (GClosureNotify) (void (*) (void)) g_source_unref, 0);
  g_source_unref (tick);
}

static const char challenge_page[] =
  "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head>"
  "<body><noscript>Enable JavaScript and cookies to continue</noscript>"
  "<script src=\"https://challenges.cloudflare.com/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script>"
  "</body></html>";

static const char login_page[] =
  "<!DOCTYPE html><html><head><title>Midjourney</title></head>"
  "<body><h1>Sign in</h1><a href=\"/api/auth/signin\">Sign in with Discord</a></body></html>";

static char *
format_time (const FakeJob *job,
             gboolean       legacy)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (job->time_us / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (dt, legacy ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S");
  int micro = (int) (job->time_us % G_USEC_PER_SEC);

  if (legacy)
    return job->no_micro ? g_steal_pointer (&base) : g_strdup_printf ("%s.%06d", base, micro);
  return g_strdup_printf ("%s.%06d+00:00", base, micro);
}

static void
add_current_job (MjaFakeServer *self,
                 JsonBuilder   *b,
                 const FakeJob *job)
{
  g_autofree char *time = format_time (job, FALSE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  /* A hostile server tries to make the client write outside its archive. */
  json_builder_add_string_value (b, job->hostile ? "../../escaped" : job->id);
  json_builder_set_member_name (b, "enqueue_time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "job_type");
  json_builder_add_string_value (b, job->job_type);
  json_builder_set_member_name (b, "event_type");
  json_builder_add_string_value (b, job->event_type);
  json_builder_set_member_name (b, "full_command");
  json_builder_add_string_value (b, job->full_command);
  json_builder_set_member_name (b, "batch_size");
  json_builder_add_int_value (b, job->batch);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, job->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, job->height);
  json_builder_set_member_name (b, "parent_id");
  if (job->parent_id)
    json_builder_add_string_value (b, job->parent_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "parent_grid");
  if (job->parent_id)
    json_builder_add_int_value (b, job->time_us % 4);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "rating");
  if (job->rating)
    json_builder_add_int_value (b, job->rating);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "published");
  json_builder_add_boolean_value (b, job->time_us % 3 == 0);
  json_builder_set_member_name (b, "shown");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "user_hidden");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "personalization_codes");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "liked_by_user");
  json_builder_add_boolean_value (b, job->liked);
  json_builder_end_object (b);
}

static void
add_legacy_job (MjaFakeServer *self,
                JsonBuilder   *b,
                const FakeJob *job)
{
  g_autofree char *time = format_time (job, TRUE);
  gboolean upscale = job->kind == MJA_JOB_KIND_UPSCALE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, job->id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, upscale ? "upscale" : "grid");
  json_builder_set_member_name (b, "enqueue_time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, job->prompt);
  json_builder_set_member_name (b, "full_command");
  json_builder_add_string_value (b, job->full_command);
  json_builder_set_member_name (b, "image_paths");
  if (job->null_paths)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_array (b);
      for (guint i = 0; i < job->batch; i++)
        {
          g_autofree char *url = job->hostile && i == 0 ? g_strdup ("file:///etc/passwd.png")
                                                        : g_strdup_printf ("%s/%s/0_%u.png",
                                                                           /* not started: Midjourney's own */
                                                                           self->cdn_url ? self->cdn_url
                                                                           : mja_config_get_default_string (MJA_CONFIG_KEY_CDN_BASE_URL),
                                                                           job->id, i);
          json_builder_add_string_value (b, url);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "parent_id");
  if (job->parent_id)
    json_builder_add_string_value (b, job->parent_id);
  else
    json_builder_add_null_value (b);
  if (!job->no_parsed_params)
    {
      json_builder_set_member_name (b, "_parsed_params");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, "5.2");
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "event");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, job->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, job->height);
  json_builder_set_member_name (b, "batchSize");
  json_builder_add_int_value (b, job->batch);
  json_builder_set_member_name (b, "eventType");
  json_builder_add_string_value (b, upscale ? "upscale" : "imagine");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ranking_by_user");
  /* The legacy site only ever stored 1, 2, 4 or 5. */
  if (job->rating)
    json_builder_add_int_value (b, job->rating == 3 ? 4 : job->rating);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "liked_by_user");
  json_builder_add_boolean_value (b, job->liked);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, "fake_artist");
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, self->user_id);
  json_builder_set_member_name (b, "platform");
  json_builder_add_string_value (b, "discord");
  json_builder_set_member_name (b, "platform_channel_id");
  json_builder_add_string_value (b, "989268300473192561");
  json_builder_end_object (b);
}

static char *
encode_token (const char *text)
{
  return mja_base64url_encode ((const guint8 *) text, strlen (text));
}

static gboolean
decode_cursor (const char *cursor,
               guint      *anchor,
               guint      *offset,
               guint      *lower)
{
  gsize len;
  g_autofree char *text = (char *) mja_base64url_decode (cursor, &len);
  g_autofree char *nul = NULL;

  if (text == NULL)
    return FALSE;
  nul = g_strndup (text, len);
  return sscanf (nul, "c:%u:%u:%u", anchor, offset, lower) == 3 && *offset <= *anchor && *lower <= *anchor;
}

static gboolean
decode_checkpoint (const char *checkpoint,
                   guint      *count)
{
  gsize len;
  g_autofree char *text = (char *) mja_base64url_decode (checkpoint, &len);
  g_autofree char *nul = NULL;

  if (text == NULL)
    return FALSE;
  nul = g_strndup (text, len);
  return sscanf (nul, "cp:%u", count) == 1;
}

static guint
query_uint (GHashTable *query,
            const char *name,
            guint       fallback)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 parsed;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &parsed, NULL))
    return fallback;
  return (guint) parsed;
}

/* Called with the mutex held. */
static void
list_current (MjaFakeServer     *self,
              SoupServerMessage *msg,
              GHashTable        *query,
              gboolean           update)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *user_id = query ? g_hash_table_lookup (query, "user_id") : NULL;
  const char *cursor = query ? g_hash_table_lookup (query, "cursor") : NULL;
  guint page_size = CLAMP (query_uint (query, "page_size", 50), 1, MAX_PAGE_SIZE);
  guint anchor = self->jobs->len, offset = 0, lower = 0, count = 0;
  g_autofree char *checkpoint = NULL;
  g_autofree char *checkpoint_token = NULL;
  gboolean more;

  if (g_strcmp0 (user_id, self->user_id) != 0)
    {
      respond_json_message (msg, SOUP_STATUS_FORBIDDEN, "You are not allowed to see this user's jobs.");
      return;
    }
  if (update)
    {
      const char *cp = query ? g_hash_table_lookup (query, "checkpoint") : NULL;

      if (cp == NULL || !decode_checkpoint (cp, &lower) || lower > self->jobs->len)
        {
          respond_json_message (msg, SOUP_STATUS_BAD_REQUEST, "Invalid or expired checkpoint.");
          return;
        }
    }
  if (cursor != NULL && !decode_cursor (cursor, &anchor, &offset, &lower))
    {
      respond_json_message (msg, SOUP_STATUS_BAD_REQUEST, "Invalid cursor.");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  while (count < page_size && anchor > offset + count && anchor - offset - count > lower)
    {
      add_current_job (self, b, g_ptr_array_index (self->jobs, anchor - offset - count - 1));
      count++;
    }
  json_builder_end_array (b);

  more = anchor - offset - count > lower;
  if (more || (self->options.end_style == MJA_FAKE_END_EMPTY_PAGE && count > 0))
    {
      g_autofree char *next = g_strdup_printf ("c:%u:%u:%u", anchor, offset + count, lower);
      g_autofree char *token = encode_token (next);
      json_builder_set_member_name (b, "cursor");
      json_builder_add_string_value (b, token);
    }
  else if (self->options.end_style == MJA_FAKE_END_REPEAT_CURSOR)
    {
      g_autofree char *same = g_strdup_printf ("c:%u:%u:%u", anchor, offset, lower);
      g_autofree char *token = cursor ? g_strdup (cursor) : encode_token (same);
      json_builder_set_member_name (b, "cursor");
      json_builder_add_string_value (b, token);
    }
  else if (self->options.end_style != MJA_FAKE_END_NO_CURSOR)
    {
      json_builder_set_member_name (b, "cursor");
      json_builder_add_null_value (b);
    }

  checkpoint = g_strdup_printf ("cp:%u", anchor);
  checkpoint_token = encode_token (checkpoint);
  json_builder_set_member_name (b, "checkpoint");
  json_builder_add_string_value (b, checkpoint_token);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  respond_node (msg, root);
}

/* Called with the mutex held. */
static void
list_legacy (MjaFakeServer     *self,
             SoupServerMessage *msg,
             GHashTable        *query)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *user_id = query ? g_hash_table_lookup (query, "userId") : NULL;
  const char *job_type = query ? g_hash_table_lookup (query, "jobType") : NULL;
  const char *from_text = query ? g_hash_table_lookup (query, "fromDate") : NULL;
  guint amount = CLAMP (query_uint (query, "amount", LEGACY_PAGE_SIZE), 1, LEGACY_PAGE_SIZE);
  guint page = MAX (query_uint (query, "page", 1), 1);
  gint64 from_us = G_MAXINT64;
  guint skip, count = 0, seen = 0;

  if (g_strcmp0 (user_id, self->user_id) != 0)
    {
      respond_json_message (msg, SOUP_STATUS_FORBIDDEN, "You are not allowed to see this user's jobs.");
      return;
    }
  if (from_text != NULL)
    {
      g_autoptr(GDateTime) from = mja_parse_enqueue_time (from_text);

      if (from == NULL)
        {
          respond_json_message (msg, SOUP_STATUS_BAD_REQUEST, "Invalid fromDate.");
          return;
        }
      from_us = g_date_time_to_unix (from) * G_USEC_PER_SEC + g_date_time_get_microsecond (from);
    }

  skip = (page - 1) * amount;
  json_builder_begin_array (b);
  if (skip < LEGACY_CAP)
    {
      for (guint i = self->jobs->len; i > 0 && count < amount && skip + count < LEGACY_CAP; i--)
        {
          const FakeJob *job = g_ptr_array_index (self->jobs, i - 1);
          gboolean upscale = job->kind == MJA_JOB_KIND_UPSCALE;
          gint64 time_us = job->no_micro ? job->time_us - job->time_us % G_USEC_PER_SEC : job->time_us;

          if (time_us > from_us)
            continue;
          if (g_strcmp0 (job_type, "upscale") == 0 && !upscale)
            continue;
          if (g_strcmp0 (job_type, "grid") == 0 && upscale)
            continue;
          if (seen++ < skip)
            continue;
          add_legacy_job (self, b, job);
          count++;
        }
    }
  if (count == 0 && !self->options.legacy_empty_end)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "msg");
      json_builder_add_string_value (b, "No jobs found.");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  root = json_builder_get_root (b);
  respond_node (msg, root);
}

/* Called with the mutex held. */
static gboolean
check_current_auth (MjaFakeServer     *self,
                    SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *cookie = soup_message_headers_get_one (headers, "Cookie");
  g_autofree char *token = mja_cookie_header_lookup (cookie, ID_COOKIE);
  gpointer exp;

  if (g_strcmp0 (soup_message_headers_get_one (headers, "x-csrf-protection"), "1") != 0)
    {
      respond_json_message (msg, SOUP_STATUS_FORBIDDEN, "Missing CSRF protection header.");
      return FALSE;
    }
  if (token == NULL || self->options.revoked ||
      !g_hash_table_lookup_extended (self->id_tokens, token, NULL, &exp) ||
      GPOINTER_TO_INT (exp) <= g_get_real_time () / G_USEC_PER_SEC)
    {
      respond_json_message (msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized");
      return FALSE;
    }
  return TRUE;
}

/* Called with the mutex held. */
static gboolean
check_legacy_auth (MjaFakeServer     *self,
                   SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *token = mja_cookie_header_lookup (soup_message_headers_get_one (headers, "Cookie"), LEGACY_COOKIE);

  /* The legacy site answers an expired session with its login page, 200. */
  if (token == NULL || self->options.revoked || self->options.expired_session ||
      g_strcmp0 (token, self->legacy_token) != 0)
    {
      respond (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", login_page, -1);
      return FALSE;
    }
  return TRUE;
}

/* Called with the mutex held: 429s and 5xx the knobs ask for. */
static gboolean
inject_fault (MjaFakeServer     *self,
              SoupServerMessage *msg)
{
  self->request_count++;

  if (self->options.rate_limit_every > 0 && self->request_count % self->options.rate_limit_every == 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
      g_autofree char *value = NULL;

      if (self->options.retry_after_date)
        {
          g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC +
                                                                     self->options.retry_after);
          value = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
        }
      else
        value = g_strdup_printf ("%u", self->options.retry_after);
      soup_message_headers_replace (headers, "Retry-After", value);
      respond_json_message (msg, 429 /* Too Many Requests */, "Too many requests, slow down.");
      return TRUE;
    }

  if (self->options.server_error_rate > 0 &&
      g_rand_double (self->fault_rand) < self->options.server_error_rate)
    {
      static const guint codes[] = { 500, 502, 503, 504 };
      guint code = codes[g_rand_int_range (self->fault_rand, 0, G_N_ELEMENTS (codes))];

      respond (msg, code, "text/html", "<html><body><h1>Server error</h1></body></html>", -1);
      return TRUE;
    }

  return FALSE;
}

static void
handle_api (MjaFakeServer     *self,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query)
{
  gboolean current = g_str_equal (path, "/api/imagine") || g_str_equal (path, "/api/pg/thomas-jobs");
  gboolean update = g_str_equal (path, "/api/imagine-update");
  gboolean legacy = g_str_equal (path, "/api/app/recent-jobs") || g_str_equal (path, "/api/app/recent-jobs/");

  g_mutex_lock (&self->mutex);

  if (self->options.challenge)
    respond (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=UTF-8", challenge_page, -1);
  else if (inject_fault (self, msg))
    ;
  else if (self->options.redirect && (current || update || legacy))
    {
      g_autofree char *elsewhere = g_strdup_printf ("%s/collect?from=%s", self->cdn_url, path);

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, elsewhere);
    }
  else if (self->options.huge_page_mib > 0 && (current || update || legacy))
    respond_huge_page (msg, self->options.huge_page_mib);
  else if (self->options.slow_body && (current || update || legacy))
    respond_trickle (msg, "application/json", "[", 1);
  else if ((current || update) && (self->options.eras & MJA_FAKE_ERA_CURRENT))
    {
      if (check_current_auth (self, msg))
        list_current (self, msg, query, update);
    }
  else if (legacy && (self->options.eras & MJA_FAKE_ERA_LEGACY))
    {
      if (check_legacy_auth (self, msg))
        list_legacy (self, msg, query);
    }
  else
    respond_json_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");

  g_mutex_unlock (&self->mutex);
}

static void
handle_auth (MjaFakeServer     *self,
             SoupServerMessage *msg,
             const char        *path)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = NULL;
  const char *refresh;

  if (!g_str_equal (path, "/v1/token") || g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      respond_json_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
      return;
    }

  form = soup_form_decode (text);
  refresh = g_hash_table_lookup (form, "refresh_token");

  g_mutex_lock (&self->mutex);
  self->refresh_count++;
  if (self->options.revoked || g_strcmp0 (g_hash_table_lookup (form, "grant_type"), "refresh_token") != 0 ||
      refresh == NULL ||
      (g_strcmp0 (refresh, self->refresh_token) != 0 && g_strcmp0 (refresh, self->previous_refresh_token) != 0))
    {
      respond (msg, SOUP_STATUS_BAD_REQUEST, "application/json",
               "{\"error\":{\"code\":400,\"message\":\"TOKEN_EXPIRED\",\"status\":\"INVALID_ARGUMENT\"}}", -1);
    }
  else
    {
      g_autofree char *id_token = issue_id_token (self, g_get_real_time () / G_USEC_PER_SEC + TOKEN_LIFETIME_S);
      g_autofree char *answer = NULL;

      rotate_refresh_token (self);
      answer = g_strdup_printf ("{\"id_token\":\"%s\",\"refresh_token\":\"%s\",\"expires_in\":\"%d\","
                                "\"token_type\":\"Bearer\",\"user_id\":\"%s\"}",
                                id_token, self->refresh_token, TOKEN_LIFETIME_S, self->user_id);
      respond (msg, SOUP_STATUS_OK, "application/json", answer, -1);
    }
  g_mutex_unlock (&self->mutex);
}

/* ---- images --------------------------------------------------------- */

static void
hsv_to_rgb (double  h,
            double  s,
            double  v,
            double *r,
            double *g,
            double *b)
{
  double c = v * s;
  double x = c * (1 - fabs (fmod (h / 60.0, 2) - 1));
  double m = v - c;
  int sector = (int) (h / 60.0) % 6;
  double rgb[6][3] = { { c, x, 0 }, { x, c, 0 }, { 0, c, x }, { 0, x, c }, { x, 0, c }, { c, 0, x } };

  *r = rgb[sector][0] + m;
  *g = rgb[sector][1] + m;
  *b = rgb[sector][2] + m;
}

/* A picture that looks like its job and no other: two colours, a gradient
 * and rings whose centre and spacing come from the id. */
static GdkPixbuf *
render_pixbuf (const char *job_id,
               guint       index,
               guint       size)
{
  guint32 hash = g_str_hash (job_id) ^ (index * 2654435761u);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) size, (int) size);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  double hue1 = hash % 360, hue2 = fmod (hue1 + 60 + (hash >> 9) % 180, 360);
  double r1, g1, b1, r2, g2, b2;
  double cx = size * (0.2 + ((hash >> 3) % 60) / 100.0);
  double cy = size * (0.2 + ((hash >> 11) % 60) / 100.0);
  double spacing = size / (6.0 + (hash >> 17) % 10);

  hsv_to_rgb (hue1, 0.65, 0.95, &r1, &g1, &b1);
  hsv_to_rgb (hue2, 0.80, 0.55, &r2, &g2, &b2);

  for (guint y = 0; y < size; y++)
    {
      guint8 *row = pixels + y * stride;

      for (guint x = 0; x < size; x++)
        {
          double t = (double) (x + y) / (2.0 * size);
          double d = sqrt ((x - cx) * (x - cx) + (y - cy) * (y - cy));
          double ring = 0.5 + 0.5 * sin (d / spacing * G_PI);
          double mix = CLAMP (0.65 * t + 0.35 * ring, 0, 1);

          row[x * 3 + 0] = (guint8) (255 * (r1 * (1 - mix) + r2 * mix));
          row[x * 3 + 1] = (guint8) (255 * (g1 * (1 - mix) + g2 * mix));
          row[x * 3 + 2] = (guint8) (255 * (b1 * (1 - mix) + b2 * mix));
        }
    }
  return pixbuf;
}

static GBytes *
render_video (const char *job_id,
              guint       index,
              guint       kib)
{
  static const guint8 ftyp[] = { 0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2' };
  gsize payload = MAX (kib, 1) * 1024;
  GByteArray *data = g_byte_array_sized_new (sizeof ftyp + 8 + payload);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_str_hash (job_id) + index);
  guint8 header[8] = { 0, 0, 0, 0, 'm', 'd', 'a', 't' };
  guint32 box = GUINT32_TO_BE ((guint32) (payload + 8));

  memcpy (header, &box, 4);
  g_byte_array_append (data, ftyp, sizeof ftyp);
  g_byte_array_append (data, header, sizeof header);
  for (gsize i = 0; i < payload; i++)
    {
      guint8 byte = (guint8) g_rand_int (rand);
      g_byte_array_append (data, &byte, 1);
    }
  return g_byte_array_free_to_bytes (data);
}

static GBytes *
render_image (const char *job_id,
              guint       index,
              const char *extension,
              guint       kib,
              guint       pixels,
              GError    **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *buffer = NULL;
  gsize length = 0;

  if (g_str_equal (extension, "mp4"))
    return render_video (job_id, index, kib);

  pixbuf = render_pixbuf (job_id, index, pixels);
  if (g_str_equal (extension, "png"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", error, NULL))
        return NULL;
      /* Pad to the asked size with a text chunk: still a valid PNG. */
      if (length + 64 < (gsize) kib * 1024)
        {
          gsize pad = kib * 1024 - length - 64;
          g_autofree char *comment = g_malloc (pad + 1);
          g_autoptr(GRand) rand = g_rand_new_with_seed (g_str_hash (job_id) + index);

          for (gsize i = 0; i < pad; i++)
            comment[i] = 'a' + g_rand_int_range (rand, 0, 26);
          comment[pad] = '\0';
          g_clear_pointer (&buffer, g_free);
          if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", error,
                                          "tEXt::Comment", comment, NULL))
            return NULL;
        }
    }
  else if (g_str_equal (extension, "jpeg") || g_str_equal (extension, "jpg"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "jpeg", error, "quality", "90", NULL))
        return NULL;
    }
  else if (g_str_equal (extension, "webp"))
    {
      if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "webp", error, "quality", "90", NULL))
        return NULL;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "No such format");
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&buffer), length);
}

/* Parses "/<id>/0_<i>.<ext>" and "/video/<id>/<i>.mp4". */
static gboolean
parse_cdn_path (const char  *path,
                char       **job_id,
                guint       *index,
                char       **extension)
{
  g_auto(GStrv) parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  guint n = g_strv_length (parts);
  const char *file;
  const char *dot;
  guint64 value;
  g_autofree char *number = NULL;
  gboolean video = n == 3 && g_str_equal (parts[0], "video");

  if (!(n == 2 || video))
    return FALSE;
  file = parts[n - 1];
  dot = strrchr (file, '.');
  if (dot == NULL)
    return FALSE;
  if (!video)
    {
      if (!g_str_has_prefix (file, "0_"))
        return FALSE;
      file += 2;
    }
  number = g_strndup (file, dot - file);
  if (!g_ascii_string_to_unsigned (number, 10, 0, 63, &value, NULL))
    return FALSE;
  if (video != g_str_equal (dot + 1, "mp4"))
    return FALSE;

  *job_id = g_strdup (parts[n - 2]);
  *index = (guint) value;
  *extension = g_strdup (dot + 1);
  return TRUE;
}

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_auto(GStrv) key = g_strsplit (task_data, "\n", 3);
  guint64 index = g_ascii_strtoull (key[1], NULL, 10);
  GBytes *bytes = mja_fake_server_dup_image (source_object, key[0], (guint) index, key[2]);

  if (bytes == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No such image");
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

GBytes *
mja_fake_server_dup_image (MjaFakeServer *self,
                           const char    *job_id,
                           guint          index,
                           const char    *extension)
{
  g_autofree char *key = NULL;
  GBytes *bytes;
  FakeJob *job = NULL;
  gpointer position;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->mutex);
  position = g_hash_table_lookup (self->job_index, job_id);
  if (position != NULL)
    job = g_ptr_array_index (self->jobs, GPOINTER_TO_UINT (position) - 1);
  if (job == NULL || index >= job->batch)
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  key = g_strdup_printf ("%s/%u.%s", job_id, index, extension);
  bytes = g_hash_table_lookup (self->image_cache, key);
  if (bytes != NULL)
    g_bytes_ref (bytes);
  g_mutex_unlock (&self->mutex);

  if (bytes == NULL)
    {
      bytes = render_image (job_id, index, extension, self->options.image_kib, self->options.image_pixels, NULL);
      if (bytes == NULL)
        return NULL;
      g_mutex_lock (&self->mutex);
      if (self->image_cache_bytes + g_bytes_get_size (bytes) > IMAGE_CACHE_BYTES)
        {
          g_hash_table_remove_all (self->image_cache);
          self->image_cache_bytes = 0;
        }
      if (!g_hash_table_contains (self->image_cache, key))
        self->image_cache_bytes += g_bytes_get_size (bytes);
      g_hash_table_replace (self->image_cache, g_steal_pointer (&key), g_bytes_ref (bytes));
      g_mutex_unlock (&self->mutex);
    }
  return bytes;
}

typedef struct
{
  MjaFakeServer     *self;
  SoupServerMessage *msg;
  char              *path;
  GHashTable        *query;
  int                which;  /* 0 api, 1 cdn, 2 auth */
  gboolean           rendering;  /* handed to a render thread */
} Pending;

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_object_unref (pending->msg);
  g_free (pending->path);
  g_clear_pointer (&pending->query, g_hash_table_unref);
  g_free (pending);
}

static void
set_image_response (SoupServerMessage *msg,
                    const char        *extension,
                    GBytes            *bytes)
{
  g_autofree char *type = g_str_equal (extension, "mp4") ? g_strdup ("video/mp4")
                          : g_strdup_printf ("image/%s", g_str_equal (extension, "jpg") ? "jpeg" : extension);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes));
}

static void
image_ready_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  if (bytes == NULL)
    respond (pending->msg, SOUP_STATUS_NOT_FOUND, "text/plain", error->message, -1);
  else
    set_image_response (pending->msg, strrchr (pending->path, '.') + 1, bytes);
  soup_server_message_unpause (pending->msg);
  pending_free (pending);
}

/* Returns TRUE when the answer is set; FALSE when it is being rendered. */
static gboolean
handle_cdn (Pending *pending)
{
  MjaFakeServer *self = pending->self;
  SoupServerMessage *msg = pending->msg;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *job_id = NULL;
  g_autofree char *extension = NULL;
  g_autoptr(GTask) task = NULL;
  guint index;
  gboolean serve_html = FALSE;
  gboolean known;

  g_mutex_lock (&self->mutex);
  if (soup_message_headers_get_one (headers, "Cookie") != NULL ||
      soup_message_headers_get_one (headers, "Authorization") != NULL)
    {
      /* The CDN must never see the session: count it so tests can tell. */
      self->cdn_cookie_count++;
      g_mutex_unlock (&self->mutex);
      respond (msg, SOUP_STATUS_BAD_REQUEST, "text/plain", "Credentials must not be sent to the CDN", -1);
      return TRUE;
    }
  if (inject_fault (self, msg))
    {
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  if (self->options.slow_images)
    {
      g_mutex_unlock (&self->mutex);
      respond_trickle (msg, "image/png", "\x89PNG\r\n\x1a\n", 8);
      return TRUE;
    }
  if (parse_cdn_path (pending->path, &job_id, &index, &extension))
    {
      gpointer position = g_hash_table_lookup (self->job_index, job_id);
      FakeJob *job = position ? g_ptr_array_index (self->jobs, GPOINTER_TO_UINT (position) - 1) : NULL;

      /* Stills of every job (the legacy site showed videos as grids),
       * videos only of video jobs. */
      known = job != NULL && index < job->batch &&
              (job->kind == MJA_JOB_KIND_VIDEO || !g_str_equal (extension, "mp4"));
      if (known)
        {
          self->image_count++;
          serve_html = self->options.html_image_every > 0 &&
                       self->image_count % self->options.html_image_every == 0;
        }
    }
  else
    known = FALSE;
  g_mutex_unlock (&self->mutex);

  if (!known)
    {
      respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "Not found", -1);
      return TRUE;
    }
  if (serve_html)
    {
      /* A misbehaving CDN: an HTML page that claims to be an image. */
      respond (msg, SOUP_STATUS_OK, "image/png", login_page, -1);
      return TRUE;
    }

  /* Drawn before: answer at once.  Drawing takes a thread. */
  {
    g_autofree char *key = g_strdup_printf ("%s/%u.%s", job_id, index, extension);
    g_autoptr(GBytes) cached = NULL;

    g_mutex_lock (&self->mutex);
    cached = g_hash_table_lookup (self->image_cache, key);
    if (cached != NULL)
      g_bytes_ref (cached);
    g_mutex_unlock (&self->mutex);
    if (cached != NULL)
      {
        set_image_response (msg, extension, cached);
        return TRUE;
      }
  }

  task = g_task_new (self, NULL, image_ready_cb, pending);
  g_task_set_task_data (task, g_strdup_printf ("%s\n%u\n%s", job_id, index, extension), g_free);
  g_task_run_in_thread (task, render_thread);
  return FALSE;
}

static gboolean
dispatch (gpointer user_data)
{
  Pending *pending = user_data;

  switch (pending->which)
    {
    case 0:
      handle_api (pending->self, pending->msg, pending->path, pending->query);
      break;
    case 1:
      if (!handle_cdn (pending))
        {
          pending->rendering = TRUE;  /* image_ready_cb finishes it */
          return G_SOURCE_REMOVE;
        }
      break;
    default:
      handle_auth (pending->self, pending->msg, pending->path);
      break;
    }
  soup_server_message_unpause (pending->msg);
  return G_SOURCE_REMOVE;
}

/* The latency source's destroy notify: frees the request once answered,
 * and also when the server stops before answering it. */
static void
pending_release (gpointer data)
{
  Pending *pending = data;

  if (!pending->rendering)
    pending_free (pending);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MjaFakeServer *self = g_object_get_data (G_OBJECT (server), "mja-fake-server");
  Pending *pending = g_new0 (Pending, 1);
  GSource *source;

  pending->self = g_object_ref (self);
  pending->msg = g_object_ref (msg);
  pending->path = g_strdup (path);
  pending->query = query ? g_hash_table_ref (query) : NULL;
  pending->which = GPOINTER_TO_INT (user_data);

  /* Every answer goes through the loop, after the configured latency, so
   * that slow answers never hold up the others. */
  soup_server_message_pause (msg);
  source = self->options.latency_ms > 0 ? g_timeout_source_new (self->options.latency_ms) : g_idle_source_new ();
  g_source_set_callback (source, dispatch, pending, pending_release);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

/* ---- the server threads -------------------------------------------- */

#define CDN_THREADS 4

/* The CDN answers from several threads, as a real one would from several
 * machines: each thread's server listens on the same port (SO_REUSEPORT)
 * and the kernel spreads the connections. */
typedef struct
{
  MjaFakeServer *self;
  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  guint16        port;
  gboolean       ready;
  GError        *error;
} CdnThread;

static gboolean
listen_shared (SoupServer  *server,
               guint16      port,
               guint16     *bound,
               GError     **error)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                            error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) local = NULL;

  struct sockaddr_storage native;

  if (socket == NULL || !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
      !g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  /* Not g_socket_bind(): it turns SO_REUSEPORT off for TCP. */
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, g_socket_address_get_native_size (address)) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "bind: %s", g_strerror (saved));
      return FALSE;
    }
  if (!g_socket_listen (socket, error) || !soup_server_listen_socket (server, socket, 0, error))
    return FALSE;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;
  *bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

static SoupServer *
new_server (MjaFakeServer *self,
            int            which)
{
  SoupServer *server = soup_server_new ("server-header", "mja-fake-server ", NULL);

  g_object_set_data (G_OBJECT (server), "mja-fake-server", self);
  soup_server_add_handler (server, NULL, server_cb, GINT_TO_POINTER (which), NULL);
  return server;
}

static gpointer
cdn_thread (gpointer data)
{
  CdnThread *cdn = data;
  g_autoptr(SoupServer) server = NULL;
  guint16 bound = 0;

  g_main_context_push_thread_default (cdn->context);
  server = new_server (cdn->self, 1);
  if (!listen_shared (server, cdn->port, &bound, &cdn->error))
    g_clear_object (&server);

  g_mutex_lock (&cdn->self->start_mutex);
  cdn->port = bound;
  cdn->ready = TRUE;
  g_cond_broadcast (&cdn->self->start_cond);
  g_mutex_unlock (&cdn->self->start_mutex);

  if (server != NULL)
    {
      g_main_loop_run (cdn->loop);
      soup_server_disconnect (server);
    }
  g_clear_object (&server);
  while (g_main_context_iteration (cdn->context, FALSE))
    ;
  g_main_context_pop_thread_default (cdn->context);
  return NULL;
}

static CdnThread *
start_cdn_thread (MjaFakeServer  *self,
                  guint16         port,
                  GError        **error)
{
  CdnThread *cdn = g_new0 (CdnThread, 1);

  cdn->self = self;
  cdn->port = port;
  cdn->context = g_main_context_new ();
  cdn->loop = g_main_loop_new (cdn->context, FALSE);
  cdn->thread = g_thread_new ("mja-fake-cdn", cdn_thread, cdn);
  g_mutex_lock (&self->start_mutex);
  while (!cdn->ready)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);
  if (cdn->error != NULL)
    g_propagate_error (error, g_steal_pointer (&cdn->error));
  return cdn;
}

static void
stop_cdn_thread (CdnThread *cdn)
{
  g_main_loop_quit (cdn->loop);
  g_thread_join (cdn->thread);
  g_main_loop_unref (cdn->loop);
  g_main_context_unref (cdn->context);
  g_clear_error (&cdn->error);
  g_free (cdn);
}

static SoupServer *
make_server (MjaFakeServer  *self,
             int             which,
             guint16         port,
             char          **url,
             GError        **error)
{
  g_autoptr(SoupServer) server = new_server (self, which);
  GSList *uris;
  GUri *uri;

  if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (server);
  uri = uris->data;
  *url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&server);
}

static gpointer
server_thread (gpointer data)
{
  MjaFakeServer *self = data;
  g_autoptr(SoupServer) api = NULL;
  g_autoptr(SoupServer) auth = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);

  api = make_server (self, 0, self->options.api_port, &self->api_url, &error);
  if (api != NULL)
    auth = make_server (self, 2, self->options.auth_port, &self->auth_url, &error);

  g_mutex_lock (&self->start_mutex);
  self->start_error = error;
  self->start_done = TRUE;
  g_cond_signal (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);

  if (auth != NULL)
    g_main_loop_run (self->loop);

  if (api)
    soup_server_disconnect (api);
  if (auth)
    soup_server_disconnect (auth);
  g_clear_object (&api);
  g_clear_object (&auth);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

gboolean
mja_fake_server_start (MjaFakeServer  *self,
                       GError        **error)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->start_done = FALSE;
  self->thread = g_thread_new ("mja-fake-server", server_thread, self);

  g_mutex_lock (&self->start_mutex);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);

  if (self->start_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      mja_fake_server_stop (self);
      return FALSE;
    }

  self->cdn_threads = g_ptr_array_new ();
  for (guint i = 0; i < CDN_THREADS; i++)
    {
      GError *local_error = NULL;
      guint16 port = i == 0 ? self->options.cdn_port : ((CdnThread *) self->cdn_threads->pdata[0])->port;
      CdnThread *cdn = start_cdn_thread (self, port, &local_error);

      g_ptr_array_add (self->cdn_threads, cdn);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          mja_fake_server_stop (self);
          return FALSE;
        }
    }
  self->cdn_url = g_strdup_printf ("http://127.0.0.1:%u", ((CdnThread *) self->cdn_threads->pdata[0])->port);
  return TRUE;
}

void
mja_fake_server_stop (MjaFakeServer *self)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));

  if (self->cdn_threads != NULL)
    {
      for (guint i = 0; i < self->cdn_threads->len; i++)
        stop_cdn_thread (g_ptr_array_index (self->cdn_threads, i));
      g_clear_pointer (&self->cdn_threads, g_ptr_array_unref);
    }
  if (self->thread == NULL)
    return;
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* ---- what tests and the executable ask ----------------------------- */

const char *
mja_fake_server_get_api_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->api_url;
}

const char *
mja_fake_server_get_cdn_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->cdn_url;
}

const char *
mja_fake_server_get_auth_url (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->auth_url;
}

const char *
mja_fake_server_get_user_id (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->user_id;
}

const char *
mja_fake_server_get_session_token (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  return self->legacy_token;
}
char *
mja_fake_server_dup_refresh_token (MjaFakeServer *self)
{
  char *token;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  token = g_strdup (self->refresh_token);
  g_mutex_unlock (&self->mutex);
  return token;
}

/* What a person would copy out of their browser's request headers. */
char *
mja_fake_server_dup_cookie_header (MjaFakeServer *self)
{
  char *header;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  header = g_strdup_printf ("_ga=GA1.1.12345.67890; " ID_COOKIE "=%s; " REFRESH_COOKIE "=%s; __cf_bm=abc",
                            self->id_token, self->refresh_token);
  g_mutex_unlock (&self->mutex);
  return header;
}

guint
mja_fake_server_get_n_jobs (MjaFakeServer *self)
{
  guint n;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  n = self->jobs->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
mja_fake_server_add_jobs (MjaFakeServer *self,
                          guint          n_jobs)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_mutex_lock (&self->mutex);
  generate_jobs (self, n_jobs);
  g_mutex_unlock (&self->mutex);
}

GStrv
mja_fake_server_dup_job_ids (MjaFakeServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->jobs->len; i++)
    g_strv_builder_add (builder, ((FakeJob *) g_ptr_array_index (self->jobs, i))->id);
  g_mutex_unlock (&self->mutex);
  return g_strv_builder_end (builder);
}

/**
 * mja_fake_server_dup_job_node:
 * @position: 0 for the newest job, up to mja_fake_server_get_n_jobs() − 1
 * @legacy: the legacy era's shape of the job instead of the current one's
 *
 * One job of the account as the API would list it; the archive generator
 * of the benchmarks writes these to disk without a sync.
 *
 * Returns: (transfer full) (nullable): the job's JSON object
 */
JsonNode *
mja_fake_server_dup_job_node (MjaFakeServer *self,
                              guint          position,
                              gboolean       legacy)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  if (position >= self->jobs->len)
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  if (legacy)
    add_legacy_job (self, builder, g_ptr_array_index (self->jobs, position));
  else
    add_current_job (self, builder, g_ptr_array_index (self->jobs, position));
  g_mutex_unlock (&self->mutex);
  return json_builder_get_root (builder);
}

/**
 * mja_fake_server_get_n_images:
 * @kinds: comma-separated kinds ("grid,upscale,video") as the current era
 *   reports them, or %NULL for all
 *
 * How many image files a complete current-era download of those kinds
 * holds.
 */
guint
mja_fake_server_get_n_images (MjaFakeServer *self,
                              const char    *kinds)
{
  g_auto(GStrv) wanted = kinds ? g_strsplit (kinds, ",", -1) : NULL;
  guint n = 0;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      FakeJob *job = g_ptr_array_index (self->jobs, i);

      if (job->hostile)
        continue;
      if (wanted == NULL || g_strv_contains ((const char * const *) wanted, mja_job_kind_to_string (job->kind)))
        n += job->batch;
    }
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
mja_fake_server_get_request_count (MjaFakeServer *self)
{
  guint n;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  n = self->request_count;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
mja_fake_server_get_cdn_cookie_count (MjaFakeServer *self)
{
  guint n;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  n = self->cdn_cookie_count;
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
mja_fake_server_get_refresh_count (MjaFakeServer *self)
{
  guint n;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  n = self->refresh_count;
  g_mutex_unlock (&self->mutex);
  return n;
}
void
mja_fake_server_set_server_error_rate (MjaFakeServer *self,
                                       double         rate)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_mutex_lock (&self->mutex);
  self->options.server_error_rate = rate;
  g_mutex_unlock (&self->mutex);
}

/* As if an hour had passed: every id token issued so far has expired. */
void
mja_fake_server_expire_session (MjaFakeServer *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->id_tokens);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_iter_replace (&iter, GINT_TO_POINTER (0));
  g_mutex_unlock (&self->mutex);
}
