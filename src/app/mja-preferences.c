/* mja-preferences.c — the Preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Settings apply at once through GSettings bindings.  Signing in asks the
 * session to check the pasted cookie against Midjourney (one listing
 * request) before the session keeps it in the keyring; the secret never
 * lands anywhere else, and the entry is cleared once it is stored.  The
 * account rows follow the session; Preferences never talks to Midjourney
 * or the keyring itself.
 */
#define G_LOG_DOMAIN "mja-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-api.h"
#include "mja-application.h"
#include "mja-config.h"
#include "mja-preferences.h"
#include "mja-session.h"
#include "mja-sign-in-dialog.h"

struct _MjaPreferences
{
  AdwPreferencesWindow  parent_instance;

  MjaApplication       *application;
  MjaSession           *session;
  GCancellable         *check_cancellable;
  gboolean              checking;      /* the status row says so until the check ends */

  AdwComboRow          *protocol_row;
  AdwComboRow          *connection_row;
  AdwPasswordEntryRow  *cookie_row;
  AdwPasswordEntryRow  *session_token_row;
  AdwEntryRow          *user_id_row;
  AdwActionRow         *status_row;
  AdwActionRow         *browser_row;
  GtkButton            *browser_sign_in_button;
  GtkButton            *sign_in_button;
  GtkButton            *sign_out_button;
  AdwActionRow         *folder_row;
  GtkButton            *folder_button;
  GtkSwitch            *grids_switch;
  GtkSwitch            *upscales_switch;
  GtkSwitch            *videos_switch;
  AdwComboRow          *format_row;
  GtkSwitch            *overwrite_switch;
  GtkSwitch            *embed_switch;
  GtkSpinButton        *concurrency_spin;
  GtkSpinButton        *interval_spin;
  GtkSwitch            *startup_switch;
  GtkSpinButton        *every_spin;
};

G_DEFINE_FINAL_TYPE (MjaPreferences, mja_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* Sign In has something to check only once the field it reads is filled. */
static void
update_sign_in_button (MjaPreferences *self)
{
  gboolean legacy = adw_combo_row_get_selected (self->protocol_row) == MJA_PROTOCOL_LEGACY;
  GtkEditable *field = GTK_EDITABLE (legacy ? self->session_token_row : self->cookie_row);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (field)));

  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !self->checking && *text != '\0');
}

static void
update_account (MjaPreferences *self)
{
  MjaCredentials *credentials = mja_session_get_credentials (self->session);
  gboolean legacy = adw_combo_row_get_selected (self->protocol_row) == MJA_PROTOCOL_LEGACY;

  gtk_widget_set_visible (GTK_WIDGET (self->session_token_row), legacy);
  gtk_widget_set_visible (GTK_WIDGET (self->user_id_row), legacy);
  gtk_widget_set_visible (GTK_WIDGET (self->cookie_row), !legacy);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_out_button), credentials != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->browser_row), credentials == NULL && !legacy);
  update_sign_in_button (self);

  if (self->checking)
    return;
  if (credentials != NULL)
    {
      const char *id_token = mja_credentials_get_id_token (credentials);
      g_autofree char *name = id_token ? mja_sign_in_dialog_dup_account_name (id_token) : NULL;
      /* By name or e-mail when the token gives one, the id otherwise. */
      g_autofree char *title = name ? g_strdup_printf (_("Signed in as %s"), name)
                                    : g_strdup_printf (_("Signed in as user %s"),
                                                       mja_credentials_get_user_id (credentials));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
      adw_action_row_set_subtitle (self->status_row,
                                   mja_session_get_in_memory (self->session)
                                   ? _("Kept in memory for this run only") : _("Kept in your keyring"));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), _("Not signed in"));
      adw_action_row_set_subtitle (self->status_row, "");
    }
}

static void
set_status (MjaPreferences *self,
            const char     *title,
            const char     *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (self->status_row, subtitle ? subtitle : "");
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(MjaPreferences) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) checked = mja_session_check_credentials_finish (MJA_SESSION (source), result, &error);

  self->checking = FALSE;
  update_sign_in_button (self);
  if (checked == NULL)
    {
      if (g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED) &&
          adw_combo_row_get_selected (self->protocol_row) != MJA_PROTOCOL_LEGACY)
        set_status (self, _("Could not sign in"),
                    _("The session of that cookie has ended. Sign in with the built-in browser, or copy a "
                      "fresh cookie from your browser."));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_status (self, _("Could not sign in"), error->message);
      return;
    }
  /* With the refreshed token, when the pasted one had expired. */
  mja_session_sign_in (self->session, checked);
  gtk_editable_set_text (GTK_EDITABLE (self->cookie_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->session_token_row), "");
  update_account (self);
}

static void
sign_in_cb (MjaPreferences *self)
{
  gboolean legacy = adw_combo_row_get_selected (self->protocol_row) == MJA_PROTOCOL_LEGACY;
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  const char *user_id = gtk_editable_get_text (GTK_EDITABLE (self->user_id_row));

  /* Enter in an empty field: nothing to check yet. */
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->sign_in_button)))
    return;
  if (legacy)
    credentials = mja_credentials_new_legacy (gtk_editable_get_text (GTK_EDITABLE (self->session_token_row)),
                                              *user_id ? user_id : NULL, &error);
  else
    credentials = mja_credentials_parse (gtk_editable_get_text (GTK_EDITABLE (self->cookie_row)), NULL, &error);
  if (credentials == NULL)
    {
      set_status (self, _("Could not sign in"), error->message);
      return;
    }

  set_status (self, _("Checking with Midjourney…"), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), FALSE);
  self->checking = TRUE;
  mja_session_check_credentials_async (self->session, credentials,
                                       (MjaProtocol) adw_combo_row_get_selected (self->protocol_row),
                                       self->check_cancellable, check_done_cb, g_object_ref (self));
}

static void
browser_sign_in_cb (MjaPreferences *self)
{
  gtk_window_present (GTK_WINDOW (mja_sign_in_dialog_new (self->application, GTK_WINDOW (self))));
}

static void
sign_out_cb (MjaPreferences *self)
{
  mja_session_sign_out (self->session);
}

static void
update_folder (MjaPreferences *self)
{
  g_autofree char *path = mja_application_dup_archive_dir (self->application);

  adw_action_row_set_subtitle (self->folder_row, path);
}

static void
folder_chosen_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  MjaPreferences *self = MJA_PREFERENCES (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (mja_application_get_settings (self->application), "archive-dir", path);
      update_folder (self);
    }
  g_object_unref (dialog);
}

static void
choose_folder_cb (MjaPreferences *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Archive Folder"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (folder_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The three switches edit one string list. */
static void
kinds_changed_cb (MjaPreferences *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kinds = NULL;

  if (gtk_switch_get_active (self->grids_switch))
    g_strv_builder_add (builder, "grid");
  if (gtk_switch_get_active (self->upscales_switch))
    g_strv_builder_add (builder, "upscale");
  if (gtk_switch_get_active (self->videos_switch))
    g_strv_builder_add (builder, "video");
  kinds = g_strv_builder_end (builder);
  g_settings_set_strv (mja_application_get_settings (self->application), "download-kinds",
                       (const char * const *) kinds);
}

static gboolean
format_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *format = g_variant_get_string (variant, NULL);
  const char * const *formats = mja_config_get_image_formats ();

  for (guint i = 0; formats[i] != NULL; i++)
    if (g_str_equal (format, formats[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
format_set_mapping (const GValue       *value,
                    const GVariantType *type,
                    gpointer            user_data)
{
  const char * const *formats = mja_config_get_image_formats ();

  return g_variant_new_string (formats[MIN (g_value_get_uint (value), g_strv_length ((GStrv) formats) - 1)]);
}

static gboolean
protocol_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  MjaProtocol protocol = MJA_PROTOCOL_AUTO;

  mja_config_protocol_from_string (g_variant_get_string (variant, NULL), &protocol);
  g_value_set_uint (value, protocol);
  return TRUE;
}

static GVariant *
protocol_set_mapping (const GValue       *value,
                      const GVariantType *type,
                      gpointer            user_data)
{
  return g_variant_new_string (mja_config_protocol_to_string (MIN (g_value_get_uint (value), MJA_PROTOCOL_LEGACY)));
}

/* The rows are in the order of MjaConnection: Automatic, Direct, Built-in Browser. */
static gboolean
connection_get_mapping (GValue   *value,
                        GVariant *variant,
                        gpointer  user_data)
{
  MjaConnection connection = MJA_CONNECTION_AUTO;

  mja_config_connection_from_string (g_variant_get_string (variant, NULL), &connection);
  g_value_set_uint (value, connection);
  return TRUE;
}

static GVariant *
connection_set_mapping (const GValue       *value,
                        const GVariantType *type,
                        gpointer            user_data)
{
  return g_variant_new_string (mja_config_connection_to_string (MIN (g_value_get_uint (value),
                                                                     MJA_CONNECTION_BROWSER)));
}

static void
mja_preferences_dispose (GObject *object)
{
  MjaPreferences *self = MJA_PREFERENCES (object);

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (mja_preferences_parent_class)->dispose (object);
}

static void
mja_preferences_class_init (MjaPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, protocol_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, connection_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, cookie_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, session_token_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, user_id_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, status_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, browser_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, browser_sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, folder_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, folder_button);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, grids_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, upscales_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, videos_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, format_row);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, overwrite_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, embed_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, startup_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaPreferences, every_spin);
}

/* libadwaita 1.2's password rows have a Show Text / Hide Text button that
 * only its tooltip names, which GTK 4.8 does not hand to assistive
 * technologies: give it that name, and follow the tooltip as it flips. */
static void
name_after_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
name_icon_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) == NULL &&
          gtk_widget_get_tooltip_text (child) != NULL)
        {
          name_after_tooltip (child);
          g_signal_connect (child, "notify::tooltip-text", G_CALLBACK (name_after_tooltip), NULL);
        }
      else
        name_icon_buttons (child);
    }
}

static void
mja_preferences_init (MjaPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->check_cancellable = g_cancellable_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->concurrency_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Concurrent Downloads"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->interval_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Pause Between Requests"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->every_spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sync Every (Hours)"), -1);
  name_icon_buttons (GTK_WIDGET (self->cookie_row));
  name_icon_buttons (GTK_WIDGET (self->session_token_row));
}

MjaPreferences *
mja_preferences_new (MjaApplication *application)
{
  MjaPreferences *self = NULL;
  GSettings *settings = NULL;
  g_auto(GStrv) kinds = NULL;

  g_return_val_if_fail (MJA_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (MJA_IS_SESSION (mja_application_get_session (application)), NULL);

  self = g_object_new (MJA_TYPE_PREFERENCES, NULL);
  settings = mja_application_get_settings (application);
  kinds = g_settings_get_strv (settings, "download-kinds");
  self->application = g_object_ref (application);
  self->session = g_object_ref (mja_application_get_session (application));
  g_settings_bind_with_mapping (settings, "protocol", self->protocol_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                protocol_get_mapping, protocol_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (settings, "connection", self->connection_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                connection_get_mapping, connection_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (settings, "image-format", self->format_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                format_get_mapping, format_set_mapping, NULL, NULL);
  g_settings_bind (settings, "overwrite-metadata", self->overwrite_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "embed-metadata", self->embed_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "concurrency", self->concurrency_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "request-interval", self->interval_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "sync-at-startup", self->startup_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "sync-every-hours", self->every_spin, "value", G_SETTINGS_BIND_DEFAULT);
  gtk_switch_set_active (self->grids_switch, g_strv_contains ((const char * const *) kinds, "grid"));
  gtk_switch_set_active (self->upscales_switch, g_strv_contains ((const char * const *) kinds, "upscale"));
  gtk_switch_set_active (self->videos_switch, g_strv_contains ((const char * const *) kinds, "video"));

  g_signal_connect_swapped (self->grids_switch, "notify::active", G_CALLBACK (kinds_changed_cb), self);
  g_signal_connect_swapped (self->upscales_switch, "notify::active", G_CALLBACK (kinds_changed_cb), self);
  g_signal_connect_swapped (self->videos_switch, "notify::active", G_CALLBACK (kinds_changed_cb), self);
  g_signal_connect_swapped (self->protocol_row, "notify::selected", G_CALLBACK (update_account), self);
  g_signal_connect_swapped (self->sign_in_button, "clicked", G_CALLBACK (sign_in_cb), self);
  g_signal_connect_swapped (self->cookie_row, "entry-activated", G_CALLBACK (sign_in_cb), self);
  g_signal_connect_swapped (self->cookie_row, "changed", G_CALLBACK (update_sign_in_button), self);
  g_signal_connect_swapped (self->session_token_row, "changed", G_CALLBACK (update_sign_in_button), self);
  g_signal_connect_swapped (self->sign_out_button, "clicked", G_CALLBACK (sign_out_cb), self);
  g_signal_connect_swapped (self->browser_sign_in_button, "clicked", G_CALLBACK (browser_sign_in_cb), self);
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (choose_folder_cb), self);
  g_signal_connect_object (self->session, "notify::credentials", G_CALLBACK (update_account), self, G_CONNECT_SWAPPED);

  if (mja_application_get_demo (application))
    gtk_widget_set_sensitive (GTK_WIDGET (self->folder_button), FALSE);
  update_folder (self);
  update_account (self);
  return self;
}
