/* mja-job-grid.c — the grid of the archive's jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the GtkGridView of the jobs, its cells (MjaJobCell) and their
 * thumbnailer, the selection of many jobs (click, Ctrl+click, Shift+click,
 * rubber band, Ctrl+A, Escape) with the bar of what can be done to them
 * (Copy Prompts, Export…, Open With…, Show in Folder), the context menu
 * (by the secondary button, which selects what it hits, or Shift+F10 and
 * the Menu key on the focused job), and dragging the selected images out
 * as files.  It shows the model it is given and says which job was opened
 * ("job-activated") and how many are selected ("selection-changed"); it
 * never reads the index or decides which page the window shows.
 */
#define G_LOG_DOMAIN "mja-job-grid"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-export.h"
#include "mja-file-actions.h"
#include "mja-job-cell.h"
#include "mja-job-grid.h"
#include "mja-job-item.h"
#include "mja-thumbnailer.h"

struct _MjaJobGrid
{
  GtkWidget          parent_instance;

  MjaThumbnailer    *thumbnailer;
  MjaJobItem        *context_item;     /* the job whose context menu is open */
  guint              context_position;

  GtkMultiSelection *selection;

  GtkBox            *box;
  GtkScrolledWindow *scrolled_window;
  GtkGridView       *grid_view;
  GtkPopover        *cell_popover;
  GtkRevealer       *selection_revealer;
  GtkLabel          *selection_label;
};

G_DEFINE_FINAL_TYPE (MjaJobGrid, mja_job_grid, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_JOB_ACTIVATED,
  SIGNAL_SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- the context menu --------------------------------------------------- */

/* The menu of @cell's job, pointing at (@x, @y) in the cell. */
static void
show_cell_menu (MjaJobGrid  *self,
                GtkWidget   *cell,
                GtkListItem *list_item,
                double       x,
                double       y)
{
  MjaJobItem *item = gtk_list_item_get_item (list_item);
  double grid_x, grid_y;

  g_assert (MJA_IS_JOB_GRID (self));
  g_assert (MJA_IS_JOB_CELL (cell));
  if (item == NULL)
    return;
  g_set_object (&self->context_item, item);
  self->context_position = gtk_list_item_get_position (list_item);
  /* As in a file manager: the menu is about what it was opened on, which
   * becomes the selection unless it was part of it already. */
  if (!gtk_list_item_get_selected (list_item))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), self->context_position, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.open-with-viewer", mja_job_item_get_image (item) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.copy-image", mja_job_item_get_image (item) != NULL);
  /* One popover for every cell: made once, pointed where asked. */
  if (!gtk_widget_translate_coordinates (cell, GTK_WIDGET (self), x, y, &grid_x, &grid_y))
    return;
  gtk_popover_set_pointing_to (self->cell_popover, &(GdkRectangle) { (int) grid_x, (int) grid_y, 1, 1 });
  gtk_popover_popup (self->cell_popover);
}

static void
cell_menu_cb (GtkGestureClick *gesture,
              int              n_press,
              double           x,
              double           y,
              GtkListItem     *list_item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *self = gtk_widget_get_ancestor (cell, MJA_TYPE_JOB_GRID);

  if (self != NULL)
    show_cell_menu (MJA_JOB_GRID (self), cell, list_item, x, y);
}

/* Shift+F10 or the Menu key: the menu of the job that has the focus (the
 * grid focuses the row widget around the cell). */
static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkWidget *cell;
  GtkListItem *list_item;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->grid_view)))
    return;
  cell = MJA_IS_JOB_CELL (focus) ? focus : gtk_widget_get_first_child (focus);
  list_item = cell ? g_object_get_data (G_OBJECT (cell), "mja-list-item") : NULL;
  if (list_item != NULL)
    show_cell_menu (self, cell, list_item, gtk_widget_get_width (cell) / 2.0, gtk_widget_get_height (cell) / 2.0);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);

  if (self->context_item != NULL)
    g_signal_emit (self, signals[SIGNAL_JOB_ACTIVATED], 0, self->context_position);
}

static void
open_with_viewer_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);

  if (self->context_item != NULL && mja_job_item_get_image (self->context_item) != NULL)
    mja_open_with_default_viewer (widget, mja_job_item_get_image (self->context_item));
}

/* What the menu's actions act on: the selection, which holds the job the
 * menu was opened on. */
static GPtrArray *
dup_targets (MjaJobGrid *self)
{
  GPtrArray *items = mja_job_grid_dup_selected (self);

  if (items->len == 0 && self->context_item != NULL)
    g_ptr_array_add (items, g_object_ref (self->context_item));
  return items;
}

/* The targets' first images, NULL-terminated; a job without one gives its
 * .json when @or_json, else nothing. */
static GPtrArray *
dup_target_paths (MjaJobGrid *self,
                  gboolean    or_json)
{
  g_autoptr(GPtrArray) items = dup_targets (self);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < items->len; i++)
    {
      const char *image = mja_job_item_get_image (items->pdata[i]);

      if (image != NULL || or_json)
        g_ptr_array_add (paths, g_strdup (image ? image : mja_job_item_get_json_path (items->pdata[i])));
    }
  g_ptr_array_add (paths, NULL);
  return paths;
}

static void
show_in_folder_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr(GPtrArray) paths = dup_target_paths (MJA_JOB_GRID (widget), TRUE);

  if (paths->len > 1)
    mja_show_files_in_folder (widget, (const char * const *) paths->pdata);
}

static void
copy_prompt_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);
  g_autoptr(GPtrArray) items = dup_targets (self);
  g_autoptr(GString) text = g_string_new (NULL);

  /* One prompt a line, in the grid's order. */
  for (guint i = 0; i < items->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, mja_job_item_get_prompt (items->pdata[i]));
    }
  if (items->len > 0)
    mja_copy_text (widget, text->str);
}

static void
open_with_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_autoptr(GPtrArray) paths = dup_target_paths (MJA_JOB_GRID (widget), FALSE);

  if (paths->len > 1)
    mja_open_with_chooser (widget, (const char * const *) paths->pdata);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);
  g_autoptr(GPtrArray) items = dup_targets (self);

  if (items->len > 0)
    mja_export_choose_folder (widget, items);
}

static void
unselect_all_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (MJA_JOB_GRID (widget)->selection));
}

static void
copy_image_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);

  if (self->context_item != NULL && mja_job_item_get_image (self->context_item) != NULL)
    mja_copy_image (widget, mja_job_item_get_image (self->context_item));
}

/* ---- cells -------------------------------------------------------------- */

/* Dragging a cell out gives the image files, as a file manager would: of
 * every selected job when the cell is selected, else of its own job. */
static GdkContentProvider *
cell_drag_prepare_cb (GtkDragSource *source,
                      double         x,
                      double         y,
                      GtkListItem   *list_item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (source));
  MjaJobGrid *self = MJA_JOB_GRID (gtk_widget_get_ancestor (cell, MJA_TYPE_JOB_GRID));
  MjaJobItem *item = gtk_list_item_get_item (list_item);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  GdkFileList *list;
  GdkContentProvider *provider;

  if (item == NULL)
    return NULL;
  if (gtk_list_item_get_selected (list_item))
    items = mja_job_grid_dup_selected (self);
  else
    {
      items = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (items, g_object_ref (item));
    }
  for (guint i = 0; i < items->len; i++)
    if (mja_job_item_get_image (items->pdata[i]) != NULL)
      g_ptr_array_add (files, g_file_new_for_path (mja_job_item_get_image (items->pdata[i])));
  if (files->len == 0)
    return NULL;
  if (files->len == 1)
    return gdk_content_provider_new_typed (G_TYPE_FILE, files->pdata[0]);
  list = gdk_file_list_new_from_array ((GFile **) files->pdata, files->len);
  provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  return provider;
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          MjaJobGrid               *self)
{
  MjaJobCell *cell = mja_job_cell_new (self->thumbnailer);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkDragSource *drag = gtk_drag_source_new ();

  gtk_list_item_set_child (list_item, GTK_WIDGET (cell));
  /* For the menu key, which finds the cell from the focus. */
  g_object_set_data (G_OBJECT (cell), "mja-list-item", list_item);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (cell_menu_cb), list_item);
  gtk_widget_add_controller (GTK_WIDGET (cell), GTK_EVENT_CONTROLLER (click));
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (cell_drag_prepare_cb), list_item);
  gtk_widget_add_controller (GTK_WIDGET (cell), GTK_EVENT_CONTROLLER (drag));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         MjaJobGrid               *self)
{
  mja_job_cell_set_item (MJA_JOB_CELL (gtk_list_item_get_child (list_item)), gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           MjaJobGrid               *self)
{
  mja_job_cell_set_item (MJA_JOB_CELL (gtk_list_item_get_child (list_item)), NULL);
}

static void
selection_changed_cb (MjaJobGrid        *self,
                      guint              position,
                      guint              n_items,
                      GtkSelectionModel *selection)
{
  guint n = mja_job_grid_get_n_selected (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.unselect-all", n > 0);
  if (n > 1)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u selected", "%u selected", n), n);

      gtk_label_set_text (self->selection_label, text);
    }
  gtk_revealer_set_reveal_child (self->selection_revealer, n > 1);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0, n);
}

static void
activate_cb (MjaJobGrid  *self,
             guint        position,
             GtkGridView *grid_view)
{
  g_signal_emit (self, signals[SIGNAL_JOB_ACTIVATED], 0, position);
}

/* ---- the widget --------------------------------------------------------- */

static void
mja_job_grid_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  gtk_widget_measure (GTK_WIDGET (MJA_JOB_GRID (widget)->box), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

/* The popover is a child too, and must be told where its parent now is. */
static void
mja_job_grid_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  MjaJobGrid *self = MJA_JOB_GRID (widget);

  gtk_widget_allocate (GTK_WIDGET (self->box), width, height, baseline, NULL);
  gtk_popover_present (self->cell_popover);
}

static gboolean
mja_job_grid_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (MJA_JOB_GRID (widget)->grid_view));
}

static void
mja_job_grid_dispose (GObject *object)
{
  MjaJobGrid *self = MJA_JOB_GRID (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_JOB_GRID);
  g_clear_object (&self->context_item);
  g_clear_object (&self->selection);
  g_clear_object (&self->thumbnailer);

  G_OBJECT_CLASS (mja_job_grid_parent_class)->dispose (object);
}

static void
mja_job_grid_class_init (MjaJobGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_job_grid_dispose;
  widget_class->measure = mja_job_grid_measure;
  widget_class->size_allocate = mja_job_grid_size_allocate;
  widget_class->grab_focus = mja_job_grid_grab_focus;

  /**
   * MjaJobGrid::job-activated:
   * @position: the job's position in the model
   *
   * The job was opened: double-clicked, Enter pressed on it, or Open
   * chosen in its menu.
   */
  signals[SIGNAL_JOB_ACTIVATED] = g_signal_new ("job-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * MjaJobGrid::selection-changed:
   * @n_selected: how many jobs are selected now
   */
  signals[SIGNAL_SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                                    G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-job-grid.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, box);
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, selection_label);
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, grid_view);
  gtk_widget_class_bind_template_child (widget_class, MjaJobGrid, cell_popover);
  gtk_widget_class_bind_template_callback (widget_class, setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);

  gtk_widget_class_install_action (widget_class, "job.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "job.open-with-viewer", NULL, open_with_viewer_action);
  gtk_widget_class_install_action (widget_class, "job.show-in-folder", NULL, show_in_folder_action);
  gtk_widget_class_install_action (widget_class, "job.copy-prompt", NULL, copy_prompt_action);
  gtk_widget_class_install_action (widget_class, "job.copy-image", NULL, copy_image_action);
  gtk_widget_class_install_action (widget_class, "job.open-with", NULL, open_with_action);
  gtk_widget_class_install_action (widget_class, "job.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "job.unselect-all", NULL, unselect_all_action);
  gtk_widget_class_install_action (widget_class, "job.menu", NULL, menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "job.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "job.menu", NULL);
  /* Only while something is selected; else Escape goes on to the window. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "job.unselect-all", NULL);
}

static void
mja_job_grid_init (MjaJobGrid *self)
{
  g_autofree char *shared = g_build_filename (g_get_user_cache_dir (), "thumbnails", "large", NULL);

  /* "large" thumbnails of the freedesktop cache are 256 pixels; 96 MiB
   * keeps some 400 of them, four screenfuls of the widest grid. */
  self->thumbnailer = mja_thumbnailer_new (256, 600);
  mja_thumbnailer_set_budget (self->thumbnailer, 96 * 1024 * 1024);
  mja_thumbnailer_set_shared_cache (self->thumbnailer, shared);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "job.unselect-all", FALSE);
}

/* Shows @jobs (MjaJobItems); any number of them can be selected. */
void
mja_job_grid_set_model (MjaJobGrid *self,
                        GListModel *jobs)
{
  g_return_if_fail (MJA_IS_JOB_GRID (self));
  g_return_if_fail (G_IS_LIST_MODEL (jobs));

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  g_clear_object (&self->selection);
  self->selection = gtk_multi_selection_new (g_object_ref (jobs));
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));
}

/* Selects the job at @position alone. */
void
mja_job_grid_select (MjaJobGrid *self,
                     guint       position)
{
  g_return_if_fail (MJA_IS_JOB_GRID (self));

  gtk_selection_model_select_item (gtk_grid_view_get_model (self->grid_view), position, TRUE);
}

GtkSelectionModel *
mja_job_grid_get_selection (MjaJobGrid *self)
{
  g_return_val_if_fail (MJA_IS_JOB_GRID (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

guint
mja_job_grid_get_n_selected (MjaJobGrid *self)
{
  g_autoptr(GtkBitset) selected = NULL;

  g_return_val_if_fail (MJA_IS_JOB_GRID (self), 0);

  if (self->selection == NULL)
    return 0;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (selected);
}

/* The selected jobs (MjaJobItem*), in the grid's order. */
GPtrArray *
mja_job_grid_dup_selected (MjaJobGrid *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (MJA_IS_JOB_GRID (self), items);

  if (self->selection == NULL)
    return items;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return items;
}

/* Shows the job at @position, scrolling the grid to it. */
void
mja_job_grid_scroll_to (MjaJobGrid *self,
                        guint       position)
{
  g_return_if_fail (MJA_IS_JOB_GRID (self));

  gtk_widget_activate_action (GTK_WIDGET (self->grid_view), "list.scroll-to-item", "u", position);
}
