/* test-archive-safety.c — a hostile disk: planted links, a second writer, a full disk, a core dump
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person finds after someone prepared their archive: a day folder
 * replaced by a link to a folder outside, or a ".part" planted as a link
 * to a file outside, changes nothing outside the archive; the job is
 * reported by the link's name and skipped, the rest archived.  A second
 * sync on the same archive is refused at once, naming the first one's
 * pid, and writes nothing.  A disk that fills while a large image is
 * spilled to disk leaves no ".part" behind.  The process holding a
 * session writes no core dump.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mja-archive-lock.h"
#include "mja-archive-verify.h"
#include "mja-downloader.h"
#include "mja-util.h"
#include "test-utils.h"

static MjaJob *
fixture_job (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "current-diffusion.json", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  MjaJob *job;

  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  job = mja_job_new_from_data (data, -1, &error);
  g_assert_no_error (error);
  return job;
}

static char *
outside_file (const char *parent,
              const char *contents)
{
  char *path = g_build_filename (parent, "outside.txt", NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* A day folder that is a link to a folder outside: nothing is written
 * there, and the message names the link. */
static void
test_symlinked_day_folder (void)
{
  g_autofree char *parent = helper_make_archive_dir ();
  g_autofree char *root = g_build_filename (parent, "archive", NULL);
  g_autofree char *outside = g_build_filename (parent, "outside", NULL);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaJob) job = fixture_job ();
  g_autofree char *day = mja_archive_dup_date_dir (job);
  g_autofree char *day_path = g_build_filename (root, day, NULL);
  g_autofree char *month_path = g_path_get_dirname (day_path);
  g_autofree char *json = mja_archive_dup_json_path (job);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (month_path, 0755), ==, 0);
  g_assert_cmpint (symlink (outside, day_path), ==, 0);

  g_assert_false (mja_archive_check_path (archive, json, &error));
  g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK);
  g_assert_nonnull (strstr (error->message, day_path));
  g_clear_error (&error);

  g_assert_false (mja_archive_write_job (archive, job, 2, FALSE, NULL, &error));
  g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_clear_error (&error);

  /* A link higher up (the year) is caught the same way. */
  helper_remove_tree (root);
  g_assert_cmpint (g_mkdir_with_parents (root, 0755), ==, 0);
  {
    g_autofree char *year = g_strndup (day, 4);
    g_autofree char *year_path = g_build_filename (root, year, NULL);

    g_assert_cmpint (symlink (outside, year_path), ==, 0);
    g_assert_false (mja_archive_write_job (archive, job, 2, FALSE, NULL, &error));
    g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK);
    g_assert_nonnull (strstr (error->message, year_path));
    g_clear_error (&error);
  }

  listing = helper_archive_listing (outside);
  g_assert_cmpstr (listing, ==, "");
  helper_remove_tree (parent);
}

/* A day folder moved outside with a link left in its place: reindex and
 * verify do not follow it, and say so (they said "0 jobs", "0 problems"). */
static void
test_symlinked_folder_reported (void)
{
  g_autofree char *parent = helper_make_archive_dir ();
  g_autofree char *root = g_build_filename (parent, "archive", NULL);
  g_autofree char *outside = g_build_filename (parent, "outside", NULL);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaJob) job = fixture_job ();
  g_autofree char *day = mja_archive_dup_date_dir (job);
  g_autofree char *day_path = g_build_filename (root, day, NULL);
  g_autofree char *said = NULL;
  g_autoptr(MjaIndex) index = NULL;
  g_autoptr(MjaRebuildReport) rebuilt = NULL;
  g_autoptr(MjaVerifyReport) verified = NULL;
  g_autoptr(GError) error = NULL;
  MjaVerifyProblem *problem;

  g_assert_true (mja_archive_write_job (archive, job, 2, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (day_path, outside), ==, 0);
  g_assert_cmpint (symlink (outside, day_path), ==, 0);

  index = mja_index_open_archive (archive, &error);
  g_assert_no_error (error);
  rebuilt = mja_index_rebuild (index, archive, "https://cdn.example", "png", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rebuilt->jobs, ==, 0);
  g_assert_cmpuint (rebuilt->broken->len, ==, 1);
  said = g_strdup_printf ("%s: a symbolic link inside the archive, not followed", day);
  g_assert_cmpstr (rebuilt->broken->pdata[0], ==, said);

  verified = mja_archive_verify (archive, index, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (verified->problems->len, ==, 1);
  problem = g_ptr_array_index (verified->problems, 0);
  g_assert_cmpint (problem->kind, ==, MJA_VERIFY_SYMLINK);
  g_assert_cmpstr (mja_verify_kind_to_string (problem->kind), ==, "symlink");
  g_assert_cmpstr (problem->path, ==, day_path);
  g_assert_cmpstr (problem->detail, ==, "a symbolic link inside the archive, not followed");
  helper_remove_tree (parent);
}

/* A ".part" planted as a link to a file outside (the name files used to
 * be written under): the write goes beside it, the target is untouched. */
static void
test_planted_part_link (void)
{
  g_autofree char *parent = helper_make_archive_dir ();
  g_autofree char *root = g_build_filename (parent, "archive", NULL);
  g_autofree char *target = outside_file (parent, "precious\n");
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaJob) job = fixture_job ();
  g_autofree char *json = mja_archive_dup_json_path (job);
  g_autofree char *prompt = mja_archive_dup_prompt_path (job);
  g_autofree char *json_path = g_build_filename (root, json, NULL);
  g_autofree char *day_path = g_path_get_dirname (json_path);
  g_autofree char *json_part = g_strconcat (json_path, MJA_ARCHIVE_PART_SUFFIX, NULL);
  g_autofree char *prompt_part = g_build_filename (root, prompt, NULL);
  g_autofree char *image = mja_archive_dup_image_path (job, 0, 1, "png");
  g_autofree char *image_part = g_build_filename (root, image, NULL);
  g_autofree char *image_part_path = g_strconcat (image_part, MJA_ARCHIVE_PART_SUFFIX, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (day_path, 0755), ==, 0);
  g_assert_cmpint (symlink (target, json_part), ==, 0);
  g_free (g_steal_pointer (&prompt_part));
  prompt_part = g_strconcat (root, G_DIR_SEPARATOR_S, prompt, MJA_ARCHIVE_PART_SUFFIX, NULL);
  g_assert_cmpint (symlink (target, prompt_part), ==, 0);
  g_assert_cmpint (symlink (target, image_part_path), ==, 0);

  g_assert_true (mja_archive_write_job (archive, job, 2, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (json_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (json_path, G_FILE_TEST_IS_SYMLINK));

  /* Before a download: the planted .part goes, the link only. */
  g_assert_true (mja_archive_prepare_file (archive, image, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (image_part_path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));

  /* A final name that is a link is refused, not followed. */
  g_assert_cmpint (symlink (target, image_part), ==, 0);
  g_assert_false (mja_archive_prepare_file (archive, image, &error));
  g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK);
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
  helper_remove_tree (parent);
}

/* The same file written by two writers at once: each under its own
 * temporary name, so the final file is one of them whole. */
typedef struct
{
  MjaArchive *archive;
  const char *relative;
  char        fill;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;
  gsize size = 4 << 20;
  g_autofree char *contents = g_malloc (size);

  memset (contents, writer->fill, size);
  for (guint i = 0; i < 5; i++)
    g_assert_true (mja_archive_write_file (writer->archive, writer->relative, contents, size, NULL));
  return NULL;
}

static void
test_writers_never_mix (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  const char *relative = "2024/2024-01/2024-01-02/20240102-030405_0123abcd.json";
  Writer a = { archive, relative, 'a' }, b = { archive, relative, 'b' };
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(MjaArchiveScan) scan = NULL;
  GThread *ta, *tb;
  gsize length;

  mja_archive_set_flush (archive, FALSE);
  ta = g_thread_new ("a", writer_thread, &a);
  tb = g_thread_new ("b", writer_thread, &b);
  g_thread_join (ta);
  g_thread_join (tb);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, 4 << 20);
  for (gsize i = 1; i < length; i++)
    if (contents[i] != contents[0])
      g_error ("the file mixes both writers' bytes at offset %" G_GSIZE_FORMAT, i);
  scan = mja_archive_scan (archive, NULL, NULL);
  g_assert_cmpuint (scan->part_files->len, ==, 0);
  helper_remove_tree (root);
}

/* One writer at a time, and the second is told who the first is. */
static void
test_lock (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaArchiveLock) lock = NULL;
  g_autoptr(MjaArchiveLock) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("(pid %ld)", (long) getpid ());
  g_autofree char *path = mja_archive_dup_state_path (archive, "lock");
  g_autofree char *contents = NULL;
  gsize length = 0;

  lock = mja_archive_lock_acquire (archive, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);

  again = mja_archive_lock_acquire (archive, &error);
  g_assert_null (again);
  g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY);
  g_assert_true (g_str_has_prefix (error->message, "Another sync is running on this archive"));
  g_assert_nonnull (strstr (error->message, pid));
  g_clear_error (&error);

  /* Released, it holds no pid: a reader never takes a pid that is gone
   * for the holder's. */
  g_clear_pointer (&lock, mja_archive_lock_release);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, ==, 0);
  g_clear_pointer (&contents, g_free);
  again = mja_archive_lock_acquire (archive, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint (atol (contents), ==, (long) getpid ());
  g_clear_pointer (&again, mja_archive_lock_release);
  helper_remove_tree (root);
}

/* A sync while another holds the archive: refused before anything is
 * listed, written or removed. */
static void
test_sync_refused_while_locked (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *leftover_dir = g_build_filename (root, "2024", "2024-01", "2024-01-02", NULL);
  g_autofree char *leftover = g_build_filename (leftover_dir, "20240102-030405_0123abcd.png.part", NULL);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaArchiveLock) lock = NULL;
  g_autofree char *listing = NULL;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 8;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  helper_sync_options (&options, server);

  lock = mja_archive_lock_acquire (archive, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (leftover_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (leftover, "another process's download", -1, NULL));

  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 0);
  listing = helper_archive_listing (root);
  g_assert_nonnull (strstr (listing, "0123abcd.png.part"));
  g_assert_null (strstr (listing, ".json"));
  g_clear_error (&error);
  g_clear_object (&sync);

  /* Once it is free, the same sync runs. */
  g_clear_pointer (&lock, mja_archive_lock_release);
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), ==, 8);
  mja_sync_options_clear (&options);
  helper_remove_tree (root);
}

/* Which day folders and images a sync of @server makes. */
static GPtrArray *
files_of_a_clean_sync (MjaFakeServer *server,
                       MjaCredentials *credentials,
                       const char    *suffix)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_auto(GStrv) lines = NULL;
  MjaSyncOptions options;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  helper_sync_options (&options, server);
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);
  listing = helper_archive_listing (root);
  lines = g_strsplit (listing, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');

      if (space == NULL)
        continue;
      *space = '\0';
      if (g_str_has_suffix (lines[i], suffix))
        g_ptr_array_add (found, g_strdup (lines[i]));
    }
  mja_sync_options_clear (&options);
  helper_remove_tree (root);
  return found;
}

/* End to end: a planted day-folder link and a planted .part link; the
 * sync writes nothing outside, names the link, archives the rest. */
static void
test_sync_with_planted_links (void)
{
  MjaFakeServerOptions fake;
  MjaSyncOptions options;
  g_autoptr(MjaFakeServer) server = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autofree char *parent = helper_make_archive_dir ();
  g_autofree char *root = g_build_filename (parent, "archive", NULL);
  g_autofree char *outside = g_build_filename (parent, "outside", NULL);
  g_autofree char *target = outside_file (parent, "precious\n");
  g_autofree char *linked_day = NULL;
  g_autofree char *linked_day_path = NULL;
  g_autofree char *part_image = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  GPtrArray *problems;
  gboolean named = FALSE;

  mja_fake_server_options_init (&fake);
  fake.n_jobs = 30;
  server = helper_start_server (&fake);
  credentials = helper_current_credentials (server);
  images = files_of_a_clean_sync (server, credentials, ".png");
  g_assert_cmpuint (images->len, >, 2);

  /* The first image's day folder becomes a link outside; the last
   * image's .part (in another day, the fake spreads them) a link to a
   * file outside. */
  linked_day = g_path_get_dirname (images->pdata[0]);
  for (guint i = images->len; i-- > 0;)
    if (!g_str_has_prefix (images->pdata[i], linked_day))
      {
        part_image = g_strdup (images->pdata[i]);
        break;
      }
  g_assert_nonnull (part_image);
  g_assert_cmpint (g_mkdir_with_parents (outside, 0755), ==, 0);
  linked_day_path = g_build_filename (root, linked_day, NULL);
  {
    g_autofree char *month = g_path_get_dirname (linked_day_path);
    g_autofree char *part_path = g_strconcat (root, G_DIR_SEPARATOR_S, part_image, MJA_ARCHIVE_PART_SUFFIX, NULL);
    g_autofree char *part_dir = g_path_get_dirname (part_path);

    g_assert_cmpint (g_mkdir_with_parents (month, 0755), ==, 0);
    g_assert_cmpint (symlink (outside, linked_day_path), ==, 0);
    g_assert_cmpint (g_mkdir_with_parents (part_dir, 0755), ==, 0);
    g_assert_cmpint (symlink (target, part_path), ==, 0);
  }

  helper_sync_options (&options, server);
  sync = mja_sync_new (root, credentials, &options);
  error = helper_run (sync, NULL);
  g_assert_no_error (error);

  /* Nothing outside changed. */
  listing = helper_archive_listing (outside);
  g_assert_cmpstr (listing, ==, "");
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");

  /* The link is named; the image behind the planted .part is archived. */
  problems = mja_sync_get_problems (sync);
  for (guint i = 0; i < problems->len; i++)
    {
      MjaSyncProblem *problem = problems->pdata[i];

      g_test_message ("problem: %s", problem->message);
      named |= strstr (problem->message, linked_day_path) != NULL && strstr (problem->message, "symbolic link") != NULL;
    }
  g_assert_true (named);
  {
    g_autofree char *image_path = g_build_filename (root, part_image, NULL);
    GStatBuf st;

    g_assert_cmpint (g_lstat (image_path, &st), ==, 0);
    g_assert_true (S_ISREG (st.st_mode));
    g_assert_cmpint (st.st_size, >, 0);
  }
  g_assert_cmpuint (mja_sync_get_jobs_new (sync), >, 0);
  mja_sync_options_clear (&options);
  helper_remove_tree (parent);
}

/* ---- a disk that fills while an image spills to it ------------------ */

static GBytes *big_png;

static void
big_image_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY, g_bytes_get_data (big_png, NULL),
                                    g_bytes_get_size (big_png));
}

typedef struct
{
  gboolean  idle;
  GError   *error;
} DiskRun;

static void
failed_cb (MjaDownloader *downloader,
           const char    *job_id,
           guint          index,
           GError        *error,
           DiskRun       *run)
{
  g_clear_error (&run->error);
  run->error = g_error_copy (error);
}

static void
idle_cb (MjaDownloader *downloader,
         DiskRun       *run)
{
  run->idle = TRUE;
}

static gboolean
disk_run_idle (gpointer data)
{
  return ((DiskRun *) data)->idle;
}

static void
test_disk_full_while_spilling (void)
{
  g_autofree char *root = helper_make_archive_dir ();
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupServer) server = helper_local_server_new (&base);
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(MjaDownloader) downloader = NULL;
  g_autoptr(MjaArchiveScan) scan = NULL;
  const char *relative = "2024/2024-01/2024-01-02/20240102-030405_0123abcd.png";
  g_autofree char *path = g_build_filename (root, relative, NULL);
  struct rlimit saved, small = { 4 << 20, 0 };
  DiskRun run = { 0 };

  big_png = helper_image_bytes ("png", 12 << 20);  /* past the 8 MiB held in memory */
  soup_server_add_handler (server, NULL, big_image_cb, NULL, NULL);
  url = g_strconcat (base, "/big.png", NULL);

  /* The disk "fills" at 4 MiB: writes past it fail (EFBIG, as ENOSPC). */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small.rlim_max = saved.rlim_max;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);

  downloader = mja_downloader_new (archive, 1, NULL);
  mja_downloader_set_retry_policy (downloader, 1, 10);
  g_signal_connect (downloader, "image-failed", G_CALLBACK (failed_cb), &run);
  g_signal_connect (downloader, "idle", G_CALLBACK (idle_cb), &run);
  mja_downloader_add (downloader, "0123abcd", 0, url, relative);
  helper_wait_until (disk_run_idle, &run, 60, "the download to end");
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);

  g_assert_error (run.error, MJA_DOWNLOAD_ERROR, MJA_DOWNLOAD_ERROR_DISK);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  scan = mja_archive_scan (archive, NULL, NULL);
  g_assert_cmpuint (scan->part_files->len, ==, 0);

  g_clear_error (&run.error);
  g_clear_pointer (&big_png, g_bytes_unref);
  helper_remove_tree (root);
}

/* Last: it changes the test process for good. */
static void
test_protect_process (void)
{
  struct rlimit core;

  mja_util_protect_process ();
#if !MJA_SANITIZED  /* LeakSanitizer needs it dumpable (meson.build) */
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
#endif
  g_assert_cmpint (getrlimit (RLIMIT_CORE, &core), ==, 0);
  g_assert_cmpuint (core.rlim_cur, ==, 0);
  g_assert_cmpuint (core.rlim_max, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/archive-safety/symlinked-day-folder", test_symlinked_day_folder);
  g_test_add_func ("/archive-safety/symlinked-folder-reported", test_symlinked_folder_reported);
  g_test_add_func ("/archive-safety/planted-part-link", test_planted_part_link);
  g_test_add_func ("/archive-safety/writers-never-mix", test_writers_never_mix);
  g_test_add_func ("/archive-safety/lock", test_lock);
  g_test_add_func ("/archive-safety/sync-refused-while-locked", test_sync_refused_while_locked);
  g_test_add_func ("/archive-safety/sync-with-planted-links", test_sync_with_planted_links);
  g_test_add_func ("/archive-safety/disk-full-while-spilling", test_disk_full_while_spilling);
  g_test_add_func ("/archive-safety/protect-process", test_protect_process);

  return g_test_run ();
}
