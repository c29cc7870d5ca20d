/* mja-image-view.c — one job, large: its images or video, zoom, and the job in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows one file of one job of the grid's model (MjaJobList, in the
 * grid's current filtered order): an image in a MjaZoomPicture, a video
 * in a GtkVideo that plays and loops.  Previous/next go through the files
 * of the job first, then on to the neighbouring job; the page indicator
 * ("Image 2 of 4") and a strip of the job's images show where one is.
 * Beside it, in an AdwFlap that folds over the picture on narrow windows,
 * the job in words (mja-job-words): kind, model, date, the command's
 * parameters as chips, the job it was made from and those made from it.
 *
 * Its actions are a GActionGroup ("view.*") the window also inserts, so
 * the header bar's buttons reach them, and its keys are a capture-phase
 * controller on the window, so they work wherever focus is.  It reads the
 * index only through the job list (one indexed lookup per job shown), and
 * files only on the picture's and the thumbnailer's threads.
 */
#define G_LOG_DOMAIN "mja-image-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "mja-file-actions.h"
#include "mja-image-view.h"
#include "mja-job-words.h"
#include "mja-thumbnailer.h"
#include "mja-zoom-picture.h"

#define STRIP_SIZE        48
#define LONG_PROMPT       280   /* characters: folded behind "Show More" */
#define ARROWS_TIMEOUT_MS 2000
#define SLIDESHOW_SECONDS 5

struct _MjaImageView
{
  GtkBox              parent_instance;

  MjaJobList         *jobs;
  MjaJobItem         *item;
  guint               position;   /* in jobs, or G_MAXUINT */
  gboolean            in_order;   /* shown from jobs, not alone */
  GStrv               media;      /* the job's downloaded files */
  guint               image;      /* index into media */
  gboolean            prompt_expanded;
  char               *highlight;   /* the grid's search, marked in the prompt */
  MjaThumbnailer     *strip_loader;
  GCancellable       *strip_cancellable;
  GSimpleActionGroup *actions;
  guint               arrows_source;
  guint               slideshow_source;

  AdwFlap            *flap;
  GtkOverlay         *overlay;
  GtkStack           *media_stack;
  MjaZoomPicture     *picture;
  GtkVideo           *video;
  AdwStatusPage      *missing_page;
  GtkRevealer        *previous_revealer;
  GtkRevealer        *next_revealer;
  GtkWidget          *zoom_box;
  GtkButton          *zoom_button;
  GtkWidget          *page_box;
  GtkLabel           *page_label;
  GtkBox             *strip;
  GtkLabel           *prompt_label;
  GtkButton          *more_button;
  GtkFlowBox         *chips;
  AdwActionRow       *type_row;
  AdwActionRow       *model_row;
  AdwActionRow       *date_row;
  AdwActionRow       *size_row;
  AdwActionRow       *rating_row;
  AdwActionRow       *parent_row;
  GtkWidget          *children_heading;
  GtkListBox         *children_list;
};

G_DEFINE_FINAL_TYPE (MjaImageView, mja_image_view, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SHOW_JOB,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_file (MjaImageView *self);

/* ---- small helpers ------------------------------------------------------ */

static void
enable (MjaImageView *self,
        const char   *name,
        gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static gboolean
action_enabled (MjaImageView *self,
                const char   *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (self->actions), name);
}

static void
toast (MjaImageView *self,
       const char   *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 2);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static guint
n_media (MjaImageView *self)
{
  return self->media ? g_strv_length (self->media) : 0;
}

static const char *
current_file (MjaImageView *self)
{
  return self->image < n_media (self) ? self->media[self->image] : NULL;
}

static gboolean
is_video (const char *path)
{
  return path != NULL && g_str_has_suffix (path, ".mp4");
}

static guint
n_jobs (MjaImageView *self)
{
  return self->jobs ? g_list_model_get_n_items (G_LIST_MODEL (self->jobs)) : 0;
}

static gboolean
is_job_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* The first line of the prompt, at most @max characters. */
static char *
short_prompt (const char *prompt,
              glong       max)
{
  g_autofree char *line = g_strndup (prompt ? prompt : "", strcspn (prompt ? prompt : "", "\n"));

  g_strstrip (line);
  if (g_utf8_strlen (line, -1) <= max)
    return g_steal_pointer (&line);
  return g_strconcat (g_utf8_substring (line, 0, max - 1), "…", NULL);
}

/* ---- what is shown ------------------------------------------------------ */

static void
update_zoom_label (MjaImageView *self)
{
  double zoom = mja_zoom_picture_get_zoom (self->picture);
  gboolean loaded = mja_zoom_picture_get_loaded (self->picture);
  g_autofree char *level = g_strdup_printf (_("%.0f %%"), zoom * 100);

  gtk_button_set_label (self->zoom_button, loaded ? level : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->zoom_button),
                               mja_zoom_picture_get_best_fit (self->picture) ? _("Best fit. Click for 100 % (Ctrl+1)")
                                                                              : _("Click for best fit (Ctrl+0)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->zoom_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  mja_zoom_picture_get_best_fit (self->picture) ? _("Best Fit") : level, -1);
  enable (self, "zoom-in", loaded);
  enable (self, "zoom-out", loaded && !mja_zoom_picture_get_best_fit (self->picture));
  enable (self, "zoom-fit", loaded);
  enable (self, "zoom-original", loaded);
  enable (self, "zoom-toggle", loaded);
}

static void
zoom_notify_cb (MjaImageView *self)
{
  update_zoom_label (self);
}

static void
load_failed_cb (MjaImageView *self,
                GError       *error)
{
  adw_status_page_set_title (self->missing_page, _("The Image Cannot Be Shown"));
  adw_status_page_set_description (self->missing_page, error->message);
  gtk_stack_set_visible_child_name (self->media_stack, "missing");
}

/* A video GStreamer cannot play: say so, in place of GtkVideo's icon. */
static void
stream_error_cb (GtkMediaStream *stream,
                 GParamSpec     *pspec,
                 MjaImageView   *self)
{
  const GError *error = gtk_media_stream_get_error (stream);

  if (error == NULL || stream != gtk_video_get_media_stream (self->video))
    return;
  adw_status_page_set_icon_name (self->missing_page, "camera-video-symbolic");
  g_message ("%s: %s", current_file (self), error->message);
  adw_status_page_set_title (self->missing_page, _("The Video Cannot Be Played"));
  adw_status_page_set_description (self->missing_page,
                                   _("The file is damaged, or in a format this computer has no player for."));
  gtk_stack_set_visible_child_name (self->media_stack, "missing");
}

static void
update_navigation (MjaImageView *self)
{
  gboolean has_previous = self->image > 0 || (self->position != G_MAXUINT && self->position > 0);
  gboolean has_next = self->image + 1 < n_media (self) ||
                      (self->position != G_MAXUINT && self->position + 1 < n_jobs (self));

  enable (self, "previous", has_previous);
  enable (self, "next", has_next);
  enable (self, "first", self->position != G_MAXUINT && (self->position > 0 || self->image > 0));
  enable (self, "last", self->position != G_MAXUINT && (self->position + 1 < n_jobs (self) ||
                                                         self->image + 1 < n_media (self)));
}

static void
update_page_indicator (MjaImageView *self)
{
  guint n = n_media (self);
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->strip));
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *prompt = short_prompt (self->item ? mja_job_item_get_prompt (self->item) : "", 80);
  gboolean video = is_video (current_file (self));

  text = video ? g_strdup_printf (_("Video %u of %u"), self->image + 1, n)
               : g_strdup_printf (_("Image %u of %u"), self->image + 1, n);
  gtk_label_set_text (self->page_label, text);
  gtk_widget_set_visible (self->page_box, n > 1);
  for (guint i = 0; child != NULL; i++, child = gtk_widget_get_next_sibling (child))
    {
      if (i == self->image)
        gtk_widget_add_css_class (child, "mja-current");
      else
        gtk_widget_remove_css_class (child, "mja-current");
    }

  /* The picture's name: the prompt, and where it is among the job's files. */
  name = n > 1 ? g_strdup_printf ("%s, %s", *prompt ? prompt : _("No prompt"), text)
               : g_strdup (*prompt ? prompt : _("No prompt"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->video), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
show_file (MjaImageView *self)
{
  const char *path = current_file (self);
  MjaJobCategory category = self->item ? mja_job_item_get_category (self->item)
                                       : MJA_JOB_CATEGORY_OTHER;

  gtk_video_set_file (self->video, NULL);
  mja_zoom_picture_set_file (self->picture, NULL);
  if (path == NULL)
    {
      adw_status_page_set_icon_name (self->missing_page, category == MJA_JOB_CATEGORY_VIDEO
                                                           ? "camera-video-symbolic" : "image-missing-symbolic");
      adw_status_page_set_title (self->missing_page, category == MJA_JOB_CATEGORY_VIDEO ? _("No Video")
                                                                                         : _("No Image"));
      adw_status_page_set_description (self->missing_page,
                                       category == MJA_JOB_CATEGORY_VIDEO
                                       ? _("This video is not in the archive. Videos are downloaded only when "
                                           "chosen in Preferences.")
                                       : _("This job's images are not in the archive yet."));
      gtk_stack_set_visible_child_name (self->media_stack, "missing");
    }
  else if (is_video (path))
    {
      gtk_video_set_filename (self->video, path);
      gtk_stack_set_visible_child_name (self->media_stack, "video");
      if (gtk_video_get_media_stream (self->video) != NULL)
        g_signal_connect_object (gtk_video_get_media_stream (self->video), "notify::error",
                                 G_CALLBACK (stream_error_cb), self, 0);
    }
  else
    {
      mja_zoom_picture_set_file (self->picture, path);
      gtk_stack_set_visible_child_name (self->media_stack, "picture");
    }
  gtk_widget_set_visible (self->zoom_box, path != NULL && !is_video (path));
  enable (self, "show-in-folder", path != NULL);
  enable (self, "open-with", path != NULL);
  enable (self, "play-pause", is_video (path));
  enable (self, "toggle-mute", is_video (path));
  update_zoom_label (self);
  update_navigation (self);
  update_page_indicator (self);
}

static void
strip_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GtkPicture) picture = user_data;
  g_autoptr(GdkTexture) texture = mja_thumbnailer_load_finish (MJA_THUMBNAILER (source), result, NULL);

  GtkWidget *button = gtk_widget_get_parent (GTK_WIDGET (picture));

  if (texture != NULL)
    gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
  /* A video without a frame to show (it cannot be played here). */
  else if (button != NULL && g_object_get_data (G_OBJECT (button), "video") != NULL)
    gtk_button_set_icon_name (GTK_BUTTON (button), "camera-video-symbolic");
}

static void
strip_clicked_cb (GtkButton    *button,
                  MjaImageView *self)
{
  self->image = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "image"));
  show_file (self);
}

static void
fill_strip (MjaImageView *self)
{
  GtkWidget *child;
  guint n = n_media (self);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->strip))) != NULL)
    gtk_box_remove (self->strip, child);
  if (self->strip_cancellable != NULL)
    g_cancellable_cancel (self->strip_cancellable);
  g_clear_object (&self->strip_cancellable);
  if (n < 2)
    return;
  self->strip_cancellable = g_cancellable_new ();
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *picture = gtk_picture_new ();
      g_autofree char *name = is_video (self->media[i]) ? g_strdup_printf (_("Video %u"), i + 1)
                                                        : g_strdup_printf (_("Image %u"), i + 1);

      gtk_widget_set_size_request (picture, STRIP_SIZE, STRIP_SIZE);
      gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
      gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
      gtk_button_set_child (GTK_BUTTON (button), picture);
      gtk_widget_set_focus_on_click (button, FALSE);
      gtk_widget_add_css_class (button, "mja-strip-button");
      gtk_widget_set_tooltip_text (button, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data (G_OBJECT (button), "image", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (strip_clicked_cb), self);
      gtk_box_append (self->strip, button);
      /* A video's first frame stands for it, as an image's thumbnail. */
      g_object_set_data (G_OBJECT (button), "video", GINT_TO_POINTER (is_video (self->media[i])));
      mja_thumbnailer_load_async (self->strip_loader, self->media[i], self->strip_cancellable, strip_loaded_cb,
                                  g_object_ref (picture));
    }
}

static void
child_activated_cb (AdwActionRow *row,
                    MjaImageView *self)
{
  g_signal_emit (self, signals[SIGNAL_SHOW_JOB], 0, g_object_get_data (G_OBJECT (row), "job-id"));
}

static GtkWidget *
job_row (MjaImageView *self,
         MjaJobItem   *job)
{
  GtkWidget *row = adw_action_row_new ();
  MjaJobCategory category = mja_job_item_get_category (job);
  g_autofree char *prompt = short_prompt (mja_job_item_get_prompt (job), 60);
  g_autofree char *escaped = g_markup_escape_text (prompt, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), mja_job_category_get_label (category));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "job-id", g_strdup (mja_job_item_get_id (job)), g_free);
  g_signal_connect (row, "activated", G_CALLBACK (child_activated_cb), self);
  return row;
}

static void
update_prompt (MjaImageView *self)
{
  const char *prompt = mja_job_item_get_prompt (self->item);
  gboolean long_prompt = g_utf8_strlen (prompt, -1) > LONG_PROMPT;

  g_autoptr(PangoAttrList) marks = pango_attr_list_new ();

  gtk_label_set_text (self->prompt_label, *prompt ? prompt : _("No prompt"));
  /* What the search found, marked as a search result is in GNOME's apps. */
  if (*prompt && self->highlight != NULL && *self->highlight != '\0')
    {
      g_autoptr(GArray) matches = mja_index_find_matches (self->highlight, prompt);

      for (guint i = 0; i < matches->len; i++)
        {
          MjaIndexMatch *match = &g_array_index (matches, MjaIndexMatch, i);
          PangoAttribute *attributes[] = { pango_attr_background_new (0xf6f6, 0xd3d3, 0x2d2d),
                                           pango_attr_background_alpha_new (0x8000),
                                           pango_attr_weight_new (PANGO_WEIGHT_BOLD) };

          for (guint a = 0; a < G_N_ELEMENTS (attributes); a++)
            {
              attributes[a]->start_index = match->start;
              attributes[a]->end_index = match->end;
              pango_attr_list_insert (marks, attributes[a]);
            }
        }
    }
  gtk_label_set_attributes (self->prompt_label, marks);
  gtk_label_set_lines (self->prompt_label, long_prompt && !self->prompt_expanded ? 6 : -1);
  gtk_label_set_ellipsize (self->prompt_label, long_prompt && !self->prompt_expanded ? PANGO_ELLIPSIZE_END
                                                                                      : PANGO_ELLIPSIZE_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->more_button), long_prompt);
  gtk_button_set_label (self->more_button, self->prompt_expanded ? _("Show Less") : _("Show More"));
}

static void
update_details (MjaImageView *self)
{
  MjaJobItem *item = self->item;
  const char *command = mja_job_item_get_full_command (item);
  const char *job_type = mja_job_item_get_job_type (item);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (mja_job_item_get_time (item) / G_USEC_PER_SEC);
  g_autofree char *date = time ? g_date_time_format (time, "%x %X") : NULL;
  g_autofree char *model = mja_command_dup_model (command, job_type);
  g_autofree char *ratio = mja_command_dup_aspect_ratio (command);
  g_autofree char *size = NULL;
  g_auto(GStrv) parameters = mja_command_dup_parameters (command);
  g_autoptr(MjaJobItem) parent = NULL;
  g_autoptr(GPtrArray) children = NULL;
  GtkWidget *child;

  self->prompt_expanded = FALSE;
  update_prompt (self);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips))) != NULL)
    gtk_flow_box_remove (self->chips, child);
  for (guint i = 0; parameters[i] != NULL; i++)
    {
      GtkWidget *chip = gtk_label_new (parameters[i]);

      gtk_widget_add_css_class (chip, "mja-chip");
      gtk_label_set_ellipsize (GTK_LABEL (chip), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_max_width_chars (GTK_LABEL (chip), 30);
      gtk_widget_set_tooltip_text (chip, parameters[i]);
      gtk_flow_box_append (self->chips, chip);
      gtk_widget_set_focusable (gtk_widget_get_parent (chip), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->chips), parameters[0] != NULL);

  adw_action_row_set_subtitle (self->type_row,
                               mja_job_category_get_label (mja_job_item_get_category (item)));
  adw_action_row_set_subtitle (self->model_row, model ? model : "");
  gtk_widget_set_visible (GTK_WIDGET (self->model_row), model != NULL);
  adw_action_row_set_subtitle (self->date_row, date ? date : _("Unknown"));
  if (mja_job_item_get_width (item) > 0 && ratio != NULL)
    /* Translators: width × height in pixels · aspect ratio */
    size = g_strdup_printf (_("%u × %u pixels · %s"), mja_job_item_get_width (item), mja_job_item_get_height (item),
                            ratio);
  else if (mja_job_item_get_width (item) > 0)
    size = g_strdup_printf (_("%u × %u pixels"), mja_job_item_get_width (item), mja_job_item_get_height (item));
  adw_action_row_set_subtitle (self->size_row, size ? size : _("Unknown"));
  adw_action_row_set_subtitle (self->rating_row, mja_job_item_get_rating (item) > 0 ? "" : _("Not rated"));
  if (mja_job_item_get_rating (item) > 0)
    {
      g_autofree char *rating = g_strdup_printf (_("%u of 5"), mja_job_item_get_rating (item));

      adw_action_row_set_subtitle (self->rating_row, rating);
    }

  /* The job it was made from, by what it is, not by its id. */
  if (mja_job_item_get_parent_id (item) != NULL && self->jobs != NULL)
    parent = mja_job_list_dup_job (self->jobs, mja_job_item_get_parent_id (item));
  gtk_widget_set_visible (GTK_WIDGET (self->parent_row), mja_job_item_get_parent_id (item) != NULL);
  if (parent != NULL)
    {
      g_autofree char *prompt = short_prompt (mja_job_item_get_prompt (parent), 60);
      g_autofree char *what = g_strdup_printf ("%s: %s",
                                               mja_job_category_get_label (mja_job_item_get_category (parent)), prompt);
      g_autofree char *escaped = g_markup_escape_text (what, -1);

      adw_action_row_set_subtitle (self->parent_row, escaped);
    }
  else
    adw_action_row_set_subtitle (self->parent_row, _("Not in the archive"));
  enable (self, "show-parent", parent != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->children_list))) != NULL)
    gtk_list_box_remove (self->children_list, child);
  children = self->jobs ? mja_job_list_dup_children (self->jobs, mja_job_item_get_id (item)) : NULL;
  for (guint i = 0; children != NULL && i < children->len; i++)
    gtk_list_box_append (self->children_list, job_row (self, g_ptr_array_index (children, i)));
  gtk_widget_set_visible (self->children_heading, children != NULL && children->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->children_list), children != NULL && children->len > 0);

  enable (self, "copy-command", *command != '\0');
  enable (self, "copy-prompt", *mja_job_item_get_prompt (item) != '\0');
  enable (self, "open-website", is_job_id (mja_job_item_get_id (item)));
}

/* Shows @item with @media, at @image (G_MAXUINT: the last). */
static void
show_job (MjaImageView *self,
          MjaJobItem   *item,
          GStrv         media,
          guint         image)
{
  g_set_object (&self->item, item);
  g_strfreev (self->media);
  self->media = media;
  self->image = n_media (self) == 0 ? 0 : MIN (image, n_media (self) - 1);
  update_details (self);
  fill_strip (self);
  show_file (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

void
mja_image_view_show (MjaImageView *self,
                     guint         position,
                     guint         image)
{
  g_autoptr(MjaJobItem) item = NULL;

  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));
  g_return_if_fail (self->jobs != NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->jobs), position);
  g_return_if_fail (item != NULL);
  self->position = position;
  self->in_order = TRUE;
  show_job (self, item, mja_job_list_dup_media (self->jobs, mja_job_item_get_id (item)), image);
}

/* A job alone, outside the grid's order (a parent the filters leave out):
 * its images from the archive's list when there is one, else its first;
 * Next and Previous stay within them. */
void
mja_image_view_set_item (MjaImageView *self,
                         MjaJobItem   *item)
{
  const char *media[] = { mja_job_item_get_image (item), NULL };
  GStrv listed = NULL;

  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));
  g_return_if_fail (MJA_IS_JOB_ITEM (item));

  self->position = G_MAXUINT;
  self->in_order = FALSE;
  if (self->jobs != NULL)
    listed = mja_job_list_dup_media (self->jobs, mja_job_item_get_id (item));
  /* None downloaded (or none chosen): the item's own, as without a list. */
  if (listed != NULL && listed[0] == NULL)
    g_clear_pointer (&listed, g_strfreev);
  show_job (self, item, listed != NULL ? listed : g_strdupv ((GStrv) (media[0] ? media : media + 1)), 0);
}

/* Leaving the view: nothing plays or loads any more. */
/**
 * mja_image_view_set_highlight:
 * @search: (nullable): what the grid was searched for
 *
 * Marks where the prompt matches @search (mja_index_find_matches()).
 */
void
mja_image_view_set_highlight (MjaImageView *self,
                              const char   *search)
{
  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));

  if (g_strcmp0 (self->highlight, search) == 0)
    return;
  g_free (self->highlight);
  self->highlight = g_strdup (search);
  if (self->item != NULL)
    update_prompt (self);
}

void
mja_image_view_clear (MjaImageView *self)
{
  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));

  g_clear_handle_id (&self->slideshow_source, g_source_remove);
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                                          "slideshow")),
                             g_variant_new_boolean (FALSE));
  gtk_video_set_file (self->video, NULL);
  mja_zoom_picture_set_file (self->picture, NULL);
  self->position = G_MAXUINT;
  self->in_order = FALSE;
  g_clear_object (&self->item);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

MjaJobItem *
mja_image_view_get_item (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), NULL);
  return self->item;
}

guint
mja_image_view_get_position (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), G_MAXUINT);
  return self->position;
}

guint
mja_image_view_get_image (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), 0);
  return self->image;
}

guint
mja_image_view_get_n_images (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), 0);
  return n_media (self);
}

/* What the window's title says: the prompt's first words. */
char *
mja_image_view_dup_title (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), NULL);

  if (self->item == NULL || *mja_job_item_get_prompt (self->item) == '\0')
    return g_strdup (_("Untitled Job"));
  return short_prompt (mja_job_item_get_prompt (self->item), 80);
}

GActionGroup *
mja_image_view_get_actions (MjaImageView *self)
{
  g_return_val_if_fail (MJA_IS_IMAGE_VIEW (self), NULL);
  return G_ACTION_GROUP (self->actions);
}

/* The grid's model changed (a sync, a search): the job shown keeps its
 * place in the new order, or stands alone. */
static void
jobs_changed_cb (GListModel   *model,
                 guint         position,
                 guint         removed,
                 guint         added,
                 MjaImageView *self)
{
  if (self->item == NULL || !self->in_order)
    return;
  self->position = mja_job_list_find (self->jobs, mja_job_item_get_id (self->item));
  update_navigation (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

void
mja_image_view_set_jobs (MjaImageView *self,
                         MjaJobList   *jobs)
{
  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));
  g_return_if_fail (MJA_IS_JOB_LIST (jobs));

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_set_object (&self->jobs, jobs);
  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self, 0);
}

/* ---- moving ------------------------------------------------------------- */

static void
step (MjaImageView *self,
      int           delta)
{
  if (delta > 0 && self->image + 1 < n_media (self))
    {
      self->image++;
      show_file (self);
    }
  else if (delta < 0 && self->image > 0)
    {
      self->image--;
      show_file (self);
    }
  else if (self->position != G_MAXUINT && delta > 0 && self->position + 1 < n_jobs (self))
    mja_image_view_show (self, self->position + 1, 0);
  else if (self->position != G_MAXUINT && delta < 0 && self->position > 0)
    mja_image_view_show (self, self->position - 1, G_MAXUINT);
}

static void
previous_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  step (user_data, -1);
}

static void
next_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  step (user_data, +1);
}

static void
first_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  MjaImageView *self = user_data;

  if (self->position != G_MAXUINT)
    mja_image_view_show (self, 0, 0);
}

static void
last_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MjaImageView *self = user_data;

  if (self->position != G_MAXUINT && n_jobs (self) > 0)
    mja_image_view_show (self, n_jobs (self) - 1, G_MAXUINT);
}

static gboolean
hide_arrows_cb (gpointer data)
{
  MjaImageView *self = data;

  self->arrows_source = 0;
  gtk_revealer_set_reveal_child (self->previous_revealer, FALSE);
  gtk_revealer_set_reveal_child (self->next_revealer, FALSE);
  return G_SOURCE_REMOVE;
}

/* The arrows show while the pointer moves over the picture, as in Image
 * Viewer, and fade when it rests or leaves. */
static void
overlay_motion_cb (GtkEventControllerMotion *controller,
                   double                    x,
                   double                    y,
                   MjaImageView             *self)
{
  gtk_revealer_set_reveal_child (self->previous_revealer, action_enabled (self, "previous"));
  gtk_revealer_set_reveal_child (self->next_revealer, action_enabled (self, "next"));
  g_clear_handle_id (&self->arrows_source, g_source_remove);
  self->arrows_source = g_timeout_add (ARROWS_TIMEOUT_MS, hide_arrows_cb, self);
}

static void
overlay_leave_cb (GtkEventControllerMotion *controller,
                  MjaImageView             *self)
{
  g_clear_handle_id (&self->arrows_source, g_source_remove);
  hide_arrows_cb (self);
}

/* ---- zoom, video -------------------------------------------------------- */

static void
zoom_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MjaImageView *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "zoom-in"))
    mja_zoom_picture_zoom_in (self->picture);
  else if (g_str_equal (name, "zoom-out"))
    mja_zoom_picture_zoom_out (self->picture);
  else if (g_str_equal (name, "zoom-original"))
    mja_zoom_picture_set_zoom (self->picture, 1.0);
  else if (g_str_equal (name, "zoom-toggle") && mja_zoom_picture_get_best_fit (self->picture))
    mja_zoom_picture_set_zoom (self->picture, 1.0);
  else
    mja_zoom_picture_zoom_fit (self->picture);
}

static void
play_pause_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  MjaImageView *self = user_data;
  GtkMediaStream *stream = gtk_video_get_media_stream (self->video);

  if (stream != NULL)
    gtk_media_stream_set_playing (stream, !gtk_media_stream_get_playing (stream));
}

static void
toggle_mute_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  MjaImageView *self = user_data;
  GtkMediaStream *stream = gtk_video_get_media_stream (self->video);

  if (stream != NULL)
    gtk_media_stream_set_muted (stream, !gtk_media_stream_get_muted (stream));
}

/* ---- the job's actions -------------------------------------------------- */

/* Copy Prompt, Copy Command, Copy Job ID, each confirmed by a toast. */
static void
copy_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  MjaImageView *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "copy-prompt"))
    {
      mja_copy_text (GTK_WIDGET (self), mja_job_item_get_prompt (self->item));
      toast (self, _("Prompt copied"));
    }
  else if (g_str_equal (name, "copy-command"))
    {
      mja_copy_text (GTK_WIDGET (self), mja_job_item_get_full_command (self->item));
      toast (self, _("Command copied"));
    }
  else
    {
      mja_copy_text (GTK_WIDGET (self), mja_job_item_get_id (self->item));
      toast (self, _("Job ID copied"));
    }
}

static void
open_website_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  MjaImageView *self = user_data;
  g_autofree char *uri = NULL;

  if (!is_job_id (mja_job_item_get_id (self->item)))
    return;
  uri = g_strdup_printf ("https://www.midjourney.com/jobs/%s?index=%u", mja_job_item_get_id (self->item), self->image);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
app_chosen_cb (GtkDialog    *dialog,
               int           response,
               MjaImageView *self)
{
  g_autoptr(GAppInfo) app = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;
  GList files = { 0 };

  if (response == GTK_RESPONSE_OK && (app = gtk_app_chooser_get_app_info (GTK_APP_CHOOSER (dialog))) != NULL &&
      current_file (self) != NULL)
    {
      file = g_file_new_for_path (current_file (self));
      files.data = file;
      context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
      if (!g_app_info_launch (app, &files, G_APP_LAUNCH_CONTEXT (context), &error))
        toast (self, error->message);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
open_with_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  MjaImageView *self = user_data;
  g_autoptr(GFile) file = NULL;
  GtkWidget *dialog;

  if (current_file (self) == NULL)
    return;
  file = g_file_new_for_path (current_file (self));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_app_chooser_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                       GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, file);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (dialog, "response", G_CALLBACK (app_chosen_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_in_folder_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  MjaImageView *self = user_data;

  if (current_file (self) != NULL)
    mja_show_in_folder (GTK_WIDGET (self), current_file (self));
}

static void
show_parent_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  MjaImageView *self = user_data;

  g_signal_emit (self, signals[SIGNAL_SHOW_JOB], 0, mja_job_item_get_parent_id (self->item));
}

static void
show_more_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  MjaImageView *self = user_data;

  self->prompt_expanded = !self->prompt_expanded;
  update_prompt (self);
}

static void
fullscreen_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (user_data)));

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

static gboolean
slideshow_cb (gpointer data)
{
  MjaImageView *self = data;

  if (!action_enabled (self, "next"))
    {
      self->slideshow_source = 0;
      g_action_group_change_action_state (G_ACTION_GROUP (self->actions), "slideshow",
                                          g_variant_new_boolean (FALSE));
      return G_SOURCE_REMOVE;
    }
  step (self, +1);
  return G_SOURCE_CONTINUE;
}

static void
slideshow_change_state (GSimpleAction *action,
                        GVariant      *state,
                        gpointer       user_data)
{
  MjaImageView *self = user_data;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  gboolean on = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);
  g_clear_handle_id (&self->slideshow_source, g_source_remove);
  if (on)
    {
      self->slideshow_source = g_timeout_add_seconds (SLIDESHOW_SECONDS, slideshow_cb, self);
      gtk_window_fullscreen (window);
      adw_flap_set_reveal_flap (self->flap, FALSE);
    }
  else if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
}

/* ---- keys, wherever focus is --------------------------------------------- */

static gboolean
activate (MjaImageView *self,
          const char   *name)
{
  if (!action_enabled (self, name))
    return TRUE;  /* the key is the view's even when there is nowhere to go */
  g_action_group_activate_action (G_ACTION_GROUP (self->actions), name, NULL);
  return TRUE;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                MjaImageView          *self)
{
  GtkWidget *focus;
  gboolean in_text;
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || (state & GDK_ALT_MASK))
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    switch (keyval)
      {
      case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
        return activate (self, "zoom-in");
      case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
        return activate (self, "zoom-out");
      case GDK_KEY_0: case GDK_KEY_KP_0:
        return activate (self, "zoom-fit");
      case GDK_KEY_1: case GDK_KEY_KP_1:
        return activate (self, "zoom-original");
      default:
        return FALSE;
      }

  focus = gtk_root_get_focus (GTK_ROOT (window));
  in_text = focus != NULL && GTK_IS_EDITABLE (focus);
  switch (keyval)
    {
    case GDK_KEY_F11:
      return activate (self, "fullscreen");
    case GDK_KEY_F5:
      g_action_group_change_action_state (G_ACTION_GROUP (self->actions), "slideshow",
                                          g_variant_new_boolean (self->slideshow_source == 0));
      return TRUE;
    case GDK_KEY_F9:
      adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
      return TRUE;
    case GDK_KEY_Escape:
      /* Stops a slideshow and leaves full screen; else it is Back's. */
      if (!gtk_window_is_fullscreen (window) && self->slideshow_source == 0)
        return FALSE;
      g_action_group_change_action_state (G_ACTION_GROUP (self->actions), "slideshow", g_variant_new_boolean (FALSE));
      if (gtk_window_is_fullscreen (window))
        gtk_window_unfullscreen (window);
      return TRUE;
    default:
      break;
    }
  if (in_text)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: case GDK_KEY_Page_Up:
      return activate (self, "previous");
    case GDK_KEY_Right: case GDK_KEY_KP_Right: case GDK_KEY_Page_Down:
      return activate (self, "next");
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      return activate (self, "first");
    case GDK_KEY_End: case GDK_KEY_KP_End:
      return activate (self, "last");
    case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
      return activate (self, "zoom-in");
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      return activate (self, "zoom-out");
    case GDK_KEY_space:
      return action_enabled (self, "play-pause") ? activate (self, "play-pause") : FALSE;
    case GDK_KEY_m:
      return action_enabled (self, "toggle-mute") ? activate (self, "toggle-mute") : FALSE;
    default:
      return FALSE;
    }
}

/* The view's keys, on @window in the capture phase: they reach the view
 * before whatever widget has focus (a button, the header bar). */
void
mja_image_view_add_shortcuts (MjaImageView *self,
                              GtkWidget    *window)
{
  GtkEventController *controller;

  g_return_if_fail (MJA_IS_IMAGE_VIEW (self));
  g_return_if_fail (GTK_IS_WINDOW (window));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self, 0);
  gtk_widget_add_controller (window, controller);
}

/* ---- GObject ------------------------------------------------------------ */

static void
mja_image_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MjaImageView *self = MJA_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_image_view_dispose (GObject *object)
{
  MjaImageView *self = MJA_IMAGE_VIEW (object);

  g_clear_handle_id (&self->arrows_source, g_source_remove);
  g_clear_handle_id (&self->slideshow_source, g_source_remove);
  g_clear_pointer (&self->highlight, g_free);
  if (self->strip_cancellable != NULL)
    g_cancellable_cancel (self->strip_cancellable);
  g_clear_object (&self->strip_cancellable);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_clear_object (&self->jobs);
  g_clear_object (&self->item);
  g_clear_object (&self->strip_loader);
  g_clear_object (&self->actions);
  g_clear_pointer (&self->media, g_strfreev);
  gtk_widget_dispose_template (GTK_WIDGET (self), MJA_TYPE_IMAGE_VIEW);

  G_OBJECT_CLASS (mja_image_view_parent_class)->dispose (object);
}

static void
mja_image_view_class_init (MjaImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mja_image_view_dispose;
  object_class->get_property = mja_image_view_get_property;

  properties[PROP_POSITION] = g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, G_MAXUINT,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (job id) — the parent or a child link was followed. */
  signals[SIGNAL_SHOW_JOB] = g_signal_new ("show-job", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                           NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (MJA_TYPE_ZOOM_PICTURE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mjarchiver/Archiver/mja-image-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, flap);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, overlay);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, media_stack);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, picture);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, video);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, missing_page);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, previous_revealer);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, next_revealer);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, page_box);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, page_label);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, strip);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, prompt_label);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, more_button);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, chips);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, type_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, model_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, date_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, size_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, rating_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, parent_row);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, children_heading);
  gtk_widget_class_bind_template_child (widget_class, MjaImageView, children_list);
  gtk_widget_class_bind_template_callback (widget_class, zoom_notify_cb);
  gtk_widget_class_bind_template_callback (widget_class, load_failed_cb);
}

static const GActionEntry action_entries[] = {
  { "previous", previous_activated },
  { "next", next_activated },
  { "first", first_activated },
  { "last", last_activated },
  { "zoom-in", zoom_activated },
  { "zoom-out", zoom_activated },
  { "zoom-fit", zoom_activated },
  { "zoom-original", zoom_activated },
  { "zoom-toggle", zoom_activated },
  { "play-pause", play_pause_activated },
  { "toggle-mute", toggle_mute_activated },
  { "copy-prompt", copy_activated },
  { "copy-command", copy_activated },
  { "copy-job-id", copy_activated },
  { "open-website", open_website_activated },
  { "open-with", open_with_activated },
  { "show-in-folder", show_in_folder_activated },
  { "show-parent", show_parent_activated },
  { "show-more", show_more_activated },
  { "fullscreen", fullscreen_activated },
  { "slideshow", NULL, NULL, "false", slideshow_change_state },
};

static void
mja_image_view_init (MjaImageView *self)
{
  GtkEventController *motion;
  g_autoptr(GPropertyAction) details = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->position = G_MAXUINT;
  self->strip_loader = mja_thumbnailer_new (STRIP_SIZE * 2, 32);
  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries, G_N_ELEMENTS (action_entries),
                                   self);
  details = g_property_action_new ("toggle-details", self->flap, "reveal-flap");
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (details));
  gtk_widget_insert_action_group (GTK_WIDGET (self), "view", G_ACTION_GROUP (self->actions));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (overlay_motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (overlay_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->overlay), motion);
  update_zoom_label (self);
  update_navigation (self);
}
