/* mja-window.c — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one archive and picks the page: loading, signed out, empty, no
 * results, the grid of its jobs (MjaJobGrid) or one job (MjaImageView),
 * with the sync's progress beside (MjaProgressSidebar); its actions are
 * in mja-window-actions.c.  The ids of the jobs shown are queried from the
 * index in a GTask's thread; the grid's model (MjaJobList) then reads each
 * row it shows from SQLite on the main thread, one indexed lookup when the
 * grid asks for it.  Syncs run in MjaSync's own thread, thumbnails on the
 * thumbnailer's; the window itself reads no file on the main thread and
 * talks to no server.  Syncs are the session's (MjaSession): the window
 * follows its current sync, and starts or stops one only by asking it.
 */
#define G_LOG_DOMAIN "mja-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-application.h"
#include "mja-archive.h"
#include "mja-bench-hooks.h"
#include "mja-fake-server.h"
#include "mja-index.h"
#include "mja-job-item.h"
#include "mja-session.h"
#include "mja-side-pane.h"
#include "mja-sign-in-dialog.h"
#include "mja-window-private.h"

G_DEFINE_FINAL_TYPE (MjaWindow, mja_window, ADW_TYPE_APPLICATION_WINDOW)

MjaApplication *
_mja_window_get_app (MjaWindow *self)
{
  return MJA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

/* NULL once the window is closed. */
MjaSession *
_mja_window_get_session (MjaWindow *self)
{
  MjaApplication *app = _mja_window_get_app (self);

  return app ? mja_application_get_session (app) : NULL;
}

void
mja_window_show_message (MjaWindow  *self,
                         const char *message)
{
  AdwToast *toast;

  g_return_if_fail (MJA_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- which page ------------------------------------------------------ */

static void
update_page (MjaWindow *self)
{
  MjaSession *session = _mja_window_get_session (self);
  gboolean signed_in = session && mja_session_get_signed_in (session);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;
  gboolean narrowed = *text != '\0' || self->filtering;
  gboolean searchable;

  if (self->archive_dir == NULL)
    return;
  /* The demo's archive is a temporary folder, whose name says nothing. */
  if (_mja_window_get_app (self) != NULL && mja_application_get_demo (_mja_window_get_app (self)))
    name = g_strdup (_("Demo"));
  else
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

  if (!self->loaded)
    subtitle = g_strdup (name);
  else if (narrowed)
    /* TRANSLATORS: the archive's name, then e.g. "12 of 240 jobs" */
    subtitle = g_strdup_printf (ngettext ("%s — %u of %u job", "%s — %u of %u jobs", (gulong) self->total_jobs),
                                name, (guint) self->matched_jobs, (guint) self->total_jobs);
  else
    subtitle = g_strdup_printf (ngettext ("%s — %u job", "%s — %u jobs", (gulong) self->total_jobs),
                                name, (guint) self->total_jobs);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  mja_image_view_set_highlight (self->image_view, text);
  /* Nothing to search before the archive holds a job (the signed-out and
   * empty pages): typing there does not open a search bar. */
  searchable = self->loaded && (self->total_jobs > 0 || narrowed) && self->viewing == G_MAXUINT;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", searchable);
  if (searchable != self->searchable)
    {
      self->searchable = searchable;
      gtk_search_bar_set_key_capture_widget (self->search_bar, searchable ? GTK_WIDGET (self) : NULL);
    }
  /* Filters that hide jobs are never out of sight: the button says so,
   * and a bar above the grid, with Clear. */
  if (self->filtering)
    gtk_widget_add_css_class (GTK_WIDGET (self->filters_button), "mja-filters-on");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->filters_button), "mja-filters-on");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->filters_button),
                               self->filtering ? _("Filters (F9) — some are on") : _("Filters (F9)"));
  if (self->filtering && self->loaded)
    {
      g_autofree char *bar = g_strdup_printf (ngettext ("Filters show %u of %u job", "Filters show %u of %u jobs",
                                                        (gulong) self->total_jobs),
                                              (guint) self->matched_jobs, (guint) self->total_jobs);
      gtk_label_set_text (self->filter_bar_label, bar);
    }
  gtk_revealer_set_reveal_child (self->filter_bar, self->filtering && self->loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync",
                                 signed_in || (session && mja_session_get_current_sync (session) != NULL));
}

static void reload (MjaWindow *self);
static void view_position_cb (MjaWindow *self);

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
  gboolean       count_facets;  /* the archive's jobs changed: count them again */
  GPtrArray     *facets[MJA_INDEX_FACET_MONTH + 1];  /* MjaIndexCount*, by MjaIndexFacet */
  gint64         total;
  gint64         matched;   /* what the filter lets through */
} Query;

static Query *
query_copy_for_rest (const Query *query)
{
  Query *rest = g_new0 (Query, 1);

  rest->root = g_strdup (query->root);
  rest->cdn = g_strdup (query->cdn);
  rest->filter = query->filter;
  rest->count_facets = query->count_facets;
  rest->filter.text = g_strdup (query->filter.text);
  rest->filter.job_types = g_strdupv (query->filter.job_types);
  rest->filter.categories = g_strdupv (query->filter.categories);
  rest->filter.models = g_strdupv (query->filter.models);
  rest->filter.aspect_ratios = g_strdupv (query->filter.aspect_ratios);
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
  g_strfreev (query->filter.categories);
  g_strfreev (query->filter.models);
  g_strfreev (query->filter.aspect_ratios);
  g_clear_pointer (&query->ids, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (query->facets); i++)
    g_clear_pointer (&query->facets[i], g_ptr_array_unref);
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
      query->matched = mja_index_count (index, &query->filter, NULL);
      query->filter.limit = FIRST_ROWS;
    }
  else
    {
      /* Over the whole archive: a search or a filter leaves them be. */
      for (guint i = 0; query->count_facets && i < G_N_ELEMENTS (query->facets); i++)
        query->facets[i] = mja_index_dup_facet_counts (index, (MjaIndexFacet) i, NULL, NULL);
    }
  query->ids = mja_index_query_ids (index, &query->filter, &error);
  if (query->ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* The ids of the selected jobs, as a set; NULL when none is selected. */
static GHashTable *
dup_selected_ids (MjaWindow *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (mja_job_grid_get_selection (self->job_grid));
  GHashTable *ids;
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_is_empty (selected))
    return NULL;
  ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_hash_table_add (ids, g_strdup (mja_job_list_get_id (self->jobs, position)));
  return ids;
}

/* The selection follows its jobs to wherever a new sort or filter put
 * them (from @from on: the part of the list just spliced in). */
static void
reselect (MjaWindow *self,
          guint      from)
{
  GtkSelectionModel *selection = mja_job_grid_get_selection (self->job_grid);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  g_autoptr(GtkBitset) found = NULL;
  g_autoptr(GtkBitset) mask = NULL;

  if (self->keep_selected == NULL || from >= n_items)
    return;
  found = mja_job_list_find_all (self->jobs, self->keep_selected, from);
  mask = gtk_bitset_new_range (from, n_items - from);
  gtk_selection_model_set_selection (selection, found, mask);
  if (self->scroll_to_selected && !gtk_bitset_is_empty (found))
    {
      mja_job_grid_scroll_to (self->job_grid, gtk_bitset_get_minimum (found));
      self->scroll_to_selected = FALSE;
    }
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

    if (query->first && self->keep_selected == NULL)
      self->keep_selected = dup_selected_ids (self);
    mja_job_list_splice (self->jobs, from, n_items - from, query->ids);
    reselect (self, from);
    if (!query->first)
      g_clear_pointer (&self->keep_selected, g_hash_table_unref);
  }
  /* New jobs move positions: the view follows its job (it finds it again
   * itself); a job the whole new order has not leaves the view. */
  if (self->viewing != G_MAXUINT && mja_image_view_get_position (self->image_view) == G_MAXUINT &&
      (!query->first || n_found < FIRST_ROWS))
    _mja_window_set_viewing (self, G_MAXUINT);
  if (query->first)
    {
      g_autoptr(GTask) rest = g_task_new (self, g_task_get_cancellable (G_TASK (result)), query_done_cb, NULL);

      self->total_jobs = query->total;
      self->matched_jobs = query->matched;
      self->loaded = TRUE;
      /* The archive is on screen: the start-up sync may run.  (A window
       * closed meanwhile has no application any more.) */
      if (_mja_window_get_session (self) != NULL)
        mja_session_sync_at_startup (_mja_window_get_session (self));
      update_page (self);
      /* The rest, and the counts per type, behind the first screenfuls. */
      g_task_set_task_data (rest, query_copy_for_rest (query), (GDestroyNotify) query_free);
      g_task_run_in_thread (rest, query_thread);
      return;
    }
  for (guint i = 0; query->count_facets && i < G_N_ELEMENTS (query->facets); i++)
    mja_filter_panel_set_counts (self->filter_panel, (MjaIndexFacet) i, query->facets[i]);
  if (query->count_facets)
    self->facets_stale = FALSE;
  mja_bench_hooks_grid_filled (GTK_WIDGET (self->job_grid));
  update_page (self);
}

static void
reload (MjaWindow *self)
{
  MjaApplication *app = _mja_window_get_app (self);
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
  query->filter.by_rating = g_settings_get_boolean (mja_application_get_settings (app), "sort-by-rating");
  query->first = TRUE;
  query->count_facets = self->facets_stale;
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

void
_mja_window_set_viewing (MjaWindow *self,
                         guint      position)
{
  gboolean viewing = position < g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  g_assert (MJA_IS_WINDOW (self));
  if (viewing)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "view");
      mja_image_view_show (self->image_view, position, 0);
      return;  /* the rest follows the view's position */
    }
  mja_image_view_clear (self->image_view);
  view_position_cb (self);
}

/* The view moved to another job (or was left): the grid's selection, the
 * title and the header bar follow it; the filter panel hides meanwhile. */
static void
view_position_cb (MjaWindow *self)
{
  guint position = mja_image_view_get_position (self->image_view);
  gboolean viewing = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "view") == 0 &&
                     mja_image_view_get_item (self->image_view) != NULL;
  g_autofree char *title = viewing ? mja_image_view_dup_title (self->image_view) : NULL;

  /* While a new order is read, the job may be in it only later. */
  if (!viewing)
    self->viewing = G_MAXUINT;
  else if (position != G_MAXUINT)
    self->viewing = position;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), viewing);
  gtk_widget_set_visible (GTK_WIDGET (self->filters_button), !viewing);
  /* The view is about one job, as in Image Viewer: Sync (Ctrl+R) and the
   * search (Ctrl+F) are the grid's, and their room lets the view's own
   * buttons fit a phone's width. */
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button), !viewing);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), !viewing);
  /* The search bar (its words kept: they order the view) and its keys. */
  gtk_widget_set_visible (GTK_WIDGET (self->search_bar), !viewing);
  /* The filter panel hides while a job is open, and comes back with the grid. */
  if (gtk_widget_get_visible (adw_flap_get_flap (self->filters_flap)) == viewing)
    gtk_widget_set_visible (adw_flap_get_flap (self->filters_flap), !viewing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", viewing);
  /* (A job opened alone, outside the order, has no position in it.) */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous", viewing && position != G_MAXUINT && position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next",
                                 viewing && position != G_MAXUINT &&
                                 position + 1 < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)));
  adw_window_title_set_title (self->window_title, viewing ? title : _("Midjourney Archiver"));
  gtk_window_set_title (GTK_WINDOW (self), viewing ? title : _("Midjourney Archiver"));
  if (viewing && position != G_MAXUINT)
    mja_job_grid_select (self->job_grid, position);
  update_page (self);  /* (whether the search's keys work) */
  if (!viewing)
    gtk_widget_grab_focus (GTK_WIDGET (self->job_grid));
}

static void
job_activated_cb (MjaWindow  *self,
                  guint       position,
                  MjaJobGrid *grid)
{
  _mja_window_set_viewing (self, position);
}

/* Several jobs selected: the header says how many, as in Files. */
static void
selection_changed_cb (MjaWindow  *self,
                      guint       n_selected,
                      MjaJobGrid *grid)
{
  g_autofree char *title = NULL;

  /* An open job keeps its prompt as the title; the view selects its job
   * in the grid as it goes. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "view") == 0)
    return;
  if (n_selected > 1)
    title = g_strdup_printf (ngettext ("%u selected", "%u selected", n_selected), n_selected);
  adw_window_title_set_title (self->window_title, title ? title : _("Midjourney Archiver"));
}

/* A click on the grid beside the sidebar lying over it closes the sidebar. */
static void
side_dismissed_cb (MjaWindow *self)
{
  gtk_toggle_button_set_active (self->progress_button, FALSE);
}

static void
show_job_cb (MjaImageView *view,
             const char   *id,
             MjaWindow    *self)
{
  guint position = mja_job_list_find (self->jobs, id);
  g_autoptr(MjaJobItem) alone = NULL;

  if (position != G_MAXUINT)
    {
      _mja_window_set_viewing (self, position);
      return;
    }
  /* Archived, but the filters or the search leave it out: opened alone. */
  alone = mja_job_list_dup_job (self->jobs, id);
  if (alone != NULL)
    {
      mja_image_view_set_item (view, alone);
      mja_window_show_message (self, _("This job is not among the jobs shown: Back returns to them."));
      return;
    }
  mja_window_show_message (self, _("The parent job is not in the archive."));
}

/* ---- syncing --------------------------------------------------------- */

static void
jobs_added_cb (MjaSync   *sync,
               guint      count,
               MjaWindow *self)
{
  self->facets_stale = TRUE;
  queue_reload (self);
}

static void
set_syncing (MjaWindow *self,
             gboolean   syncing)
{
  const char *word = syncing ? _("Stop") : _("Sync");

  gtk_label_set_label (self->sync_label, word);
  gtk_image_set_from_icon_name (self->sync_icon, syncing ? "media-playback-stop-symbolic" : "folder-download-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sync_button), GTK_ACCESSIBLE_PROPERTY_LABEL, word, -1);
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

/* The day of the newest job in the archive, when the grid shows them all. */
static char *
dup_newest_date (MjaWindow *self)
{
  GSettings *settings = mja_application_get_settings (_mja_window_get_app (self));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));
  g_autoptr(MjaJobItem) newest = NULL;
  g_autoptr(GDateTime) time = NULL;

  /* Highest rated first, the newest job is anywhere: no date then. */
  if (n == 0 || self->filtering || *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0' ||
      g_settings_get_boolean (settings, "sort-by-rating"))
    return NULL;
  newest = g_list_model_get_item (G_LIST_MODEL (self->jobs),
                                  g_settings_get_boolean (settings, "oldest-first") ? n - 1 : 0);
  time = g_date_time_new_from_unix_local (mja_job_item_get_time (newest) / G_USEC_PER_SEC);
  /* TRANSLATORS: a date as in "nothing new since 12 March 2025", see strftime(3) */
  return time ? g_date_time_format (time, _("%-d %B %Y")) : NULL;
}

static void
sync_finished_cb (MjaSession   *session,
                  MjaSync      *sync,
                  const GError *error,
                  MjaWindow    *self)
{
  g_autofree char *summary = NULL;

  if (_mja_window_get_app (self) == NULL)
    return;  /* closed meanwhile */
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          mja_window_show_message (self, _("Sync stopped. The next one resumes where it stopped."));
          mja_progress_sidebar_show_end (self->progress_sidebar, _("Stopped"));
          reload (self);
          return;
        }
      else
        {
          AdwToast *toast = adw_toast_new (error->message);
          MjaWebTransport *transport = mja_session_get_web_transport (session);

          adw_toast_set_timeout (toast, 0);
          if (error->domain == MJA_API_ERROR && error->code == MJA_API_ERROR_AUTH_EXPIRED)
            {
              /* Sign In to Midjourney, the site in the built-in browser;
               * the legacy site's token is pasted in Preferences. */
              gboolean legacy = mja_credentials_get_kind (mja_sync_get_credentials (sync)) == MJA_CREDENTIALS_LEGACY;

              adw_toast_set_button_label (toast, _("Sign In Again"));
              adw_toast_set_action_name (toast, legacy ? "app.preferences" : "win.sign-in");
            }
          else if (error->domain == MJA_API_ERROR && error->code == MJA_API_ERROR_BLOCKED && transport != NULL &&
                   mja_web_transport_get_needs_person (transport))
            {
              /* The check is answered in the account's own browser. */
              adw_toast_set_button_label (toast, _("Show Site"));
              adw_toast_set_action_name (toast, "win.show-site");
            }
          else if (error->domain == MJA_API_ERROR && error->code == MJA_API_ERROR_BLOCKED &&
                   mja_session_get_connection (session) == MJA_CONNECTION_DIRECT)
            {
              adw_toast_set_button_label (toast, _("Preferences"));
              adw_toast_set_action_name (toast, "app.preferences");
            }
          else
            {
              adw_toast_set_button_label (toast, _("Retry"));
              adw_toast_set_action_name (toast, "win.sync");
            }
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
      mja_progress_sidebar_show_error (self->progress_sidebar, error->message);
    }
  else
    {
      if (mja_sync_get_jobs_new (sync) == 0 && mja_sync_get_images_done (sync) == 0 &&
          mja_sync_get_images_failed (sync) == 0)
        {
          g_autofree char *since = dup_newest_date (self);

          /* TRANSLATORS: %s is the date of the newest job, e.g. "12 March 2025" */
          summary = since ? g_strdup_printf (_("Up to date — nothing new since %s"), since)
                          : g_strdup (_("Up to date — nothing new"));
          mja_progress_sidebar_show_end (self->progress_sidebar, _("Up to date"));
        }
      else
        summary = mja_sync_dup_summary (sync);
      mja_window_show_message (self, summary);
      if (!gtk_window_is_active (GTK_WINDOW (self)))
        {
          g_autoptr(GNotification) notification = g_notification_new (_("Sync Complete"));
          g_notification_set_body (notification, summary);
          g_application_send_notification (G_APPLICATION (_mja_window_get_app (self)), "sync-complete", notification);
        }
    }
  reload (self);
}

/* The session started or let go of a sync (the sidebar follows it by its
 * binding): a new one opens the sidebar, and the Sync button stops it. */
static void
current_sync_notify_cb (MjaSession *session,
                        GParamSpec *pspec,
                        MjaWindow  *self)
{
  MjaSync *sync = mja_session_get_current_sync (session);

  g_signal_group_set_target (self->sync_signals, sync);
  set_syncing (self, sync != NULL);
  update_page (self);
  if (sync != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_button), TRUE);
      gtk_toggle_button_set_active (self->progress_button, TRUE);
    }
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   MjaWindow      *self)
{
  reload (self);
}

static void
credentials_notify_cb (MjaSession *session,
                       GParamSpec *pspec,
                       MjaWindow  *self)
{
  update_page (self);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     MjaWindow  *self)
{
  if (g_str_equal (key, "oldest-first") || g_str_equal (key, "sort-by-rating") || g_str_has_prefix (key, "filter-"))
    {
      /* A new order moves the selected job away: the grid follows it. */
      self->scroll_to_selected = TRUE;
      reload (self);
    }
  else if (g_str_equal (key, "archive-dir") && !mja_application_get_demo (_mja_window_get_app (self)))
    {
      g_autofree char *path = mja_application_dup_archive_dir (_mja_window_get_app (self));
      g_autoptr(GFile) dir = g_file_new_for_path (path);
      mja_window_set_archive_dir (self, dir);
    }
}

static void
mja_window_dispose (GObject *object)
{
  MjaWindow *self = MJA_WINDOW (object);

  if (self->query_cancellable)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_object (&self->query_cancellable);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->archive_dir);
  g_clear_object (&self->jobs);
  g_clear_pointer (&self->keep_selected, g_hash_table_unref);

  G_OBJECT_CLASS (mja_window_parent_class)->dispose (object);
}

/* The signed-out page's Sign In…: the site in the built-in browser. */
static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (mja_sign_in_dialog_new (_mja_window_get_app (self), GTK_WINDOW (self))));
}

/* A sync's toast: the check of Midjourney's bot protection that wants a
 * person, shown in the account's own browser (where its answer counts);
 * when none waits any more, the sync simply runs again. */
static void
show_site_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);
  MjaWebTransport *transport = mja_session_get_web_transport (_mja_window_get_session (self));
  GtkWidget *page = transport ? GTK_WIDGET (mja_web_transport_get_web_view (transport)) : NULL;

  /* Shown already (Show Site pressed twice, or in another window): that
   * dialog comes to the front. */
  if (page != NULL && gtk_widget_get_parent (page) != NULL)
    gtk_window_present (GTK_WINDOW (gtk_widget_get_root (page)));
  else if (transport != NULL && mja_web_transport_get_needs_person (transport))
    gtk_window_present (GTK_WINDOW (mja_sign_in_dialog_new_for_check (_mja_window_get_app (self), GTK_WINDOW (self),
                                                                      transport)));
  else
    gtk_widget_activate_action (widget, "win.sync", NULL);
}

static void
signed_in_cb (MjaSession *session,
              const char *name,
              MjaWindow  *self)
{
  g_autofree char *message = g_strdup_printf (_("Signed in as %s"), name);

  mja_window_show_message (self, message);
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
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, sync_label);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filters_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filter_panel);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, progress_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, signed_out_page);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, job_grid);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filter_bar_label);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, filters_flap);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, sidebar_revealer);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, progress_sidebar);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, job_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_job_cb);
  gtk_widget_class_bind_template_callback (widget_class, side_dismissed_cb);

  _mja_window_class_actions_init (klass);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.show-site", NULL, show_site_action);
}

static void
mja_window_init (MjaWindow *self)
{
  g_type_ensure (MJA_TYPE_IMAGE_VIEW);
  g_type_ensure (MJA_TYPE_FILTER_PANEL);
  g_type_ensure (MJA_TYPE_JOB_GRID);
  g_type_ensure (MJA_TYPE_PROGRESS_SIDEBAR);
  g_type_ensure (MJA_TYPE_SIDE_PANE);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->viewing = G_MAXUINT;
  self->sync_signals = g_signal_group_new (MJA_TYPE_SYNC);
  g_signal_group_connect (self->sync_signals, "jobs-added", G_CALLBACK (jobs_added_cb), self);
  self->jobs = mja_job_list_new ();
  mja_job_grid_set_model (self->job_grid, G_LIST_MODEL (self->jobs));
  mja_image_view_set_jobs (self->image_view, self->jobs);
  mja_image_view_add_shortcuts (self->image_view, GTK_WIDGET (self));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view", mja_image_view_get_actions (self->image_view));
  g_signal_connect_object (self->image_view, "notify::position", G_CALLBACK (view_position_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* The key capture comes with the first job to search (update_page). */
}

MjaWindow *
mja_window_new (MjaApplication *application)
{
  MjaWindow *self;
  GSettings *settings;
  MjaSession *session;

  g_return_val_if_fail (MJA_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (MJA_IS_SESSION (mja_application_get_session (application)), NULL);

  self = g_object_new (MJA_TYPE_WINDOW, "application", application, NULL);
  settings = mja_application_get_settings (application);
  session = mja_application_get_session (application);
  _mja_window_actions_init (self);
  g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "show-filters", self->filters_button, "active", G_SETTINGS_BIND_DEFAULT);
  mja_filter_panel_set_settings (self->filter_panel, settings);
  g_object_bind_property (session, "current-sync", self->progress_sidebar, "sync", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (session, "notify::credentials", G_CALLBACK (credentials_notify_cb), self, 0);
  g_signal_connect_object (session, "notify::current-sync", G_CALLBACK (current_sync_notify_cb), self, 0);
  g_signal_connect_object (session, "sync-finished", G_CALLBACK (sync_finished_cb), self, 0);
  g_signal_connect_object (session, "signed-in", G_CALLBACK (signed_in_cb), self, 0);
  current_sync_notify_cb (session, NULL, self);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
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
  mja_session_set_archive_dir (_mja_window_get_session (self), directory);
  path = g_file_get_path (directory);
  if (mja_application_get_demo (_mja_window_get_app (self)))
    {
      g_autofree char *sign_in = NULL;

      description = g_strdup_printf (_("Demo mode: a fake Midjourney account runs on this computer at %s, with a "
                                       "temporary archive. Nothing here touches a real account."),
                                     mja_application_get_demo_url (_mja_window_get_app (self)));
      /* Its site is signed in to as a real one is, with its own account. */
      sign_in = g_strdup_printf (_("Demo mode: sign in to the fake Midjourney that runs on this computer as %s "
                                   "with the password %s."), MJA_FAKE_ACCOUNT_EMAIL, MJA_FAKE_ACCOUNT_PASSWORD);
      adw_status_page_set_description (self->signed_out_page, sign_in);
    }
  else
    description = g_strdup_printf (_("Everything you made on Midjourney is kept in %s, with prompts and metadata."),
                                   path);
  adw_status_page_set_description (self->empty_page, description);
  self->loaded = FALSE;
  self->facets_stale = TRUE;
  mja_job_list_splice (self->jobs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->jobs)), NULL);
  update_page (self);
  reload (self);
}
