/* test-embed.c — mja-embed: the prompt inside PNG, JPEG and WebP files, read back with gexiv2
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gexiv2/gexiv2.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mja-embed.h"
#include "mja-media.h"
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
write_image (const char *dir,
             const char *format,
             const char *extension)
{
  g_autoptr(GBytes) bytes = helper_image_bytes (format, 0);
  g_autofree char *name = g_strconcat ("image.", extension, NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                                      &error));
  return path;
}

static char *
read_tag (const char *path,
          const char *tag)
{
  g_autoptr(GExiv2Metadata) metadata = gexiv2_metadata_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (gexiv2_metadata_open_path (metadata, path, &error));
  return gexiv2_metadata_try_get_tag_interpreted_string (metadata, tag, NULL);
}

static void
assert_tagged (const char *path)
{
  g_autofree char *description = read_tag (path, "Xmp.dc.description");
  g_autofree char *date = read_tag (path, "Xmp.exif.DateTimeOriginal");
  g_autofree char *job_id = read_tag (path, "Xmp." MJA_EMBED_XMP_PREFIX ".JobId");
  g_autofree char *command = read_tag (path, "Xmp." MJA_EMBED_XMP_PREFIX ".Command");
  g_autofree char *tool = read_tag (path, "Xmp.xmp.CreatorTool");
  g_autofree char *subject = read_tag (path, "Xmp.dc.subject");

  g_assert_nonnull (description);
  g_assert_nonnull (g_strrstr (description, "a koi pond in autumn, ukiyo-e woodblock print"));
  g_assert_null (g_strrstr (description, "--ar"));
  g_assert_nonnull (date);
  g_assert_true (g_str_has_prefix (date, "2026:05:01 10:56:23") || g_str_has_prefix (date, "2026-05-01T10:56:23"));
  g_assert_cmpstr (job_id, ==, "c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e");
  g_assert_cmpstr (command, ==, "a koi pond in autumn, ukiyo-e woodblock print --ar 2:3 --style raw --v 7");
  g_assert_cmpstr (tool, ==, "Midjourney V7");
  g_assert_nonnull (subject);
  g_assert_nonnull (g_strrstr (subject, "--style raw"));
  /* Verify's structure checks still see a whole image. */
  g_assert_cmpint (mja_media_check_file (path), ==, MJA_MEDIA_WHOLE);
}

static void
test_formats (void)
{
  static const char * const formats[][2] = { { "png", "png" }, { "jpeg", "jpeg" }, { "webp", "webp" } };
  g_autofree char *dir = g_dir_make_tmp ("mja-embed-XXXXXX", NULL);
  g_autoptr(MjaJob) job = fixture_job ();

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *path = write_image (dir, formats[i][0], formats[i][1]);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", formats[i][0]);
      g_assert_true (mja_embed_is_supported (path));
      g_assert_false (mja_embed_has_metadata (path, mja_job_get_id (job)));
      g_assert_true (mja_embed_write (path, job, &error));
      g_assert_no_error (error);
      assert_tagged (path);
      g_assert_true (mja_embed_has_metadata (path, mja_job_get_id (job)));
      /* Twice: still one description, one set of parameters. */
      g_assert_true (mja_embed_write (path, job, &error));
      assert_tagged (path);
      g_unlink (path);
    }
  helper_remove_tree (dir);
}

/* The tag command's way: a copy is tagged and renamed over the image. */
static void
test_tag_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mja-embed-XXXXXX", NULL);
  g_autoptr(MjaJob) job = fixture_job ();
  g_autofree char *path = write_image (dir, "png", "png");
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mja_embed_tag_file (path, job, &error));
  g_assert_no_error (error);
  assert_tagged (path);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* Not an image: refused, the file left as it was, nothing beside it. */
  g_assert_true (g_file_set_contents (path, "<html>no</html>", -1, NULL));
  g_assert_false (mja_embed_tag_file (path, job, &error));
  g_assert_nonnull (error);
  listing = helper_archive_listing (dir);
  g_assert_true (g_str_has_prefix (listing, "image.png "));
  g_assert_null (strstr (listing, ".part"));
  helper_remove_tree (dir);
}

static void
test_model (void)
{
  g_autoptr(MjaJob) job = fixture_job ();
  g_autofree char *model = mja_embed_dup_model (job);

  g_assert_cmpstr (model, ==, "Midjourney V7");
  g_assert_false (mja_embed_is_supported ("/a/video.mp4"));
  g_assert_true (mja_embed_is_supported ("/a/b.JPG"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/embed/formats", test_formats);
  g_test_add_func ("/embed/tag-file", test_tag_file);
  g_test_add_func ("/embed/model", test_model);
  return g_test_run ();
}
