/* mja-job-writer.h — the bytes of a job's .json and .prompt.txt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mja-job.h"

G_BEGIN_DECLS

char *mja_job_writer_format_json   (MjaJob *job,
                                    guint   json_indent,
                                    gsize  *length);
char *mja_job_writer_format_prompt (MjaJob *job);

G_END_DECLS
