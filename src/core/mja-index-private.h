/* mja-index-private.h — what the index's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object and the few calls every part of the index uses: the
 * database, its cached statements, and how a failure becomes an error.
 * Only src/core/mja-index*.c include this.
 */
#pragma once

#include <sqlite3.h>

#include "mja-index.h"

G_BEGIN_DECLS

struct _MjaIndex
{
  GObject     parent_instance;

  sqlite3    *db;
  GHashTable *statements;  /* SQL text -> sqlite3_stmt, prepared once */
};

gboolean      _mja_index_register_functions (sqlite3 *db);
gboolean      _mja_index_db_error (MjaIndex    *self,
                                   GError     **error);
gboolean      _mja_index_exec     (MjaIndex    *self,
                                   const char  *sql,
                                   GError     **error);
sqlite3_stmt *_mja_index_prepare  (MjaIndex    *self,
                                   const char  *sql,
                                   GError     **error);

/* What g_autoptr(sqlite3_stmt) does at the end of a scope: the statement
 * goes back to the cache, ready for its next use. */
static inline void
statement_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, statement_release)

static inline void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

G_END_DECLS
