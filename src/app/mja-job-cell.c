/* mja-job-cell.c — one job's thumbnail in the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what one cell shows of its job: the thumbnail, or a placeholder
 * saying what is missing, the prompt as its accessible name and tooltip,
 * and the thumbnail's load, which it cancels when it is given another job.
 * It never decodes an image itself (the thumbnailer does, off the main
 * thread) and knows nothing of the grid around it: menus and drags are
 * MjaJobGrid's.
 */
#define G_LOG_DOMAIN "mja-job-cell"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-bench-hooks.h"
#include "mja-job-cell.h"
#include "mja-job-words.h"

struct _MjaJobCell
{
  GtkWidget       parent_instance;

  MjaThumbnailer *thumbnailer;
  MjaJobItem     *item;
  GCancellable   *cancellable;   /* the thumbnail's load, while it runs */

  GtkImage       *placeholder;
  GtkPicture     *picture;
  GtkWidget      *badge;
  GtkImage       *badge_icon;
  GtkLabel       *badge_label;
};

G_DEFINE_FINAL_TYPE (MjaJobCell, mja_job_cell, GTK_TYPE_WIDGET)

/* The placeholder, or the thumbnail when @texture is given. */
static void
show_texture (MjaJobCell *self,
              GdkTexture *texture)
{
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (GTK_WIDGET (self->picture), texture != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder), texture == NULL);
  if (texture != NULL)
    mja_bench_hooks_thumbnail_shown ();
}

/* The prompt as the cell's tooltip, asked for when the pointer rests on it:
 * gtk_widget_set_tooltip_text() in every bind would ask the display where
 * the pointer is (a round trip to the X server) for each cell scrolled in,
 * which made fast scrolling stall for up to a quarter of a second. */
static gboolean
query_tooltip_cb (MjaJobCell *self,
                  int         x,
                  int         y,
                  gboolean    keyboard_mode,
                  GtkTooltip *tooltip)
{
  if (self->item == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, mja_job_item_get_prompt (self->item));
  return TRUE;
}

static void
thumbnail_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MjaJobCell) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = mja_thumbnailer_load_finish (MJA_THUMBNAILER (source), result, &error);

  if (texture != NULL)
    show_texture (self, texture);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_image_set_from_icon_name (self->placeholder, "image-missing-symbolic");
}

static void
cancel_load (MjaJobCell *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
mja_job_cell_dispose (GObject *object)
{
  MjaJobCell *self = MJA_JOB_CELL (object);

  cancel_load (self);
  g_clear_object (&self->item);
  g_clear_object (&self->thumbnailer);
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_JOB_CELL);

  G_OBJECT_CLASS (mja_job_cell_parent_class)->dispose (object);
}

static void
mja_job_cell_class_init (MjaJobCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_job_cell_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-job-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaJobCell, placeholder);
  gtk_widget_class_bind_template_child (widget_class, MjaJobCell, picture);
  gtk_widget_class_bind_template_child (widget_class, MjaJobCell, badge);
  gtk_widget_class_bind_template_child (widget_class, MjaJobCell, badge_icon);
  gtk_widget_class_bind_template_child (widget_class, MjaJobCell, badge_label);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  /* What the GtkStack that was the cell before said of itself. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mja_job_cell_init (MjaJobCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->badge), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

MjaJobCell *
mja_job_cell_new (MjaThumbnailer *thumbnailer)
{
  MjaJobCell *self;

  g_return_val_if_fail (MJA_IS_THUMBNAILER (thumbnailer), NULL);

  self = g_object_new (MJA_TYPE_JOB_CELL, NULL);
  self->thumbnailer = g_object_ref (thumbnailer);
  return self;
}

MjaJobItem *
mja_job_cell_get_item (MjaJobCell *self)
{
  g_return_val_if_fail (MJA_IS_JOB_CELL (self), NULL);
  return self->item;
}

/* A small badge in the corner: a video's icon, or how many images a job
 * of more than one has. */
static void
update_badge (MjaJobCell *self,
              MjaJobItem *item)
{
  gboolean video = mja_job_item_get_category (item) == MJA_JOB_CATEGORY_VIDEO;
  guint n = mja_job_item_get_n_images (item);
  g_autofree char *count = n > 1 ? g_strdup_printf ("%u", n) : NULL;

  gtk_image_set_from_icon_name (self->badge_icon, video ? "camera-video-symbolic" : "view-grid-symbolic");
  gtk_label_set_text (self->badge_label, count ? count : "");
  gtk_widget_set_visible (GTK_WIDGET (self->badge_label), count != NULL);
  gtk_widget_set_visible (self->badge, video || count != NULL);
  /* Screen readers hear it as the cell's description, not as more nodes
   * in a tree of thousands of cells. */
  {
    g_autofree char *description = video ? g_strdup (_("Video"))
                                   : count ? g_strdup_printf (ngettext ("%u image", "%u images", n), n)
                                           : g_strdup ("");

    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  }
}

/* Whether the cell shows all it will: its thumbnail, or that there is none. */
gboolean
mja_job_cell_is_complete (MjaJobCell *self)
{
  g_return_val_if_fail (MJA_IS_JOB_CELL (self), FALSE);

  return self->item == NULL || mja_job_item_get_image (self->item) == NULL ||
         gtk_picture_get_paintable (self->picture) != NULL;
}

/* Shows @item, or nothing (NULL): a cell scrolled away stops loading what
 * it no longer shows. */
void
mja_job_cell_set_item (MjaJobCell *self,
                       MjaJobItem *item)
{
  const char *image;
  GdkTexture *texture;

  g_return_if_fail (MJA_IS_JOB_CELL (self));
  g_return_if_fail (item == NULL || MJA_IS_JOB_ITEM (item));

  cancel_load (self);
  g_set_object (&self->item, item);
  if (item == NULL)
    {
      gtk_picture_set_paintable (self->picture, NULL);
      return;
    }

  image = mja_job_item_get_image (item);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  mja_job_item_get_prompt (item), -1);
  /* Videos are downloaded only when asked for: say what is missing. */
  gtk_image_set_from_icon_name (self->placeholder,
                                image ? "image-x-generic-symbolic"
                                : strstr (mja_job_item_get_job_type (item), "video") ? "video-x-generic-symbolic"
                                : "image-missing-symbolic");
  update_badge (self, item);
  texture = image ? mja_thumbnailer_lookup (self->thumbnailer, image) : NULL;
  show_texture (self, texture);
  if (texture != NULL || image == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  mja_thumbnailer_load_async (self->thumbnailer, image, self->cancellable, thumbnail_cb, g_object_ref (self));
}
