/* mja-window-actions.c — the window's actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One function per action of the window ("win.*", and "settings.*" made
 * from GSettings keys), and their keyboard shortcuts.  An action only
 * turns what a person asked for into a call of the window (mja-window.c);
 * it keeps no state of its own.
 */
#define G_LOG_DOMAIN "mja-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-application.h"
#include "mja-session.h"
#include "mja-window-private.h"

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaSession *session = _mja_window_get_session (MJA_WINDOW (widget));

  if (mja_session_get_current_sync (session) != NULL)
    mja_session_stop_sync (session);
  else if (!mja_session_get_signed_in (session))
    gtk_widget_activate_action (widget, "app.preferences", NULL);
  else
    mja_session_start_sync (session);
}

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
  mja_filter_clear (mja_application_get_settings (_mja_window_get_app (self)));
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
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _mja_window_set_viewing (MJA_WINDOW (widget), G_MAXUINT);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  if (self->viewing != G_MAXUINT && self->viewing > 0)
    _mja_window_set_viewing (self, self->viewing - 1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MjaWindow *self = MJA_WINDOW (widget);

  if (self->viewing != G_MAXUINT)
    _mja_window_set_viewing (self, self->viewing + 1);
}

void
_mja_window_class_actions_init (MjaWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.clear-search", NULL, clear_search_action);
  gtk_widget_class_install_action (widget_class, "win.close-progress", NULL, close_progress_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
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

/* The actions that need the application: the settings it keeps. */
void
_mja_window_actions_init (MjaWindow *self)
{
  GSettings *settings = mja_application_get_settings (_mja_window_get_app (self));
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GAction) oldest_first = g_settings_create_action (settings, "oldest-first");
  g_autoptr(GAction) by_rating = g_settings_create_action (settings, "sort-by-rating");

  g_assert (MJA_IS_WINDOW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next", FALSE);
  g_action_map_add_action (G_ACTION_MAP (group), oldest_first);
  g_action_map_add_action (G_ACTION_MAP (group), by_rating);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (group));
}
