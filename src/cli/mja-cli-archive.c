/* mja-cli-archive.c — search, stats, verify, reindex, export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "mja-archive-verify.h"
#include "mja-cli.h"

static char *
format_time (gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

static void
add_row_json (JsonBuilder *b,
              MjaIndexRow *row,
              MjaArchive  *archive)
{
  g_autofree char *time = format_time (row->time_us);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, row->id);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "job_type");
  json_builder_add_string_value (b, row->job_type);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, row->kind);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, row->prompt);
  json_builder_set_member_name (b, "full_command");
  json_builder_add_string_value (b, row->full_command);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, row->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, row->height);
  json_builder_set_member_name (b, "rating");
  if (row->rating > 0)
    json_builder_add_int_value (b, row->rating);
  else
    json_builder_add_null_value (b);  /* not rated, which 0 would not say */
  json_builder_set_member_name (b, "liked");
  json_builder_add_boolean_value (b, row->liked);
  json_builder_set_member_name (b, "parent_id");
  if (row->parent_id)
    json_builder_add_string_value (b, row->parent_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "json");
  json_builder_add_string_value (b, row->json_path);
  json_builder_set_member_name (b, "image");
  if (row->first_image)
    {
      g_autofree char *path = mja_archive_dup_path (archive, row->first_image);
      json_builder_add_string_value (b, path);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, row->n_images);
  json_builder_end_object (b);
}

int
mja_cli_search (MjaCli  *cli,
                int      argc,
                char   **argv)
{
  g_autofree char *types = NULL;
  g_autofree char *from_date = NULL;
  g_autofree char *to_date = NULL;
  int limit = 50, rating = 0;
  gboolean liked = FALSE, oldest = FALSE, with_images = FALSE;
  const GOptionEntry entries[] = {
    { "type", 't', 0, G_OPTION_ARG_STRING, &types, N_("Only these kinds or job types (comma-separated)"),
      N_("TYPES") },
    { "from-date", 0, 0, G_OPTION_ARG_STRING, &from_date, N_("Only jobs made on or after this day"), N_("DATE") },
    { "to-date", 0, 0, G_OPTION_ARG_STRING, &to_date, N_("Only jobs made on or before this day"), N_("DATE") },
    { "rating", 'r', 0, G_OPTION_ARG_INT, &rating, N_("Only jobs rated at least this (1–5)"), N_("N") },
    { "liked", 0, 0, G_OPTION_ARG_NONE, &liked, N_("Only liked jobs"), NULL },
    { "with-images", 0, 0, G_OPTION_ARG_NONE, &with_images, N_("Only jobs with downloaded images"), NULL },
    { "oldest-first", 0, 0, G_OPTION_ARG_NONE, &oldest, N_("Oldest first (default newest first)"), NULL },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("At most this many results; 0 = all (default 50)"), N_("N") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_auto(GStrv) type_list = NULL;
  g_autofree char *text = NULL;
  MjaIndexQuery query = { 0 };
  gint64 total;
  int status;

  status = mja_cli_parse (cli, "search", _("[QUERY…]"),
                          _("Search the prompts of the archive. Words match as prefixes (“cat” finds “cats”); "
                            "FTS5 syntax (\"exact phrase\", OR, NOT, NEAR) is understood."),
                          entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;
  if (limit < 0 || rating < 0 || rating > 5)
    {
      g_printerr (_("--limit takes 0 or more, --rating 1 to 5.\n"));
      return MJA_EXIT_USAGE;
    }

  text = argc > 1 ? g_strjoinv (" ", argv + 1) : NULL;
  type_list = mja_cli_split_list (types);
  query.text = text;
  /* A kind or a job type: the index matches either. */
  query.kinds = NULL;
  query.job_types = NULL;
  if (type_list != NULL)
    {
      gboolean kinds_only = TRUE;
      MjaJobKind kind;

      for (guint i = 0; type_list[i]; i++)
        kinds_only &= mja_job_kind_from_string (type_list[i], &kind);
      if (kinds_only)
        query.kinds = type_list;
      else
        query.job_types = type_list;
    }
  query.min_rating = rating;
  query.liked_only = liked;
  query.with_images_only = with_images;
  query.oldest_first = oldest;
  query.limit = limit;
  if ((from_date && !mja_cli_parse_date (from_date, FALSE, &query.from_us, &error)) ||
      (to_date && !mja_cli_parse_date (to_date, TRUE, &query.to_us, &error)))
    {
      g_printerr ("%s\n", error->message);
      return MJA_EXIT_USAGE;
    }

  index = mja_cli_open_index (cli, &archive, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  rows = mja_index_query (index, &query, &error);
  if (rows == NULL)
    {
      if (g_error_matches (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_BAD_QUERY))
        {
          g_autofree char *message = mja_cli_escape (error->message, TRUE);

          g_printerr ("%s\n", message);
          return MJA_EXIT_USAGE;
        }
      return mja_cli_fail (error);
    }
  query.limit = 0;
  total = mja_index_count (index, &query, NULL);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        add_row_json (b, g_ptr_array_index (rows, i), archive);
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
      return MJA_EXIT_OK;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autofree char *time = format_time (row->time_us);
      g_autofree char *short_prompt = g_utf8_substring (row->prompt, 0, MIN (g_utf8_strlen (row->prompt, -1), 100));
      g_autofree char *prompt = mja_cli_escape (short_prompt, FALSE);
      g_autofree char *job_type = mja_cli_escape (row->job_type, FALSE);
      g_autofree char *path = mja_archive_dup_path (archive, row->first_image ? row->first_image : row->json_path);
      g_autofree char *safe_path = mja_cli_escape (path, FALSE);

      g_print ("%s  %-18s %s%s\n", time, job_type, prompt, g_utf8_strlen (row->prompt, -1) > 100 ? "…" : "");
      g_print ("    %s\n", safe_path);
    }
  if (!cli->quiet)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, total);
      g_printerr (ngettext ("%u of %s match shown.\n", "%u of %s matches shown.\n", (gulong) total), rows->len,
                  count);
    }
  return MJA_EXIT_OK;
}

static char *download_types;
static const GOptionEntry download_entries[] = {
  { "job-types-to-download", 0, 0, G_OPTION_ARG_STRING, &download_types,
    N_("Whose images count as missing when absent: grid, upscale, video or all (default: what the last sync "
       "downloaded, else the kinds the archive has images of)"),
    N_("TYPES") },
  { NULL }
};

static GStrv
download_kinds_from (const char *text)
{
  if (text != NULL && g_str_equal (text, "all"))
    return g_strsplit ("grid,upscale,video", ",", -1);
  return mja_cli_split_list (text);
}

static void
print_counts (GPtrArray *counts)
{
  for (guint i = 0; i < counts->len; i++)
    {
      MjaIndexCount *count = g_ptr_array_index (counts, i);
      g_autofree char *name = mja_cli_escape (count->name, FALSE);

      g_print ("  %-24s %" G_GUINT64_FORMAT "\n", name, count->count);
    }
}

int
mja_cli_stats (MjaCli  *cli,
               int      argc,
               char   **argv)
{
  g_auto(GStrv) kinds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaIndexStats) stats = NULL;
  g_autofree char *size = NULL;
  int status;

  status = mja_cli_parse (cli, "stats", NULL, _("Count the archive's jobs, images and bytes, per type and per month."),
                          download_entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;
  kinds = download_kinds_from (download_types);
  index = mja_cli_open_index (cli, NULL, &error);
  if (index == NULL || (stats = mja_index_dup_stats (index, kinds, &error)) == NULL)
    return mja_cli_fail (error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      GPtrArray *lists[] = { stats->per_type, stats->per_month };
      const char *names[] = { "per_type", "per_month" };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "jobs");
      json_builder_add_int_value (b, (gint64) stats->jobs);
      json_builder_set_member_name (b, "images");
      json_builder_add_int_value (b, (gint64) stats->images);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) stats->bytes);
      json_builder_set_member_name (b, "missing_images");
      json_builder_add_int_value (b, (gint64) stats->missing_images);
      json_builder_set_member_name (b, "failed_images");
      json_builder_add_int_value (b, (gint64) stats->failed_images);
      json_builder_set_member_name (b, "not_downloaded_by_choice");
      json_builder_add_int_value (b, (gint64) stats->not_wanted);
      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        {
          json_builder_set_member_name (b, names[l]);
          json_builder_begin_object (b);
          for (guint i = 0; i < lists[l]->len; i++)
            {
              MjaIndexCount *count = g_ptr_array_index (lists[l], i);
              json_builder_set_member_name (b, count->name);
              json_builder_add_int_value (b, (gint64) count->count);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
      return MJA_EXIT_OK;
    }

  size = g_format_size (stats->bytes);
  g_print (_("Jobs:            %lu\n"), (gulong) stats->jobs);
  g_print (_("Images:          %lu (%s)\n"), (gulong) stats->images, size);
  g_print (_("Missing images:  %lu\n"), (gulong) (stats->missing_images + stats->failed_images));
  if (stats->not_wanted > 0)
    g_print (_("Not downloaded:  %lu (of kinds not chosen for download, such as videos)\n"), (gulong) stats->not_wanted);
  g_print ("\n%s\n", _("Per type:"));
  print_counts (stats->per_type);
  g_print ("\n%s\n", _("Per month:"));
  print_counts (stats->per_month);
  return MJA_EXIT_OK;
}

/* "1 job", "120 jobs": a count for a longer sentence. */
static char *
count_jobs (guint n)
{
  return g_strdup_printf (ngettext ("%u job", "%u jobs", n), n);
}

static char *
count_images (guint n)
{
  return g_strdup_printf (ngettext ("%u image", "%u images", n), n);
}

static void
add_verify_entries (JsonBuilder *b,
                    const char  *member,
                    GPtrArray   *entries)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      MjaVerifyProblem *entry = g_ptr_array_index (entries, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, mja_verify_kind_to_string (entry->kind));
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, entry->path);
      json_builder_set_member_name (b, "detail");
      json_builder_add_string_value (b, entry->detail);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

int
mja_cli_verify (MjaCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaVerifyReport) report = NULL;
  g_auto(GStrv) kinds = NULL;
  GPtrArray *problems;
  int status;

  status = mja_cli_parse (cli, "verify", NULL,
                          _("Check the archive: images that are missing, truncated or corrupt, unfinished "
                            "downloads (.part files) and JSON files that do not parse. Exits 1 when it finds any."),
                          download_entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;
  kinds = download_kinds_from (download_types);

  index = mja_cli_open_index (cli, &archive, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  report = mja_archive_verify (archive, index, (const char * const *) kinds, NULL, &error);
  if (report == NULL)
    return mja_cli_fail (error);
  problems = report->problems;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "checked_images");
      json_builder_add_int_value (b, report->checked_images);
      add_verify_entries (b, "problems", problems);
      /* Absent by the archive's choice: listed, never problems. */
      add_verify_entries (b, "not_downloaded", report->not_chosen);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      mja_cli_print_json (root);
    }
  else
    {
      for (guint i = 0; i < problems->len; i++)
        {
          MjaVerifyProblem *problem = g_ptr_array_index (problems, i);
          g_autofree char *path = mja_cli_escape (problem->path, FALSE);
          g_autofree char *detail = mja_cli_escape (problem->detail, TRUE);

          g_print ("%s: %s\n", path, detail);
        }
      if (!cli->quiet)
        {
          g_autofree char *jobs = count_jobs (report->jobs);
          g_autofree char *images = count_images (report->checked_images);

          /* TRANSLATORS: "120 jobs and 300 images checked: 2 problems." */
          g_printerr (ngettext ("%s and %s checked: %u problem.\n", "%s and %s checked: %u problems.\n",
                                problems->len),
                      jobs, images, problems->len);
          if (report->not_chosen->len > 0)
            g_printerr (ngettext ("%u image was not downloaded by choice (its kind is not downloaded); "
                                  "that is no problem.\n",
                                  "%u images were not downloaded by choice (their kind is not downloaded); "
                                  "that is no problem.\n", report->not_chosen->len),
                        report->not_chosen->len);
        }
    }
  return problems->len > 0 ? MJA_EXIT_PARTIAL : MJA_EXIT_OK;
}

int
mja_cli_reindex (MjaCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "image-format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("Format expected for current-era images that are missing: png (default), webp or jpeg"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaRebuildReport) report = NULL;
  g_autoptr(MjaArchiveLock) lock = NULL;
  g_autofree char *cdn = NULL;
  g_autofree char *dir = NULL;
  int status;

  status = mja_cli_parse (cli, "reindex", NULL,
                          _("Rebuild the archive's index from its files alone. Broken JSON files are reported and "
                            "skipped; everything else is indexed."), entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;

  dir = mja_cli_archive_dir (cli);
  archive = mja_archive_new (dir);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("There is no archive at “%s”.\n"), dir);
      return MJA_EXIT_ARCHIVE;
    }
  /* Not while a sync writes the archive, nor two at once. */
  lock = mja_archive_lock_acquire (archive, &error);
  if (lock == NULL)
    return mja_cli_fail (error);
  index = mja_index_open_archive (archive, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  cdn = mja_cli_base_url (cli, "cdn");
  report = mja_index_rebuild (index, archive, cdn, format ? format : mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT),
                              NULL, &error);
  if (report == NULL)
    return mja_cli_fail (error);

  for (guint i = 0; i < report->broken->len; i++)
    {
      g_autofree char *broken = mja_cli_escape (report->broken->pdata[i], TRUE);
      g_printerr (_("Skipped %s\n"), broken);
    }
  if (!cli->quiet)
    {
      g_autofree char *jobs = count_jobs (report->jobs);
      g_autofree char *images = count_images (report->images_found);

      /* TRANSLATORS: "Indexed 120 jobs: 300 images on disk, 4 not there." */
      g_print (ngettext ("Indexed %s: %s on disk, %u not there.\n", "Indexed %s: %s on disk, %u not there.\n",
                         report->images_missing),
               jobs, images, report->images_missing);
    }
  return report->broken->len > 0 ? MJA_EXIT_PARTIAL : MJA_EXIT_OK;
}

int
mja_cli_export (MjaCli  *cli,
                int      argc,
                char   **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("csv (default) or json"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to this file instead of standard output"),
      N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  MjaIndexQuery everything = { 0 };
  int status;

  status = mja_cli_parse (cli, "export", NULL, _("Write the metadata of every job, oldest first, as CSV or JSON."),
                          entries, &argc, &argv);
  if (status != MJA_EXIT_OK)
    return status;
  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    {
      g_printerr (_("Unknown format “%s”: use csv or json.\n"), format);
      return MJA_EXIT_USAGE;
    }

  index = mja_cli_open_index (cli, &archive, &error);
  if (index == NULL)
    return mja_cli_fail (error);
  everything.oldest_first = TRUE;
  rows = mja_index_query (index, &everything, &error);
  if (rows == NULL)
    return mja_cli_fail (error);

  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *data = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < rows->len; i++)
        add_row_json (b, g_ptr_array_index (rows, i), archive);
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      data = json_generator_to_data (generator, NULL);
      g_string_append (text, data);
      g_string_append_c (text, '\n');
    }
  else
    {
      g_string_append (text, "id,date,job_type,kind,prompt,full_command,width,height,rating,liked,parent_id,json,image\n");
      for (guint i = 0; i < rows->len; i++)
        {
          MjaIndexRow *row = g_ptr_array_index (rows, i);
          g_autofree char *time = format_time (row->time_us);
          g_autofree char *width = g_strdup_printf ("%u", row->width);
          g_autofree char *height = g_strdup_printf ("%u", row->height);
          g_autofree char *rating = row->rating > 0 ? g_strdup_printf ("%u", row->rating) : NULL;
          g_autoptr(GString) line = g_string_new (NULL);

          mja_cli_csv_field (line, row->id);
          mja_cli_csv_field (line, time);
          mja_cli_csv_field (line, row->job_type);
          mja_cli_csv_field (line, row->kind);
          mja_cli_csv_field (line, row->prompt);
          mja_cli_csv_field (line, row->full_command);
          mja_cli_csv_field (line, width);
          mja_cli_csv_field (line, height);
          mja_cli_csv_field (line, rating);
          mja_cli_csv_field (line, row->liked ? "true" : "false");
          mja_cli_csv_field (line, row->parent_id);
          mja_cli_csv_field (line, row->json_path);
          mja_cli_csv_field (line, row->first_image);
          g_string_append (text, line->str);
          g_string_append_c (text, '\n');
        }
    }

  if (output != NULL)
    {
      if (!g_file_set_contents_full (output, text->str, (gssize) text->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                     &error))
        return mja_cli_fail (error);
      if (!cli->quiet)
        {
          g_autofree char *safe_output = mja_cli_escape (output, FALSE);
          g_printerr (ngettext ("Wrote %u job to %s.\n", "Wrote %u jobs to %s.\n", rows->len), rows->len,
                      safe_output);
        }
    }
  else
    fwrite (text->str, 1, text->len, stdout);
  return MJA_EXIT_OK;
}
