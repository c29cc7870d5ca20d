/* main.c — mj-archiver-cli, the command-line twin of the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

enum
{
  EXIT_USAGE = 2,
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _("Usage: mj-archiver-cli [--version] [--help]\n"
                        "\n"
                        "Keep an offline copy of your Midjourney history.\n"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      print_usage (stdout);
      return 0;
    }
  if (argc >= 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("mj-archiver-cli %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc >= 2)
    g_printerr (_("Unknown command “%s”.\n"), argv[1]);
  print_usage (stderr);
  return EXIT_USAGE;
}
