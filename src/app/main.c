/* main.c — entry point of mj-archiver, the desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "mja-application.h"
#include "mja-util.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MjaApplication) app = NULL;

  mja_util_protect_process ();
  mja_i18n_init ();

  g_set_application_name (_("Midjourney Archiver"));
  app = mja_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
