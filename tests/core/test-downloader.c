/* test-downloader.c — the download queue against a CDN the test shapes byte by byte
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person finds in the archive after the downloader ran: never more
 * downloads at once than asked for; a file under its final name only once
 * it is whole (before, a ".part" beside it); a web page or an image of
 * another kind than its name says refused, not saved; a failing image
 * tried again and then reported, one that is not there reported at once;
 * "too many requests" waited out as long as the CDN asked; a cancelled
 * download leaving nothing behind.  The CDN is a plain SoupServer in this
 * thread, so that each test decides every answer.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mja-downloader.h"
#include "test-utils.h"

#define BIG_SIZE  (20u << 20)  /* larger than any download is held in memory */
#define HELD_TAIL 4096
#define SLOW_ANSWER_MS 300

typedef struct
{
  SoupServer        *server;
  char              *url;
  GHashTable        *hits;          /* path -> count */
  GBytes            *png;
  GBytes            *jpeg;
  GBytes            *big;
  guint              in_flight;
  guint              max_in_flight;
  gint64             limited_first_us;
  gint64             limited_again_us;
  SoupServerMessage *held;          /* the big answer, before its last bytes */
  guint              cookies;       /* requests that carried a session */
} Cdn;

typedef struct
{
  gboolean  done;
  gboolean  skipped;
  guint64   bytes;
  GError   *error;
} Result;

typedef struct
{
  Cdn            cdn;
  char          *root;
  MjaArchive    *archive;
  GCancellable  *cancellable;
  MjaDownloader *downloader;
  GHashTable    *results;  /* "job/index" -> Result* */
  guint          idle;
} Fixture;

static const char web_page[] = "<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>";

static void
result_free (Result *result)
{
  g_clear_error (&result->error);
  g_free (result);
}

static void
respond_bytes (SoupServerMessage *msg,
               const char        *type,
               GBytes            *bytes)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes));
}

typedef struct
{
  Cdn               *cdn;
  SoupServerMessage *msg;
} Slow;

static gboolean
slow_answer_cb (gpointer data)
{
  Slow *slow = data;

  slow->cdn->in_flight--;
  respond_bytes (slow->msg, "image/png", slow->cdn->png);
  soup_server_message_unpause (slow->msg);
  g_object_unref (slow->msg);
  g_free (slow);
  return G_SOURCE_REMOVE;
}

/* /slow/…   a PNG after 300 ms, counting how many are asked for at once
 * /png/…    a PNG           /jpeg/…  a JPEG       /html/…  a web page as image/png
 * /flakyN/… 503 N times, then a PNG               /down/…  always 503
 * /missing/… 404            /limited/… 429 "Retry-After: 1" once, then a PNG
 * /hour/…   429 "Retry-After: 3600", always
 * /big/…    a large PNG, all but its last bytes, until the test lets go
 * /hold/…   no answer at all until the client goes away */
static void
cdn_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Cdn *cdn = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  guint hits = GPOINTER_TO_UINT (g_hash_table_lookup (cdn->hits, path)) + 1;
  guint failures;

  g_hash_table_insert (cdn->hits, g_strdup (path), GUINT_TO_POINTER (hits));
  if (soup_message_headers_get_one (request, "Cookie") != NULL ||
      soup_message_headers_get_one (request, "Authorization") != NULL)
    cdn->cookies++;

  if (g_str_has_prefix (path, "/slow/"))
    {
      Slow *slow = g_new0 (Slow, 1);

      slow->cdn = cdn;
      slow->msg = g_object_ref (msg);
      cdn->in_flight++;
      cdn->max_in_flight = MAX (cdn->max_in_flight, cdn->in_flight);
      soup_server_message_pause (msg);
      /* Long enough for every request the downloader lets out at once
       * to arrive, even under valgrind. */
      g_timeout_add (SLOW_ANSWER_MS, slow_answer_cb, slow);
    }
  else if (g_str_has_prefix (path, "/png/"))
    respond_bytes (msg, "image/png", cdn->png);
  else if (g_str_has_prefix (path, "/jpeg/"))
    respond_bytes (msg, "image/jpeg", cdn->jpeg);
  else if (g_str_has_prefix (path, "/html/"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, web_page, sizeof web_page - 1);
    }
  else if (sscanf (path, "/flaky%u/", &failures) == 1)
    {
      if (hits <= failures)
        soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      else
        respond_bytes (msg, "image/png", cdn->png);
    }
  else if (g_str_has_prefix (path, "/down/"))
    soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  else if (g_str_has_prefix (path, "/limited/"))
    {
      if (hits == 1)
        {
          cdn->limited_first_us = g_get_monotonic_time ();
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
          soup_server_message_set_status (msg, 429, NULL);
        }
      else
        {
          cdn->limited_again_us = g_get_monotonic_time ();
          respond_bytes (msg, "image/png", cdn->png);
        }
    }
  else if (g_str_has_prefix (path, "/hour/"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "3600");
      soup_server_message_set_status (msg, 429, NULL);
    }
  else if (g_str_has_prefix (path, "/big/"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      g_assert_null (cdn->held);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "image/png", NULL);
      soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_COPY,
                                g_bytes_get_data (cdn->big, NULL), g_bytes_get_size (cdn->big) - HELD_TAIL);
      cdn->held = g_object_ref (msg);
    }
  else if (g_str_has_prefix (path, "/hold/"))
    soup_server_message_pause (msg);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* The big answer's last bytes: the download can end. */
static void
cdn_release_big (Cdn *cdn)
{
  SoupMessageBody *body = soup_server_message_get_response_body (cdn->held);
  const guint8 *data = g_bytes_get_data (cdn->big, NULL);

  soup_message_body_append (body, SOUP_MEMORY_COPY, data + g_bytes_get_size (cdn->big) - HELD_TAIL, HELD_TAIL);
  soup_message_body_complete (body);
  soup_server_message_unpause (cdn->held);
  g_clear_object (&cdn->held);
}

static guint
cdn_hits (Cdn        *cdn,
          const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (cdn->hits, path));
}

static char *
key_of (const char *job_id,
        guint       index)
{
  return g_strdup_printf ("%s/%u", job_id, index);
}

static void
image_done_cb (MjaDownloader *downloader,
               const char    *job_id,
               guint          index,
               guint64        bytes,
               gboolean       skipped,
               Fixture       *fixture)
{
  g_autofree char *key = key_of (job_id, index);
  Result *result = g_new0 (Result, 1);

  /* Each image is reported once. */
  g_assert_false (g_hash_table_contains (fixture->results, key));
  result->done = TRUE;
  result->bytes = bytes;
  result->skipped = skipped;
  g_hash_table_insert (fixture->results, g_steal_pointer (&key), result);
}

static void
image_failed_cb (MjaDownloader *downloader,
                 const char    *job_id,
                 guint          index,
                 const GError  *error,
                 Fixture       *fixture)
{
  g_autofree char *key = key_of (job_id, index);
  Result *result = g_new0 (Result, 1);

  g_assert_false (g_hash_table_contains (fixture->results, key));
  result->error = g_error_copy (error);
  g_hash_table_insert (fixture->results, g_steal_pointer (&key), result);
}

static void
idle_cb (MjaDownloader *downloader,
         Fixture       *fixture)
{
  fixture->idle++;
}

static void
make_downloader (Fixture *fixture,
                 guint    concurrency)
{
  g_clear_object (&fixture->downloader);
  fixture->downloader = mja_downloader_new (fixture->archive, concurrency, fixture->cancellable);
  mja_downloader_set_retry_policy (fixture->downloader, 3, 10);
  g_signal_connect (fixture->downloader, "image-done", G_CALLBACK (image_done_cb), fixture);
  g_signal_connect (fixture->downloader, "image-failed", G_CALLBACK (image_failed_cb), fixture);
  g_signal_connect (fixture->downloader, "idle", G_CALLBACK (idle_cb), fixture);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  Cdn *cdn = &fixture->cdn;

  cdn->server = helper_local_server_new (&cdn->url);
  cdn->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cdn->png = helper_image_bytes ("png", 0);
  cdn->jpeg = helper_image_bytes ("jpeg", 0);
  soup_server_add_handler (cdn->server, NULL, cdn_cb, cdn, NULL);

  fixture->root = helper_make_archive_dir ();
  fixture->archive = mja_archive_new (fixture->root);
  fixture->cancellable = g_cancellable_new ();
  fixture->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) result_free);
  make_downloader (fixture, 4);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  Cdn *cdn = &fixture->cdn;

  g_clear_object (&fixture->downloader);
  g_clear_object (&cdn->held);
  soup_server_disconnect (cdn->server);
  g_clear_object (&cdn->server);
  /* What the server had in flight goes with its connections. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_hash_table_unref (cdn->hits);
  g_bytes_unref (cdn->png);
  g_bytes_unref (cdn->jpeg);
  g_clear_pointer (&cdn->big, g_bytes_unref);
  g_free (cdn->url);

  g_hash_table_unref (fixture->results);
  g_clear_object (&fixture->cancellable);
  g_clear_object (&fixture->archive);
  helper_remove_tree (fixture->root);
  g_free (fixture->root);
}

/* Queues image @index of @job_id from @path of the CDN into @relative. */
static void
add (Fixture    *fixture,
     const char *job_id,
     guint       index,
     const char *path,
     const char *relative)
{
  g_autofree char *url = g_strconcat (fixture->cdn.url, path, NULL);

  mja_downloader_add (fixture->downloader, job_id, index, url, relative);
}

static gboolean
queue_is_empty (gpointer data)
{
  Fixture *fixture = data;

  return mja_downloader_get_pending (fixture->downloader) == 0;
}

static void
wait_for_queue (Fixture *fixture)
{
  helper_wait_until (queue_is_empty, fixture, 60, "the download queue to run empty");
}

static Result *
result_of (Fixture    *fixture,
           const char *job_id,
           guint       index)
{
  g_autofree char *key = key_of (job_id, index);
  Result *result = g_hash_table_lookup (fixture->results, key);

  g_assert_nonnull (result);
  return result;
}

static char *
path_of (Fixture    *fixture,
         const char *relative)
{
  return mja_archive_dup_path (fixture->archive, relative);
}

/* @relative holds exactly @expected, and nothing is left beside it. */
static void
assert_saved (Fixture    *fixture,
              const char *relative,
              GBytes     *expected)
{
  g_autofree char *path = path_of (fixture, relative);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* Nothing under @relative, whole or partial. */
static void
assert_nothing_at (Fixture    *fixture,
                   const char *relative)
{
  g_autofree char *path = path_of (fixture, relative);
  g_autofree char *part = g_strconcat (path, ".part", NULL);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
assert_failed (Fixture    *fixture,
               const char *job_id,
               guint       index,
               int         code)
{
  Result *result = result_of (fixture, job_id, index);

  g_assert_false (result->done);
  g_assert_error (result->error, MJA_DOWNLOAD_ERROR, code);
  g_assert_true (g_utf8_validate (result->error->message, -1, NULL));
}

/* Never more at once than asked for, and as many as asked for. */
static void
test_concurrency_cap (Fixture       *fixture,
                      gconstpointer  data)
{
  static const guint caps[] = { 3, 1 };

  for (guint c = 0; c < G_N_ELEMENTS (caps); c++)
    {
      g_test_message ("at most %u at once", caps[c]);
      make_downloader (fixture, caps[c]);
      fixture->cdn.max_in_flight = 0;
      g_hash_table_remove_all (fixture->results);
      for (guint i = 0; i < 9; i++)
        {
          g_autofree char *path = g_strdup_printf ("/slow/%u-%u.png", c, i);
          g_autofree char *relative = g_strdup_printf ("cap%u/image-%u.png", c, i);

          add (fixture, "job", i, path, relative);
        }
      wait_for_queue (fixture);
      g_assert_cmpuint (fixture->cdn.max_in_flight, ==, caps[c]);
      g_assert_cmpuint (g_hash_table_size (fixture->results), ==, 9);
      for (guint i = 0; i < 9; i++)
        {
          g_autofree char *relative = g_strdup_printf ("cap%u/image-%u.png", c, i);
          Result *result = result_of (fixture, "job", i);

          g_assert_true (result->done);
          g_assert_false (result->skipped);
          g_assert_cmpuint (result->bytes, ==, g_bytes_get_size (fixture->cdn.png));
          assert_saved (fixture, relative, fixture->cdn.png);
        }
    }
  g_assert_cmpuint (fixture->cdn.cookies, ==, 0);
}

typedef struct
{
  Fixture    *fixture;
  const char *relative;
} Watched;

static gboolean
part_has_bytes (gpointer data)
{
  Watched *watched = data;
  g_autofree char *path = path_of (watched->fixture, watched->relative);
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  GStatBuf st;

  return g_stat (part, &st) == 0 && st.st_size > 0;
}

static gboolean
has_result (gpointer data)
{
  Watched *watched = data;

  return g_hash_table_size (watched->fixture->results) > 0;
}

/* While the image comes, it is a .part beside its final name, which
 * stays free; once whole, it has that name and the .part is gone. */
static void
test_part_then_rename (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *relative = "2024/2024-05/2024-05-01/image.png";
  Watched watched = { fixture, relative };
  g_autofree char *path = path_of (fixture, relative);
  Result *result;

  fixture->cdn.big = helper_image_bytes ("png", BIG_SIZE);
  add (fixture, "job", 0, "/big/image.png", relative);
  helper_wait_until (part_has_bytes, &watched, 60, "the .part file");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_hash_table_size (fixture->results), ==, 0);

  cdn_release_big (&fixture->cdn);
  helper_wait_until (has_result, &watched, 60, "the download to end");
  result = result_of (fixture, "job", 0);
  g_assert_no_error (result->error);
  g_assert_true (result->done);
  g_assert_cmpuint (result->bytes, ==, g_bytes_get_size (fixture->cdn.big));
  assert_saved (fixture, relative, fixture->cdn.big);
}

/* The first bytes decide: an image of the kind its name says is saved;
 * a web page, or an image of another kind, is refused and not saved. */
static void
test_sniffed_extension (Fixture       *fixture,
                        gconstpointer  data)
{
  add (fixture, "png", 0, "/png/a.png", "sniff/png.png");
  add (fixture, "jpeg", 0, "/jpeg/b.jpg", "sniff/jpeg.jpg");
  add (fixture, "jpeg-as-png", 0, "/jpeg/c.png", "sniff/jpeg-as-png.png");
  add (fixture, "png-as-webp", 0, "/png/d.webp", "sniff/png-as-webp.webp");
  add (fixture, "page", 0, "/html/e.png", "sniff/page.png");
  wait_for_queue (fixture);

  g_assert_true (result_of (fixture, "png", 0)->done);
  assert_saved (fixture, "sniff/png.png", fixture->cdn.png);
  g_assert_true (result_of (fixture, "jpeg", 0)->done);
  assert_saved (fixture, "sniff/jpeg.jpg", fixture->cdn.jpeg);

  assert_failed (fixture, "jpeg-as-png", 0, MJA_DOWNLOAD_ERROR_NOT_MEDIA);
  assert_nothing_at (fixture, "sniff/jpeg-as-png.png");
  assert_failed (fixture, "png-as-webp", 0, MJA_DOWNLOAD_ERROR_NOT_MEDIA);
  assert_nothing_at (fixture, "sniff/png-as-webp.webp");
  assert_failed (fixture, "page", 0, MJA_DOWNLOAD_ERROR_NOT_MEDIA);
  assert_nothing_at (fixture, "sniff/page.png");
  /* A refused answer is not asked for again: it would be the same. */
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/html/e.png"), ==, 1);
}

/* A CDN that fails now and then: tried again, and saved; one that keeps
 * failing: reported after the tries; an image that is not there:
 * reported at once; one already on disk: not fetched again. */
static void
test_failing_image_retried_then_reported (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autofree char *existing = path_of (fixture, "retry/there.png");
  g_autofree char *dir = g_path_get_dirname (existing);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (existing, "already here", -1, NULL));

  add (fixture, "flaky", 0, "/flaky2/a.png", "retry/flaky.png");
  add (fixture, "down", 0, "/down/b.png", "retry/down.png");
  add (fixture, "missing", 0, "/missing/c.png", "retry/missing.png");
  add (fixture, "there", 0, "/png/there.png", "retry/there.png");
  wait_for_queue (fixture);

  g_assert_true (result_of (fixture, "flaky", 0)->done);
  assert_saved (fixture, "retry/flaky.png", fixture->cdn.png);
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/flaky2/a.png"), ==, 3);

  assert_failed (fixture, "down", 0, MJA_DOWNLOAD_ERROR_NETWORK);
  assert_nothing_at (fixture, "retry/down.png");
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/down/b.png"), ==, 3);

  assert_failed (fixture, "missing", 0, MJA_DOWNLOAD_ERROR_HTTP);
  assert_nothing_at (fixture, "retry/missing.png");
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/missing/c.png"), ==, 1);

  g_assert_true (result_of (fixture, "there", 0)->done);
  g_assert_true (result_of (fixture, "there", 0)->skipped);
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/png/there.png"), ==, 0);
  g_assert_cmpuint (fixture->idle, >=, 1);
}

/* "Too many requests, retry after 1 s": asked again after that second,
 * not at once and not after the downloader's own longer wait. */
static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 waited;

  add (fixture, "limited", 0, "/limited/a.png", "limited/a.png");
  wait_for_queue (fixture);
  g_assert_true (result_of (fixture, "limited", 0)->done);
  assert_saved (fixture, "limited/a.png", fixture->cdn.png);
  waited = fixture->cdn.limited_again_us - fixture->cdn.limited_first_us;
  g_test_message ("asked again after %" G_GINT64_FORMAT " ms", waited / 1000);
  g_assert_cmpint (waited, >=, 1000000);
  g_assert_cmpint (waited, <, 4000000);
}

/* "Retry after an hour": beyond the budget of all waits (15 minutes), so
 * the image fails at once, after its one request, instead of an hour's
 * wait (or the ten minutes each wait is cut to, eight times). */
static void
test_retry_after_budget (Fixture       *fixture,
                         gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();
  Result *result;

  add (fixture, "hour", 0, "/hour/a.png", "hour/a.png");
  wait_for_queue (fixture);
  assert_failed (fixture, "hour", 0, MJA_DOWNLOAD_ERROR_NETWORK);
  result = result_of (fixture, "hour", 0);
  g_test_message ("said: %s", result->error->message);
  g_assert_nonnull (strstr (result->error->message, "15 minutes"));
  assert_nothing_at (fixture, "hour/a.png");
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/hour/a.png"), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* Cancelled in the middle of an image, or before its answer began:
 * nothing under the final name, no .part, no failure reported; what is
 * added after is not fetched. */
static void
test_cancel_leaves_nothing (Fixture       *fixture,
                            gconstpointer  data)
{
  Watched watched = { fixture, "cancel/big.png" };

  fixture->cdn.big = helper_image_bytes ("png", BIG_SIZE);
  add (fixture, "big", 0, "/big/a.png", "cancel/big.png");
  add (fixture, "held", 0, "/hold/b.png", "cancel/held.png");
  helper_wait_until (part_has_bytes, &watched, 60, "the .part file");

  g_cancellable_cancel (fixture->cancellable);
  wait_for_queue (fixture);
  assert_nothing_at (fixture, "cancel/big.png");
  assert_nothing_at (fixture, "cancel/held.png");
  g_assert_cmpuint (g_hash_table_size (fixture->results), ==, 0);
  g_assert_cmpuint (fixture->idle, >=, 1);

  add (fixture, "later", 0, "/png/later.png", "cancel/later.png");
  wait_for_queue (fixture);
  helper_wait_ms (100);
  assert_nothing_at (fixture, "cancel/later.png");
  g_assert_cmpuint (cdn_hits (&fixture->cdn, "/png/later.png"), ==, 0);
  g_assert_cmpuint (g_hash_table_size (fixture->results), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/downloader/concurrency-cap", test_concurrency_cap);
  ADD ("/downloader/part-then-rename", test_part_then_rename);
  ADD ("/downloader/sniffed-extension", test_sniffed_extension);
  ADD ("/downloader/failing-image-retried-then-reported", test_failing_image_retried_then_reported);
  ADD ("/downloader/retry-after", test_retry_after);
  ADD ("/downloader/retry-after-budget", test_retry_after_budget);
  ADD ("/downloader/cancel-leaves-nothing", test_cancel_leaves_nothing);
#undef ADD

  return g_test_run ();
}
