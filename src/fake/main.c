/* main.c — run the fake Midjourney so a person can point
 * the app or the CLI at it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "mja-fake-server.h"
#include "mja-util.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  MjaFakeServerOptions options;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *era = NULL;
  g_autofree char *end_style = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *certificate_file = NULL;
  g_autofree char *endless = NULL;
  g_autofree char *gzip_images = NULL;
  int gzip_zeros = 0;
  int nest_depth = 0, flood_mib = 0, cursor_bytes = 0, image_paths = 0, nul_every = 0, page_jobs = 0;
  int jobs, seed, latency, every429, retry_after, kib, pixels, html_every, hostile_every = 0, escape_every = 0, hard_every = 0, huge_page = 0, api_port = 0, cdn_port = 0,
      auth_port = 0;
  double error_rate;
  gboolean retry_date, challenge, expired, revoked, empty_end, slow_body = FALSE, redirect = FALSE,
           slow_images = FALSE, browser_only = FALSE, no_bot_check = FALSE;

  mja_i18n_init ();

  mja_fake_server_options_init (&options);
  jobs = options.n_jobs;
  seed = options.seed;
  latency = options.latency_ms;
  every429 = options.rate_limit_every;
  retry_after = options.retry_after;
  kib = options.image_kib;
  pixels = options.image_pixels;
  html_every = options.html_image_every;
  error_rate = options.server_error_rate;
  retry_date = challenge = expired = revoked = empty_end = FALSE;

  {
    GOptionEntry entries[] = {
      { "jobs", 'n', 0, G_OPTION_ARG_INT, &jobs, N_("Number of jobs in the account (default 120)"), "N" },
      { "seed", 's', 0, G_OPTION_ARG_INT, &seed, N_("Random seed: the same seed serves the same account (default 1)"), "SEED" },
      { "era", 0, 0, G_OPTION_ARG_STRING, &era, N_("API eras that answer: current, legacy or both (default both)"), "ERA" },
      { "latency", 'l', 0, G_OPTION_ARG_INT, &latency, N_("Milliseconds added to every request (default 0)"), "MS" },
      { "rate-limit-every", 0, 0, G_OPTION_ARG_INT, &every429, N_("Answer every Nth request with 429 Too Many Requests (0 = never)"), "N" },
      { "retry-after", 0, 0, G_OPTION_ARG_INT, &retry_after, N_("Seconds given in Retry-After with a 429 (default 1)"), "S" },
      { "retry-after-date", 0, 0, G_OPTION_ARG_NONE, &retry_date, N_("Give Retry-After as an HTTP date instead of seconds"), NULL },
      { "server-error-rate", 0, 0, G_OPTION_ARG_DOUBLE, &error_rate, N_("Fraction (0–1) of requests answered with a 5xx error"), "RATE" },
      { "challenge", 0, 0, G_OPTION_ARG_NONE, &challenge, N_("Answer every API request with Cloudflare's bot challenge page"), NULL },
      { "expired-session", 0, 0, G_OPTION_ARG_NONE, &expired, N_("Hand out an id token that has already expired (refresh works)"), NULL },
      { "revoked", 0, 0, G_OPTION_ARG_NONE, &revoked, N_("The session is revoked: refresh answers 400, legacy answers its login page"), NULL },
      { "image-kib", 0, 0, G_OPTION_ARG_INT, &kib, N_("Approximate size of each image in KiB (default 32)"), "KIB" },
      { "image-pixels", 0, 0, G_OPTION_ARG_INT, &pixels, N_("Width and height of each image in pixels (default 256)"), "PX" },
      { "end-style", 0, 0, G_OPTION_ARG_STRING, &end_style, N_("How the current era's list ends: null, absent, empty or repeat (default null)"), "STYLE" },
      { "legacy-empty-end", 0, 0, G_OPTION_ARG_NONE, &empty_end, N_("End the legacy list with [] instead of [{\"msg\": \"No jobs found.\"}]"), NULL },
      { "html-image-every", 0, 0, G_OPTION_ARG_INT, &html_every, N_("Serve an HTML page instead of every Nth image (0 = never)"), "N" },
      { "hostile-every", 0, 0, G_OPTION_ARG_INT, &hostile_every, N_("Give every Nth job an id or image address that tries to escape the archive (0 = never)"), "N" },
      { "escape-every", 0, 0, G_OPTION_ARG_INT, &escape_every, N_("Give every Nth job a prompt and job type with terminal escape sequences, and every 4xx error message too (0 = never)"), "N" },
      { "hard-prompts-every", 0, 0, G_OPTION_ARG_INT, &hard_every, N_("Give every Nth job a prompt that is hard to wrap: tabs, runs of spaces, long words and URLs, line breaks, CJK, NBSP, U+3000, emoji (0 = never)"), "N" },
      { "huge-page-mib", 0, 0, G_OPTION_ARG_INT, &huge_page, N_("Answer every listing with an empty page padded to MiB mebibytes (0 = never)"), "MIB" },
      { "slow-body", 0, 0, G_OPTION_ARG_NONE, &slow_body, N_("Answer every listing with a body that trickles a byte every 100 ms and never ends"), NULL },
      { "slow-images", 0, 0, G_OPTION_ARG_NONE, &slow_images, N_("Answer every image with a body that trickles a byte every 100 ms and never ends"), NULL },
      { "redirect", 0, 0, G_OPTION_ARG_NONE, &redirect, N_("Answer every listing with a redirect to the CDN, another host"), NULL },
      { "browser-only", 0, 0, G_OPTION_ARG_NONE, &browser_only, N_("Behave like the real site behind its bot protection: HTTPS, a check only a browser passes, a sign-in form, the CDN on 127.0.0.2"), NULL },
      { "no-bot-check", 0, 0, G_OPTION_ARG_NONE, &no_bot_check, N_("With --browser-only: HTTPS, the sign-in form and the CDN on 127.0.0.2, but no bot check, so a direct connection passes too (to compare the two connections)"), NULL },
      { "write-certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate_file, N_("Write the certificate of browser-only mode to FILE, for MJA_TLS_CERTIFICATE"), "FILE" },
      { "nest-depth", 0, 0, G_OPTION_ARG_INT, &nest_depth, N_("Give the first job of every listing a member nested DEPTH levels deep (0 = never)"), "DEPTH" },
      { "flood-mib", 0, 0, G_OPTION_ARG_INT, &flood_mib, N_("Answer every listing with MIB mebibytes of empty objects (0 = never)"), "MIB" },
      { "endless", 0, 0, G_OPTION_ARG_STRING, &endless, N_("Never end the current era's list: repeat (the newest page again), refused (jobs no client accepts) or fresh (new jobs on every page)"), "HOW" },
      { "cursor-bytes", 0, 0, G_OPTION_ARG_INT, &cursor_bytes, N_("Pad the current era's cursors to BYTES bytes (0 = as they are)"), "BYTES" },
      { "legacy-image-paths", 0, 0, G_OPTION_ARG_INT, &image_paths, N_("Let every legacy job list N image addresses (0 = one per image)"), "N" },
      { "nul-id-every", 0, 0, G_OPTION_ARG_INT, &nul_every, N_("Put an escaped NUL into every Nth job's id (0 = never)"), "N" },
      { "gzip-images", 0, 0, G_OPTION_ARG_STRING, &gzip_images, N_("Send images gzip-compressed: length (with the compressed Content-Length) or chunked (without one)"), "HOW" },
      { "gzip-zeros-mib", 0, 0, G_OPTION_ARG_INT, &gzip_zeros, N_("With --gzip-images: pad every still with MIB mebibytes of zeros before compressing it (0 = never)"), "MIB" },
      { "page-jobs", 0, 0, G_OPTION_ARG_INT, &page_jobs, N_("Put N jobs into every current-era page, whatever was asked (0 = as asked)"), "N" },
      { "api-port", 0, 0, G_OPTION_ARG_INT, &api_port, N_("Port of the API server (default: any free port)"), "PORT" },
      { "cdn-port", 0, 0, G_OPTION_ARG_INT, &cdn_port, N_("Port of the image CDN (default: any free port)"), "PORT" },
      { "auth-port", 0, 0, G_OPTION_ARG_INT, &auth_port, N_("Port of the token refresh server (default: any free port)"), "PORT" },
      { NULL }
    };

    context = g_option_context_new (NULL);
    g_option_context_set_summary (context,
                                  _("A fake Midjourney web API on this machine, for tests, demos and benchmarks.\n"
                                    "It speaks both API eras of the protocol, serves real images from a second\n"
                                    "port, and prints the URLs and the credentials it accepts."));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse (context, &argc, &argv, &error))
      {
        g_printerr ("%s\n", error->message);
        return 2;
      }
  }

  if (jobs < 0 || latency < 0 || every429 < 0 || retry_after < 0 || kib < 0 || pixels < 16 || html_every < 0 || hostile_every < 0 ||
      escape_every < 0 || hard_every < 0 || huge_page < 0 || huge_page > 4096 || nest_depth < 0 || flood_mib < 0 || flood_mib > 4096 ||
      cursor_bytes < 0 || image_paths < 0 || nul_every < 0 || page_jobs < 0 || gzip_zeros < 0 || gzip_zeros > 4096 ||
      error_rate < 0 || error_rate > 1 || api_port < 0 || api_port > 65535 || cdn_port < 0 || cdn_port > 65535 ||
      auth_port < 0 || auth_port > 65535)
    {
      g_printerr (_("A number is out of range; see --help.\n"));
      return 2;
    }

  options.n_jobs = jobs;
  options.seed = seed;
  options.latency_ms = latency;
  options.rate_limit_every = every429;
  options.retry_after = retry_after;
  options.retry_after_date = retry_date;
  options.server_error_rate = error_rate;
  options.challenge = challenge;
  options.expired_session = expired;
  options.revoked = revoked;
  options.image_kib = kib;
  options.image_pixels = pixels;
  options.legacy_empty_end = empty_end;
  options.html_image_every = html_every;
  options.hostile_every = hostile_every;
  options.escape_every = escape_every;
  options.hard_prompts_every = (guint) hard_every;
  options.huge_page_mib = (guint) huge_page;
  options.slow_body = slow_body;
  options.redirect = redirect;
  options.slow_images = slow_images;
  options.api_port = api_port;
  options.cdn_port = cdn_port;
  options.auth_port = auth_port;
  options.browser_only = browser_only;
  options.no_bot_check = no_bot_check;
  options.nest_depth = (guint) nest_depth;
  options.flood_mib = (guint) flood_mib;
  options.cursor_bytes = (guint) cursor_bytes;
  options.legacy_image_paths = (guint) image_paths;
  options.nul_id_every = (guint) nul_every;
  options.page_jobs = (guint) page_jobs;
  options.gzip_zeros_mib = (guint) gzip_zeros;

  if (endless == NULL)
    options.endless = MJA_FAKE_ENDLESS_NO;
  else if (g_str_equal (endless, "repeat"))
    options.endless = MJA_FAKE_ENDLESS_REPEAT;
  else if (g_str_equal (endless, "refused"))
    options.endless = MJA_FAKE_ENDLESS_REFUSED;
  else if (g_str_equal (endless, "fresh"))
    options.endless = MJA_FAKE_ENDLESS_FRESH;
  else
    {
      g_printerr (_("Unknown way to never end “%s”: use repeat, refused or fresh.\n"), endless);
      return 2;
    }

  if (gzip_images == NULL)
    options.gzip_images = MJA_FAKE_GZIP_NO;
  else if (g_str_equal (gzip_images, "length"))
    options.gzip_images = MJA_FAKE_GZIP_LENGTH;
  else if (g_str_equal (gzip_images, "chunked"))
    options.gzip_images = MJA_FAKE_GZIP_CHUNKED;
  else
    {
      g_printerr (_("Unknown way to compress images “%s”: use length or chunked.\n"), gzip_images);
      return 2;
    }

  if (era == NULL || g_str_equal (era, "both"))
    options.eras = MJA_FAKE_ERA_BOTH;
  else if (g_str_equal (era, "current"))
    options.eras = MJA_FAKE_ERA_CURRENT;
  else if (g_str_equal (era, "legacy"))
    options.eras = MJA_FAKE_ERA_LEGACY;
  else
    {
      g_printerr (_("Unknown era “%s”: use current, legacy or both.\n"), era);
      return 2;
    }

  if (end_style == NULL || g_str_equal (end_style, "null"))
    options.end_style = MJA_FAKE_END_NULL_CURSOR;
  else if (g_str_equal (end_style, "absent"))
    options.end_style = MJA_FAKE_END_NO_CURSOR;
  else if (g_str_equal (end_style, "empty"))
    options.end_style = MJA_FAKE_END_EMPTY_PAGE;
  else if (g_str_equal (end_style, "repeat"))
    options.end_style = MJA_FAKE_END_REPEAT_CURSOR;
  else
    {
      g_printerr (_("Unknown end style “%s”: use null, absent, empty or repeat.\n"), end_style);
      return 2;
    }

  if (certificate_file != NULL &&
      !g_file_set_contents (certificate_file, mja_fake_server_get_certificate_pem (), -1, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  server = mja_fake_server_new (&options);
  if (!mja_fake_server_start (server, &error))
    {
      g_printerr (_("Could not start the fake server: %s\n"), error->message);
      return 1;
    }

  cookie = mja_fake_server_dup_cookie_header (server);
  g_print ("MJA_API_BASE_URL=%s\n", mja_fake_server_get_api_url (server));
  g_print ("MJA_CDN_BASE_URL=%s\n", mja_fake_server_get_cdn_url (server));
  g_print ("MJA_AUTH_BASE_URL=%s\n", mja_fake_server_get_auth_url (server));
  g_print ("MIDJOURNEY_COOKIE='%s'\n", cookie);
  g_print ("MIDJOURNEY_USER_ID=%s\n", mja_fake_server_get_user_id (server));
  g_print ("MIDJOURNEY_SESSION_TOKEN='%s'\n", mja_fake_server_get_session_token (server));
  if (certificate_file != NULL)
    g_print ("MJA_TLS_CERTIFICATE=%s\n", certificate_file);
  if (browser_only)
    g_print (_("# Sign in at %s/login as %s with the password %s.\n"), mja_fake_server_get_api_url (server),
             MJA_FAKE_ACCOUNT_EMAIL, MJA_FAKE_ACCOUNT_PASSWORD);
  g_print ("# %u jobs, %u images. Press Ctrl+C to stop.\n",
           mja_fake_server_get_n_jobs (server), mja_fake_server_get_n_images (server, NULL));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  mja_fake_server_stop (server);
  return 0;
}
