/* test-config.c — MjaConfig: the order of the look-up, and the defaults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with the build's compiled schema and the memory settings backend
 * (tests/meson.build), so every GSettings here shares one in-memory store.
 */
#include "config.h"

#include "mja-archive.h"
#include "mja-config.h"

static GSettings *
new_settings (void)
{
  GSettings *settings = g_settings_new (APP_ID);

  g_settings_reset (settings, "api-base-url");
  g_settings_reset (settings, "archive-dir");
  return settings;
}

static void
test_order (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(MjaConfig) config = mja_config_new_for_settings (settings);
  g_autofree char *value = NULL;

  g_unsetenv ("MJA_API_BASE_URL");
  g_settings_set_string (settings, "api-base-url", "http://settings.test");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, "http://settings.test");
  g_clear_pointer (&value, g_free);

  g_setenv ("MJA_API_BASE_URL", "http://env.test", TRUE);
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, "http://env.test");
  g_clear_pointer (&value, g_free);

  mja_config_set_flag (config, MJA_CONFIG_KEY_API_BASE_URL, "http://flag.test");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, "http://flag.test");
  g_clear_pointer (&value, g_free);

  /* The other keys have levels of their own. */
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_CDN_BASE_URL);
  g_assert_cmpstr (value, ==, mja_config_get_default_string (MJA_CONFIG_KEY_CDN_BASE_URL));
  g_clear_pointer (&value, g_free);

  /* Unset, one level after the other. */
  mja_config_set_flag (config, MJA_CONFIG_KEY_API_BASE_URL, NULL);
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, "http://env.test");
  g_clear_pointer (&value, g_free);

  g_unsetenv ("MJA_API_BASE_URL");
  g_settings_reset (settings, "api-base-url");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, mja_config_get_default_string (MJA_CONFIG_KEY_API_BASE_URL));
}

static void
test_empty_is_unset (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(MjaConfig) config = mja_config_new_for_settings (settings);
  g_autofree char *value = NULL;

  g_settings_set_string (settings, "auth-base-url", "http://settings.test");
  g_setenv ("MJA_AUTH_BASE_URL", "", TRUE);
  mja_config_set_flag (config, MJA_CONFIG_KEY_AUTH_BASE_URL, "");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_AUTH_BASE_URL);
  g_assert_cmpstr (value, ==, "http://settings.test");
  g_clear_pointer (&value, g_free);

  g_settings_set_string (settings, "auth-base-url", "");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_AUTH_BASE_URL);
  g_assert_cmpstr (value, ==, "https://securetoken.googleapis.com");

  g_unsetenv ("MJA_AUTH_BASE_URL");
  g_settings_reset (settings, "auth-base-url");
}

static void
test_archive_dir (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(MjaConfig) config = mja_config_new_for_settings (settings);
  g_autofree char *fallback = mja_default_archive_dir ();
  g_autofree char *value = NULL;

  /* The schema's '' means the Pictures folder's "Midjourney". */
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
  g_assert_cmpstr (value, ==, fallback);
  g_assert_true (g_str_has_suffix (value, G_DIR_SEPARATOR_S "Midjourney"));
  g_clear_pointer (&value, g_free);

  g_settings_set_string (settings, "archive-dir", "/srv/settings");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
  g_assert_cmpstr (value, ==, "/srv/settings");
  g_clear_pointer (&value, g_free);

  mja_config_set_flag (config, MJA_CONFIG_KEY_ARCHIVE_DIR, "/srv/flag");
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
  g_assert_cmpstr (value, ==, "/srv/flag");

  g_settings_reset (settings, "archive-dir");
}

/* mja_config_new() finds the installed schema by itself. */
static void
test_new_reads_settings (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(MjaConfig) config = NULL;
  g_autofree char *value = NULL;

  g_unsetenv ("MJA_API_BASE_URL");
  g_settings_set_string (settings, "api-base-url", "http://installed.test");
  config = mja_config_new ();
  value = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpstr (value, ==, "http://installed.test");
  g_settings_reset (settings, "api-base-url");
}

/* Where the app was never installed, as for the CLI alone: no abort, the
 * environment and the built-in defaults still answer. */
static void
test_missing_schema (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MjaConfig) config = NULL;
      g_autofree char *api = NULL;
      g_autofree char *cdn = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *fallback = mja_default_archive_dir ();
      GSettingsSchemaSource *source;

      g_unsetenv ("GSETTINGS_SCHEMA_DIR");
      /* Without any schema there is no source either. */
      source = g_settings_schema_source_get_default ();
      g_assert_true (source == NULL || g_settings_schema_source_lookup (source, APP_ID, TRUE) == NULL);
      g_setenv ("MJA_CDN_BASE_URL", "http://env.test", TRUE);
      config = mja_config_new ();
      api = mja_config_dup_string (config, MJA_CONFIG_KEY_API_BASE_URL);
      cdn = mja_config_dup_string (config, MJA_CONFIG_KEY_CDN_BASE_URL);
      dir = mja_config_dup_string (config, MJA_CONFIG_KEY_ARCHIVE_DIR);
      g_assert_cmpstr (api, ==, "https://www.midjourney.com");
      g_assert_cmpstr (cdn, ==, "http://env.test");
      g_assert_cmpstr (dir, ==, fallback);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
assert_schema_default (GSettingsSchema *schema,
                       const char      *name,
                       GVariant        *expected)
{
  g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, name);
  g_autoptr(GVariant) value = g_settings_schema_key_get_default_value (key);
  g_autoptr(GVariant) owned = g_variant_ref_sink (expected);

  if (!g_variant_equal (value, owned))
    {
      g_autofree char *a = g_variant_print (value, FALSE);
      g_autofree char *b = g_variant_print (owned, FALSE);

      g_error ("The schema's %s is %s, mja-config's %s", name, a, b);
    }
}

/* The schema (in data/) and the built-in table must not drift apart. */
static void
test_schema_agrees (void)
{
  g_autoptr(GSettingsSchema) schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                                                       APP_ID, TRUE);
  static const struct
  {
    MjaConfigKey key;
    const char  *name;
  } strings[] = {
    { MJA_CONFIG_KEY_API_BASE_URL, "api-base-url" },
    { MJA_CONFIG_KEY_CDN_BASE_URL, "cdn-base-url" },
    { MJA_CONFIG_KEY_AUTH_BASE_URL, "auth-base-url" },
    { MJA_CONFIG_KEY_PROTOCOL, "protocol" },
    { MJA_CONFIG_KEY_IMAGE_FORMAT, "image-format" },
    { MJA_CONFIG_KEY_CONNECTION, "connection" },
  }, numbers[] = {
    { MJA_CONFIG_KEY_JSON_INDENT, "json-indent" },
    { MJA_CONFIG_KEY_CONCURRENCY, "concurrency" },
    { MJA_CONFIG_KEY_REQUEST_INTERVAL, "request-interval" },
  };

  g_assert_nonnull (schema);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    assert_schema_default (schema, strings[i].name,
                           g_variant_new_string (mja_config_get_default_string (strings[i].key)));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    assert_schema_default (schema, numbers[i].name,
                           g_variant_new_uint32 (mja_config_get_default_uint (numbers[i].key)));
  assert_schema_default (schema, "download-kinds",
                         g_variant_new_strv (mja_config_get_default_strv (MJA_CONFIG_KEY_DOWNLOAD_KINDS), -1));
  assert_schema_default (schema, "archive-dir", g_variant_new_string (""));
  assert_schema_default (schema, "embed-metadata",
                         g_variant_new_boolean (mja_config_get_default_boolean (MJA_CONFIG_KEY_EMBED_METADATA)));
  g_assert_null (mja_config_get_default_string (MJA_CONFIG_KEY_ARCHIVE_DIR));
}

static void
test_names (void)
{
  const char * const *formats = mja_config_get_image_formats ();
  MjaProtocol protocol = MJA_PROTOCOL_AUTO;

  g_assert_cmpuint (g_strv_length ((GStrv) formats), ==, 3);
  g_assert_cmpstr (formats[0], ==, mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT));
  g_assert_true (mja_config_image_format_is_valid ("webp"));
  g_assert_true (mja_config_image_format_is_valid ("jpeg"));
  g_assert_false (mja_config_image_format_is_valid ("jpg"));
  g_assert_false (mja_config_image_format_is_valid ("mp4"));
  g_assert_false (mja_config_image_format_is_valid (NULL));

  for (MjaProtocol p = MJA_PROTOCOL_AUTO; p <= MJA_PROTOCOL_LEGACY; p++)
    {
      g_assert_true (mja_config_protocol_from_string (mja_config_protocol_to_string (p), &protocol));
      g_assert_cmpint (protocol, ==, p);
    }
  g_assert_cmpstr (mja_config_protocol_to_string (MJA_PROTOCOL_LEGACY), ==, "legacy");
  g_assert_false (mja_config_protocol_from_string ("v7", &protocol));
  g_assert_false (mja_config_protocol_from_string (NULL, &protocol));
  g_assert_cmpint (protocol, ==, MJA_PROTOCOL_LEGACY);

  {
    MjaConnection connection = MJA_CONNECTION_AUTO;

    for (MjaConnection c = MJA_CONNECTION_AUTO; c <= MJA_CONNECTION_BROWSER; c++)
      {
        g_assert_true (mja_config_connection_from_string (mja_config_connection_to_string (c), &connection));
        g_assert_cmpint (connection, ==, c);
      }
    g_assert_cmpstr (mja_config_get_default_string (MJA_CONFIG_KEY_CONNECTION), ==, "auto");
    g_assert_false (mja_config_connection_from_string ("webkit", &connection));
    g_assert_cmpint (connection, ==, MJA_CONNECTION_BROWSER);
  }

  g_assert_cmpint (mja_config_base_url_key ("api"), ==, MJA_CONFIG_KEY_API_BASE_URL);
  g_assert_cmpint (mja_config_base_url_key ("cdn"), ==, MJA_CONFIG_KEY_CDN_BASE_URL);
  g_assert_cmpint (mja_config_base_url_key ("auth"), ==, MJA_CONFIG_KEY_AUTH_BASE_URL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/config/order", test_order);
  g_test_add_func ("/config/empty-is-unset", test_empty_is_unset);
  g_test_add_func ("/config/archive-dir", test_archive_dir);
  g_test_add_func ("/config/new-reads-settings", test_new_reads_settings);
  g_test_add_func ("/config/missing-schema", test_missing_schema);
  g_test_add_func ("/config/schema-agrees", test_schema_agrees);
  g_test_add_func ("/config/names", test_names);
  return g_test_run ();
}
