/* test-json-writer.c — json.dump's bytes: floats, escapes, layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixed cases first; then thousands of random doubles and strings are
 * given to python3 (when it is installed) and its json.dumps must equal
 * ours byte for byte.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "mja-json-writer.h"

static char *
float_text (double value)
{
  GString *out = g_string_new (NULL);

  mja_json_writer_add_float (out, value);
  return g_string_free (out, FALSE);
}

static char *
dump (const char *json,
      guint       indent)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return mja_json_writer_to_data (node, indent, NULL);
}

static void
test_floats (void)
{
  struct { double value; const char *text; } cases[] = {
    { 1.5, "1.5" }, { 100.0, "100.0" }, { 0.1, "0.1" }, { 1e-7, "1e-07" }, { 0.0001, "0.0001" },
    { 0.00001, "1e-05" }, { 1e16, "1e+16" }, { 1e15, "1000000000000000.0" }, { -0.0, "-0.0" },
    { 0.0, "0.0" }, { 1.7976931348623157e308, "1.7976931348623157e+308" }, { 5e-324, "5e-324" },
    { 123456.789, "123456.789" }, { -2.5e-300, "-2.5e-300" }, { 1.0 / 3.0, "0.3333333333333333" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = float_text (cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_layout (void)
{
  const char *json = "{\"b\":1,\"a\":[1,{},[],{\"x\":null}],\"\u00dc\":\"\U0001F989 \\\"\\\\\\n\x7f\"}";
  g_autofree char *indented = dump (json, 2);
  g_autofree char *flat = dump (json, 0);

  /* Keys in the order received, ": " and "," + newline, no final newline. */
  g_assert_cmpstr (indented, ==,
                   "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {},\n    [],\n    {\n      \"x\": null\n    }\n  ],\n"
                   "  \"\\u00dc\": \"\\ud83e\\udd89 \\\"\\\\\\n\\u007f\"\n}");
  g_assert_cmpstr (flat, ==,
                   "{\"b\": 1, \"a\": [1, {}, [], {\"x\": null}], \"\\u00dc\": \"\\ud83e\\udd89 \\\"\\\\\\n\\u007f\"}");
}

/* Random doubles of every magnitude and random strings of every plane,
 * through python3's json.dumps. */
static void
test_against_python (void)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *input = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours_text = NULL;
  const char *argv[] = { NULL, "-c", NULL, NULL };
  g_autoptr(GSubprocess) child = NULL;

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < 3000; i++)
    {
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      double value;

      if (i % 3 == 0)
        value = g_rand_double_range (rand, -1e6, 1e6);
      else if (i % 3 == 1)
        value = (double) g_rand_int_range (rand, -100000, 100000) / pow (10, g_rand_int_range (rand, 0, 12));
      else
        memcpy (&value, &bits, sizeof value);
      if (isnan (value) || isinf (value))
        value = 0.5;
      json_builder_add_double_value (builder, value);
    }
  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);

      for (guint k = 0; k < 12; k++)
        {
          gunichar c;

          do
            c = g_rand_int_range (rand, 1, i % 2 ? 0x80 : 0x110000);
          while (!g_unichar_validate (c));
          g_string_append_unichar (s, c);
        }
      json_builder_add_string_value (builder, s->str);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);

  /* Python reads the values (as our one-line text: json-glib's leaves
   * control characters raw, which Python refuses) and writes its own. */
  input = mja_json_writer_to_data (root, 0, NULL);
  ours_text = mja_json_writer_to_data (root, 2, NULL);
  script = g_strdup ("import json, sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), indent=2))");
  argv[0] = python;
  argv[2] = script;
  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, input, NULL, &theirs, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (child));
  g_assert_cmpstr (ours_text, ==, theirs);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-writer/floats", test_floats);
  g_test_add_func ("/json-writer/layout", test_layout);
  g_test_add_func ("/json-writer/against-python", test_against_python);
  return g_test_run ();
}
