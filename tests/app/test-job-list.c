/* test-job-list.c — the grid's model reads rows from the index when shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the window shows comes through MjaJobList: the same jobs, in the
 * same order, with the same prompts as a full query of the index, whether
 * loaded at once or as first screenfuls and the rest; a job the window is
 * showing is found again after the list changes; a job removed from the
 * index meanwhile still gives an item (its id) instead of a hole.
 */
#include "config.h"

#include "mja-job-list.h"
#include "test-utils.h"

#define N_JOBS 700

typedef struct
{
  char     *root;
  MjaIndex *index;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaArchive) archive = NULL;

  fixture->root = helper_make_archive_dir ();
  archive = mja_archive_new (fixture->root);
  fixture->index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  helper_index_numbered_jobs (fixture->index, N_JOBS);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->index);
  helper_remove_tree (fixture->root);
  g_free (fixture->root);
}

typedef struct
{
  guint calls;
  guint position, removed, added;
} Changes;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->calls++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

/* Every position gives the job a full query of the index has there. */
static void
assert_same_as_query (Fixture             *fixture,
                      MjaJobList          *list,
                      const MjaIndexQuery *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = mja_index_query (fixture->index, query, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    {
      MjaIndexRow *row = g_ptr_array_index (rows, i);
      g_autoptr(MjaJobItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_nonnull (item);
      g_assert_cmpstr (mja_job_item_get_id (item), ==, row->id);
      g_assert_cmpstr (mja_job_item_get_prompt (item), ==, row->prompt);
      g_assert_cmpstr (mja_job_item_get_job_type (item), ==, row->job_type);
      g_assert_cmpint (mja_job_item_get_time (item), ==, row->time_us);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), rows->len));
}

/* A list of the whole index, as the window fills it. */
static MjaJobList *
list_of_everything (Fixture *fixture,
                    Changes *changes)
{
  MjaJobList *list = mja_job_list_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = mja_index_query_ids (fixture->index, &(MjaIndexQuery) { 0 }, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, N_JOBS);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), changes);
  g_assert_true (mja_job_list_set_archive (list, fixture->root, &error));
  mja_job_list_splice (list, 0, 0, ids);
  g_assert_cmpuint (ids->len, ==, 0);  /* taken */
  return list;
}

static void
test_whole_query (Fixture       *fixture,
                  gconstpointer  data)
{
  Changes changes = { 0 };
  g_autoptr(MjaJobList) list = list_of_everything (fixture, &changes);
  MjaIndexQuery query = { 0 };

  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.added, ==, N_JOBS);
  assert_same_as_query (fixture, list, &query);
  /* Newest first: the last job made is at the top. */
  {
    g_autoptr(MjaJobItem) top = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autofree char *expected = g_strdup_printf ("prompt of job %u", N_JOBS - 1);

    g_assert_cmpstr (mja_job_item_get_prompt (top), ==, expected);
  }
  /* Asked twice (more than the list keeps made in between): the same job. */
  for (guint i = 0; i < N_JOBS; i++)
    {
      g_autoptr(MjaJobItem) again = g_list_model_get_item (G_LIST_MODEL (list), (i * 7) % N_JOBS);

      g_assert_cmpuint (mja_job_list_find (list, mja_job_item_get_id (again)), ==, (i * 7) % N_JOBS);
    }
  g_assert_cmpuint (mja_job_list_find (list, "not-a-job"), ==, G_MAXUINT);
}

/* The window's two steps: the first screenfuls, then the rest behind. */
static void
test_first_rows_then_rest (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(MjaJobList) list = mja_job_list_new ();
  g_autoptr(GError) error = NULL;
  MjaIndexQuery first = { 0 }, rest = { 0 }, search = { 0 };
  g_autoptr(GPtrArray) first_ids = NULL;
  g_autoptr(GPtrArray) rest_ids = NULL;
  g_autoptr(GPtrArray) search_ids = NULL;
  Changes changes = { 0 };

  first.limit = 240;
  rest.offset = 240;
  first_ids = mja_index_query_ids (fixture->index, &first, &error);
  g_assert_no_error (error);
  rest_ids = mja_index_query_ids (fixture->index, &rest, &error);
  g_assert_no_error (error);
  g_assert_true (mja_job_list_set_archive (list, fixture->root, &error));
  mja_job_list_splice (list, 0, 0, first_ids);
  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &changes);
  mja_job_list_splice (list, 240, 0, rest_ids);
  g_assert_cmpuint (changes.position, ==, 240);
  g_assert_cmpuint (changes.added, ==, N_JOBS - 240);
  assert_same_as_query (fixture, list, &(MjaIndexQuery) { 0 });

  /* A search replaces everything: the upscales, a third of the jobs. */
  search.job_types = (GStrv) (const char *[]) { "upscale", NULL };
  search_ids = mja_index_query_ids (fixture->index, &search, &error);
  g_assert_no_error (error);
  mja_job_list_splice (list, 0, N_JOBS, search_ids);
  g_assert_cmpuint (changes.removed, ==, N_JOBS);
  g_assert_cmpuint (changes.added, ==, (N_JOBS + 2) / 3);
  assert_same_as_query (fixture, list, &search);

  /* And a splice in the middle keeps what is on either side. */
  {
    g_autoptr(GPtrArray) two = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(MjaJobItem) before = g_list_model_get_item (G_LIST_MODEL (list), 9);
    g_autoptr(MjaJobItem) after = g_list_model_get_item (G_LIST_MODEL (list), 15);
    g_autoptr(MjaJobItem) first_new = NULL;
    g_autoptr(MjaJobItem) after_now = NULL;
    guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

    g_ptr_array_add (two, g_strdup ("00000001-0000-4000-8000-000000000001"));
    g_ptr_array_add (two, g_strdup ("00000002-0000-4000-8000-000000000002"));
    mja_job_list_splice (list, 10, 5, two);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n - 3);
    first_new = g_list_model_get_item (G_LIST_MODEL (list), 10);
    g_assert_cmpstr (mja_job_item_get_prompt (first_new), ==, "prompt of job 1");
    after_now = g_list_model_get_item (G_LIST_MODEL (list), 12);
    g_assert_cmpstr (mja_job_item_get_id (after_now), ==, mja_job_item_get_id (after));
    g_assert_cmpuint (mja_job_list_find (list, mja_job_item_get_id (before)), ==, 9);
  }
}

/* A sync or a reindex removed a job after the window queried: its cell
 * still has an item, with the id and nothing else, not a crash or a gap. */
static void
test_job_gone_from_index (Fixture       *fixture,
                          gconstpointer  data)
{
  Changes changes = { 0 };
  g_autoptr(MjaJobList) list = list_of_everything (fixture, &changes);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaJobItem) item = NULL;

  g_assert_true (mja_index_clear (fixture->index, &error));
  item = g_list_model_get_item (G_LIST_MODEL (list), N_JOBS - 1);
  g_assert_nonnull (item);
  /* The oldest: job 0. */
  g_assert_cmpstr (mja_job_item_get_id (item), ==, "00000000-0000-4000-8000-000000000000");
  g_assert_cmpstr (mja_job_item_get_prompt (item), ==, "");
  g_assert_null (mja_job_item_get_image (item));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/job-list/whole-query", Fixture, NULL, fixture_set_up, test_whole_query, fixture_tear_down);
  g_test_add ("/job-list/first-rows-then-rest", Fixture, NULL, fixture_set_up, test_first_rows_then_rest,
              fixture_tear_down);
  g_test_add ("/job-list/job-gone-from-index", Fixture, NULL, fixture_set_up, test_job_gone_from_index,
              fixture_tear_down);
  return g_test_run ();
}
