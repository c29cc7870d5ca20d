/* mja-cli-account.c — login, logout, status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "mja-cli.h"
#include "mja-util.h"

/* The secret is typed or pasted without echo on a terminal; from a pipe
 * everything up to the end is read (cookies can span lines). */
static char *
read_secret (const char *prompt)
{
  g_autoptr(GString) text = g_string_new (NULL);
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  int c;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  while ((c = getchar ()) != EOF)
    {
      if (tty && c == '\n')
        break;
      g_string_append_c (text, (char) c);
    }
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fprintf (stderr, "\n");
    }
  return g_strstrip (g_string_free (g_steal_pointer (&text), FALSE));
}

int
mja_cli_login (MjaCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autofree char *secret = NULL;
  int status;

  status = mja_cli_parse (cli, "login", NULL,
                          _("Sign in: paste the Cookie header of any request to midjourney.com made while you are "
                            "signed in (browser developer tools, Network tab), or the value of the "
                            "__Host-Midjourney.AuthUserTokenV3_i cookie. For the legacy site give the "
                            "__Secure-next-auth.session-token value and --user-id. The secret is read from standard "
                            "input without echo and kept only in the keyring."),
                          NULL, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;

  secret = read_secret (_("Cookie or token: "));
  credentials = mja_credentials_parse (secret, cli->user_id ? cli->user_id : g_getenv ("MIDJOURNEY_USER_ID"), &error);
  mja_util_wipe_string (secret);
  if (credentials == NULL)
    return mja_cli_fail (error);
  if (!mja_credentials_store (credentials, NULL, &error))
    return mja_cli_fail (error);
  {
    g_autofree char *user_id = mja_cli_escape (mja_credentials_get_user_id (credentials), FALSE);
    g_print (_("Signed in as user %s. The session is in your keyring.\n"), user_id);
  }
  return MJA_EXIT_OK;
}

int
mja_cli_logout (MjaCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  status = mja_cli_parse (cli, "logout", NULL, _("Forget the Midjourney session kept in the keyring."), NULL, &argc,
                          &argv);
  if (status != MJA_EXIT_OK)
    return status;
  if (!mja_credentials_clear (NULL, &error))
    return mja_cli_fail (error);
  if (!cli->quiet)
    g_print (_("Signed out.\n"));
  return MJA_EXIT_OK;
}

int
mja_cli_status (MjaCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autofree char *archive = NULL;
  int status;

  status = mja_cli_parse (cli, "status", NULL,
                          _("Say whether a Midjourney session is configured (flags, environment or keyring) and where "
                            "the archive is. Exits 3 when none is."), NULL, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;

  archive = mja_cli_archive_dir (cli);
  credentials = mja_cli_credentials (cli, &error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "signed_in");
      json_builder_add_boolean_value (b, credentials != NULL);
      json_builder_set_member_name (b, "user_id");
      if (credentials)
        json_builder_add_string_value (b, mja_credentials_get_user_id (credentials));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "archive");
      json_builder_add_string_value (b, archive);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
    }
  else if (!cli->quiet)
    {
      g_autofree char *user_id = mja_cli_escape (credentials ? mja_credentials_get_user_id (credentials) : NULL, FALSE);
      g_autofree char *message = mja_cli_escape (error ? error->message : NULL, TRUE);

      if (credentials != NULL)
        g_print (_("Signed in as user %s (%s).\n"), user_id,
                 mja_credentials_get_kind (credentials) == MJA_CREDENTIALS_LEGACY ? _("legacy site") : _("current site"));
      else
        g_print ("%s\n", message);
      g_print (_("Archive: %s\n"), archive);
    }
  return credentials != NULL ? MJA_EXIT_OK : MJA_EXIT_AUTH;
}
