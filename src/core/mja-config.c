/* mja-config.c — the one place defaults live and are looked up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns every built-in default (base addresses, the archive folder, the
 * sync's numbers, the image formats and the API eras' names) and the order
 * in which a value is found: a flag (the CLI's options, the demo's fake
 * server), then the environment, then the app's GSettings when its schema
 * is installed, then the built-in default.  An empty value at any level
 * counts as not set.  The defaults of data/…gschema.xml must agree with
 * the table below; tests/test-config.c checks that they do.
 *
 * It never builds a URL or a path (mja-api and mja-archive do), never
 * writes settings, and never fails because the schema is missing: the CLI
 * runs where the app was never installed.
 */
#define G_LOG_DOMAIN "mja-config"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-archive.h"
#include "mja-config.h"

typedef struct
{
  const char         *env;       /* environment variable, or NULL */
  const char         *settings;  /* key of the app's schema, or NULL */
  char                type;      /* 's' string, 'u' number, 'a' list of strings, 'b' boolean */
  const char         *string;
  guint               number;
  const char * const *list;
} KeyInfo;

/* What the sync can ask the CDN for, current-era stills, the default first
 * (the order of the preferences' combo row). */
static const char default_image_format[] = "png";
static const char * const image_formats[] = { default_image_format, "webp", "jpeg", NULL };

/* The API eras as the settings, the CLI's --protocol and the logs name them. */
static const char default_protocol[] = "auto";
static const char * const protocol_names[] = {
  [MJA_PROTOCOL_AUTO] = default_protocol,
  [MJA_PROTOCOL_CURRENT] = "current",
  [MJA_PROTOCOL_LEGACY] = "legacy",
};

/* The transports as the settings, the CLI's --connection and the logs name them. */
static const char default_connection[] = "auto";
static const char * const connection_names[] = {
  [MJA_CONNECTION_AUTO] = default_connection,
  [MJA_CONNECTION_DIRECT] = "direct",
  [MJA_CONNECTION_BROWSER] = "browser",
};

static const char * const download_kinds[] = { "grid", "upscale", NULL };

static const KeyInfo keys[MJA_CONFIG_N_KEYS] = {
  /* No string: the Pictures folder's "Midjourney", see mja_default_archive_dir(). */
  [MJA_CONFIG_KEY_ARCHIVE_DIR] = { NULL, "archive-dir", 's', NULL },
  [MJA_CONFIG_KEY_API_BASE_URL] = { "MJA_API_BASE_URL", "api-base-url", 's', "https://www.midjourney.com" },
  [MJA_CONFIG_KEY_CDN_BASE_URL] = { "MJA_CDN_BASE_URL", "cdn-base-url", 's', "https://cdn.midjourney.com" },
  [MJA_CONFIG_KEY_AUTH_BASE_URL] = { "MJA_AUTH_BASE_URL", "auth-base-url", 's', "https://securetoken.googleapis.com" },
  [MJA_CONFIG_KEY_PROTOCOL] = { NULL, "protocol", 's', default_protocol },
  [MJA_CONFIG_KEY_IMAGE_FORMAT] = { NULL, "image-format", 's', default_image_format },
  [MJA_CONFIG_KEY_DOWNLOAD_KINDS] = { NULL, "download-kinds", 'a', .list = download_kinds },
  [MJA_CONFIG_KEY_JSON_INDENT] = { NULL, "json-indent", 'u', .number = 2 },
  [MJA_CONFIG_KEY_CONCURRENCY] = { NULL, "concurrency", 'u', .number = 6 },
  [MJA_CONFIG_KEY_REQUEST_INTERVAL] = { NULL, "request-interval", 'u', .number = 250 },
  [MJA_CONFIG_KEY_PAGE_SIZE] = { NULL, NULL, 'u', .number = 1000 },
  [MJA_CONFIG_KEY_MAX_TRIES] = { NULL, NULL, 'u', .number = 5 },
  [MJA_CONFIG_KEY_RETRY_BASE] = { NULL, NULL, 'u', .number = 1000 },
  [MJA_CONFIG_KEY_PAGE_DEADLINE] = { NULL, NULL, 'u', .number = 300 },
  [MJA_CONFIG_KEY_IMAGE_DEADLINE] = { NULL, NULL, 'u', .number = 900 },
  [MJA_CONFIG_KEY_MAX_PAGE_BYTES] = { NULL, NULL, 'u', .number = 64 * 1024 * 1024 },
  [MJA_CONFIG_KEY_MAX_IMAGE_BYTES] = { NULL, NULL, 'u', .number = 512 * 1024 * 1024 },
  /* Off, as photo managers do: images stay the server's bytes unless asked. */
  [MJA_CONFIG_KEY_EMBED_METADATA] = { "MJA_EMBED_METADATA", "embed-metadata", 'b', .number = FALSE },
  [MJA_CONFIG_KEY_CONNECTION] = { "MJA_CONNECTION", "connection", 's', default_connection },
  /* Midjourney's public Firebase web API key (protocol page): not a secret,
   * it names the web app to the token service.  Direct transport only. */
  [MJA_CONFIG_KEY_REFRESH_KEY] = { "MJA_AUTH_API_KEY", NULL, 's', "AIzaSyAjizp68NsH3JGUS0EyLXsChW4fN0A92tM" },
};

struct _MjaConfig
{
  GObject          parent_instance;

  GSettings       *settings;  /* NULL: the app's schema is not installed */
  GSettingsSchema *schema;
  char            *flags[MJA_CONFIG_N_KEYS];
};

G_DEFINE_FINAL_TYPE (MjaConfig, mja_config, G_TYPE_OBJECT)

static void
mja_config_finalize (GObject *object)
{
  MjaConfig *self = MJA_CONFIG (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->schema, g_settings_schema_unref);
  for (guint i = 0; i < MJA_CONFIG_N_KEYS; i++)
    g_free (self->flags[i]);

  G_OBJECT_CLASS (mja_config_parent_class)->finalize (object);
}

static void
mja_config_class_init (MjaConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_config_finalize;
}

static void
mja_config_init (MjaConfig *self)
{
}

/**
 * mja_config_new_for_settings:
 * @settings: (nullable): the app's settings, or %NULL to skip that level
 */
MjaConfig *
mja_config_new_for_settings (GSettings *settings)
{
  MjaConfig *self;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (MJA_TYPE_CONFIG, NULL);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      /* Kept to ask which keys exist: an older installed schema may lack one. */
      g_object_get (settings, "settings-schema", &self->schema, NULL);
    }
  return self;
}

/* The app's settings when its schema is installed, else none. */
MjaConfig *
mja_config_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  g_autoptr(GSettings) settings = schema ? g_settings_new_full (schema, NULL, NULL) : NULL;

  return mja_config_new_for_settings (settings);
}

/**
 * mja_config_set_flag:
 * @value: (nullable): what a flag says; %NULL or empty unsets it
 *
 * The first level of the look-up, for a key looked up as a string or,
 * "true" or "false", as a boolean.
 */
void
mja_config_set_flag (MjaConfig    *self,
                     MjaConfigKey  key,
                     const char   *value)
{
  g_return_if_fail (MJA_IS_CONFIG (self));
  g_return_if_fail ((guint) key < MJA_CONFIG_N_KEYS && (keys[key].type == 's' || keys[key].type == 'b'));

  g_free (self->flags[key]);
  self->flags[key] = g_strdup (value);
}

static gboolean
is_set (const char *value)
{
  return value != NULL && *value != '\0';
}

/**
 * mja_config_dup_string:
 *
 * Returns: (transfer full): the flag, else the environment, else the
 *   settings, else the built-in default; never %NULL
 */
char *
mja_config_dup_string (MjaConfig    *self,
                       MjaConfigKey  key)
{
  const KeyInfo *info;
  const char *env;

  g_return_val_if_fail (MJA_IS_CONFIG (self), NULL);
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 's', NULL);

  info = &keys[key];
  if (is_set (self->flags[key]))
    return g_strdup (self->flags[key]);
  env = info->env ? g_getenv (info->env) : NULL;
  if (is_set (env))
    return g_strdup (env);
  if (self->schema != NULL && info->settings != NULL && g_settings_schema_has_key (self->schema, info->settings))
    {
      g_autofree char *stored = g_settings_get_string (self->settings, info->settings);

      if (is_set (stored))
        return g_steal_pointer (&stored);
    }
  if (key == MJA_CONFIG_KEY_ARCHIVE_DIR)
    return mja_default_archive_dir ();
  g_assert (info->string != NULL);
  return g_strdup (info->string);
}

/* "1", "true", "yes", "on" and "0", "false", "no", "off"; anything else
 * is not set. */
static gboolean
parse_boolean (const char *text,
               gboolean   *value)
{
  static const char * const yes[] = { "1", "true", "yes", "on", NULL };
  static const char * const no[] = { "0", "false", "no", "off", NULL };
  g_autofree char *lower = NULL;

  if (!is_set (text))
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  g_strstrip (lower);
  if (g_strv_contains (yes, lower))
    *value = TRUE;
  else if (g_strv_contains (no, lower))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

/**
 * mja_config_get_boolean:
 *
 * Returns: the flag, else the environment, else the settings, else the
 *   built-in default
 */
gboolean
mja_config_get_boolean (MjaConfig    *self,
                        MjaConfigKey  key)
{
  const KeyInfo *info;
  gboolean value;

  g_return_val_if_fail (MJA_IS_CONFIG (self), FALSE);
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 'b', FALSE);

  info = &keys[key];
  if (parse_boolean (self->flags[key], &value))
    return value;
  if (info->env != NULL && parse_boolean (g_getenv (info->env), &value))
    return value;
  if (self->schema != NULL && info->settings != NULL && g_settings_schema_has_key (self->schema, info->settings))
    return g_settings_get_boolean (self->settings, info->settings);
  return info->number != 0;
}

gboolean
mja_config_get_default_boolean (MjaConfigKey key)
{
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 'b', FALSE);
  return keys[key].number != 0;
}

/**
 * mja_config_get_default_string:
 *
 * Returns: (nullable): the built-in default of a string key; %NULL for
 *   the archive folder, which depends on the user (mja_default_archive_dir())
 */
const char *
mja_config_get_default_string (MjaConfigKey key)
{
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 's', NULL);
  return keys[key].string;
}

guint
mja_config_get_default_uint (MjaConfigKey key)
{
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 'u', 0);
  return keys[key].number;
}

const char * const *
mja_config_get_default_strv (MjaConfigKey key)
{
  g_return_val_if_fail ((guint) key < MJA_CONFIG_N_KEYS && keys[key].type == 'a', NULL);
  return keys[key].list;
}

/* @which: "api", "cdn" or "auth", as the app and the CLI name them. */
MjaConfigKey
mja_config_base_url_key (const char *which)
{
  g_return_val_if_fail (which != NULL, MJA_CONFIG_KEY_API_BASE_URL);

  if (g_str_equal (which, "cdn"))
    return MJA_CONFIG_KEY_CDN_BASE_URL;
  if (g_str_equal (which, "auth"))
    return MJA_CONFIG_KEY_AUTH_BASE_URL;
  g_return_val_if_fail (g_str_equal (which, "api"), MJA_CONFIG_KEY_API_BASE_URL);
  return MJA_CONFIG_KEY_API_BASE_URL;
}

const char * const *
mja_config_get_image_formats (void)
{
  return image_formats;
}

gboolean
mja_config_image_format_is_valid (const char *format)
{
  return format != NULL && g_strv_contains (image_formats, format);
}

const char *
mja_config_protocol_to_string (MjaProtocol protocol)
{
  g_return_val_if_fail ((guint) protocol < G_N_ELEMENTS (protocol_names), NULL);
  return protocol_names[protocol];
}

gboolean
mja_config_protocol_from_string (const char  *name,
                                 MjaProtocol *protocol)
{
  g_return_val_if_fail (protocol != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (protocol_names); i++)
    if (g_str_equal (name, protocol_names[i]))
      {
        *protocol = (MjaProtocol) i;
        return TRUE;
      }
  return FALSE;
}

const char *
mja_config_connection_to_string (MjaConnection connection)
{
  g_return_val_if_fail ((guint) connection < G_N_ELEMENTS (connection_names), NULL);
  return connection_names[connection];
}

gboolean
mja_config_connection_from_string (const char    *name,
                                   MjaConnection *connection)
{
  g_return_val_if_fail (connection != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (connection_names); i++)
    if (g_str_equal (name, connection_names[i]))
      {
        *connection = (MjaConnection) i;
        return TRUE;
      }
  return FALSE;
}
