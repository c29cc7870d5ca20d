/* mja-image-view.c — one job, large, with its prompt and metadata
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The image is decoded off the main thread at up to 2048 pixels, the size
 * Midjourney's largest renditions have; its neighbours in the grid are the
 * window's business (it emits "show-job" for the parent link).
 *
 * Zoom: "best fit" shrinks the image into the space there is; any other
 * level sizes the picture at that scale of the decoded image, inside a
 * scrolled window.  Ctrl++ / Ctrl+− / Ctrl+0 / Ctrl+1, Ctrl+scroll, and the
 * buttons over the image.
 */
#define G_LOG_DOMAIN "mja-image-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "mja-file-actions.h"
#include "mja-image-view.h"
#include "mja-thumbnailer.h"

#define VIEW_SIZE 2048
#define ZOOM_MIN  0.05
#define ZOOM_MAX  8.0
#define ZOOM_STEP 1.25

struct _MjaImageView
{
  GtkBox          parent_instance;

  MjaJobItem     *item;
  MjaThumbnailer *loader;
  GCancellable   *cancellable;

  double          zoom;  /* 0: best fit */

  GtkStack       *picture_stack;
  GtkScrolledWindow *scroller;
  GtkPicture     *picture;
  GtkButton      *zoom_button;
  GtkLabel       *prompt_label;
  GtkLabel       *command_label;
  AdwActionRow   *date_row;
  AdwActionRow   *type_row;
  AdwActionRow   *size_row;
  AdwActionRow   *rating_row;
  AdwActionRow   *parent_row;
};

G_DEFINE_FINAL_TYPE (MjaImageView, mja_image_view, GTK_TYPE_BOX)

enum
{
  SIGNAL_SHOW_JOB,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The scale "best fit" shows the image at now. */
static double
fit_scale (MjaImageView *self)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);
  int width = gtk_widget_get_width (GTK_WIDGET (self->scroller)) - 24;
  int height = gtk_widget_get_height (GTK_WIDGET (self->scroller)) - 24;
  int image_width = paintable ? gdk_paintable_get_intrinsic_width (paintable) : 0;
  int image_height = paintable ? gdk_paintable_get_intrinsic_height (paintable) : 0;

  if (image_width <= 0 || image_height <= 0 || width <= 0 || height <= 0)
    return 1.0;
  return MIN (1.0, MIN ((double) width / image_width, (double) height / image_height));
}

static void
set_zoom (MjaImageView *self,
          double        zoom)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (self->picture);

  self->zoom = zoom <= 0 ? 0 : CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (self->zoom == 0 || paintable == NULL)
    {
      gtk_widget_set_size_request (GTK_WIDGET (self->picture), -1, -1);
      gtk_picture_set_can_shrink (self->picture, TRUE);
      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_NEVER);
      gtk_button_set_label (self->zoom_button, _("Best Fit"));
    }
  else
    {
      g_autofree char *level = g_strdup_printf (_("%.0f %%"), self->zoom * 100);

      gtk_widget_set_size_request (GTK_WIDGET (self->picture),
                                   (int) (gdk_paintable_get_intrinsic_width (paintable) * self->zoom),
                                   (int) (gdk_paintable_get_intrinsic_height (paintable) * self->zoom));
      gtk_picture_set_can_shrink (self->picture, FALSE);
      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
      gtk_button_set_label (self->zoom_button, level);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-in", paintable && self->zoom < ZOOM_MAX);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.zoom-out",
                                 paintable && (self->zoom == 0 ? fit_scale (self) : self->zoom) > ZOOM_MIN);
}

static void
zoom_by (MjaImageView *self,
         double        factor)
{
  set_zoom (self, (self->zoom == 0 ? fit_scale (self) : self->zoom) * factor);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaImageView *self = MJA_IMAGE_VIEW (widget);

  if (g_str_equal (action_name, "view.zoom-in"))
    zoom_by (self, ZOOM_STEP);
  else if (g_str_equal (action_name, "view.zoom-out"))
    zoom_by (self, 1 / ZOOM_STEP);
  else if (g_str_equal (action_name, "view.zoom-original"))
    set_zoom (self, 1.0);
  else
    set_zoom (self, 0);
}

/* Ctrl+scroll zooms; a plain scroll scrolls a zoomed image. */
static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           MjaImageView             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (!(state & GDK_CONTROL_MASK) || dy == 0 || gtk_picture_get_paintable (self->picture) == NULL)
    return FALSE;
  zoom_by (self, dy < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
  return TRUE;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(MjaImageView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = mja_thumbnailer_load_finish (MJA_THUMBNAILER (source), result, &error);

  if (texture != NULL)
    {
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
      gtk_stack_set_visible_child_name (self->picture_stack, "picture");
      set_zoom (self, 0);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_stack_set_visible_child_name (self->picture_stack, "missing");
}

void
mja_image_view_set_item (MjaImageView *self,
                         MjaJobItem   *item)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *date = NULL;
  g_autofree char *size = NULL;
  g_autofree char *rating = NULL;
  const char *image;

  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));
  g_return_if_fail (MJA_IS_JOB_ITEM (item));

  g_set_object (&self->item, item);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  time = g_date_time_new_from_unix_local (mja_job_item_get_time (item) / G_USEC_PER_SEC);
  date = g_date_time_format (time, "%x %X");
  size = mja_job_item_get_width (item) > 0
         ? g_strdup_printf ("%u × %u", mja_job_item_get_width (item), mja_job_item_get_height (item))
         : g_strdup (_("Unknown"));
  rating = mja_job_item_get_rating (item) > 0 ? g_strdup_printf ("%u / 5", mja_job_item_get_rating (item))
                                              : g_strdup (_("Not rated"));

  gtk_label_set_text (self->prompt_label, mja_job_item_get_prompt (item));
  gtk_label_set_text (self->command_label, mja_job_item_get_full_command (item));
  adw_action_row_set_subtitle (self->date_row, date);
  adw_action_row_set_subtitle (self->type_row, mja_job_item_get_job_type (item));
  adw_action_row_set_subtitle (self->size_row, size);
  adw_action_row_set_subtitle (self->rating_row, rating);
  adw_action_row_set_subtitle (self->parent_row, mja_job_item_get_parent_id (item) ? mja_job_item_get_parent_id (item)
                                                                                    : _("None"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.show-parent", mja_job_item_get_parent_id (item) != NULL);

  image = mja_job_item_get_image (item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.open", image != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "view.show-in-folder", TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  mja_job_item_get_prompt (item), -1);
  gtk_picture_set_paintable (self->picture, NULL);
  set_zoom (self, 0);
  if (image == NULL)
    {
      gtk_stack_set_visible_child_name (self->picture_stack, "missing");
      return;
    }
  gtk_stack_set_visible_child_name (self->picture_stack, "picture");
  mja_thumbnailer_load_async (self->loader, image, self->cancellable, loaded_cb, g_object_ref (self));
}

MjaJobItem *
mja_image_view_get_item (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), NULL);
  return self->item;
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  mja_open_with_default_viewer (widget, mja_job_item_get_image (MJA_IMAGE_VIEW (widget)->item));
}

static void
show_in_folder_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MjaJobItem *item = MJA_IMAGE_VIEW (widget)->item;

  mja_show_in_folder (widget, mja_job_item_get_image (item) ? mja_job_item_get_image (item)
                                                            : mja_job_item_get_json_path (item));
}

static void
copy_prompt_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  mja_copy_text (widget, mja_job_item_get_prompt (MJA_IMAGE_VIEW (widget)->item));
}

static void
show_parent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MjaImageView *self = MJA_IMAGE_VIEW (widget);

  g_signal_emit (self, signals[SIGNAL_SHOW_JOB], 0, mja_job_item_get_parent_id (self->item));
}

static void
mja_image_view_dispose (GObject *object)
{
  MjaImageView *self = MJA_IMAGE_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->item);
  g_clear_object (&self->loader);
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_IMAGE_VIEW);

  G_OBJECT_CLASS (mja_image_view_parent_class)->dispose (object);
}

static void
mja_image_view_class_init (MjaImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_image_view_dispose;

  /* (job id) — the parent link was followed. */
  signals[SIGNAL_SHOW_JOB] = g_signal_new ("show-job", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                           NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-image-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, picture_stack);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, picture);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, scroller);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, command_label);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, date_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, type_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, size_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, rating_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, parent_row);

  gtk_widget_class_install_action (widget_class, "view.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "view.show-in-folder", NULL, show_in_folder_action);
  gtk_widget_class_install_action (widget_class, "view.copy-prompt", NULL, copy_prompt_action);
  gtk_widget_class_install_action (widget_class, "view.show-parent", NULL, show_parent_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-original", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "view.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "view.zoom-original", NULL);
}

static void
mja_image_view_init (MjaImageView *self)
{
  GtkEventController *scroll;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->loader = mja_thumbnailer_new (VIEW_SIZE, 16);
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), scroll);
  set_zoom (self, 0);
}
