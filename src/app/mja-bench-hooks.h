/* mja-bench-hooks.h — what bench/bench-open.py measures in the running app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void mja_bench_hooks_init                (void);
void mja_bench_hooks_thumbnail_requested (void);
void mja_bench_hooks_thumbnail_made      (gboolean   from_shared_cache);
void mja_bench_hooks_thumbnail_finished  (void);
void mja_bench_hooks_thumbnail_shown     (void);
void mja_bench_hooks_grid_filled         (GtkWidget *grid);

G_END_DECLS
