/* mja-cli-tag.c — "tag": write each job's prompt into the images already archived
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Holds the archive's lock while mja-embed's walk runs, and prints what it
 * did, escaped; the walk tags each image atomically and skips those that
 * have the XMP already.
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-archive-lock.h"
#include "mja-cli.h"
#include "mja-embed.h"

int
mja_cli_tag (MjaCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaTagReport) report = NULL;
  g_autoptr(MjaArchiveLock) lock = NULL;
  g_autofree char *dir = NULL;
  int status;

  status = mja_cli_parse (cli, "tag", NULL,
                          _("Write each job's prompt, parameters, model, date and id into its PNG, JPEG and WebP "
                            "images as XMP metadata, so photo managers find them by prompt (GNOME's desktop "
                            "search reads it from PNG and JPEG images). Works on archives of the original "
                            "scripts too; images that have it are left alone."),
                          NULL, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;

  /* It rewrites images: not while a sync writes the archive, nor two at
   * once.  Where there is no archive, opening it says so. */
  dir = mja_cli_archive_dir (cli);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(MjaArchive) locked = mja_archive_new (dir);

      lock = mja_archive_lock_acquire (locked, &error);
      if (lock == NULL)
        return mja_cli_fail (error);
    }
  index = mja_cli_open_index (cli, &archive, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  report = mja_embed_tag_archive (archive, index, NULL, &error);
  if (report == NULL)
    return mja_cli_fail (error);

  /* Paths and messages quote the archive's job files. */
  for (guint i = 0; i < report->failures->len; i++)
    {
      g_autofree char *failure = mja_cli_escape (g_ptr_array_index (report->failures, i), TRUE);

      g_printerr ("%s\n", failure);
    }
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "tagged");
      json_builder_add_int_value (b, report->tagged);
      json_builder_set_member_name (b, "already_tagged");
      json_builder_add_int_value (b, report->already);
      json_builder_set_member_name (b, "skipped");
      json_builder_add_int_value (b, report->skipped);
      json_builder_set_member_name (b, "failed");
      json_builder_add_int_value (b, report->failures->len);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
    }
  else
    {
      g_autofree char *tagged = g_strdup_printf (ngettext ("%u image tagged", "%u images tagged", report->tagged),
                                                 report->tagged);
      GString *text = g_string_new (tagged);

      if (report->already > 0)
        g_string_append_printf (text, ngettext ("; %u already was", "; %u already were", report->already),
                                report->already);
      if (report->skipped > 0)
        g_string_append_printf (text, ngettext ("; %u skipped (a video, or damaged: run “download --repair”)",
                                                "; %u skipped (videos, or damaged: run “download --repair”)",
                                                report->skipped),
                                report->skipped);
      if (report->failures->len > 0)
        g_string_append_printf (text, ngettext ("; %u failed", "; %u failed", report->failures->len),
                                report->failures->len);
      g_print ("%s.\n", text->str);
      g_string_free (text, TRUE);
    }
  return report->failures->len > 0 ? MJA_EXIT_PARTIAL : MJA_EXIT_OK;
}
