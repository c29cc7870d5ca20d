/* mja-index.c — SQLite (WAL) + FTS5 index over the archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the grid, the filters, search and stats ask, answered from one
 * SQLite file in the archive's state folder.  It is a cache of the files:
 * `reindex` rebuilds it from them at any time, so nothing here is the only
 * copy of anything.  One MjaIndex is used by one thread at a time; other
 * threads open their own (WAL lets readers run beside the writer).
 *
 * This file opens the database and holds its schema and the statement
 * cache; the writes, the queries and the rebuild live beside it
 * (mja-index-write.c, -query.c, -rebuild.c) and share the object through
 * mja-index-private.h.  No other room sees SQL.
 */
#define G_LOG_DOMAIN "mja-index"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <sqlite3.h>

#include "mja-index-private.h"

/* Raised whenever the tables change; an index of another version is
 * dropped and rebuilt from the files the next time it is opened (2: a
 * rating may be NULL, the trigram table).  The sync states are kept. */
#define SCHEMA_VERSION 2

G_DEFINE_FINAL_TYPE (MjaIndex, mja_index, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-index-error-quark, mja_index_error)

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS jobs ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  json_path TEXT NOT NULL,"
  "  time_us INTEGER NOT NULL,"
  "  job_type TEXT NOT NULL,"
  "  event_type TEXT,"
  "  kind TEXT NOT NULL,"
  "  prompt TEXT NOT NULL,"
  "  full_command TEXT NOT NULL,"
  "  width INTEGER, height INTEGER, batch INTEGER,"
  "  rating INTEGER,"  /* NULL: not rated */
  "  liked INTEGER NOT NULL DEFAULT 0,"
  "  parent_id TEXT,"
  "  era INTEGER NOT NULL"
  ");"
  "CREATE INDEX IF NOT EXISTS jobs_time ON jobs (time_us);"
  "CREATE INDEX IF NOT EXISTS jobs_type ON jobs (job_type, time_us);"
  "CREATE INDEX IF NOT EXISTS jobs_parent ON jobs (parent_id);"
  "CREATE TABLE IF NOT EXISTS images ("
  "  job_id TEXT NOT NULL,"
  "  idx INTEGER NOT NULL,"
  "  path TEXT NOT NULL,"
  "  url TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  size INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (job_id, idx)"
  ") WITHOUT ROWID;"
  "CREATE INDEX IF NOT EXISTS images_state ON images (state);"
  "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE IF NOT EXISTS jobs_fts USING fts5 ("
  "  prompt, full_command, content='jobs', content_rowid='rowid',"
  "  tokenize='unicode61 remove_diacritics 2');"
  /* Substrings, for what unicode61 drops or keeps whole: emoji and
   * symbols, CJK runs, "--ar 16:9". */
  "CREATE VIRTUAL TABLE IF NOT EXISTS jobs_trgm USING fts5 ("
  "  prompt, full_command, content='jobs', content_rowid='rowid', tokenize='trigram');"
  "CREATE TRIGGER IF NOT EXISTS jobs_ai AFTER INSERT ON jobs BEGIN"
  "  INSERT INTO jobs_fts (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "  INSERT INTO jobs_trgm (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "END;"
  "CREATE TRIGGER IF NOT EXISTS jobs_ad AFTER DELETE ON jobs BEGIN"
  "  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "  INSERT INTO jobs_trgm (jobs_trgm, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "END;"
  "CREATE TRIGGER IF NOT EXISTS jobs_au AFTER UPDATE ON jobs BEGIN"
  "  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "  INSERT INTO jobs_fts (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "  INSERT INTO jobs_trgm (jobs_trgm, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "  INSERT INTO jobs_trgm (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "END;";

/* What an index of another version had; "state" stays (the sync's
 * checkpoint), the rest comes back from the files. */
static const char drop_sql[] =
  "DROP TRIGGER IF EXISTS jobs_ai; DROP TRIGGER IF EXISTS jobs_ad; DROP TRIGGER IF EXISTS jobs_au;"
  "DROP TABLE IF EXISTS jobs_fts; DROP TABLE IF EXISTS jobs_trgm;"
  "DROP TABLE IF EXISTS images; DROP TABLE IF EXISTS jobs;";

gboolean
_mja_index_db_error (MjaIndex  *self,
                     GError   **error)
{
  g_assert (MJA_IS_INDEX (self));
  g_assert (self->db != NULL);

  /* A full disk is not a broken index: nothing to rebuild, room to make.
   * SQLite rolled the transaction back, so the next sync resumes. */
  if ((sqlite3_errcode (self->db) == SQLITE_FULL) ||
      (sqlite3_errcode (self->db) == SQLITE_IOERR && sqlite3_system_errno (self->db) == ENOSPC))
    {
      g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE,
                   _("The archive index could not be written: %s. Free some space and sync again; the archive "
                     "resumes where it stopped."), g_strerror (ENOSPC));
      return FALSE;
    }
  /* Locked is not broken either: another program has the archive. */
  if ((sqlite3_errcode (self->db) & 0xff) == SQLITE_BUSY || (sqlite3_errcode (self->db) & 0xff) == SQLITE_LOCKED)
    {
      g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE,
                   _("The archive index is in use by another program (another sync, a rebuild of the index or the "
                     "app) and stayed locked: %s. Wait until that program is done and try again; the index is not "
                     "broken."),
                   sqlite3_errmsg (self->db));
      return FALSE;
    }
  g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE,
               _("The archive index failed: %s. Run “mj-archiver-cli reindex” to rebuild it from the files."),
               sqlite3_errmsg (self->db));
  return FALSE;
}

gboolean
_mja_index_exec (MjaIndex    *self,
                 const char  *sql,
                 GError     **error)
{
  g_assert (MJA_IS_INDEX (self));
  g_assert (self->db != NULL);

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _mja_index_db_error (self, error);
  return TRUE;
}

/* Statements are prepared once per index and kept: a reindex runs the same
 * few hundred thousand times, and parsing SQL was a sixth of its time.  The
 * SQL texts are the code's own, and the query builder's few shapes. */
sqlite3_stmt *
_mja_index_prepare (MjaIndex    *self,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  g_assert (MJA_IS_INDEX (self));
  g_assert (self->db != NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      /* One user at a time: a cached statement comes back reset at the
       * end of its g_autoptr scope; still running, two users would share
       * its rows. */
      g_assert (!sqlite3_stmt_busy (stmt));
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      _mja_index_db_error (self, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

static void
statement_free (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
mja_index_finalize (GObject *object)
{
  MjaIndex *self = MJA_INDEX (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);  /* finalizes them, before the database closes */
  /* The last connection to close folds the WAL into the database and
   * removes -wal and -shm; a truncating checkpoint first leaves them
   * empty even when another process still has the index open. */
  if (self->db != NULL)
    sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  g_clear_pointer (&self->db, sqlite3_close);
  G_OBJECT_CLASS (mja_index_parent_class)->finalize (object);
}

static void
mja_index_class_init (MjaIndexClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_index_finalize;
}

static void
mja_index_init (MjaIndex *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, statement_free);
}

static int
user_version (MjaIndex *self)
{
  g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self, "PRAGMA user_version", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

/* The tables of this version, made or remade: an index of another
 * version (1 had no user_version) is emptied and reads the files again
 * (mja_index_build_if_empty). */
static gboolean
ensure_schema (MjaIndex  *self,
               GError   **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d;", SCHEMA_VERSION);
  int version;

  if (user_version (self) == SCHEMA_VERSION)
    return _mja_index_exec (self, schema_sql, error);
  /* Asked again under the write lock: another process or thread opening
   * the same new index at the same time has made it already, and what it
   * wrote since must not be dropped. */
  if (!_mja_index_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  version = user_version (self);
  if (version != SCHEMA_VERSION)
    {
      if (version != 0)
        g_debug ("The archive index has version %d, this program writes %d: rebuilding it", version,
                 SCHEMA_VERSION);
      if (!_mja_index_exec (self, drop_sql, error) || !_mja_index_exec (self, schema_sql, error) ||
          !_mja_index_exec (self, set_version, error))
        {
          _mja_index_exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return _mja_index_exec (self, "COMMIT", error);
}

MjaIndex *
mja_index_open (const char  *path,
                GError     **error)
{
  g_autoptr(MjaIndex) self = g_object_new (MJA_TYPE_INDEX, NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE,
                   _("Could not open the archive index “%s”: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : g_strerror (ENOMEM));
      return NULL;
    }
  /* Writers and readers in other threads and processes wait for each
   * other instead of failing. */
  sqlite3_busy_timeout (self->db, 10000);
  /* A 32 MiB page cache: a reindex of 100,000 jobs is one transaction, and
   * with SQLite's default 2 MiB it spilled pages to the WAL and read them
   * back (a fifth of its time). */
  if (!_mja_index_exec (self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
                              " PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;", error) ||
      !ensure_schema (self, error))
    return NULL;
  /* A job's kind, model and aspect ratio in words, for facets and filters. */
  if (!_mja_index_register_functions (self->db))
    {
      _mja_index_db_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

MjaIndex *
mja_index_open_archive (MjaArchive  *archive,
                        GError     **error)
{
  g_autofree char *path = NULL;

  if (!mja_archive_ensure (archive, error))
    return NULL;
  path = mja_archive_dup_state_path (archive, "index.sqlite");
  return mja_index_open (path, error);
}

gboolean
mja_index_begin (MjaIndex  *self,
                 GError   **error)
{
  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  return _mja_index_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
mja_index_commit (MjaIndex  *self,
                  GError   **error)
{
  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  return _mja_index_exec (self, "COMMIT", error);
}
