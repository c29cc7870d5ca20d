/* mja-application.c — the Midjourney Archiver application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the application-wide actions, the session (MjaSession: who is
 * signed in, which it hands out) and the demo mode.  In demo mode it
 * runs the fake Midjourney server in-process and points the app at it
 * through the same base-URL settings a user could set, with a temporary
 * archive, so that a newcomer sees the app work without an account.
 */
#define G_LOG_DOMAIN "mja-application"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "mja-application.h"
#include "mja-archive.h"
#include "mja-bench-hooks.h"
#include "mja-config.h"
#include "mja-fake-server.h"
#include "mja-preferences.h"
#include "mja-session.h"
#include "mja-window.h"

struct _MjaApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  MjaSession     *session;
  gboolean        demo;
  gboolean        demo_signed_in;
  MjaFakeServer  *fake_server;
  char           *demo_dir;
  char           *demo_tls_dir;
};

G_DEFINE_FINAL_TYPE (MjaApplication, mja_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 'v', 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Run against a built-in fake Midjourney with a temporary archive"), NULL },
  { "demo-signed-in", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("The same demo, signed in from the start and without the fake's bot check (for screenshots and tests)"), NULL },
  { NULL }
};

static gboolean
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  return g_file_delete (file, NULL, NULL);
}

static void
mja_application_finalize (GObject *object)
{
  MjaApplication *self = MJA_APPLICATION (object);

  g_clear_object (&self->fake_server);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  if (self->demo_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (self->demo_dir);
      remove_tree (dir);
      g_free (self->demo_dir);
    }
  if (self->demo_tls_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (self->demo_tls_dir);
      remove_tree (dir);
      g_free (self->demo_tls_dir);
    }

  G_OBJECT_CLASS (mja_application_parent_class)->finalize (object);
}

/* The demo's site is the fake that only a browser passes (its bot check,
 * its sign-in form, its CDN on another address), so a newcomer meets the
 * real sign-in; its HTTPS certificate is trusted like a test server's. */
static gboolean
trust_demo_certificate (MjaApplication  *self,
                        GError         **error)
{
  g_autofree char *path = NULL;

  self->demo_tls_dir = g_dir_make_tmp ("mj-archiver-demo-tls-XXXXXX", error);
  if (self->demo_tls_dir == NULL)
    return FALSE;
  path = g_build_filename (self->demo_tls_dir, "cert.pem", NULL);
  if (!g_file_set_contents (path, mja_fake_server_get_certificate_pem (), -1, error))
    return FALSE;
  /* Before GApplication registers on D-Bus and GTK starts its threads:
   * nothing reads the environment meanwhile. */
  g_setenv ("MJA_TLS_CERTIFICATE", path, TRUE);
  return TRUE;
}

static int
mja_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  MjaApplication *self = MJA_APPLICATION (application);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }
  self->demo_signed_in = g_variant_dict_contains (options, "demo-signed-in");
  if (g_variant_dict_contains (options, "demo") || self->demo_signed_in)
    {
      /* A demo is private to this process: never hand it to a running
       * instance that has a real archive open. */
      self->demo = TRUE;
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
      if (!self->demo_signed_in)
        {
          g_autoptr(GError) error = NULL;

          if (!trust_demo_certificate (self, &error))
            {
              g_printerr (_("Could not start the demo: %s\n"), error->message);
              return 1;
            }
        }
    }
  return -1;
}

static gboolean
start_demo (MjaApplication *self)
{
  g_autoptr(GError) error = NULL;
  MjaFakeServerOptions options;

  mja_fake_server_options_init (&options);
  options.n_jobs = 240;
  options.latency_ms = 20;
  options.browser_only = !self->demo_signed_in;
  self->fake_server = mja_fake_server_new (&options);
  if (!mja_fake_server_start (self->fake_server, &error))
    {
      g_warning ("Could not start the demo server: %s", error->message);
      g_clear_object (&self->fake_server);
      return FALSE;
    }
  self->demo_dir = g_dir_make_tmp ("mj-archiver-demo-XXXXXX", &error);
  if (self->demo_dir == NULL)
    {
      g_warning ("Could not create the demo archive: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* The keyring refused the session: said plainly, in the window in front. */
static void
keyring_failed_cb (MjaSession     *session,
                   const char     *message,
                   MjaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (MJA_IS_WINDOW (window))
    mja_window_show_message (MJA_WINDOW (window), message);
}

/**
 * mja_application_get_session:
 *
 * Returns: (transfer none) (nullable): who is signed in; %NULL until the
 *   application has started up
 */
MjaSession *
mja_application_get_session (MjaApplication *self)
{
  g_return_val_if_fail (MJA_IS_APPLICATION (self), NULL);
  return self->session;
}

GSettings *
mja_application_get_settings (MjaApplication *self)
{
  g_return_val_if_fail (MJA_IS_APPLICATION (self), NULL);
  return self->settings;
}

/* The demo's fake server and folder are the flags of mja-config's look-up. */
static MjaConfig *
dup_config (MjaApplication *self)
{
  MjaConfig *config = mja_config_new_for_settings (self->settings);

  mja_config_set_flag (config, MJA_CONFIG_KEY_ARCHIVE_DIR, self->demo_dir);
  if (self->fake_server != NULL)
    {
      mja_config_set_flag (config, MJA_CONFIG_KEY_API_BASE_URL, mja_fake_server_get_api_url (self->fake_server));
      mja_config_set_flag (config, MJA_CONFIG_KEY_CDN_BASE_URL, mja_fake_server_get_cdn_url (self->fake_server));
      mja_config_set_flag (config, MJA_CONFIG_KEY_AUTH_BASE_URL, mja_fake_server_get_auth_url (self->fake_server));
    }
  return config;
}

/* @which: "api", "cdn" or "auth". */
char *
mja_application_dup_base_url (MjaApplication *self,
                              const char     *which)
{
  g_autoptr(MjaConfig) config = NULL;

  g_return_val_if_fail (MJA_IS_APPLICATION (self), NULL);
  config = dup_config (self);
  return mja_config_dup_string (config, mja_config_base_url_key (which));
}

char *
mja_application_dup_archive_dir (MjaApplication *self)
{
  g_autoptr(MjaConfig) config = NULL;

  g_return_val_if_fail (MJA_IS_APPLICATION (self), NULL);
  config = dup_config (self);
  return mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
}

static MjaWindow *
ensure_window (MjaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      g_autofree char *path = mja_application_dup_archive_dir (self);
      g_autoptr(GFile) dir = g_file_new_for_path (path);

      window = GTK_WINDOW (mja_window_new (self));
      mja_window_set_archive_dir (MJA_WINDOW (window), dir);
    }
  return MJA_WINDOW (window);
}

static void
mja_application_activate (GApplication *application)
{
  gtk_window_present (GTK_WINDOW (ensure_window (MJA_APPLICATION (application))));
}

static void
mja_application_open (GApplication  *application,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  MjaWindow *window = ensure_window (MJA_APPLICATION (application));

  if (n_files > 0)
    mja_window_set_archive_dir (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

static void
mja_application_startup (GApplication *application)
{
  MjaApplication *self = MJA_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };

  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (mja_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);
  if (self->demo)
    start_demo (self);
  /* A demo keeps its account out of the keyring; otherwise the session
   * restores whoever signed in last time. */
  self->session = mja_session_new (self, !self->demo);
  g_signal_connect (self->session, "keyring-failed", G_CALLBACK (keyring_failed_cb), self);
  if (self->fake_server != NULL && self->demo_signed_in)
    {
      /* The demo account is signed in from the start, in memory only. */
      g_autofree char *cookie = mja_fake_server_dup_cookie_header (self->fake_server);
      g_autoptr(MjaCredentials) credentials = mja_credentials_parse (cookie, NULL, NULL);

      if (credentials != NULL)
        mja_session_sign_in (self->session, credentials);
    }

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

static void
mja_application_shutdown (GApplication *application)
{
  MjaApplication *self = MJA_APPLICATION (application);

  /* The last window closed: a sync that runs stops where it is, and the
   * next one resumes there. */
  if (self->session != NULL)
    mja_session_stop_sync (self->session);

  G_APPLICATION_CLASS (mja_application_parent_class)->shutdown (application);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  MjaApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  MjaPreferences *preferences = mja_preferences_new (self);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), window);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "The Midjourney Archiver developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (window,
                         "application-name", _("Midjourney Archiver"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Keep a complete offline copy of everything you made on Midjourney"),
                         "website", PACKAGE_WEBSITE,
                         "issue-url", PACKAGE_WEBSITE "/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "copyright", "© 2026 The Midjourney Archiver developers",
                         NULL);
}

static void
mja_application_class_init (MjaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = mja_application_finalize;
  app_class->handle_local_options = mja_application_handle_local_options;
  app_class->startup = mja_application_startup;
  app_class->shutdown = mja_application_shutdown;
  app_class->activate = mja_application_activate;
  app_class->open = mja_application_open;
}

static void
mja_application_init (MjaApplication *self)
{
  static const GActionEntry actions[] = {
    { "quit", quit_action },
    { "about", about_action },
    { "preferences", preferences_action },
  };

  mja_bench_hooks_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

MjaApplication *
mja_application_new (void)
{
  return g_object_new (MJA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/mjarchiver/Archiver",
                       NULL);
}

gboolean
mja_application_get_demo (MjaApplication *self)
{
  g_return_val_if_fail (MJA_IS_APPLICATION (self), FALSE);
  return self->fake_server != NULL;
}

const char *
mja_application_get_demo_url (MjaApplication *self)
{
  g_return_val_if_fail (MJA_IS_APPLICATION (self), NULL);
  return self->fake_server ? mja_fake_server_get_api_url (self->fake_server) : NULL;
}
