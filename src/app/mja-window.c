/* mja-window.c — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one archive: the grid of its jobs, the state it is in (signed
 * out, empty, no results), and a sync with its progress.  It never reads
 * files, the network or SQLite on the main thread: queries run in GIO's
 * thread pool, syncs in MjaSync's own thread, thumbnails in the
 * thumbnailer's.
 */
#define G_LOG_DOMAIN "mja-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-archive.h"
#include "mja-bench-hooks.h"
#include "mja-file-actions.h"
#include "mja-filter-panel.h"
#include "mja-image-view.h"
#include "mja-index.h"
#include "mja-job-item.h"
#include "mja-job-list.h"
#include "mja-sync.h"
#include "mja-application.h"
#include "mja-thumbnailer.h"
#include "mja-window.h"

#define THUMBNAIL_SIZE 180

struct _MjaWindow
{
  AdwApplicationWindow  parent_instance;

  GFile                *archive_dir;
  MjaJobList           *jobs;
  gint64                total_jobs;
  MjaThumbnailer       *thumbnailer;
  GCancellable         *query_cancellable;
  MjaSync              *sync;
  GCancellable         *sync_cancellable;
  guint                 reload_source;
  guint                 periodic_source;
  gboolean              started_once;
  gboolean              loaded;

  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkButton            *close_sidebar_button;
  GtkButton            *sync_button;
  MjaImageView         *image_view;
  guint                 viewing;       /* position shown in the view, or G_MAXUINT */
  MjaJobItem           *context_item;  /* the cell whose context menu is open */
  guint                 context_position;
  GMenuModel           *cell_menu;
  GtkPopover           *cell_popover;
  GtkMenuButton        *primary_menu_button;
  GtkToggleButton      *search_button;
  GtkToggleButton      *filters_button;
  MjaFilterPanel       *filter_panel;
  gboolean              filtering;
  GtkToggleButton      *progress_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
  GtkGridView          *grid_view;
  GtkRevealer          *sidebar_revealer;
  GtkProgressBar       *progress_bar;
  GtkLabel             *phase_label;
  GtkListBox           *counters_list;
  GtkLabel             *problems_title;
  GtkListBox           *problems_list;
  AdwActionRow         *counter_rows[6];
};

G_DEFINE_FINAL_TYPE (MjaWindow, mja_window, ADW_TYPE_APPLICATION_WINDOW)

enum { COUNTER_NEW, COUNTER_IMAGES, COUNTER_SKIPPED, COUNTER_FAILED, COUNTER_SPEED, COUNTER_LEFT };

static MjaApplication *
get_app (MjaWindow *self)
{
  return MJA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

void
mja_window_show_message (MjaWindow  *self,
                         const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- which page ------------------------------------------------------ */

static void
update_page (MjaWindow *self)
{
  MjaApplication *app = get_app (self);
  gboolean signed_in = app && mja_application_get_credentials (app) != NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;

  if (self->archive_dir == NULL)
    return;
  name = g_file_get_basename (self->archive_dir);
  if (self->viewing != G_MAXUINT)
    ;  /* the image view stays until Back */
  else if (!self->loaded)
    gtk_stack_set_visible_child_name (self->main_stack, "loading");
  else if (n > 0)
    gtk_stack_set_visible_child_name (self->main_stack, "grid");
  else if (*text != '\0' || self->filtering)
    gtk_stack_set_visible_child_name (self->main_stack, "no-results");
  else if (!signed_in)
    gtk_stack_set_visible_child_name (self->main_stack, "signed-out");
  else
    gtk_stack_set_visible_child_name (self->main_stack, "empty");

  subtitle = self->loaded ? g_strdup_printf (ngettext ("%s — %u job", "%s — %u jobs", (gulong) self->total_jobs),
                                             name, (guint) self->total_jobs)
                          : g_strdup (name);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", signed_in || self->sync != NULL);
}

static void set_viewing (MjaWindow *self,
                         guint      position);
static void start_sync  (MjaWindow *self);

/* Sync at start-up once both the archive is on screen and the session is
 * known (the keyring answers in its own time). */
static void
maybe_sync_at_startup (MjaWindow *self)
{
  MjaApplication *app = get_app (self);

  if (self->started_once || !self->loaded || mja_application_get_credentials (app) == NULL)
    return;
  self->started_once = TRUE;
  if (g_settings_get_boolean (mja_application_get_settings (app), "sync-at-startup") && self->sync == NULL)
    start_sync (self);
}

/* ---- the grid's model, from the index -------------------------------- */

/* A large archive is loaded in two steps: the first screenfuls at once,
 * so thumbnails show within a second of start, then the rest, with the
 * counts per type, appended behind them. */
#define FIRST_ROWS 240

typedef struct
{
  char          *root;
  char          *cdn;
  MjaIndexQuery  filter;
  gboolean       first;     /* the first FIRST_ROWS rows only */
  GPtrArray     *ids;       /* char*: the jobs' ids, in order */
  GPtrArray     *per_type;
  gint64         total;
} Query;

static Query *
query_copy_for_rest (const Query *query)
{
  Query *rest = g_new0 (Query, 1);

  rest->root = g_strdup (query->root);
  rest->cdn = g_strdup (query->cdn);
  rest->filter = query->filter;
  rest->filter.text = g_strdup (query->filter.text);
  rest->filter.job_types = g_strdupv (query->filter.job_types);
  rest->filter.offset = FIRST_ROWS;
  rest->filter.limit = 0;
  return rest;
}

static void
query_free (Query *query)
{
  g_free (query->root);
  g_free (query->cdn);
  g_free (query->filter.text);
  g_strfreev (query->filter.job_types);
  g_clear_pointer (&query->ids, g_ptr_array_unref);
  g_clear_pointer (&query->per_type, g_ptr_array_unref);
  g_free (query);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Query *query = task_data;
  g_autoptr(MjaArchive) archive = mja_archive_new (query->root);
  g_autoptr(MjaIndex) index = NULL;
  MjaIndexQuery everything = { 0 };
  g_autoptr(MjaIndexStats) stats = NULL;
  GError *error = NULL;

  if (!g_file_test (query->root, G_FILE_TEST_IS_DIR))
    {
      query->ids = g_ptr_array_new ();
      g_task_return_boolean (task, TRUE);
      return;
    }
  index = mja_index_open_archive (archive, &error);
  if (index == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  mja_index_build_if_empty (index, archive, query->cdn, cancellable);
  if (query->first)
    {
      query->total = mja_index_count (index, &everything, NULL);
      query->filter.limit = FIRST_ROWS;
    }
  else
    {
      stats = mja_index_dup_stats (index, NULL, NULL);
      if (stats != NULL)
        query->per_type = g_steal_pointer (&stats->per_type);
    }
  query->ids = mja_index_query_ids (index, &query->filter, &error);
  if (query->ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
query_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MjaWindow *self = MJA_WINDOW (source);
  Query *query = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint n_found;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          mja_window_show_message (self, error->message);
          self->loaded = TRUE;
          update_page (self);
        }
      return;
    }

  n_found = query->ids->len;
  /* The rows are read from the index when shown (src/app/mja-job-list.c). */
  if (n_found > 0 && !mja_job_list_set_archive (self->jobs, query->root, &error))
    {
      mja_window_show_message (self, error->message);
      g_ptr_array_set_size (query->ids, 0);
    }
  {
    guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
    guint from = query->first ? 0 : MIN (FIRST_ROWS, n_items);

    mja_job_list_splice (self->jobs, from, n_items - from, query->ids);
  }
  /* New jobs move positions: the view follows its job. */
  if (self->viewing != G_MAXUINT)
    {
      MjaJobItem *shown = mja_image_view_get_item (self->image_view);
      guint found = mja_job_list_find (self->jobs, mja_job_item_get_id (shown));

      if (found != G_MAXUINT)
        self->viewing = found;
      else if (!query->first || n_found < FIRST_ROWS)
        {
          self->viewing = G_MAXUINT;
          set_viewing (self, G_MAXUINT);
        }
    }
  if (query->first)
    {
      g_autoptr(GTask) rest = g_task_new (self, g_task_get_cancellable (G_TASK (result)), query_done_cb, NULL);

      self->total_jobs = query->total;
      self->loaded = TRUE;
      maybe_sync_at_startup (self);
      update_page (self);
      /* The rest, and the counts per type, behind the first screenfuls. */
      g_task_set_task_data (rest, query_copy_for_rest (query), (GDestroyNotify) query_free);
      g_task_run_in_thread (rest, query_thread);
      return;
    }
  mja_filter_panel_set_counts (self->filter_panel, query->per_type);
  mja_bench_hooks_grid_filled (GTK_WIDGET (self->grid_view));
  update_page (self);
}

static void
reload (MjaWindow *self)
{
  MjaApplication *app = get_app (self);
  g_autoptr(GTask) task = NULL;
  Query *query;

  if (app == NULL || self->archive_dir == NULL)
    return;
  g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  self->query_cancellable = g_cancellable_new ();

  query = g_new0 (Query, 1);
  query->root = g_file_get_path (self->archive_dir);
  query->cdn = mja_application_dup_base_url (app, "cdn");
  query->filter.text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  query->filter.oldest_first = g_settings_get_boolean (mja_application_get_settings (app), "oldest-first");
  query->first = TRUE;
  self->filtering = mja_filter_apply (mja_application_get_settings (app), &query->filter);
  task = g_task_new (self, self->query_cancellable, query_done_cb, NULL);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, query_thread);
}

static gboolean
reload_cb (gpointer data)
{
  MjaWindow *self = data;

  self->reload_source = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

/* New jobs come in bursts while syncing: at most one reload a second. */
static void
queue_reload (MjaWindow *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (1000, reload_cb, self);
}

/* ---- cells ----------------------------------------------------------- */

/* The menu of @cell's job, pointing at (@x, @y) in the cell. */
static void
show_cell_menu (MjaWindow   *self,
                GtkWidget   *cell,
                GtkListItem *list_item,
                double       x,
                double       y)
{
  MjaJobItem *item = gtk_list_item_get_item (list_item);
  double grid_x, grid_y;

  if (item == NULL)
    return;
  g_set_object (&self->context_item, item);
  self->context_position = gtk_list_item_get_position (list_item);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.item-viewer", mja_job_item_get_image (item) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.item-copy-image", mja_job_item_get_image (item) != NULL);
  /* One popover for every cell: made once, pointed where asked. */
  if (!gtk_widget_translate_coordinates (cell, GTK_WIDGET (self->grid_view), x, y, &grid_x, &grid_y))
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

  show_cell_menu (MJA_WINDOW (gtk_widget_get_root (cell)), cell, list_item, x, y);
}

/* Shift+F10 or the Menu key: the menu of the job that has the focus (the
 * grid focuses the row widget around the cell). */
static void
cell_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *cell = NULL;
  GtkListItem *list_item;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->grid_view)))
    return;
  cell = g_object_get_data (G_OBJECT (focus), "mja-list-item") ? focus : gtk_widget_get_first_child (focus);
  list_item = cell ? g_object_get_data (G_OBJECT (cell), "mja-list-item") : NULL;
  if (list_item != NULL)
    show_cell_menu (self, cell, list_item, gtk_widget_get_width (cell) / 2.0, gtk_widget_get_height (cell) / 2.0);
}

/* Dragging a cell out gives the image file, as a file manager would. */
static GdkContentProvider *
cell_drag_prepare_cb (GtkDragSource *source,
                      double         x,
                      double         y,
                      GtkListItem   *list_item)
{
  MjaJobItem *item = gtk_list_item_get_item (list_item);
  g_autoptr(GFile) file = NULL;

  if (item == NULL || mja_job_item_get_image (item) == NULL)
    return NULL;
  file = g_file_new_for_path (mja_job_item_get_image (item));
  return gdk_content_provider_new_typed (G_TYPE_FILE, file);
}

static void
item_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);
  MjaJobItem *item = self->context_item;
  const char *image;

  if (item == NULL)
    return;
  image = mja_job_item_get_image (item);
  if (g_str_equal (action_name, "win.item-open"))
    set_viewing (self, self->context_position);
  else if (g_str_equal (action_name, "win.item-viewer") && image != NULL)
    mja_open_with_default_viewer (widget, image);
  else if (g_str_equal (action_name, "win.item-folder"))
    mja_show_in_folder (widget, image ? image : mja_job_item_get_json_path (item));
  else if (g_str_equal (action_name, "win.item-copy-prompt"))
    mja_copy_text (widget, mja_job_item_get_prompt (item));
  else if (g_str_equal (action_name, "win.item-copy-image") && image != NULL)
    mja_copy_image (widget, image);
}

/* The prompt as the cell's tooltip, asked for when the pointer rests on it:
 * gtk_widget_set_tooltip_text() in every bind would ask the display where
 * the pointer is (a round trip to the X server) for each cell scrolled in,
 * which made fast scrolling stall for up to a quarter of a second. */
static gboolean
cell_query_tooltip_cb (GtkWidget   *widget,
                       int          x,
                       int          y,
                       gboolean     keyboard_mode,
                       GtkTooltip  *tooltip,
                       GtkListItem *list_item)
{
  MjaJobItem *item = gtk_list_item_get_item (list_item);

  if (item == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, mja_job_item_get_prompt (item));
  return TRUE;
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            MjaWindow                *self)
{
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *placeholder = gtk_image_new_from_icon_name ("image-x-generic-symbolic");

  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_image_set_pixel_size (GTK_IMAGE (placeholder), 48);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_stack_add_named (GTK_STACK (stack), placeholder, "placeholder");
  gtk_stack_add_named (GTK_STACK (stack), picture, "picture");
  gtk_widget_set_size_request (stack, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_widget_set_overflow (stack, GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (stack, "card");
  gtk_list_item_set_child (list_item, stack);
  g_object_set_data (G_OBJECT (stack), "mja-list-item", list_item);
  gtk_widget_set_has_tooltip (stack, TRUE);
  g_signal_connect (stack, "query-tooltip", G_CALLBACK (cell_query_tooltip_cb), list_item);

  {
    GtkGesture *click = gtk_gesture_click_new ();
    GtkDragSource *drag = gtk_drag_source_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (cell_menu_cb), list_item);
    gtk_widget_add_controller (stack, GTK_EVENT_CONTROLLER (click));
    gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
    g_signal_connect (drag, "prepare", G_CALLBACK (cell_drag_prepare_cb), list_item);
    gtk_widget_add_controller (stack, GTK_EVENT_CONTROLLER (drag));
  }
}

static void
thumbnail_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWidget) stack = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = mja_thumbnailer_load_finish (MJA_THUMBNAILER (source), result, &error);

  if (texture != NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (gtk_stack_get_child_by_name (GTK_STACK (stack), "picture")),
                                 GDK_PAINTABLE (texture));
      gtk_stack_set_visible_child_name (GTK_STACK (stack), "picture");
      mja_bench_hooks_thumbnail_shown ();
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkWidget *placeholder = gtk_stack_get_child_by_name (GTK_STACK (stack), "placeholder");
      gtk_image_set_from_icon_name (GTK_IMAGE (placeholder), "image-missing-symbolic");
    }
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           MjaWindow                *self)
{
  MjaJobItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *stack = gtk_list_item_get_child (list_item);
  GtkWidget *placeholder = gtk_stack_get_child_by_name (GTK_STACK (stack), "placeholder");
  const char *image = mja_job_item_get_image (item);
  GdkTexture *texture = image ? mja_thumbnailer_lookup (self->thumbnailer, image) : NULL;
  g_autoptr(GCancellable) cancellable = NULL;

  gtk_accessible_update_property (GTK_ACCESSIBLE (stack), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  mja_job_item_get_prompt (item), -1);
  /* Videos are downloaded only when asked for: say what is missing. */
  gtk_image_set_from_icon_name (GTK_IMAGE (placeholder),
                                image ? "image-x-generic-symbolic"
                                : strstr (mja_job_item_get_job_type (item), "video") ? "video-x-generic-symbolic"
                                : "image-missing-symbolic");

  if (texture != NULL)
    {
      gtk_picture_set_paintable (GTK_PICTURE (gtk_stack_get_child_by_name (GTK_STACK (stack), "picture")),
                                 GDK_PAINTABLE (texture));
      gtk_stack_set_visible_child_name (GTK_STACK (stack), "picture");
      mja_bench_hooks_thumbnail_shown ();
      return;
    }
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "placeholder");
  if (image == NULL)
    return;
  cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (stack), "mja-cancellable", g_object_ref (cancellable), g_object_unref);
  mja_thumbnailer_load_async (self->thumbnailer, image, cancellable, thumbnail_cb, g_object_ref (stack));
}

/* A cell scrolled away stops loading what it no longer shows. */
static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             MjaWindow                *self)
{
  GtkWidget *stack = gtk_list_item_get_child (list_item);
  GCancellable *cancellable = g_object_get_data (G_OBJECT (stack), "mja-cancellable");

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  g_object_set_data (G_OBJECT (stack), "mja-cancellable", NULL);
  gtk_picture_set_paintable (GTK_PICTURE (gtk_stack_get_child_by_name (GTK_STACK (stack), "picture")), NULL);
}

static void
set_viewing (MjaWindow *self,
             guint      position)
{
  g_autoptr(MjaJobItem) item = position != G_MAXUINT ? g_list_model_get_item (G_LIST_MODEL (self->jobs), position)
                                                     : NULL;
  gboolean viewing = item != NULL;

  self->viewing = viewing ? position : G_MAXUINT;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), viewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", viewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous", viewing && position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next",
                                 viewing && position + 1 < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)));
  if (viewing)
    {
      mja_image_view_set_item (self->image_view, item);
      gtk_stack_set_visible_child_name (self->main_stack, "view");
      gtk_selection_model_select_item (gtk_grid_view_get_model (self->grid_view), position, TRUE);
    }
  else
    {
      update_page (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->grid_view));
    }
}

static void
activate_cb (GtkGridView *grid_view,
             guint        position,
             MjaWindow   *self)
{
  set_viewing (self, position);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  set_viewing (MJA_WINDOW (widget), G_MAXUINT);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  if (self->viewing != G_MAXUINT && self->viewing > 0)
    set_viewing (self, self->viewing - 1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  if (self->viewing != G_MAXUINT)
    set_viewing (self, self->viewing + 1);
}

static void
show_job_cb (MjaImageView *view,
             const char   *id,
             MjaWindow    *self)
{
  guint position = mja_job_list_find (self->jobs, id);

  if (position != G_MAXUINT)
    {
      set_viewing (self, position);
      return;
    }
  mja_window_show_message (self, _("The parent job is not in the archive, or not among the jobs shown."));
}

/* ---- syncing --------------------------------------------------------- */

static void
set_counter (MjaWindow  *self,
             guint       which,
             const char *value)
{
  adw_action_row_set_subtitle (self->counter_rows[which], value);
}

static void
progress_cb (MjaSync    *sync,
             GParamSpec *pspec,
             MjaWindow  *self)
{
  g_autofree char *phase = mja_sync_dup_phase_text (sync);
  g_autofree char *new_jobs = g_strdup_printf ("%u", mja_sync_get_jobs_new (sync));
  g_autofree char *images = g_strdup_printf (_("%u of %u"), mja_sync_get_images_done (sync) +
                                             mja_sync_get_images_skipped (sync), mja_sync_get_images_queued (sync));
  g_autofree char *skipped = g_strdup_printf ("%u", mja_sync_get_jobs_skipped (sync));
  g_autofree char *failed = g_strdup_printf ("%u", mja_sync_get_images_failed (sync));
  g_autofree char *size = g_format_size ((guint64) mja_sync_get_bytes_per_second (sync));
  g_autofree char *speed = g_strdup_printf (_("%s/s"), size);
  int left = mja_sync_get_seconds_left (sync);
  g_autofree char *left_text = left < 0 ? g_strdup (_("Unknown while listing"))
                                        : g_strdup_printf ("%d:%02d", left / 60, left % 60);

  gtk_label_set_text (self->phase_label, phase);
  gtk_progress_bar_set_fraction (self->progress_bar, mja_sync_get_fraction (sync));
  set_counter (self, COUNTER_NEW, new_jobs);
  set_counter (self, COUNTER_IMAGES, images);
  set_counter (self, COUNTER_SKIPPED, skipped);
  set_counter (self, COUNTER_FAILED, failed);
  set_counter (self, COUNTER_SPEED, speed);
  set_counter (self, COUNTER_LEFT, left_text);
}

static void
problem_cb (MjaSync    *sync,
            const char *job_id,
            const char *message,
            MjaWindow  *self)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), job_id ? job_id : _("Listing"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_prepend (self->problems_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_title), TRUE);
}

static void
jobs_added_cb (MjaSync   *sync,
               guint      count,
               MjaWindow *self)
{
  queue_reload (self);
}

static void
credentials_changed_cb (MjaSync   *sync,
                        MjaWindow *self)
{
  MjaApplication *app = get_app (self);

  if (!mja_application_get_in_memory (app))
    mja_application_sign_in (app, mja_sync_get_credentials (sync));
}

static void
set_syncing (MjaWindow *self,
             gboolean   syncing)
{
  gtk_button_set_label (self->sync_button, syncing ? _("Stop") : _("Sync"));
  if (syncing)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sync_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_button), "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sync_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->sync_button), "suggested-action");
    }
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MjaWindow) self = user_data;
  MjaSync *sync = MJA_SYNC (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  set_syncing (self, FALSE);
  progress_cb (sync, NULL, self);
  if (!mja_sync_run_finish (sync, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        mja_window_show_message (self, _("Sync stopped. The next one resumes where it stopped."));
      else
        {
          AdwToast *toast = adw_toast_new (error->message);

          adw_toast_set_timeout (toast, 0);
          if (error->domain == MJA_API_ERROR && error->code == MJA_API_ERROR_AUTH_EXPIRED)
            {
              adw_toast_set_button_label (toast, _("Sign In Again"));
              adw_toast_set_action_name (toast, "app.preferences");
            }
          else
            {
              adw_toast_set_button_label (toast, _("Retry"));
              adw_toast_set_action_name (toast, "win.sync");
            }
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
      gtk_label_set_text (self->phase_label, error->message);
    }
  else
    {
      summary = mja_sync_dup_summary (sync);
      mja_window_show_message (self, summary);
      if (!gtk_window_is_active (GTK_WINDOW (self)))
        {
          g_autoptr(GNotification) notification = g_notification_new (_("Sync Complete"));
          g_notification_set_body (notification, summary);
          g_application_send_notification (G_APPLICATION (get_app (self)), "sync-complete", notification);
        }
    }
  g_signal_handlers_disconnect_by_data (sync, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->sync_cancellable);
  reload (self);
}

static void
start_sync (MjaWindow *self)
{
  MjaApplication *app = get_app (self);
  GSettings *settings = mja_application_get_settings (app);
  MjaCredentials *credentials = mja_application_get_credentials (app);
  g_autofree char *root = g_file_get_path (self->archive_dir);
  MjaSyncOptions options;
  GtkWidget *child;

  if (credentials == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
      return;
    }

  mja_sync_options_init (&options);
  options.api_base_url = mja_application_dup_base_url (app, "api");
  options.cdn_base_url = mja_application_dup_base_url (app, "cdn");
  options.auth_base_url = mja_application_dup_base_url (app, "auth");
  options.protocol = (MjaProtocol) g_settings_get_enum (settings, "protocol");
  options.download_kinds = g_settings_get_strv (settings, "download-kinds");
  g_free (options.image_format);
  options.image_format = g_settings_get_string (settings, "image-format");
  options.json_indent = g_settings_get_uint (settings, "json-indent");
  options.overwrite_metadata = g_settings_get_boolean (settings, "overwrite-metadata");
  options.concurrency = g_settings_get_uint (settings, "concurrency");
  options.request_interval_ms = g_settings_get_uint (settings, "request-interval");

  self->sync = mja_sync_new (root, credentials, &options);
  mja_sync_options_clear (&options);
  self->sync_cancellable = g_cancellable_new ();
  g_signal_connect (self->sync, "notify", G_CALLBACK (progress_cb), self);
  g_signal_connect (self->sync, "problem", G_CALLBACK (problem_cb), self);
  g_signal_connect (self->sync, "jobs-added", G_CALLBACK (jobs_added_cb), self);
  g_signal_connect (self->sync, "credentials-changed", G_CALLBACK (credentials_changed_cb), self);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL)
    gtk_list_box_remove (self->problems_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_title), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->phase_label, _("Starting"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_button), TRUE);
  gtk_toggle_button_set_active (self->progress_button, TRUE);
  set_syncing (self, TRUE);
  mja_sync_run_async (self->sync, self->sync_cancellable, sync_done_cb, g_object_ref (self));
}

static gboolean
periodic_sync_cb (gpointer data)
{
  MjaWindow *self = data;

  if (self->sync == NULL && mja_application_get_credentials (get_app (self)) != NULL)
    start_sync (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule_periodic_sync (MjaWindow *self)
{
  guint hours = g_settings_get_uint (mja_application_get_settings (get_app (self)), "sync-every-hours");

  g_clear_handle_id (&self->periodic_source, g_source_remove);
  if (hours > 0)
    self->periodic_source = g_timeout_add_seconds (hours * 3600, periodic_sync_cb, self);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  if (self->sync != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  else
    start_sync (self);
}

/* ---- other actions --------------------------------------------------- */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, !gtk_search_bar_get_search_mode (self->search_bar));
}

static void
clear_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  mja_filter_clear (mja_application_get_settings (get_app (self)));
}

static void
toggle_filters_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  gtk_toggle_button_set_active (self->filters_button, !gtk_toggle_button_get_active (self->filters_button));
}

static void
close_progress_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  gtk_toggle_button_set_active (MJA_WINDOW (widget)->progress_button, FALSE);
}

static void
folder_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  MjaWindow *self = MJA_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (folder != NULL)
        mja_window_set_archive_dir (self, folder);
    }
  g_object_unref (dialog);
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Open Archive Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), self->archive_dir, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   MjaWindow      *self)
{
  reload (self);
}

static void
credentials_notify_cb (MjaApplication *app,
                       GParamSpec     *pspec,
                       MjaWindow      *self)
{
  update_page (self);
  maybe_sync_at_startup (self);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     MjaWindow  *self)
{
  if (g_str_equal (key, "oldest-first") || g_str_has_prefix (key, "filter-"))
    reload (self);
  else if (g_str_equal (key, "sync-every-hours"))
    schedule_periodic_sync (self);
  else if (g_str_equal (key, "archive-dir") && !mja_application_get_demo (get_app (self)))
    {
      g_autofree char *path = mja_application_dup_archive_dir (get_app (self));
      g_autoptr(GFile) dir = g_file_new_for_path (path);
      mja_window_set_archive_dir (self, dir);
    }
}

static void
mja_window_dispose (GObject *object)
{
  MjaWindow *self = MJA_WINDOW (object);

  if (self->sync_cancellable)
    g_cancellable_cancel (self->sync_cancellable);
  if (self->query_cancellable)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->periodic_source, g_source_remove);
  g_clear_object (&self->query_cancellable);
  g_clear_object (&self->archive_dir);
  g_clear_object (&self->jobs);
  g_clear_object (&self->thumbnailer);
  g_clear_object (&self->context_item);
  g_clear_object (&self->cell_menu);
  if (self->cell_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->cell_popover));
      self->cell_popover = NULL;
    }

  G_OBJECT_CLASS (mja_window_parent_class)->dispose (object);
}

static void
mja_window_class_init (MjaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, close_sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filters_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filter_panel);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, progress_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, sidebar_revealer);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, phase_label);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, counters_list);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, problems_title);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, problems_list);

  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.clear-search", NULL, clear_search_action);
  gtk_widget_class_install_action (widget_class, "win.close-progress", NULL, close_progress_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.item-open", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.item-viewer", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.item-folder", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.item-copy-prompt", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.item-copy-image", NULL, item_action);
  gtk_widget_class_install_action (widget_class, "win.cell-menu", NULL, cell_menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.cell-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.cell-menu", NULL);
  gtk_widget_class_install_action (widget_class, "win.toggle-filters", NULL, toggle_filters_action);
  gtk_widget_class_install_action (widget_class, "win.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "win.next", NULL, next_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "win.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "win.next", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-filters", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.sync", NULL);
}

static void
mja_window_init (MjaWindow *self)
{
  static const char *counter_titles[] = { N_("New jobs"), N_("Images"), N_("Already archived"), N_("Failed"),
                                          N_("Speed"), N_("Time left") };
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_type_ensure (MJA_TYPE_IMAGE_VIEW);
  g_type_ensure (MJA_TYPE_FILTER_PANEL);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->viewing = G_MAXUINT;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next", FALSE);
  g_signal_connect (self->image_view, "show-job", G_CALLBACK (show_job_cb), self);
  {
    GMenu *menu = g_menu_new ();
    GMenu *section = g_menu_new ();

    g_menu_append (menu, _("Open"), "win.item-open");
    g_menu_append (menu, _("Open With Default Viewer"), "win.item-viewer");
    g_menu_append (menu, _("Show in Folder"), "win.item-folder");
    g_menu_append (section, _("Copy Prompt"), "win.item-copy-prompt");
    g_menu_append (section, _("Copy Image"), "win.item-copy-image");
    g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
    g_object_unref (section);
    self->cell_menu = G_MENU_MODEL (menu);
    self->cell_popover = GTK_POPOVER (gtk_popover_menu_new_from_model (self->cell_menu));
    gtk_popover_set_has_arrow (self->cell_popover, FALSE);
    gtk_widget_set_parent (GTK_WIDGET (self->cell_popover), GTK_WIDGET (self->grid_view));
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->filters_button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Filters"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->close_sidebar_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Close Progress"), -1);

  self->jobs = mja_job_list_new ();
  /* "large" thumbnails of the freedesktop cache are 256 pixels. */
  self->thumbnailer = mja_thumbnailer_new (256, 600);
  {
    g_autofree char *shared = g_build_filename (g_get_user_cache_dir (), "thumbnails", "large", NULL);
    mja_thumbnailer_set_shared_cache (self->thumbnailer, shared);
  }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);
  gtk_grid_view_set_factory (self->grid_view, factory);
  gtk_grid_view_set_model (self->grid_view,
                           GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->jobs)))));
  g_signal_connect (self->grid_view, "activate", G_CALLBACK (activate_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid_view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Jobs"), -1);

  for (guint i = 0; i < G_N_ELEMENTS (counter_titles); i++)
    {
      self->counter_rows[i] = ADW_ACTION_ROW (adw_action_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->counter_rows[i]), _(counter_titles[i]));
      adw_action_row_set_subtitle (self->counter_rows[i], "–");
      gtk_list_box_append (self->counters_list, GTK_WIDGET (self->counter_rows[i]));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                   _("Sync Progress"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->primary_menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Main Menu"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search Prompts"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sync Progress"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search prompts"), -1);
  g_signal_connect (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
}

MjaWindow *
mja_window_new (MjaApplication *application)
{
  MjaWindow *self = g_object_new (MJA_TYPE_WINDOW, "application", application, NULL);
  GSettings *settings = mja_application_get_settings (application);

  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-filters", self->filters_button, "active", G_SETTINGS_BIND_DEFAULT);
  mja_filter_panel_set_settings (self->filter_panel, settings);
  schedule_periodic_sync (self);
  g_signal_connect_object (application, "notify::credentials", G_CALLBACK (credentials_notify_cb), self, 0);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  {
    g_autoptr(GAction) action = g_settings_create_action (settings, "oldest-first");
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
    g_action_map_add_action (G_ACTION_MAP (group), action);
    gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (group));
  }
  update_page (self);
  return self;
}

void
mja_window_set_archive_dir (MjaWindow *self,
                            GFile     *directory)
{
  g_autofree char *path = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (MJA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (directory));

  g_set_object (&self->archive_dir, directory);
  path = g_file_get_path (directory);
  if (mja_application_get_demo (get_app (self)))
    description = g_strdup_printf (_("Demo mode: a fake Midjourney account runs on this computer at %s, with a "
                                     "temporary archive. Nothing here touches a real account."),
                                   mja_application_get_demo_url (get_app (self)));
  else
    description = g_strdup_printf (_("Everything you made on Midjourney is kept in %s, with prompts and metadata."),
                                   path);
  adw_status_page_set_description (self->empty_page, description);
  self->loaded = FALSE;
  mja_job_list_splice (self->jobs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->jobs)), NULL);
  update_page (self);
  reload (self);
}
