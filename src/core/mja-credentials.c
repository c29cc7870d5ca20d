/* mja-credentials.c — the Midjourney session: parsing, keyring, environment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the user's session secrets.  It reads them from what a person can
 * paste (a whole Cookie header, the id token, or the legacy session token
 * with a user id), from the environment, or from the keyring, and keeps
 * them only there: never in a plain file, a log line or an error message.
 * The JWT is decoded for the user id and its expiry, not verified: it is
 * the user's own token and the server is the one that checks it.
 */
#define G_LOG_DOMAIN "mja-credentials"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "mja-credentials.h"
#include "mja-job.h"
#include "mja-json.h"
#include "mja-util.h"

#define ID_COOKIE      "__Host-Midjourney.AuthUserTokenV3_i"
#define REFRESH_COOKIE "__Host-Midjourney.AuthUserTokenV3_r"
#define LEGACY_COOKIE  "__Secure-next-auth.session-token"

struct _MjaCredentials
{
  GObject             parent_instance;

  MjaCredentialsKind  kind;
  char               *id_token;
  char               *refresh_token;
  char               *session_token;
  char               *user_id;
  gint64              expiry;
};

G_DEFINE_FINAL_TYPE (MjaCredentials, mja_credentials, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-credentials-error-quark, mja_credentials_error)

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID, SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "NULL", 0 },
    }
  };
  return &schema;
}

/* Secrets do not linger in freed memory. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
mja_credentials_finalize (GObject *object)
{
  MjaCredentials *self = MJA_CREDENTIALS (object);

  wipe_free (self->id_token);
  wipe_free (self->refresh_token);
  wipe_free (self->session_token);
  g_free (self->user_id);

  G_OBJECT_CLASS (mja_credentials_parent_class)->finalize (object);
}

static void
mja_credentials_class_init (MjaCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_credentials_finalize;
}

static void
mja_credentials_init (MjaCredentials *self)
{
}

/* Reads "midjourney_id" and "exp" from a JWT's payload. */
static gboolean
decode_jwt (const char  *token,
            char       **user_id,
            gint64      *expiry)
{
  g_auto(GStrv) parts = NULL;
  g_autofree guint8 *payload = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *exp;
  gsize length;

  if (token == NULL)
    return FALSE;
  parts = g_strsplit (token, ".", -1);
  if (g_strv_length (parts) != 3)
    return FALSE;
  payload = mja_base64url_decode (parts[1], &length);
  if (payload == NULL ||
      (root = mja_json_parse ((const char *) payload, length, MJA_JSON_MAX_JOB_VALUES, "", NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "midjourney_id") ||
      json_node_get_value_type (json_object_get_member (object, "midjourney_id")) != G_TYPE_STRING)
    return FALSE;
  exp = json_object_get_member (object, "exp");
  *user_id = g_strdup (json_object_get_string_member (object, "midjourney_id"));
  *expiry = exp && JSON_NODE_HOLDS_VALUE (exp) ? json_node_get_int (exp) : 0;
  return TRUE;
}

static gboolean
is_token_text (const char *text)
{
  for (const char *p = text; *p; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("-_.~+/=", *p)))
      return FALSE;
  return *text != '\0';
}

static gboolean
looks_like_jwt (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);

  return g_strv_length (parts) == 3 && *parts[0] != '\0' && *parts[1] != '\0';
}

MjaCredentials *
mja_credentials_new_current (const char  *id_token,
                             const char  *refresh_token,
                             GError     **error)
{
  g_autoptr(MjaCredentials) self = g_object_new (MJA_TYPE_CREDENTIALS, NULL);

  if (id_token == NULL || !is_token_text (id_token) ||
      !decode_jwt (id_token, &self->user_id, &self->expiry) || !mja_job_id_is_valid (self->user_id))
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID,
                   _("The %s cookie is not a Midjourney session token. Copy it again from your browser."),
                   ID_COOKIE);
      return NULL;
    }
  if (refresh_token != NULL && !is_token_text (refresh_token))
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID,
                   _("The %s cookie is not a refresh token. Copy it again from your browser."), REFRESH_COOKIE);
      return NULL;
    }
  self->kind = MJA_CREDENTIALS_CURRENT;
  self->id_token = g_strdup (id_token);
  self->refresh_token = g_strdup (refresh_token);
  return g_steal_pointer (&self);
}

MjaCredentials *
mja_credentials_new_legacy (const char  *session_token,
                            const char  *user_id,
                            GError     **error)
{
  MjaCredentials *self;

  if (session_token == NULL || !is_token_text (session_token))
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID,
                   _("The session token is empty or has characters a cookie cannot have."));
      return NULL;
    }
  if (user_id == NULL || !mja_job_id_is_valid (user_id))
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID,
                   _("The legacy site needs your user id too (a number or a UUID)."));
      return NULL;
    }
  self = g_object_new (MJA_TYPE_CREDENTIALS, NULL);
  self->kind = MJA_CREDENTIALS_LEGACY;
  self->session_token = g_strdup (session_token);
  self->user_id = g_strdup (user_id);
  return self;
}

/**
 * mja_credentials_parse:
 * @text: a whole Cookie header, the id token (optionally followed by the
 *   refresh token on the next line), or a legacy session token
 * @user_id: (nullable): the user id, needed only for a legacy token
 */
MjaCredentials *
mja_credentials_parse (const char  *text,
                       const char  *user_id,
                       GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *id_token = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *legacy = NULL;
  g_auto(GStrv) words = NULL;

  if (text == NULL || *text == '\0')
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                   _("No cookie or token was given."));
      return NULL;
    }

  copy = g_strstrip (g_strdup (text));
  if (strchr (copy, '=') != NULL)
    {
      /* Browsers' "Copy as cURL" and header views wrap long lines. */
      g_strdelimit (copy, "\r\n\t", ' ');
      id_token = mja_cookie_header_lookup (copy, ID_COOKIE);
      refresh_token = mja_cookie_header_lookup (copy, REFRESH_COOKIE);
      legacy = mja_cookie_header_lookup (copy, LEGACY_COOKIE);
      if (id_token != NULL)
        {
          MjaCredentials *self = mja_credentials_new_current (id_token, refresh_token, error);

          /* A cookie from a browser that used both sites carries both. */
          if (self != NULL && legacy != NULL && is_token_text (legacy))
            self->session_token = g_strdup (legacy);
          return self;
        }
      if (legacy != NULL)
        return mja_credentials_new_legacy (legacy, user_id, error);
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID,
                   _("The cookie has neither %s nor %s. Copy the whole Cookie header of a request to "
                     "midjourney.com while you are signed in."), ID_COOKIE, LEGACY_COOKIE);
      return NULL;
    }

  words = g_strsplit_set (copy, " \r\n\t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (id_token == NULL)
        id_token = g_strdup (words[i]);
      else if (refresh_token == NULL)
        refresh_token = g_strdup (words[i]);
    }

  /* A JWT has three dot-separated parts; a legacy token is anything else
   * and comes with a user id. */
  if (id_token != NULL && !looks_like_jwt (id_token) && user_id != NULL)
    return mja_credentials_new_legacy (id_token, user_id, error);
  return mja_credentials_new_current (id_token, refresh_token, error);
}

/* MIDJOURNEY_COOKIE, or MIDJOURNEY_SESSION_TOKEN with MIDJOURNEY_USER_ID. */
MjaCredentials *
mja_credentials_from_environment (GError **error)
{
  const char *cookie = g_getenv ("MIDJOURNEY_COOKIE");
  const char *token = g_getenv ("MIDJOURNEY_SESSION_TOKEN");
  const char *user_id = g_getenv ("MIDJOURNEY_USER_ID");

  if (cookie != NULL && *cookie != '\0')
    return mja_credentials_parse (cookie, user_id, error);
  if (token != NULL && *token != '\0')
    return mja_credentials_new_legacy (token, user_id, error);
  g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
               _("No Midjourney session in the environment."));
  return NULL;
}

MjaCredentialsKind
mja_credentials_get_kind (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), MJA_CREDENTIALS_CURRENT);
  return self->kind;
}

const char *
mja_credentials_get_user_id (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), NULL);
  return self->user_id;
}

const char *
mja_credentials_get_id_token (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), NULL);
  return self->id_token;
}

const char *
mja_credentials_get_refresh_token (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), NULL);
  return self->refresh_token;
}

const char *
mja_credentials_get_session_token (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), NULL);
  return self->session_token;
}
/* The id token lives about an hour; refresh a minute before it ends. */
gboolean
mja_credentials_needs_refresh (MjaCredentials *self,
                               gint64          now_s)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), FALSE);
  /* Written so that no "exp" a token may carry overflows (found by
   * fuzz-credentials: exp = INT64_MIN). */
  return self->kind == MJA_CREDENTIALS_CURRENT && self->refresh_token != NULL &&
         self->expiry != 0 && (now_s >= self->expiry || self->expiry - now_s <= 60);
}

void
mja_credentials_update_tokens (MjaCredentials *self,
                               const char     *id_token,
                               const char     *refresh_token)
{
  g_autofree char *user_id = NULL;
  char *old_id, *old_refresh;
  gint64 expiry = 0;

  g_return_if_fail (MJA_IS_CREDENTIALS (self));
  g_return_if_fail (id_token != NULL);

  if (decode_jwt (id_token, &user_id, &expiry))
    self->expiry = expiry;
  /* The old ones wiped, as at finalize; copied first, in case the caller
   * handed back what it got from us. */
  old_id = g_steal_pointer (&self->id_token);
  self->id_token = g_strdup (id_token);
  wipe_free (old_id);
  if (refresh_token != NULL)
    {
      old_refresh = g_steal_pointer (&self->refresh_token);
      self->refresh_token = g_strdup (refresh_token);
      wipe_free (old_refresh);
    }
}

char *
mja_credentials_dup_cookie_header (MjaCredentials *self)
{
  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), NULL);

  if (self->kind == MJA_CREDENTIALS_LEGACY)
    return g_strdup_printf (LEGACY_COOKIE "=%s", self->session_token);
  if (self->refresh_token != NULL)
    return g_strdup_printf (ID_COOKIE "=%s; " REFRESH_COOKIE "=%s", self->id_token, self->refresh_token);
  return g_strdup_printf (ID_COOKIE "=%s", self->id_token);
}
static void
keyring_error (GError  *cause,
               GError **error)
{
  /* libsecret's message may name the D-Bus service, never the secret. */
  g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NO_KEYRING,
               _("No keyring is available (%s). The session is kept in memory for this run only."),
               cause ? cause->message : _("no Secret Service"));
}

gboolean
mja_credentials_store (MjaCredentials  *self,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autofree char *secret = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (MJA_IS_CREDENTIALS (self), FALSE);

  /* One account at a time: a new sign-in replaces the old one. */
  secret_password_clear_sync (get_schema (), cancellable, NULL, NULL);
  secret = mja_credentials_dup_cookie_header (self);
  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, _("Midjourney session"),
                                   secret, cancellable, &local_error,
                                   "kind", self->kind == MJA_CREDENTIALS_LEGACY ? "legacy" : "current",
                                   "user-id", self->user_id,
                                   NULL))
    {
      memset (secret, 0, strlen (secret));
      keyring_error (local_error, error);
      return FALSE;
    }
  memset (secret, 0, strlen (secret));
  return TRUE;
}

MjaCredentials *
mja_credentials_lookup (GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autolist(SecretRetrievable) items = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  SecretRetrievable *item;
  MjaCredentials *credentials;
  const char *user_id;

  items = secret_password_search_sync (get_schema (), SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                       cancellable, &local_error, NULL);
  if (local_error != NULL)
    {
      keyring_error (local_error, error);
      return NULL;
    }
  if (items == NULL)
    {
      g_set_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND,
                   _("You are not signed in to Midjourney."));
      return NULL;
    }

  item = items->data;
  attributes = secret_retrievable_get_attributes (item);
  value = secret_retrievable_retrieve_secret_sync (item, cancellable, &local_error);
  if (value == NULL)
    {
      keyring_error (local_error, error);
      return NULL;
    }
  user_id = g_hash_table_lookup (attributes, "user-id");
  credentials = mja_credentials_parse (secret_value_get_text (value), user_id, error);
  return credentials;
}

gboolean
mja_credentials_clear (GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  secret_password_clear_sync (get_schema (), cancellable, &local_error, NULL);
  if (local_error != NULL)
    {
      keyring_error (local_error, error);
      return FALSE;
    }
  return TRUE;
}
