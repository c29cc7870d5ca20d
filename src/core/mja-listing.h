/* mja-listing.h — the pages of the job listing, in either API era
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mja-job.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *jobs;      /* MjaJob*, newest first */
  GPtrArray *rejected;  /* char*: "job <id>: why", for jobs refused by validation */
  guint      number;    /* 1-based */
} MjaPage;

#define MJA_TYPE_LISTING (mja_listing_get_type ())
G_DECLARE_FINAL_TYPE (MjaListing, mja_listing, MJA, LISTING, GObject)

void            mja_listing_next_async        (MjaListing          *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
MjaPage        *mja_listing_next_finish       (MjaListing          *self,
                                               GAsyncResult        *result,
                                               GError             **error);
const char     *mja_listing_get_checkpoint    (MjaListing          *self);
gboolean        mja_listing_get_cap_reached   (MjaListing          *self);
gboolean        mja_listing_get_update_failed (MjaListing          *self);
void            mja_listing_set_max_pages     (MjaListing          *self,
                                               guint                max_pages);
MjaPage        *mja_listing_take_answer       (MjaListing          *self,
                                               JsonNode            *root,
                                               GError             **error);

void            mja_page_free                 (MjaPage             *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaPage, mja_page_free)

G_END_DECLS
