/* mja-index-query.c — what the grid, search and stats ask
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows, ids and counts for a query (full text through FTS5), one job's
 * row and images, pending images, states and statistics.  Read only:
 * nothing here writes to the database.
 */
#define G_LOG_DOMAIN "mja-index"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-config.h"
#include "mja-index-private.h"
#include "mja-job-words.h"

gboolean
mja_index_has_job (MjaIndex   *self,
                   const char *id)
{
  g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self, "SELECT 1 FROM jobs WHERE id = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* Whether the index has the job with the rating and like it has now: an
 * update listing brings older jobs again when a person rated or liked
 * them on the site, and those are to be written again. */
gboolean
mja_index_job_is_current (MjaIndex *self,
                          MjaJob   *job)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), FALSE);

  stmt = _mja_index_prepare (self, "SELECT 1 FROM jobs WHERE id = ?1 AND rating IS ?2 AND liked = ?3", NULL);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, mja_job_get_id (job));
  if (mja_job_get_rating (job) > 0)
    sqlite3_bind_int (stmt, 2, (int) mja_job_get_rating (job));
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int (stmt, 3, mja_job_get_liked (job));
  return sqlite3_step (stmt) == SQLITE_ROW;
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

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  stmt = _mja_index_prepare (self,
                             "SELECT i.job_id, i.idx, i.path, i.url, i.kind FROM images i"
                             " JOIN jobs j ON j.id = i.job_id"
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
      _mja_index_db_error (self, error);
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

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);
  g_return_val_if_fail (job_id != NULL, NULL);

  stmt = _mja_index_prepare (self,
                             "SELECT job_id, idx, path, url, kind, state FROM images WHERE job_id = ?1 ORDER BY idx",
                             error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, job_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      MjaIndexImage *image = image_from_row (stmt);

      image->state = (MjaImageState) sqlite3_column_int (stmt, 5);
      g_ptr_array_add (images, image);
    }
  return g_steal_pointer (&images);
}

/* The ids of the jobs made from @parent_id (its variations, upscales,
 * videos), oldest first. */
GPtrArray *
mja_index_dup_children (MjaIndex    *self,
                        const char  *parent_id,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);
  g_return_val_if_fail (parent_id != NULL, NULL);

  stmt = _mja_index_prepare (self, "SELECT id FROM jobs WHERE parent_id = ?1 ORDER BY time_us", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, parent_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  return g_steal_pointer (&ids);
}

char *
mja_index_dup_state (MjaIndex   *self,
                     const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self, "SELECT value FROM state WHERE key = ?1", NULL);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A search in FTS5's own syntax goes to the word table as it is
 * written: operators, NEAR, prefix stars, initial tokens, groups and
 * column filters. */
static gboolean
is_fts_syntax (const char *text)
{
  g_autoptr(GRegex) column = g_regex_new ("(^|\\s)(prompt|full_command)\\s*:", 0, 0, NULL);

  guint quotes = 0;

  for (const char *p = text; *p != '\0'; p++)
    quotes += *p == '"';
  /* An unclosed quote, too: FTS5 says what is wrong with it. */
  return quotes % 2 == 1 || strpbrk (text, "*^()") != NULL || strstr (text, " AND ") || strstr (text, " OR ") ||
         strstr (text, " NOT ") || strstr (text, "NEAR(") || g_regex_match (column, text, 0, NULL);
}

/* Whether unicode61 sees @term as words it can find by prefix: letters,
 * digits and marks of scripts that put spaces between words.  Anything
 * else (emoji, symbols, punctuation, CJK and Thai runs) is looked for as
 * a substring. */
static gboolean
is_word_term (const char *term)
{
  for (const char *p = term; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ' ')
        continue;
      if (!g_unichar_isalnum (c) && !g_unichar_ismark (c))
        return FALSE;
      switch (g_unichar_get_script (c))
        {
        case G_UNICODE_SCRIPT_HAN:
        case G_UNICODE_SCRIPT_HIRAGANA:
        case G_UNICODE_SCRIPT_KATAKANA:
        case G_UNICODE_SCRIPT_THAI:
        case G_UNICODE_SCRIPT_LAO:
        case G_UNICODE_SCRIPT_KHMER:
        case G_UNICODE_SCRIPT_MYANMAR:
          return FALSE;
        default:
          break;
        }
    }
  return TRUE;
}

static char *
fts_string (const char *term,
            gboolean    prefix)
{
  g_auto(GStrv) parts = g_strsplit (term, "\"", -1);
  g_autofree char *escaped = g_strjoinv ("\"\"", parts);

  return g_strdup_printf ("\"%s\"%s", escaped, prefix ? "*" : "");
}

/* Bare words, and phrases in double quotes (an open quote runs to the
 * end), in order. */
static GPtrArray *
split_terms (const char *text,
             GArray     *quoted)
{
  GPtrArray *terms = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;

  while (*p != '\0')
    {
      const char *end;
      gboolean phrase;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      phrase = *p == '"';
      if (phrase)
        {
          p++;
          end = strchr (p, '"');
          if (end == NULL)
            end = p + strlen (p);
        }
      else
        for (end = p; *end != '\0' && !g_ascii_isspace (*end); end++)
          ;
      if (end > p)
        {
          g_ptr_array_add (terms, g_strndup (p, end - p));
          g_array_append_val (quoted, phrase);
        }
      p = *end == '"' ? end + 1 : end;
    }
  return terms;
}

static char *
like_pattern (const char *term)
{
  GString *pattern = g_string_new ("%");

  for (const char *p = term; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* The search text as conditions on jobs, all of them required: a word
 * matches as a word prefix ("cat" finds "cats"), a quoted phrase as a
 * phrase, both through unicode61; a term with anything else in it as a
 * substring of the prompt or the full command ("✨", "東京", "--ar",
 * "16:9"), through the trigram table from three characters on and LIKE
 * below. */
static void
append_text_conditions (GString    *sql,
                        GPtrArray  *binds,
                        const char *text)
{
  g_autoptr(GArray) quoted = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) terms = NULL;

  if (is_fts_syntax (text))
    {
      g_string_append (sql, " AND jobs.rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)");
      g_ptr_array_add (binds, g_strdup (text));
      return;
    }
  terms = split_terms (text, quoted);
  for (guint i = 0; i < terms->len; i++)
    {
      const char *term = g_ptr_array_index (terms, i);

      if (is_word_term (term))
        {
          g_string_append (sql, " AND jobs.rowid IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)");
          g_ptr_array_add (binds, fts_string (term, !g_array_index (quoted, gboolean, i)));
        }
      else if (g_utf8_strlen (term, -1) >= 3)
        {
          g_string_append (sql, " AND jobs.rowid IN (SELECT rowid FROM jobs_trgm WHERE jobs_trgm MATCH ?)");
          g_ptr_array_add (binds, fts_string (term, FALSE));
        }
      else
        {
          g_string_append (sql, " AND (jobs.prompt LIKE ? ESCAPE '\\' OR jobs.full_command LIKE ? ESCAPE '\\')");
          g_ptr_array_add (binds, like_pattern (term));
          g_ptr_array_add (binds, like_pattern (term));
        }
    }
}

/* Whether @term, lowered, starts at @p of a text, lowered char by char. */
static gsize
match_at (const char *p,
          const char *term)
{
  const char *start = p;

  while (*term != '\0')
    {
      if (*p == '\0' || g_unichar_tolower (g_utf8_get_char (p)) != g_unichar_tolower (g_utf8_get_char (term)))
        return 0;
      p = g_utf8_next_char (p);
      term = g_utf8_next_char (term);
    }
  return (gsize) (p - start);
}

static gint
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const MjaIndexMatch *x = a, *y = b;

  return x->start != y->start ? (x->start < y->start ? -1 : 1) : (x->end < y->end ? -1 : x->end > y->end);
}

/**
 * mja_index_find_matches:
 * @search: what was typed into the search
 * @text: a prompt the search found
 *
 * Where in @text the search's terms are, as the search finds them: a bare
 * word from the start of a word ("cat" in "Cats", not in "concat"), a
 * quoted phrase, a symbol or a CJK run anywhere; case does not matter.
 * FTS5 operators and column names are left out.
 *
 * Returns: (transfer full): MjaIndexMatch byte ranges of @text, in order,
 *   overlaps merged.
 */
GArray *
mja_index_find_matches (const char *search,
                        const char *text)
{
  static const char * const operators[] = { "AND", "OR", "NOT", "NEAR", NULL };
  g_autoptr(GArray) quoted = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (MjaIndexMatch));
  GArray *merged = g_array_new (FALSE, FALSE, sizeof (MjaIndexMatch));

  if (search == NULL || text == NULL)
    return merged;
  terms = split_terms (search, quoted);
  for (guint i = 0; i < terms->len; i++)
    {
      g_autofree char *term = g_strdup (g_ptr_array_index (terms, i));
      gboolean word = !g_array_index (quoted, gboolean, i);
      const char *colon;

      /* FTS5's own syntax around a term: prefix stars, groups, columns. */
      g_strdelimit (term, "*^()", ' ');
      g_strstrip (term);
      if (word && (colon = strchr (term, ':')) != NULL &&
          (g_str_has_prefix (term, "prompt:") || g_str_has_prefix (term, "full_command:")))
        memmove (term, colon + 1, strlen (colon + 1) + 1);
      if (*term == '\0' || (word && g_strv_contains (operators, term)))
        continue;
      word = word && is_word_term (term);
      for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
        {
          gsize length;

          if (word && p > text && g_unichar_isalnum (g_utf8_get_char (g_utf8_prev_char (p))))
            continue;
          if ((length = match_at (p, term)) > 0)
            {
              MjaIndexMatch match = { (guint) (p - text), (guint) (p - text + length) };

              g_array_append_val (found, match);
            }
        }
    }
  g_array_sort (found, compare_matches);
  for (guint i = 0; i < found->len; i++)
    {
      MjaIndexMatch *match = &g_array_index (found, MjaIndexMatch, i);
      MjaIndexMatch *last = merged->len ? &g_array_index (merged, MjaIndexMatch, merged->len - 1) : NULL;

      if (last != NULL && match->start <= last->end)
        last->end = MAX (last->end, match->end);
      else
        g_array_append_val (merged, *match);
    }
  return merged;
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
    append_text_conditions (sql, binds, query->text);
  if (query->job_types != NULL && query->job_types[0] != NULL)
    append_in_list (sql, binds, "job_type", query->job_types);
  if (query->kinds != NULL && query->kinds[0] != NULL)
    append_in_list (sql, binds, "kind", query->kinds);
  if (query->categories != NULL && query->categories[0] != NULL)
    append_in_list (sql, binds, "mja_category (job_type, event_type)", query->categories);
  if (query->models != NULL && query->models[0] != NULL)
    append_in_list (sql, binds, "mja_model (full_command, job_type)", query->models);
  if (query->aspect_ratios != NULL && query->aspect_ratios[0] != NULL)
    append_in_list (sql, binds, "mja_aspect_ratio (full_command)", query->aspect_ratios);
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

  stmt = _mja_index_prepare (self, sql, error);
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
  if (query->text != NULL && is_fts_syntax (query->text))
    {
      g_autoptr(sqlite3_stmt) check = _mja_index_prepare (self,
                                                          "SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ?1 LIMIT 1",
                                                          NULL);

      if (check != NULL)
        {
          bind_text (check, 1, query->text);
          if (sqlite3_step (check) == SQLITE_ERROR)
            {
              g_set_error (error, MJA_INDEX_ERROR, MJA_INDEX_ERROR_BAD_QUERY,
                           _("The search “%s” is not valid: %s"), query->text, message);
              return FALSE;
            }
        }
    }
  return _mja_index_db_error (self, error);
}

void
mja_index_row_free (MjaIndexRow *row)
{
  g_free (row->id);
  g_free (row->json_path);
  g_free (row->job_type);
  g_free (row->event_type);
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
  " (SELECT COUNT(*) FROM images WHERE job_id = jobs.id AND state = 1)," \
  " event_type" \
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
  row->rating = (guint) sqlite3_column_int (stmt, 9);  /* NULL reads as 0: not rated */
  row->liked = sqlite3_column_int (stmt, 10) != 0;
  row->parent_id = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  row->first_image = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  row->n_images = (guint) sqlite3_column_int (stmt, 13);
  row->event_type = g_strdup ((const char *) sqlite3_column_text (stmt, 14));
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
  g_return_val_if_fail (query != NULL, NULL);

  tail = g_strdup_printf (" ORDER BY %stime_us %s LIMIT %d OFFSET %u",
                          query->by_rating ? "rating IS NULL, rating DESC, " : "",
                          query->oldest_first ? "ASC" : "DESC", query->limit ? (int) query->limit : -1,
                          query->offset);
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

  stmt = _mja_index_prepare (self, ROW_COLUMNS " WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return row_from_statement (stmt);
  if (rc != SQLITE_DONE)
    _mja_index_db_error (self, error);
  return NULL;
}

gint64
mja_index_count (MjaIndex             *self,
                 const MjaIndexQuery  *query,
                 GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), -1);
  g_return_val_if_fail (query != NULL, -1);

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

/* ---- a job in words, as SQL functions -------------------------------------- */

static void
category_function (sqlite3_context *context,
                   int              argc,
                   sqlite3_value  **argv)
{
  MjaJobCategory category = mja_job_category_from_types ((const char *) sqlite3_value_text (argv[0]),
                                                         (const char *) sqlite3_value_text (argv[1]));

  sqlite3_result_text (context, mja_job_category_to_string (category), -1, SQLITE_STATIC);
}

static void
model_function (sqlite3_context *context,
                int              argc,
                sqlite3_value  **argv)
{
  char *model = mja_command_dup_model ((const char *) sqlite3_value_text (argv[0]),
                                       (const char *) sqlite3_value_text (argv[1]));

  if (model != NULL)
    sqlite3_result_text (context, model, -1, g_free);
  else
    sqlite3_result_null (context);
}

static void
aspect_ratio_function (sqlite3_context *context,
                       int              argc,
                       sqlite3_value  **argv)
{
  char *ratio = mja_command_dup_aspect_ratio ((const char *) sqlite3_value_text (argv[0]));

  if (ratio != NULL)
    sqlite3_result_text (context, ratio, -1, g_free);
  else
    sqlite3_result_null (context);
}

/* mja_category (job_type, event_type), mja_model (full_command, job_type)
 * and mja_aspect_ratio (full_command), on the connection @db. */
gboolean
_mja_index_register_functions (sqlite3 *db)
{
  int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

  return sqlite3_create_function (db, "mja_category", 2, flags, NULL, category_function, NULL, NULL) == SQLITE_OK &&
         sqlite3_create_function (db, "mja_model", 2, flags, NULL, model_function, NULL, NULL) == SQLITE_OK &&
         sqlite3_create_function (db, "mja_aspect_ratio", 1, flags, NULL, aspect_ratio_function, NULL,
                                  NULL) == SQLITE_OK;
}

static void count_free (MjaIndexCount *count);

/**
 * mja_index_dup_facet_counts:
 * @query: (nullable): count only what it lets through
 *
 * How many jobs of each category, model, aspect ratio or month
 * (MjaIndexCount*, the most first); jobs without one are not counted.
 */
GPtrArray *
mja_index_dup_facet_counts (MjaIndex             *self,
                            MjaIndexFacet         facet,
                            const MjaIndexQuery  *query,
                            GError              **error)
{
  const char *values[] = { "mja_category (job_type, event_type)", "mja_model (full_command, job_type)",
                           "mja_aspect_ratio (full_command)",
                           "strftime ('%Y-%m', time_us / 1000000, 'unixepoch')" };
  MjaIndexQuery everything = { 0 };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *head = NULL;
  GPtrArray *counts;
  int rc;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);
  g_return_val_if_fail (facet <= MJA_INDEX_FACET_MONTH, NULL);

  if (query == NULL)
    query = &everything;
  head = g_strdup_printf ("SELECT * FROM (SELECT %s AS value, COUNT(*) AS n FROM jobs", values[facet]);
  stmt = prepare_query (self, head, query, " GROUP BY value) WHERE value IS NOT NULL ORDER BY n DESC, value",
                        error);
  if (stmt == NULL)
    return NULL;
  counts = g_ptr_array_new_with_free_func ((GDestroyNotify) count_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MjaIndexCount *count = g_new0 (MjaIndexCount, 1);

      count->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      count->count = (guint64) sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (counts, count);
    }
  if (rc != SQLITE_DONE)
    {
      g_ptr_array_unref (counts);
      query_error (self, query, error);
      return NULL;
    }
  return counts;
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
  g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self, sql, error);
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

/* The kinds of job of which the index counts an image downloaded. */
static GStrv
dup_downloaded_kinds (MjaIndex  *self,
                      GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = _mja_index_prepare (self, "SELECT DISTINCT kind FROM images WHERE state = 1"
                                                           " ORDER BY kind", error);
  g_autoptr(GStrvBuilder) kinds = g_strv_builder_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (kinds, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _mja_index_db_error (self, error);
      return NULL;
    }
  return g_strv_builder_end (kinds);
}

/**
 * mja_index_dup_download_kinds:
 * @kinds_with_images: (nullable) (array zero-terminated=1): the kinds of
 *   job the archive has images of (verify's, from the disk); %NULL: those
 *   of which the index counts an image downloaded
 * @error: where a failed query is described
 *
 * The kinds of job whose images the archive downloads, when nobody said:
 * what its last sync downloaded; else the kinds it has images of (an
 * archive of the original scripts is often upscales only); else, with no
 * image at all, the default (grid and upscale).  Verify and stats both
 * decide so, to tell an image missing from one not downloaded by choice.
 *
 * Returns: (transfer full) (nullable): the kinds
 */
GStrv
mja_index_dup_download_kinds (MjaIndex            *self,
                              const char * const  *kinds_with_images,
                              GError             **error)
{
  g_autofree char *state = NULL;
  g_auto(GStrv) downloaded = NULL;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  state = mja_index_dup_state (self, MJA_INDEX_STATE_DOWNLOAD_KINDS);
  if (state != NULL)
    return g_strsplit (state, ",", -1);
  if (kinds_with_images == NULL)
    {
      downloaded = dup_downloaded_kinds (self, error);
      if (downloaded == NULL)
        return NULL;
      kinds_with_images = (const char * const *) downloaded;
    }
  if (kinds_with_images[0] == NULL)
    return g_strdupv ((GStrv) mja_config_get_default_strv (MJA_CONFIG_KEY_DOWNLOAD_KINDS));
  return g_strdupv ((GStrv) kinds_with_images);
}

/**
 * mja_index_dup_stats:
 * @download_kinds: (nullable): the kinds whose images are downloaded;
 *   %NULL: the archive's own (mja_index_dup_download_kinds())
 */
MjaIndexStats *
mja_index_dup_stats (MjaIndex  *self,
                     GStrv      download_kinds,
                     GError   **error)
{
  g_auto(GStrv) own = NULL;
  const char * const *kinds = (const char * const *) download_kinds;
  g_autoptr(MjaIndexStats) stats = g_new0 (MjaIndexStats, 1);
  g_autoptr(sqlite3_stmt) totals = NULL;
  g_autoptr(sqlite3_stmt) pending = NULL;
  int rc;

  g_return_val_if_fail (MJA_IS_INDEX (self), NULL);

  if (kinds == NULL && (kinds = (const char * const *) (own = mja_index_dup_download_kinds (self, NULL, error))) == NULL)
    return NULL;

  totals = _mja_index_prepare (self,
                               "SELECT (SELECT COUNT(*) FROM jobs),"
                               " (SELECT COUNT(*) FROM images WHERE state = 1),"
                               " (SELECT COALESCE(SUM(size), 0) FROM images WHERE state = 1)", error);
  if (totals == NULL)
    return NULL;
  if (sqlite3_step (totals) != SQLITE_ROW)
    {
      _mja_index_db_error (self, error);
      return NULL;
    }
  stats->jobs = (guint64) sqlite3_column_int64 (totals, 0);
  stats->images = (guint64) sqlite3_column_int64 (totals, 1);
  stats->bytes = (guint64) sqlite3_column_int64 (totals, 2);

  pending = _mja_index_prepare (self,
                                "SELECT kind, state, COUNT(*) FROM images WHERE state != 1 GROUP BY kind, state",
                                error);
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
      _mja_index_db_error (self, error);
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
