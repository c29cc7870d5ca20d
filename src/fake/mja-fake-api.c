/* mja-fake-api.c — the fake Midjourney's API and token server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the endpoints of both API eras (the current /api/imagine and
 * /api/imagine-update with cursor and checkpoint, the legacy
 * /api/app/recent-jobs with pages and fromDate), their auth (the id token
 * and its refresh at /v1/token, the legacy session cookie) and the
 * hostile answers the knobs ask for (challenge page, redirect, huge or
 * never-ending pages).  It must never serve images: the CDN is
 * mja-fake-cdn.c's, and never sees a cookie.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "mja-fake-server-private.h"
#include "mja-util.h"

#define LEGACY_CAP        2500
#define LEGACY_PAGE_SIZE  50
#define MAX_PAGE_SIZE     1000
#define ID_COOKIE         "__Host-Midjourney.AuthUserTokenV3_i"
#define REFRESH_COOKIE    "__Host-Midjourney.AuthUserTokenV3_r"
#define LEGACY_COOKIE     "__Secure-next-auth.session-token"

/* ---- tokens --------------------------------------------------------- */

char *
mja_fake_server_issue_id_token (MjaFakeServer *self,
                                gint64         exp)
{
  g_autofree char *header = mja_base64url_encode ((const guint8 *) "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 27);
  g_autofree char *payload_json = NULL;
  g_autofree char *payload = NULL;
  char *token;

  payload_json = g_strdup_printf ("{\"iss\":\"https://securetoken.google.com/fake\",\"midjourney_id\":\"%s\","
                                  "\"name\":\"" MJA_FAKE_ACCOUNT_NAME "\",\"email\":\"" MJA_FAKE_ACCOUNT_EMAIL "\","
                                  "\"iat\":%" G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT ",\"jti\":%u}",
                                  self->user_id, exp - TOKEN_LIFETIME_S, exp, ++self->token_serial);
  payload = mja_base64url_encode ((const guint8 *) payload_json, strlen (payload_json));
  token = g_strdup_printf ("%s.%s.ZmFrZS1zaWduYXR1cmU", header, payload);
  g_hash_table_insert (self->id_tokens, g_strdup (token), GINT_TO_POINTER ((gint) exp));
  g_free (self->id_token);
  self->id_token = g_strdup (token);
  return token;
}

void
mja_fake_server_rotate_refresh_token (MjaFakeServer *self)
{
  g_free (self->previous_refresh_token);
  self->previous_refresh_token = self->refresh_token;
  self->refresh_token = g_strdup_printf ("AMf-vB%08x%08x%08x", g_rand_int (self->rand),
                                         g_rand_int (self->rand), self->token_serial);
}

/* ---- answers -------------------------------------------------------- */

/* What the knobs do to the text of a listing: an escaped NUL for each
 * "\u0001" the jobs' ids hold, and the first job nested deep. */
static void
respond_node (MjaFakeServer     *self,
              SoupServerMessage *msg,
              JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GString) body = NULL;
  gsize length;
  char *first;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  body = g_string_new_len (text, (gssize) length);
  if (self->options.nul_id_every > 0)
    g_string_replace (body, "\\u0001", "\\u0000", 0);
  if (self->options.nest_depth > 0 && (first = strstr (body->str, "{\"id\":")) != NULL)
    {
      GString *nest = g_string_new ("\"extra\":");

      for (guint i = 0; i < self->options.nest_depth; i++)
        g_string_append_c (nest, '[');
      for (guint i = 0; i < self->options.nest_depth; i++)
        g_string_append_c (nest, ']');
      g_string_append_c (nest, ',');
      g_string_insert_len (body, first - body->str + 1, nest->str, (gssize) nest->len);
      g_string_free (nest, TRUE);
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  length = body->len;
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (g_steal_pointer (&body), FALSE), length);
}

/* A hostile listing: @mib MiB of empty objects, which json-glib would make
 * a tree a hundred times as large of. */
static void
respond_flood (SoupServerMessage *msg,
               guint              mib)
{
  gsize length = (gsize) mib * 1024 * 1024;
  GString *body = g_string_sized_new (length + 32);

  g_string_append (body, "{\"data\":[{}");
  while (body->len + 3 < length)
    g_string_append (body, ",{}");
  g_string_append (body, "],\"cursor\":null}");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  length = body->len;
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, g_string_free (body, FALSE), length);
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

static const char challenge_page[] =
  "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head>"
  "<body><noscript>Enable JavaScript and cookies to continue</noscript>"
  "<script src=\"https://challenges.cloudflare.com/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script>"
  "</body></html>";

const char mja_fake_login_page[] =
  "<!DOCTYPE html><html><head><title>Midjourney</title></head>"
  "<body><h1>Sign in</h1><a href=\"/api/auth/signin\">Sign in with Discord</a></body></html>";

/* ---- listings of both eras ------------------------------------------ */

static char *
encode_token (const char *text)
{
  return mja_base64url_encode ((const guint8 *) text, strlen (text));
}

/* Returns: (nullable): the token's text, NUL-terminated */
static char *
decode_token (const char *token)
{
  gsize len;
  g_autofree char *text = (char *) mja_base64url_decode (token, &len);

  return text ? g_strndup (text, len) : NULL;
}

/* A cursor is "c:ANCHOR:OFFSET:LOWER:CLOCK:" (padded after the last
 * colon); a checkpoint "cp:COUNT:CLOCK": the jobs there were and the
 * change clock when it was given out. */
static gboolean
decode_cursor (const char *cursor,
               guint      *anchor,
               guint      *offset,
               guint      *lower,
               guint      *clock)
{
  g_autofree char *text = decode_token (cursor);

  return text != NULL && sscanf (text, "c:%u:%u:%u:%u", anchor, offset, lower, clock) == 4 &&
         *offset <= *anchor && *lower <= *anchor;
}

static gboolean
decode_checkpoint (const char *checkpoint,
                   guint      *count,
                   guint      *clock)
{
  g_autofree char *text = decode_token (checkpoint);

  return text != NULL && sscanf (text, "cp:%u:%u", count, clock) == 2;
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

/* Called with the mutex held.  The newest page again, a page of refused
 * jobs, or a page of jobs made just now, each time with a cursor never
 * sent before. */
static void
list_endless (MjaFakeServer     *self,
              SoupServerMessage *msg,
              guint              page_size)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *cursor = g_strdup_printf ("endless-%u", self->request_count);

  if (self->options.endless == MJA_FAKE_ENDLESS_FRESH)
    mja_fake_server_generate_jobs (self, page_size);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  for (guint i = 0; i < page_size && i < self->jobs->len; i++)
    {
      FakeJob job = *(const FakeJob *) g_ptr_array_index (self->jobs, self->jobs->len - 1 - i);

      job.hostile = self->options.endless == MJA_FAKE_ENDLESS_REFUSED;
      mja_fake_server_add_current_job (self, b, &job);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_string_value (b, cursor);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  respond_node (self, msg, root);
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
  guint page_size = self->options.page_jobs > 0 ? self->options.page_jobs
                                                : CLAMP (query_uint (query, "page_size", 50), 1, MAX_PAGE_SIZE);
  guint anchor = self->jobs->len, offset = 0, lower = 0, clock = self->change_clock, count = 0;
  g_autofree char *checkpoint = NULL;
  g_autofree char *checkpoint_token = NULL;
  gboolean more;

  if (g_strcmp0 (user_id, self->user_id) != 0)
    {
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_FORBIDDEN, "You are not allowed to see this user's jobs.");
      return;
    }
  if (update)
    {
      const char *cp = query ? g_hash_table_lookup (query, "checkpoint") : NULL;

      if (cp == NULL || !decode_checkpoint (cp, &lower, &clock) || lower > self->jobs->len)
        {
          mja_fake_respond_json_message (self, msg, SOUP_STATUS_BAD_REQUEST, "Invalid or expired checkpoint.");
          return;
        }
    }
  if (self->options.endless != MJA_FAKE_ENDLESS_NO)
    {
      list_endless (self, msg, page_size);
      return;
    }
  if (cursor != NULL && !decode_cursor (cursor, &anchor, &offset, &lower, &clock))
    {
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_BAD_REQUEST, "Invalid cursor.");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_array (b);
  while (count < page_size && anchor > offset + count && anchor - offset - count > lower)
    {
      mja_fake_server_add_current_job (self, b, g_ptr_array_index (self->jobs, anchor - offset - count - 1));
      count++;
    }
  more = anchor - offset - count > lower;
  /* After the new jobs, the older ones rated or liked since: the site's
   * answer to an update is what changed, not only what was added. */
  for (guint i = lower; update && !more && i > 0; i--)
    {
      FakeJob *job = g_ptr_array_index (self->jobs, i - 1);

      if (job->changed > clock)
        mja_fake_server_add_current_job (self, b, job);
    }
  json_builder_end_array (b);

  if (more || (self->options.end_style == MJA_FAKE_END_EMPTY_PAGE && count > 0))
    {
      g_autofree char *next = g_strdup_printf ("c:%u:%u:%u:%u:", anchor, offset + count, lower, clock);
      g_autofree char *token = NULL;

      /* Padded to the length asked for; decode_cursor reads past it. */
      while (strlen (next) * 4 / 3 < self->options.cursor_bytes)
        {
          char *longer = g_strconcat (next, "x", NULL);
          g_free (next);
          next = longer;
        }
      token = encode_token (next);
      json_builder_set_member_name (b, "cursor");
      json_builder_add_string_value (b, token);
    }
  else if (self->options.end_style == MJA_FAKE_END_REPEAT_CURSOR)
    {
      g_autofree char *same = g_strdup_printf ("c:%u:%u:%u:%u", anchor, offset, lower, clock);
      g_autofree char *token = cursor ? g_strdup (cursor) : encode_token (same);
      json_builder_set_member_name (b, "cursor");
      json_builder_add_string_value (b, token);
    }
  else if (self->options.end_style != MJA_FAKE_END_NO_CURSOR)
    {
      json_builder_set_member_name (b, "cursor");
      json_builder_add_null_value (b);
    }

  checkpoint = g_strdup_printf ("cp:%u:%u", anchor, self->change_clock);
  checkpoint_token = encode_token (checkpoint);
  json_builder_set_member_name (b, "checkpoint");
  json_builder_add_string_value (b, checkpoint_token);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  respond_node (self, msg, root);
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
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_FORBIDDEN, "You are not allowed to see this user's jobs.");
      return;
    }
  if (from_text != NULL)
    {
      g_autoptr(GDateTime) from = mja_parse_enqueue_time (from_text);

      if (from == NULL)
        {
          mja_fake_respond_json_message (self, msg, SOUP_STATUS_BAD_REQUEST, "Invalid fromDate.");
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
          mja_fake_server_add_legacy_job (self, b, job);
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
  respond_node (self, msg, root);
}

/* ---- auth ----------------------------------------------------------- */

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
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_FORBIDDEN, "Missing CSRF protection header.");
      return FALSE;
    }
  if (token == NULL || self->options.revoked ||
      !g_hash_table_lookup_extended (self->id_tokens, token, NULL, &exp) ||
      GPOINTER_TO_INT (exp) <= g_get_real_time () / G_USEC_PER_SEC)
    {
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_UNAUTHORIZED, "Unauthorized");
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
      mja_fake_respond (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", mja_fake_login_page, -1);
      return FALSE;
    }
  return TRUE;
}

/* ---- endpoints ------------------------------------------------------ */

void
mja_fake_server_handle_api (MjaFakeServer     *self,
                            SoupServerMessage *msg,
                            const char        *path,
                            GHashTable        *query)
{
  gboolean current = g_str_equal (path, "/api/imagine") || g_str_equal (path, "/api/pg/thomas-jobs");
  gboolean update = g_str_equal (path, "/api/imagine-update");
  gboolean legacy = g_str_equal (path, "/api/app/recent-jobs") || g_str_equal (path, "/api/app/recent-jobs/");

  g_assert (MJA_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->mutex);

  if (self->options.challenge)
    mja_fake_respond (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=UTF-8", challenge_page, -1);
  else if (self->options.browser_only &&
           ((!self->options.no_bot_check && !mja_fake_browser_check (self, msg)) ||
            mja_fake_browser_handle_page (self, msg, path)))
    ;
  else if (mja_fake_server_inject_fault (self, msg))
    ;
  else if (self->options.redirect && (current || update || legacy))
    {
      g_autofree char *elsewhere = g_strdup_printf ("%s/collect?from=%s", self->cdn_url, path);

      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, elsewhere);
    }
  else if (self->options.huge_page_mib > 0 && (current || update || legacy))
    respond_huge_page (msg, self->options.huge_page_mib);
  else if (self->options.flood_mib > 0 && (current || update || legacy))
    respond_flood (msg, self->options.flood_mib);
  else if (self->options.slow_body && (current || update || legacy))
    mja_fake_respond_trickle (msg, "application/json", "[", 1);
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
    mja_fake_respond_json_message (self, msg, SOUP_STATUS_NOT_FOUND, "Not found");

  g_mutex_unlock (&self->mutex);
}

void
mja_fake_server_handle_auth (MjaFakeServer     *self,
                             SoupServerMessage *msg,
                             const char        *path)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = NULL;
  const char *refresh;

  g_assert (MJA_IS_FAKE_SERVER (self));

  if (!g_str_equal (path, "/v1/token") || g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      mja_fake_respond_json_message (self, msg, SOUP_STATUS_NOT_FOUND, "Not found");
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
      mja_fake_respond (msg, SOUP_STATUS_BAD_REQUEST, "application/json",
                        "{\"error\":{\"code\":400,\"message\":\"TOKEN_EXPIRED\",\"status\":\"INVALID_ARGUMENT\"}}", -1);
    }
  else
    {
      g_autofree char *id_token = mja_fake_server_issue_id_token (self, g_get_real_time () / G_USEC_PER_SEC + TOKEN_LIFETIME_S);
      g_autofree char *answer = NULL;

      mja_fake_server_rotate_refresh_token (self);
      answer = g_strdup_printf ("{\"id_token\":\"%s\",\"refresh_token\":\"%s\",\"expires_in\":\"%d\","
                                "\"token_type\":\"Bearer\",\"user_id\":\"%s\"}",
                                id_token, self->refresh_token, TOKEN_LIFETIME_S, self->user_id);
      mja_fake_respond (msg, SOUP_STATUS_OK, "application/json", answer, -1);
    }
  g_mutex_unlock (&self->mutex);
}

/* ---- what tests ask ------------------------------------------------- */

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
mja_fake_server_get_refresh_count (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  return mja_fake_server_read_count (self, &self->refresh_count);
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
