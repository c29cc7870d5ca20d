/* mja-export.c — copy the files of chosen jobs into a folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns Export…: the folder chooser (with the choice of the prompts and
 * metadata too), the copying in a thread of its own with its progress in
 * a toast, and what it says when done.  A job's files are those next to
 * its .json that carry its name: its images, and with metadata the .json
 * and .prompt.txt.  It only reads the archive and never overwrites a file
 * in the chosen folder: a name taken there gets " (2)", " (3)", …
 */
#define G_LOG_DOMAIN "mja-export"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "mja-archive.h"
#include "mja-export.h"
#include "mja-file-actions.h"
#include "mja-job-item.h"

typedef struct
{
  GStrv              json_paths;
  GFile             *folder;
  gboolean           with_metadata;
  MjaExportProgress  progress;
  gpointer           progress_data;
  guint              n_copied;
} Export;

typedef struct
{
  GTask *task;
  guint  done;
  guint  total;
} Progress;

static void
export_free (Export *export)
{
  g_strfreev (export->json_paths);
  g_clear_object (&export->folder);
  g_free (export);
}

static gboolean
progress_idle_cb (gpointer data)
{
  Progress *progress = data;
  Export *export = g_task_get_task_data (progress->task);

  export->progress (progress->done, progress->total, export->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_free (Progress *progress)
{
  g_object_unref (progress->task);
  g_free (progress);
}

static void
report_progress (GTask *task,
                 guint  done,
                 guint  total)
{
  Export *export = g_task_get_task_data (task);
  Progress *progress;

  if (export->progress == NULL)
    return;
  progress = g_new0 (Progress, 1);
  progress->task = g_object_ref (task);
  progress->done = done;
  progress->total = total;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, progress_idle_cb, progress,
                              (GDestroyNotify) progress_free);
}

/* The files of the job whose .json is @json_path, added to @files. */
static gboolean
collect_job_files (const char  *json_path,
                   gboolean     with_metadata,
                   GPtrArray   *files,
                   GError     **error)
{
  g_autofree char *dir_path = g_path_get_dirname (json_path);
  g_autofree char *base = g_path_get_basename (json_path);
  g_autoptr(GDir) dir = NULL;
  gsize stem_length;
  const char *name;

  if (!g_str_has_suffix (base, ".json"))
    return TRUE;
  stem_length = strlen (base) - strlen (".json");
  dir = g_dir_open (dir_path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean metadata = g_str_has_suffix (name, ".json") || g_str_has_suffix (name, ".prompt.txt");

      if (strncmp (name, base, stem_length) != 0 || (name[stem_length] != '.' && name[stem_length] != '-') ||
          g_str_has_suffix (name, MJA_ARCHIVE_PART_SUFFIX) || (metadata && !with_metadata))
        continue;
      g_ptr_array_add (files, g_build_filename (dir_path, name, NULL));
    }
  return TRUE;
}

/* Copies @source into @folder under its own name, or "name (2).ext", …
 * when that is taken. */
static gboolean
copy_without_overwriting (const char    *source,
                          GFile         *folder,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autofree char *name = g_path_get_basename (source);
  const char *dot = strchr (name, '.');
  g_autofree char *stem = g_strndup (name, dot ? (gsize) (dot - name) : strlen (name));

  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *target_name = n == 1 ? g_strdup (name) : g_strdup_printf ("%s (%u)%s", stem, n, dot ? dot : "");
      g_autoptr(GFile) to = g_file_get_child (folder, target_name);
      g_autoptr(GError) local_error = NULL;

      if (g_file_copy (from, to, G_FILE_COPY_NONE, cancellable, NULL, NULL, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Too many files named “%s” in the folder."), name);
  return FALSE;
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  for (guint i = 0; export->json_paths[i] != NULL; i++)
    if (!collect_job_files (export->json_paths[i], export->with_metadata, files, &error))
      {
        g_task_return_error (task, error);
        return;
      }
  report_progress (task, 0, files->len);
  for (guint i = 0; i < files->len; i++)
    {
      if (!copy_without_overwriting (files->pdata[i], export->folder, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      export->n_copied++;
      report_progress (task, i + 1, files->len);
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * mja_export_async:
 * @items: the jobs (MjaJobItem*)
 * @progress: (nullable): told how many of how many files are copied
 *
 * Copies the images of @items (and with @with_metadata their .json and
 * .prompt.txt) into @folder, in a thread.
 */
void
mja_export_async (GPtrArray          *items,
                  GFile              *folder,
                  gboolean            with_metadata,
                  GCancellable       *cancellable,
                  MjaExportProgress   progress,
                  gpointer            progress_data,
                  GAsyncReadyCallback callback,
                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  Export *export;

  g_return_if_fail (items != NULL);
  g_return_if_fail (G_IS_FILE (folder));

  for (guint i = 0; i < items->len; i++)
    g_strv_builder_add (builder, mja_job_item_get_json_path (items->pdata[i]));
  export = g_new0 (Export, 1);
  export->json_paths = g_strv_builder_end (builder);
  export->folder = g_object_ref (folder);
  export->with_metadata = with_metadata;
  export->progress = progress;
  export->progress_data = progress_data;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, mja_export_async);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

/* @n_copied: (out) (optional): how many files were copied, also on error */
gboolean
mja_export_finish (GAsyncResult  *result,
                   guint         *n_copied,
                   GError       **error)
{
  Export *export;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  export = g_task_get_task_data (G_TASK (result));
  if (n_copied != NULL)
    *n_copied = export->n_copied;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Export…: the chooser and the toasts ---------------------------------- */

typedef struct
{
  GtkWidget *widget;
  GPtrArray *items;
  AdwToast  *toast;
  GFile     *folder;
} Choice;

static void
choice_free (Choice *choice)
{
  g_clear_object (&choice->widget);
  g_clear_pointer (&choice->items, g_ptr_array_unref);
  g_clear_object (&choice->toast);
  g_clear_object (&choice->folder);
  g_free (choice);
}

static AdwToastOverlay *
toast_overlay_of (GtkWidget *widget)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  return overlay ? ADW_TOAST_OVERLAY (overlay) : NULL;
}

static void
export_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  Choice *choice = user_data;
  g_autofree char *title = g_strdup_printf (ngettext ("Exporting… %u of %u file", "Exporting… %u of %u files",
                                                      total), done, total);

  adw_toast_set_title (choice->toast, title);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Choice *choice = user_data;
  AdwToastOverlay *overlay = toast_overlay_of (choice->widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *folder_name = g_file_get_basename (choice->folder);
  guint n_copied = 0;
  AdwToast *toast;

  adw_toast_dismiss (choice->toast);
  if (!mja_export_finish (result, &n_copied, &error))
    title = g_strdup_printf (ngettext ("Export stopped after %u file: %s", "Export stopped after %u files: %s",
                                       n_copied), n_copied, error->message);
  else
    title = g_strdup_printf (ngettext ("Exported %u file to “%s”", "Exported %u files to “%s”", n_copied),
                             n_copied, folder_name);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, error ? 0 : 8);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (g_object_ref_sink (toast));
  choice_free (choice);
}

static void
folder_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  Choice *choice = user_data;
  AdwToastOverlay *overlay = toast_overlay_of (choice->widget);
  const char *metadata = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "metadata");

  choice->folder = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_object_unref (dialog);
  if (choice->folder == NULL)
    {
      choice_free (choice);
      return;
    }
  choice->toast = g_object_ref_sink (adw_toast_new (_("Exporting…")));
  adw_toast_set_timeout (choice->toast, 0);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, g_object_ref (choice->toast));
  mja_export_async (choice->items, choice->folder, g_strcmp0 (metadata, "true") == 0, NULL, export_progress_cb,
                    choice, exported_cb, choice);
}

/* Export…: asks for a folder, then copies @items' files into it. */
void
mja_export_choose_folder (GtkWidget *widget,
                          GPtrArray *items)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;
  GtkFileChooserNative *chooser;
  Choice *choice;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (items != NULL && items->len > 0);

  title = g_strdup_printf (ngettext ("Export %u Job", "Export %u Jobs", items->len), items->len);
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), "metadata",
                               _("Include prompts and metadata (.json, .prompt.txt)"), NULL, NULL);
  choice = g_new0 (Choice, 1);
  choice->widget = g_object_ref (widget);
  choice->items = g_ptr_array_ref (items);
  g_signal_connect (chooser, "response", G_CALLBACK (folder_chosen_cb), choice);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
