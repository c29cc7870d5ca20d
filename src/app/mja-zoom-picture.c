/* mja-zoom-picture.c — an image that zooms around a point and pans
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns one image file: decodes it off the main thread at the size the
 * screen needs (at most DISPLAY_BOX pixels) and again at full resolution
 * only once it is zoomed in beyond what that decode holds; draws it at a
 * zoom level (1.0 = one image pixel on one device pixel, the "100 %"
 * people read) or fitted to the space there is; zooms around the pointer
 * (Ctrl+scroll, pinch) or the centre (keys, buttons), pans by dragging
 * and scrolling, and toggles fit ⇄ 100 % on a double click.  The maths
 * follows GNOME's Image Viewer: the image point under the pointer stays
 * there while the level changes.  It knows no job and no archive.
 */
#define G_LOG_DOMAIN "mja-zoom-picture"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "mja-zoom-picture.h"

#define DISPLAY_BOX 2048
#define ZOOM_MAX    20.0
#define SCROLL_STEP 48.0  /* logical pixels a wheel click pans */

struct _MjaZoomPicture
{
  GtkWidget     parent_instance;

  char         *path;
  GCancellable *cancellable;
  GdkTexture   *texture;
  int           image_width;   /* the file's pixels */
  int           image_height;
  gboolean      full_decoded;  /* texture has every pixel of the file */
  gboolean      loading_full;

  double        zoom;          /* device pixels per image pixel */
  gboolean      best_fit;
  double        scroll_x;      /* logical pixels of the scaled image left of / above the view */
  double        scroll_y;

  double        pointer_x;
  double        pointer_y;
  gboolean      pointer_in;
  double        drag_scroll_x;
  double        drag_scroll_y;
  double        gesture_zoom;
};

G_DEFINE_FINAL_TYPE (MjaZoomPicture, mja_zoom_picture, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ZOOM,
  PROP_BEST_FIT,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_LOAD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- geometry ----------------------------------------------------------- */

static double
scale_factor (MjaZoomPicture *self)
{
  return MAX (1, gtk_widget_get_scale_factor (GTK_WIDGET (self)));
}

double
mja_zoom_picture_get_fit_zoom (MjaZoomPicture *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), 1.0);

  if (self->image_width <= 0 || self->image_height <= 0 || width <= 0 || height <= 0)
    return 1.0;
  return MIN (1.0, MIN (width * scale_factor (self) / self->image_width,
                        height * scale_factor (self) / self->image_height));
}

/* The scaled image's size in logical pixels. */
static void
scaled_size (MjaZoomPicture *self,
             double         *width,
             double         *height)
{
  *width = self->image_width * self->zoom / scale_factor (self);
  *height = self->image_height * self->zoom / scale_factor (self);
}

/* Where the scaled image's top-left corner is in the widget. */
static void
origin (MjaZoomPicture *self,
        double         *x,
        double         *y)
{
  double width, height;

  scaled_size (self, &width, &height);
  *x = width <= gtk_widget_get_width (GTK_WIDGET (self)) ? (gtk_widget_get_width (GTK_WIDGET (self)) - width) / 2
                                                          : -self->scroll_x;
  *y = height <= gtk_widget_get_height (GTK_WIDGET (self)) ? (gtk_widget_get_height (GTK_WIDGET (self)) - height) / 2
                                                            : -self->scroll_y;
}

static gboolean
can_pan (MjaZoomPicture *self)
{
  double width, height;

  scaled_size (self, &width, &height);
  return width > gtk_widget_get_width (GTK_WIDGET (self)) + 0.5 ||
         height > gtk_widget_get_height (GTK_WIDGET (self)) + 0.5;
}

static void
clamp_scroll (MjaZoomPicture *self)
{
  double width, height;

  scaled_size (self, &width, &height);
  self->scroll_x = CLAMP (self->scroll_x, 0, MAX (0, width - gtk_widget_get_width (GTK_WIDGET (self))));
  self->scroll_y = CLAMP (self->scroll_y, 0, MAX (0, height - gtk_widget_get_height (GTK_WIDGET (self))));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), can_pan (self) ? "grab" : NULL);
}

void
mja_zoom_picture_widget_to_image (MjaZoomPicture *self,
                                  double          x,
                                  double          y,
                                  double         *image_x,
                                  double         *image_y)
{
  double ox, oy;

  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));

  origin (self, &ox, &oy);
  if (image_x != NULL)
    *image_x = (x - ox) * scale_factor (self) / self->zoom;
  if (image_y != NULL)
    *image_y = (y - oy) * scale_factor (self) / self->zoom;
}

/* ---- loading ------------------------------------------------------------ */

typedef struct
{
  GdkTexture *texture;
  int         width;
  int         height;
  gboolean    full;
} Decoded;

static void
decoded_free (Decoded *decoded)
{
  g_clear_object (&decoded->texture);
  g_free (decoded);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *path = task_data;
  int box = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "box"));
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;
  Decoded *decoded = g_new0 (Decoded, 1);

  if (gdk_pixbuf_get_file_info (path, &decoded->width, &decoded->height) == NULL)
    {
      g_free (decoded);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not an image this app can read"));
      return;
    }
  decoded->full = box <= 0 || (decoded->width <= box && decoded->height <= box);
  pixbuf = decoded->full ? gdk_pixbuf_new_from_file (path, &error)
                         : gdk_pixbuf_new_from_file_at_scale (path, box, box, TRUE, &error);
  if (pixbuf == NULL)
    {
      g_free (decoded);
      g_task_return_error (task, error);
      return;
    }
  decoded->texture = gdk_texture_new_for_pixbuf (pixbuf);
  g_task_return_pointer (task, decoded, (GDestroyNotify) decoded_free);
}

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MjaZoomPicture *self = MJA_ZOOM_PICTURE (source);
  g_autoptr(GError) error = NULL;
  Decoded *decoded = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean first;

  if (decoded == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->loading_full = FALSE;
          if (self->texture == NULL)
            g_signal_emit (self, signals[SIGNAL_LOAD_FAILED], 0, error);
        }
      return;
    }
  first = self->texture == NULL;
  g_set_object (&self->texture, decoded->texture);
  self->image_width = decoded->width;
  self->image_height = decoded->height;
  self->full_decoded = decoded->full;
  self->loading_full = FALSE;
  decoded_free (decoded);
  if (first)
    {
      self->best_fit = TRUE;
      self->zoom = mja_zoom_picture_get_fit_zoom (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST_FIT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  clamp_scroll (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
decode (MjaZoomPicture *self,
        int             box)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, decoded_cb, NULL);

  g_object_set_data (G_OBJECT (task), "box", GINT_TO_POINTER (box));
  g_task_set_task_data (task, g_strdup (self->path), g_free);
  g_task_run_in_thread (task, decode_thread);
}

/* Zoomed in beyond what the first decode holds: the file's every pixel. */
static void
need_resolution (MjaZoomPicture *self)
{
  if (self->texture == NULL || self->full_decoded || self->loading_full || self->path == NULL)
    return;
  if (self->zoom * self->image_width <= gdk_texture_get_width (self->texture) * 1.01)
    return;
  self->loading_full = TRUE;
  decode (self, 0);
}

void
mja_zoom_picture_set_file (MjaZoomPicture *self,
                           const char     *path)
{
  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->texture);
  g_free (self->path);
  self->path = g_strdup (path);
  self->image_width = self->image_height = 0;
  self->full_decoded = self->loading_full = FALSE;
  self->best_fit = TRUE;
  self->zoom = 1.0;
  self->scroll_x = self->scroll_y = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (path == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  decode (self, DISPLAY_BOX);
}

gboolean
mja_zoom_picture_get_loaded (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), FALSE);
  return self->texture != NULL;
}

int
mja_zoom_picture_get_image_width (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), 0);
  return self->image_width;
}

int
mja_zoom_picture_get_image_height (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), 0);
  return self->image_height;
}

/* How many pixels across the texture drawn holds (tests: decode size). */
int
mja_zoom_picture_get_decoded_width (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), 0);
  return self->texture ? gdk_texture_get_width (self->texture) : 0;
}

/* ---- zooming ------------------------------------------------------------ */

double
mja_zoom_picture_get_zoom (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), 1.0);
  return self->zoom;
}

gboolean
mja_zoom_picture_get_best_fit (MjaZoomPicture *self)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), TRUE);
  return self->best_fit;
}

static void
set_best_fit (MjaZoomPicture *self,
              gboolean        best_fit)
{
  if (self->best_fit == best_fit)
    return;
  self->best_fit = best_fit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEST_FIT]);
}

void
mja_zoom_picture_zoom_fit (MjaZoomPicture *self)
{
  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));

  set_best_fit (self, TRUE);
  self->zoom = mja_zoom_picture_get_fit_zoom (self);
  clamp_scroll (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Zooms to @zoom keeping the image point at (@x, @y) where it is; below
 * the fitted level it fits. */
void
mja_zoom_picture_zoom_at (MjaZoomPicture *self,
                          double          zoom,
                          double          x,
                          double          y)
{
  double image_x, image_y;
  double fit;

  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));

  if (self->texture == NULL)
    return;
  fit = mja_zoom_picture_get_fit_zoom (self);
  if (zoom <= fit * 1.0001)
    {
      mja_zoom_picture_zoom_fit (self);
      return;
    }
  zoom = MIN (zoom, MAX (ZOOM_MAX, fit));
  mja_zoom_picture_widget_to_image (self, x, y, &image_x, &image_y);
  self->zoom = zoom;
  set_best_fit (self, FALSE);
  self->scroll_x = image_x * zoom / scale_factor (self) - x;
  self->scroll_y = image_y * zoom / scale_factor (self) - y;
  clamp_scroll (self);
  need_resolution (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Around the centre: the keys and the buttons. */
void
mja_zoom_picture_set_zoom (MjaZoomPicture *self,
                           double          zoom)
{
  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));
  mja_zoom_picture_zoom_at (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                            gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
mja_zoom_picture_zoom_in (MjaZoomPicture *self)
{
  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));
  mja_zoom_picture_set_zoom (self, self->zoom * MJA_ZOOM_STEP);
}

void
mja_zoom_picture_zoom_out (MjaZoomPicture *self)
{
  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));
  mja_zoom_picture_set_zoom (self, self->zoom / MJA_ZOOM_STEP);
}

/* A double click: fitted → 100 % at that point (200 % for an image that
 * fits at 100 %), anything else → fitted. */
void
mja_zoom_picture_toggle_at (MjaZoomPicture *self,
                            double          x,
                            double          y)
{
  double fit;

  g_return_if_fail (MJA_IS_ZOOM_PICTURE (self));

  fit = mja_zoom_picture_get_fit_zoom (self);
  if (self->best_fit)
    mja_zoom_picture_zoom_at (self, fit < 0.999 ? 1.0 : 2.0 * fit, x, y);
  else
    mja_zoom_picture_zoom_fit (self);
}

/* Ctrl+scroll by @dy wheel steps (fractions for a touchpad) around the
 * pointer, or the centre when it is elsewhere. */
gboolean
mja_zoom_picture_scroll_at_pointer (MjaZoomPicture *self,
                                    double          dy)
{
  g_return_val_if_fail (MJA_IS_ZOOM_PICTURE (self), FALSE);

  if (self->texture == NULL || dy == 0)
    return FALSE;
  if (self->pointer_in)
    mja_zoom_picture_zoom_at (self, self->zoom * pow (MJA_ZOOM_STEP, -dy), self->pointer_x, self->pointer_y);
  else
    mja_zoom_picture_set_zoom (self, self->zoom * pow (MJA_ZOOM_STEP, -dy));
  return TRUE;
}

/* ---- input -------------------------------------------------------------- */

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           MjaZoomPicture           *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_in = TRUE;
}

static void
leave_cb (GtkEventControllerMotion *controller,
          MjaZoomPicture           *self)
{
  self->pointer_in = FALSE;
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           MjaZoomPicture           *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double step = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL ? SCROLL_STEP : 1.0;

  if (state & GDK_CONTROL_MASK)
    return mja_zoom_picture_scroll_at_pointer (self, dy);
  if (!can_pan (self))
    return FALSE;
  self->scroll_x += dx * step;
  self->scroll_y += dy * step;
  clamp_scroll (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            MjaZoomPicture  *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (n_press == 2)
    mja_zoom_picture_toggle_at (self, x, y);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               MjaZoomPicture *self)
{
  if (!can_pan (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->drag_scroll_x = self->scroll_x;
  self->drag_scroll_y = self->scroll_y;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                MjaZoomPicture *self)
{
  self->scroll_x = self->drag_scroll_x - offset_x;
  self->scroll_y = self->drag_scroll_y - offset_y;
  clamp_scroll (self);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          offset_x,
             double          offset_y,
             MjaZoomPicture *self)
{
  clamp_scroll (self);
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               MjaZoomPicture   *self)
{
  self->gesture_zoom = self->zoom;
}

static void
zoom_scale_changed_cb (GtkGestureZoom *gesture,
                       double          scale,
                       MjaZoomPicture *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    return;
  mja_zoom_picture_zoom_at (self, self->gesture_zoom * scale, x, y);
}

/* ---- GtkWidget ---------------------------------------------------------- */

static void
mja_zoom_picture_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  MjaZoomPicture *self = MJA_ZOOM_PICTURE (widget);

  if (self->best_fit && self->texture != NULL)
    {
      double zoom = mja_zoom_picture_get_fit_zoom (self);

      if (zoom != self->zoom)
        {
          self->zoom = zoom;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
        }
    }
  clamp_scroll (self);
}

static void
mja_zoom_picture_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = 0;
  *natural = 0;
}

static void
mja_zoom_picture_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  MjaZoomPicture *self = MJA_ZOOM_PICTURE (widget);
  double x, y, width, height;

  if (self->texture == NULL)
    return;
  origin (self, &x, &y);
  scaled_size (self, &width, &height);
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget)));
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (x, y, width, height));
  gtk_snapshot_pop (snapshot);
}

static void
mja_zoom_picture_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MjaZoomPicture *self = MJA_ZOOM_PICTURE (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_BEST_FIT:
      g_value_set_boolean (value, self->best_fit);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->texture != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_zoom_picture_dispose (GObject *object)
{
  MjaZoomPicture *self = MJA_ZOOM_PICTURE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (mja_zoom_picture_parent_class)->dispose (object);
}

static void
mja_zoom_picture_class_init (MjaZoomPictureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_zoom_picture_dispose;
  object_class->get_property = mja_zoom_picture_get_property;
  widget_class->size_allocate = mja_zoom_picture_size_allocate;
  widget_class->measure = mja_zoom_picture_measure;
  widget_class->snapshot = mja_zoom_picture_snapshot;

  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0, G_MAXDOUBLE, 1.0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BEST_FIT] = g_param_spec_boolean ("best-fit", NULL, NULL, TRUE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (GError) — the file could not be decoded. */
  signals[SIGNAL_LOAD_FAILED] = g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_css_name (widget_class, "mja-zoom-picture");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mja_zoom_picture_init (MjaZoomPicture *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->zoom = 1.0;
  self->best_fit = TRUE;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

GtkWidget *
mja_zoom_picture_new (void)
{
  return g_object_new (MJA_TYPE_ZOOM_PICTURE, NULL);
}
