/* mja-index.c — SQLite (WAL) + FTS5 index over the archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the grid, the filters, search and stats ask, answered from one
 * SQLite file in the archive's state folder.  It is a cache of the files:
 * `reindex` rebuilds it from them at any time, so nothing here is the only
 * copy of anything.  One MjaIndex is used by one thread at a time; other
 * threads open their own (WAL lets readers run beside the writer).
 */
#define G_LOG_DOMAIN "mja-index"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "mja-config.h"
#include "mja-index.h"

#define SCHEMA_VERSION 1

struct _MjaIndex
{
  GObject     parent_instance;

  sqlite3    *db;
  GHashTable *statements;  /* SQL text -> sqlite3_stmt, prepared once */
};

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
  "  rating INTEGER NOT NULL DEFAULT 0,"
  "  liked INTEGER NOT NULL DEFAULT 0,"
  "  parent_id TEXT,"
  "  era INTEGER NOT NULL"
  ");"
  "CREATE INDEX IF NOT EXISTS jobs_time ON jobs (time_us);"
  "CREATE INDEX IF NOT EXISTS jobs_type ON jobs (job_type, time_us);"
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
  "CREATE TRIGGER IF NOT EXISTS jobs_ai AFTER INSERT ON jobs BEGIN"
  "  INSERT INTO jobs_fts (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "END;"
  "CREATE TRIGGER IF NOT EXISTS jobs_ad AFTER DELETE ON jobs BEGIN"
  "  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "END;"
  "CREATE TRIGGER IF NOT EXISTS jobs_au AFTER UPDATE ON jobs BEGIN"
  "  INSERT INTO jobs_fts (jobs_fts, rowid, prompt, full_command)"
  "    VALUES ('delete', old.rowid, old.prompt, old.full_command);"
  "  INSERT INTO jobs_fts (rowid, prompt, full_command) VALUES (new.rowid, new.prompt, new.full_command);"
  "END;";

static gboolean
db_error (MjaIndex  *self,
          GError   **error)
{
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
  g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_DATABASE,
               _("The archive index failed: %s. Run “mj-archiver-cli reindex” to rebuild it from the files."),
               sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (MjaIndex    *self,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return db_error (self, error);
  return TRUE;
}

/* Statements are prepared once per index and kept: a reindex runs the same
 * few hundred thousand times, and parsing SQL was a sixth of its time.  The
 * SQL texts are the code's own, and the query builder's few shapes. */
static sqlite3_stmt *
prepare (MjaIndex    *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
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

/* What g_autoptr(sqlite3_stmt) does at the end of a scope: the statement
 * goes back to the cache, ready for its next use. */
static void
statement_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, statement_release)

static void
mja_index_finalize (GObject *object)
{
  MjaIndex *self = MJA_INDEX (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);  /* finalizes them, before the database closes */
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
  if (!exec (self, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
                   " PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;", error) ||
      !exec (self, schema_sql, error))
    return NULL;
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
  return exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
mja_index_commit (MjaIndex  *self,
                  GError   **error)
{
  return exec (self, "COMMIT", error);
}

gboolean
mja_index_clear (MjaIndex  *self,
                 GError   **error)
{
  return exec (self, "DELETE FROM jobs; DELETE FROM images; "
                     "INSERT INTO jobs_fts (jobs_fts) VALUES ('delete-all');", error);
}

static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

/**
 * mja_index_add_job:
 * @json_path: the job's file, relative to the archive root
 * @planned: (element-type MjaPlannedImage): the image files it should have
 *
 * Adds or updates the job; images already known keep their state.
 */
gboolean
mja_index_add_job (MjaIndex   *self,
                   MjaJob     *job,
                   const char *json_path,
                   GPtrArray  *planned,
                   GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) image = NULL;
  GDateTime *time = mja_job_get_enqueue_time (job);
  const char *kind = mja_job_kind_to_string (mja_job_get_kind (job));

  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  stmt = prepare (self,
                  "INSERT INTO jobs (id, json_path, time_us, job_type, event_type, kind, prompt, full_command,"
                  " width, height, batch, rating, liked, parent_id, era)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                  " ON CONFLICT (id) DO UPDATE SET json_path = ?2, time_us = ?3, job_type = ?4, event_type = ?5,"
                  " kind = ?6, prompt = ?7, full_command = ?8, width = ?9, height = ?10, batch = ?11,"
                  " rating = ?12, liked = ?13, parent_id = ?14, era = ?15", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, mja_job_get_id (job));
  bind_text (stmt, 2, json_path);
  sqlite3_bind_int64 (stmt, 3, g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time));
  bind_text (stmt, 4, mja_job_get_job_type (job));
  bind_text (stmt, 5, mja_job_get_event_type (job));
  bind_text (stmt, 6, kind);
  bind_text (stmt, 7, mja_job_get_prompt (job));
  bind_text (stmt, 8, mja_job_get_full_command (job));
  sqlite3_bind_int (stmt, 9, (int) mja_job_get_width (job));
  sqlite3_bind_int (stmt, 10, (int) mja_job_get_height (job));
  sqlite3_bind_int (stmt, 11, (int) mja_job_get_batch_size (job));
  sqlite3_bind_int (stmt, 12, (int) mja_job_get_rating (job));
  sqlite3_bind_int (stmt, 13, mja_job_get_liked (job));
  bind_text (stmt, 14, mja_job_get_parent_id (job));
  sqlite3_bind_int (stmt, 15, mja_job_get_era (job));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (self, error);

  if (planned == NULL)
    return TRUE;
  image = prepare (self,
                   "INSERT INTO images (job_id, idx, path, url, kind) VALUES (?1, ?2, ?3, ?4, ?5)"
                   " ON CONFLICT (job_id, idx) DO UPDATE SET url = ?4, kind = ?5,"
                   " path = CASE WHEN state = 1 THEN path ELSE ?3 END", error);
  if (image == NULL)
    return FALSE;
  for (guint i = 0; i < planned->len; i++)
    {
      MjaPlannedImage *p = g_ptr_array_index (planned, i);

      sqlite3_reset (image);
      bind_text (image, 1, mja_job_get_id (job));
      sqlite3_bind_int (image, 2, (int) p->index);
      bind_text (image, 3, p->path);
      bind_text (image, 4, p->url);
      bind_text (image, 5, kind);
      if (sqlite3_step (image) != SQLITE_DONE)
        return db_error (self, error);
    }
  return TRUE;
}

gboolean
mja_index_has_job (MjaIndex   *self,
                   const char *id)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT 1 FROM jobs WHERE id = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
mja_index_set_image (MjaIndex       *self,
                     const char     *job_id,
                     guint           index,
                     MjaImageState   state,
                     guint64         size,
                     GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "UPDATE images SET state = ?3, size = ?4 WHERE job_id = ?1 AND idx = ?2",
                                          error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, job_id);
  sqlite3_bind_int (stmt, 2, (int) index);
  sqlite3_bind_int (stmt, 3, state);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) size);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (self, error);
  return TRUE;
}

void
mja_index_image_free (MjaIndexImage *image)
{
  g_free (image->job_id);
  g_free (image->path);
  g_free (image->url);
  g_free (image->kind);
  g_free (image);
}

static MjaIndexImage *
image_from_row (sqlite3_stmt *stmt)
{
  MjaIndexImage *image = g_new0 (MjaIndexImage, 1);

  image->job_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  image->index = (guint) sqlite3_column_int (stmt, 1);
  image->path = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  image->url = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  image->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  return image;
}

/* Images not downloaded yet (or failed last time), of the given kinds,
 * newest job first. */
GPtrArray *
mja_index_dup_pending_images (MjaIndex  *self,
                              GStrv      kinds,
                              GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) mja_index_image_free);
  int rc;

  stmt = prepare (self, "SELECT i.job_id, i.idx, i.path, i.url, i.kind FROM images i JOIN jobs j ON j.id = i.job_id"
                        " WHERE i.state != 1 ORDER BY j.time_us DESC, i.idx", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (kinds != NULL && !g_strv_contains ((const char * const *) kinds, (const char *) sqlite3_column_text (stmt, 4)))
        continue;
      g_ptr_array_add (images, image_from_row (stmt));
    }
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&images);
}

GPtrArray *
mja_index_dup_images (MjaIndex    *self,
                      const char  *job_id,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) mja_index_image_free);

  stmt = prepare (self, "SELECT job_id, idx, path, url, kind, state FROM images WHERE job_id = ?1 ORDER BY idx",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, job_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (images, image_from_row (stmt));
  return g_steal_pointer (&images);
}

char *
mja_index_dup_state (MjaIndex   *self,
                     const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT value FROM state WHERE key = ?1", NULL);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

gboolean
mja_index_set_state (MjaIndex    *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (value == NULL)
    stmt = prepare (self, "DELETE FROM state WHERE key = ?1", error);
  else
    stmt = prepare (self, "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  if (value != NULL)
    bind_text (stmt, 2, value);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return db_error (self, error);
  return TRUE;
}

/* Bare words become prefix searches ("cat" finds "cats"); a query that
 * already uses FTS5 syntax is passed as it is. */
static char *
fts_query (const char *text)
{
  GString *query;
  g_auto(GStrv) words = NULL;

  if (strpbrk (text, "\"*^:()") != NULL || strstr (text, " AND ") || strstr (text, " OR ") ||
      strstr (text, " NOT ") || strstr (text, "NEAR("))
    return g_strdup (text);

  query = g_string_new (NULL);
  words = g_strsplit_set (text, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (query->len > 0)
        g_string_append_c (query, ' ');
      g_string_append_printf (query, "\"%s\"*", words[i]);
    }
  return g_string_free (query, FALSE);
}

static void
append_in_list (GString    *sql,
                GPtrArray  *binds,
                const char *column,
                GStrv       values)
{
  g_string_append_printf (sql, " AND %s IN (", column);
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_string_append (sql, i ? ", ?" : "?");
      g_ptr_array_add (binds, g_strdup (values[i]));
    }
  g_string_append_c (sql, ')');
}

/* The WHERE clause both query and count use; text values go to @binds,
 * numbers are written into the SQL. */
static char *
build_where (const MjaIndexQuery *query,
             GPtrArray           *binds)
{
  GString *sql = g_string_new (" WHERE 1");

  if (query->text != NULL && *query->text != '\0')
    {
      g_string_append (sql, " AND jobs.rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)");
      g_ptr_array_add (binds, fts_query (query->text));
    }
  if (query->job_types != NULL && query->job_types[0] != NULL)
    append_in_list (sql, binds, "job_type", query->job_types);
  if (query->kinds != NULL && query->kinds[0] != NULL)
    append_in_list (sql, binds, "kind", query->kinds);
  if (query->from_us != 0)
    g_string_append_printf (sql, " AND time_us >= %" G_GINT64_FORMAT, query->from_us);
  if (query->to_us != 0)
    g_string_append_printf (sql, " AND time_us <= %" G_GINT64_FORMAT, query->to_us);
  if (query->min_rating > 0)
    g_string_append_printf (sql, " AND rating >= %u", query->min_rating);
  if (query->liked_only)
    g_string_append (sql, " AND liked = 1");
  if (query->with_images_only)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM images WHERE job_id = jobs.id AND state = 1)");
  return g_string_free (sql, FALSE);
}

static sqlite3_stmt *
prepare_query (MjaIndex            *self,
               const char          *head,
               const MjaIndexQuery *query,
               const char          *tail,
               GError             **error)
{
  g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *where = build_where (query, binds);
  g_autofree char *sql = g_strconcat (head, where, tail, NULL);
  sqlite3_stmt *stmt = NULL;

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < binds->len; i++)
    sqlite3_bind_text (stmt, (int) i + 1, binds->pdata[i], -1, SQLITE_TRANSIENT);
  return stmt;
}

static gboolean
query_error (MjaIndex             *self,
             const MjaIndexQuery  *query,
             GError              **error)
{
  g_autofree char *message = g_strdup (sqlite3_errmsg (self->db));

  /* Was it the search text?  Ask FTS5 about it alone. */
  if (query->text != NULL && *query->text != '\0')
    {
      g_autofree char *match = fts_query (query->text);
      g_autoptr(sqlite3_stmt) check = prepare (self, "SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ?1 LIMIT 1", NULL);

      if (check != NULL)
        {
          bind_text (check, 1, match);
          if (sqlite3_step (check) == SQLITE_ERROR)
            {
              g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_BAD_QUERY,
                           _("The search “%s” is not valid: %s"), query->text, message);
              return FALSE;
            }
        }
    }
  return db_error (self, error);
}

void
mja_index_row_free (MjaIndexRow *row)
{
  g_free (row->id);
  g_free (row->json_path);
  g_free (row->job_type);
  g_free (row->kind);
  g_free (row->prompt);
  g_free (row->full_command);
  g_free (row->parent_id);
  g_free (row->first_image);
  g_free (row);
}

/* What a row is made of, for the query and for one job by id. */
#define ROW_COLUMNS \
  "SELECT id, json_path, time_us, job_type, kind, prompt, full_command, width, height," \
  " rating, liked, parent_id," \
  " (SELECT path FROM images WHERE job_id = jobs.id AND state = 1 ORDER BY idx LIMIT 1)," \
  " (SELECT COUNT(*) FROM images WHERE job_id = jobs.id AND state = 1)" \
  " FROM jobs"

static MjaIndexRow *
row_from_statement (sqlite3_stmt *stmt)
{
  MjaIndexRow *row = g_new0 (MjaIndexRow, 1);

  row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->json_path = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  row->time_us = sqlite3_column_int64 (stmt, 2);
  row->job_type = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  row->kind = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  row->prompt = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  row->full_command = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  row->width = (guint) sqlite3_column_int (stmt, 7);
  row->height = (guint) sqlite3_column_int (stmt, 8);
  row->rating = (guint) sqlite3_column_int (stmt, 9);
  row->liked = sqlite3_column_int (stmt, 10) != 0;
  row->parent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  row->first_image = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  row->n_images = (guint) sqlite3_column_int (stmt, 13);
  return row;
}

/* The rows of @query (all of their columns, or with @ids_only just the ids,
 * as char*) in its order. */
static GPtrArray *
query_rows (MjaIndex             *self,
            const MjaIndexQuery  *query,
            gboolean              ids_only,
            GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (ids_only ? g_free
                                                                       : (GDestroyNotify) mja_index_row_free);
  g_autofree char *tail = NULL;
  int rc;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  tail = g_strdup_printf (" ORDER BY time_us %s LIMIT %d OFFSET %u", query->oldest_first ? "ASC" : "DESC",
                          query->limit ? (int) query->limit : -1, query->offset);
  stmt = prepare_query (self, ids_only ? "SELECT id FROM jobs" : ROW_COLUMNS, query, tail, error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, ids_only ? (gpointer) g_strdup ((const char *) sqlite3_column_text (stmt, 0))
                                    : (gpointer) row_from_statement (stmt));
  if (rc != SQLITE_DONE)
    {
      query_error (self, query, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
mja_index_query (MjaIndex             *self,
                 const MjaIndexQuery  *query,
                 GError              **error)
{
  return query_rows (self, query, FALSE, error);
}

/* Just the ids, for a list that reads each row when it is shown
 * (mja_index_dup_row): 100,000 jobs are 5 MB of ids, not 200 MB of rows. */
GPtrArray *
mja_index_query_ids (MjaIndex             *self,
                     const MjaIndexQuery  *query,
                     GError              **error)
{
  return query_rows (self, query, TRUE, error);
}

/* One job's row, or NULL (and no error) when the index has no such job. */
MjaIndexRow *
mja_index_dup_row (MjaIndex    *self,
                   const char  *id,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  stmt = prepare (self, ROW_COLUMNS " WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_from_statement (stmt);
  if (rc != SQLITE_DONE)
    db_error (self, error);
  return NULL;
}

gint64
mja_index_count (MjaIndex             *self,
                 const MjaIndexQuery  *query,
                 GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), -1);

  stmt = prepare_query (self, "SELECT COUNT(*) FROM jobs", query, "", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      query_error (self, query, error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static void
count_free (MjaIndexCount *count)
{
  g_free (count->name);
  g_free (count);
}

void
mja_index_stats_free (MjaIndexStats *stats)
{
  g_clear_pointer (&stats->per_type, g_ptr_array_unref);
  g_clear_pointer (&stats->per_month, g_ptr_array_unref);
  g_free (stats);
}

static GPtrArray *
collect_counts (MjaIndex    *self,
                const char  *sql,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  GPtrArray *counts;

  if (stmt == NULL)
    return NULL;
  counts = g_ptr_array_new_with_free_func ((GDestroyNotify) count_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      MjaIndexCount *count = g_new0 (MjaIndexCount, 1);

      count->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      count->count = (guint64) sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (counts, count);
    }
  return counts;
}

/**
 * mja_index_dup_stats:
 * @download_kinds: (nullable): the kinds whose images are downloaded;
 *   %NULL means grids and upscales
 */
MjaIndexStats *
mja_index_dup_stats (MjaIndex  *self,
                     GStrv      download_kinds,
                     GError   **error)
{
  const char * const *defaults = mja_config_get_default_strv (MJA_CONFIG_KEY_DOWNLOAD_KINDS);
  const char * const *kinds = download_kinds ? (const char * const *) download_kinds : defaults;
  g_autoptr(MjaIndexStats) stats = g_new0 (MjaIndexStats, 1);
  g_autoptr(sqlite3_stmt) totals = NULL;
  g_autoptr(sqlite3_stmt) pending = NULL;
  int rc;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  totals = prepare (self,
                    "SELECT (SELECT COUNT(*) FROM jobs),"
                    " (SELECT COUNT(*) FROM images WHERE state = 1),"
                    " (SELECT COALESCE(SUM(size), 0) FROM images WHERE state = 1)", error);
  if (totals == NULL)
    return NULL;
  if (sqlite3_step (totals) != SQLITE_ROW)
    {
      db_error (self, error);
      return NULL;
    }
  stats->jobs = (guint64) sqlite3_column_int64 (totals, 0);
  stats->images = (guint64) sqlite3_column_int64 (totals, 1);
  stats->bytes = (guint64) sqlite3_column_int64 (totals, 2);

  pending = prepare (self, "SELECT kind, state, COUNT(*) FROM images WHERE state != 1 GROUP BY kind, state", error);
  if (pending == NULL)
    return NULL;
  while ((rc = sqlite3_step (pending)) == SQLITE_ROW)
    {
      guint64 count = (guint64) sqlite3_column_int64 (pending, 2);

      if (!g_strv_contains (kinds, (const char *) sqlite3_column_text (pending, 0)) &&
          !g_strv_contains (kinds, "all"))
        stats->not_wanted += count;
      else if (sqlite3_column_int (pending, 1) == MJA_IMAGE_FAILED)
        stats->failed_images += count;
      else
        stats->missing_images += count;
    }
  if (rc != SQLITE_DONE)
    {
      db_error (self, error);
      return NULL;
    }

  stats->per_type = collect_counts (self, "SELECT job_type, COUNT(*) FROM jobs GROUP BY job_type ORDER BY 2 DESC, 1",
                                    error);
  if (stats->per_type == NULL)
    return NULL;
  stats->per_month = collect_counts (self,
                                     "SELECT strftime('%Y-%m', time_us / 1000000, 'unixepoch') AS month, COUNT(*)"
                                     " FROM jobs GROUP BY month ORDER BY month", error);
  if (stats->per_month == NULL)
    return NULL;
  return g_steal_pointer (&stats);
}

void
mja_rebuild_report_free (MjaRebuildReport *report)
{
  g_clear_pointer (&report->broken, g_ptr_array_unref);
  g_free (report);
}

static gboolean
file_size (MjaArchive *archive,
           const char *relative,
           guint64    *size)
{
  g_autofree char *path = mja_archive_dup_path (archive, relative);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
    return FALSE;
  *size = (guint64) st.st_size;
  return TRUE;
}

/* An image already on disk, under the planned name or, for current-era
 * stills synced in another format, under another still format's name. */
static gboolean
find_image (MjaArchive      *archive,
            MjaJob          *job,
            MjaPlannedImage *image,
            guint            n_images,
            guint64         *size)
{
  static const char * const stills[] = { "png", "webp", "jpeg", "jpg", NULL };

  if (file_size (archive, image->path, size))
    return TRUE;
  if (mja_job_get_era (job) != MJA_JOB_ERA_CURRENT || g_str_equal (image->extension, "mp4"))
    return FALSE;
  for (guint i = 0; stills[i] != NULL; i++)
    {
      g_autofree char *relative = NULL;

      if (g_str_equal (stills[i], image->extension))
        continue;
      relative = mja_archive_dup_image_path (job, image->index, n_images, stills[i]);
      if (file_size (archive, relative, size))
        {
          g_free (image->path);
          image->path = g_steal_pointer (&relative);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * mja_index_rebuild:
 *
 * Forgets everything and indexes the archive from its files alone.  A
 * JSON file that does not parse is reported in the result and skipped;
 * the rest is indexed.
 */
MjaRebuildReport *
mja_index_rebuild (MjaIndex      *self,
                   MjaArchive    *archive,
                   const char    *cdn_base_url,
                   const char    *image_format,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(MjaArchiveScan) scan = NULL;
  g_autoptr(MjaRebuildReport) report = g_new0 (MjaRebuildReport, 1);

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  scan = mja_archive_scan (archive, cancellable, error);
  if (scan == NULL)
    return NULL;
  report->broken = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < scan->errors->len; i++)
    g_ptr_array_add (report->broken, g_strdup (scan->errors->pdata[i]));

  if (!mja_index_begin (self, error))
    return NULL;
  /* After a rebuild nothing says the history is complete: the next sync
   * lists everything once more. */
  if (!mja_index_clear (self, error) ||
      !mja_index_set_state (self, "history-complete", NULL, error) ||
      !mja_index_set_state (self, "checkpoint", NULL, error))
    goto fail;

  for (guint i = 0; i < scan->json_files->len; i++)
    {
      const char *relative = scan->json_files->pdata[i];
      g_autofree char *path = mja_archive_dup_path (archive, relative);
      g_autofree char *data = NULL;
      gsize length;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(MjaJob) job = NULL;
      g_autoptr(GPtrArray) planned = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!g_file_get_contents (path, &data, &length, &local_error) ||
          (job = mja_job_new_from_data (data, (gssize) length, &local_error)) == NULL)
        {
          g_ptr_array_add (report->broken, g_strdup_printf ("%s: %s", relative, local_error->message));
          continue;
        }

      planned = mja_archive_plan_images (job, cdn_base_url, image_format);
      if (!mja_index_add_job (self, job, relative, planned, error))
        goto fail;
      report->jobs++;
      for (guint j = 0; j < planned->len; j++)
        {
          MjaPlannedImage *image = g_ptr_array_index (planned, j);
          guint64 size = 0;

          if (find_image (archive, job, image, planned->len, &size))
            {
              g_autoptr(sqlite3_stmt) stmt = prepare (self, "UPDATE images SET state = 1, size = ?3, path = ?4"
                                                            " WHERE job_id = ?1 AND idx = ?2", error);
              if (stmt == NULL)
                goto fail;
              bind_text (stmt, 1, mja_job_get_id (job));
              sqlite3_bind_int (stmt, 2, (int) image->index);
              sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) size);
              bind_text (stmt, 4, image->path);
              if (sqlite3_step (stmt) != SQLITE_DONE)
                {
                  db_error (self, error);
                  goto fail;
                }
              report->images_found++;
            }
          else
            report->images_missing++;
        }
    }
  if (!mja_index_commit (self, error))
    return NULL;
  return g_steal_pointer (&report);

fail:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

/**
 * mja_index_build_if_empty:
 *
 * An archive written by the original scripts, opened for the first time,
 * has files but no index: index them before answering anything.
 *
 * Returns: how many jobs were indexed now; 0 when the index had jobs
 *   already, or the archive has none.
 */
guint
mja_index_build_if_empty (MjaIndex     *self,
                          MjaArchive   *archive,
                          const char   *cdn_base_url,
                          GCancellable *cancellable)
{
  MjaIndexQuery everything = { 0 };
  g_autoptr(MjaRebuildReport) report = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), 0);

  if (mja_index_count (self, &everything, NULL) != 0)
    return 0;
  report = mja_index_rebuild (self, archive, cdn_base_url, mja_config_get_default_string (MJA_CONFIG_KEY_IMAGE_FORMAT),
                              cancellable, NULL);
  return report ? report->jobs : 0;
}
