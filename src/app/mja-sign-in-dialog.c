/* mja-sign-in-dialog.c — signing in to Midjourney in the built-in browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the site in a WebKitWebView of an ephemeral network session (no
 * cookie jar on disk), with the keyboard in the page, and lets the person
 * sign in the way the site offers; a challenge of the site's bot
 * protection is answered here too.  It watches the session's cookies: when
 * Midjourney's session cookie appears it hands the two cookies to
 * MjaSession (which keeps them in the keyring and says "Signed in as
 * NAME") and closes.  It never stores anything itself and never shows a
 * page outside the site's sign-in flow on its own.
 *
 * For a check of the bot protection that wants a person during a sync, it
 * shows the account's own hidden browser instead (the transport's page,
 * where the answer counts), lent for as long as it is open, and closes by
 * itself once the transport no longer needs a person.
 */
#define G_LOG_DOMAIN "mja-sign-in"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mja-application.h"
#include "mja-credentials.h"
#include "mja-json.h"
#include "mja-session.h"
#include "mja-sign-in-dialog.h"
#include "mja-util.h"
#include "mja-web-transport.h"

/* The page that offers the ways to sign in. */
#define SIGN_IN_PATH "/login"

#define ID_COOKIE      "__Host-Midjourney.AuthUserTokenV3_i"
#define REFRESH_COOKIE "__Host-Midjourney.AuthUserTokenV3_r"

struct _MjaSignInDialog
{
  AdwWindow             parent_instance;

  MjaApplication       *application;
  WebKitNetworkSession *network_session;
  WebKitWebView        *view;
  char                 *api_url;
  gboolean              signed_in;
  GCancellable         *cancellable;
  MjaWebTransport      *transport;    /* for a check: whose page is shown, lent */

  GtkBox               *box;
  AdwWindowTitle       *window_title;
  GtkButton            *cookie_button;
  GtkProgressBar       *progress_bar;
};

G_DEFINE_FINAL_TYPE (MjaSignInDialog, mja_sign_in_dialog, ADW_TYPE_WINDOW)

/**
 * mja_sign_in_dialog_dup_account_name:
 * @id_token: the session cookie's JWT
 *
 * Returns: (nullable): what to call the account: the token's name, else
 *   its e-mail, else the user id; %NULL when it carries none of them.
 */
char *
mja_sign_in_dialog_dup_account_name (const char *id_token)
{
  static const char *const members[] = { "name", "email", "midjourney_id", "user_id", "sub" };
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree guint8 *payload = NULL;
  JsonObject *object;
  gsize length = 0;

  g_return_val_if_fail (id_token != NULL, NULL);

  parts = g_strsplit (id_token, ".", 4);
  if (g_strv_length (parts) != 3)
    return NULL;
  payload = mja_base64url_decode (parts[1], &length);
  /* Through the bounded reader, as the credentials read it: json-glib
   * alone recursed once per level of a deeply nested payload. */
  if (payload == NULL || length > 64 * 1024 ||
      (root = mja_json_parse ((const char *) payload, length, MJA_JSON_MAX_JOB_VALUES, "", NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);
      const char *value = node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                            ? json_node_get_string (node) : NULL;

      if (value != NULL && *value != '\0' && g_utf8_validate (value, -1, NULL))
        return g_utf8_substring (value, 0, MIN (g_utf8_strlen (value, -1), 80));
    }
  return NULL;
}

/* ---- noticing the session cookie ------------------------------------------- */

static gboolean
close_idle_cb (gpointer data)
{
  MjaSignInDialog *self = data;

  webkit_web_view_stop_loading (self->view);
  gtk_window_close (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

/* One look at the cookies.  It keeps the network session alive until
 * WebKit has answered: a session finalized under a pending answer crashed
 * WebKit when the dialog closed quickly. */
typedef struct
{
  MjaSignInDialog      *self;
  WebKitNetworkSession *session;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_object_unref (lookup->self);
  g_object_unref (lookup->session);
  g_free (lookup);
}

/* The last reference to the network session must not go inside its
 * cookie manager's own callback, which WebKit is still running. */
static gboolean
lookup_free_idle_cb (gpointer data)
{
  lookup_free (data);
  return G_SOURCE_REMOVE;
}

static void
cookies_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Lookup *lookup = data;
  MjaSignInDialog *self = lookup->self;
  g_autoptr(GError) error = NULL;
  GList *cookies = webkit_cookie_manager_get_cookies_finish (WEBKIT_COOKIE_MANAGER (source), result, &error);
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autofree char *name = NULL;
  const char *id_token = NULL, *refresh_token = NULL;

  for (GList *l = cookies; l != NULL; l = l->next)
    {
      if (g_strcmp0 (soup_cookie_get_name (l->data), ID_COOKIE) == 0)
        id_token = soup_cookie_get_value (l->data);
      else if (g_strcmp0 (soup_cookie_get_name (l->data), REFRESH_COOKIE) == 0)
        refresh_token = soup_cookie_get_value (l->data);
    }
  if (id_token != NULL && !self->signed_in && !g_cancellable_is_cancelled (self->cancellable))
    {
      credentials = mja_credentials_new_current (id_token, refresh_token, &error);
      if (credentials == NULL)
        g_message ("The site's session cookie is not one we understand: %s", error->message);
    }
  if (credentials != NULL)
    {
      MjaSession *session = mja_application_get_session (self->application);

      self->signed_in = TRUE;
      name = mja_sign_in_dialog_dup_account_name (id_token);
      mja_session_sign_in_through_browser (session, credentials, name);
      /* Not from inside WebKit's callback: the page goes with the window. */
      g_idle_add_full (G_PRIORITY_DEFAULT, close_idle_cb, g_object_ref (self), g_object_unref);
    }
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);
  g_idle_add_full (G_PRIORITY_LOW, lookup_free_idle_cb, lookup, NULL);
}

static void
cookies_changed_cb (WebKitCookieManager *manager,
                    MjaSignInDialog     *self)
{
  Lookup *lookup;

  if (self->signed_in || g_cancellable_is_cancelled (self->cancellable))
    return;
  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->session = g_object_ref (self->network_session);
  /* Not cancelled when the dialog goes: the answer is awaited, then ignored. */
  webkit_cookie_manager_get_cookies (manager, self->api_url, NULL, cookies_cb, lookup);
}

/* ---- the page ----------------------------------------------------------- */

static void
progress_notify_cb (MjaSignInDialog *self)
{
  double progress = webkit_web_view_get_estimated_load_progress (self->view);

  gtk_progress_bar_set_fraction (self->progress_bar, progress);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), progress < 1.0);
}

/* Where the person is about to type a password: the page's host under
 * the dialog's title (a sign-in goes through Google's or Discord's pages
 * too), and the title of the page loaded for a screen reader. */
static void
uri_notify_cb (MjaSignInDialog *self)
{
  const char *uri = webkit_web_view_get_uri (self->view);
  g_autoptr(GUri) parsed = uri ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;

  adw_window_title_set_subtitle (self->window_title, parsed && g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "");
}

static void
page_notify_cb (MjaSignInDialog *self)
{
  const char *title = webkit_web_view_get_title (self->view);

  /* WebKit may tell the title after the load has finished. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  title && !webkit_web_view_is_loading (self->view) ? title : "", -1);
}

/* A page that would open a window of its own (some sign-in buttons do)
 * opens in this one instead. */
static GtkWidget *
create_cb (WebKitWebView          *view,
           WebKitNavigationAction *action,
           MjaSignInDialog        *self)
{
  WebKitURIRequest *request = webkit_navigation_action_get_request (action);

  if (request != NULL && webkit_uri_request_get_uri (request) != NULL)
    webkit_web_view_load_uri (view, webkit_uri_request_get_uri (request));
  return NULL;
}

static void
cookie_clicked_cb (MjaSignInDialog *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autoptr(MjaApplication) application = g_object_ref (self->application);
  gboolean from_preferences = parent != NULL && ADW_IS_PREFERENCES_WINDOW (parent);

  gtk_window_close (GTK_WINDOW (self));
  /* Preferences holds the cookie row; from Preferences it is already there. */
  if (!from_preferences)
    g_action_group_activate_action (G_ACTION_GROUP (application), "preferences", NULL);
}

static void
mja_sign_in_dialog_dispose (GObject *object)
{
  MjaSignInDialog *self = MJA_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->network_session != NULL)
    g_signal_handlers_disconnect_by_data (webkit_network_session_get_cookie_manager (self->network_session), self);
  if (self->transport != NULL)
    {
      /* The transport's page goes back to it, hidden, as it was. */
      g_signal_handlers_disconnect_by_data (self->transport, self);
      g_signal_handlers_disconnect_by_data (self->view, self);
      gtk_box_remove (self->box, GTK_WIDGET (self->view));
      self->view = NULL;
      g_clear_object (&self->transport);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_SIGN_IN_DIALOG);
  G_OBJECT_CLASS (mja_sign_in_dialog_parent_class)->dispose (object);
  /* After the view, which uses it. */
  g_clear_object (&self->network_session);
}

static void
mja_sign_in_dialog_finalize (GObject *object)
{
  MjaSignInDialog *self = MJA_SIGN_IN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->application);
  g_free (self->api_url);
  G_OBJECT_CLASS (mja_sign_in_dialog_parent_class)->finalize (object);
}

static void
mja_sign_in_dialog_class_init (MjaSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_sign_in_dialog_dispose;
  object_class->finalize = mja_sign_in_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaSignInDialog, box);
  gtk_widget_class_bind_template_child (widget_class, MjaSignInDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, MjaSignInDialog, cookie_button);
  gtk_widget_class_bind_template_child (widget_class, MjaSignInDialog, progress_bar);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mja_sign_in_dialog_init (MjaSignInDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * mja_sign_in_dialog_new:
 * @parent: (nullable): the window it belongs to
 *
 * Opens the site's sign-in page at once.
 */
MjaSignInDialog *
mja_sign_in_dialog_new (MjaApplication *application,
                        GtkWindow      *parent)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cdn_url = NULL;
  g_autofree char *page = NULL;
  MjaSignInDialog *self;

  g_return_val_if_fail (MJA_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (MJA_TYPE_SIGN_IN_DIALOG, "transient-for", parent, NULL);
  self->application = g_object_ref (application);
  self->api_url = mja_application_dup_base_url (application, "api");
  cdn_url = mja_application_dup_base_url (application, "cdn");
  self->network_session = mja_web_network_session_new (self->api_url, cdn_url, &error);
  if (self->network_session == NULL)
    {
      g_warning ("%s", error->message);
      self->network_session = webkit_network_session_new_ephemeral ();
    }
  g_signal_connect (webkit_network_session_get_cookie_manager (self->network_session), "changed",
                    G_CALLBACK (cookies_changed_cb), self);

  self->view = g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", self->network_session, "vexpand", TRUE,
                             NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Midjourney's sign-in page"), -1);
  gtk_box_append (self->box, GTK_WIDGET (self->view));
  g_signal_connect_swapped (self->view, "notify::estimated-load-progress", G_CALLBACK (progress_notify_cb), self);
  g_signal_connect_swapped (self->view, "notify::uri", G_CALLBACK (uri_notify_cb), self);
  g_signal_connect_swapped (self->view, "notify::is-loading", G_CALLBACK (page_notify_cb), self);
  g_signal_connect_swapped (self->view, "notify::title", G_CALLBACK (page_notify_cb), self);
  g_signal_connect (self->view, "create", G_CALLBACK (create_cb), self);
  g_signal_connect_swapped (self->cookie_button, "clicked", G_CALLBACK (cookie_clicked_cb), self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->view));

  page = g_strconcat (self->api_url, SIGN_IN_PATH, NULL);
  webkit_web_view_load_uri (self->view, page);
  return self;
}

static gboolean
close_after_check_idle_cb (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
needs_person_cb (MjaSignInDialog *self)
{
  /* Answered (the page reloaded past the check): the sync goes on. */
  if (!mja_web_transport_get_needs_person (self->transport))
    g_idle_add_full (G_PRIORITY_DEFAULT, close_after_check_idle_cb, g_object_ref (self), g_object_unref);
}

/**
 * mja_sign_in_dialog_new_for_check:
 * @parent: (nullable): the window it belongs to
 * @transport: the account's browser, whose page holds a check that wants a
 *   person (mja_web_transport_get_needs_person())
 *
 * Shows @transport's own page, whose check a person answers there; closes
 * by itself once it is answered.  The page goes back to @transport, hidden,
 * when the dialog closes.
 */
MjaSignInDialog *
mja_sign_in_dialog_new_for_check (MjaApplication  *application,
                                  GtkWindow       *parent,
                                  MjaWebTransport *transport)
{
  MjaSignInDialog *self;

  g_return_val_if_fail (MJA_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (MJA_IS_WEB_TRANSPORT (transport), NULL);
  g_return_val_if_fail (gtk_widget_get_parent (GTK_WIDGET (mja_web_transport_get_web_view (transport))) == NULL,
                        NULL);

  self = g_object_new (MJA_TYPE_SIGN_IN_DIALOG, "transient-for", parent, NULL);
  self->application = g_object_ref (application);
  self->api_url = mja_application_dup_base_url (application, "api");
  self->transport = g_object_ref (transport);
  self->view = mja_web_transport_get_web_view (transport);
  /* Signed in already: the check is all there is to do here. */
  adw_window_title_set_subtitle (self->window_title, _("Answer the site's check to go on syncing"));
  gtk_widget_set_visible (GTK_WIDGET (self->cookie_button), FALSE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Midjourney's check that you are a person"), -1);
  gtk_box_append (self->box, GTK_WIDGET (self->view));
  /* No "create" handler: the page stays the transport's, on the site. */
  g_signal_connect_swapped (self->view, "notify::estimated-load-progress", G_CALLBACK (progress_notify_cb), self);
  g_signal_connect_swapped (self->transport, "notify::needs-person", G_CALLBACK (needs_person_cb), self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->view));
  progress_notify_cb (self);
  return self;
}

WebKitWebView *
mja_sign_in_dialog_get_web_view (MjaSignInDialog *self)
{
  g_return_val_if_fail (MJA_IS_SIGN_IN_DIALOG (self), NULL);
  return self->view;
}
