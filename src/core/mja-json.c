/* mja-json.c — the bounded JSON reader every answer and archived file goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the one pass over the bytes that comes before json-glib sees them:
 * it refuses nesting deeper than MJA_JSON_MAX_DEPTH (json-glib recurses
 * once per level, so 100,000 levels overflowed its stack), more values
 * than the caller allows (a page of "{}" decoded 60 MiB into a 6 GB tree)
 * and what strict JSON does not have but json-glib accepts (comments,
 * single-quoted strings), since those would hide brackets from the count.
 * Escaped NULs are replaced by a mark that json-glib turns into bytes no
 * text may hold, so that a string holding one is refused rather than cut
 * short; "\u" escapes json-glib would read past the closing quote are
 * refused, as they would make it see what the count did not.  It never allocates in proportion to the input before the input
 * has passed, and never reads a file larger than MJA_JSON_MAX_FILE_BYTES.
 */
#define G_LOG_DOMAIN "mja-json"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mja-json.h"

G_DEFINE_QUARK (mja-json-error-quark, mja_json_error)

static gboolean
read_hex4 (const char *p,
           const char *end,
           guint      *value)
{
  *value = 0;
  if (end - p < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      *value = *value * 16 + (guint) g_ascii_xdigit_value (p[i]);
    }
  return TRUE;
}

/* The escape at @p (just after a backslash), the way json-glib reads it:
 * its length past the backslash in @length, and whether it stands for a
 * NUL ("\u0000", and the octal escapes json-glib also reads: "\0",
 * "\00", "\400", one to three digits kept modulo 256).  FALSE for a
 * "\u" escape json-glib would read past the end of the string: fewer than
 * four hex digits, or a surrogate not in a pair (it then takes the next
 * character, the closing quote too, and sees brackets the count did not). */
static gboolean
read_escape (const char *p,
             const char *end,
             gsize      *length,
             gboolean   *nul)
{
  guint value = 0;
  gsize digits = 0;

  *length = 1;
  *nul = FALSE;
  if (*p == 'u')
    {
      guint low;

      if (p + 1 >= end || !g_ascii_isxdigit (p[1]))
        return TRUE;  /* json-glib drops the "u" and reads on */
      if (!read_hex4 (p + 1, end, &value))
        return FALSE;
      *length = 5;
      *nul = value == 0;
      if (value >= 0xdc00 && value <= 0xdfff)
        return FALSE;
      if (value < 0xd800 || value > 0xdbff)
        return TRUE;
      if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || !read_hex4 (p + 7, end, &low) ||
          low < 0xdc00 || low > 0xdfff)
        return FALSE;
      *length = 11;
      return TRUE;
    }
  while (digits < 3 && p + digits < end && p[digits] >= '0' && p[digits] <= '7')
    {
      value = value * 8 + (guint) (p[digits] - '0');
      digits++;
    }
  if (digits > 0)
    {
      *length = digits;
      *nul = (value & 0xff) == 0;
    }
  return TRUE;
}

/* The pass: with @rewrite it also copies the bytes, every NUL escape
 * replaced by MJA_JSON_NUL_MARK's escape. */
static gboolean
scan (const char  *data,
      gsize        length,
      gsize        max_values,
      const char  *what,
      gsize       *nul_escapes,
      GString     *rewrite,
      GError     **error)
{
  const char *end = data + length;
  const char *copied = data;
  const char *p;
  guint depth = 0;
  gsize values = 0;
  gboolean in_scalar = FALSE;

  *nul_escapes = 0;
  for (p = data; p < end; p++)
    {
      gboolean scalar_char = FALSE;

      switch (*p)
        {
        case '"':
          values++;
          for (p++; p < end && *p != '"'; p++)
            {
              gsize escape;
              gboolean nul;

              if (*p == '\0')
                goto not_strict;
              if (*p != '\\' || p + 1 >= end)
                continue;
              p++;
              if (!read_escape (p, end, &escape, &nul))
                goto not_strict;
              if (nul)
                {
                  (*nul_escapes)++;
                  if (rewrite != NULL)
                    {
                      g_string_append_len (rewrite, copied, p - copied);
                      g_string_append (rewrite, MJA_JSON_NUL_ESCAPE);
                      copied = p + escape;
                    }
                }
              p += escape - 1;
            }
          if (p >= end)
            goto done;  /* unterminated: json-glib says so */
          break;
        case '{':
          values++;
          G_GNUC_FALLTHROUGH;
        case '[':
          values++;
          if (++depth > MJA_JSON_MAX_DEPTH)
            {
              g_set_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_DEEP,
                           _("%s nests its JSON deeper than %u levels, which no job or page of jobs needs"),
                           what, MJA_JSON_MAX_DEPTH);
              return FALSE;
            }
          break;
        case '}':
        case ']':
          if (depth > 0)
            depth--;
          break;
        case '\0':
        case '\'':
        case '/':
          goto not_strict;
        default:
          scalar_char = g_ascii_isalnum (*p) || *p == '-' || *p == '+' || *p == '.';
          if (scalar_char && !in_scalar)
            values++;
          break;
        }
      in_scalar = scalar_char;
      if (values > max_values)
        {
          g_set_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_MANY,
                       _("%s holds more than %lu JSON values, far more than any job or page of jobs holds"),
                       what, (unsigned long) max_values);
          return FALSE;
        }
    }

done:
  if (rewrite != NULL)
    g_string_append_len (rewrite, copied, end - copied);
  return TRUE;

not_strict:
  g_set_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_INVALID,
               _("%s is not strict JSON: at byte %lu it holds a comment, a single-quoted string, a NUL byte "
                 "or a broken “\\u” escape"), what, (unsigned long) (p - data) + 1);
  return FALSE;
}

/**
 * mja_json_parse:
 * @data: the bytes, not necessarily nul-terminated
 * @length: their length
 * @max_values: how many values (objects and member names count twice) the
 *   document may hold
 * @what: the endpoint or file, for the messages
 * @error: where the refusal is described, naming @what
 *
 * Returns: (transfer full) (nullable): the root, or %NULL with @error set
 */
JsonNode *
mja_json_parse (const char  *data,
                gsize        length,
                gsize        max_values,
                const char  *what,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GString) rewritten = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize nul_escapes;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (what != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!scan (data, length, max_values, what, &nul_escapes, NULL, error))
    return NULL;
  if (nul_escapes > 0)
    {
      rewritten = g_string_sized_new (length + nul_escapes * strlen (MJA_JSON_NUL_ESCAPE));
      if (!scan (data, length, max_values, what, &nul_escapes, rewritten, error))
        return NULL;
      data = rewritten->str;
      length = rewritten->len;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data ? data : "", (gssize) length, &local_error) ||
      (root = json_parser_get_root (parser)) == NULL)
    {
      /* json-glib quotes the bad bytes, which need not be UTF-8. */
      g_autofree char *reason = local_error ? g_utf8_make_valid (local_error->message, -1)
                                            : g_strdup (_("it is empty"));

      g_set_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_INVALID, _("%s is not valid JSON: %s"), what, reason);
      return NULL;
    }
  return json_node_ref (root);
}

static JsonNode *
read_failed (const char  *what,
             int          saved_errno,
             GError     **error)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), _("%s cannot be read: %s"), what,
               g_strerror (saved_errno));
  return NULL;
}

/**
 * mja_json_load_file:
 * @path: the file
 * @what: how the messages name it
 * @max_values: as for mja_json_parse()
 * @error: where the refusal is described
 *
 * Reads a file of at most MJA_JSON_MAX_FILE_BYTES through mja_json_parse():
 * a regular file, not a symbolic link, a FIFO or a device.
 *
 * Returns: (transfer full) (nullable): the root, or %NULL with @error set
 */
JsonNode *
mja_json_load_file (const char  *path,
                    const char  *what,
                    gsize        max_values,
                    GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  gsize capacity;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (what != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Not through a link planted in the archive, and never waiting on a
   * FIFO (O_NONBLOCK) for a writer that never comes. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0);
  if (fd < 0 && errno == ELOOP)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP, _("%s is a symbolic link; it was not read"), what);
      return NULL;
    }
  if (fd < 0)
    return read_failed (what, errno, error);
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      g_close (fd, NULL);
      return read_failed (what, saved, error);
    }
  if (!S_ISREG (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("%s is not a regular file; it was not read"), what);
      return NULL;
    }
  if (st.st_size > MJA_JSON_MAX_FILE_BYTES)
    goto too_large;

  /* Read to one byte past the cap: the file may grow while it is read. */
  capacity = (gsize) st.st_size + 1;
  data = g_malloc (capacity);
  for (;;)
    {
      gssize got;

      if (length == capacity)
        {
          if (capacity > MJA_JSON_MAX_FILE_BYTES)
            goto too_large;
          capacity = MIN (capacity * 2, (gsize) MJA_JSON_MAX_FILE_BYTES + 1);
          data = g_realloc (data, capacity);
        }
      got = read (fd, data + length, capacity - length);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          g_close (fd, NULL);
          return read_failed (what, saved, error);
        }
      if (got == 0)
        break;
      length += (gsize) got;
    }
  g_close (fd, NULL);
  return mja_json_parse (data, length, max_values, what, error);

too_large:
  g_close (fd, NULL);
  {
    g_autofree char *limit = g_format_size (MJA_JSON_MAX_FILE_BYTES);

    g_set_error (error, MJA_JSON_ERROR, MJA_JSON_ERROR_TOO_LARGE,
                 _("%s is larger than %s, which no job is; it was not read"), what, limit);
  }
  return NULL;
}
