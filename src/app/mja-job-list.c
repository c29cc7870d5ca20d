/* mja-job-list.c — the grid's model: the ids of a query, rows read when shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of MjaJobItem that holds only the job ids, in the order of
 * the window's query, and reads a job's row from the index (by its unique
 * id, one indexed lookup) when GtkGridView asks for that position.  The
 * few hundred items made last are kept, so scrolling back and forth does
 * not read them again.  For 100,000 jobs that is 5 MB of ids instead of
 * 100,000 objects with their prompts and commands (about 200 MB, and as
 * much again while they were being made).
 *
 * The items are snapshots: every splice forgets them, since the window
 * splices after it queried the index anew (a sync changed rows).
 */
#define G_LOG_DOMAIN "mja-job-list"

#include "config.h"

#include "mja-archive.h"
#include "mja-job-list.h"

/* Items kept made: a few screens of the largest grid. */
#define KEPT_ITEMS 512

struct _MjaJobList
{
  GObject     parent_instance;

  char       *root;
  MjaIndex   *index;   /* this thread's own connection, for reading rows */
  GPtrArray  *ids;     /* char* */
  GHashTable *kept;    /* id (the item's own) -> GList link in recent */
  GQueue      recent;  /* MjaJobItem*, most recently asked for first */
};

static void mja_job_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MjaJobList, mja_job_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, mja_job_list_model_init))

static void
forget_items (MjaJobList *self)
{
  g_hash_table_remove_all (self->kept);
  g_queue_clear_full (&self->recent, g_object_unref);
}

static void
mja_job_list_finalize (GObject *object)
{
  MjaJobList *self = MJA_JOB_LIST (object);

  forget_items (self);
  g_hash_table_unref (self->kept);
  g_ptr_array_unref (self->ids);
  g_clear_object (&self->index);
  g_free (self->root);
  G_OBJECT_CLASS (mja_job_list_parent_class)->finalize (object);
}

static void
mja_job_list_class_init (MjaJobListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_job_list_finalize;
}

static void
mja_job_list_init (MjaJobList *self)
{
  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->kept = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->recent);
}

static GType
mja_job_list_get_item_type (GListModel *model)
{
  return MJA_TYPE_JOB_ITEM;
}

static guint
mja_job_list_get_n_items (GListModel *model)
{
  return MJA_JOB_LIST (model)->ids->len;
}

/* A job the index no longer has (removed since the query): its id alone. */
static MjaJobItem *
item_for_missing_job (MjaJobList *self,
                      const char *id)
{
  MjaIndexRow row = { 0 };

  row.id = (char *) id;
  row.prompt = (char *) "";
  row.job_type = (char *) "";
  row.json_path = (char *) "";
  return mja_job_item_new (&row, self->root ? self->root : "");
}

static gpointer
mja_job_list_get_item (GListModel *model,
                       guint       position)
{
  MjaJobList *self = MJA_JOB_LIST (model);
  const char *id;
  GList *link;
  MjaJobItem *item = NULL;

  if (position >= self->ids->len)
    return NULL;
  id = g_ptr_array_index (self->ids, position);
  link = g_hash_table_lookup (self->kept, id);
  if (link != NULL)
    {
      g_queue_unlink (&self->recent, link);
      g_queue_push_head_link (&self->recent, link);
      return g_object_ref (link->data);
    }

  if (self->index != NULL)
    {
      g_autoptr(GError) error = NULL;
      MjaIndexRow *row = mja_index_dup_row (self->index, id, &error);

      if (row != NULL)
        {
          item = mja_job_item_new (row, self->root);
          mja_index_row_free (row);
        }
      else if (error != NULL)
        g_warning ("%s", error->message);
    }
  if (item == NULL)
    item = item_for_missing_job (self, id);

  g_queue_push_head (&self->recent, item);
  g_hash_table_insert (self->kept, (gpointer) mja_job_item_get_id (item), self->recent.head);
  while (self->recent.length > KEPT_ITEMS)
    {
      MjaJobItem *old = g_queue_pop_tail (&self->recent);

      g_hash_table_remove (self->kept, mja_job_item_get_id (old));
      g_object_unref (old);
    }
  return g_object_ref (item);
}

static void
mja_job_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = mja_job_list_get_item_type;
  iface->get_n_items = mja_job_list_get_n_items;
  iface->get_item = mja_job_list_get_item;
}

MjaJobList *
mja_job_list_new (void)
{
  return g_object_new (MJA_TYPE_JOB_LIST, NULL);
}

/* Where the rows are read from: the archive at @root, through a connection
 * of this list's own (opened when @root changes). */
gboolean
mja_job_list_set_archive (MjaJobList  *self,
                          const char  *root,
                          GError     **error)
{
  g_autoptr(MjaArchive) archive = NULL;
  MjaIndex *index;

  g_return_val_if_fail (MJA_IS_JOB_LIST (self), FALSE);

  if (self->index != NULL && g_strcmp0 (self->root, root) == 0)
    return TRUE;
  archive = mja_archive_new (root);
  index = mja_index_open_archive (archive, error);
  if (index == NULL)
    return FALSE;
  g_clear_object (&self->index);
  self->index = index;
  g_free (self->root);
  self->root = g_strdup (root);
  forget_items (self);
  return TRUE;
}

/* Replaces @n_removals ids from @position with those of @ids (char*; they
 * are taken, leaving @ids empty; NULL for none). */
void
mja_job_list_splice (MjaJobList *self,
                     guint       position,
                     guint       n_removals,
                     GPtrArray  *ids)
{
  guint n_added = ids ? ids->len : 0;

  g_return_if_fail (MJA_IS_JOB_LIST (self));
  g_return_if_fail (position + n_removals <= self->ids->len);

  forget_items (self);
  {
    gsize n_old = 0;
    g_autofree gpointer *old = g_ptr_array_steal (self->ids, &n_old);

    for (guint i = 0; i < position; i++)
      g_ptr_array_add (self->ids, old[i]);
    for (guint i = position; i < position + n_removals; i++)
      g_free (old[i]);
    for (guint i = 0; i < n_added; i++)
      g_ptr_array_add (self->ids, g_steal_pointer (&ids->pdata[i]));
    for (gsize i = position + n_removals; i < n_old; i++)
      g_ptr_array_add (self->ids, old[i]);
    if (ids != NULL)
      g_ptr_array_set_size (ids, 0);
  }
  g_list_model_items_changed (G_LIST_MODEL (self), position, n_removals, n_added);
}

/* The id of the job at @position (without reading its row), or NULL. */
const char *
mja_job_list_get_id (MjaJobList *self,
                     guint       position)
{
  g_return_val_if_fail (MJA_IS_JOB_LIST (self), NULL);

  return position < self->ids->len ? g_ptr_array_index (self->ids, position) : NULL;
}

/* The positions from @from on of the jobs whose ids are in @ids (a set). */
GtkBitset *
mja_job_list_find_all (MjaJobList *self,
                       GHashTable *ids,
                       guint       from)
{
  GtkBitset *found = gtk_bitset_new_empty ();

  g_return_val_if_fail (MJA_IS_JOB_LIST (self), found);

  for (guint i = from; i < self->ids->len && g_hash_table_size (ids) > 0; i++)
    if (g_hash_table_contains (ids, g_ptr_array_index (self->ids, i)))
      gtk_bitset_add (found, i);
  return found;
}

/* The position of the job @id, or G_MAXUINT when it is not in the list. */
guint
mja_job_list_find (MjaJobList *self,
                   const char *id)
{
  g_return_val_if_fail (MJA_IS_JOB_LIST (self), G_MAXUINT);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->ids, i), id) == 0)
      return i;
  return G_MAXUINT;
}

/* The absolute paths of the job's downloaded files (images, videos), in
 * their order; empty when it has none.  One indexed lookup. */
GStrv
mja_job_list_dup_media (MjaJobList *self,
                        const char *id)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (MJA_IS_JOB_LIST (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (self->index != NULL)
    images = mja_index_dup_images (self->index, id, &error);
  if (error != NULL)
    g_warning ("%s", error->message);
  for (guint i = 0; images != NULL && i < images->len; i++)
    {
      MjaIndexImage *image = g_ptr_array_index (images, i);

      if (image->state == MJA_IMAGE_DONE && image->path != NULL && *image->path != '\0')
        {
          g_autofree char *path = g_build_filename (self->root, image->path, NULL);

          g_strv_builder_add (builder, path);
        }
    }
  return g_strv_builder_end (builder);
}

/* The job @id as the grid's items are, whether it is among the ids shown
 * or not; NULL when the archive does not have it. */
MjaJobItem *
mja_job_list_dup_job (MjaJobList *self,
                      const char *id)
{
  MjaIndexRow *row;
  MjaJobItem *item;

  g_return_val_if_fail (MJA_IS_JOB_LIST (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (self->index == NULL || (row = mja_index_dup_row (self->index, id, NULL)) == NULL)
    return NULL;
  item = mja_job_item_new (row, self->root);
  mja_index_row_free (row);
  return item;
}

/* The archived jobs made from @id (MjaJobItem*), oldest first. */
GPtrArray *
mja_job_list_dup_children (MjaJobList *self,
                           const char *id)
{
  GPtrArray *children = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (MJA_IS_JOB_LIST (self), children);
  g_return_val_if_fail (id != NULL, children);

  if (self->index != NULL)
    ids = mja_index_dup_children (self->index, id, NULL);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      MjaJobItem *child = mja_job_list_dup_job (self, g_ptr_array_index (ids, i));

      if (child != NULL)
        g_ptr_array_add (children, child);
    }
  return children;
}
