/* mja-side-pane.c — a pane beside the content, or over it when narrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sync sidebar's place in the window.  Where the window is wide enough
 * for the content's minimum and the side's natural width, the side sits at
 * the end, beside the content, as a GtkBox would put it.  Below that the
 * side lies over the end of the content (with a shadow), which then keeps
 * the whole width: the window can be as narrow as the wider of the two,
 * not their sum.  AdwFlap does this too, but libadwaita 1.2's allocates a
 * box at INT_MIN width for a frame when one flap sits in another's
 * content; this is the part of it we need.  The side is usually a
 * GtkRevealer, whose animated width this follows.  A click on the content
 * beside a side that lies over it asks for the side to close
 * (::dismiss), as a click beside a folded AdwFlap does, and goes no
 * further.
 */
#include "config.h"

#include "mja-side-pane.h"

struct _MjaSidePane
{
  GtkWidget  parent_instance;

  GtkWidget *content;
  GtkWidget *side;
  gboolean   overlaid;
};

G_DEFINE_FINAL_TYPE (MjaSidePane, mja_side_pane, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CONTENT,
  PROP_SIDE,
  PROP_OVERLAID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_DISMISS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The shadow a side casts over the content it lies on. */
#define SHADOW_BLUR 12.0

static gboolean
shown (GtkWidget *child)
{
  return child != NULL && gtk_widget_get_visible (child);
}

static void
measure_child (GtkWidget      *child,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural)
{
  *minimum = *natural = 0;
  if (shown (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
mja_side_pane_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  MjaSidePane *self = MJA_SIDE_PANE (widget);
  int content_min, content_nat, side_min, side_nat;

  measure_child (self->content, orientation, -1, &content_min, &content_nat);
  measure_child (self->side, orientation, -1, &side_min, &side_nat);
  *minimum = MAX (content_min, side_min);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = content_nat + side_nat;
  else
    *natural = MAX (content_nat, side_nat);
  *natural = MAX (*natural, *minimum);
}

static void
set_overlaid (MjaSidePane *self,
              gboolean     overlaid)
{
  if (self->overlaid == overlaid)
    return;
  self->overlaid = overlaid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAID]);
}

/* The side's width once shown whole: a revealer's child's, not the
 * revealer's own, which follows its slide. */
static int
full_side_width (MjaSidePane *self)
{
  GtkWidget *side = self->side;
  int minimum, natural;

  if (GTK_IS_REVEALER (side) && gtk_revealer_get_child (GTK_REVEALER (side)) != NULL)
    side = gtk_revealer_get_child (GTK_REVEALER (side));
  measure_child (side, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural);
  return natural;
}

static void
mja_side_pane_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  MjaSidePane *self = MJA_SIDE_PANE (widget);
  int content_min, content_nat, side_min, side_nat, side_width;
  gboolean overlaid;

  /* As measure() measured them, so that what it promised holds. */
  measure_child (self->content, GTK_ORIENTATION_HORIZONTAL, -1, &content_min, &content_nat);
  measure_child (self->side, GTK_ORIENTATION_HORIZONTAL, -1, &side_min, &side_nat);
  side_width = CLAMP (side_nat, side_min, width);
  /* Beside or over is decided by the whole side, so that the content
   * does not shrink then spring back while the side slides in. */
  overlaid = side_width > 0 && width < content_min + full_side_width (self);
  if (shown (self->content))
    gtk_widget_allocate (self->content, overlaid ? width : width - side_width, height, -1, NULL);
  if (shown (self->side))
    gtk_widget_allocate (self->side, side_width, height, -1,
                         gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (width - side_width, 0)));
  set_overlaid (self, overlaid);
}

static void
mja_side_pane_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  MjaSidePane *self = MJA_SIDE_PANE (widget);

  if (shown (self->content))
    gtk_widget_snapshot_child (widget, self->content, snapshot);
  if (!shown (self->side))
    return;
  if (self->overlaid && gtk_widget_get_width (self->side) > 0)
    {
      int width = gtk_widget_get_width (widget);
      int side_width = gtk_widget_get_width (self->side);
      GskRoundedRect outline;

      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (width - side_width, 0, side_width,
                                                                      gtk_widget_get_height (widget)), 0);
      gtk_snapshot_append_outset_shadow (snapshot, &outline, &(GdkRGBA) { 0, 0, 0, 0.25 }, 0, 0, 0,
                                         SHADOW_BLUR);
    }
  gtk_widget_snapshot_child (widget, self->side, snapshot);
}

static void
set_child (MjaSidePane  *self,
           GtkWidget   **slot,
           GtkWidget    *child,
           GtkWidget    *before)
{
  if (*slot == child)
    return;
  g_return_if_fail (child == NULL || gtk_widget_get_parent (child) == NULL);
  g_clear_pointer (slot, gtk_widget_unparent);
  if (child != NULL)
    {
      *slot = child;
      /* The content first: the side is drawn, and picked, on top. */
      gtk_widget_insert_before (child, GTK_WIDGET (self), before);
    }
}

GtkWidget *
mja_side_pane_get_content (MjaSidePane *self)
{
  g_return_val_if_fail (MJA_IS_SIDE_PANE (self), NULL);
  return self->content;
}

void
mja_side_pane_set_content (MjaSidePane *self,
                           GtkWidget   *content)
{
  g_return_if_fail (MJA_IS_SIDE_PANE (self));
  set_child (self, &self->content, content, self->side);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTENT]);
}

GtkWidget *
mja_side_pane_get_side (MjaSidePane *self)
{
  g_return_val_if_fail (MJA_IS_SIDE_PANE (self), NULL);
  return self->side;
}

void
mja_side_pane_set_side (MjaSidePane *self,
                        GtkWidget   *side)
{
  g_return_if_fail (MJA_IS_SIDE_PANE (self));
  set_child (self, &self->side, side, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIDE]);
}

/* Whether the side, at its last allocation, lay over the content. */
gboolean
mja_side_pane_get_overlaid (MjaSidePane *self)
{
  g_return_val_if_fail (MJA_IS_SIDE_PANE (self), FALSE);
  return self->overlaid;
}

static void
mja_side_pane_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MjaSidePane *self = MJA_SIDE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONTENT:
      g_value_set_object (value, self->content);
      break;
    case PROP_SIDE:
      g_value_set_object (value, self->side);
      break;
    case PROP_OVERLAID:
      g_value_set_boolean (value, self->overlaid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_side_pane_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MjaSidePane *self = MJA_SIDE_PANE (object);

  switch (prop_id)
    {
    case PROP_CONTENT:
      mja_side_pane_set_content (self, g_value_get_object (value));
      break;
    case PROP_SIDE:
      mja_side_pane_set_side (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_side_pane_dispose (GObject *object)
{
  MjaSidePane *self = MJA_SIDE_PANE (object);

  g_clear_pointer (&self->content, gtk_widget_unparent);
  g_clear_pointer (&self->side, gtk_widget_unparent);
  G_OBJECT_CLASS (mja_side_pane_parent_class)->dispose (object);
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            MjaSidePane     *self)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));

  if (!self->overlaid || !shown (self->side) || gtk_widget_get_width (self->side) == 0 ||
      x >= gtk_widget_get_width (GTK_WIDGET (self)) - gtk_widget_get_width (self->side))
    return;
  /* A click in a popover of the content (a cell's menu) passes through
   * here too: it is the popover's. */
  if (event == NULL || native == NULL || gdk_event_get_surface (event) != gtk_native_get_surface (native))
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[SIGNAL_DISMISS], 0);
}

static void
mja_side_pane_class_init (MjaSidePaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = mja_side_pane_get_property;
  object_class->set_property = mja_side_pane_set_property;
  object_class->dispose = mja_side_pane_dispose;
  widget_class->measure = mja_side_pane_measure;
  widget_class->size_allocate = mja_side_pane_size_allocate;
  widget_class->snapshot = mja_side_pane_snapshot;

  properties[PROP_CONTENT] = g_param_spec_object ("content", NULL, NULL, GTK_TYPE_WIDGET,
                                                  G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                  G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIDE] = g_param_spec_object ("side", NULL, NULL, GTK_TYPE_WIDGET,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                               G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OVERLAID] = g_param_spec_boolean ("overlaid", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                                    G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[SIGNAL_DISMISS] = g_signal_new ("dismiss", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mja_side_pane_init (MjaSidePane *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  /* The side's shadow stays within the pane. */
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}
