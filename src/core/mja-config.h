/* mja-config.h — the one place defaults live and are looked up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-api.h"

G_BEGIN_DECLS

typedef enum
{
  MJA_CONFIG_KEY_ARCHIVE_DIR,
  MJA_CONFIG_KEY_API_BASE_URL,
  MJA_CONFIG_KEY_CDN_BASE_URL,
  MJA_CONFIG_KEY_AUTH_BASE_URL,
  MJA_CONFIG_KEY_PROTOCOL,
  MJA_CONFIG_KEY_IMAGE_FORMAT,
  MJA_CONFIG_KEY_DOWNLOAD_KINDS,
  MJA_CONFIG_KEY_JSON_INDENT,
  MJA_CONFIG_KEY_CONCURRENCY,
  MJA_CONFIG_KEY_REQUEST_INTERVAL,  /* milliseconds between API requests */
  MJA_CONFIG_KEY_PAGE_SIZE,         /* jobs per page, current era */
  MJA_CONFIG_KEY_MAX_TRIES,
  MJA_CONFIG_KEY_RETRY_BASE,        /* milliseconds before the first retry */
  MJA_CONFIG_KEY_PAGE_DEADLINE,     /* seconds for a whole API answer */
  MJA_CONFIG_KEY_IMAGE_DEADLINE,    /* seconds for one try at a whole image */
  MJA_CONFIG_KEY_MAX_PAGE_BYTES,
  MJA_CONFIG_KEY_MAX_IMAGE_BYTES,
  MJA_CONFIG_KEY_EMBED_METADATA,    /* write the prompt into each image (XMP) */
  MJA_CONFIG_KEY_CONNECTION,        /* auto, direct or browser */
  MJA_CONFIG_KEY_REFRESH_KEY,       /* the token service's web API key */
  MJA_CONFIG_N_KEYS
} MjaConfigKey;

/* What carries the sync's requests (see mja-transport.h). */
typedef enum
{
  MJA_CONNECTION_AUTO,     /* the browser where one can be shown, else direct */
  MJA_CONNECTION_DIRECT,   /* libsoup */
  MJA_CONNECTION_BROWSER,  /* WebKitGTK */
} MjaConnection;

#define MJA_TYPE_CONFIG (mja_config_get_type ())
G_DECLARE_FINAL_TYPE (MjaConfig, mja_config, MJA, CONFIG, GObject)

MjaConfig          *mja_config_new                   (void);
MjaConfig          *mja_config_new_for_settings      (GSettings    *settings);
void                mja_config_set_flag              (MjaConfig    *self,
                                                      MjaConfigKey  key,
                                                      const char   *value);
char               *mja_config_dup_string            (MjaConfig    *self,
                                                      MjaConfigKey  key);
gboolean            mja_config_get_boolean           (MjaConfig    *self,
                                                      MjaConfigKey  key);

const char         *mja_config_get_default_string    (MjaConfigKey  key);
gboolean            mja_config_get_default_boolean   (MjaConfigKey  key);
guint               mja_config_get_default_uint      (MjaConfigKey  key);
const char * const *mja_config_get_default_strv      (MjaConfigKey  key);

MjaConfigKey        mja_config_base_url_key          (const char   *which);
const char * const *mja_config_get_image_formats     (void);
gboolean            mja_config_image_format_is_valid (const char   *format);
const char         *mja_config_protocol_to_string    (MjaProtocol   protocol);
gboolean            mja_config_protocol_from_string  (const char   *name,
                                                      MjaProtocol  *protocol);
const char         *mja_config_connection_to_string  (MjaConnection connection);
gboolean            mja_config_connection_from_string (const char   *name,
                                                       MjaConnection *connection);

G_END_DECLS
