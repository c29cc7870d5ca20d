/* main.c — mj-archiver-cli, the command-line twin of the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin over the core: every command is a few calls to MjaSync, MjaIndex
 * and MjaArchive.  What is shared here: the common flags, where the
 * archive, the base addresses and the session come from, and how errors
 * become exit codes.
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mja-api.h"
#include "mja-cli.h"
#include "mja-downloader.h"
#include "mja-util.h"

static const struct
{
  const char    *name;
  MjaCliCommand  run;
  const char    *help;
} commands[] = {
  { "sync", mja_cli_sync, N_("List your Midjourney jobs and archive what is new, images included") },
  { "download", mja_cli_download, N_("Download the images an existing archive is missing") },
  { "search", mja_cli_search, N_("Search the archive's prompts") },
  { "stats", mja_cli_stats, N_("Count jobs, images and bytes, per type and per month") },
  { "verify", mja_cli_verify, N_("Find missing, truncated or corrupt images, unfinished downloads and broken JSON") },
  { "reindex", mja_cli_reindex, N_("Rebuild the archive's index from its files") },
  { "export", mja_cli_export, N_("Write every job's metadata as CSV or JSON") },
  { "tag", mja_cli_tag, N_("Write each job's prompt into its images as XMP metadata") },
  { "login", mja_cli_login, N_("Read a browser cookie or token from standard input and keep it in the keyring") },
  { "logout", mja_cli_logout, N_("Forget the session kept in the keyring") },
  { "status", mja_cli_status, N_("Say whether you are signed in, and where the archive is") },
};

static const char exit_codes[] =
  N_("Exit status:\n"
     "  0  success\n"
     "  1  finished, with some failed items (see the messages)\n"
     "  2  usage error\n"
     "  3  not signed in, or the session expired\n"
     "  4  blocked by Midjourney's bot protection\n"
     "  5  network or server failure after retries\n"
     "  6  archive I/O error (disk full, read-only, not a folder)\n"
     "  7  another sync, download or reindex is running on this archive\n");

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: mj-archiver-cli COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n\n", _("Keep a complete, offline copy of everything you made on Midjourney."));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].help));
  fprintf (out, "\n%s\n", _("Run “mj-archiver-cli COMMAND --help” for a command's options."));
  fprintf (out, "\n%s", _(exit_codes));
}

GOptionGroup *
mja_cli_common_group (MjaCli *cli)
{
  const GOptionEntry entries[] = {
    { "archive", 'a', 0, G_OPTION_ARG_FILENAME, &cli->archive,
      N_("Archive folder (default: the app's, else ~/Pictures/Midjourney)"), N_("DIR") },
    { "api-base-url", 0, 0, G_OPTION_ARG_STRING, &cli->api_base_url,
      N_("Midjourney API address (also MJA_API_BASE_URL)"), N_("URL") },
    { "cdn-base-url", 0, 0, G_OPTION_ARG_STRING, &cli->cdn_base_url,
      N_("Image CDN address (also MJA_CDN_BASE_URL)"), N_("URL") },
    { "auth-base-url", 0, 0, G_OPTION_ARG_STRING, &cli->auth_base_url,
      N_("Token refresh address (also MJA_AUTH_BASE_URL)"), N_("URL") },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &cli->protocol,
      N_("API era: auto, current or legacy (default auto)"), N_("ERA") },
    { "cookie", 0, 0, G_OPTION_ARG_STRING, &cli->cookie,
      N_("Browser cookie header or id token, or “-” to read it from standard input (also MIDJOURNEY_COOKIE; "
         "safer: “login”)"), N_("COOKIE") },
    { "cookie-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->cookie_file,
      N_("Read the cookie header or id token from this file"), N_("FILE") },
    { "session-token", 0, 0, G_OPTION_ARG_STRING, &cli->session_token,
      N_("Legacy session token (also MIDJOURNEY_SESSION_TOKEN)"), N_("TOKEN") },
    { "user-id", 0, 0, G_OPTION_ARG_STRING, &cli->user_id,
      N_("User id for the legacy site (also MIDJOURNEY_USER_ID)"), N_("ID") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli->quiet, N_("Print only errors and the result"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose, N_("Print what is being done, request by request"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Machine-readable output (sync, download, search, stats, verify, tag, status)"), NULL },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("common", _("Options of every command:"),
                                            _("Show the options every command takes"), NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

/* GOption copied them: the secrets given as arguments are wiped where
 * /proc/PID/cmdline shows them to every user of the computer. */
static void
hide_secrets (char **given,
              int    n_given)
{
  static const char * const secret_flags[] = { "--cookie", "--session-token" };

  for (int i = 1; i < n_given; i++)
    for (guint f = 0; f < G_N_ELEMENTS (secret_flags); f++)
      {
        gsize len = strlen (secret_flags[f]);

        if (strncmp (given[i], secret_flags[f], len) != 0)
          continue;
        if (given[i][len] == '=')
          mja_util_wipe_string (given[i] + len + 1);
        else if (given[i][len] == '\0' && i + 1 < n_given && !g_str_equal (given[i + 1], "-"))
          mja_util_wipe_string (given[i + 1]);
      }
}

int
mja_cli_parse (MjaCli              *cli,
               const char          *command,
               const char          *parameters,
               const char          *summary,
               const GOptionEntry  *entries,
               int                 *argc,
               char              ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *usage = g_strdup_printf ("%s%s%s", command, parameters ? " " : "", parameters ? parameters : "");
  /* Parsing reorders *argv; the strings stay where the kernel put them. */
  g_autofree char **given = g_memdup2 (*argv, sizeof (char *) * (gsize) *argc);
  int n_given = *argc;

  context = g_option_context_new (usage);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, _(exit_codes));
  if (entries)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, mja_cli_common_group (cli));
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_autofree char *message = mja_cli_escape (error->message, TRUE);

      g_printerr ("%s\n", message);
      return MJA_EXIT_USAGE;
    }
  hide_secrets (given, n_given);
  if (cli->verbose && !cli->quiet)
    g_setenv ("G_MESSAGES_DEBUG", "mja-cli mja-sync mja-api mja-downloader mja-archive mja-index", TRUE);
  return MJA_EXIT_OK;
}

/* The common flags are the first level of mja-config's look-up. */
static MjaConfig *
cli_config (MjaCli *cli)
{
  MjaConfig *config = mja_config_new ();
  g_autofree char *archive = cli->archive ? g_canonicalize_filename (cli->archive, NULL) : NULL;

  mja_config_set_flag (config, MJA_CONFIG_KEY_ARCHIVE_DIR, archive);
  mja_config_set_flag (config, MJA_CONFIG_KEY_API_BASE_URL, cli->api_base_url);
  mja_config_set_flag (config, MJA_CONFIG_KEY_CDN_BASE_URL, cli->cdn_base_url);
  mja_config_set_flag (config, MJA_CONFIG_KEY_AUTH_BASE_URL, cli->auth_base_url);
  return config;
}

char *
mja_cli_archive_dir (MjaCli *cli)
{
  g_autoptr(MjaConfig) config = cli_config (cli);

  return mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
}

/* --embed-metadata, else MJA_EMBED_METADATA, else the app's setting. */
gboolean
mja_cli_embed_metadata (MjaCli   *cli,
                        gboolean  flag)
{
  g_autoptr(MjaConfig) config = cli_config (cli);

  if (flag)
    mja_config_set_flag (config, MJA_CONFIG_KEY_EMBED_METADATA, "true");
  return mja_config_get_boolean (config, MJA_CONFIG_KEY_EMBED_METADATA);
}

/* @which: "api", "cdn" or "auth" */
char *
mja_cli_base_url (MjaCli     *cli,
                  const char *which)
{
  g_autoptr(MjaConfig) config = cli_config (cli);

  return mja_config_dup_string (config, mja_config_base_url_key (which));
}

/* A cookie header is a few KiB; more is not one. */
#define MAX_COOKIE_BYTES (64 * 1024)

/* The secret of --cookie-file FILE or --cookie -, trimmed; the caller
 * wipes it. */
static char *
read_cookie (MjaCli  *cli,
             GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *from_file = NULL;
  gsize length = 0;

  if (cli->cookie_file != NULL && cli->cookie != NULL)
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                   _("Give the session either with --cookie or with --cookie-file, not both."));
      return NULL;
    }
  if (cli->cookie_file != NULL)
    {
      g_autoptr(GError) read_error = NULL;

      if (!g_file_get_contents (cli->cookie_file, &from_file, &length, &read_error))
        {
          g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                       _("Could not read the cookie file: %s"), read_error->message);
          return NULL;
        }
      g_string_append_len (text, from_file, (gssize) MIN (length, MAX_COOKIE_BYTES + 1));
      mja_util_wipe_string (from_file);
    }
  else
    {
      int c;

      while (text->len <= MAX_COOKIE_BYTES && (c = getchar ()) != EOF)
        g_string_append_c (text, (char) c);
    }
  if (text->len > MAX_COOKIE_BYTES || strlen (text->str) != text->len)
    {
      mja_util_wipe_string (text->str);
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                   _("What was given as the cookie is not a cookie header or token: it is binary or larger than "
                     "64 KiB."));
      return NULL;
    }
  g_strstrip (text->str);
  if (text->str[0] == '\0')
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                   cli->cookie_file != NULL ? _("The cookie file is empty.")
                                            : _("Nothing was read from standard input as the cookie."));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Flags first, then the environment, then the keyring. */
MjaCredentials *
mja_cli_credentials (MjaCli  *cli,
                     GError **error)
{
  g_autoptr(GError) env_error = NULL;
  MjaCredentials *credentials;

  cli->credentials_from_keyring = FALSE;
  if (cli->cookie_file != NULL || g_strcmp0 (cli->cookie, "-") == 0)
    {
      g_autofree char *secret = read_cookie (cli, error);

      if (secret == NULL)
        return NULL;
      credentials = mja_credentials_parse (secret, cli->user_id, error);
      mja_util_wipe_string (secret);
      return credentials;
    }
  if (cli->cookie != NULL || cli->session_token != NULL)
    g_printerr (_("Warning: a session given on the command line can be read by every user of this computer while "
                  "the command runs (/proc/%ld/cmdline). Use --cookie-file FILE, --cookie - (standard input) or "
                  "“mj-archiver-cli login” instead.\n"), (long) getpid ());
  if (cli->cookie != NULL)
    return mja_credentials_parse (cli->cookie, cli->user_id, error);
  if (cli->session_token != NULL)
    return mja_credentials_new_legacy (cli->session_token, cli->user_id ? cli->user_id : g_getenv ("MIDJOURNEY_USER_ID"),
                                       error);

  credentials = mja_credentials_from_environment (&env_error);
  if (credentials != NULL)
    return credentials;
  if (!g_error_matches (env_error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&env_error));
      return NULL;
    }
  g_clear_error (&env_error);

  credentials = mja_credentials_lookup (NULL, &env_error);
  cli->credentials_from_keyring = credentials != NULL;
  if (credentials == NULL)
    {
      /* Without a keyring there is nowhere a session could be kept. */
      if (g_error_matches (env_error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NO_KEYRING))
        g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                     _("You are not signed in to Midjourney, and no keyring is available to keep a session. "
                       "Set MIDJOURNEY_COOKIE to the Cookie header of a request to midjourney.com."));
      else
        g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                     _("You are not signed in to Midjourney. Run “mj-archiver-cli login” and paste the Cookie "
                       "header of a request to midjourney.com, or set MIDJOURNEY_COOKIE."));
    }
  return credentials;
}

int
mja_cli_exit_for_error (const GError *error)
{
  if (error == NULL)
    return MJA_EXIT_OK;
  if (error->domain == MJA_API_ERROR)
    {
      switch (error->code)
        {
        case MJA_API_ERROR_AUTH_EXPIRED:
        case MJA_API_ERROR_FORBIDDEN:
          return MJA_EXIT_AUTH;
        case MJA_API_ERROR_BLOCKED:
          return MJA_EXIT_BLOCKED;
        default:
          return MJA_EXIT_NETWORK;
        }
    }
  if (error->domain == MJA_CREDENTIALS_ERROR)
    return MJA_EXIT_AUTH;
  if (g_error_matches (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY))
    return MJA_EXIT_BUSY;
  if (error->domain == MJA_ARCHIVE_ERROR || error->domain == MJA_INDEX_ERROR ||
      g_error_matches (error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK))
    return MJA_EXIT_ARCHIVE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return MJA_EXIT_CANCELLED;
  return MJA_EXIT_NETWORK;
}

int
mja_cli_fail (const GError *error)
{
  g_autofree char *message = mja_cli_escape (error->message, TRUE);

  g_printerr ("mj-archiver-cli: %s\n", message);
  return mja_cli_exit_for_error (error);
}

MjaIndex *
mja_cli_open_index (MjaCli      *cli,
                    MjaArchive **archive_out,
                    GError     **error)
{
  g_autofree char *dir = mja_cli_archive_dir (cli);
  g_autoptr(MjaArchive) archive = mja_archive_new (dir);
  MjaIndex *index;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
                   _("There is no archive at “%s”. Give one with --archive, or run “mj-archiver-cli sync”."), dir);
      return NULL;
    }
  index = mja_index_open_archive (archive, error);
  if (index == NULL)
    return NULL;

  {
    g_autofree char *cdn = mja_cli_base_url (cli, "cdn");
    guint indexed = mja_index_build_if_empty (index, archive, cdn, NULL);

    if (indexed > 0 && !cli->quiet)
      g_printerr (ngettext ("Indexed %u job of an archive opened for the first time.\n",
                            "Indexed %u jobs of an archive opened for the first time.\n", indexed), indexed);
  }
  if (archive_out)
    *archive_out = g_steal_pointer (&archive);
  return index;
}

void
mja_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* "2024-05-01" (UTC) or a full ISO 8601 date and time. */
gboolean
mja_cli_parse_date (const char  *text,
                    gboolean     end_of_day,
                    gint64      *out_us,
                    GError     **error)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;

  if (mja_parse_day (text, end_of_day, out_us))
    return TRUE;
  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a date; write it as YYYY-MM-DD."), text);
      return FALSE;
    }
  *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* "grid,upscale" → { "grid", "upscale" }; "all" or NULL → NULL */
GStrv
mja_cli_split_list (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, ",", -1);
  builder = g_strv_builder_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (g_str_equal (part, "all"))
        return NULL;
      if (*part != '\0')
        g_strv_builder_add (builder, part);
    }
  return g_strv_builder_end (builder);
}

static void
mja_cli_clear (MjaCli *cli)
{
  g_clear_pointer (&cli->archive, g_free);
  g_clear_pointer (&cli->api_base_url, g_free);
  g_clear_pointer (&cli->cdn_base_url, g_free);
  g_clear_pointer (&cli->auth_base_url, g_free);
  g_clear_pointer (&cli->protocol, g_free);
  g_clear_pointer (&cli->user_id, g_free);
  g_clear_pointer (&cli->cookie_file, g_free);
  /* The secrets given on the command line: wiped, then freed. */
  mja_util_wipe_string (cli->cookie);
  mja_util_wipe_string (cli->session_token);
  g_clear_pointer (&cli->cookie, g_free);
  g_clear_pointer (&cli->session_token, g_free);
}

int
main (int   argc,
      char *argv[])
{
  MjaCli cli = { 0 };

  mja_util_protect_process ();
  mja_i18n_init ();
  g_set_prgname ("mj-archiver-cli");

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? MJA_EXIT_USAGE : MJA_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("mj-archiver-cli %s\n", PACKAGE_VERSION);
      return MJA_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          /* The command sees itself as argv[0]. */
          int status = commands[i].run (&cli, argc - 1, argv + 1);
          gboolean used_browser = cli.used_browser;

          mja_cli_clear (&cli);
          /* WebKit's threads and its web and network processes outlive the
           * command; the C++ destructors that exit () runs then abort the
           * process now and then (SIGABRT after "Sync complete", 3 runs in
           * 4 here), turning a good sync into a crash. Everything is written
           * and closed by now: leave without them. */
          if (used_browser)
            {
              fflush (stdout);
              fflush (stderr);
              _exit (status);
            }
          return status;
        }
    }

  g_printerr (_("Unknown command “%s”.\n\n"), argv[1]);
  print_usage (stderr);
  return MJA_EXIT_USAGE;
}
