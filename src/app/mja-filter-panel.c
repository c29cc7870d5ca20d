/* mja-filter-panel.c — narrow the grid by kind, model, aspect ratio, date, rating and liked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The filters live in GSettings, so they apply at once and are remembered;
 * the window turns them into an index query with mja_filter_apply().  The
 * kinds of job (Image, Upscale, Video, … merged across the API eras, see
 * mja-job-words.h), the models (V7, Niji 6) and the aspect ratios, with
 * their counts, come from the archive itself; each group stays hidden
 * while the archive has none.
 */
#define G_LOG_DOMAIN "mja-filter-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "mja-filter-panel.h"
#include "mja-job-words.h"
#include "mja-util.h"

/* One group of check rows, one row per value of a facet of the index. */
typedef struct
{
  AdwPreferencesGroup  *group;
  GPtrArray            *rows;
  const char           *key;     /* the GSettings key of the values chosen */
} Facet;

static const char * const facet_keys[] = { "filter-job-types", "filter-models", "filter-aspect-ratios" };

struct _MjaFilterPanel
{
  GtkBox                parent_instance;

  GSettings            *settings;
  Facet                 facets[G_N_ELEMENTS (facet_keys)];

  AdwPreferencesGroup  *types_group;
  AdwPreferencesGroup  *models_group;
  AdwPreferencesGroup  *ratios_group;
  AdwEntryRow          *from_row;
  AdwEntryRow          *to_row;
  GtkButton            *this_month_button;
  GtkButton            *this_year_button;
  AdwPreferencesGroup  *months_group;
  AdwExpanderRow       *months_row;
  GPtrArray            *month_rows;
  AdwComboRow          *rating_row;
  GtkSwitch            *liked_switch;
  GtkSwitch            *images_switch;
};

G_DEFINE_FINAL_TYPE (MjaFilterPanel, mja_filter_panel, GTK_TYPE_BOX)

/* Fills @query from the settings; returns whether any filter is on. */
gboolean
mja_filter_apply (GSettings     *settings,
                  MjaIndexQuery *query)
{
  g_autofree char *from = g_settings_get_string (settings, "filter-from");
  g_autofree char *to = g_settings_get_string (settings, "filter-to");
  g_auto(GStrv) types = g_settings_get_strv (settings, "filter-job-types");
  gboolean any = FALSE;

  g_autoptr(GStrvBuilder) categories = g_strv_builder_new ();
  MjaJobCategory category;

  /* The kinds (0.1.0 kept raw job types here: those are left out). */
  for (guint i = 0; types[i] != NULL; i++)
    if (mja_job_category_from_string (types[i], &category))
      {
        g_strv_builder_add (categories, types[i]);
        any = TRUE;
      }
  if (any)
    query->categories = g_strv_builder_end (categories);
  {
    g_auto(GStrv) models = g_settings_get_strv (settings, "filter-models");
    g_auto(GStrv) ratios = g_settings_get_strv (settings, "filter-aspect-ratios");

    if (models[0] != NULL)
      {
        query->models = g_steal_pointer (&models);
        any = TRUE;
      }
    if (ratios[0] != NULL)
      {
        query->aspect_ratios = g_steal_pointer (&ratios);
        any = TRUE;
      }
  }
  any |= *from != '\0' && mja_parse_day (from, FALSE, &query->from_us);
  any |= *to != '\0' && mja_parse_day (to, TRUE, &query->to_us);
  query->min_rating = g_settings_get_uint (settings, "filter-min-rating");
  query->liked_only = g_settings_get_boolean (settings, "filter-liked");
  query->with_images_only = g_settings_get_boolean (settings, "filter-with-images");
  return any || query->min_rating > 0 || query->liked_only || query->with_images_only;
}

void
mja_filter_clear (GSettings *settings)
{
  const char *keys[] = { "filter-job-types", "filter-models", "filter-aspect-ratios", "filter-from", "filter-to",
                         "filter-min-rating", "filter-liked", "filter-with-images" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

static void
facet_toggled_cb (GtkCheckButton *toggled,
                  MjaFilterPanel *self)
{
  Facet *facet = g_object_get_data (G_OBJECT (toggled), "mja-facet");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) values = NULL;

  for (guint i = 0; i < facet->rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (facet->rows, i);
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "mja-check");

      if (gtk_check_button_get_active (check))
        g_strv_builder_add (builder, g_object_get_data (G_OBJECT (row), "mja-value"));
    }
  values = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, facet->key, (const char * const *) values);
}

/* What a value of a facet is called in the panel: "Upscale", "V7",
 * "16:9 · Landscape". */
static char *
dup_value_label (MjaIndexFacet  facet,
                 const char    *value)
{
  MjaJobCategory category = MJA_JOB_CATEGORY_OTHER;
  guint64 w = 0, h = 0;
  g_auto(GStrv) parts = NULL;

  switch (facet)
    {
    case MJA_INDEX_FACET_CATEGORY:
      mja_job_category_from_string (value, &category);
      return g_strdup (mja_job_category_get_label (category));
    case MJA_INDEX_FACET_ASPECT_RATIO:
      parts = g_strsplit (value, ":", 2);
      if (g_strv_length (parts) == 2 && g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT, &w, NULL) &&
          g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &h, NULL))
        /* TRANSLATORS: an aspect ratio, then the shape it gives */
        return g_strdup_printf (_("%s · %s"), value, w > h ? _("Landscape") : w < h ? _("Portrait") : _("Square"));
      return g_strdup (value);
    case MJA_INDEX_FACET_MODEL:
    default:
      return g_strdup (value);
    }
}

static void
set_row_count (AdwActionRow *row,
               guint64       count)
{
  g_autofree char *subtitle = g_strdup_printf (ngettext ("%u job", "%u jobs", (gulong) count), (guint) count);

  adw_action_row_set_subtitle (row, subtitle);
}

/* ---- dates: typed, picked from a calendar, a quick range or a month ---- */

static void
set_range (MjaFilterPanel *self,
           int             year,
           int             first_month,
           int             last_month)
{
  g_autofree char *from = g_strdup_printf ("%04d-%02d-01", year, first_month);
  g_autofree char *to = g_strdup_printf ("%04d-%02d-%02d", year, last_month,
                                         g_date_get_days_in_month ((GDateMonth) last_month, (GDateYear) year));

  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);
}

static void
this_month_cb (MjaFilterPanel *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  set_range (self, g_date_time_get_year (now), g_date_time_get_month (now), g_date_time_get_month (now));
}

static void
this_year_cb (MjaFilterPanel *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  set_range (self, g_date_time_get_year (now), 1, 12);
}

static void
month_activated_cb (AdwActionRow   *row,
                    MjaFilterPanel *self)
{
  int year = 0, month = 0;

  if (sscanf (g_object_get_data (G_OBJECT (row), "mja-value"), "%4d-%2d", &year, &month) == 2)
    set_range (self, year, month, month);
}

static gint
newest_month_first (gconstpointer a,
                    gconstpointer b)
{
  const MjaIndexCount *x = *(MjaIndexCount * const *) a, *y = *(MjaIndexCount * const *) b;

  return g_strcmp0 (y->name, x->name);
}

/* A row per month with jobs, newest first: a timeline through the years;
 * a row sets the dates to its month. */
static void
set_months (MjaFilterPanel *self,
            GPtrArray      *counts)
{
  g_autoptr(GPtrArray) months = g_ptr_array_new ();

  for (guint i = 0; i < self->month_rows->len; i++)
    adw_expander_row_remove (self->months_row, g_ptr_array_index (self->month_rows, i));
  g_ptr_array_set_size (self->month_rows, 0);
  for (guint i = 0; counts != NULL && i < counts->len; i++)
    g_ptr_array_add (months, g_ptr_array_index (counts, i));
  g_ptr_array_sort (months, newest_month_first);
  for (guint i = 0; i < months->len; i++)
    {
      MjaIndexCount *count = g_ptr_array_index (months, i);
      int year = 0, month = 0;
      g_autoptr(GDateTime) first = NULL;
      g_autofree char *title = NULL;
      GtkWidget *row;

      if (sscanf (count->name, "%4d-%2d", &year, &month) != 2 ||
          (first = g_date_time_new_utc (year, month, 1, 0, 0, 0)) == NULL)
        continue;
      /* TRANSLATORS: a month of the timeline, see strftime(3): "March 2025" */
      title = g_date_time_format (first, _("%B %Y"));
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      set_row_count (ADW_ACTION_ROW (row), count->count);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "mja-value", g_strdup (count->name), g_free);
      g_signal_connect (row, "activated", G_CALLBACK (month_activated_cb), self);
      adw_expander_row_add_row (self->months_row, row);
      g_ptr_array_add (self->month_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->months_group), self->month_rows->len > 0);
}

static void
day_selected_cb (GtkCalendar    *calendar,
                 MjaFilterPanel *self)
{
  AdwEntryRow *row = g_object_get_data (G_OBJECT (calendar), "mja-row");
  g_autoptr(GDateTime) day = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (day, "%Y-%m-%d");

  gtk_editable_set_text (GTK_EDITABLE (row), text);
  gtk_popover_popdown (GTK_POPOVER (gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER)));
}

/* The calendar opens on the day typed, or today. */
static void
calendar_shown_cb (GtkPopover     *popover,
                   MjaFilterPanel *self)
{
  GtkCalendar *calendar = GTK_CALENDAR (gtk_popover_get_child (popover));
  AdwEntryRow *row = g_object_get_data (G_OBJECT (calendar), "mja-row");
  gint64 us;

  if (mja_parse_day (gtk_editable_get_text (GTK_EDITABLE (row)), FALSE, &us))
    {
      g_autoptr(GDateTime) day = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

      g_signal_handlers_block_by_func (calendar, day_selected_cb, self);
      gtk_calendar_select_day (calendar, day);
      g_signal_handlers_unblock_by_func (calendar, day_selected_cb, self);
    }
}

static void
add_calendar_button (MjaFilterPanel *self,
                     AdwEntryRow    *row,
                     const char     *label)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *calendar = gtk_calendar_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (calendar), "mja-row", row);
  g_signal_connect (calendar, "day-selected", G_CALLBACK (day_selected_cb), self);
  gtk_popover_set_child (GTK_POPOVER (popover), calendar);
  g_signal_connect (popover, "show", G_CALLBACK (calendar_shown_cb), self);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  adw_entry_row_add_suffix (row, button);
}

/**
 * mja_filter_panel_set_counts:
 * @counts: (nullable): MjaIndexCounts of @which, named by their values
 *   (mja_job_category_to_string(), mja_command_dup_model(), …)
 *
 * One check row per value of a facet ("Upscale", "V7", "16:9"), with how
 * many jobs it has.
 */
void
mja_filter_panel_set_counts (MjaFilterPanel *self,
                             MjaIndexFacet   which,
                             GPtrArray      *counts)
{
  Facet *facet;
  g_auto(GStrv) chosen = NULL;
  gboolean same;

  if (which == MJA_INDEX_FACET_MONTH)
    {
      set_months (self, counts);
      return;
    }
  g_return_if_fail (which < G_N_ELEMENTS (self->facets));
  facet = &self->facets[which];
  chosen = g_settings_get_strv (self->settings, facet->key);
  same = counts != NULL && counts->len == facet->rows->len;

  /* The same values as shown: only the counts change, the rows stay. */
  for (guint i = 0; same && i < counts->len; i++)
    same = g_str_equal (((MjaIndexCount *) g_ptr_array_index (counts, i))->name,
                        g_object_get_data (g_ptr_array_index (facet->rows, i), "mja-value"));
  if (same)
    {
      for (guint i = 0; i < counts->len; i++)
        set_row_count (g_ptr_array_index (facet->rows, i), ((MjaIndexCount *) g_ptr_array_index (counts, i))->count);
      return;
    }

  for (guint i = 0; i < facet->rows->len; i++)
    adw_preferences_group_remove (facet->group, g_ptr_array_index (facet->rows, i));
  g_ptr_array_set_size (facet->rows, 0);

  for (guint i = 0; counts && i < counts->len; i++)
    {
      MjaIndexCount *count = g_ptr_array_index (counts, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *label = dup_value_label (which, count->name);

      g_object_set_data_full (G_OBJECT (row), "mja-value", g_strdup (count->name), g_free);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      set_row_count (ADW_ACTION_ROW (row), count->count);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   g_strv_contains ((const char * const *) chosen, count->name));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_object_set_data (G_OBJECT (row), "mja-check", check);
      g_object_set_data (G_OBJECT (check), "mja-facet", facet);
      g_signal_connect (check, "toggled", G_CALLBACK (facet_toggled_cb), self);
      adw_preferences_group_add (facet->group, row);
      g_ptr_array_add (facet->rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (facet->group), facet->rows->len > 0);
}

static void
date_changed_cb (AdwEntryRow    *row,
                 MjaFilterPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  const char *key = row == self->from_row ? "filter-from" : "filter-to";
  gint64 unused;

  /* Only a whole date filters; a half-typed one is marked, not applied. */
  if (*text == '\0' || mja_parse_day (text, FALSE, &unused))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      g_settings_set_string (self->settings, key, text);
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

static void
settings_changed_cb (GSettings      *settings,
                     const char     *key,
                     MjaFilterPanel *self)
{
  const char *keys[] = { "filter-from", "filter-to" };
  AdwEntryRow *rows[] = { self->from_row, self->to_row };

  /* Cleared from elsewhere ("Clear Filters"): show it. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *value = g_settings_get_string (settings, keys[i]);

      if (g_str_equal (key, keys[i]) && *value == '\0' && *gtk_editable_get_text (GTK_EDITABLE (rows[i])) != '\0')
        gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
    }
  for (guint f = 0; f < G_N_ELEMENTS (self->facets); f++)
    {
      Facet *facet = &self->facets[f];
      g_auto(GStrv) chosen = NULL;

      if (!g_str_equal (key, facet->key))
        continue;
      chosen = g_settings_get_strv (settings, key);
      for (guint i = 0; i < facet->rows->len; i++)
        {
          AdwActionRow *row = g_ptr_array_index (facet->rows, i);
          GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "mja-check");
          gboolean active = g_strv_contains ((const char * const *) chosen,
                                             g_object_get_data (G_OBJECT (row), "mja-value"));

          if (gtk_check_button_get_active (check) != active)
            {
              g_signal_handlers_block_by_func (check, facet_toggled_cb, self);
              gtk_check_button_set_active (check, active);
              g_signal_handlers_unblock_by_func (check, facet_toggled_cb, self);
            }
        }
    }
}

void
mja_filter_panel_set_settings (MjaFilterPanel *self,
                               GSettings      *settings)
{
  g_autofree char *from = g_settings_get_string (settings, "filter-from");
  g_autofree char *to = g_settings_get_string (settings, "filter-to");

  g_set_object (&self->settings, settings);
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);
  g_signal_connect (self->from_row, "changed", G_CALLBACK (date_changed_cb), self);
  g_signal_connect (self->to_row, "changed", G_CALLBACK (date_changed_cb), self);
  g_settings_bind (settings, "filter-min-rating", self->rating_row, "selected", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "filter-liked", self->liked_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "filter-with-images", self->images_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
}

static void
mja_filter_panel_dispose (GObject *object)
{
  MjaFilterPanel *self = MJA_FILTER_PANEL (object);

  g_clear_object (&self->settings);
  for (guint i = 0; i < G_N_ELEMENTS (self->facets); i++)
    g_clear_pointer (&self->facets[i].rows, g_ptr_array_unref);
  g_clear_pointer (&self->month_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_FILTER_PANEL);
  G_OBJECT_CLASS (mja_filter_panel_parent_class)->dispose (object);
}

static void
mja_filter_panel_class_init (MjaFilterPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_filter_panel_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-filter-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, types_group);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, models_group);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, ratios_group);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, from_row);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, to_row);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, this_month_button);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, this_year_button);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, months_group);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, months_row);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, rating_row);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, liked_switch);
  gtk_widget_class_bind_template_child (widget_class, MjaFilterPanel, images_switch);
}

static void
mja_filter_panel_init (MjaFilterPanel *self)
{
  AdwPreferencesGroup **groups[] = { &self->types_group, &self->models_group, &self->ratios_group };

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (self->facets); i++)
    {
      self->facets[i].group = *groups[i];
      self->facets[i].rows = g_ptr_array_new ();
      self->facets[i].key = facet_keys[i];
    }
  self->month_rows = g_ptr_array_new ();
  add_calendar_button (self, self->from_row, _("Choose the First Day"));
  add_calendar_button (self, self->to_row, _("Choose the Last Day"));
  g_signal_connect_swapped (self->this_month_button, "clicked", G_CALLBACK (this_month_cb), self);
  g_signal_connect_swapped (self->this_year_button, "clicked", G_CALLBACK (this_year_cb), self);
}
