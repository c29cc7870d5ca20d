/* test-utils.h — what the test suites share: servers, archives, waiting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Compiled once into the test-utils library that every suite links, the
 * way libsoup's tests share theirs.  The helpers only use the rooms'
 * public headers, so a room can change inside without its tests noticing.
 */
#pragma once

#include <libsoup/soup.h>

#include "mja-archive.h"
#include "mja-credentials.h"
#include "mja-fake-server.h"
#include "mja-index.h"
#include "mja-sync.h"

G_BEGIN_DECLS

/* ---- the fake Midjourney -------------------------------------------- */

MjaFakeServer  *helper_start_server         (MjaFakeServerOptions *options);
void            helper_sync_options         (MjaSyncOptions       *options,
                                             MjaFakeServer        *server);
MjaCredentials *helper_current_credentials  (MjaFakeServer        *server);
MjaCredentials *helper_legacy_credentials   (MjaFakeServer        *server);

/* Runs @sync to its end; returns its error, if any. */
GError         *helper_run                  (MjaSync              *sync,
                                             GCancellable         *cancellable);

/* ---- archives and files --------------------------------------------- */

char           *helper_make_archive_dir     (void);
char           *helper_archive_listing      (const char           *root);
void            helper_remove_tree          (const char           *path);
void            helper_index_job            (MjaIndex             *index,
                                             const char           *json);
void            helper_index_numbered_jobs  (MjaIndex             *index,
                                             guint                 n);
GBytes         *helper_image_bytes          (const char           *format,
                                             gsize                 min_size);

/* ---- waiting on the main loop ---------------------------------------- */

typedef gboolean (*HelperCondition) (gpointer data);

void            helper_wait_until           (HelperCondition       condition,
                                             gpointer              data,
                                             guint                 seconds,
                                             const char           *what);
void            helper_wait_ms              (guint                 milliseconds);

/* The GAsyncReadyCallback of helper_async_wait(): pass it with a
 * HelperAsync as user data, then wait for the result to finish with. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} HelperAsync;

void            helper_async_done_cb        (GObject              *source,
                                             GAsyncResult         *result,
                                             gpointer              user_data);
GAsyncResult   *helper_async_wait           (HelperAsync          *async);

/* ---- a server of the test's own -------------------------------------- */

SoupServer     *helper_local_server_new     (char                **base_url);

/* ---- the keyring ------------------------------------------------------ */

void            helper_use_file_keyring     (const char           *dir);

G_END_DECLS
