/* mja-json-writer.h — JSON text as Python's json.dump writes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *mja_json_writer_to_data   (JsonNode *root,
                                 guint     indent,
                                 gsize    *length);
void  mja_json_writer_add_float (GString  *out,
                                 double    value);

G_END_DECLS
