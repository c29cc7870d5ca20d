/* mja-textwrap.c — Python's textwrap.fill, as the original scripts called it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns one thing: the bytes of
 *   textwrap.TextWrapper (width, initial_indent, subsequent_indent,
 *                         break_long_words=False, break_on_hyphens=False).fill
 * of CPython 3 (Lib/textwrap.py), so that a .prompt.txt we write is the
 * one the original scripts wrote.  Lengths are code points, as Python's
 * len ().  Tabs expand to columns of 8 (a column restarts after \n and
 * \r), then each of \t \n \v \f \r becomes a space; chunks are runs of
 * those six characters (only those: NBSP and U+3000 stay inside words)
 * and runs of anything else.  Whitespace chunks are dropped at the
 * start of every line but the first and at the end of every line, where
 * "whitespace" is str.strip ()'s wider Unicode set.  A word longer than
 * a line is kept whole on a line of its own.  It never changes what the
 * words are, and never breaks inside one.
 */
#define G_LOG_DOMAIN "mja-textwrap"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-textwrap.h"

#define TAB_SIZE 8

typedef struct
{
  const gunichar *start;
  glong           length;
  gboolean        blank;  /* str.strip () == '' */
} Chunk;

/**
 * mja_unichar_is_python_space:
 *
 * Whether Python's str.isspace () (and so str.strip () and str.split ())
 * takes @c for whitespace: bidirectional class WS, B or S, or category Zs.
 */
gboolean
mja_unichar_is_python_space (gunichar c)
{
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

/* The six characters of textwrap._whitespace. */
static gboolean
is_wrap_space (gunichar c)
{
  return c == ' ' || (c >= 0x09 && c <= 0x0d);
}

/* str.expandtabs (8), then str.translate (unicode_whitespace_trans). */
static gunichar *
munge_whitespace (const gunichar *text,
                  glong           length,
                  glong          *out_length)
{
  g_autoptr(GArray) out = g_array_sized_new (FALSE, FALSE, sizeof (gunichar), length + 1);
  const gunichar space = ' ';
  glong column = 0;

  for (glong i = 0; i < length; i++)
    {
      gunichar c = text[i];

      if (c == '\t')
        {
          glong incr = TAB_SIZE - column % TAB_SIZE;

          for (glong k = 0; k < incr; k++)
            g_array_append_val (out, space);
          column += incr;
          continue;
        }
      column++;
      if (c == '\n' || c == '\r')
        column = 0;
      if (is_wrap_space (c))
        c = ' ';
      g_array_append_val (out, c);
    }
  *out_length = out->len;
  return (gunichar *) g_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
span_is_blank (const gunichar *start,
               glong           length)
{
  for (glong i = 0; i < length; i++)
    if (!mja_unichar_is_python_space (start[i]))
      return FALSE;
  return TRUE;
}

/* wordsep_simple_re.split (), empty chunks left out. */
static GArray *
split_chunks (const gunichar *text,
              glong           length)
{
  GArray *chunks = g_array_new (FALSE, FALSE, sizeof (Chunk));
  glong i = 0;

  while (i < length)
    {
      Chunk chunk = { text + i, 0, FALSE };
      gboolean space = text[i] == ' ';

      while (i < length && (text[i] == ' ') == space)
        {
          chunk.length++;
          i++;
        }
      chunk.blank = span_is_blank (chunk.start, chunk.length);
      g_array_append_val (chunks, chunk);
    }
  return chunks;
}

static void
append_chunk (GString     *out,
              const Chunk *chunk)
{
  for (glong i = 0; i < chunk->length; i++)
    g_string_append_unichar (out, chunk->start[i]);
}

/**
 * mja_textwrap_fill:
 * @text: UTF-8 text, may be %NULL (as "")
 * @width: the line width in code points, more than 0
 * @initial_indent: the first line's prefix
 * @subsequent_indent: every other line's prefix
 *
 * Returns: (transfer full): the lines of TextWrapper._wrap_chunks ()
 * joined by "\n", without a final newline; "" when @text has no word.
 */
char *
mja_textwrap_fill (const char *text,
                   guint       width,
                   const char *initial_indent,
                   const char *subsequent_indent)
{
  g_autofree gunichar *ucs4 = NULL;
  g_autofree gunichar *munged = NULL;
  g_autoptr(GArray) chunks = NULL;
  GString *out = g_string_new (NULL);
  glong length = 0, munged_length = 0;
  guint next = 0, lines = 0;

  g_return_val_if_fail (width > 0, NULL);
  g_return_val_if_fail (initial_indent != NULL && subsequent_indent != NULL, NULL);

  ucs4 = g_utf8_to_ucs4_fast (text ? text : "", -1, &length);
  munged = munge_whitespace (ucs4, length, &munged_length);
  chunks = split_chunks (munged, munged_length);

  while (next < chunks->len)
    {
      const char *indent = lines > 0 ? subsequent_indent : initial_indent;
      glong line_width = (glong) width - g_utf8_strlen (indent, -1);
      guint first, end;
      glong line_length = 0;

      if (lines > 0 && g_array_index (chunks, Chunk, next).blank)
        next++;
      first = end = next;
      while (end < chunks->len && line_length + g_array_index (chunks, Chunk, end).length <= line_width)
        line_length += g_array_index (chunks, Chunk, end++).length;
      /* _handle_long_word () without break_long_words: a word longer
       * than a line goes whole onto a line of its own. */
      if (end < chunks->len && g_array_index (chunks, Chunk, end).length > line_width && end == first)
        end++;
      next = end;
      if (end > first && g_array_index (chunks, Chunk, end - 1).blank)
        end--;
      if (end == first)
        continue;
      if (lines++ > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, indent);
      for (guint i = first; i < end; i++)
        append_chunk (out, &g_array_index (chunks, Chunk, i));
    }
  return g_string_free (out, FALSE);
}
