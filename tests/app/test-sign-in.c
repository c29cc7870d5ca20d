/* test-sign-in.c — signing in through the built-in browser, in-process under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The signed-out page's Sign In… opens "Sign In to Midjourney" with the
 * keyboard in the page; the fake in browser-only mode (its bot check,
 * then its sign-in form that sets the two session cookies) is signed in
 * to; the
 * dialog closes by itself, the session is signed in as the token's
 * account and says its name, and the keyring has it.  A Sync then runs
 * through the account's built-in browser past the bot check: every image
 * as the fake has it, no cookie to the CDN, neither the id token nor the
 * refresh token in a file; sign-out leaves nothing of the browser's
 * session, in memory or the keyring.  "Use a
 * Cookie Instead" leads to Preferences' cookie row; an account signed in
 * with a cookie whose plain sync meets the bot check syncs through the
 * browser all the same.
 */
#include "config.h"

#include <string.h>

#include "mja-application.h"
#include "mja-preferences.h"
#include "mja-session.h"
#include "mja-sign-in-dialog.h"
#include "mja-util.h"
#include "mja-window.h"
#include "test-utils.h"

#define USER_ID "6f1b6c2e-2b8a-4c41-9d4e-3f7a9b0c1d2e"  /* of the tokens made here */

static MjaApplication *app;
static char *home;
static MjaFakeServer *server;

static char *
make_token (const char *payload)
{
  g_autofree char *header = mja_base64url_encode ((const guint8 *) "{\"alg\":\"RS256\"}", 15);
  g_autofree char *body = mja_base64url_encode ((const guint8 *) payload, strlen (payload));

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJl", header, body);
}

static MjaSession *
session (void)
{
  return mja_application_get_session (app);
}

static MjaSignInDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (MJA_IS_SIGN_IN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return MJA_SIGN_IN_DIALOG (window);
    }
  return NULL;
}

static gboolean
preferences_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (MJA_IS_PREFERENCES (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
dialog_open (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
dialog_closed (gpointer data)
{
  return find_dialog () == NULL;
}

typedef struct
{
  WebKitWebView *view;
  gboolean       asking;
  gboolean       shown;
} Form;

static void
form_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Form *form = data;
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  form->shown = value != NULL && jsc_value_to_boolean (value);
  form->asking = FALSE;
}

/* The site's form is there: past the bot check, which reloads the page. */
static gboolean
form_shown (gpointer data)
{
  Form *form = data;

  if (!form->asking && !form->shown && !webkit_web_view_is_loading (form->view))
    {
      form->asking = TRUE;
      webkit_web_view_evaluate_javascript (form->view, "document.querySelector('form [name=password]') !== null", -1,
                                           NULL, NULL, NULL, form_checked_cb, form);
    }
  return form->shown;
}

static void
script_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Form *form = data;
  g_autoptr(JSCValue) value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  form->asking = FALSE;
}

static gboolean
script_done (gpointer data)
{
  return !((Form *) data)->asking;
}

static gboolean
signed_in (gpointer data)
{
  return mja_session_get_signed_in (session ());
}

static void
signed_in_cb (MjaSession *s,
              const char *name,
              char      **said)
{
  g_free (*said);
  *said = g_strdup (name);
}

static void
sync_finished_cb (MjaSession *s,
                  MjaSync    *sync,
                  GError     *error,
                  gpointer    data)
{
  char **outcome = data;

  *outcome = g_strdup (error != NULL ? error->message : "");
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
keyring_empty (gpointer data)
{
  g_autoptr(MjaCredentials) stored = mja_credentials_lookup (NULL, NULL);

  return stored == NULL;
}

/* Each file under @path, recursively, into @files. */
static void
list_files (const char *path,
            GPtrArray  *files)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_strdup (path));
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        list_files (child, files);
    }
}

static void
assert_in_no_file (const char *root,
                   const char *secret)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  list_files (root, files);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (files->pdata[i], &contents, &length, NULL))
        continue;
      if (memmem (contents, length, secret, strlen (secret)) != NULL)
        g_error ("A session token is in %s", (char *) files->pdata[i]);
    }
}

/* Every image of the archive is the fake's, byte for byte; returns how many. */
static guint
check_images (const char *archive)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n = 0;

  list_files (archive, files);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) expected = NULL;
      const char *id;
      char *dash;
      guint index = 0;
      gsize length;

      if (!g_str_has_suffix (base, ".png"))
        continue;
      base[strlen (base) - 4] = '\0';
      id = strchr (base, '_');
      g_assert_nonnull (id);
      id++;
      /* "<id>-<n>": image n of a multi-image job (ids end in 12 hex digits). */
      dash = strrchr (id, '-');
      if (dash != NULL && strlen (dash + 1) <= 2)
        {
          index = (guint) g_ascii_strtoull (dash + 1, NULL, 10) - 1;
          *dash = '\0';
        }
      expected = mja_fake_server_dup_image (server, id, index, "png");
      g_assert_nonnull (expected);
      g_assert_true (g_file_get_contents (files->pdata[i], &contents, &length, NULL));
      g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
      n++;
    }
  return n;
}

/* Neither of the session's tokens, the id token nor the refresh token,
 * is in a file under HOME or @archive. */
static void
assert_tokens_in_no_file (MjaCredentials *credentials,
                          const char     *archive)
{
  const char *tokens[] = { mja_credentials_get_id_token (credentials),
                           mja_credentials_get_refresh_token (credentials) };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_assert_nonnull (tokens[i]);
      assert_in_no_file (home, tokens[i]);
      assert_in_no_file (archive, tokens[i]);
    }
}

/* A Sync through the session completes into @archive against the
 * browser-only fake: every image byte-identical, no cookie to the CDN,
 * neither token in a file under HOME or the archive. */
static void
sync_and_check (const char *archive)
{
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  g_autofree char *outcome = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) kinds = NULL;
  GLogLevelFlags fatal;
  gulong finished;

  /* The test's bus has no notification service, and a sync that ends
   * while no window is in front warns that it cannot say so: no failure
   * here, criticals still are. */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  finished = g_signal_connect (session (), "sync-finished", G_CALLBACK (sync_finished_cb), &outcome);
  mja_session_set_archive_dir (session (), dir);
  mja_session_start_sync (session ());
  helper_wait_until (is_set, &outcome, 120, "the sync through the browser");
  g_signal_handler_disconnect (session (), finished);
  g_log_set_always_fatal (fatal);
  g_assert_cmpstr (outcome, ==, "");
  kinds = g_settings_get_strv (mja_application_get_settings (app), "download-kinds");
  joined = g_strjoinv (",", kinds);
  g_assert_cmpuint (mja_fake_server_get_n_images (server, joined), >, 0);
  g_assert_cmpuint (check_images (archive), ==, mja_fake_server_get_n_images (server, joined));
  g_assert_cmpuint (mja_fake_server_get_cdn_cookie_count (server), ==, 0);
  assert_tokens_in_no_file (mja_session_get_credentials (session ()), archive);
}

static void
test_sign_in (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  g_autoptr(MjaCredentials) stored = NULL;
  g_autofree char *said = NULL;
  MjaSignInDialog *dialog;
  g_autofree char *script = NULL;
  WebKitWebView *view;
  MjaWindow *window;
  gulong handler;
  Form form = { NULL };
  g_autoptr(MjaCredentials) signed_in_with = NULL;
  MjaWebTransport *transport;
  WebKitNetworkSession *network_session;
  GLogLevelFlags fatal;

  mja_session_sign_out (session ());
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  handler = g_signal_connect (session (), "signed-in", G_CALLBACK (signed_in_cb), &said);

  /* The signed-out page's Sign In…. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
  helper_wait_until (dialog_open, NULL, 10, "the sign-in dialog");
  dialog = find_dialog ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Sign In to Midjourney");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  view = mja_sign_in_dialog_get_web_view (dialog);
  /* A person can type at once. */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == GTK_WIDGET (view));
  form.view = view;
  helper_wait_until (form_shown, &form, 30, "the site's sign-in form");
  g_assert_cmpuint (mja_fake_server_get_challenge_count (server), >, 0);

  /* The person signs in on the site's own form. */
  script = g_strdup_printf ("document.querySelector('[name=email]').value = '%s';"
                            "document.querySelector('[name=password]').value = '%s';"
                            "document.querySelector('form').submit();",
                            MJA_FAKE_ACCOUNT_EMAIL, MJA_FAKE_ACCOUNT_PASSWORD);
  /* The script's answer is awaited before the dialog may go: WebKit 2.50
   * crashes finishing an evaluation whose view was destroyed meanwhile. */
  form.asking = TRUE;
  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, script_done_cb, &form);
  helper_wait_until (script_done, &form, 30, "the form's script to run");
  helper_wait_until (dialog_closed, NULL, 30, "the dialog to close by itself");
  helper_wait_until (signed_in, NULL, 10, "the session to be signed in");
  g_assert_cmpuint (mja_fake_server_get_login_count (server), ==, 1);
  g_assert_cmpstr (mja_credentials_get_user_id (mja_session_get_credentials (session ())), ==,
                   mja_fake_server_get_user_id (server));
  g_assert_nonnull (mja_credentials_get_refresh_token (mja_session_get_credentials (session ())));
  /* The window's toast says who: the token's name, not the id. */
  g_assert_cmpstr (said, ==, MJA_FAKE_ACCOUNT_NAME);

  /* The keyring keeps it (written in a thread). */
  for (guint i = 0; i < 100 && stored == NULL; i++)
    {
      helper_wait_ms (50);
      stored = mja_credentials_lookup (NULL, NULL);
    }
  g_assert_nonnull (stored);
  g_assert_cmpstr (mja_credentials_get_user_id (stored), ==, mja_fake_server_get_user_id (server));

  /* Sync: through the built-in browser, as the account signed in there;
   * the fake answers anything else with its bot check. */
  sync_and_check (archive);

  /* Signed in through the browser anew (Sign In Again): the account's
   * browser, which holds the old cookies, goes; the next sync makes one
   * with the new ones. */
  transport = mja_session_get_web_transport (session ());
  g_assert_nonnull (transport);
  g_object_add_weak_pointer (G_OBJECT (transport), (gpointer *) &transport);
  {
    g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
    g_autoptr(MjaCredentials) again = mja_credentials_parse (cookie, NULL, NULL);

    g_assert_nonnull (again);
    mja_session_sign_in_through_browser (session (), again, MJA_FAKE_ACCOUNT_NAME);
  }
  g_assert_null (mja_session_get_web_transport (session ()));
  helper_wait_until (is_gone, &transport, 10, "the browser with the old cookies to go");
  sync_and_check (archive);

  /* Sign-out ends the browser's session too: the account's transport
   * (its page, its network session and the cookies in it) goes, the
   * keyring is emptied, and neither token is left in a file. */
  g_signal_handler_disconnect (session (), handler);
  /* The sync's notification may still be failing to be sent (see
   * sync_and_check()). */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  signed_in_with = g_object_ref (mja_session_get_credentials (session ()));
  transport = mja_session_get_web_transport (session ());
  g_assert_nonnull (transport);
  network_session = mja_web_transport_get_network_session (transport);
  g_object_add_weak_pointer (G_OBJECT (transport), (gpointer *) &transport);
  g_object_add_weak_pointer (G_OBJECT (network_session), (gpointer *) &network_session);
  mja_session_sign_out (session ());
  g_assert_null (mja_session_get_web_transport (session ()));
  helper_wait_until (is_gone, &transport, 10, "the browser transport to go");
  helper_wait_until (is_gone, &network_session, 10, "the browser's network session to go");
  helper_wait_until (keyring_empty, NULL, 10, "the keyring to be emptied");
  assert_tokens_in_no_file (signed_in_with, archive);
  g_log_set_always_fatal (fatal);
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* Signed in with a pasted cookie, connection "auto": the plain
 * connection meets the bot check, and the same sync goes on through the
 * built-in browser, which the account keeps using. */
static void
test_cookie_then_bot_check (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (cookie, NULL, NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  g_autofree char *account = NULL;
  MjaWindow *window;

  g_assert_nonnull (credentials);
  mja_session_sign_out (session ());
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  mja_session_sign_in (session (), credentials);
  sync_and_check (archive);
  account = g_settings_get_string (mja_application_get_settings (app), "browser-account");
  g_assert_cmpstr (account, ==, mja_fake_server_get_user_id (server));
  mja_session_sign_out (session ());
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

static void
test_use_cookie_instead (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  MjaSignInDialog *dialog;
  MjaWindow *window;
  GtkWidget *button;

  mja_session_sign_out (session ());
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL));
  helper_wait_until (dialog_open, NULL, 10, "the sign-in dialog");
  dialog = find_dialog ();
  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), MJA_TYPE_SIGN_IN_DIALOG, "cookie_button"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Use a Cookie Instead");
  g_signal_emit_by_name (button, "clicked");
  helper_wait_until (dialog_closed, NULL, 10, "the dialog to close");
  helper_wait_until (preferences_open, NULL, 10, "Preferences, with the cookie row");
  g_assert_false (mja_session_get_signed_in (session ()));
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* The button of the toast that says @label, once it is on screen. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  MjaWindow  *window;
  const char *label;
} ToastButton;

static GtkWidget *
toast_overlay (MjaWindow *window)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), MJA_TYPE_WINDOW, "toast_overlay"));
}

static gboolean
toast_button_shown (gpointer data)
{
  ToastButton *toast = data;

  return find_button (toast_overlay (toast->window), toast->label) != NULL;
}

/* A sync through the browser whose session has ended (a token the site
 * never issued, no refresh token): the app says so without sending anyone
 * to the developer tools, and the toast's Sign In Again opens Sign In to
 * Midjourney, not the cookie row of Preferences. */
static void
test_session_ended (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  g_autofree char *payload = g_strdup_printf ("{\"midjourney_id\":\"%s\",\"name\":\"Ada\"}",
                                              mja_fake_server_get_user_id (server));
  g_autofree char *token = make_token (payload);
  g_autoptr(MjaCredentials) credentials = mja_credentials_new_current (token, NULL, NULL);
  GSettings *settings = mja_application_get_settings (app);
  g_autofree char *outcome = NULL;
  ToastButton toast = { NULL, "Sign In Again" };
  GLogLevelFlags fatal;
  MjaWindow *window;
  gulong finished;

  g_assert_nonnull (credentials);
  mja_session_sign_out (session ());
  g_settings_set_string (settings, "connection", "browser");
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  mja_session_sign_in (session (), credentials);

  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  finished = g_signal_connect (session (), "sync-finished", G_CALLBACK (sync_finished_cb), &outcome);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  helper_wait_until (is_set, &outcome, 120, "the sync to meet the ended session");
  g_signal_handler_disconnect (session (), finished);
  g_log_set_always_fatal (fatal);
  g_assert_cmpstr (outcome, ==, "Your Midjourney session has ended. Sign in again to go on syncing.");

  toast.window = window;
  helper_wait_until (toast_button_shown, &toast, 10, "the toast's Sign In Again");
  g_signal_emit_by_name (find_button (toast_overlay (window), "Sign In Again"), "clicked");
  helper_wait_until (dialog_open, NULL, 10, "Sign In to Midjourney");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (find_dialog ())) == GTK_WINDOW (window));
  g_assert_false (preferences_open (NULL));
  gtk_window_close (GTK_WINDOW (find_dialog ()));
  helper_wait_until (dialog_closed, NULL, 10, "the dialog to close");

  g_settings_reset (settings, "connection");
  mja_session_sign_out (session ());
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* Runs a sync from @window's Sync and returns how it ended: "" or the
 * error's message. */
static char *
sync_from_window (MjaWindow *window)
{
  g_autofree char *outcome = NULL;
  GLogLevelFlags fatal;
  gulong finished;

  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  finished = g_signal_connect (session (), "sync-finished", G_CALLBACK (sync_finished_cb), &outcome);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL));
  helper_wait_until (is_set, &outcome, 120, "the sync to end");
  g_signal_handler_disconnect (session (), finished);
  g_log_set_always_fatal (fatal);
  return g_steal_pointer (&outcome);
}

/* A check of the bot protection that does not pass by itself stops a
 * sync through the browser: the app says a person is wanted, and the
 * toast's Show Site opens Sign In to Midjourney on the account's own
 * page, where the check is answered; then the dialog closes by itself,
 * the page goes back to the hidden browser, and the sync runs again to
 * the end.  The person is played by the page's own script, held back at
 * first (no script markup) and let run. */
static void
test_check_needs_person (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (cookie, NULL, NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  GSettings *settings = mja_application_get_settings (app);
  ToastButton toast = { NULL, "Show Site" };
  g_autofree char *outcome = NULL;
  g_autofree char *again = NULL;
  MjaWebTransport *transport;
  WebKitSettings *web_settings;
  WebKitWebView *view;
  MjaSignInDialog *dialog;
  GLogLevelFlags fatal;
  MjaWindow *window;
  gulong finished;

  g_assert_nonnull (credentials);
  mja_session_sign_out (session ());
  g_settings_set_string (settings, "connection", "browser");
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  mja_session_sign_in (session (), credentials);
  sync_and_check (archive);
  transport = mja_session_get_web_transport (session ());
  g_assert_nonnull (transport);

  /* The check comes back (the clearance is bound to the browser's
   * User-Agent, which changes) and its script does not run. */
  g_setenv ("MJA_WEB_CHALLENGE_WAIT", "1", TRUE);
  view = mja_web_transport_get_web_view (transport);
  web_settings = webkit_web_view_get_settings (view);
  webkit_settings_set_enable_javascript_markup (web_settings, FALSE);
  webkit_settings_set_user_agent (web_settings, "Mozilla/5.0 (X11; Linux x86_64) mja-test-person-check");
  outcome = sync_from_window (window);
  g_assert_cmpstr (outcome, ==, "Midjourney's bot protection wants to check that a person is there. Show the site "
                                "and answer its check: the sync then starts again.");
  g_assert_true (mja_web_transport_get_needs_person (transport));

  toast.window = window;
  helper_wait_until (toast_button_shown, &toast, 10, "the toast's Show Site");
  g_signal_emit_by_name (find_button (toast_overlay (window), "Show Site"), "clicked");
  helper_wait_until (dialog_open, NULL, 10, "Sign In to Midjourney, showing the check");
  dialog = find_dialog ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Sign In to Midjourney");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  /* The account's own page, where the answer counts, keyboard in it. */
  g_assert_true (mja_sign_in_dialog_get_web_view (dialog) == view);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (dialog)) == GTK_WIDGET (view));

  /* The person answers: the page's script runs, sets the clearance and
   * reloads past the check; the dialog goes, the sync starts again. */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  finished = g_signal_connect (session (), "sync-finished", G_CALLBACK (sync_finished_cb), &again);
  webkit_settings_set_enable_javascript_markup (web_settings, TRUE);
  webkit_web_view_reload (view);
  helper_wait_until (dialog_closed, NULL, 30, "the dialog to close once the check is answered");
  g_assert_false (mja_web_transport_get_needs_person (transport));
  g_assert_null (gtk_widget_get_parent (GTK_WIDGET (view)));
  g_assert_true (mja_session_get_web_transport (session ()) == transport);
  helper_wait_until (is_set, &again, 120, "the sync to start again by itself and end");
  g_signal_handler_disconnect (session (), finished);
  g_log_set_always_fatal (fatal);
  g_assert_cmpstr (again, ==, "");
  g_assert_cmpuint (check_images (archive), >, 0);

  g_unsetenv ("MJA_WEB_CHALLENGE_WAIT");
  g_settings_reset (settings, "connection");
  mja_session_sign_out (session ());
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

/* Connection set to Direct, which the bot protection blocks: the app
 * does not send anyone to sign in through the browser (that would not
 * help) but to the setting, and the toast opens Preferences. */
static void
test_direct_blocked (void)
{
  g_autofree char *archive = helper_make_archive_dir ();
  g_autofree char *cookie = mja_fake_server_dup_cookie_header (server);
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (cookie, NULL, NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (archive);
  GSettings *settings = mja_application_get_settings (app);
  ToastButton toast = { NULL, "Preferences" };
  g_autofree char *outcome = NULL;
  MjaWindow *window;

  g_assert_nonnull (credentials);
  mja_session_sign_out (session ());
  g_settings_set_string (settings, "connection", "direct");
  window = mja_window_new (app);
  mja_window_set_archive_dir (window, dir);
  gtk_window_present (GTK_WINDOW (window));
  mja_session_sign_in (session (), credentials);
  outcome = sync_from_window (window);
  g_assert_cmpstr (outcome, ==, "Midjourney's bot protection blocked the direct connection. Choose Automatic or "
                                "Built-in Browser as the Connection in Preferences.");
  g_assert_null (mja_session_get_web_transport (session ()));

  toast.window = window;
  helper_wait_until (toast_button_shown, &toast, 10, "the toast's Preferences");
  g_signal_emit_by_name (find_button (toast_overlay (window), "Preferences"), "clicked");
  helper_wait_until (preferences_open, NULL, 10, "Preferences");
  g_assert_false (dialog_open (NULL));

  g_settings_reset (settings, "connection");
  mja_session_sign_out (session ());
  gtk_window_destroy (GTK_WINDOW (window));
  helper_remove_tree (archive);
}

static void
test_account_name (void)
{
  g_autofree char *both = make_token ("{\"midjourney_id\":\"" USER_ID "\",\"name\":\"Ada\",\"email\":\"a@example.com\"}");
  g_autofree char *email = make_token ("{\"midjourney_id\":\"" USER_ID "\",\"email\":\"a@example.com\"}");
  g_autofree char *id = make_token ("{\"midjourney_id\":\"" USER_ID "\",\"name\":\"\"}");
  g_autofree char *a = mja_sign_in_dialog_dup_account_name (both);
  g_autofree char *b = mja_sign_in_dialog_dup_account_name (email);
  g_autofree char *c = mja_sign_in_dialog_dup_account_name (id);
  g_autofree char *d = mja_sign_in_dialog_dup_account_name ("not-a-token");
  g_autoptr(GString) deep = g_string_new ("{\"midjourney_id\":\"" USER_ID "\",\"name\":\"Ada\",\"x\":");
  g_autoptr(GString) very_deep = NULL;
  g_autofree char *deep_token = NULL;
  g_autofree char *very_deep_token = NULL;
  g_autofree char *e = NULL;
  g_autofree char *f = NULL;

  g_assert_cmpstr (a, ==, "Ada");
  g_assert_cmpstr (b, ==, "a@example.com");
  g_assert_cmpstr (c, ==, USER_ID);
  g_assert_null (d);

  /* Nested deeper than any token (the bounded reader's 64 levels), or
   * 30,000 levels in 60 KB: refused whole, so the session names the
   * account by its user id; json-glib alone recursed once a level. */
  very_deep = g_string_new (deep->str);
  for (guint i = 0; i < 65; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 65; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  for (guint i = 0; i < 30000; i++)
    g_string_append_c (very_deep, '[');
  for (guint i = 0; i < 30000; i++)
    g_string_append_c (very_deep, ']');
  g_string_append_c (very_deep, '}');
  deep_token = make_token (deep->str);
  very_deep_token = make_token (very_deep->str);
  e = mja_sign_in_dialog_dup_account_name (deep_token);
  f = mja_sign_in_dialog_dup_account_name (very_deep_token);
  g_assert_null (e);
  g_assert_null (f);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *certificate = NULL;
  MjaFakeServerOptions options;
  int status;

  home = g_dir_make_tmp ("mja-test-sign-in-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  helper_use_file_keyring (home);
  g_unsetenv ("MIDJOURNEY_COOKIE");
  g_unsetenv ("MIDJOURNEY_SESSION_TOKEN");

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }

  /* The site as a browser sees it: HTTPS, its bot check, its form. */
  certificate = g_build_filename (home, "fake-certificate.pem", NULL);
  g_assert_true (g_file_set_contents (certificate, mja_fake_server_get_certificate_pem (), -1, NULL));
  g_setenv ("MJA_TLS_CERTIFICATE", certificate, TRUE);
  mja_fake_server_options_init (&options);
  options.n_jobs = 10;
  options.browser_only = TRUE;
  server = helper_start_server (&options);
  g_setenv ("MJA_API_BASE_URL", mja_fake_server_get_api_url (server), TRUE);
  g_setenv ("MJA_CDN_BASE_URL", mja_fake_server_get_cdn_url (server), TRUE);
  g_setenv ("MJA_AUTH_BASE_URL", mja_fake_server_get_auth_url (server), TRUE);

  app = mja_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/sign-in/account-name", test_account_name);
  g_test_add_func ("/sign-in/through-the-browser", test_sign_in);
  g_test_add_func ("/sign-in/cookie-then-bot-check", test_cookie_then_bot_check);
  g_test_add_func ("/sign-in/use-a-cookie-instead", test_use_cookie_instead);
  g_test_add_func ("/sign-in/session-ended", test_session_ended);
  g_test_add_func ("/sign-in/check-needs-person", test_check_needs_person);
  g_test_add_func ("/sign-in/direct-blocked", test_direct_blocked);
  status = g_test_run ();

  g_clear_object (&app);
  mja_fake_server_stop (server);
  g_clear_object (&server);
  helper_remove_tree (home);
  return status;
}
