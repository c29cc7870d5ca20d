/* mja-json-writer.c — JSON text as Python's json.dump writes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the bytes of json.dump (obj, f, indent=N) with Python's defaults
 * (ensure_ascii=True, allow_nan=True, sort_keys=False), which is how the
 * original scripts wrote every job: members in the order received,
 * ": " between key and value, "," and a newline plus N spaces per level
 * between items (", " when there is no indentation), "{}" and "[]" for
 * empty containers, every character outside printable ASCII as \uXXXX in
 * lowercase hex (a UTF-16 surrogate pair above U+FFFF), no final newline.
 * Numbers are written the way Python prints what it parsed: an integer
 * as its digits, a float as repr (float) (the shortest text that reads
 * back as the same double; "1.0", "1e-05", "1e+16").  json-glib keeps no
 * number text, so a float is written from its value, as Python does, and
 * an integer must fit 64 bits (Python's are unbounded).  It only writes;
 * reading stays json-glib's.
 */
#define G_LOG_DOMAIN "mja-json-writer"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mja-json-writer.h"

/* encode_basestring_ascii () of Lib/json/encoder.py */
static void
add_string (GString    *out,
            const char *text)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); continue;
        case '\\': g_string_append (out, "\\\\"); continue;
        case '\b': g_string_append (out, "\\b"); continue;
        case '\f': g_string_append (out, "\\f"); continue;
        case '\n': g_string_append (out, "\\n"); continue;
        case '\r': g_string_append (out, "\\r"); continue;
        case '\t': g_string_append (out, "\\t"); continue;
        default: break;
        }
      if (c >= 0x20 && c <= 0x7e)
        {
          g_string_append_c (out, (char) c);
          continue;
        }
      if (c > 0xffff)
        {
          gunichar v = c - 0x10000;

          c = 0xd800 | (v >> 10);
          g_string_append_printf (out, "\\u%c%c%c%c", hex[c >> 12], hex[(c >> 8) & 0xf], hex[(c >> 4) & 0xf], hex[c & 0xf]);
          c = 0xdc00 | (v & 0x3ff);
        }
      g_string_append_printf (out, "\\u%c%c%c%c", hex[c >> 12], hex[(c >> 8) & 0xf], hex[(c >> 4) & 0xf], hex[c & 0xf]);
    }
  g_string_append_c (out, '"');
}

/**
 * mja_json_writer_add_float:
 *
 * Appends Python's repr (float) of @value: the fewest significant digits
 * that read back as @value, in positional notation when the decimal
 * exponent is from -4 to 15, else as d.ddde±XX.
 */
void
mja_json_writer_add_float (GString *out,
                           double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  const char *e;
  guint n = 0;
  int precision, exponent, point;

  g_return_if_fail (out != NULL);

  if (isnan (value))
    {
      g_string_append (out, "NaN");
      return;
    }
  if (isinf (value))
    {
      g_string_append (out, value > 0 ? "Infinity" : "-Infinity");
      return;
    }
  for (precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%de", precision - 1);
      g_ascii_formatd (buffer, sizeof buffer, format, fabs (value));
      if (g_ascii_strtod (buffer, NULL) == fabs (value))
        break;
    }
  for (const char *p = buffer; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  while (n > 1 && digits[n - 1] == '0')
    n--;
  digits[n] = '\0';
  e = strchr (buffer, 'e');
  exponent = atoi (e + 1);
  point = exponent + 1;

  if (signbit (value))
    g_string_append_c (out, '-');
  if (point > -4 && point <= 16)
    {
      if (point <= 0)
        {
          g_string_append (out, "0.");
          for (int i = point; i < 0; i++)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
      else if ((guint) point >= n)
        {
          g_string_append (out, digits);
          for (guint i = n; i < (guint) point; i++)
            g_string_append_c (out, '0');
          g_string_append (out, ".0");
        }
      else
        {
          g_string_append_len (out, digits, point);
          g_string_append_c (out, '.');
          g_string_append (out, digits + point);
        }
      return;
    }
  g_string_append_c (out, digits[0]);
  if (n > 1)
    {
      g_string_append_c (out, '.');
      g_string_append (out, digits + 1);
    }
  g_string_append_printf (out, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
}

static void add_node (GString  *out,
                      JsonNode *node,
                      guint     indent,
                      guint     level);

static void
add_separator (GString *out,
               guint    indent,
               guint    level,
               gboolean first)
{
  if (indent == 0)
    {
      if (!first)
        g_string_append (out, ", ");
      return;
    }
  if (!first)
    g_string_append_c (out, ',');
  g_string_append_c (out, '\n');
  for (guint i = 0; i < indent * level; i++)
    g_string_append_c (out, ' ');
}

static void
add_closing (GString *out,
             guint    indent,
             guint    level,
             char     bracket)
{
  if (indent > 0)
    {
      g_string_append_c (out, '\n');
      for (guint i = 0; i < indent * level; i++)
        g_string_append_c (out, ' ');
    }
  g_string_append_c (out, bracket);
}

static void
add_object (GString    *out,
            JsonObject *object,
            guint       indent,
            guint       level)
{
  g_autoptr(GList) members = json_object_get_members (object);

  if (members == NULL)
    {
      g_string_append (out, "{}");
      return;
    }
  g_string_append_c (out, '{');
  for (GList *l = members; l != NULL; l = l->next)
    {
      add_separator (out, indent, level + 1, l == members);
      add_string (out, l->data);
      g_string_append (out, ": ");
      add_node (out, json_object_get_member (object, l->data), indent, level + 1);
    }
  add_closing (out, indent, level, '}');
}

static void
add_array (GString   *out,
           JsonArray *array,
           guint      indent,
           guint      level)
{
  guint length = json_array_get_length (array);

  if (length == 0)
    {
      g_string_append (out, "[]");
      return;
    }
  g_string_append_c (out, '[');
  for (guint i = 0; i < length; i++)
    {
      add_separator (out, indent, level + 1, i == 0);
      add_node (out, json_array_get_element (array, i), indent, level + 1);
    }
  add_closing (out, indent, level, ']');
}

static void
add_node (GString  *out,
          JsonNode *node,
          guint     indent,
          guint     level)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      add_object (out, json_node_get_object (node), indent, level);
      break;
    case JSON_NODE_ARRAY:
      add_array (out, json_node_get_array (node), indent, level);
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_DOUBLE:
          mja_json_writer_add_float (out, json_node_get_double (node));
          break;
        case G_TYPE_STRING:
          add_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * mja_json_writer_to_data:
 * @root: the value to write
 * @indent: spaces per level, as json.dump's indent=; 0 is indent=None
 *   (everything on one line), the original scripts' compact form
 * @length: (out) (optional): the length of the text
 *
 * Returns: (transfer full): the text, without a final newline
 */
char *
mja_json_writer_to_data (JsonNode *root,
                         guint     indent,
                         gsize    *length)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (root != NULL, NULL);

  add_node (out, root, indent, 0);
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}
