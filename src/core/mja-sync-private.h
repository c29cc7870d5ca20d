/* mja-sync-private.h — what the sync object and its worker share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object's fields, the progress both sides count, and the snapshot in
 * which the worker hands its counts, problems and result over to the
 * caller's context.  Only mja-sync.c and mja-sync-worker.c include this.
 */
#pragma once

#include "mja-sync.h"

G_BEGIN_DECLS

typedef struct
{
  MjaSyncPhase phase;
  guint        pages;
  guint        jobs_seen;
  guint        jobs_new;
  guint        jobs_skipped;
  guint        images_queued;
  guint        images_done;
  guint        images_skipped;
  guint        images_failed;
  guint        images_repaired;  /* of images_done: fetched again to repair them */
  guint64      bytes;
  double       bytes_per_second;
  int          seconds_left;
  double       fraction;
  guint        wait_seconds;
  gboolean     cap_reached;
} MjaSyncProgress;

struct _MjaSync
{
  GObject          parent_instance;

  char            *archive_dir;
  MjaCredentials  *credentials;
  MjaSyncOptions   options;
  gboolean         running;

  MjaSyncProgress  progress;
  GPtrArray       *problems;      /* MjaSyncProblem*, the most recent */
  guint            n_problems;
  GHashTable      *new_per_type;  /* job type -> count */
};

typedef struct
{
  MjaSync         *sync;
  MjaSyncProgress  progress;
  GPtrArray       *problems;
  GHashTable      *new_per_type;
  guint            jobs_added;
  char            *new_cookie;
  GTask           *task;       /* set on the last hand-over: return it */
  GError          *fatal;
} MjaSyncSnapshot;

void     _mja_sync_options_copy   (MjaSyncOptions       *dest,
                                   const MjaSyncOptions *src);
gboolean _mja_sync_apply_snapshot (gpointer              data);
void     _mja_sync_snapshot_free  (MjaSyncSnapshot      *snapshot);
/* Takes @task; returns it (through a snapshot) when the run ends. */
void     _mja_sync_worker_start   (MjaSync              *self,
                                   GTask                *task,
                                   GCancellable         *cancellable);

G_END_DECLS
