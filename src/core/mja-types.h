/* mja-types.h — the core's types named once, and the enums rooms share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forward typedefs of every object of src/core, so that a header can name
 * a type without including the room that defines it (as Text Editor's
 * editor-types.h does), and the enums more than one room reads.  Each
 * enum has a GType in mja-enums.h, generated from the public headers.
 * Nothing here may include a room's header.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _MjaApi         MjaApi;
typedef struct _MjaArchive     MjaArchive;
typedef struct _MjaConfig      MjaConfig;
typedef struct _MjaCredentials MjaCredentials;
typedef struct _MjaDownloader  MjaDownloader;
typedef struct _MjaIndex       MjaIndex;
typedef struct _MjaJob         MjaJob;
typedef struct _MjaListing     MjaListing;
typedef struct _MjaSync        MjaSync;

/* What became of one image: written by the sync, read by stats and the
 * grid. */
typedef enum
{
  MJA_IMAGE_MISSING = 0,
  MJA_IMAGE_DONE    = 1,
  MJA_IMAGE_FAILED  = 2,
} MjaImageState;

/* Where a sync is: MjaSync's "phase", shown by the window and the CLI. */
typedef enum
{
  MJA_SYNC_PHASE_IDLE,
  MJA_SYNC_PHASE_STARTING,
  MJA_SYNC_PHASE_LISTING,       /* pages are being listed (downloads run beside) */
  MJA_SYNC_PHASE_DOWNLOADING,   /* listing done, downloads remain */
  MJA_SYNC_PHASE_WAITING,       /* rate limited or backing off */
  MJA_SYNC_PHASE_DONE,
} MjaSyncPhase;

G_END_DECLS

#include "mja-enums.h"
