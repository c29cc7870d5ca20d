/* test-index.c — the index: what search, filters and the library show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The index as its readers see it: jobs written stay there when it is
 * opened again, a search finds words by their beginnings and survives
 * whatever a person types into the search bar, the filters narrow what
 * the grid shows, downloaded images count, and an index rebuilt from an
 * archive's files alone (the original scripts' archive among them)
 * answers as the one that was written along.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "mja-index.h"
#include "test-utils.h"

/* A name of our own for the row's cleanup, so that the header may get
 * one of its own without a clash. */
typedef MjaIndexRow IndexRow;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IndexRow, mja_index_row_free)

typedef struct
{
  char     *dir;
  char     *path;
  MjaIndex *index;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = helper_make_archive_dir ();
  fixture->path = g_build_filename (fixture->dir, "index.sqlite", NULL);
  fixture->index = mja_index_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->index);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->index);
  helper_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* A legacy-era job; @type decides its kind ("upscale" in it: an upscale). */
static MjaJob *
make_job (const char *id,
          const char *type,
          const char *time,
          const char *prompt,
          guint       rating,
          gboolean    liked,
          guint       n_images)
{
  g_autoptr(GString) paths = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *escaped = g_strescape (prompt, NULL);
  MjaJob *job;

  for (guint i = 0; i < n_images; i++)
    g_string_append_printf (paths, "%s\"https://cdn.example/%s/%u.png\"", i ? ", " : "", id, i);
  json = g_strdup_printf ("{\"id\": \"%s\", \"type\": \"%s\", \"enqueue_time\": \"%s\", \"prompt\": \"%s\", "
                          "\"image_paths\": [%s], \"ranking_by_user\": %u, \"liked_by_user\": %s, "
                          "\"event\": {\"width\": 1024, \"height\": 1024, \"batchSize\": %u}}",
                          id, type, time, escaped, paths->str, rating, liked ? "true" : "false", n_images);
  job = mja_job_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  return job;
}

static void
add_job (MjaIndex *index,
         MjaJob   *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) planned = mja_archive_plan_images (job, "https://cdn.example", "png");
  g_autofree char *json_path = mja_archive_dup_json_path (job);

  g_assert_true (mja_index_begin (index, &error));
  g_assert_true (mja_index_add_job (index, job, json_path, planned, &error));
  g_assert_no_error (error);
  g_assert_true (mja_index_commit (index, &error));
}

#define ID_LIGHTHOUSE "11111111-1111-4111-8111-111111111111"
#define ID_OWL        "22222222-2222-4222-8222-222222222222"
#define ID_CAT        "33333333-3333-4333-8333-333333333333"
#define ID_CAFE       "44444444-4444-4444-8444-444444444444"

/* Four jobs a person could have made, oldest first. */
static void
add_four_jobs (MjaIndex *index)
{
  g_autoptr(MjaJob) lighthouse = make_job (ID_LIGHTHOUSE, "v5_upscale", "2023-03-01 10:00:00",
                                           "a lighthouse on a basalt cliff, watercolor", 5, TRUE, 1);
  g_autoptr(MjaJob) owl = make_job (ID_OWL, "grid", "2023-06-15 12:30:00",
                                    "an owl reading by candlelight --ar 2:3", 3, FALSE, 4);
  g_autoptr(MjaJob) cat = make_job (ID_CAT, "grid", "2024-01-20 08:00:00", "猫と桜の庭 🌸 cats in a garden", 0,
                                    TRUE, 4);
  g_autoptr(MjaJob) cafe = make_job (ID_CAFE, "v6_upscale", "2024-11-30 23:59:59",
                                     "café au lait, crème brûlée — still life", 4, FALSE, 1);

  add_job (index, lighthouse);
  add_job (index, owl);
  add_job (index, cat);
  add_job (index, cafe);
}

/* The ids a query finds, in its order, joined by spaces. */
static char *
ids_of (MjaIndex            *index,
        const MjaIndexQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = mja_index_query (index, query, &error);
  g_autoptr(GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    {
      MjaIndexRow *row = rows->pdata[i];

      g_string_append_printf (ids, "%s%.8s", i ? " " : "", row->id);
    }
  /* The count the header shows is the number of jobs the grid gets. */
  if (query->offset == 0 && query->limit == 0)
    {
      g_assert_cmpint (mja_index_count (index, query, &error), ==, rows->len);
      g_assert_no_error (error);
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
search (MjaIndex   *index,
        const char *text)
{
  MjaIndexQuery query = { .text = (char *) text };

  return ids_of (index, &query);
}

/* What was written is there after the index is closed and opened again,
 * state included. */
static void
test_write_and_reopen (Fixture       *fixture,
                       gconstpointer  data)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IndexRow) row = NULL;
  g_autofree char *checkpoint = NULL;

  helper_index_numbered_jobs (fixture->index, 120);
  add_four_jobs (fixture->index);
  g_assert_true (mja_index_set_state (fixture->index, "checkpoint", "cp-42", &error));
  g_assert_no_error (error);
  g_assert_true (mja_index_has_job (fixture->index, ID_OWL));
  g_assert_false (mja_index_has_job (fixture->index, "55555555-5555-4555-8555-555555555555"));

  g_clear_object (&fixture->index);
  fixture->index = mja_index_open (fixture->path, &error);
  g_assert_no_error (error);

  g_assert_cmpint (mja_index_count (fixture->index, &everything, &error), ==, 124);
  checkpoint = mja_index_dup_state (fixture->index, "checkpoint");
  g_assert_cmpstr (checkpoint, ==, "cp-42");
  g_assert_null (mja_index_dup_state (fixture->index, "no-such-key"));
  row = mja_index_dup_row (fixture->index, ID_OWL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->prompt, ==, "an owl reading by candlelight --ar 2:3");
  g_assert_cmpstr (row->kind, ==, "grid");
  g_assert_cmpuint (row->rating, ==, 3);
  g_assert_false (row->liked);
  g_assert_cmpuint (row->width, ==, 1024);
  g_assert_cmpuint (row->n_images, ==, 0);
  g_assert_null (row->first_image);
  g_assert_null (mja_index_dup_row (fixture->index, "55555555-5555-4555-8555-555555555555", &error));
  g_assert_no_error (error);

  /* Nothing of it is lost to a second writer after the first closed. */
  {
    g_autoptr(MjaIndex) second = mja_index_open (fixture->path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (mja_index_count (second, &everything, &error), ==, 124);
  }
}

/* A file that is no database is refused with a message, not used. */
static void
test_open_refuses_garbage (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *garbage = g_build_filename (fixture->dir, "garbage.sqlite", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "no", "such", "folder", "index.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaIndex) index = NULL;

  g_assert_true (g_file_set_contents (garbage, "this is not an SQLite database, not even close\n", -1, NULL));
  index = mja_index_open (garbage, &error);
  g_assert_null (index);
  g_assert_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE);
  g_clear_error (&error);

  index = mja_index_open (missing, &error);
  g_assert_null (index);
  g_assert_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE);
}

/* A job synced again with a new prompt is found by the new words only,
 * and stays one job; its downloaded images keep their state. */
static void
test_update_job (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(MjaJob) before = make_job (ID_OWL, "grid", "2023-06-15 12:30:00", "an owl at night", 0, FALSE, 4);
  g_autoptr(MjaJob) after = make_job (ID_OWL, "grid", "2023-06-15 12:30:00", "a heron at dawn", 2, TRUE, 4);
  MjaIndexQuery everything = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IndexRow) row = NULL;
  g_autofree char *owl = NULL;
  g_autofree char *heron = NULL;

  add_job (fixture->index, before);
  g_assert_true (mja_index_set_image (fixture->index, ID_OWL, 2, MJA_IMAGE_DONE, 1234, &error));
  g_assert_no_error (error);
  add_job (fixture->index, after);

  g_assert_cmpint (mja_index_count (fixture->index, &everything, &error), ==, 1);
  owl = search (fixture->index, "owl");
  heron = search (fixture->index, "heron");
  g_assert_cmpstr (owl, ==, "");
  g_assert_cmpstr (heron, ==, "22222222");
  row = mja_index_dup_row (fixture->index, ID_OWL, &error);
  g_assert_cmpuint (row->rating, ==, 2);
  g_assert_true (row->liked);
  g_assert_cmpuint (row->n_images, ==, 1);
  g_assert_nonnull (row->first_image);
  g_assert_true (g_str_has_suffix (row->first_image, ".png"));
}

/* Words match by their beginnings, in any case, in any script, all of
 * them; FTS5's own syntax works for those who know it. */
static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct
  {
    const char *text;
    const char *ids;   /* newest first */
  } cases[] = {
    { "lighthouse", "11111111" },
    { "LIGHT", "11111111" },
    { "ligh basalt", "11111111" },
    { "owl lighthouse", "" },
    { "a", "44444444 33333333 22222222 11111111" },
    { "  candle   ", "22222222" },
    { "cat", "33333333" },
    { "猫と桜の庭", "33333333" },
    { "café", "44444444" },
    { "brûlée", "44444444" },
    { "owl OR garden", "33333333 22222222" },
    { "\"reading by\"", "22222222" },
    { "garden NOT owl", "33333333" },
    { "--ar", "22222222" },
    { "zebra", "" },
  };

  add_four_jobs (fixture->index);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *found = search (fixture->index, cases[i].text);

      g_test_message ("search “%s”", cases[i].text);
      g_assert_cmpstr (found, ==, cases[i].ids);
    }
}

/* Whatever is typed into the search bar: results, or "not a valid
 * search", never another error, and the index is unharmed after. */
static void
test_search_odd_input (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const odd[] = {
    "\"", "\"unbalanced", "(", ")", "((owl", "*", "owl*", "^", ":", "a:b", "AND", "OR", "NOT", "owl AND",
    "NEAR(", "NEAR(owl cat", "'", "'; DROP TABLE jobs; --", "%", "_", "\\", "--", "-", "+", "owl\"cat",
    "\xe2\x80\x8b", "\t\n", "x\x7f", "lighthouse'", "{owl}", "[owl]", "col:owl", "prompt:owl", "2:3", "🌸",
  };
  MjaIndexQuery everything = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *long_text = g_strnfill (10000, 'w');
  g_autofree char *after = NULL;

  add_four_jobs (fixture->index);
  for (guint i = 0; i <= G_N_ELEMENTS (odd); i++)
    {
      MjaIndexQuery query = { .text = i < G_N_ELEMENTS (odd) ? (char *) odd[i] : long_text };
      g_autoptr(GPtrArray) rows = NULL;
      gint64 count;

      g_test_message ("search “%.40s”", query.text);
      rows = mja_index_query (fixture->index, &query, &error);
      if (rows == NULL)
        {
          g_assert_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_BAD_QUERY);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          g_clear_error (&error);
          count = mja_index_count (fixture->index, &query, &error);
          g_assert_cmpint (count, ==, -1);
          g_assert_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_BAD_QUERY);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpuint (rows->len, <=, 4);
          count = mja_index_count (fixture->index, &query, &error);
          g_assert_no_error (error);
          g_assert_cmpint (count, ==, rows->len);
        }
    }
  g_assert_cmpint (mja_index_count (fixture->index, &everything, &error), ==, 4);
  g_assert_no_error (error);
  after = search (fixture->index, "lighthouse");
  g_assert_cmpstr (after, ==, "11111111");
}

/* The filter panel's choices, alone and together, and the grid's paging. */
static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  char *upscales[] = { "upscale", NULL };
  char *grids[] = { "grid", NULL };
  char *v6[] = { "v6_upscale", NULL };
  char *nothing[] = { "video", NULL };
  g_autoptr(GDateTime) from = g_date_time_new_utc (2023, 6, 1, 0, 0, 0);
  g_autoptr(GDateTime) to = g_date_time_new_utc (2024, 1, 31, 0, 0, 0);
  gint64 from_us = g_date_time_to_unix (from) * G_USEC_PER_SEC;
  gint64 to_us = g_date_time_to_unix (to) * G_USEC_PER_SEC;
  static const char *all = "44444444 33333333 22222222 11111111";
  struct
  {
    MjaIndexQuery query;
    const char   *ids;
  } cases[] = {
    { { 0 }, all },
    { { .kinds = upscales }, "44444444 11111111" },
    { { .kinds = grids }, "33333333 22222222" },
    { { .kinds = nothing }, "" },
    { { .job_types = v6 }, "44444444" },
    { { .from_us = from_us }, "44444444 33333333 22222222" },
    { { .to_us = to_us }, "33333333 22222222 11111111" },
    { { .from_us = from_us, .to_us = to_us }, "33333333 22222222" },
    { { .min_rating = 4 }, "44444444 11111111" },
    { { .min_rating = 5 }, "11111111" },
    { { .liked_only = TRUE }, "33333333 11111111" },
    { { .liked_only = TRUE, .kinds = grids }, "33333333" },
    { { .text = "a", .min_rating = 3, .kinds = upscales }, "44444444 11111111" },
    { { .oldest_first = TRUE }, "11111111 22222222 33333333 44444444" },
    { { .limit = 2 }, "44444444 33333333" },
    { { .offset = 2, .limit = 2 }, "22222222 11111111" },
    { { .offset = 3 }, "11111111" },
    { { .offset = 9, .limit = 2 }, "" },
    { { .oldest_first = TRUE, .offset = 1, .limit = 1 }, "22222222" },
  };
  g_autoptr(GError) error = NULL;

  add_four_jobs (fixture->index);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) rows = mja_index_query (fixture->index, &cases[i].query, &error);
      g_autoptr(GPtrArray) ids = mja_index_query_ids (fixture->index, &cases[i].query, &error);
      g_autoptr(GString) found = g_string_new (NULL);

      g_assert_no_error (error);
      g_assert_cmpuint (ids->len, ==, rows->len);
      for (guint j = 0; j < rows->len; j++)
        {
          MjaIndexRow *row = rows->pdata[j];

          g_assert_cmpstr (row->id, ==, ids->pdata[j]);
          g_string_append_printf (found, "%s%.8s", j ? " " : "", row->id);
        }
      g_test_message ("case %u", i);
      g_assert_cmpstr (found->str, ==, cases[i].ids);
      /* The count ignores the page: it is how many match. */
      if (cases[i].query.offset == 0 && cases[i].query.limit == 0)
        g_assert_cmpint (mja_index_count (fixture->index, &cases[i].query, &error), ==, rows->len);
    }
}

/* Downloaded, failed and missing images: what the grid shows first, what
 * the next sync fetches, what Statistics counts. */
static void
test_images (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const upscales_only[] = { "upscale", NULL };
  MjaIndexQuery with_images = { .with_images_only = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(MjaIndexStats) stats = NULL;
  g_autoptr(IndexRow) owl = NULL;
  g_autofree char *shown = NULL;

  add_four_jobs (fixture->index);
  pending = mja_index_dup_pending_images (fixture->index, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 10);
  g_clear_pointer (&pending, g_ptr_array_unref);

  g_assert_true (mja_index_set_image (fixture->index, ID_OWL, 1, MJA_IMAGE_DONE, 1000, &error));
  g_assert_true (mja_index_set_image (fixture->index, ID_OWL, 3, MJA_IMAGE_DONE, 3000, &error));
  g_assert_true (mja_index_set_image (fixture->index, ID_OWL, 0, MJA_IMAGE_FAILED, 0, &error));
  g_assert_true (mja_index_set_image (fixture->index, ID_LIGHTHOUSE, 0, MJA_IMAGE_DONE, 500, &error));
  g_assert_no_error (error);

  shown = ids_of (fixture->index, &with_images);
  g_assert_cmpstr (shown, ==, "22222222 11111111");
  owl = mja_index_dup_row (fixture->index, ID_OWL, &error);
  g_assert_cmpuint (owl->n_images, ==, 2);
  /* The first downloaded one is the one shown. */
  images = mja_index_dup_images (fixture->index, ID_OWL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 4);
  g_assert_cmpstr (owl->first_image, ==, ((MjaIndexImage *) images->pdata[1])->path);

  /* Failed images are tried again; downloaded ones are not. */
  pending = mja_index_dup_pending_images (fixture->index, NULL, &error);
  g_assert_cmpuint (pending->len, ==, 7);
  for (guint i = 0; i < pending->len; i++)
    {
      MjaIndexImage *image = pending->pdata[i];

      g_assert_false (g_str_equal (image->job_id, ID_LIGHTHOUSE));
      g_assert_false (g_str_equal (image->job_id, ID_OWL) && (image->index == 1 || image->index == 3));
    }

  stats = mja_index_dup_stats (fixture->index, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->jobs, ==, 4);
  g_assert_cmpuint (stats->images, ==, 3);
  g_assert_cmpuint (stats->bytes, ==, 4500);
  /* Not there yet, and failed last time: the two numbers Statistics shows. */
  g_assert_cmpuint (stats->missing_images, ==, 6);
  g_assert_cmpuint (stats->failed_images, ==, 1);
  g_assert_cmpuint (stats->not_wanted, ==, 0);
  g_assert_cmpuint (stats->per_month->len, ==, 4);
  g_assert_cmpstr (((MjaIndexCount *) stats->per_month->pdata[0])->name, ==, "2023-03");
  g_clear_pointer (&stats, mja_index_stats_free);

  /* Grids not downloaded: theirs are not missing, only not wanted. */
  stats = mja_index_dup_stats (fixture->index, (GStrv) upscales_only, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->missing_images, ==, 1);
  g_assert_cmpuint (stats->failed_images, ==, 0);
  g_assert_cmpuint (stats->not_wanted, ==, 6);
}

/* "a,b": the kinds @index downloads when nobody said, as stats decides. */
static char *
download_kinds (MjaIndex *index)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) kinds = mja_index_dup_download_kinds (index, NULL, &error);

  g_assert_no_error (error);
  return g_strjoinv (",", kinds);
}

/* The kinds an archive downloads when nobody said: the default with no
 * image, the kinds it has images of (an upscales-only archive of the
 * original scripts), what the last sync downloaded; stats counts by them. */
static void
test_download_kinds (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char * const on_disk[] = { "video", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaIndexStats) stats = NULL;
  g_auto(GStrv) given = NULL;
  g_autofree char *kinds = NULL;

  add_four_jobs (fixture->index);
  kinds = download_kinds (fixture->index);
  g_assert_cmpstr (kinds, ==, "grid,upscale");
  g_clear_pointer (&kinds, g_free);

  g_assert_true (mja_index_set_image (fixture->index, ID_LIGHTHOUSE, 0, MJA_IMAGE_DONE, 500, &error));
  kinds = download_kinds (fixture->index);
  g_assert_cmpstr (kinds, ==, "upscale");
  g_clear_pointer (&kinds, g_free);
  stats = mja_index_dup_stats (fixture->index, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->missing_images, ==, 1);
  g_assert_cmpuint (stats->not_wanted, ==, 8);
  g_clear_pointer (&stats, mja_index_stats_free);
  /* Verify's kinds come from the disk. */
  given = mja_index_dup_download_kinds (fixture->index, on_disk, &error);
  g_assert_cmpstrv (given, on_disk);

  g_assert_true (mja_index_set_state (fixture->index, MJA_INDEX_STATE_DOWNLOAD_KINDS, "grid,upscale", &error));
  kinds = download_kinds (fixture->index);
  g_assert_cmpstr (kinds, ==, "grid,upscale");
  stats = mja_index_dup_stats (fixture->index, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->missing_images, ==, 9);
  g_assert_cmpuint (stats->not_wanted, ==, 0);
}

static gboolean
report_names (MjaRebuildReport *report,
              const char       *part)
{
  for (guint i = 0; i < report->broken->len; i++)
    if (strstr (report->broken->pdata[i], part) != NULL)
      return TRUE;
  return FALSE;
}

/* The original scripts' archive, indexed from its files alone: its jobs
 * searchable, its images found under their names, the broken file named;
 * whatever the index held before is forgotten, and the next sync lists
 * everything again. */
static void
test_rebuild_original_archive (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "fixtures", "original-archive", NULL);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaRebuildReport) report = NULL;
  g_autoptr(MjaRebuildReport) again = NULL;
  g_autoptr(IndexRow) grid = NULL;
  MjaIndexQuery everything = { 0 };
  g_autofree char *owl = NULL;
  g_autofree char *lighthouse = NULL;
  g_autofree char *stale = NULL;

  add_four_jobs (fixture->index);
  g_assert_true (mja_index_set_state (fixture->index, "checkpoint", "cp-1", &error));
  g_assert_true (mja_index_set_state (fixture->index, "history-complete", "1", &error));

  report = mja_index_rebuild (fixture->index, archive, "https://cdn.example", "png", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->jobs, ==, 2);
  g_assert_cmpuint (report->images_found, ==, 5);
  g_assert_cmpuint (report->images_missing, ==, 0);
  g_assert_cmpuint (report->broken->len, ==, 1);
  g_assert_true (report_names (report, "1234abcd-0000-4000-8000-000000000001.json"));

  g_assert_cmpint (mja_index_count (fixture->index, &everything, &error), ==, 2);
  stale = search (fixture->index, "lighthouse OR café");
  lighthouse = search (fixture->index, "lighthouse");
  owl = search (fixture->index, "owl candle");
  g_assert_cmpstr (lighthouse, ==, "8b4c5b8c");
  g_assert_cmpstr (owl, ==, "0a1b2c3d");
  g_assert_cmpstr (stale, ==, "8b4c5b8c");
  g_assert_null (mja_index_dup_state (fixture->index, "checkpoint"));
  g_assert_null (mja_index_dup_state (fixture->index, "history-complete"));

  grid = mja_index_dup_row (fixture->index, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", &error);
  g_assert_cmpuint (grid->n_images, ==, 4);
  g_assert_cmpstr (grid->first_image, ==,
                   "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-1.png");
  g_assert_cmpstr (grid->json_path, ==,
                   "2022/2022-10/2022-10-02/20221002-120000_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.json");

  /* Twice is the same as once. */
  again = mja_index_rebuild (fixture->index, archive, "https://cdn.example", "png", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->jobs, ==, 2);
  g_assert_cmpint (mja_index_count (fixture->index, &everything, &error), ==, 2);
}

static void
copy_tree (const char *from,
           const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *source = g_build_filename (from, name, NULL);
      g_autofree char *target = g_build_filename (to, name, NULL);

      if (g_file_test (source, G_FILE_TEST_IS_DIR))
        copy_tree (source, target);
      else
        {
          g_autofree char *contents = NULL;
          gsize length = 0;

          g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
          g_assert_true (g_file_set_contents (target, contents, (gssize) length, NULL));
        }
    }
}

/* Opening an archive the original scripts wrote: its index is made in
 * the archive's state folder and filled at once; opened again, it is not
 * rebuilt. */
static void
test_open_archive (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *fixture_root = g_test_build_filename (G_TEST_DIST, "fixtures", "original-archive", NULL);
  g_autofree char *root = g_build_filename (fixture->dir, "archive", NULL);
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  MjaIndexQuery everything = { 0 };

  copy_tree (fixture_root, root);
  archive = mja_archive_new (root);
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_index_build_if_empty (index, archive, "https://cdn.example", NULL), ==, 2);
  g_assert_cmpint (mja_index_count (index, &everything, &error), ==, 2);
  state = g_build_filename (root, MJA_ARCHIVE_STATE_DIR, NULL);
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_DIR));

  g_clear_object (&index);
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_index_count (index, &everything, &error), ==, 2);
  g_assert_cmpuint (mja_index_build_if_empty (index, archive, "https://cdn.example", NULL), ==, 0);
}

static void
add_json_job (MjaIndex   *index,
              const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaJob) job = mja_job_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  add_job (index, job);
}

#define ID_SPARKLE "55555555-5555-4555-8555-555555555555"
#define ID_TOKYO   "66666666-6666-4666-8666-666666666666"
#define ID_PARAMS  "77777777-7777-4777-8777-777777777777"

/* What unicode61 drops or keeps whole is found as typed: emoji and
 * symbols, a part of a CJK run, parameters; words still by their
 * beginnings and phrases as phrases. */
static void
test_search_symbols (Fixture       *fixture,
                     gconstpointer  data)
{
  struct { const char *text, *ids; } cases[] = {
    { "✨", "55555555" },
    { "✨ sea", "55555555" },
    { "✨ owl", "" },
    { "→", "55555555" },
    { "東京", "66666666" },
    { "夜景", "66666666" },
    { "京の夜", "66666666" },
    { "ネオン街", "" },
    { "--ar 16:9", "77777777" },
    { "16:9", "77777777" },
    { "--sref 123", "77777777" },
    { "--sref 124", "" },
    { "2:3", "22222222" },
    { "spark", "55555555" },
    { "\"over the sea\"", "55555555" },
    { "\"the over\"", "" },
    { "🌸", "33333333" },
    { "100%", "" },
  };

  add_four_jobs (fixture->index);
  add_json_job (fixture->index, "{\"id\": \"" ID_SPARKLE "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-01 10:00:00\","
                " \"prompt\": \"✨ sparkles over the sea → night\", \"image_paths\": []}");
  add_json_job (fixture->index, "{\"id\": \"" ID_TOKYO "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-02 10:00:00\","
                " \"prompt\": \"東京の夜景、ネオン\", \"image_paths\": []}");
  add_json_job (fixture->index, "{\"id\": \"" ID_PARAMS "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-03 10:00:00\","
                " \"prompt\": \"a harbour\", \"full_command\": \"a harbour --ar 16:9 --sref 1234 --v 6\","
                " \"image_paths\": []}");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ids = search (fixture->index, cases[i].text);

      g_test_message ("search “%s”", cases[i].text);
      g_assert_cmpstr (ids, ==, cases[i].ids);
    }
}

/* An unrated job ("ranking_by_user": null) is NULL in the index, not 0,
 * and no rating filter finds it. */
static void
test_rating_null (Fixture       *fixture,
                  gconstpointer  data)
{
  MjaIndexQuery rated = { .min_rating = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IndexRow) row = NULL;
  g_autofree char *ids = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  add_json_job (fixture->index, "{\"id\": \"" ID_SPARKLE "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-01 10:00:00\","
                " \"prompt\": \"unrated\", \"image_paths\": [], \"ranking_by_user\": null}");
  add_json_job (fixture->index, "{\"id\": \"" ID_TOKYO "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-02 10:00:00\","
                " \"prompt\": \"rated\", \"image_paths\": [], \"ranking_by_user\": 2}");
  row = mja_index_dup_row (fixture->index, ID_SPARKLE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (row->rating, ==, 0);
  ids = ids_of (fixture->index, &rated);
  g_assert_cmpstr (ids, ==, "66666666");

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT rating IS NULL FROM jobs ORDER BY time_us", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* An index of the first schema (no user_version, ratings NOT NULL, no
 * trigram table) is emptied when opened, keeps its sync states, and an
 * archive's files fill it again. */
static void
test_schema_upgrade (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "fixtures", "original-archive", NULL);
  g_autofree char *copy = g_build_filename (fixture->dir, "archive", NULL);
  g_autofree char *old_path = g_build_filename (fixture->dir, "old.sqlite", NULL);
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checkpoint = NULL;
  g_autofree char *found = NULL;
  MjaIndexQuery everything = { 0 };
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (old_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE jobs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
                                 " json_path TEXT NOT NULL, time_us INTEGER NOT NULL, job_type TEXT NOT NULL,"
                                 " event_type TEXT, kind TEXT NOT NULL, prompt TEXT NOT NULL,"
                                 " full_command TEXT NOT NULL, width INTEGER, height INTEGER, batch INTEGER,"
                                 " rating INTEGER NOT NULL DEFAULT 0, liked INTEGER NOT NULL DEFAULT 0,"
                                 " parent_id TEXT, era INTEGER NOT NULL);"
                                 "INSERT INTO jobs VALUES (1, 'stale', 'x.json', 0, 'grid', NULL, 'grid', 'stale',"
                                 " 'stale', 1, 1, 1, 0, 0, NULL, 0);"
                                 "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
                                 "INSERT INTO state VALUES ('checkpoint', 'cp-7');", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  index = mja_index_open (old_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_index_count (index, &everything, &error), ==, 0);
  checkpoint = mja_index_dup_state (index, "checkpoint");
  g_assert_cmpstr (checkpoint, ==, "cp-7");
  add_json_job (index, "{\"id\": \"" ID_SPARKLE "\", \"type\": \"grid\", \"enqueue_time\": \"2024-02-01 10:00:00\","
                " \"prompt\": \"✨ unrated\", \"image_paths\": [], \"ranking_by_user\": null}");
  found = search (index, "✨");
  g_assert_cmpstr (found, ==, "55555555");
  g_clear_object (&index);

  /* And the CLI and the app, opening an archive, read its files again. */
  copy_tree (root, copy);
  archive = mja_archive_new (copy);
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_index_build_if_empty (index, archive, "https://cdn.example", NULL), ==, 2);
  g_clear_object (&index);
  {
    g_autofree char *state_index = mja_archive_dup_state_path (archive, "index.sqlite");

    g_assert_cmpint (sqlite3_open (state_index, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_index_count (index, &everything, &error), ==, 0);
  g_assert_cmpuint (mja_index_build_if_empty (index, archive, "https://cdn.example", NULL), ==, 2);
}

/* When the last user closes the index, nothing is left beside it. */
static void
test_no_wal_left (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  helper_index_numbered_jobs (fixture->index, 200);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_clear_object (&fixture->index);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
}

/* What a search matched, as byte ranges of the prompt: for the view to
 * highlight. */
static char *
marked (const char *search,
        const char *text)
{
  g_autoptr(GArray) matches = mja_index_find_matches (search, text);
  GString *out = g_string_new (NULL);
  guint at = 0;

  for (guint i = 0; i < matches->len; i++)
    {
      MjaIndexMatch *match = &g_array_index (matches, MjaIndexMatch, i);

      g_string_append_len (out, text + at, match->start - at);
      g_string_append_c (out, '[');
      g_string_append_len (out, text + match->start, match->end - match->start);
      g_string_append_c (out, ']');
      at = match->end;
    }
  g_string_append (out, text + at);
  return g_string_free (out, FALSE);
}

static void
test_find_matches (void)
{
  static const struct
  {
    const char *search;
    const char *text;
    const char *marked;
  } cases[] = {
    /* Bare words from the start of a word, whatever the case. */
    { "cat", "A Cat, a caterpillar, concat", "A [Cat], a [cat]erpillar, concat" },
    { "cat fox", "fox and cat", "[fox] and [cat]" },
    { "\"red fox\"", "a red fox, a red dog", "a [red fox], a red dog" },
    /* Symbols, emoji, CJK and parameters anywhere. */
    { "✨", "stars ✨ and ✨✨", "stars [✨] and [✨✨]" },
    { "東京", "夜の東京タワー", "夜の[東京]タワー" },
    { "--ar 16:9", "wide --ar 16:9 --v 7", "wide [--ar] [16:9] --v 7" },
    /* Overlapping terms merge; FTS5 syntax is not looked for. */
    { "cat cats", "cats", "[cats]" },
    { "cat* OR dog", "a cat or a dog", "a [cat] or a [dog]" },
    { "prompt:owl", "an owl", "an [owl]" },
    { "", "nothing", "nothing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = marked (cases[i].search, cases[i].text);

      g_assert_cmpstr (result, ==, cases[i].marked);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/index/write-and-reopen", test_write_and_reopen);
  ADD ("/index/open-refuses-garbage", test_open_refuses_garbage);
  ADD ("/index/update-job", test_update_job);
  ADD ("/index/search", test_search);
  ADD ("/index/search-odd-input", test_search_odd_input);
  ADD ("/index/filters", test_filters);
  ADD ("/index/images", test_images);
  ADD ("/index/download-kinds", test_download_kinds);
  ADD ("/index/rebuild-original-archive", test_rebuild_original_archive);
  ADD ("/index/open-archive", test_open_archive);
  ADD ("/index/search-symbols", test_search_symbols);
  g_test_add_func ("/index/find-matches", test_find_matches);
  ADD ("/index/rating-null", test_rating_null);
  ADD ("/index/schema-upgrade", test_schema_upgrade);
  ADD ("/index/no-wal-left", test_no_wal_left);
#undef ADD

  return g_test_run ();
}
