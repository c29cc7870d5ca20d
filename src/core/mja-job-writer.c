/* mja-job-writer.c — the bytes of a job's .json and .prompt.txt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what the text files of a job say, byte for byte as the original
 * mj-metadata-archiver.py wrote them, so that an archive made by either
 * tool is identical for the same jobs:
 *   json.dump (job, f, indent=N)        (indent=None when N is 0)
 *   "Prompt:\n" + fill (prompt) + "\n\nFull command:\n" + fill (full_command) + "\n"
 * with fill = TextWrapper (width=80, initial_indent="    ",
 * subsequent_indent="    ", break_long_words=False, break_on_hyphens=False).
 * It formats only; where the files go and how they are written is
 * mja-archive's.
 */
#define G_LOG_DOMAIN "mja-job-writer"

#include "config.h"

#include <glib/gi18n.h>

#include "mja-job-writer.h"
#include "mja-json-writer.h"
#include "mja-textwrap.h"

#define PROMPT_WIDTH  80
#define PROMPT_INDENT "    "

/**
 * mja_job_writer_format_json:
 * @json_indent: spaces of indentation; 0 writes one line
 * @length: (out) (optional): the length of the text
 *
 * Returns: (transfer full): the job object as received, as json.dump
 * writes it (no final newline)
 */
char *
mja_job_writer_format_json (MjaJob *job,
                            guint   json_indent,
                            gsize  *length)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (MJA_IS_JOB (job), NULL);

  json_node_set_object (node, mja_job_get_json (job));
  return mja_json_writer_to_data (node, json_indent, length);
}

/**
 * mja_job_writer_format_prompt:
 *
 * Returns: (transfer full): the text of the job's .prompt.txt
 */
char *
mja_job_writer_format_prompt (MjaJob *job)
{
  g_autofree char *prompt = NULL;
  g_autofree char *command = NULL;

  g_return_val_if_fail (MJA_IS_JOB (job), NULL);

  prompt = mja_textwrap_fill (mja_job_get_prompt (job), PROMPT_WIDTH, PROMPT_INDENT, PROMPT_INDENT);
  command = mja_textwrap_fill (mja_job_get_full_command (job), PROMPT_WIDTH, PROMPT_INDENT, PROMPT_INDENT);
  return g_strconcat ("Prompt:\n", prompt, "\n\nFull command:\n", command, "\n", NULL);
}
