/* mja-job-words.c — a job in words: its kind, model and parameters as people say them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns the API's codes ("v7_raw_diffusion", "video_diffusion", legacy
 * "grid" + "imagine") and the command's inline parameters ("--ar 16:9
 * --niji 6") into what the app and the CLI show: "Image", "Upscale",
 * "Video", model "V7" or "Niji 6", aspect ratio "16:9".  Pure functions of
 * strings: it reads no file and knows no widget.
 */
#define G_LOG_DOMAIN "mja-job-words"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-job-words.h"

static const struct
{
  const char *name;
  const char *label;
} categories[MJA_JOB_CATEGORY_COUNT] = {
  [MJA_JOB_CATEGORY_IMAGE] = { "image", N_("Image") },
  [MJA_JOB_CATEGORY_DRAFT] = { "draft", N_("Draft") },
  [MJA_JOB_CATEGORY_VARIATION] = { "variation", N_("Variation") },
  [MJA_JOB_CATEGORY_EDIT] = { "edit", N_("Edit") },
  [MJA_JOB_CATEGORY_UPSCALE] = { "upscale", N_("Upscale") },
  [MJA_JOB_CATEGORY_VIDEO] = { "video", N_("Video") },
  [MJA_JOB_CATEGORY_OTHER] = { "other", N_("Other") },
};

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

/**
 * mja_job_category_from_types:
 * @job_type: (nullable): "v6_upscale", "v7_raw_diffusion", legacy "grid" …
 * @event_type: (nullable): "diffusion", "variation", legacy eventType "imagine" …
 *
 * The event type says what was done when the server gives one; the job
 * type fills in for the legacy era and for unknown events.
 */
MjaJobCategory
mja_job_category_from_types (const char *job_type,
                             const char *event_type)
{
  const char *codes[] = { event_type, job_type };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const char *code = codes[i];

      if (code == NULL || *code == '\0')
        continue;
      if (contains (code, "vid"))
        return MJA_JOB_CATEGORY_VIDEO;
      if (contains (code, "upscale"))
        return MJA_JOB_CATEGORY_UPSCALE;
      if (contains (code, "variation") || contains (code, "remix") || contains (code, "reroll"))
        return MJA_JOB_CATEGORY_VARIATION;
      if (contains (code, "pan") || contains (code, "zoom") || contains (code, "outpaint") ||
          contains (code, "inpaint") || contains (code, "region") || contains (code, "edit"))
        return MJA_JOB_CATEGORY_EDIT;
      if (contains (code, "draft"))
        return MJA_JOB_CATEGORY_DRAFT;
      if (contains (code, "diffusion") || contains (code, "imagine") || g_str_equal (code, "grid"))
        return MJA_JOB_CATEGORY_IMAGE;
    }
  return MJA_JOB_CATEGORY_OTHER;
}

/* The stable name, for settings, the index and the CLI: "upscale". */
const char *
mja_job_category_to_string (MjaJobCategory category)
{
  g_return_val_if_fail (category < MJA_JOB_CATEGORY_COUNT, NULL);
  return categories[category].name;
}

gboolean
mja_job_category_from_string (const char     *name,
                              MjaJobCategory *category)
{
  g_return_val_if_fail (category != NULL, FALSE);

  for (guint i = 0; i < MJA_JOB_CATEGORY_COUNT; i++)
    if (g_strcmp0 (name, categories[i].name) == 0)
      {
        *category = i;
        return TRUE;
      }
  return FALSE;
}

/* The translated word: "Upscale". */
const char *
mja_job_category_get_label (MjaJobCategory category)
{
  g_return_val_if_fail (category < MJA_JOB_CATEGORY_COUNT, NULL);
  return _(categories[category].label);
}

/* ---- the command's parameters ---------------------------------------- */

/* Where a parameter starts: "--" (or the "—" phones make of it) after a
 * space, followed by a letter. */
static const char *
find_parameter (const char *p,
                const char *start,
                gsize      *dash_len)
{
  for (; *p != '\0'; p++)
    {
      gsize len = 0;

      if (p[0] == '-' && p[1] == '-')
        len = 2;
      else if (strncmp (p, "\xe2\x80\x94", 3) == 0)  /* U+2014 EM DASH */
        len = 3;
      if (len > 0 && (p == start || g_ascii_isspace (p[-1])) && g_ascii_isalpha (p[len]))
        {
          *dash_len = len;
          return p;
        }
    }
  return NULL;
}

/**
 * mja_command_dup_parameters:
 * @full_command: (nullable): "a cat --ar 16:9 --v 7 --tile"
 *
 * Returns: (transfer full): each parameter with its value as typed, dashes
 * made "--": { "--ar 16:9", "--v 7", "--tile" }; empty when there is none.
 */
GStrv
mja_command_dup_parameters (const char *full_command)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *p = full_command;
  gsize dash_len;

  while (p != NULL && (p = find_parameter (p, full_command, &dash_len)) != NULL)
    {
      const char *name = p + dash_len;
      gsize next_len;
      const char *next = find_parameter (name, full_command, &next_len);
      g_autofree char *text = g_strndup (name, next ? (gsize) (next - name) : strlen (name));
      g_autofree char *parameter = g_strconcat ("--", g_strstrip (text), NULL);

      g_strv_builder_add (builder, parameter);
      p = next;
    }
  return g_strv_builder_end (builder);
}

/* The value of the first of @names, or NULL; "" for a bare flag. */
static char *
dup_parameter_value (const char         *full_command,
                     const char * const *names)
{
  g_auto(GStrv) parameters = mja_command_dup_parameters (full_command);

  for (guint i = 0; parameters[i] != NULL; i++)
    {
      const char *name = parameters[i] + 2;
      gsize name_len = strcspn (name, " \t");

      for (guint j = 0; names[j] != NULL; j++)
        if (name_len == strlen (names[j]) && g_ascii_strncasecmp (name, names[j], name_len) == 0)
          {
            const char *value = name + name_len;

            while (g_ascii_isspace (*value))
              value++;
            return g_strndup (value, strcspn (value, " \t"));
          }
    }
  return NULL;
}

/* "6.1" from job types like "v6-1_hd_diffusion" or "v7_raw_diffusion". */
static char *
version_from_job_type (const char *job_type)
{
  gsize len;

  if (job_type == NULL || (job_type[0] != 'v' && job_type[0] != 'V') || !g_ascii_isdigit (job_type[1]))
    return NULL;
  len = strspn (job_type + 1, "0123456789-.");
  while (len > 0 && (job_type[len] == '-' || job_type[len] == '.'))
    len--;
  return g_strdelimit (g_strndup (job_type + 1, len), "-", '.');
}

/**
 * mja_command_dup_model:
 * @full_command: (nullable)
 * @job_type: (nullable): consulted when the command names no model
 *
 * Returns: (transfer full) (nullable): "V7", "V6.1", "Niji 6", "Niji";
 * %NULL when nothing says.
 */
char *
mja_command_dup_model (const char *full_command,
                       const char *job_type)
{
  static const char * const niji[] = { "niji", NULL };
  static const char * const version[] = { "v", "version", NULL };
  g_autofree char *value = NULL;

  value = dup_parameter_value (full_command, niji);
  if (value != NULL)
    return *value != '\0' && g_ascii_isdigit (*value) ? g_strdup_printf ("Niji %s", value) : g_strdup ("Niji");
  g_clear_pointer (&value, g_free);
  value = dup_parameter_value (full_command, version);
  if (value == NULL || !g_ascii_isdigit (*value))
    {
      g_clear_pointer (&value, g_free);
      value = version_from_job_type (job_type);
    }
  if (value == NULL || *value == '\0')
    return NULL;
  return g_strdup_printf ("V%s", value);
}

/**
 * mja_command_dup_aspect_ratio:
 *
 * Returns: (transfer full): the command's --ar/--aspect ("16:9"), or
 * "1:1", Midjourney's default.
 */
char *
mja_command_dup_aspect_ratio (const char *full_command)
{
  static const char * const names[] = { "ar", "aspect", NULL };
  g_autofree char *value = dup_parameter_value (full_command, names);
  guint64 w, h;
  g_auto(GStrv) parts = NULL;

  if (value == NULL)
    return g_strdup ("1:1");
  parts = g_strsplit (value, ":", 3);
  if (g_strv_length (parts) != 2 || !g_ascii_string_to_unsigned (parts[0], 10, 1, 1000, &w, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, 1000, &h, NULL))
    return g_strdup ("1:1");
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, w, h);
}
