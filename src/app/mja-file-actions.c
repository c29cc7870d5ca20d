/* mja-file-actions.c — what a person does with an archived file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the grid's context menu and the image view.
 */
#define G_LOG_DOMAIN "mja-file-actions"

#include "config.h"

#include "mja-file-actions.h"

static void
file_list_free (GList *files)
{
  g_list_free_full (files, g_object_unref);
}

static GtkWindow *
window_of (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
mja_open_with_default_viewer (GtkWidget  *widget,
                              const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);

  gtk_show_uri (window_of (widget), uri, GDK_CURRENT_TIME);
}

typedef struct
{
  GtkWidget *widget;
  char      *path;
} ShowData;

static void
show_data_free (ShowData *data)
{
  g_object_unref (data->widget);
  g_free (data->path);
  g_free (data);
}

static void
open_folder_of (GtkWidget  *widget,
                const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  mja_open_with_default_viewer (widget, folder);
}

static void
shown_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ShowData *data = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  /* No file manager that speaks FileManager1: open the folder instead. */
  if (reply == NULL)
    open_folder_of (data->widget, data->path);
  show_data_free (data);
}

/* Asks the file manager to show the file selected in its folder. */
void
mja_show_in_folder (GtkWidget  *widget,
                    const char *path)
{
  const char *paths[] = { path, NULL };

  mja_show_files_in_folder (widget, paths);
}

/* The same for several files at once (NULL-terminated @paths); without a
 * file manager, the folder of the first is opened. */
void
mja_show_files_in_folder (GtkWidget          *widget,
                          const char * const *paths)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) uris = NULL;
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app ? g_application_get_dbus_connection (app) : NULL;
  ShowData *data;

  g_return_if_fail (paths != NULL && paths[0] != NULL);

  if (bus == NULL)
    {
      open_folder_of (widget, paths[0]);
      return;
    }
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autofree char *uri = g_file_get_uri (file);

      g_strv_builder_add (builder, uri);
    }
  uris = g_strv_builder_end (builder);
  data = g_new0 (ShowData, 1);
  data->widget = g_object_ref (widget);
  data->path = g_strdup (paths[0]);
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", (const char * const *) uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, shown_cb, data);
}

static void
app_chosen_cb (GtkDialog *dialog,
               int        response,
               gpointer   user_data)
{
  GList *files = g_object_get_data (G_OBJECT (dialog), "mja-files");

  if (response == GTK_RESPONSE_OK)
    {
      g_autoptr(GAppInfo) info = gtk_app_chooser_get_app_info (GTK_APP_CHOOSER (dialog));
      g_autoptr(GdkAppLaunchContext) context =
        gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (dialog)));
      g_autoptr(GError) error = NULL;

      if (info != NULL && !g_app_info_launch (info, files, G_APP_LAUNCH_CONTEXT (context), &error))
        g_warning ("Could not open the files with %s: %s", g_app_info_get_name (info), error->message);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Lets a person choose an application for the files (NULL-terminated
 * @paths, of the type of the first) and opens them all in it. */
void
mja_open_with_chooser (GtkWidget          *widget,
                       const char * const *paths)
{
  g_autofree char *type = NULL;
  GtkWidget *dialog;
  GList *files = NULL;

  g_return_if_fail (paths != NULL && paths[0] != NULL);

  type = g_content_type_guess (paths[0], NULL, 0, NULL);
  dialog = gtk_app_chooser_dialog_new_for_content_type (window_of (widget), GTK_DIALOG_MODAL, type);
  for (guint i = 0; paths[i] != NULL; i++)
    files = g_list_prepend (files, g_file_new_for_path (paths[i]));
  g_object_set_data_full (G_OBJECT (dialog), "mja-files", g_list_reverse (files),
                          (GDestroyNotify) file_list_free);
  g_signal_connect (dialog, "response", G_CALLBACK (app_chosen_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
mja_copy_text (GtkWidget  *widget,
               const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

void
mja_copy_image (GtkWidget  *widget,
                const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, &error);

  if (texture != NULL)
    gdk_clipboard_set_texture (gtk_widget_get_clipboard (widget), texture);
  else
    g_warning ("Could not copy %s: %s", path, error->message);
}
