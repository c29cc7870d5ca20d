/* mja-session.c — who is signed in, kept where
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the sign-in state: the account's credentials, whether they live in
 * the keyring or in memory for this run only, checking a pasted cookie
 * against Midjourney before it is kept, and keeping a token a sync has
 * refreshed.  Owns the account's browser transport (one per signed-in
 * account, dropped at sign-out) and which connection a sync takes.  Owns
 * the current sync too, and when syncs run: at start-up
 * (once per run, when the setting asks, as soon as the archive is on
 * screen and someone is signed in), every few hours, or when asked.
 * Windows, the progress sidebar and Preferences observe its properties
 * and signals; they never reach the keyring, build an MjaApi for the
 * account or create an MjaSync themselves.
 *
 * It never touches a widget, never talks to the keyring on the main
 * thread (the Secret Service answers over D-Bus), and never writes the
 * cookie anywhere but the keyring.
 */
#define G_LOG_DOMAIN "mja-session"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-application.h"
#include "mja-archive-lock.h"
#include "mja-archive.h"
#include "mja-config.h"
#include "mja-session.h"
#include "mja-web-transport.h"

struct _MjaSession
{
  GObject         parent_instance;

  MjaApplication *application;   /* weak: the application owns the session */
  MjaCredentials *credentials;
  gboolean        use_keyring;   /* FALSE in demo mode: nothing is stored */
  gboolean        in_memory;     /* no keyring: the session lives for this run only */
  char           *run_browser_account; /* "browser-account" of a demo, never stored */

  GSettings      *settings;
  MjaWebTransport *web_transport; /* the account's, once a sync needed it */
  char           *web_user_id;   /* whose cookies web_transport holds */
  gboolean        preparing;     /* the browser transport is being made for a sync */
  gboolean        through_browser; /* the current sync's connection */
  gboolean        waiting_for_person; /* a sync met a challenge only a person answers */
  GFile          *archive_dir;   /* where syncs write: the archive on screen */
  MjaSync        *current_sync;
  GCancellable   *sync_cancellable;
  guint           periodic_source;
  guint           busy_source;   /* another process holds the archive: try again */
  gboolean        startup_asked; /* the archive is on screen */
  gboolean        startup_done;  /* the start-up sync is decided, once per run */
};

G_DEFINE_FINAL_TYPE (MjaSession, mja_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APPLICATION,
  PROP_USE_KEYRING,
  PROP_CREDENTIALS,
  PROP_SIGNED_IN,
  PROP_IN_MEMORY,
  PROP_ARCHIVE_DIR,
  PROP_CURRENT_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_KEYRING_FAILED,
  SIGNAL_SYNC_FINISHED,
  SIGNAL_SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The keyring is written in a thread: the application stays up until it
 * is done, even when its last window closes meanwhile. */
static void
hold (MjaSession *self)
{
  if (self->application != NULL)
    g_application_hold (G_APPLICATION (self->application));
}

static void
release (MjaSession *self)
{
  if (self->application != NULL)
    g_application_release (G_APPLICATION (self->application));
}

static void
set_in_memory (MjaSession *self,
               gboolean    in_memory)
{
  in_memory = !!in_memory;
  if (self->in_memory == in_memory)
    return;
  self->in_memory = in_memory;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_MEMORY]);
}

static void maybe_sync_at_startup (MjaSession *self);
static gboolean wants_browser (MjaSession *self);

/* The browser's session ends with its transport: nothing of it is left. */
static void
drop_web_transport (MjaSession *self)
{
  if (self->web_transport != NULL)
    g_signal_handlers_disconnect_by_data (self->web_transport, self);
  self->waiting_for_person = FALSE;
  g_clear_object (&self->web_transport);
  g_clear_pointer (&self->web_user_id, g_free);
}

static void
set_credentials (MjaSession     *self,
                 MjaCredentials *credentials,
                 gboolean        in_memory)
{
  gboolean was_signed_in = self->credentials != NULL;

  g_assert (MJA_IS_SESSION (self));
  g_assert (credentials == NULL || MJA_IS_CREDENTIALS (credentials));

  set_in_memory (self, in_memory);
  if (!g_set_object (&self->credentials, credentials))
    return;
  if (credentials == NULL || g_strcmp0 (self->web_user_id, mja_credentials_get_user_id (credentials)) != 0)
    drop_web_transport (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREDENTIALS]);
  if (was_signed_in != (credentials != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
  maybe_sync_at_startup (self);
}

/* ---- the keyring ------------------------------------------------------ */

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  MjaCredentials *credentials = mja_credentials_from_environment (NULL);

  if (credentials == NULL)
    credentials = mja_credentials_lookup (cancellable, NULL);
  if (credentials != NULL)
    g_task_return_pointer (task, credentials, g_object_unref);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MjaSession *self = MJA_SESSION (source);
  g_autoptr(MjaCredentials) credentials = g_task_propagate_pointer (G_TASK (result), NULL);

  /* A sign-in made meanwhile wins. */
  if (credentials != NULL && self->credentials == NULL)
    set_credentials (self, credentials, FALSE);
  release (self);
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (task_data == NULL ? mja_credentials_clear (cancellable, &error)
                        : mja_credentials_store (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
store_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MjaSession *self = MJA_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Said plainly, and the session still works for this run. */
      set_in_memory (self, TRUE);
      g_signal_emit (self, signals[SIGNAL_KEYRING_FAILED], 0, error->message);
    }
  release (self);
}

/* @credentials: what to keep, or NULL to empty the keyring. */
static void
store (MjaSession     *self,
       MjaCredentials *credentials)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, store_done_cb, NULL);

  g_assert (self->use_keyring);

  hold (self);
  if (credentials != NULL)
    g_task_set_task_data (task, g_object_ref (credentials), g_object_unref);
  g_task_run_in_thread (task, store_thread);
}

static void
restore (MjaSession *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, lookup_done_cb, NULL);

  g_assert (self->use_keyring);

  hold (self);
  g_task_run_in_thread (task, lookup_thread);
}

/* ---- signing in and out ------------------------------------------------- */

/**
 * mja_session_sign_in:
 * @credentials: credentials already checked, or trusted (the demo's)
 *
 * Signs in at once and keeps @credentials in the keyring, unless the
 * session was made without one; if the keyring refuses, the session stays
 * for this run and #MjaSession::keyring-failed says why.
 */
void
mja_session_sign_in (MjaSession     *self,
                     MjaCredentials *credentials)
{
  g_return_if_fail (MJA_IS_SESSION (self));
  g_return_if_fail (MJA_IS_CREDENTIALS (credentials));

  set_credentials (self, credentials, !self->use_keyring);
  if (self->use_keyring)
    store (self, credentials);
}

/**
 * mja_session_sign_in_through_browser:
 * @credentials: the session cookies the site set in the built-in browser
 * @account_name: (nullable): what the token calls the account
 *
 * As mja_session_sign_in(), then #MjaSession::signed-in says who it is
 * (@account_name, else the user id); the next sync through the browser
 * carries these cookies, not the ones it had.
 */

/* Whose syncs "auto" sends through the browser.  A demo's account (no
 * keyring) is remembered for this run only, never in the person's
 * settings, where it would stand for their real account. */
static void
set_browser_account (MjaSession *self,
                     const char *user_id)
{
  if (!self->use_keyring)
    {
      g_free (self->run_browser_account);
      self->run_browser_account = g_strdup (user_id);
    }
  else if (user_id != NULL)
    g_settings_set_string (self->settings, "browser-account", user_id);
  else
    g_settings_reset (self->settings, "browser-account");
}

static char *
dup_browser_account (MjaSession *self)
{
  if (!self->use_keyring)
    return g_strdup (self->run_browser_account ? self->run_browser_account : "");
  return g_settings_get_string (self->settings, "browser-account");
}

void
mja_session_sign_in_through_browser (MjaSession     *self,
                                     MjaCredentials *credentials,
                                     const char     *account_name)
{
  g_return_if_fail (MJA_IS_SESSION (self));
  g_return_if_fail (MJA_IS_CREDENTIALS (credentials));

  /* Signed in anew (after the session ended, say): the account's browser
   * holds the old cookies, so the next sync makes one with these.  One
   * being made for a sync that is as good as running is left to it. */
  if (!self->preparing)
    drop_web_transport (self);
  mja_session_sign_in (self, credentials);
  set_browser_account (self, mja_credentials_get_user_id (credentials));
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0,
                 account_name != NULL ? account_name : mja_credentials_get_user_id (credentials));
}

/* Sign-out forgets the keyring's session; the browser's sessions are
 * ephemeral (the sign-in dialog's ends with it), so nothing of the
 * account is left on disk or in memory. */
void
mja_session_sign_out (MjaSession *self)
{
  g_return_if_fail (MJA_IS_SESSION (self));

  set_credentials (self, NULL, FALSE);
  set_browser_account (self, NULL);
  if (self->use_keyring)
    store (self, NULL);
}


/* ---- checking credentials with Midjourney -------------------------------- */

typedef struct
{
  MjaApi     *api;
  MjaListing *listing;
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->listing);
  g_clear_object (&check->api);
  g_free (check);
}

static void
check_listed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaPage) page = mja_listing_next_finish (MJA_LISTING (source), result, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_object_ref (mja_api_get_credentials (check->api)), g_object_unref);
}

/**
 * mja_session_check_credentials_async:
 * @credentials: what a person pasted
 * @protocol: the API era to ask in
 *
 * Asks Midjourney for one page of jobs with @credentials, which signs
 * nobody in: the caller signs in with what
 * mja_session_check_credentials_finish() returns.
 */
void
mja_session_check_credentials_async (MjaSession          *self,
                                     MjaCredentials      *credentials,
                                     MjaProtocol          protocol,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *api_url = NULL;
  g_autofree char *auth_url = NULL;
  Check *check;

  g_return_if_fail (MJA_IS_SESSION (self));
  g_return_if_fail (MJA_IS_CREDENTIALS (credentials));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (self->application != NULL);

  api_url = mja_application_dup_base_url (self->application, "api");
  auth_url = mja_application_dup_base_url (self->application, "auth");
  check = g_new0 (Check, 1);
  check->api = mja_api_new (api_url, auth_url);
  mja_api_set_credentials (check->api, credentials);
  mja_api_set_protocol (check->api, protocol);
  mja_api_set_retry_policy (check->api, 2, 1000);
  check->listing = mja_api_list (check->api, 1, NULL, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mja_session_check_credentials_async);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);
  mja_listing_next_async (check->listing, cancellable, check_listed_cb, g_steal_pointer (&task));
}

/**
 * mja_session_check_credentials_finish:
 *
 * Returns: (transfer full): the credentials checked, with the token
 *   Midjourney refreshed when the pasted one had expired; or %NULL and
 *   @error, written for the person who pasted them
 */
MjaCredentials *
mja_session_check_credentials_finish (MjaSession    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mja_session_check_credentials_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the current sync ----------------------------------------------- */

/* The API refreshed the token during the sync: keep it for the next start.
 * A session that lives in memory only stays as it is; the next sync
 * refreshes again. */
static void
sync_credentials_changed_cb (MjaSync    *sync,
                             MjaSession *self)
{
  g_assert (sync == self->current_sync);

  if (!self->in_memory)
    mja_session_sign_in (self, mja_sync_get_credentials (sync));
}

/* How often the app looks whether a busy archive is free again. */
#define BUSY_RETRY_S 2

/* The archive was busy: once its lock is free (a look costs an open and a
 * flock), the sync runs.  Until then nothing is said again. */
static gboolean
busy_retry_cb (gpointer data)
{
  MjaSession *self = data;
  g_autofree char *root = NULL;
  g_autoptr(MjaArchive) archive = NULL;
  g_autoptr(MjaArchiveLock) lock = NULL;

  if (self->current_sync != NULL || self->credentials == NULL || self->archive_dir == NULL ||
      self->application == NULL)
    {
      self->busy_source = 0;
      return G_SOURCE_REMOVE;
    }
  root = g_file_get_path (self->archive_dir);
  archive = mja_archive_new (root);
  lock = mja_archive_lock_acquire (archive, NULL);
  if (lock == NULL)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&lock, mja_archive_lock_release);
  self->busy_source = 0;
  mja_session_start_sync (self);
  return G_SOURCE_REMOVE;
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MjaSession) self = user_data;
  g_autoptr(MjaSync) sync = g_object_ref (MJA_SYNC (source));
  g_autoptr(GError) error = NULL;

  g_assert (sync == self->current_sync);

  mja_sync_run_finish (sync, result, &error);
  g_signal_handlers_disconnect_by_data (sync, self);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->current_sync);
  if (g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_BLOCKED) && !self->through_browser &&
      self->credentials != NULL)
    {
      /* Remembered for this account; under "auto" the sync starts over
       * through the built-in browser at once, and says nothing of it. */
      set_browser_account (self, mja_credentials_get_user_id (self->credentials));
      if (wants_browser (self))
        {
          g_debug ("A plain connection met the bot protection: syncing through the built-in browser");
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SYNC]);
          mja_session_start_sync (self);
          return;
        }
    }
  if (g_error_matches (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY))
    {
      /* A CLI sync or reindex on the same archive: said, and waited for. */
      g_autofree char *message = g_strdup_printf (_("%s This sync starts by itself once that one ends."),
                                                  error->message);

      g_free (error->message);
      error->message = g_steal_pointer (&message);
      g_clear_handle_id (&self->busy_source, g_source_remove);
      self->busy_source = g_timeout_add_seconds (BUSY_RETRY_S, busy_retry_cb, self);
    }
  if (g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_BLOCKED) && !self->through_browser &&
      mja_session_get_connection (self) == MJA_CONNECTION_DIRECT)
    {
      /* Signing in through the browser would not help: the setting says
       * direct (the window's toast opens Preferences). */
      g_free (error->message);
      error->message = g_strdup (_("Midjourney's bot protection blocked the direct connection. Choose Automatic "
                                   "or Built-in Browser as the Connection in Preferences."));
    }
  if (g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_BLOCKED) && self->through_browser &&
      self->web_transport != NULL && mja_web_transport_get_needs_person (self->web_transport))
    {
      /* The window offers to show the site, where the check is answered;
       * the sync starts again once it is (needs_person_cb). */
      self->waiting_for_person = TRUE;
      g_free (error->message);
      error->message = g_strdup (_("Midjourney's bot protection wants to check that a person is there. Show the "
                                   "site and answer its check: the sync then starts again."));
    }
  if (g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_AUTH_EXPIRED) &&
      mja_credentials_get_kind (mja_sync_get_credentials (sync)) == MJA_CREDENTIALS_CURRENT)
    {
      /* The app signs in through its built-in browser (the window's toast
       * opens it): no cookie to dig out, no command to run. */
      g_free (error->message);
      error->message = g_strdup (_("Your Midjourney session has ended. Sign in again to go on syncing."));
    }
  /* Observers let go of the sync first (the sidebar shows its last
   * counters), then hear how it ended. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SYNC]);
  g_signal_emit (self, signals[SIGNAL_SYNC_FINISHED], 0, sync, error);
}

/* Which connection the next sync takes: the setting, and under "auto"
 * the browser for the account signed in through it or whose plain
 * connection met the bot protection. */
static gboolean
wants_browser (MjaSession *self)
{
  g_autofree char *account = NULL;
  MjaConnection connection = mja_session_get_connection (self);

  if (connection != MJA_CONNECTION_AUTO)
    return connection == MJA_CONNECTION_BROWSER;
  account = dup_browser_account (self);
  return self->credentials != NULL && account[0] != '\0' &&
         g_strcmp0 (account, mja_credentials_get_user_id (self->credentials)) == 0;
}

/* @transport: (nullable): the browser's, or %NULL for a direct sync */
static void
run_sync (MjaSession   *self,
          MjaTransport *transport)
{
  g_autofree char *root = NULL;
  g_auto(MjaSyncOptions) options = { 0 };
  GSettings *settings;

  settings = self->settings;
  root = g_file_get_path (self->archive_dir);
  mja_sync_options_init (&options);
  options.api_base_url = mja_application_dup_base_url (self->application, "api");
  options.cdn_base_url = mja_application_dup_base_url (self->application, "cdn");
  options.auth_base_url = mja_application_dup_base_url (self->application, "auth");
  options.protocol = (MjaProtocol) g_settings_get_enum (settings, "protocol");
  options.download_kinds = g_settings_get_strv (settings, "download-kinds");
  g_free (options.image_format);
  options.image_format = g_settings_get_string (settings, "image-format");
  options.json_indent = g_settings_get_uint (settings, "json-indent");
  options.overwrite_metadata = g_settings_get_boolean (settings, "overwrite-metadata");
  options.concurrency = g_settings_get_uint (settings, "concurrency");
  options.request_interval_ms = g_settings_get_uint (settings, "request-interval");
  options.embed_metadata = g_settings_get_boolean (settings, "embed-metadata");
  /* Damaged files heal on the next sync; the check reads only heads and tails. */
  options.repair = TRUE;
  options.transport = transport != NULL ? g_object_ref (transport) : NULL;
  self->through_browser = transport != NULL;

  self->current_sync = mja_sync_new (root, self->credentials, &options);
  self->sync_cancellable = g_cancellable_new ();
  g_signal_connect (self->current_sync, "credentials-changed", G_CALLBACK (sync_credentials_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_SYNC]);
  mja_sync_run_async (self->current_sync, self->sync_cancellable, sync_done_cb, g_object_ref (self));
}

/* A person answered the site's check in the shown browser (or it
 * passed by itself): the sync it stopped starts again. */
static void
needs_person_cb (MjaSession *self)
{
  if (mja_web_transport_get_needs_person (self->web_transport) || !self->waiting_for_person)
    return;
  self->waiting_for_person = FALSE;
  if (self->current_sync == NULL && self->credentials != NULL && self->archive_dir != NULL &&
      self->application != NULL)
    mja_session_start_sync (self);
}

static void
cookies_added_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MjaSession) self = user_data;
  g_autoptr(WebKitNetworkSession) network_session = WEBKIT_NETWORK_SESSION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = NULL;
  gboolean added;

  added = mja_web_network_session_add_cookies_finish (network_session, result, &error);
  self->preparing = FALSE;
  /* Signed out meanwhile, or someone else signed in: no sync for them. */
  if (self->credentials == NULL || self->archive_dir == NULL || self->application == NULL ||
      g_strcmp0 (self->web_user_id, mja_credentials_get_user_id (self->credentials)) != 0)
    return;
  if (!added)
    {
      g_warning ("The built-in browser did not take the session: %s", error->message);
      drop_web_transport (self);
      run_sync (self, NULL);
      return;
    }
  api_url = mja_application_dup_base_url (self->application, "api");
  self->web_transport = mja_web_transport_new (network_session, api_url);
  g_signal_connect_swapped (self->web_transport, "notify::needs-person", G_CALLBACK (needs_person_cb), self);
  run_sync (self, MJA_TRANSPORT (self->web_transport));
}

/**
 * mja_session_start_sync:
 *
 * Syncs the account into #MjaSession:archive-dir with the options of the
 * settings, through the account's built-in browser when the connection
 * says so (made once per signed-in account); #MjaSession:current-sync is
 * the sync until it ends, then #MjaSession::sync-finished says how it
 * ended.
 */
void
mja_session_start_sync (MjaSession *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = NULL;
  g_autofree char *cdn_url = NULL;
  g_autofree char *cookie = NULL;
  WebKitNetworkSession *network_session;

  g_return_if_fail (MJA_IS_SESSION (self));
  g_return_if_fail (self->credentials != NULL);
  g_return_if_fail (self->archive_dir != NULL);
  g_return_if_fail (self->current_sync == NULL);
  g_return_if_fail (self->application != NULL);

  g_clear_handle_id (&self->busy_source, g_source_remove);
  /* The browser is being made ready for a sync that is as good as running. */
  if (self->preparing)
    return;
  if (!wants_browser (self))
    {
      run_sync (self, NULL);
      return;
    }
  if (self->web_transport != NULL)
    {
      run_sync (self, MJA_TRANSPORT (self->web_transport));
      return;
    }

  api_url = mja_application_dup_base_url (self->application, "api");
  cdn_url = mja_application_dup_base_url (self->application, "cdn");
  network_session = mja_web_network_session_new (api_url, cdn_url, &error);
  if (network_session == NULL)
    {
      g_warning ("No built-in browser for the sync, syncing directly: %s", error->message);
      run_sync (self, NULL);
      return;
    }
  self->preparing = TRUE;
  self->web_user_id = g_strdup (mja_credentials_get_user_id (self->credentials));
  cookie = mja_credentials_dup_cookie_header (self->credentials);
  mja_web_network_session_add_cookies_async (network_session, api_url, cookie, NULL,
                                             cookies_added_cb, g_object_ref (self));
}

/**
 * mja_session_stop_sync:
 *
 * Stops the current sync, if there is one, within a second; the next one
 * resumes where it stopped.
 */
void
mja_session_stop_sync (MjaSession *self)
{
  g_return_if_fail (MJA_IS_SESSION (self));

  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
}

MjaSync *
mja_session_get_current_sync (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), NULL);
  return self->current_sync;
}

/* ---- when syncs run ---------------------------------------------------- */

/* Once both the archive is on screen and the session is known (the keyring
 * answers in its own time). */
static void
maybe_sync_at_startup (MjaSession *self)
{
  if (self->startup_done || !self->startup_asked || self->credentials == NULL || self->archive_dir == NULL)
    return;
  self->startup_done = TRUE;
  if (g_settings_get_boolean (self->settings, "sync-at-startup") && self->current_sync == NULL)
    mja_session_start_sync (self);
}

/**
 * mja_session_sync_at_startup:
 *
 * Says that the archive is on screen: the start-up sync, when the settings
 * ask for one, may run now, or as soon as someone is signed in.
 */
void
mja_session_sync_at_startup (MjaSession *self)
{
  g_return_if_fail (MJA_IS_SESSION (self));

  self->startup_asked = TRUE;
  maybe_sync_at_startup (self);
}

static gboolean
periodic_sync_cb (gpointer data)
{
  MjaSession *self = data;

  if (self->current_sync == NULL && self->credentials != NULL && self->archive_dir != NULL)
    mja_session_start_sync (self);
  return G_SOURCE_CONTINUE;
}

static void
schedule_periodic_sync (MjaSession *self)
{
  guint hours = g_settings_get_uint (self->settings, "sync-every-hours");

  g_clear_handle_id (&self->periodic_source, g_source_remove);
  if (hours > 0)
    self->periodic_source = g_timeout_add_seconds (hours * 3600, periodic_sync_cb, self);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     MjaSession *self)
{
  if (g_str_equal (key, "sync-every-hours"))
    schedule_periodic_sync (self);
}

GFile *
mja_session_get_archive_dir (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), NULL);
  return self->archive_dir;
}

/**
 * mja_session_set_archive_dir:
 * @archive_dir: the archive on screen
 *
 * Where the next sync writes; a sync that runs goes on where it started.
 */
void
mja_session_set_archive_dir (MjaSession *self,
                             GFile      *archive_dir)
{
  g_return_if_fail (MJA_IS_SESSION (self));
  g_return_if_fail (archive_dir == NULL || G_IS_FILE (archive_dir));

  if (g_set_object (&self->archive_dir, archive_dir))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARCHIVE_DIR]);
}

/* ---- the object ------------------------------------------------------- */

/**
 * mja_session_get_connection:
 *
 * Returns: the connection syncs take, as the settings (or MJA_CONNECTION)
 *   say; auto when they name none
 */
MjaConnection
mja_session_get_connection (MjaSession *self)
{
  g_autoptr(MjaConfig) config = NULL;
  g_autofree char *name = NULL;
  MjaConnection connection = MJA_CONNECTION_AUTO;

  g_return_val_if_fail (MJA_IS_SESSION (self), MJA_CONNECTION_AUTO);

  config = mja_config_new_for_settings (self->settings);
  name = mja_config_dup_string (config, MJA_CONFIG_KEY_CONNECTION);
  if (!mja_config_connection_from_string (name, &connection))
    connection = MJA_CONNECTION_AUTO;
  return connection;
}

/**
 * mja_session_get_web_transport:
 *
 * Returns: (transfer none) (nullable): the account's built-in browser,
 *   once a sync needed it; %NULL before, and after sign-out
 */
MjaWebTransport *
mja_session_get_web_transport (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), NULL);
  return self->web_transport;
}

gboolean
mja_session_get_signed_in (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), FALSE);
  return self->credentials != NULL;
}

MjaCredentials *
mja_session_get_credentials (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), NULL);
  return self->credentials;
}

gboolean
mja_session_get_in_memory (MjaSession *self)
{
  g_return_val_if_fail (MJA_IS_SESSION (self), FALSE);
  return self->in_memory;
}

static void
mja_session_constructed (GObject *object)
{
  MjaSession *self = MJA_SESSION (object);

  G_OBJECT_CLASS (mja_session_parent_class)->constructed (object);

  g_assert (MJA_IS_APPLICATION (self->application));

  self->settings = g_object_ref (mja_application_get_settings (self->application));
  g_signal_connect_object (self->settings, "changed::sync-every-hours", G_CALLBACK (settings_changed_cb), self, 0);
  schedule_periodic_sync (self);
  /* Whoever signed in last time, from the environment or the keyring. */
  if (self->use_keyring)
    restore (self);
}

static void
mja_session_dispose (GObject *object)
{
  MjaSession *self = MJA_SESSION (object);

  g_assert (self->current_sync == NULL);  /* the sync's task holds the session */

  g_clear_handle_id (&self->periodic_source, g_source_remove);
  g_clear_handle_id (&self->busy_source, g_source_remove);

  G_OBJECT_CLASS (mja_session_parent_class)->dispose (object);
}

static void
mja_session_finalize (GObject *object)
{
  MjaSession *self = MJA_SESSION (object);

  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->credentials);
  drop_web_transport (self);
  g_clear_object (&self->settings);
  g_clear_object (&self->archive_dir);
  g_free (self->run_browser_account);

  G_OBJECT_CLASS (mja_session_parent_class)->finalize (object);
}

static void
mja_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MjaSession *self = MJA_SESSION (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;
    case PROP_USE_KEYRING:
      g_value_set_boolean (value, self->use_keyring);
      break;
    case PROP_CREDENTIALS:
      g_value_set_object (value, self->credentials);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->credentials != NULL);
      break;
    case PROP_IN_MEMORY:
      g_value_set_boolean (value, self->in_memory);
      break;
    case PROP_ARCHIVE_DIR:
      g_value_set_object (value, self->archive_dir);
      break;
    case PROP_CURRENT_SYNC:
      g_value_set_object (value, self->current_sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MjaSession *self = MJA_SESSION (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_set_weak_pointer (&self->application, g_value_get_object (value));
      break;
    case PROP_USE_KEYRING:
      self->use_keyring = g_value_get_boolean (value);
      break;
    case PROP_ARCHIVE_DIR:
      mja_session_set_archive_dir (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_session_class_init (MjaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = mja_session_constructed;
  object_class->dispose = mja_session_dispose;
  object_class->finalize = mja_session_finalize;
  object_class->get_property = mja_session_get_property;
  object_class->set_property = mja_session_set_property;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, MJA_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USE_KEYRING] =
    g_param_spec_boolean ("use-keyring", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CREDENTIALS] =
    g_param_spec_object ("credentials", NULL, NULL, MJA_TYPE_CREDENTIALS,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IN_MEMORY] =
    g_param_spec_boolean ("in-memory", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ARCHIVE_DIR] =
    g_param_spec_object ("archive-dir", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * MjaSession:current-sync:
   *
   * The sync that runs, or %NULL; what the progress sidebar shows.
   */
  properties[PROP_CURRENT_SYNC] =
    g_param_spec_object ("current-sync", NULL, NULL, MJA_TYPE_SYNC,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MjaSession::keyring-failed:
   * @message: why, written for the user
   *
   * The keyring refused to keep or forget the session; it stays signed in
   * for this run only.
   */
  signals[SIGNAL_KEYRING_FAILED] = g_signal_new ("keyring-failed", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * MjaSession::sync-finished:
   * @sync: the sync that ended, no longer #MjaSession:current-sync
   * @error: (nullable): why it stopped, %NULL when it ran to the end
   */
  signals[SIGNAL_SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 2, MJA_TYPE_SYNC,
                                                G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * MjaSession::signed-in:
   * @name: what to call the account
   *
   * Someone signed in through the built-in browser just now.
   */
  signals[SIGNAL_SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mja_session_init (MjaSession *self)
{
  self->use_keyring = TRUE;
}

/**
 * mja_session_new:
 * @application: the application, to stay up while the keyring is written
 *   and to name the servers to check credentials with
 * @use_keyring: %FALSE to keep whatever is signed in for this run only
 *
 * With a keyring, the session restores whoever signed in last time (the
 * environment first), in a thread.
 */
MjaSession *
mja_session_new (MjaApplication *application,
                 gboolean        use_keyring)
{
  g_return_val_if_fail (MJA_IS_APPLICATION (application), NULL);

  return g_object_new (MJA_TYPE_SESSION,
                       "application", application,
                       "use-keyring", use_keyring,
                       NULL);
}
