/* mja-file-actions.c — what a person does with an archived file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the grid's context menu and the image view.
 */
#define G_LOG_DOMAIN "mja-file-actions"

#include "config.h"

#include "mja-file-actions.h"

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
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  const char *uris[] = { uri, NULL };
  GApplication *app = g_application_get_default ();
  GDBusConnection *bus = app ? g_application_get_dbus_connection (app) : NULL;
  ShowData *data;

  if (bus == NULL)
    {
      open_folder_of (widget, path);
      return;
    }
  data = g_new0 (ShowData, 1);
  data->widget = g_object_ref (widget);
  data->path = g_strdup (path);
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems", g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, shown_cb, data);
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
