/* mja-bench-hooks.c — what bench/bench-open.py measures in the running app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the benchmark's measurements of the app itself, so that no product
 * class keeps timers or counters for it: how long after start the first
 * thumbnail was on screen, how fast a burst of thumbnails was made, and the
 * scroll benchmark.  The product calls these hooks at the moments they
 * measure; each returns at once unless a benchmark asked for it: the
 * timings when the debug log of "mja-bench" is on (G_MESSAGES_DEBUG), the
 * scroll with MJA_SCROLL_BENCHMARK=1.  It must never change what the app
 * does otherwise, except that the scroll benchmark quits the app when done.
 */
#define G_LOG_DOMAIN "mja-bench"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-bench-hooks.h"
#include "mja-job-cell.h"

static gboolean timings;          /* set once, before any thread starts */
static gboolean scroll;
static gboolean jump;             /* MJA_JUMP_BENCHMARK: End, then time the cells in sight */
static gint64   started;          /* monotonic µs */
static gboolean first_shown;

/* One burst of thumbnail loads, from the first request until none is
 * pending. */
static guint    pending;
static gint64   burst_start;
static gint     decoded;          /* atomic: from the image itself */
static gint     shared_hits;      /* atomic: from the freedesktop cache */

void
mja_bench_hooks_init (void)
{
  started = g_get_monotonic_time ();
  timings = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
  scroll = g_getenv ("MJA_SCROLL_BENCHMARK") != NULL;
  jump = g_getenv ("MJA_JUMP_BENCHMARK") != NULL;
}

/* ---- thumbnails -------------------------------------------------------- */

void
mja_bench_hooks_thumbnail_requested (void)
{
  if (!timings)
    return;
  if (pending++ == 0)
    {
      burst_start = g_get_monotonic_time ();
      g_atomic_int_set (&decoded, 0);
      g_atomic_int_set (&shared_hits, 0);
    }
}

/* In a decoding thread. */
void
mja_bench_hooks_thumbnail_made (gboolean from_shared_cache)
{
  if (timings)
    g_atomic_int_inc (from_shared_cache ? &shared_hits : &decoded);
}

void
mja_bench_hooks_thumbnail_finished (void)
{
  double seconds;
  guint n_decoded;

  if (!timings || pending == 0 || --pending > 0)
    return;
  seconds = (g_get_monotonic_time () - burst_start) / (double) G_USEC_PER_SEC;
  n_decoded = (guint) g_atomic_int_get (&decoded);
  g_debug ("Thumbnails: %u decoded from their images, %u from the shared cache, in %.0f ms (%.1f decoded/s)",
           n_decoded, (guint) g_atomic_int_get (&shared_hits), seconds * 1000, seconds > 0 ? n_decoded / seconds : 0);
}

/* Once per run: how long after the app started the first thumbnail was on
 * screen. */
void
mja_bench_hooks_thumbnail_shown (void)
{
  if (!timings || first_shown)
    return;
  first_shown = TRUE;
  g_debug ("First thumbnail on screen %.0f ms after start", (g_get_monotonic_time () - started) / 1000.0);
}

/* ---- the scroll benchmark ---------------------------------------------- */

/* Once the grid is filled, scroll it from top to bottom, two screens a
 * frame, and report the longest frame (from the frame clock's frame
 * times), how long the frame's phases took, and the peak resident memory,
 * then quit. */
typedef enum
{
  PHASE_UPDATE,  /* the tick: scrolling, and binding the cells it brings in */
  PHASE_LAYOUT,
  PHASE_PAINT,   /* drawing, and handing the frame to the display */
  N_PHASES
} Phase;

typedef struct
{
  gint64 last_frame;
  gint64 longest;
  guint  frames;
  guint  slow;      /* frames over 50 ms */
  gint64 phase_start;
  gint64 work;      /* this frame's phases so far */
  gint64 longest_work;
  guint  slow_work; /* frames whose phases took over 50 ms */
  gint64 phase_longest[N_PHASES];
  gint64 phase_total[N_PHASES];
} ScrollBench;

static void
scroll_bench_phase (GdkFrameClock *clock,
                    ScrollBench   *bench,
                    Phase          phase)
{
  gint64 now = g_get_monotonic_time ();

  if (phase != N_PHASES && bench->phase_start != 0)
    {
      bench->phase_longest[phase] = MAX (bench->phase_longest[phase], now - bench->phase_start);
      bench->phase_total[phase] += now - bench->phase_start;
      bench->work += now - bench->phase_start;
    }
  if (phase == PHASE_PAINT)
    {
      bench->longest_work = MAX (bench->longest_work, bench->work);
      bench->slow_work += bench->work > 50000;
    }
  if (phase == N_PHASES || phase == PHASE_PAINT)
    bench->work = 0;
  bench->phase_start = now;
}

static void
scroll_bench_frame_start (GdkFrameClock *clock,
                          ScrollBench   *bench)
{
  scroll_bench_phase (clock, bench, N_PHASES);
}

static void
scroll_bench_updated (GdkFrameClock *clock,
                      ScrollBench   *bench)
{
  scroll_bench_phase (clock, bench, PHASE_UPDATE);
}

static void
scroll_bench_laid_out (GdkFrameClock *clock,
                       ScrollBench   *bench)
{
  scroll_bench_phase (clock, bench, PHASE_LAYOUT);
}

static void
scroll_bench_painted (GdkFrameClock *clock,
                      ScrollBench   *bench)
{
  scroll_bench_phase (clock, bench, PHASE_PAINT);
}

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) || (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtod (line + 6, NULL) / 1024.0;
}

static gboolean
scroll_bench_tick (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  ScrollBench *bench = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double value = gtk_adjustment_get_value (adjustment);
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (bench->last_frame != 0)
    {
      gint64 interval = now - bench->last_frame;

      bench->longest = MAX (bench->longest, interval);
      /* The frame clock gives frame times in whole refresh periods
       * (16,667 µs at 60 Hz): three of them, 50,001 µs, are 50 ms. */
      bench->slow += interval > 50500;
      bench->frames++;
    }
  bench->last_frame = now;
  if (gtk_adjustment_get_upper (adjustment) <= gtk_adjustment_get_page_size (adjustment))
    return G_SOURCE_CONTINUE;  /* not laid out yet */
  if (value >= end)
    {
      g_message ("Scroll benchmark: %u items, %u frames to the end, longest frame %.1f ms, %u frames over 50 ms, "
                 "peak resident memory %.0f MB",
                 g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (widget)))),
                 bench->frames, bench->longest / 1000.0, bench->slow, peak_rss_mb ());
      g_message ("Scroll benchmark phases, longest/mean ms: update (scrolling and binding cells) %.1f/%.1f, "
                 "layout %.1f/%.1f, paint %.1f/%.1f; longest frame's work %.1f ms, %u frames' work over 50 ms",
                 bench->phase_longest[PHASE_UPDATE] / 1000.0, bench->phase_total[PHASE_UPDATE] / 1000.0 / bench->frames,
                 bench->phase_longest[PHASE_LAYOUT] / 1000.0, bench->phase_total[PHASE_LAYOUT] / 1000.0 / bench->frames,
                 bench->phase_longest[PHASE_PAINT] / 1000.0, bench->phase_total[PHASE_PAINT] / 1000.0 / bench->frames,
                 bench->longest_work / 1000.0, bench->slow_work);
      g_signal_handlers_disconnect_by_data (clock, bench);
      g_application_quit (g_application_get_default ());
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (adjustment, MIN (end, value + 2 * gtk_adjustment_get_page_size (adjustment)));
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
find_grid_view (GtkWidget *widget)
{
  if (GTK_IS_GRID_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_grid_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- the jump benchmark ------------------------------------------------ */

/* Two seconds after the grid is filled (the first screen's thumbnails
 * shown), jump to its end as End does; then, every frame, are all the cells
 * in sight showing their thumbnails?  Logs how long that took and the peak
 * resident memory. */
typedef struct
{
  gint64 filled;
  gint64 jumped;
} JumpBench;

static gboolean
cells_in_sight_complete (GtkWidget *view,
                         guint     *n_cells)
{
  int height = gtk_widget_get_height (view);

  *n_cells = 0;
  for (GtkWidget *row = gtk_widget_get_first_child (view); row; row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *cell = gtk_widget_get_first_child (row);
      graphene_rect_t bounds;

      if (!MJA_IS_JOB_CELL (cell) || !gtk_widget_get_mapped (row) || !gtk_widget_compute_bounds (row, view, &bounds))
        continue;
      if (bounds.origin.y + bounds.size.height <= 0 || bounds.origin.y >= height)
        continue;
      (*n_cells)++;
      if (!mja_job_cell_is_complete (MJA_JOB_CELL (cell)))
        return FALSE;
    }
  return *n_cells > 0;
}

static gboolean
jump_bench_tick (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  JumpBench *bench = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));
  gint64 now = g_get_monotonic_time ();
  guint n_cells;

  if (bench->jumped == 0)
    {
      if (now - bench->filled < 2 * G_USEC_PER_SEC)
        return G_SOURCE_CONTINUE;
      bench->jumped = now;
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      return G_SOURCE_CONTINUE;
    }
  if (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment) <
      gtk_adjustment_get_upper (adjustment) - 1 || !cells_in_sight_complete (widget, &n_cells))
    return G_SOURCE_CONTINUE;
  g_message ("Jump benchmark: %u items, End to every one of the %u cells in sight showing its thumbnail in "
             "%.0f ms, peak resident memory %.0f MB",
             g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (widget)))), n_cells,
             (now - bench->jumped) / 1000.0, peak_rss_mb ());
  return G_SOURCE_REMOVE;
}

/* @grid (or the GtkGridView inside it) holds every job it will show. */
void
mja_bench_hooks_grid_filled (GtkWidget *grid)
{
  static gboolean scrolling;
  GtkWidget *view;
  ScrollBench *bench;
  GdkFrameClock *clock;

  g_return_if_fail (GTK_IS_WIDGET (grid));

  if (!(scroll || jump) || scrolling || (view = find_grid_view (grid)) == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (view)))) == 0)
    return;
  if (jump)
    {
      JumpBench *jump_bench = g_new0 (JumpBench, 1);

      scrolling = TRUE;
      jump_bench->filled = g_get_monotonic_time ();
      gtk_widget_add_tick_callback (view, jump_bench_tick, jump_bench, g_free);
      return;
    }
  scrolling = TRUE;
  bench = g_new0 (ScrollBench, 1);
  clock = gtk_widget_get_frame_clock (view);
  g_signal_connect (clock, "before-paint", G_CALLBACK (scroll_bench_frame_start), bench);
  g_signal_connect_after (clock, "update", G_CALLBACK (scroll_bench_updated), bench);
  g_signal_connect_after (clock, "layout", G_CALLBACK (scroll_bench_laid_out), bench);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (scroll_bench_painted), bench);
  gtk_widget_add_tick_callback (view, scroll_bench_tick, bench, g_free);
}
