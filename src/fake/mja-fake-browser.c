/* mja-fake-browser.c — the fake Midjourney's browser-only mode: the bot
 * check, the site's pages and signing in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What makes the fake behave like the real site behind Cloudflare
 * (shared/midjourney-protocol.md, first section): over HTTPS, every page
 * and API request of the site's origin that does not carry a valid
 * clearance cookie is answered by a 403 challenge page with
 * `cf-mitigated: challenge`, whose script — run by a real browser —
 * computes the clearance from the page's nonce and the browser's
 * User-Agent, stores it as the `cf_clearance` cookie and reloads.  A plain
 * HTTP client that runs no script never gets past it.  Behind the check
 * the site has a sign-in form (e-mail and password) that sets the two
 * `__Host-` session cookies, and an app page (/imagine) whose load renews
 * an expired id token from the refresh cookie, as the real site's own
 * script does.  The CDN (another loopback address) is not checked here.
 *
 * It owns those pages and that check, and never looks at who the client
 * is beyond what a real site sees: cookies, the form, the User-Agent.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-fake-server-private.h"
#include "mja-util.h"

#define CLEARANCE_COOKIE  "cf_clearance"
#define ID_COOKIE         "__Host-Midjourney.AuthUserTokenV3_i"
#define REFRESH_COOKIE    "__Host-Midjourney.AuthUserTokenV3_r"
#define SESSION_MAX_AGE   (30 * 24 * 3600)

/* ---- the bot check --------------------------------------------------- */

/* A nonce the server can recognise as its own without keeping it:
 * "<random>-<mac of random>". */
static char *
issue_nonce (MjaFakeServer *self)
{
  g_autofree char *random = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) self->clearance_secret,
                                                    strlen (self->clearance_secret), random, -1);

  return g_strdup_printf ("%s-%.16s", random, mac);
}

static gboolean
nonce_is_ours (MjaFakeServer *self,
               const char    *nonce,
               gsize          len)
{
  const char *dash = memchr (nonce, '-', len);
  g_autofree char *random = NULL;
  g_autofree char *mac = NULL;

  if (dash == NULL || len - (dash + 1 - nonce) != 16)
    return FALSE;
  random = g_strndup (nonce, dash - nonce);
  mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) self->clearance_secret,
                                   strlen (self->clearance_secret), random, -1);
  return strncmp (mac, dash + 1, 16) == 0;
}

/**
 * mja_fake_browser_dup_clearance:
 * @nonce: from a challenge page
 * @user_agent: the browser's
 *
 * What the challenge page's script computes: "NONCE.HEX", HEX being the
 * SHA-256 of "NONCE:USER-AGENT".  For the fake's own tests.
 */
char *
mja_fake_browser_dup_clearance (const char *nonce,
                                const char *user_agent)
{
  g_autofree char *input = g_strdup_printf ("%s:%s", nonce, user_agent ? user_agent : "");
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, input, -1);

  return g_strdup_printf ("%s.%s", nonce, digest);
}

static gboolean
has_clearance (MjaFakeServer     *self,
               SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *value = mja_cookie_header_lookup (soup_message_headers_get_one (headers, "Cookie"),
                                                     CLEARANCE_COOKIE);
  const char *dot;
  g_autofree char *nonce = NULL;
  g_autofree char *expected = NULL;

  if (value == NULL || (dot = strrchr (value, '.')) == NULL)
    return FALSE;
  if (!nonce_is_ours (self, value, dot - value))
    return FALSE;
  nonce = g_strndup (value, dot - value);
  /* Bound to the browser that solved it, as Cloudflare's is. */
  expected = mja_fake_browser_dup_clearance (nonce, soup_message_headers_get_one (headers, "User-Agent"));
  return g_str_equal (expected, value);
}

static const char challenge_template[] =
  "<!DOCTYPE html><html lang=\"en-US\"><head><meta charset=\"utf-8\"><title>Just a moment...</title></head>"
  "<body><noscript>Enable JavaScript and cookies to continue</noscript>"
  "<h1>Just a moment...</h1><p>Checking that this is a browser before going to the site.</p>"
  "<!-- challenges.cloudflare.com/cdn-cgi/challenge-platform (the fake's own, solved in the page) -->"
  "<script>"
  "(async () => {"
  " const nonce = \"%s\";"
  " const data = new TextEncoder ().encode (nonce + \":\" + navigator.userAgent);"
  " const digest = new Uint8Array (await crypto.subtle.digest (\"SHA-256\", data));"
  " const hex = Array.from (digest, b => b.toString (16).padStart (2, \"0\")).join (\"\");"
  " document.cookie = \"" CLEARANCE_COOKIE "=\" + nonce + \".\" + hex + \"; path=/; secure; samesite=lax\";"
  " location.reload ();"
  "}) ();"
  "</script></body></html>";

/* Called with the mutex held.  Returns: TRUE when @msg may go on; else it
 * has been answered with the challenge. */
gboolean
mja_fake_browser_check (MjaFakeServer     *self,
                        SoupServerMessage *msg)
{
  g_autofree char *nonce = NULL;
  g_autofree char *page = NULL;

  if (has_clearance (self, msg))
    return TRUE;
  self->challenge_count++;
  nonce = issue_nonce (self);
  page = g_strdup_printf (challenge_template, nonce);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "cf-mitigated", "challenge");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "private, max-age=0, no-store");
  mja_fake_respond (msg, SOUP_STATUS_FORBIDDEN, "text/html; charset=UTF-8", page, -1);
  return FALSE;
}

/* ---- the site's pages ------------------------------------------------ */

static void
set_session_cookies (SoupServerMessage *msg,
                     const char        *id_token,
                     const char        *refresh_token,
                     int                max_age)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *id = g_strdup_printf (ID_COOKIE "=%s; Path=/; Secure; SameSite=Lax; Max-Age=%d", id_token,
                                         max_age);
  g_autofree char *refresh = g_strdup_printf (REFRESH_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Lax; "
                                              "Max-Age=%d", refresh_token, max_age);

  soup_message_headers_append (headers, "Set-Cookie", id);
  soup_message_headers_append (headers, "Set-Cookie", refresh);
}

static void
respond_page (SoupServerMessage *msg,
              const char        *title,
              const char        *body)
{
  g_autofree char *page = NULL;

  page = g_strdup_printf ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<title>%s</title><style>"
                          "body{font-family:sans-serif;max-width:26rem;margin:2.5rem auto;padding:0 1rem;line-height:1.4}"
                          "label,input,button{display:block;width:100%%;box-sizing:border-box;margin:.35rem 0}"
                          "input{padding:.5rem;font-size:1rem}button{padding:.6rem;font-size:1rem;margin-top:1rem}"
                          ".error{color:#c01c28}.hint{color:#555;font-size:.9rem}"
                          "</style></head><body>%s</body></html>",
                          title, body);
  mja_fake_respond (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", page, -1);
}

static void
respond_login_form (SoupServerMessage *msg,
                    const char        *error)
{
  g_autofree char *error_html = error ? g_strdup_printf ("<p class=\"error\" role=\"alert\">%s</p>", error)
                                      : g_strdup ("");
  g_autofree char *body = NULL;

  body = g_strdup_printf ("<h1>Sign in to Midjourney</h1>"
                          "<p class=\"hint\">This is the fake Midjourney of Midjourney Archiver’s tests and demo. "
                          "Its account is <b>%s</b> with the password <b>%s</b>.</p>%s"
                          "<form method=\"post\" action=\"/login\">"
                          "<label for=\"email\">E-mail</label>"
                          "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" autofocus>"
                          "<label for=\"password\">Password</label>"
                          "<input id=\"password\" name=\"password\" type=\"password\" "
                          "autocomplete=\"current-password\">"
                          "<button type=\"submit\">Sign In</button></form>",
                          MJA_FAKE_ACCOUNT_EMAIL, MJA_FAKE_ACCOUNT_PASSWORD, error_html);
  respond_page (msg, "Sign in — Midjourney", body);
}

static void
redirect (SoupServerMessage *msg,
          guint              status,
          const char        *path)
{
  soup_server_message_set_redirect (msg, status, path);
}

/* Called with the mutex held: the id token of the request's cookies when
 * it is still valid; else, as the real site's script does, a new one from
 * a valid refresh cookie (set on @msg); else %NULL. */
static gboolean
ensure_session (MjaFakeServer     *self,
                SoupServerMessage *msg)
{
  const char *cookie = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
  g_autofree char *id_token = mja_cookie_header_lookup (cookie, ID_COOKIE);
  g_autofree char *refresh = mja_cookie_header_lookup (cookie, REFRESH_COOKIE);
  gpointer exp;

  if (self->options.revoked)
    return FALSE;
  if (id_token != NULL && g_hash_table_lookup_extended (self->id_tokens, id_token, NULL, &exp) &&
      GPOINTER_TO_INT (exp) > g_get_real_time () / G_USEC_PER_SEC)
    return TRUE;
  if (refresh != NULL &&
      (g_strcmp0 (refresh, self->refresh_token) == 0 || g_strcmp0 (refresh, self->previous_refresh_token) == 0))
    {
      g_autofree char *renewed = mja_fake_server_issue_id_token (self, g_get_real_time () / G_USEC_PER_SEC +
                                                                 TOKEN_LIFETIME_S);

      mja_fake_server_rotate_refresh_token (self);
      self->refresh_count++;
      set_session_cookies (msg, renewed, self->refresh_token, SESSION_MAX_AGE);
      return TRUE;
    }
  return FALSE;
}

static void
handle_login (MjaFakeServer     *self,
              SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *id_token = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      respond_login_form (msg, NULL);
      return;
    }
  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  form = soup_form_decode (text);
  if (g_strcmp0 (g_hash_table_lookup (form, "email"), MJA_FAKE_ACCOUNT_EMAIL) != 0 ||
      g_strcmp0 (g_hash_table_lookup (form, "password"), MJA_FAKE_ACCOUNT_PASSWORD) != 0)
    {
      respond_login_form (msg, "Wrong e-mail or password.");
      return;
    }
  self->login_count++;
  id_token = mja_fake_server_issue_id_token (self, g_get_real_time () / G_USEC_PER_SEC + TOKEN_LIFETIME_S);
  set_session_cookies (msg, id_token, self->refresh_token, SESSION_MAX_AGE);
  redirect (msg, SOUP_STATUS_SEE_OTHER, "/imagine");
}

static void
handle_app_page (MjaFakeServer     *self,
                 SoupServerMessage *msg)
{
  g_autofree char *body = NULL;

  if (!ensure_session (self, msg))
    {
      redirect (msg, SOUP_STATUS_FOUND, "/login");
      return;
    }
  body = g_strdup_printf ("<h1>Imagine</h1><p>Signed in as %s.</p><p><a href=\"/logout\">Sign Out</a></p>"
                          "<script id=\"__NEXT_DATA__\" type=\"application/json\">"
                          "{\"props\":{\"initialAuthUser\":{\"midjourney_id\":\"%s\",\"name\":\"%s\"}}}</script>",
                          MJA_FAKE_ACCOUNT_NAME, self->user_id, MJA_FAKE_ACCOUNT_NAME);
  respond_page (msg, "Midjourney", body);
}

/* Called with the mutex held, after mja_fake_browser_check().  Returns:
 * TRUE when @path is one of the site's pages and has been answered. */
gboolean
mja_fake_browser_handle_page (MjaFakeServer     *self,
                              SoupServerMessage *msg,
                              const char        *path)
{
  if (g_str_equal (path, "/login"))
    handle_login (self, msg);
  else if (g_str_equal (path, "/") || g_str_equal (path, "/imagine") || g_str_has_prefix (path, "/imagine/"))
    handle_app_page (self, msg);
  else if (g_str_equal (path, "/logout"))
    {
      set_session_cookies (msg, "", "", 0);
      redirect (msg, SOUP_STATUS_FOUND, "/login");
    }
  else if (g_str_equal (path, "/favicon.ico"))
    mja_fake_respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "", 0);
  else
    return FALSE;
  return TRUE;
}

/* ---- what tests ask -------------------------------------------------- */

guint
mja_fake_server_get_challenge_count (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  return mja_fake_server_read_count (self, &self->challenge_count);
}

guint
mja_fake_server_get_login_count (MjaFakeServer *self)
{
  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  return mja_fake_server_read_count (self, &self->login_count);
}

/* The certificate (no key) the fake serves in browser-only mode, as PEM. */
const char *
mja_fake_server_get_certificate_pem (void)
{
  return mja_fake_tls_certificate_pem;
}
