/* mja-cli.h — what the mj-archiver-cli commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mja-archive-lock.h"
#include "mja-archive.h"
#include "mja-config.h"
#include "mja-credentials.h"
#include "mja-index.h"
#include "mja-sync.h"

G_BEGIN_DECLS

/* Documented in --help and the README; scripts rely on them. */
typedef enum
{
  MJA_EXIT_OK         = 0,
  MJA_EXIT_PARTIAL    = 1,  /* finished, with some failed items */
  MJA_EXIT_USAGE      = 2,
  MJA_EXIT_AUTH       = 3,  /* not signed in, session expired */
  MJA_EXIT_BLOCKED    = 4,  /* Midjourney's bot protection */
  MJA_EXIT_NETWORK    = 5,  /* network or server failure after retries */
  MJA_EXIT_ARCHIVE    = 6,  /* archive I/O error */
  MJA_EXIT_BUSY       = 7,  /* another sync, download or reindex holds the archive */
  MJA_EXIT_CANCELLED  = 130,
} MjaExit;

typedef struct
{
  char     *archive;
  char     *api_base_url;
  char     *cdn_base_url;
  char     *auth_base_url;
  char     *protocol;
  char     *cookie;         /* a value, or "-": standard input */
  char     *cookie_file;
  char     *session_token;
  char     *user_id;
  gboolean  quiet;
  gboolean  verbose;
  gboolean  json;
  /* resolved */
  gboolean  credentials_from_keyring;
  gboolean  used_browser;  /* WebKit was started: see main () */
} MjaCli;

typedef int (*MjaCliCommand) (MjaCli *cli, int argc, char **argv);

GOptionGroup   *mja_cli_common_group      (MjaCli          *cli);
int             mja_cli_parse             (MjaCli          *cli,
                                           const char      *command,
                                           const char      *parameters,
                                           const char      *summary,
                                           const GOptionEntry *entries,
                                           int             *argc,
                                           char          ***argv);
char           *mja_cli_archive_dir       (MjaCli          *cli);
char           *mja_cli_base_url          (MjaCli          *cli,
                                           const char      *which);
MjaCredentials *mja_cli_credentials       (MjaCli          *cli,
                                           GError         **error);
int             mja_cli_exit_for_error    (const GError    *error);
MjaTransport   *mja_cli_new_transport     (MjaCli          *cli,
                                           const char      *connection,
                                           MjaCredentials  *credentials,
                                           guint            concurrency,
                                           GError         **error);
int             mja_cli_fail              (const GError    *error);
MjaIndex       *mja_cli_open_index        (MjaCli          *cli,
                                           MjaArchive     **archive,
                                           GError         **error);
void            mja_cli_print_json        (JsonNode        *node);
gboolean        mja_cli_parse_date        (const char      *text,
                                           gboolean         end_of_day,
                                           gint64          *out_us,
                                           GError         **error);
GStrv           mja_cli_split_list        (const char      *text);
gboolean        mja_cli_embed_metadata    (MjaCli          *cli,
                                           gboolean         flag);

/* mja-cli-print.c */
char           *mja_cli_escape            (const char      *text,
                                           gboolean         keep_newlines);
void            mja_cli_csv_field         (GString         *line,
                                           const char      *value);

int mja_cli_sync     (MjaCli *cli, int argc, char **argv);
int mja_cli_download (MjaCli *cli, int argc, char **argv);
int mja_cli_search   (MjaCli *cli, int argc, char **argv);
int mja_cli_stats    (MjaCli *cli, int argc, char **argv);
int mja_cli_verify   (MjaCli *cli, int argc, char **argv);
int mja_cli_reindex  (MjaCli *cli, int argc, char **argv);
int mja_cli_export   (MjaCli *cli, int argc, char **argv);
int mja_cli_login    (MjaCli *cli, int argc, char **argv);
int mja_cli_logout   (MjaCli *cli, int argc, char **argv);
int mja_cli_status   (MjaCli *cli, int argc, char **argv);
int mja_cli_tag      (MjaCli *cli, int argc, char **argv);

G_END_DECLS
