/* mja-cli-sync.c — "sync" and "download": drive MjaSync from a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-cli.h"
#include "mja-transport-soup.h"
#include "mja-web-transport.h"

typedef struct
{
  MjaCli       *cli;
  MjaSync      *sync;
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  gboolean      tty;
  guint         last_pages;
  gint64        last_line;
  gboolean      line_open;
} Run;

static char *
format_duration (int seconds)
{
  if (seconds < 0)
    return g_strdup ("–");
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return g_strdup_printf ("%d:%02d", seconds / 60, seconds % 60);
}

static char *
progress_text (MjaSync *sync)
{
  g_autofree char *phase = mja_sync_dup_phase_text (sync);
  g_autofree char *speed = g_format_size ((guint64) mja_sync_get_bytes_per_second (sync));
  g_autofree char *left = format_duration (mja_sync_get_seconds_left (sync));
  g_autofree char *safe_phase = mja_cli_escape (phase, FALSE);

  guint jobs_new = mja_sync_get_jobs_new (sync);
  guint queued = mja_sync_get_images_queued (sync);
  g_autofree char *jobs = g_strdup_printf (ngettext ("%u new job", "%u new jobs", jobs_new), jobs_new);
  g_autofree char *images = g_strdup_printf (ngettext ("%u/%u image", "%u/%u images", queued),
                                             mja_sync_get_images_done (sync) + mja_sync_get_images_skipped (sync),
                                             queued);

  /* TRANSLATORS: phase · "3 new jobs" · "5/12 images" · speed/s · time left */
  return g_strdup_printf (_("%s · %s · %s · %s/s · %s left"), safe_phase, jobs, images, speed, left);
}

static gboolean
redraw_cb (gpointer data)
{
  Run *run = data;
  g_autofree char *text = NULL;

  if (run->cli->quiet)
    return G_SOURCE_CONTINUE;
  text = progress_text (run->sync);
  if (run->tty)
    {
      const int width = 24;
      int filled = (int) (mja_sync_get_fraction (run->sync) * width + 0.5);
      g_autofree char *bar = g_strnfill (filled, '#');
      g_autofree char *rest = g_strnfill (width - filled, '-');

      /* One live line, redrawn in place. */
      fprintf (stderr, "\r\033[K[%s%s] %3d%% %s", bar, rest, (int) (mja_sync_get_fraction (run->sync) * 100), text);
      fflush (stderr);
      run->line_open = TRUE;
    }
  else if (mja_sync_get_pages (run->sync) != run->last_pages ||
           g_get_monotonic_time () - run->last_line > 10 * G_USEC_PER_SEC)
    {
      /* Plain lines for logs: one a page, and one every ten seconds. */
      run->last_pages = mja_sync_get_pages (run->sync);
      run->last_line = g_get_monotonic_time ();
      g_printerr ("%s\n", text);
    }
  return G_SOURCE_CONTINUE;
}

static void
end_line (Run *run)
{
  if (run->line_open)
    {
      fprintf (stderr, "\r\033[K");
      run->line_open = FALSE;
    }
}

static void
problem_cb (MjaSync    *sync,
            const char *job_id,
            const char *message,
            Run        *run)
{
  g_autofree char *safe_id = mja_cli_escape (job_id, FALSE);
  g_autofree char *safe_message = mja_cli_escape (message, TRUE);

  end_line (run);
  if (job_id != NULL)
    g_printerr (_("Job %s: %s\n"), safe_id, safe_message);
  else
    g_printerr ("%s\n", safe_message);
}

static void
credentials_changed_cb (MjaSync *sync,
                        Run     *run)
{
  g_autoptr(GError) error = NULL;

  /* Only a session that came from the keyring goes back there. */
  if (run->cli->credentials_from_keyring &&
      !mja_credentials_store (mja_sync_get_credentials (sync), NULL, &error))
    g_debug ("Could not keep the refreshed session: %s", error->message);
}

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Run *run = data;

  mja_sync_run_finish (MJA_SYNC (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
interrupt_cb (gpointer data)
{
  Run *run = data;

  /* Stop cleanly: nothing half-written is left, the next sync resumes. */
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_result (Run *run)
{
  MjaSync *sync = run->sync;
  g_autofree char *summary = mja_sync_dup_summary (sync);
  GHashTable *per_type = mja_sync_get_new_per_type (sync);
  g_autoptr(GList) types = g_list_sort (g_hash_table_get_keys (per_type), (GCompareFunc) g_strcmp0);

  if (run->cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "new_jobs");
      json_builder_add_int_value (b, mja_sync_get_jobs_new (sync));
      json_builder_set_member_name (b, "skipped_jobs");
      json_builder_add_int_value (b, mja_sync_get_jobs_skipped (sync));
      json_builder_set_member_name (b, "images");
      json_builder_add_int_value (b, mja_sync_get_images_done (sync));
      json_builder_set_member_name (b, "skipped_images");
      json_builder_add_int_value (b, mja_sync_get_images_skipped (sync));
      json_builder_set_member_name (b, "failed_images");
      json_builder_add_int_value (b, mja_sync_get_images_failed (sync));
      json_builder_set_member_name (b, "repaired_images");
      json_builder_add_int_value (b, mja_sync_get_images_repaired (sync));
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) mja_sync_get_bytes (sync));
      json_builder_set_member_name (b, "problems");
      json_builder_add_int_value (b, mja_sync_get_n_problems (sync));
      json_builder_set_member_name (b, "legacy_cap_reached");
      json_builder_add_boolean_value (b, mja_sync_get_cap_reached (sync));
      json_builder_set_member_name (b, "new_per_type");
      json_builder_begin_object (b);
      for (GList *l = types; l; l = l->next)
        {
          json_builder_set_member_name (b, l->data);
          json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (per_type, l->data)));
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
      return;
    }

  g_print ("%s\n", summary);
  for (GList *l = types; l; l = l->next)
    {
      g_autofree char *type = mja_cli_escape (l->data, FALSE);
      g_print ("  %-24s %u\n", type, GPOINTER_TO_UINT (g_hash_table_lookup (per_type, l->data)));
    }
}

static int
run_sync (MjaCli         *cli,
          MjaCredentials *credentials,
          MjaSyncOptions *options)
{
  Run run = { 0 };
  g_autofree char *archive = mja_cli_archive_dir (cli);
  guint redraw, sigint, sigterm;
  int status;

  run.cli = cli;
  run.tty = isatty (STDERR_FILENO);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.sync = mja_sync_new (archive, credentials, options);
  g_signal_connect (run.sync, "problem", G_CALLBACK (problem_cb), &run);
  g_signal_connect (run.sync, "credentials-changed", G_CALLBACK (credentials_changed_cb), &run);

  if (!cli->quiet && !cli->json)
    g_printerr (_("Archive: %s\n"), archive);
  redraw = g_timeout_add (run.tty ? 100 : 1000, redraw_cb, &run);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);
  mja_sync_run_async (run.sync, run.cancellable, done_cb, &run);
  g_main_loop_run (run.loop);
  g_source_remove (redraw);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  end_line (&run);

  if (run.error != NULL && !g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    status = mja_cli_fail (run.error);
  else if (run.error != NULL)
    {
      g_printerr (_("Stopped. The next sync resumes where this one stopped.\n"));
      status = MJA_EXIT_CANCELLED;
    }
  else
    {
      print_result (&run);
      status = mja_sync_get_n_problems (run.sync) > 0 || mja_sync_get_images_failed (run.sync) > 0
               ? MJA_EXIT_PARTIAL : MJA_EXIT_OK;
    }

  g_clear_error (&run.error);
  g_object_unref (run.sync);
  g_object_unref (run.cancellable);
  g_main_loop_unref (run.loop);
  return status;
}

static gboolean
parse_protocol (const char   *text,
                MjaProtocol  *protocol)
{
  return mja_config_protocol_from_string (text ? text : mja_config_get_default_string (MJA_CONFIG_KEY_PROTOCOL),
                                          protocol);
}

static void
cookies_added_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The browser transport without a window: a hidden page in an ephemeral
 * session that holds @credentials' cookies (when there are any) and
 * nothing else.  WebKit needs a display, even for a page nobody sees. */
static MjaTransport *
new_browser_transport (MjaCli          *cli,
                       MjaCredentials  *credentials,
                       GError         **error)
{
  g_autofree char *api_url = mja_cli_base_url (cli, "api");
  g_autofree char *cdn_url = mja_cli_base_url (cli, "cdn");
  g_autoptr(WebKitNetworkSession) session = NULL;

  if (!gtk_init_check ())
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("The browser connection needs a graphical session, and there is none. On a "
                             "server or under cron, run the command under xvfb-run, for example "
                             "“xvfb-run -a mj-archiver-cli sync --connection browser”."));
      return NULL;
    }
  cli->used_browser = TRUE;
  session = mja_web_network_session_new (api_url, cdn_url, error);
  if (session == NULL)
    return NULL;
  if (credentials != NULL)
    {
      g_autofree char *cookie = mja_credentials_dup_cookie_header (credentials);
      g_autoptr(GAsyncResult) result = NULL;

      mja_web_network_session_add_cookies_async (session, api_url, cookie, NULL, cookies_added_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (!mja_web_network_session_add_cookies_finish (session, result, error))
        return NULL;
    }
  return MJA_TRANSPORT (mja_web_transport_new (session, api_url));
}

/**
 * mja_cli_new_transport:
 * @connection: (nullable): what --connection said
 * @credentials: (nullable): the session the browser transport carries
 * @concurrency: downloads at once
 *
 * The one place the CLI resolves its connection: --connection, else
 * MJA_CONNECTION, else the app's setting, else "auto".  Without a window
 * "auto" is the direct transport.
 *
 * Returns: (transfer full) (nullable): the transport, or %NULL with
 *   @error set (G_OPTION_ERROR for a name that is not one, or for the
 *   browser without a display)
 */
MjaTransport *
mja_cli_new_transport (MjaCli          *cli,
                       const char      *connection,
                       MjaCredentials  *credentials,
                       guint            concurrency,
                       GError         **error)
{
  g_autoptr(MjaConfig) config = mja_config_new ();
  g_autofree char *name = NULL;
  MjaConnection resolved;
  MjaTransport *transport;

  g_return_val_if_fail (credentials == NULL || MJA_IS_CREDENTIALS (credentials), NULL);

  mja_config_set_flag (config, MJA_CONFIG_KEY_CONNECTION, connection);
  name = mja_config_dup_string (config, MJA_CONFIG_KEY_CONNECTION);
  if (!mja_config_connection_from_string (name, &resolved))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Unknown connection “%s”: use auto, direct or browser."), name);
      return NULL;
    }
  if (resolved == MJA_CONNECTION_BROWSER)
    transport = new_browser_transport (cli, credentials, error);
  else
    {
      transport = mja_transport_soup_new ();
      mja_transport_soup_set_concurrency (MJA_TRANSPORT_SOUP (transport), concurrency);
    }
  if (transport != NULL)
    g_debug ("Connection: %s (%s)", mja_transport_get_name (transport), name);
  return transport;
}

/* Puts the transport into @options; prints why not and returns the exit
 * status otherwise. */
static int
sync_transport (MjaCli         *cli,
                const char     *connection,
                MjaCredentials *credentials,
                MjaSyncOptions *options)
{
  g_autoptr(GError) error = NULL;

  options->transport = mja_cli_new_transport (cli, connection, credentials, options->concurrency, &error);
  if (options->transport != NULL)
    return MJA_EXIT_OK;
  g_printerr ("mj-archiver-cli: %s\n", error->message);
  return error->domain == G_OPTION_ERROR ? MJA_EXIT_USAGE : MJA_EXIT_NETWORK;
}

static void
common_sync_options (MjaCli         *cli,
                     MjaSyncOptions *options)
{
  options->api_base_url = mja_cli_base_url (cli, "api");
  options->cdn_base_url = mja_cli_base_url (cli, "cdn");
  options->auth_base_url = mja_cli_base_url (cli, "auth");
}

int
mja_cli_sync (MjaCli  *cli,
              int      argc,
              char   **argv)
{
  g_autofree char *job_types = NULL;
  g_autofree char *download_types = NULL;
  g_autofree char *from_date = NULL;
  g_autofree char *to_date = NULL;
  g_autofree char *format = NULL;
  g_autofree char *connection = NULL;
  int page_limit = 0, request_interval = -1;
  int json_indent = mja_config_get_default_uint (MJA_CONFIG_KEY_JSON_INDENT);
  int concurrency = mja_config_get_default_uint (MJA_CONFIG_KEY_CONCURRENCY);
  gboolean overwrite = FALSE, full = FALSE, no_download = FALSE, embed = FALSE;
  const GOptionEntry entries[] = {
    { "job-type", 't', 0, G_OPTION_ARG_STRING, &job_types,
      N_("Job types to archive, comma-separated: grid, upscale, video, a Midjourney job type, or all (default)"),
      N_("TYPES") },
    { "from-date", 0, 0, G_OPTION_ARG_STRING, &from_date, N_("Only jobs made on or after this day (YYYY-MM-DD, UTC)"),
      N_("DATE") },
    { "to-date", 0, 0, G_OPTION_ARG_STRING, &to_date, N_("Only jobs made on or before this day"), N_("DATE") },
    { "page-limit", 0, 0, G_OPTION_ARG_INT, &page_limit, N_("List at most this many pages (0 = no limit)"), N_("N") },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full,
      N_("List the whole history, not only what is new since the last sync"),
      NULL },
    { "overwrite-metadata", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Rewrite metadata files that already exist"),
      NULL },
    { "json-indent", 0, 0, G_OPTION_ARG_INT, &json_indent, N_("Indentation of the JSON files; 0 = compact (default 2)"),
      N_("N") },
    { "job-types-to-download", 0, 0, G_OPTION_ARG_STRING, &download_types,
      N_("Whose images to download: grid, upscale, video or all (default grid,upscale)"), N_("TYPES") },
    { "no-download", 0, 0, G_OPTION_ARG_NONE, &no_download, N_("Archive metadata only"), NULL },
    { "embed-metadata", 0, 0, G_OPTION_ARG_NONE, &embed,
      N_("Write each job's prompt into its new images as XMP metadata (also MJA_EMBED_METADATA)"), NULL },
    { "concurrency", 'j', 0, G_OPTION_ARG_INT, &concurrency, N_("Downloads at once, 1–16 (default 6)"), N_("N") },
    { "image-format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("Format of current-era images: png (default), webp or jpeg"), N_("FORMAT") },
    { "request-interval", 0, 0, G_OPTION_ARG_INT, &request_interval,
      N_("Milliseconds between requests to the API (default 250)"), N_("MS") },
    { "connection", 0, 0, G_OPTION_ARG_STRING, &connection,
      N_("What carries the requests: auto (default), direct or browser"), N_("CONNECTION") },
    { NULL }
  };
  g_auto(MjaSyncOptions) options = { 0 };
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  status = mja_cli_parse (cli, "sync", NULL, _("List your Midjourney jobs and archive what is new: metadata, prompts "
                                               "and images. Run it again at any time; it resumes and only fetches "
                                               "what is missing."), entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;

  mja_sync_options_init (&options);
  if (!parse_protocol (cli->protocol, &options.protocol))
    {
      g_printerr (_("Unknown protocol “%s”: use auto, current or legacy.\n"), cli->protocol);
      return MJA_EXIT_USAGE;
    }
  if (concurrency < 1 || concurrency > 16 || json_indent < 0 || json_indent > 16 || page_limit < 0)
    {
      g_printerr (_("--concurrency takes 1 to 16, --json-indent 0 to 16, --page-limit 0 or more.\n"));
      return MJA_EXIT_USAGE;
    }
  if (format != NULL && !mja_config_image_format_is_valid (format))
    {
      g_printerr (_("Unknown image format “%s”: use png, webp or jpeg.\n"), format);
      return MJA_EXIT_USAGE;
    }
  if ((from_date && !mja_cli_parse_date (from_date, FALSE, &options.from_us, &error)) ||
      (to_date && !mja_cli_parse_date (to_date, TRUE, &options.to_us, &error)))
    {
      g_printerr ("%s\n", error->message);
      return MJA_EXIT_USAGE;
    }

  credentials = mja_cli_credentials (cli, &error);
  if (credentials == NULL)
    return mja_cli_fail (error);
  g_debug ("Signed in as user %s", mja_credentials_get_user_id (credentials));

  common_sync_options (cli, &options);
  options.job_types = mja_cli_split_list (job_types);
  if (download_types != NULL)
    options.download_kinds = download_types && g_str_equal (download_types, "all")
                             ? g_strsplit ("grid,upscale,video", ",", -1) : mja_cli_split_list (download_types);
  options.page_limit = page_limit;
  options.full = full;
  /* Every sync heals what verify finds missing or damaged, as the app's
   * does: the check reads only each file's head and tail. */
  options.repair = TRUE;
  options.embed_metadata = mja_cli_embed_metadata (cli, embed);
  options.overwrite_metadata = overwrite;
  options.json_indent = json_indent;
  options.download = !no_download;
  options.concurrency = concurrency;
  if (format != NULL)
    {
      g_free (options.image_format);
      options.image_format = g_strdup (format);
    }
  if (request_interval >= 0)
    options.request_interval_ms = request_interval;
  status = sync_transport (cli, connection, credentials, &options);
  if (status != MJA_EXIT_OK)
    return status;

  return run_sync (cli, credentials, &options);
}

int
mja_cli_download (MjaCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autofree char *download_types = NULL;
  g_autofree char *connection = NULL;
  int concurrency = mja_config_get_default_uint (MJA_CONFIG_KEY_CONCURRENCY);
  gboolean repair = FALSE, embed = FALSE;
  const GOptionEntry entries[] = {
    { "job-types-to-download", 0, 0, G_OPTION_ARG_STRING, &download_types,
      N_("Whose images to download: grid, upscale, video or all (default grid,upscale)"), N_("TYPES") },
    { "concurrency", 'j', 0, G_OPTION_ARG_INT, &concurrency, N_("Downloads at once, 1–16 (default 6)"), N_("N") },
    { "repair", 0, 0, G_OPTION_ARG_NONE, &repair,
      N_("Also fetch again images that are truncated or corrupt (what “verify” finds); the damaged file is kept "
         "as NAME.damaged until the new one is complete"), NULL },
    { "embed-metadata", 0, 0, G_OPTION_ARG_NONE, &embed,
      N_("Write each job's prompt into the images it downloads as XMP metadata (also MJA_EMBED_METADATA)"), NULL },
    { "connection", 0, 0, G_OPTION_ARG_STRING, &connection,
      N_("What carries the requests: auto (default), direct or browser"), N_("CONNECTION") },
    { NULL }
  };
  g_auto(MjaSyncOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaIndex) index = NULL;
  int status;

  status = mja_cli_parse (cli, "download", NULL,
                          _("Download the images an existing archive is missing, like the original "
                            "mj-downloader.py. It needs no sign-in: images come from the CDN."),
                          entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;
  if (concurrency < 1 || concurrency > 16)
    {
      g_printerr (_("--concurrency takes 1 to 16.\n"));
      return MJA_EXIT_USAGE;
    }

  /* Indexes an archive of the original scripts on first use. */
  index = mja_cli_open_index (cli, NULL, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  g_clear_object (&index);

  mja_sync_options_init (&options);
  common_sync_options (cli, &options);
  options.list = FALSE;
  options.concurrency = concurrency;
  options.repair = repair;
  options.embed_metadata = mja_cli_embed_metadata (cli, embed);
  if (download_types != NULL)
    options.download_kinds = g_str_equal (download_types, "all") ? g_strsplit ("grid,upscale,video", ",", -1)
                                                                 : mja_cli_split_list (download_types);
  status = sync_transport (cli, connection, NULL, &options);
  if (status != MJA_EXIT_OK)
    return status;
  return run_sync (cli, NULL, &options);
}
