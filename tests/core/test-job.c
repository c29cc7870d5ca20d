/* test-job.c — MjaJob over fixtures shaped like the protocol page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mja-api.h"
#include "mja-archive.h"
#include "mja-job.h"
#include "mja-util.h"

static MjaJob *
load_fixture (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autofree char *data = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  MjaJob *job;

  g_assert_true (g_file_get_contents (path, &data, &length, &error));
  job = mja_job_new_from_data (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
  return job;
}

static void
assert_time (GDateTime  *dt,
             const char *expected)
{
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S.%f %Z");
  g_assert_cmpstr (text, ==, expected);
}

static void
test_legacy_upscale (void)
{
  g_autoptr(MjaJob) job = load_fixture ("legacy-upscale.json");
  g_auto(GStrv) urls = mja_api_dup_image_urls (job, "http://ignored", "png");
  g_autofree char *base = mja_archive_dup_base_name (job);
  g_autofree char *dir = mja_archive_dup_date_dir (job);

  g_assert_cmpint (mja_job_get_era (job), ==, MJA_JOB_ERA_LEGACY);
  g_assert_cmpstr (mja_job_get_id (job), ==, "8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c");
  assert_time (mja_job_get_enqueue_time (job), "2022-09-07 06:58:02.200753 UTC");
  g_assert_cmpstr (mja_job_get_job_type (job), ==, "upscale");
  g_assert_cmpstr (mja_job_get_event_type (job), ==, "upscale");
  g_assert_cmpint (mja_job_get_kind (job), ==, MJA_JOB_KIND_UPSCALE);
  g_assert_cmpstr (mja_job_get_prompt (job), ==, "a lighthouse on a basalt cliff, watercolor");
  g_assert_cmpstr (mja_job_get_full_command (job), ==, "a lighthouse on a basalt cliff, watercolor --ar 16:9 --v 4");
  g_assert_cmpuint (mja_job_get_width (job), ==, 1456);
  g_assert_cmpuint (mja_job_get_height (job), ==, 816);
  g_assert_cmpuint (mja_job_get_batch_size (job), ==, 1);
  g_assert_cmpuint (mja_job_get_rating (job), ==, 4);
  g_assert_true (mja_job_get_liked (job));
  g_assert_cmpstr (mja_job_get_parent_id (job), ==, "1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_cmpstr (urls[0], ==, "https://mj-gallery.com/8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c/grid_0.png");
  g_assert_cmpstr (base, ==, "20220907-065802_8b4c5b8c-5f1e-4c31-9a6b-1d2e3f4a5b6c");
  g_assert_cmpstr (dir, ==, "2022/2022-09/2022-09-07");
  /* The raw object is kept untouched, unknown members included. */
  g_assert_cmpstr (json_object_get_string_member (mja_job_get_json (job), "platform_message_id"), ==,
                   "1016958432110325800");
}

static void
test_legacy_null_paths (void)
{
  g_autoptr(MjaJob) job = load_fixture ("legacy-grid-null-paths.json");
  g_auto(GStrv) urls = mja_api_dup_image_urls (job, NULL, "png");
  g_autofree char *base = mja_archive_dup_base_name (job);

  /* No microseconds, no _parsed_params, image_paths null. */
  assert_time (mja_job_get_enqueue_time (job), "2022-07-14 22:01:09.000000 UTC");
  g_assert_cmpstr (base, ==, "20220714-220109_0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  g_assert_cmpuint (g_strv_length (urls), ==, 0);
  g_assert_cmpint (mja_job_get_kind (job), ==, MJA_JOB_KIND_GRID);
  g_assert_cmpuint (mja_job_get_batch_size (job), ==, 4);
  g_assert_cmpuint (mja_job_get_rating (job), ==, 0);
  g_assert_false (mja_job_get_liked (job));
  g_assert_null (mja_job_get_parent_id (job));
}

static void
test_current_diffusion (void)
{
  g_autoptr(MjaJob) job = load_fixture ("current-diffusion.json");
  g_auto(GStrv) urls = mja_api_dup_image_urls (job, "http://127.0.0.1:8081/", "webp");
  g_auto(GStrv) png = mja_api_dup_image_urls (job, NULL, "png");

  g_assert_cmpint (mja_job_get_era (job), ==, MJA_JOB_ERA_CURRENT);
  assert_time (mja_job_get_enqueue_time (job), "2026-05-01 10:56:23.355955 UTC");
  g_assert_cmpstr (mja_job_get_job_type (job), ==, "v7_raw_diffusion");
  g_assert_cmpstr (mja_job_get_event_type (job), ==, "diffusion");
  g_assert_cmpint (mja_job_get_kind (job), ==, MJA_JOB_KIND_GRID);
  /* The prompt is the command without its trailing parameters. */
  g_assert_cmpstr (mja_job_get_prompt (job), ==, "a koi pond in autumn, ukiyo-e woodblock print");
  g_assert_cmpuint (mja_job_get_batch_size (job), ==, 4);
  g_assert_cmpuint (g_strv_length (urls), ==, 4);
  g_assert_cmpstr (urls[0], ==, "http://127.0.0.1:8081/c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e/0_0.webp");
  g_assert_cmpstr (urls[3], ==, "http://127.0.0.1:8081/c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e/0_3.webp");
  g_assert_cmpstr (png[1], ==, "https://cdn.midjourney.com/c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e/0_1.png");
}

static void
test_current_offset_and_unicode (void)
{
  g_autoptr(MjaJob) job = load_fixture ("current-upscale-offset.json");
  g_autofree char *base = mja_archive_dup_base_name (job);
  g_autofree char *dir = mja_archive_dup_date_dir (job);

  /* 23:30 at +02:00 on 29 February is 21:30 UTC the same day. */
  assert_time (mja_job_get_enqueue_time (job), "2024-02-29 21:30:00.000000 UTC");
  g_assert_cmpstr (base, ==, "20240229-213000_d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f60");
  g_assert_cmpstr (dir, ==, "2024/2024-02/2024-02-29");
  g_assert_cmpstr (mja_job_get_prompt (job), ==, "猫と桜の庭 🌸");
  g_assert_cmpint (mja_job_get_kind (job), ==, MJA_JOB_KIND_UPSCALE);
  g_assert_cmpuint (mja_job_get_rating (job), ==, 5);
}

static void
test_current_video (void)
{
  g_autoptr(MjaJob) job = load_fixture ("current-video.json");
  g_auto(GStrv) urls = mja_api_dup_image_urls (job, "http://cdn.test", "png");

  g_assert_cmpint (mja_job_get_kind (job), ==, MJA_JOB_KIND_VIDEO);
  assert_time (mja_job_get_enqueue_time (job), "2025-11-03 08:00:01.500000 UTC");
  g_assert_cmpuint (g_strv_length (urls), ==, 2);
  g_assert_cmpstr (urls[1], ==, "http://cdn.test/video/e3f4a5b6-c7d8-4e9f-8a0b-2c3d4e5f6071/1.mp4");
}

static void
test_long_unicode_prompt (void)
{
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(MjaJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;

  while (g_utf8_strlen (prompt->str, -1) < 5000)
    g_string_append (prompt, "Überraschung 🌸 猫 ");
  g_string_truncate (prompt, g_utf8_offset_to_pointer (prompt->str, 4999) - prompt->str);
  g_string_append (prompt, "x");
  command = g_strdup_printf ("%s --ar 3:2 --v 6", prompt->str);

  json_object_set_string_member (object, "id", "f0e1d2c3-b4a5-4968-8776-655443322110");
  json_object_set_string_member (object, "enqueue_time", "2025-01-01T00:00:00.000001+00:00");
  json_object_set_string_member (object, "job_type", "v6_diffusion");
  json_object_set_string_member (object, "event_type", "diffusion");
  json_object_set_string_member (object, "full_command", command);
  json_object_set_int_member (object, "batch_size", 4);

  job = mja_job_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utf8_strlen (mja_job_get_prompt (job), -1), ==, 5000);
  g_assert_cmpstr (mja_job_get_prompt (job), ==, prompt->str);
  g_assert_cmpstr (mja_job_get_full_command (job), ==, command);
}

static void
test_legacy_digit_id (void)
{
  g_autoptr(MjaJob) job = NULL;
  g_autoptr(GError) error = NULL;
  const char *json = "{\"id\": \"1016958432110325800\", \"type\": \"grid\", "
                     "\"enqueue_time\": \"2022-03-01 12:00:00.5\", \"prompt\": \"old\", \"image_paths\": []}";

  job = mja_job_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mja_job_get_id (job), ==, "1016958432110325800");
}

typedef struct
{
  const char *json;
  int         code;
  const char *field;
} Invalid;

static const Invalid invalid_jobs[] = {
  /* ids that could pick a path */
  { "{\"id\": \"../../x\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\"}", MJA_JOB_ERROR_INVALID_ID, "id" },
  { "{\"id\": \"abc/def\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_INVALID_ID, "id" },
  { "{\"id\": \"\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_INVALID_ID, "id" },
  { "{\"id\": \"-\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_INVALID_ID, "id" },
  { "{\"id\": \"ABCDEF\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_INVALID_ID, "id" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"parent_id\": \"..\"}", MJA_JOB_ERROR_INVALID_ID, "parent_id" },
  /* missing or wrong types */
  { "{\"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_MISSING_FIELD, "id" },
  { "{\"id\": 42, \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\"}", MJA_JOB_ERROR_WRONG_TYPE, "id" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\"}", MJA_JOB_ERROR_MISSING_FIELD, "enqueue_time" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"yesterday\"}", MJA_JOB_ERROR_INVALID_TIME, "enqueue_time" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-13-45 99:00:00\"}", MJA_JOB_ERROR_INVALID_TIME, "enqueue_time" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": 1660000000}", MJA_JOB_ERROR_WRONG_TYPE, "enqueue_time" },
  { "{\"id\": \"0a1b\", \"job_type\": \"x\", \"enqueue_time\": \"2025-01-01T00:00:00Z\", \"batch_size\": \"4\"}", MJA_JOB_ERROR_WRONG_TYPE, "batch_size" },
  { "{\"id\": \"0a1b\", \"job_type\": \"x\", \"enqueue_time\": \"2025-01-01T00:00:00Z\", \"rating\": 9}", MJA_JOB_ERROR_INVALID_VALUE, "rating" },
  { "{\"id\": \"0a1b\", \"job_type\": \"x\", \"enqueue_time\": \"2025-01-01T00:00:00Z\", \"full_command\": [1]}", MJA_JOB_ERROR_WRONG_TYPE, "full_command" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"event\": \"x\"}", MJA_JOB_ERROR_WRONG_TYPE, "event" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": \"x\"}", MJA_JOB_ERROR_WRONG_TYPE, "image_paths" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [7]}", MJA_JOB_ERROR_WRONG_TYPE, "image_paths[0]" },
  /* URLs and extensions */
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [\"file:///etc/passwd.png\"]}", MJA_JOB_ERROR_INVALID_URL, "image_paths[0]" },
  /* a number no integer type holds (found by fuzz-job) */
  { "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\", \"width\": 9e85}", MJA_JOB_ERROR_INVALID_VALUE, "width" },
  { "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\", \"width\": -9e85}", MJA_JOB_ERROR_INVALID_VALUE, "width" },
  { "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\", \"width\": 12.5}", MJA_JOB_ERROR_WRONG_TYPE, "width" },
  /* json-glib reads "\\333" as the byte 0xdb (found by fuzz-job). */
  { "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\", \"full_command\": \"cat \\333\"}", MJA_JOB_ERROR_INVALID_VALUE, "full_command" },
  { "{\"id\": \"0a1b\", \"job_type\": \"a\", \"enqueue_time\": \"2025-01-01T00:00:00+00:00\", \"extra\": [{\"deep\": \"\\377\"}]}", MJA_JOB_ERROR_INVALID_VALUE, "extra[0].deep" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [\"https://cdn.test/a.png\", \"https://cdn.test/a.sh\"]}", MJA_JOB_ERROR_INVALID_EXTENSION, "image_paths[1]" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [\"https://cdn.test/x.png/..\"]}", MJA_JOB_ERROR_INVALID_EXTENSION, "image_paths[0]" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [\"javascript:alert(1)\"]}", MJA_JOB_ERROR_INVALID_URL, "image_paths[0]" },
  { "{\"id\": \"0a1b\", \"type\": \"grid\", \"enqueue_time\": \"2022-01-01 00:00:00\", \"image_paths\": [\"https:///no-host.png\"]}", MJA_JOB_ERROR_INVALID_URL, "image_paths[0]" },
  /* not a job at all */
  { "[1, 2, 3]", MJA_JOB_ERROR_INVALID_JSON, NULL },
  { "{\"id\": ", MJA_JOB_ERROR_INVALID_JSON, NULL },
};

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_jobs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MjaJob) job = mja_job_new_from_data (invalid_jobs[i].json, -1, &error);

      g_test_message ("case %u: %s", i, invalid_jobs[i].json);
      g_assert_null (job);
      g_assert_error (error, MJA_JOB_ERROR, invalid_jobs[i].code);
      if (invalid_jobs[i].field != NULL)
        {
          g_autofree char *quoted = g_strdup_printf ("“%s”", invalid_jobs[i].field);
          g_assert_nonnull (strstr (error->message, quoted));
        }
    }
}

static void
test_helpers (void)
{
  g_autofree char *ext = mja_url_dup_extension ("https://cdn.test/a/0_1.PNG?x=1");
  g_autofree char *p1 = mja_prompt_from_command ("a cat--dog mix --ar 1:1");
  g_autofree char *p2 = mja_prompt_from_command ("--v 5");
  g_autofree char *p3 = mja_prompt_from_command ("no params at all ");
  MjaJobKind kind;

  g_assert_cmpstr (ext, ==, "png");
  g_assert_cmpstr (p1, ==, "a cat--dog mix");
  g_assert_cmpstr (p2, ==, "");
  g_assert_cmpstr (p3, ==, "no params at all");
  g_assert_true (mja_job_kind_from_string ("upscale", &kind));
  g_assert_cmpint (kind, ==, MJA_JOB_KIND_UPSCALE);
  g_assert_false (mja_job_kind_from_string ("sculpture", &kind));
  /* A day as a range: from its first microsecond to its last. */
  {
    gint64 start, end;

    g_assert_true (mja_parse_day ("2024-02-29", FALSE, &start));
    g_assert_true (mja_parse_day ("2024-02-29", TRUE, &end));
    g_assert_cmpint (start, ==, G_GINT64_CONSTANT (1709164800) * G_USEC_PER_SEC);
    g_assert_cmpint (end - start, ==, G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC - 1);
    g_assert_false (mja_parse_day ("2023-02-29", FALSE, &start));
    g_assert_false (mja_parse_day ("2024-02-29x", FALSE, &start));
    g_assert_false (mja_parse_day ("yesterday", FALSE, &start));
  }
  g_assert_false (mja_extension_is_valid ("exe"));
  g_assert_false (mja_extension_is_valid (NULL));
  g_assert_true (mja_extension_is_valid ("webp"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/job/legacy/upscale", test_legacy_upscale);
  g_test_add_func ("/job/legacy/null-image-paths", test_legacy_null_paths);
  g_test_add_func ("/job/legacy/digit-id", test_legacy_digit_id);
  g_test_add_func ("/job/current/diffusion", test_current_diffusion);
  g_test_add_func ("/job/current/offset-unicode", test_current_offset_and_unicode);
  g_test_add_func ("/job/current/video", test_current_video);
  g_test_add_func ("/job/long-unicode-prompt", test_long_unicode_prompt);
  g_test_add_func ("/job/invalid", test_invalid);
  g_test_add_func ("/job/helpers", test_helpers);

  return g_test_run ();
}
