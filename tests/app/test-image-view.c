/* test-image-view.c — the image view, driven in-process under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person does in the view and sees: Next and Previous through the
 * images of a grid job and on into the next job of the grid's filtered
 * order; zoom levels that are what the label says and what is drawn
 * (fit, "+", Ctrl+1 = the image's pixels, a Ctrl+scroll that keeps the
 * point under the pointer, a double click that toggles, a drag that pans);
 * a video job that plays in a GtkVideo; the job's kind in words for every
 * job type the protocol page names.  The archive is made here: real PNG files and a
 * real (tiny) MP4 from tests/fixtures, indexed as a sync would.
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "mja-application.h"
#include "mja-archive.h"
#include "mja-image-view.h"
#include "mja-job-grid.h"
#include "mja-job-item.h"
#include "mja-window.h"
#include "mja-zoom-picture.h"
#include "mja-thumbnailer.h"
#include "test-utils.h"

static MjaApplication *app;
static char *home;

#define ID_GRID    "a0000000-0000-4000-8000-000000000001"
#define ID_UPSCALE "a0000000-0000-4000-8000-000000000002"
#define ID_VIDEO   "a0000000-0000-4000-8000-000000000003"
#define ID_LATER   "a0000000-0000-4000-8000-000000000004"

/* ---- an archive of four jobs, with their files ------------------------- */

static void
write_png (const char *path,
           int         width,
           int         height,
           guint32     colour)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  gdk_pixbuf_fill (pixbuf, colour);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
}

static void
add_job (MjaIndex   *index,
         const char *root,
         const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaJob) job = mja_job_new_from_data (json, -1, &error);
  g_autoptr(GPtrArray) planned = NULL;
  g_autofree char *json_path = NULL;

  g_assert_no_error (error);
  planned = mja_archive_plan_images (job, "https://cdn.example.invalid", "png");
  json_path = mja_archive_dup_json_path (job);
  g_assert_true (mja_index_add_job (index, job, json_path, planned, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < planned->len; i++)
    {
      MjaPlannedImage *image = g_ptr_array_index (planned, i);
      g_autofree char *path = g_build_filename (root, image->path, NULL);

      if (g_str_equal (image->extension, "mp4"))
        {
          g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "video-ball.mp4", NULL);
          g_autofree char *contents = NULL;
          g_autofree char *dir = g_path_get_dirname (path);
          gsize length = 0;

          g_assert_true (g_file_get_contents (fixture, &contents, &length, &error));
          g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
          g_assert_true (g_file_set_contents (path, contents, length, &error));
        }
      else
        write_png (path, 1200, 800, 0x204080ff + (i << 24));
      g_assert_true (mja_index_set_image (index, mja_job_get_id (job), i, MJA_IMAGE_DONE, 1, &error));
      g_assert_no_error (error);
    }
}

/* Newest first: a grid of four cats, its upscale, a dog video, four more
 * cats; a search for "cats" leaves the video out. */
static char *
make_archive (void)
{
  char *root = helper_make_archive_dir ();
  g_autoptr(MjaArchive) archive = mja_archive_new (root);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaIndex) index = mja_index_open_archive (archive, &error);

  g_assert_no_error (error);
  g_assert_true (mja_index_begin (index, &error));
  add_job (index, root, "{\"id\": \"" ID_GRID "\", \"enqueue_time\": \"2026-05-04T10:00:00+00:00\", "
                        "\"job_type\": \"v7_raw_diffusion\", \"event_type\": \"diffusion\", "
                        "\"full_command\": \"four grey cats --ar 3:2 --stylize 250 --v 7\", \"batch_size\": 4, "
                        "\"width\": 1200, \"height\": 800}");
  add_job (index, root, "{\"id\": \"" ID_UPSCALE "\", \"enqueue_time\": \"2026-05-03T10:00:00+00:00\", "
                        "\"job_type\": \"v7_upscale\", \"event_type\": \"upscale\", "
                        "\"full_command\": \"upscaled grey cats --v 7\", \"batch_size\": 1, "
                        "\"width\": 1200, \"height\": 800, \"parent_id\": \"" ID_GRID "\"}");
  add_job (index, root, "{\"id\": \"" ID_VIDEO "\", \"enqueue_time\": \"2026-05-02T10:00:00+00:00\", "
                        "\"job_type\": \"vid_1.1_i2v_start_end_a_video\", \"event_type\": \"video_diffusion\", "
                        "\"full_command\": \"a running dog --motion low\", \"batch_size\": 1, "
                        "\"width\": 160, \"height\": 120}");
  add_job (index, root, "{\"id\": \"" ID_LATER "\", \"enqueue_time\": \"2026-05-01T10:00:00+00:00\", "
                        "\"job_type\": \"v6_diffusion\", \"event_type\": \"diffusion\", "
                        "\"full_command\": \"sleeping cats --niji 6\", \"batch_size\": 4, "
                        "\"width\": 1200, \"height\": 800}");
  g_assert_true (mja_index_commit (index, &error));
  return root;
}

/* ---- the window and its view ------------------------------------------- */

static gpointer
view_part (MjaImageView *view,
           const char   *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (view), MJA_TYPE_IMAGE_VIEW, name);

  g_assert_nonnull (child);
  return child;
}

static gpointer
window_part (MjaWindow  *window,
             const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window), MJA_TYPE_WINDOW, name);

  g_assert_nonnull (child);
  return child;
}

typedef struct
{
  MjaWindow *window;
  guint      n_items;
} Waiting;

static gboolean
grid_has (gpointer data)
{
  Waiting *waiting = data;
  GtkGridView *grid = (GtkGridView *) gtk_widget_get_template_child (window_part (waiting->window, "job_grid"), MJA_TYPE_JOB_GRID,
                                                     "grid_view");

  return g_strcmp0 (gtk_stack_get_visible_child_name (window_part (waiting->window, "main_stack")), "grid") == 0 &&
         g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (grid))) == waiting->n_items;
}

static MjaWindow *
open_window_sized (const char *archive,
                   guint       n_items,
                   int         width)
{
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  MjaWindow *window = mja_window_new (app);
  Waiting waiting = { window, n_items };

  gtk_window_set_default_size (GTK_WINDOW (window), width, 720);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  helper_wait_until (grid_has, &waiting, 30, "the jobs in the grid");
  return window;
}

static MjaWindow *
open_window (const char *archive,
             guint       n_items)
{
  return open_window_sized (archive, n_items, 1100);
}

static void
activate (MjaImageView *view,
          const char   *action)
{
  g_action_group_activate_action (mja_image_view_get_actions (view), action, NULL);
}

static const char *
page_text (MjaImageView *view)
{
  GtkWidget *box = view_part (view, "page_box");

  return gtk_widget_get_visible (box) ? gtk_label_get_text (view_part (view, "page_label")) : "";
}

static const char *
prompt_text (MjaImageView *view)
{
  return gtk_label_get_text (view_part (view, "prompt_label"));
}

static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_text_cb, &text);
  helper_wait_until (is_set, &text, 10, "the clipboard's text");
  return text;
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  MjaWindow  *window;
  const char *text;
} Toast;

static gboolean
toast_shown (gpointer data)
{
  Toast *toast = data;

  return has_label (window_part (toast->window, "toast_overlay"), toast->text);
}

/* A toast saying @text is on screen (within a few seconds). */
static gboolean
shows_toast (MjaWindow  *window,
             const char *text)
{
  Toast toast = { window, text };
  g_autofree char *what = g_strdup_printf ("the toast “%s”", text);

  helper_wait_until (toast_shown, &toast, 10, what);
  return TRUE;
}

/* Opening the grid job, "Next" goes through its four images, then on to
 * the next job of the search's order (the upscale), then past the video
 * the search left out to the other cats; "Previous" comes back to the
 * grid job's last image; Home and End go to the ends of the order. */
static void
test_navigation (void)
{
  g_autofree char *archive = make_archive ();
  MjaWindow *window = open_window (archive, 4);
  MjaImageView *view = window_part (window, "image_view");
  Waiting searched = { window, 3 };

  gtk_search_bar_set_search_mode (window_part (window, "search_bar"), TRUE);
  gtk_editable_set_text (window_part (window, "search_entry"), "cats");
  helper_wait_until (grid_has, &searched, 30, "the three jobs with cats");

  g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window_part (window, "main_stack")), ==, "view");
  g_assert_cmpstr (prompt_text (view), ==, "four grey cats");
  g_assert_cmpstr (page_text (view), ==, "Image 1 of 4");
  g_assert_cmpstr (adw_window_title_get_title (window_part (window, "window_title")), ==, "four grey cats");
  g_assert_false (gtk_widget_get_visible (adw_flap_get_flap (window_part (window, "filters_flap"))));
  /* The search is the grid's: its bar and Ctrl+F are away, its words kept. */
  g_assert_false (gtk_widget_get_visible (window_part (window, "search_bar")));
  g_assert_true (gtk_search_bar_get_search_mode (window_part (window, "search_bar")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);  /* Ctrl+F */
  g_assert_true (gtk_search_bar_get_search_mode (window_part (window, "search_bar")));
  {
    g_autoptr(GListModel) strip = gtk_widget_observe_children (view_part (view, "strip"));

    g_assert_cmpuint (g_list_model_get_n_items (strip), ==, 4);
  }
  g_assert_false (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "previous"));
  g_assert_true (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "show-in-folder"));
  {
    g_autofree char *command = NULL;
    g_autofree char *id = NULL;

    activate (view, "copy-command");
    command = clipboard_text (GTK_WIDGET (view));
    g_assert_cmpstr (command, ==, "four grey cats --ar 3:2 --stylize 250 --v 7");
    g_assert_true (shows_toast (window, "Command copied"));
    activate (view, "copy-job-id");
    id = clipboard_text (GTK_WIDGET (view));
    g_assert_cmpstr (id, ==, ID_GRID);
    g_assert_true (shows_toast (window, "Job ID copied"));
  }

  for (guint i = 2; i <= 4; i++)
    {
      g_autofree char *expected = g_strdup_printf ("Image %u of 4", i);

      activate (view, "next");
      g_assert_cmpstr (page_text (view), ==, expected);
      g_assert_cmpstr (prompt_text (view), ==, "four grey cats");
    }
  activate (view, "next");
  g_assert_cmpstr (prompt_text (view), ==, "upscaled grey cats");
  g_assert_cmpstr (page_text (view), ==, "");  /* one image: no indicator */
  g_assert_cmpstr (adw_window_title_get_title (window_part (window, "window_title")), ==, "upscaled grey cats");
  activate (view, "next");
  g_assert_cmpstr (prompt_text (view), ==, "sleeping cats");
  g_assert_cmpstr (page_text (view), ==, "Image 1 of 4");

  activate (view, "previous");
  activate (view, "previous");
  g_assert_cmpstr (prompt_text (view), ==, "four grey cats");
  g_assert_cmpstr (page_text (view), ==, "Image 4 of 4");

  activate (view, "last");
  g_assert_cmpstr (prompt_text (view), ==, "sleeping cats");
  g_assert_cmpstr (page_text (view), ==, "Image 4 of 4");
  g_assert_false (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "next"));
  activate (view, "first");
  g_assert_cmpstr (page_text (view), ==, "Image 1 of 4");
  g_assert_cmpstr (prompt_text (view), ==, "four grey cats");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window_part (window, "main_stack")), ==, "grid");
  g_assert_true (gtk_widget_get_visible (window_part (window, "search_bar")));
  g_assert_true (gtk_search_bar_get_search_mode (window_part (window, "search_bar")));
  g_assert_cmpstr (gtk_editable_get_text (window_part (window, "search_entry")), ==, "cats");
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* The parent row names the grid job the upscale was made from and opens
 * it; the grid job lists the upscale among the jobs made from it. */
static void
test_parent_and_children (void)
{
  g_autofree char *archive = make_archive ();
  MjaWindow *window = open_window (archive, 4);
  MjaImageView *view = window_part (window, "image_view");
  GtkListBox *children = view_part (view, "children_list");
  AdwActionRow *child;

  g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 1);
  g_assert_cmpstr (prompt_text (view), ==, "upscaled grey cats");
  g_assert_cmpstr (adw_action_row_get_subtitle (view_part (view, "parent_row")), ==, "Image: four grey cats");
  g_assert_cmpstr (adw_action_row_get_subtitle (view_part (view, "type_row")), ==, "Upscale");
  activate (view, "show-parent");
  g_assert_cmpstr (prompt_text (view), ==, "four grey cats");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (children)));
  child = ADW_ACTION_ROW (gtk_list_box_get_row_at_index (children, 0));
  g_assert_nonnull (child);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), ==, "Upscale");
  g_signal_emit_by_name (child, "activated");
  g_assert_cmpstr (prompt_text (view), ==, "upscaled grey cats");
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* ---- zoom ---------------------------------------------------------------- */

static gboolean
picture_loaded (gpointer data)
{
  return mja_zoom_picture_get_loaded (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
full_resolution (gpointer data)
{
  return mja_zoom_picture_get_decoded_width (data) == mja_zoom_picture_get_image_width (data);
}

/* How many image pixels 100 screen pixels across cover at (x, y). */
static double
image_pixels_per_100 (MjaZoomPicture *picture,
                      double          x,
                      double          y)
{
  double left, right;

  mja_zoom_picture_widget_to_image (picture, x, y, &left, NULL);
  mja_zoom_picture_widget_to_image (picture, x + 100, y, &right, NULL);
  return right - left;
}

static GtkEventController *
controller_of (GtkWidget *widget,
               GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  g_assert_not_reached ();
}

/* A 3000 × 2000 image in a 600 × 400 window: best fit is 20 % and drawn
 * so; "+" is 25 %, and the label says it; Ctrl+1 is one image pixel per
 * screen pixel, decoded at full resolution only then; a Ctrl+scroll at a
 * point keeps that image point under the pointer; a double click fits,
 * another goes back to 100 % at the point clicked. */
static void
test_zoom (void)
{
  g_autofree char *dir = helper_make_archive_dir ();
  g_autofree char *path = g_build_filename (dir, "big.png", NULL);
  GtkWidget *window = gtk_window_new ();
  MjaZoomPicture *picture = MJA_ZOOM_PICTURE (mja_zoom_picture_new ());
  double before_x, before_y, after_x, after_y;
  GtkEventController *motion, *click, *drag;

  write_png (path, 3000, 2000, 0x336699ff);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (picture));
  gtk_window_present (GTK_WINDOW (window));
  mja_zoom_picture_set_file (picture, path);
  helper_wait_until (picture_loaded, picture, 20, "the picture decoded");
  helper_wait_ms (200);

  g_assert_cmpint (mja_zoom_picture_get_image_width (picture), ==, 3000);
  g_assert_cmpint (mja_zoom_picture_get_decoded_width (picture), <=, 2048);  /* not the file's every pixel */
  g_assert_true (mja_zoom_picture_get_best_fit (picture));
  g_assert_cmpfloat_with_epsilon (mja_zoom_picture_get_zoom (picture), 0.2, 1e-6);
  g_assert_cmpfloat_with_epsilon (image_pixels_per_100 (picture, 100, 100), 500, 1e-6);

  mja_zoom_picture_zoom_in (picture);
  g_assert_cmpfloat_with_epsilon (mja_zoom_picture_get_zoom (picture), 0.2 * MJA_ZOOM_STEP, 1e-6);
  g_assert_cmpfloat_with_epsilon (image_pixels_per_100 (picture, 100, 100), 100 / (0.2 * MJA_ZOOM_STEP), 1e-6);

  mja_zoom_picture_set_zoom (picture, 1.0);
  g_assert_cmpfloat_with_epsilon (image_pixels_per_100 (picture, 10, 10), 100, 1e-6);
  helper_wait_until (full_resolution, picture, 20, "the full-resolution decode");
  /* Zoomed around the centre: the image's centre stays there. */
  mja_zoom_picture_widget_to_image (picture, 300, 200, &before_x, &before_y);
  g_assert_cmpfloat_with_epsilon (before_x, 1500, 1);
  g_assert_cmpfloat_with_epsilon (before_y, 1000, 1);

  /* Ctrl+scroll with the pointer at (120, 90). */
  motion = controller_of (GTK_WIDGET (picture), GTK_TYPE_EVENT_CONTROLLER_MOTION);
  g_signal_emit_by_name (motion, "motion", 120.0, 90.0);
  mja_zoom_picture_widget_to_image (picture, 120, 90, &before_x, &before_y);
  g_assert_true (mja_zoom_picture_scroll_at_pointer (picture, -1));
  g_assert_cmpfloat_with_epsilon (mja_zoom_picture_get_zoom (picture), MJA_ZOOM_STEP, 1e-6);
  mja_zoom_picture_widget_to_image (picture, 120, 90, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);
  g_assert_true (mja_zoom_picture_scroll_at_pointer (picture, 2));
  mja_zoom_picture_widget_to_image (picture, 120, 90, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);

  /* Double clicks: zoomed → fit; fit → 100 % with the clicked point kept. */
  click = controller_of (GTK_WIDGET (picture), GTK_TYPE_GESTURE_CLICK);
  g_signal_emit_by_name (click, "pressed", 2, 450.0, 300.0);
  g_assert_true (mja_zoom_picture_get_best_fit (picture));
  g_assert_cmpfloat_with_epsilon (mja_zoom_picture_get_zoom (picture), 0.2, 1e-6);
  mja_zoom_picture_widget_to_image (picture, 450, 300, &before_x, &before_y);
  g_signal_emit_by_name (click, "pressed", 2, 450.0, 300.0);
  g_assert_false (mja_zoom_picture_get_best_fit (picture));
  g_assert_cmpfloat_with_epsilon (mja_zoom_picture_get_zoom (picture), 1.0, 1e-6);
  mja_zoom_picture_widget_to_image (picture, 450, 300, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);

  /* A drag pans: the point grabbed stays under the pointer as it moves. */
  drag = controller_of (GTK_WIDGET (picture), GTK_TYPE_GESTURE_DRAG);
  mja_zoom_picture_widget_to_image (picture, 450, 300, &before_x, &before_y);
  g_signal_emit_by_name (drag, "drag-begin", 450.0, 300.0);
  g_signal_emit_by_name (drag, "drag-update", -100.0, -50.0);
  g_signal_emit_by_name (drag, "drag-end", -100.0, -50.0);
  mja_zoom_picture_widget_to_image (picture, 350, 250, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-6);
  g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-6);

  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (dir);
}

/* In the window: "+" changes what is drawn and the label says the same. */
static void
test_zoom_label (void)
{
  g_autofree char *archive = make_archive ();
  MjaWindow *window = open_window (archive, 4);
  MjaImageView *view = window_part (window, "image_view");
  MjaZoomPicture *picture = view_part (view, "picture");
  g_autofree char *label = NULL;

  g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 0);
  helper_wait_until (picture_loaded, picture, 20, "the picture decoded");
  helper_wait_ms (200);
  activate (view, "zoom-in");
  label = g_strdup_printf ("%.0f %%", mja_zoom_picture_get_zoom (picture) * 100);
  g_assert_cmpstr (gtk_button_get_label (view_part (view, "zoom_button")), ==, label);
  g_assert_cmpfloat_with_epsilon (image_pixels_per_100 (picture, 10, 10), 100 / mja_zoom_picture_get_zoom (picture),
                                  1e-6);
  activate (view, "zoom-original");
  g_assert_cmpstr (gtk_button_get_label (view_part (view, "zoom_button")), ==, "100 %");
  g_assert_cmpfloat_with_epsilon (image_pixels_per_100 (picture, 10, 10), 100, 1e-6);
  activate (view, "zoom-fit");
  g_assert_true (mja_zoom_picture_get_best_fit (picture));
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* ---- video --------------------------------------------------------------- */

static gboolean
stream_plays (gpointer data)
{
  GtkMediaStream *stream = gtk_video_get_media_stream (data);

  return stream != NULL && gtk_media_stream_get_error (stream) == NULL && gtk_media_stream_get_playing (stream) &&
         gtk_media_stream_get_timestamp (stream) > 0;
}

static void
test_video (void)
{
  g_autofree char *archive = make_archive ();
  MjaWindow *window = open_window (archive, 4);
  MjaImageView *view = window_part (window, "image_view");
  GtkVideo *video = view_part (view, "video");
  GtkMediaStream *stream;

  g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 2);
  g_assert_cmpstr (prompt_text (view), ==, "a running dog");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (view_part (view, "media_stack")), ==, "video");
  g_assert_cmpstr (adw_action_row_get_subtitle (view_part (view, "type_row")), ==, "Video");
  helper_wait_until (stream_plays, video, 30, "the video playing");
  stream = gtk_video_get_media_stream (video);
  g_assert_true (gtk_media_stream_get_loop (stream));
  activate (view, "play-pause");
  g_assert_false (gtk_media_stream_get_playing (stream));
  activate (view, "toggle-mute");
  g_assert_true (gtk_media_stream_get_muted (stream));

  /* Leaving the view stops it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_assert_null (gtk_video_get_media_stream (video));
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* ---- the job in words ----------------------------------------------------- */

/* Every job type the protocol page names reads as a word, never a code. */
static void
test_type_words (void)
{
  static const struct
  {
    const char *job_type;
    const char *kind;
    const char *event_type;  /* what was done, when the server says */
  } types[] = {
    { "v6_diffusion", "Image" },
    /* The event type says what the job type does not: both eras. */
    { "v7_diffusion", "Variation", "variation" },
    { "v6_diffusion", "Edit", "pan" },
    { "grid", "Variation", "variation" },
    { "grid", "Edit", "outpaint" },
    { "grid", "Image", "imagine" },
    { "v7_diffusion", "Image" },
    { "v7_raw_diffusion", "Image" },
    { "v7_draft_raw_diffusion", "Draft" },
    { "v8-1_hd_diffusion", "Image" },
    { "v6_upscale", "Upscale" },
    { "vid_1.1_i2v_start_end_a_video", "Video" },
    { "grid", "Image" },
    { "upscale", "Upscale" },
  };
  GtkWidget *window = gtk_window_new ();
  MjaImageView *view = g_object_new (MJA_TYPE_IMAGE_VIEW, NULL);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      MjaIndexRow row = { 0 };
      g_autoptr(MjaJobItem) item = NULL;

      row.id = (char *) ID_GRID;
      row.json_path = (char *) "job.json";
      row.job_type = (char *) types[i].job_type;
      row.event_type = (char *) types[i].event_type;
      row.prompt = (char *) "a cat";
      row.full_command = (char *) "a cat --ar 16:9 --v 7";
      item = mja_job_item_new (&row, "/nonexistent");
      mja_image_view_set_item (view, item);
      g_assert_cmpstr (adw_action_row_get_subtitle (view_part (view, "type_row")), ==, types[i].kind);
      g_assert_true (mja_job_item_get_category (item) == mja_job_category_from_types (types[i].job_type,
                                                                                      types[i].event_type));
    }
  /* The parameters as chips, whole: "--v 7" never split. */
  {
    GtkFlowBox *chips = view_part (view, "chips");
    GtkFlowBoxChild *first = gtk_flow_box_get_child_at_index (chips, 0);
    GtkFlowBoxChild *second = gtk_flow_box_get_child_at_index (chips, 1);

    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_flow_box_child_get_child (first))), ==, "--ar 16:9");
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_flow_box_child_get_child (second))), ==, "--v 7");
    g_assert_null (gtk_flow_box_get_child_at_index (chips, 2));
  }
  /* No file: nothing to show in a folder or open with an app. */
  g_assert_false (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "show-in-folder"));
  g_assert_false (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "open-with"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (view_part (view, "media_stack")), ==, "missing");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A parent the search leaves out of the grid opens alone, with all its
 * images (Next stays within them), and a toast says why Next does not go
 * on; Back returns to the grid. */
static void
test_parent_filtered_out (void)
{
  g_autofree char *archive = make_archive ();
  MjaWindow *window = open_window (archive, 4);
  MjaImageView *view = window_part (window, "image_view");
  Waiting searched = { window, 1 };

  gtk_editable_set_text (window_part (window, "search_entry"), "upscaled");
  helper_wait_until (grid_has, &searched, 30, "the upscale alone");
  g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 0);
  g_assert_cmpstr (prompt_text (view), ==, "upscaled grey cats");
  g_assert_true (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "show-parent"));
  activate (view, "show-parent");
  g_assert_cmpstr (prompt_text (view), ==, "four grey cats");
  g_assert_cmpstr (page_text (view), ==, "Image 1 of 4");
  g_assert_cmpstr (adw_window_title_get_title (window_part (window, "window_title")), ==, "four grey cats");
  g_assert_true (shows_toast (window, "This job is not among the jobs shown: Back returns to them."));
  for (guint i = 2; i <= 4; i++)
    activate (view, "next");
  g_assert_cmpstr (page_text (view), ==, "Image 4 of 4");
  g_assert_false (g_action_group_get_action_enabled (mja_image_view_get_actions (view), "next"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window_part (window, "main_stack")), ==, "grid");
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* A job of its own, outside any archive, with @prompt. */
static MjaJobItem *
lone_job (const char *prompt)
{
  MjaIndexRow row = { 0 };

  row.id = (char *) ID_GRID;
  row.json_path = (char *) "job.json";
  row.job_type = (char *) "v7_diffusion";
  row.prompt = (char *) prompt;
  return mja_job_item_new (&row, "/nonexistent");
}

static int
label_height (GtkLabel *label)
{
  int minimum = 0, natural = 0;

  gtk_widget_measure (GTK_WIDGET (label), GTK_ORIENTATION_VERTICAL, 300, &minimum, &natural, NULL, NULL);
  return natural;
}

typedef struct
{
  GtkWidget *picture;
  GtkWidget *view;
  AdwFlap   *flap;
} Layout;

static gboolean
laid_out (gpointer data)
{
  Layout *layout = data;

  return gtk_widget_get_width (layout->view) > 0 && gtk_widget_get_width (layout->picture) > 0 &&
         adw_flap_get_reveal_progress (layout->flap) == 1.0;
}

/* With the details open, the picture never gets less than half the view:
 * from 560 px to 1,280 px the pane sits beside it or, folded, over it. */
static void
test_layout (void)
{
  g_autofree char *archive = make_archive ();
  const int widths[] = { 560, 640, 680, 720, 800, 1000, 1280 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      MjaWindow *window = open_window_sized (archive, 4, widths[i]);
      MjaImageView *view = window_part (window, "image_view");
      AdwFlap *flap = view_part (view, "flap");
      Layout layout = { view_part (view, "overlay"), GTK_WIDGET (view), flap };
      g_autofree char *what = g_strdup_printf ("the view laid out at %d px", widths[i]);

      g_signal_emit_by_name (window_part (window, "job_grid"), "job-activated", 0);
      adw_flap_set_reveal_flap (flap, TRUE);
      helper_wait_until (laid_out, &layout, 10, what);  /* the pane's slide over */
      helper_wait_ms (100);
      if (adw_flap_get_folded (flap))
        g_assert_cmpint (gtk_widget_get_width (layout.picture), ==, gtk_widget_get_width (layout.view));
      else
        g_assert_cmpint (2 * gtk_widget_get_width (layout.picture), >=, gtk_widget_get_width (layout.view));
      gtk_window_destroy (GTK_WINDOW (window));
    }
  helper_remove_tree (archive);
}

/* A prompt of 5,000 characters is folded to six lines behind "Show More";
 * unfolded it is whole and the button says "Show Less".  A short prompt
 * has no button. */
static void
test_show_more (void)
{
  GtkWidget *window = gtk_window_new ();
  MjaImageView *view = g_object_new (MJA_TYPE_IMAGE_VIEW, NULL);
  g_autoptr(MjaJobItem) item = NULL;
  g_autoptr(MjaJobItem) short_item = NULL;
  g_autoptr(GString) prompt = g_string_new (NULL);
  GtkLabel *label = view_part (view, "prompt_label");
  GtkButton *more = view_part (view, "more_button");
  int folded, whole;

  while (prompt->len < 5000)
    g_string_append (prompt, "a lighthouse in the fog ");
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  item = lone_job (prompt->str);
  mja_image_view_set_item (view, item);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (more)));
  g_assert_cmpstr (gtk_button_get_label (more), ==, "Show More");
  folded = label_height (label);
  activate (view, "show-more");
  g_assert_cmpstr (gtk_button_get_label (more), ==, "Show Less");
  whole = label_height (label);
  g_assert_cmpint (whole, >, 10 * folded);
  activate (view, "show-more");
  g_assert_cmpint (label_height (label), ==, folded);

  short_item = lone_job ("a lighthouse");
  mja_image_view_set_item (view, short_item);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (more)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The grid's search, marked in the prompt where it matched; a new search
 * moves the marks, none clears them. */
static gboolean
find_background (PangoAttribute *attribute,
                 gpointer        data)
{
  return attribute->klass->type == PANGO_ATTR_BACKGROUND;
}

static char *
marked_text (GtkLabel *label)
{
  PangoAttrList *list = gtk_label_get_attributes (label);
  g_autoptr(PangoAttrList) marks = list ? pango_attr_list_filter (list, find_background, NULL) : NULL;
  g_autoslist(PangoAttribute) attributes = marks ? pango_attr_list_get_attributes (marks) : NULL;
  const char *text = gtk_label_get_text (label);
  GString *out = g_string_new (NULL);

  for (GSList *l = attributes; l != NULL; l = l->next)
    {
      PangoAttribute *attribute = l->data;

      g_string_append_printf (out, "[%.*s]", (int) (attribute->end_index - attribute->start_index),
                              text + attribute->start_index);
    }
  return g_string_free (out, FALSE);
}

static void
test_highlight (void)
{
  GtkWidget *window = gtk_window_new ();
  MjaImageView *view = g_object_new (MJA_TYPE_IMAGE_VIEW, NULL);
  g_autoptr(MjaJobItem) item = lone_job ("a Cat on a roof, ✨ catlike ✨");
  GtkLabel *prompt;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  mja_image_view_set_item (view, item);
  prompt = view_part (view, "prompt_label");
  g_autofree char *none = marked_text (prompt);
  g_assert_cmpstr (none, ==, "");
  mja_image_view_set_highlight (view, "cat ✨");
  {
    g_autofree char *marks = marked_text (prompt);
    g_assert_cmpstr (marks, ==, "[Cat][✨][cat][✨]");
  }
  mja_image_view_set_highlight (view, "roof");
  {
    g_autofree char *marks = marked_text (prompt);
    g_assert_cmpstr (marks, ==, "[roof]");
  }
  mja_image_view_set_highlight (view, "");
  {
    g_autofree char *marks = marked_text (prompt);
    g_assert_cmpstr (marks, ==, "");
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A video's poster is its first frame, the size of a thumbnail, kept in
 * the freedesktop cache as an image's is; a file that is no video gives
 * an error, never a hang. */
static void
test_video_poster (void)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "video-ball.mp4", NULL);
  g_autofree char *cache = g_dir_make_tmp ("mja-poster-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (cache, "broken.mp4", NULL);
  g_autoptr(MjaThumbnailer) thumbnailer = mja_thumbnailer_new (128, 16);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint cached = 0;

  mja_thumbnailer_set_shared_cache (thumbnailer, cache);
  {
    HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree guchar *pixels = NULL;
    guint lit = 0;
    int w, h;

    mja_thumbnailer_load_async (thumbnailer, fixture, NULL, helper_async_done_cb, &async);
    result = helper_async_wait (&async);
    texture = mja_thumbnailer_load_finish (thumbnailer, result, &error);
    g_assert_no_error (error);
    w = gdk_texture_get_width (texture);
    h = gdk_texture_get_height (texture);
    g_assert_cmpint (MAX (w, h), ==, 128);
    /* A frame of the video, not an empty one: some pixels are lit. */
    pixels = g_malloc ((gsize) w * h * 4);
    gdk_texture_download (texture, pixels, (gsize) w * 4);
    for (gsize i = 0; i < (gsize) w * h * 4; i += 4)
      lit += pixels[i] + pixels[i + 1] + pixels[i + 2] > 96;
    g_assert_cmpuint (lit, >, 0);
  }
  dir = g_dir_open (cache, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    cached += g_str_has_suffix (name, ".png");
  g_assert_cmpuint (cached, ==, 1);

  g_assert_true (g_file_set_contents (broken, "\0\0\0\x10" "ftypisom" "garbage!", 16, NULL));
  {
    HelperAsync async = { g_main_loop_new (NULL, FALSE), NULL };
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GdkTexture) texture = NULL;
    g_autoptr(GError) error = NULL;

    mja_thumbnailer_load_async (thumbnailer, broken, NULL, helper_async_done_cb, &async);
    result = helper_async_wait (&async);
    texture = mja_thumbnailer_load_finish (thumbnailer, result, &error);
    g_assert_null (texture);
    g_assert_nonnull (error);
  }
  helper_remove_tree (cache);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  home = g_dir_make_tmp ("mja-test-image-view-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  helper_use_file_keyring (home);
  g_unsetenv ("MIDJOURNEY_COOKIE");
  g_unsetenv ("MIDJOURNEY_SESSION_TOKEN");
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      if (g_getenv ("MJA_REQUIRE_DISPLAY") != NULL)
        g_error ("No display, and MJA_REQUIRE_DISPLAY is set");
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  app = mja_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/image-view/navigation", test_navigation);
  g_test_add_func ("/image-view/parent-and-children", test_parent_and_children);
  g_test_add_func ("/image-view/parent-filtered-out", test_parent_filtered_out);
  g_test_add_func ("/image-view/show-more", test_show_more);
  g_test_add_func ("/image-view/layout", test_layout);
  g_test_add_func ("/image-view/zoom", test_zoom);
  g_test_add_func ("/image-view/zoom-label", test_zoom_label);
  g_test_add_func ("/image-view/video", test_video);
  g_test_add_func ("/image-view/type-words", test_type_words);
  g_test_add_func ("/image-view/highlight", test_highlight);
  g_test_add_func ("/image-view/video-poster", test_video_poster);
  status = g_test_run ();

  g_clear_object (&app);
  helper_remove_tree (home);
  return status;
}
