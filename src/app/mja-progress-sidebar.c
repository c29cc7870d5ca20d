/* mja-progress-sidebar.c — the progress of a sync, beside the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the sync it is given (the "sync" property): the bar, what the sync
 * is doing, its counters and its problems.  It follows whichever sync is
 * current through a GBindingGroup (the bar) and a GSignalGroup (the rest),
 * so nothing is connected or disconnected by hand, and a sync that is let go of stays on
 * screen as it ended.  It only observes: it never starts, stops or keeps a
 * sync alive beyond the one it is showing.
 */
#define G_LOG_DOMAIN "mja-progress-sidebar"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "mja-progress-sidebar.h"

struct _MjaProgressSidebar
{
  GtkWidget       parent_instance;

  GBindingGroup  *bindings;
  GSignalGroup   *signals;

  GtkProgressBar *progress_bar;
  GtkLabel       *phase_label;
  AdwActionRow   *new_row;
  AdwActionRow   *images_row;
  AdwActionRow   *skipped_row;
  AdwActionRow   *failed_row;
  AdwActionRow   *speed_row;
  char           *end_message;   /* how the sync shown ended, once it did */
  AdwActionRow   *left_row;
  GtkLabel       *problems_title;
  GtkListBox     *problems_list;
};

G_DEFINE_FINAL_TYPE (MjaProgressSidebar, mja_progress_sidebar, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_counter (AdwActionRow *row,
             const char   *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
set_counter (AdwActionRow *row,
             const char   *format,
             ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  adw_action_row_set_subtitle (row, text);
}

/* What the sync does and its counters (the bar follows by its binding). */
static void
update (MjaProgressSidebar *self,
        MjaSync            *sync)
{
  g_autofree char *phase = mja_sync_dup_phase_text (sync);
  g_autofree char *size = g_format_size ((guint64) mja_sync_get_bytes_per_second (sync));
  int left = mja_sync_get_seconds_left (sync);

  gtk_label_set_text (self->phase_label, self->end_message ? self->end_message : phase);
  set_counter (self->new_row, "%u", mja_sync_get_jobs_new (sync));
  set_counter (self->images_row, _("%u of %u"), mja_sync_get_images_done (sync) + mja_sync_get_images_skipped (sync),
               mja_sync_get_images_queued (sync));
  set_counter (self->skipped_row, "%u", mja_sync_get_jobs_skipped (sync));
  set_counter (self->failed_row, "%u", mja_sync_get_images_failed (sync));
  set_counter (self->speed_row, _("%s/s"), size);
  if (self->end_message != NULL)
    {
      /* TRANSLATORS: no speed or time left, as nothing is running */
      adw_action_row_set_subtitle (self->speed_row, C_("no value", "—"));
      adw_action_row_set_subtitle (self->left_row, C_("no value", "—"));
    }
  else if (left < 0)
    adw_action_row_set_subtitle (self->left_row, _("Unknown while listing"));
  else
    set_counter (self->left_row, "%d:%02d", left / 60, left % 60);
}

static void
notify_cb (MjaProgressSidebar *self,
           GParamSpec         *pspec,
           MjaSync            *sync)
{
  update (self, sync);
}

static void
problem_cb (MjaProgressSidebar *self,
            const char         *job_id,
            const char         *message,
            MjaSync            *sync)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), job_id ? job_id : _("Listing"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), message);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_prepend (self->problems_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_title), TRUE);
}

/* A new sync starts from nothing. */
static void
bind_cb (MjaProgressSidebar *self,
         MjaSync            *sync,
         GSignalGroup       *group)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL)
    gtk_list_box_remove (self->problems_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->problems_title), FALSE);
  g_clear_pointer (&self->end_message, g_free);
  gtk_label_set_text (self->phase_label, _("Starting"));
}

MjaSync *
mja_progress_sidebar_get_sync (MjaProgressSidebar *self)
{
  g_return_val_if_fail (MJA_IS_PROGRESS_SIDEBAR (self), NULL);
  return g_binding_group_dup_source (self->bindings);
}

/* The sidebar shows @sync from now on; with NULL it keeps showing the last
 * one as it ended. */
void
mja_progress_sidebar_set_sync (MjaProgressSidebar *self,
                               MjaSync            *sync)
{
  g_autoptr(MjaSync) old = NULL;

  g_return_if_fail (MJA_IS_PROGRESS_SIDEBAR (self));
  g_return_if_fail (sync == NULL || MJA_IS_SYNC (sync));

  old = g_binding_group_dup_source (self->bindings);
  if (old == sync)
    return;
  /* Its last counters (a sync's final change comes without a notify). */
  if (old != NULL)
    update (self, old);
  g_binding_group_set_source (self->bindings, sync);
  g_signal_group_set_target (self->signals, sync);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

/* How the sync shown ended ("Stopped", "Up to date", why it failed), in
 * place of what it was doing; its speed and time left no longer apply. */
void
mja_progress_sidebar_show_end (MjaProgressSidebar *self,
                               const char         *message)
{
  g_return_if_fail (MJA_IS_PROGRESS_SIDEBAR (self));
  g_return_if_fail (message != NULL);

  g_free (self->end_message);
  self->end_message = g_strdup (message);
  gtk_label_set_text (self->phase_label, message);
  adw_action_row_set_subtitle (self->speed_row, C_("no value", "—"));
  adw_action_row_set_subtitle (self->left_row, C_("no value", "—"));
}

/* Why the sync shown failed, in place of what it was doing. */
void
mja_progress_sidebar_show_error (MjaProgressSidebar *self,
                                 const char         *message)
{
  mja_progress_sidebar_show_end (self, message);
}

static void
mja_progress_sidebar_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  MjaProgressSidebar *self = MJA_PROGRESS_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_take_object (value, mja_progress_sidebar_get_sync (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_progress_sidebar_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  MjaProgressSidebar *self = MJA_PROGRESS_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      mja_progress_sidebar_set_sync (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_progress_sidebar_dispose (GObject *object)
{
  MjaProgressSidebar *self = MJA_PROGRESS_SIDEBAR (object);
  GtkWidget *child;

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);
  g_clear_pointer (&self->end_message, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_PROGRESS_SIDEBAR);
  /* The children without a name in the template, too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mja_progress_sidebar_parent_class)->dispose (object);
}

static void
mja_progress_sidebar_class_init (MjaProgressSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_progress_sidebar_dispose;
  object_class->get_property = mja_progress_sidebar_get_property;
  object_class->set_property = mja_progress_sidebar_set_property;

  properties[PROP_SYNC] = g_param_spec_object ("sync", "Sync", "The sync shown", MJA_TYPE_SYNC,
                                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mjarchiver/Archiver/mja-progress-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, phase_label);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, new_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, images_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, skipped_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, failed_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, speed_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, left_row);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, problems_title);
  gtk_widget_class_bind_template_child (widget_class, MjaProgressSidebar, problems_list);
  /* What the GtkBox that was the sidebar before said of itself. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mja_progress_sidebar_init (MjaProgressSidebar *self)
{
  g_type_ensure (ADW_TYPE_ACTION_ROW);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "fraction", self->progress_bar, "fraction", G_BINDING_SYNC_CREATE);

  self->signals = g_signal_group_new (MJA_TYPE_SYNC);
  g_signal_connect_object (self->signals, "bind", G_CALLBACK (bind_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->signals, "notify", G_CALLBACK (notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->signals, "problem", G_CALLBACK (problem_cb), self, G_CONNECT_SWAPPED);
}
