/* mja-window-private.h — what the window's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mja-filter-panel.h"
#include "mja-image-view.h"
#include "mja-job-grid.h"
#include "mja-job-list.h"
#include "mja-progress-sidebar.h"
#include "mja-sync.h"
#include "mja-window.h"

G_BEGIN_DECLS

struct _MjaWindow
{
  AdwApplicationWindow  parent_instance;

  GFile                *archive_dir;
  MjaJobList           *jobs;
  gint64                total_jobs;
  gint64                matched_jobs;  /* of those, what the search and filters let through */
  GHashTable           *keep_selected; /* ids selected before a reload, until it is done */
  gboolean              scroll_to_selected;
  GCancellable         *query_cancellable;
  GSignalGroup         *sync_signals;  /* the session's current sync */
  guint                 reload_source;
  gboolean              loaded;
  gboolean              filtering;
  gboolean              searchable;    /* the archive holds jobs to search */
  gboolean              facets_stale;  /* the filter panel's counts, until recounted */
  guint                 viewing;       /* position shown in the view, or G_MAXUINT */

  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkButton            *sync_button;
  GtkImage             *sync_icon;
  GtkLabel             *sync_label;
  GtkToggleButton      *filters_button;
  GtkToggleButton      *progress_button;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwStatusPage        *empty_page;
  AdwStatusPage        *signed_out_page;
  MjaImageView         *image_view;
  MjaFilterPanel       *filter_panel;
  MjaJobGrid           *job_grid;
  GtkRevealer          *filter_bar;
  GtkLabel             *filter_bar_label;
  AdwFlap              *filters_flap;
  GtkRevealer          *sidebar_revealer;
  MjaProgressSidebar   *progress_sidebar;
};

MjaApplication *_mja_window_get_app              (MjaWindow      *self);
MjaSession     *_mja_window_get_session          (MjaWindow      *self);
void            _mja_window_set_viewing          (MjaWindow      *self,
                                                  guint           position);
void            _mja_window_class_actions_init   (MjaWindowClass *klass);
void            _mja_window_actions_init         (MjaWindow      *self);

G_END_DECLS
