/* mja-job-item.c — one job of the grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small immutable GObject for GtkGridView's model, made from an index
 * row; what a cell shows and what its accessible name says.
 */
#define G_LOG_DOMAIN "mja-job-item"

#include "config.h"

#include "mja-job-item.h"

struct _MjaJobItem
{
  GObject  parent_instance;

  char    *id;
  char    *prompt;
  char    *image;      /* absolute path of the first image, or NULL */
  char    *job_type;
  char    *event_type;
  char    *full_command;
  char    *parent_id;
  char    *json_path;  /* absolute */
  gint64   time_us;
  guint    width;
  guint    height;
  guint    rating;
  guint    n_images;   /* downloaded */
};

G_DEFINE_FINAL_TYPE (MjaJobItem, mja_job_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PROMPT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
mja_job_item_finalize (GObject *object)
{
  MjaJobItem *self = MJA_JOB_ITEM (object);

  g_free (self->id);
  g_free (self->prompt);
  g_free (self->image);
  g_free (self->job_type);
  g_free (self->event_type);
  g_free (self->full_command);
  g_free (self->parent_id);
  g_free (self->json_path);
  G_OBJECT_CLASS (mja_job_item_parent_class)->finalize (object);
}

static void
mja_job_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MjaJobItem *self = MJA_JOB_ITEM (object);

  switch (prop_id)
    {
    case PROP_PROMPT:
      g_value_set_string (value, self->prompt);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mja_job_item_class_init (MjaJobItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mja_job_item_finalize;
  object_class->get_property = mja_job_item_get_property;
  properties[PROP_PROMPT] = g_param_spec_string ("prompt", "Prompt", NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mja_job_item_init (MjaJobItem *self)
{
}

MjaJobItem *
mja_job_item_new (MjaIndexRow *row,
                  const char  *archive_root)
{
  MjaJobItem *self = g_object_new (MJA_TYPE_JOB_ITEM, NULL);

  self->id = g_strdup (row->id);
  /* Never NULL: a job the server sent without them has an empty one. */
  self->prompt = g_strdup (row->prompt ? row->prompt : "");
  self->job_type = g_strdup (row->job_type);
  self->event_type = g_strdup (row->event_type);
  self->time_us = row->time_us;
  self->full_command = g_strdup (row->full_command ? row->full_command : "");
  self->parent_id = g_strdup (row->parent_id);
  self->json_path = g_build_filename (archive_root, row->json_path, NULL);
  self->width = row->width;
  self->height = row->height;
  self->rating = row->rating;
  self->n_images = row->n_images;
  if (row->first_image != NULL)
    self->image = g_build_filename (archive_root, row->first_image, NULL);
  return self;
}

/* How many of the job's images are in the archive. */
guint
mja_job_item_get_n_images (MjaJobItem *self)
{
  g_return_val_if_fail (MJA_IS_JOB_ITEM (self), 0);
  return self->n_images;
}

const char *
mja_job_item_get_id (MjaJobItem *self)
{
  return self->id;
}

const char *
mja_job_item_get_prompt (MjaJobItem *self)
{
  return self->prompt;
}

const char *
mja_job_item_get_image (MjaJobItem *self)
{
  return self->image;
}

gint64
mja_job_item_get_time (MjaJobItem *self)
{
  return self->time_us;
}

const char *
mja_job_item_get_job_type (MjaJobItem *self)
{
  return self->job_type;
}

/* What the job is, in the words of both API eras (the event type when
 * the server gave one, else the job type). */
MjaJobCategory
mja_job_item_get_category (MjaJobItem *self)
{
  g_return_val_if_fail (MJA_IS_JOB_ITEM (self), MJA_JOB_CATEGORY_OTHER);
  return mja_job_category_from_types (self->job_type, self->event_type);
}

const char *
mja_job_item_get_full_command (MjaJobItem *self)
{
  return self->full_command;
}

const char *
mja_job_item_get_parent_id (MjaJobItem *self)
{
  return self->parent_id;
}

const char *
mja_job_item_get_json_path (MjaJobItem *self)
{
  return self->json_path;
}

guint
mja_job_item_get_width (MjaJobItem *self)
{
  return self->width;
}

guint
mja_job_item_get_height (MjaJobItem *self)
{
  return self->height;
}

guint
mja_job_item_get_rating (MjaJobItem *self)
{
  return self->rating;
}
