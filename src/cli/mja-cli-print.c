/* mja-cli-print.c — what the CLI prints of strings it did not write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prompts, job types, ids, file names and the server's own messages come
 * from Midjourney or from the archive, and a terminal obeys the escape
 * sequences in what it is given: a prompt could set the window title,
 * rewrite the clipboard (OSC 52) or hide a line.  Every such string is
 * passed through mja_cli_escape() before it is printed, which shows each
 * control character as a visible escape instead.  It never changes what
 * is kept in the archive, nor the --json output (whose strings JSON
 * escapes itself).
 */
#define G_LOG_DOMAIN "mja-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-cli.h"

/**
 * mja_cli_escape:
 * @text: (nullable): a string from the server or the archive
 * @keep_newlines: whether line breaks and tabs are printed as they are
 *   (a multi-line message), or escaped too (one field of a line)
 *
 * Returns: (transfer full): @text with the C0 controls, DEL, the C1
 *   controls (U+0080–U+009F, which some terminals obey like ESC […]) and
 *   any byte that is not UTF-8 written as "\x1b", "\u009b", "\xff".
 */
char *
mja_cli_escape (const char *text,
                gboolean    keep_newlines)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text));
  end = text + strlen (text);
  for (p = text; p < end;)
    {
      guchar c = (guchar) *p;
      gunichar u;

      if (c < 0x80)
        {
          if ((c < 0x20 && !(keep_newlines && (c == '\n' || c == '\t'))) || c == 0x7f)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_c (out, (char) c);
          p++;
          continue;
        }
      u = g_utf8_get_char_validated (p, end - p);
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", c);
          p++;
          continue;
        }
      if (u >= 0x80 && u <= 0x9f)
        g_string_append_printf (out, "\\u%04x", u);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}

/**
 * mja_cli_csv_field:
 * @line: the CSV line being built
 * @value: (nullable): one cell
 *
 * Appends @value as one RFC 4180 cell.  A cell that starts with "=", "+",
 * "-", "@", a tab or a carriage return would be taken for a formula by a
 * spreadsheet (OWASP's "CSV injection"): it gets a leading "'", which
 * spreadsheets show as text.
 */
void
mja_cli_csv_field (GString    *line,
                   const char *value)
{
  gboolean formula;

  g_return_if_fail (line != NULL);

  if (line->len > 0 && line->str[line->len - 1] != '\n')
    g_string_append_c (line, ',');
  if (value == NULL || *value == '\0')
    return;
  formula = strchr ("=+-@\t\r", value[0]) != NULL;
  if (!formula && strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  if (formula)
    g_string_append_c (line, '\'');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}
