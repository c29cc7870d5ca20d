/* mja-json.h — the bounded JSON reader every answer and archived file goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MJA_JSON_ERROR (mja_json_error_quark ())

typedef enum
{
  MJA_JSON_ERROR_INVALID,   /* not JSON at all, or not the strict kind */
  MJA_JSON_ERROR_TOO_DEEP,  /* nested deeper than MJA_JSON_MAX_DEPTH */
  MJA_JSON_ERROR_TOO_MANY,  /* more values than the caller allows */
  MJA_JSON_ERROR_TOO_LARGE, /* a file larger than any job */
} MjaJsonError;

/* Real answers nest five levels deep; json-glib recurses once per level
 * and has no limit of its own. */
#define MJA_JSON_MAX_DEPTH        64

/* Values (an object and each member name count twice, as they cost json-glib
 * about twice as much): a page of 1,000 jobs may hold 1,000 each, some
 * thirty times what a real job has.  The tree of the most this lets through
 * takes at most about 150 MB. */
#define MJA_JSON_MAX_PAGE_VALUES  1000000

/* One job: what a job file may hold, and a job inside a page. */
#define MJA_JSON_MAX_JOB_VALUES   10000

/* A job file larger than this is not read at all. */
#define MJA_JSON_MAX_FILE_BYTES   (64 * 1024 * 1024)

/* What the reader puts in place of an escaped NUL ("\u0000"), which
 * json-glib would cut a string at: two octal escapes, which json-glib
 * turns into the bytes of MJA_JSON_NUL_MARK (not UTF-8), so the string is
 * refused whole. */
#define MJA_JSON_NUL_ESCAPE       "377\\001"
#define MJA_JSON_NUL_MARK         "\xff\x01"

GQuark    mja_json_error_quark (void);

JsonNode *mja_json_parse       (const char  *data,
                                gsize        length,
                                gsize        max_values,
                                const char  *what,
                                GError     **error);
JsonNode *mja_json_load_file   (const char  *path,
                                const char  *what,
                                gsize        max_values,
                                GError     **error);

G_END_DECLS
