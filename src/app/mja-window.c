/* mja-window.c — the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one archive folder.  It never reads the archive itself: what it
 * shows comes from the core objects (see ARCHITECTURE.md).
 */
#define G_LOG_DOMAIN "mja-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-window.h"

struct _MjaWindow
{
  AdwApplicationWindow  parent_instance;

  GFile                *archive_dir;

  AdwWindowTitle       *window_title;
  AdwStatusPage        *status_page;
  GtkMenuButton        *primary_menu_button;
  AdwToastOverlay      *toast_overlay;
};

G_DEFINE_FINAL_TYPE (MjaWindow, mja_window, ADW_TYPE_APPLICATION_WINDOW)

static GFile *
default_archive_dir (void)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  return g_file_new_build_filename (pictures ? pictures : g_get_home_dir (), "Midjourney", NULL);
}

static void
update_status (MjaWindow *self)
{
  MjaApplication *app = MJA_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autofree char *name = g_file_get_basename (self->archive_dir);
  g_autofree char *path = g_file_get_path (self->archive_dir);
  g_autofree char *description = NULL;

  adw_window_title_set_subtitle (self->window_title, name);

  if (app != NULL && mja_application_get_demo (app))
    {
      description = g_strdup_printf (_("A fake Midjourney account is running at %s with a temporary archive. "
                                       "Nothing here touches a real account."),
                                     mja_application_get_demo_url (app));
      adw_status_page_set_icon_name (self->status_page, "applications-science-symbolic");
      adw_status_page_set_title (self->status_page, _("Demo Mode"));
    }
  else
    {
      description = g_strdup_printf (_("Archive folder: %s"), path);
      adw_status_page_set_icon_name (self->status_page, "folder-pictures-symbolic");
      adw_status_page_set_title (self->status_page, _("Your Archive Is Empty"));
    }
  adw_status_page_set_description (self->status_page, description);
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
mja_window_dispose (GObject *object)
{
  MjaWindow *self = MJA_WINDOW (object);

  g_clear_object (&self->archive_dir);

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
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, MjaWindow, toast_overlay);

  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
}

static void
mja_window_init (MjaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->primary_menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Main Menu"),
                                  -1);
  self->archive_dir = default_archive_dir ();
}

MjaWindow *
mja_window_new (MjaApplication *application)
{
  MjaWindow *self = g_object_new (MJA_TYPE_WINDOW, "application", application, NULL);

  update_status (self);
  return self;
}

void
mja_window_set_archive_dir (MjaWindow *self,
                            GFile     *directory)
{
  g_return_if_fail (MJA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (directory));

  g_set_object (&self->archive_dir, directory);
  update_status (self);
}
