/* test-thumbnailer.c — the grid's thumbnails keep to their budget in bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thumbnails are kept up to a budget of the bytes their pixels take, not
 * only a count: loading more than fits keeps the newest ones, and the
 * oldest are loaded again when asked for.
 */
#include "config.h"

#include "mja-thumbnailer.h"
#include "test-utils.h"

#define N_IMAGES 10
#define SIDE     64   /* 64 × 64 × 4 = 16 KiB a texture */

static char *
write_image (const char *dir,
             guint       i)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, SIDE, SIDE);
  g_autofree char *name = g_strdup_printf ("image-%u.png", i);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x11223300 | i);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
  return path;
}

static void
load (MjaThumbnailer *thumbnailer,
      const char     *path)
{
  HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  mja_thumbnailer_load_async (thumbnailer, path, NULL, helper_async_done_cb, &async);
  result = helper_async_wait (&async);
  texture = mja_thumbnailer_load_finish (thumbnailer, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, SIDE);
}

/* A budget of two and a half textures keeps the last two loaded. */
static void
test_budget_in_bytes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mja-thumbs-XXXXXX", NULL);
  g_autoptr(MjaThumbnailer) thumbnailer = mja_thumbnailer_new (SIDE, 600);
  char *paths[N_IMAGES];

  mja_thumbnailer_set_budget (thumbnailer, SIDE * SIDE * 4 * 5 / 2);
  for (guint i = 0; i < N_IMAGES; i++)
    {
      paths[i] = write_image (dir, i);
      load (thumbnailer, paths[i]);
    }
  for (guint i = 0; i < N_IMAGES - 2; i++)
    g_assert_null (mja_thumbnailer_lookup (thumbnailer, paths[i]));
  g_assert_nonnull (mja_thumbnailer_lookup (thumbnailer, paths[N_IMAGES - 2]));
  g_assert_nonnull (mja_thumbnailer_lookup (thumbnailer, paths[N_IMAGES - 1]));

  /* Asked for again, the first comes back and the oldest kept goes. */
  load (thumbnailer, paths[0]);
  g_assert_nonnull (mja_thumbnailer_lookup (thumbnailer, paths[0]));
  g_assert_null (mja_thumbnailer_lookup (thumbnailer, paths[N_IMAGES - 2]));

  /* A smaller budget takes effect at once: one texture, the newest. */
  mja_thumbnailer_set_budget (thumbnailer, SIDE * SIDE * 4);
  g_assert_nonnull (mja_thumbnailer_lookup (thumbnailer, paths[0]));
  g_assert_null (mja_thumbnailer_lookup (thumbnailer, paths[N_IMAGES - 1]));

  for (guint i = 0; i < N_IMAGES; i++)
    g_free (paths[i]);
  helper_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thumbnailer/budget-in-bytes", test_budget_in_bytes);
  return g_test_run ();
}
