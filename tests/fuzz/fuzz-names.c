/* fuzz-names.c — the archive's file names, dates, URLs and ids
 *
 * The archive's file-name parser and the small parsers a hostile server
 * reaches: a name accepted as a job's JSON yields a valid id; a URL
 * accepted is http(s); an extension taken from a URL is one of ours.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mja-archive.h"
#include "mja-fuzz.h"
#include "mja-job.h"
#include "mja-util.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *id = NULL;
  g_autofree char *extension = NULL;
  g_autofree char *prompt = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GError) error = NULL;
  gint64 day = 0;

  if (mja_archive_parse_json_name (text, &id))
    g_assert (id != NULL && mja_job_id_is_valid (id) && strchr (text, '/') == NULL);
  if (mja_url_check (text, "url", &error))
    g_assert (mja_fuzz_is_http (text));
  else
    g_assert (error != NULL);
  extension = mja_url_dup_extension (text);
  if (extension != NULL && mja_extension_is_valid (extension))
    g_assert (strchr (extension, '/') == NULL && strchr (extension, '.') == NULL);
  time = mja_parse_enqueue_time (text);
  (void) mja_parse_day (text, FALSE, &day);
  if (g_utf8_validate (text, -1, NULL))
    {
      prompt = mja_prompt_from_command (text);
      g_assert (prompt == NULL || g_utf8_validate (prompt, -1, NULL));
    }
  return 0;
}
