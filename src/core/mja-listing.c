/* mja-listing.c — the pages of the job listing, in either API era
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns paging: the current era's cursor and checkpoint ("imagine-update"),
 * the legacy era's page numbers anchored by fromDate and its cap of 2,500
 * jobs, and falling back from an expired checkpoint to a full listing.
 * "auto" is the current era: the legacy host is gone, a 404 is no reason
 * to try it.  It turns each answer into a page
 * of validated jobs.  It is part of the API client (they share
 * mja-api-private.h): the queries of the listing endpoints are built here,
 * but sending, headers, retries and the session are MjaApi's alone.
 */
#define G_LOG_DOMAIN "mja-listing"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-api-private.h"
#include "mja-listing.h"

#define LEGACY_PAGE_SIZE   50
#define LEGACY_MAX_PAGES   50

/* A server that keeps sending cursors must not keep a sync going: five
 * pages in a row with no valid job this listing has not seen end it, and
 * so does the 20,000th page (20 million jobs at 1,000 a page) or a cursor
 * longer than any real one. */
#define MAX_BARREN_PAGES   5
#define MAX_PAGES          20000
#define MAX_CURSOR_LENGTH  2048

struct _MjaListing
{
  GObject      parent_instance;

  MjaApi      *api;
  guint        page_size;
  char        *legacy_job_type;
  MjaProtocol  era;
  gboolean     update_mode;
  gboolean     update_failed;
  gboolean     done;
  gboolean     cap_reached;
  char        *cursor;
  char        *checkpoint;
  GHashTable  *seen_cursors;
  GHashTable  *seen_jobs;
  guint        barren_pages;
  GError      *stop_error;
  guint        pages;
  guint        max_pages;
  guint        full_legacy_pages;
  char        *from_date;
};

G_DEFINE_FINAL_TYPE (MjaListing, mja_listing, G_TYPE_OBJECT)

static void
mja_listing_finalize (GObject *object)
{
  MjaListing *self = MJA_LISTING (object);

  g_clear_object (&self->api);
  g_clear_pointer (&self->seen_cursors, g_hash_table_unref);
  g_clear_pointer (&self->seen_jobs, g_hash_table_unref);
  g_clear_error (&self->stop_error);
  g_free (self->legacy_job_type);
  g_free (self->cursor);
  g_free (self->checkpoint);
  g_free (self->from_date);

  G_OBJECT_CLASS (mja_listing_parent_class)->finalize (object);
}

static void
mja_listing_class_init (MjaListingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_listing_finalize;
}

static void
mja_listing_init (MjaListing *self)
{
  self->seen_cursors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seen_jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

MjaListing *
mja_listing_new (MjaApi      *api,
                 guint        page_size,
                 const char  *checkpoint,
                 const char  *legacy_job_type,
                 MjaProtocol  era)
{
  MjaListing *self = g_object_new (MJA_TYPE_LISTING, NULL);

  self->api = g_object_ref (api);
  self->page_size = CLAMP (page_size, 1, 10000);
  self->checkpoint = g_strdup (checkpoint);
  self->update_mode = checkpoint != NULL;
  self->legacy_job_type = g_strdup (legacy_job_type);
  self->era = era == MJA_PROTOCOL_AUTO ? MJA_PROTOCOL_CURRENT : era;
  self->max_pages = MAX_PAGES;
  return self;
}

/**
 * mja_listing_set_max_pages:
 * @max_pages: the page the listing stops at; 0 = 20,000
 *
 * The overall cap on pages, far above any real account: only a server
 * that sends a new valid job and a new cursor on every page reaches it.
 * Tests lower it.
 */
void
mja_listing_set_max_pages (MjaListing *self,
                           guint       max_pages)
{
  g_return_if_fail (MJA_IS_LISTING (self));
  self->max_pages = max_pages > 0 ? max_pages : MAX_PAGES;
}

void
mja_page_free (MjaPage *page)
{
  g_clear_pointer (&page->jobs, g_ptr_array_unref);
  g_clear_pointer (&page->rejected, g_ptr_array_unref);
  g_free (page);
}

static char *
describe_rejected (JsonNode     *node,
                   guint         position,
                   const GError *error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *id = object ? json_object_get_member (object, "id") : NULL;

  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
    {
      g_autofree char *shown = g_strndup (json_node_get_string (id), 80);
      g_autofree char *escaped = g_strescape (shown, NULL);
      return g_strdup_printf (_("Job “%s” was refused: %s"), escaped, error->message);
    }
  return g_strdup_printf (_("Job %u of the page was refused: %s"), position + 1, error->message);
}

static MjaPage *
page_from_array (MjaListing *self,
                 JsonArray  *array)
{
  MjaPage *page = g_new0 (MjaPage, 1);

  page->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  page->rejected = g_ptr_array_new_with_free_func (g_free);
  page->number = self->pages;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr(GError) error = NULL;
      MjaJob *job = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        job = mja_job_new_from_json (json_node_get_object (node), &error);
      else
        g_set_error (&error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON, _("A job must be a JSON object"));
      if (job != NULL)
        g_ptr_array_add (page->jobs, job);
      else
        g_ptr_array_add (page->rejected, describe_rejected (node, i, error));
    }
  return page;
}

static MjaPage *
parse_current (MjaListing  *self,
               JsonNode    *root,
               const char  *endpoint,
               GError     **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *data = object ? json_object_get_member (object, "data") : NULL;
  JsonNode *cursor = object ? json_object_get_member (object, "cursor") : NULL;
  JsonNode *checkpoint = object ? json_object_get_member (object, "checkpoint") : NULL;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data) ||
      (cursor != NULL && !JSON_NODE_HOLDS_NULL (cursor) &&
       !(JSON_NODE_HOLDS_VALUE (cursor) && json_node_get_value_type (cursor) == G_TYPE_STRING)))
    {
      g_set_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                   _("%s answered with JSON of an unexpected shape (no “data” list). Midjourney may have changed "
                     "its API; nothing was archived from that page."), endpoint);
      return NULL;
    }

  if (checkpoint != NULL && JSON_NODE_HOLDS_VALUE (checkpoint) &&
      json_node_get_value_type (checkpoint) == G_TYPE_STRING)
    {
      g_free (self->checkpoint);
      self->checkpoint = g_strdup (json_node_get_string (checkpoint));
    }

  /* The list ends on a null or absent cursor, an empty page, or a cursor
   * that repeats: whichever comes first. */
  if (json_array_get_length (json_node_get_array (data)) == 0)
    {
      self->done = TRUE;
      return NULL;
    }
  if (cursor == NULL || JSON_NODE_HOLDS_NULL (cursor) ||
      g_hash_table_contains (self->seen_cursors, json_node_get_string (cursor)))
    self->done = TRUE;
  else if (strlen (json_node_get_string (cursor)) > MAX_CURSOR_LENGTH)
    {
      self->done = TRUE;
      g_set_error (&self->stop_error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                   _("%s sent a page cursor of %lu bytes, far longer than a real one, so the listing stopped "
                     "there. Everything listed before is archived."),
                   endpoint, (unsigned long) strlen (json_node_get_string (cursor)));
    }
  else
    {
      g_hash_table_add (self->seen_cursors, g_strdup (json_node_get_string (cursor)));
      g_free (self->cursor);
      self->cursor = g_strdup (json_node_get_string (cursor));
    }
  return page_from_array (self, json_node_get_array (data));
}

static MjaPage *
parse_legacy (MjaListing  *self,
              JsonNode    *root,
              GError     **error)
{
  JsonArray *array;
  JsonObject *first;
  MjaPage *page;

  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                   _("%s answered with JSON of an unexpected shape (not a list). Midjourney may have changed its "
                     "API; nothing was archived from that page."), "/api/app/recent-jobs");
      return NULL;
    }
  array = json_node_get_array (root);
  first = json_array_get_length (array) > 0 && JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0))
          ? json_array_get_object_element (array, 0) : NULL;
  if (json_array_get_length (array) == 0 || (first && json_object_has_member (first, "msg")))
    {
      self->done = TRUE;
      self->cap_reached = self->full_legacy_pages >= LEGACY_MAX_PAGES;
      return NULL;
    }

  /* The newest job of page 1 anchors the later pages, so new jobs made
   * while we list do not shift them. */
  if (self->from_date == NULL && first && json_object_has_member (first, "enqueue_time") &&
      json_node_get_value_type (json_object_get_member (first, "enqueue_time")) == G_TYPE_STRING)
    self->from_date = g_strdup (json_object_get_string_member (first, "enqueue_time"));

  if (json_array_get_length (array) >= LEGACY_PAGE_SIZE)
    self->full_legacy_pages++;
  page = page_from_array (self, array);
  return page;
}

/* Whether the server is still bringing anything: a page counts when it
 * holds a valid job this listing has not seen (on a later sync the
 * archive has them all, and they still count). */
static void
check_progress (MjaListing *self,
                MjaPage    *page)
{
  gboolean fresh = FALSE;

  for (guint i = 0; i < page->jobs->len; i++)
    fresh |= g_hash_table_add (self->seen_jobs, g_strdup (mja_job_get_id (g_ptr_array_index (page->jobs, i))));
  self->barren_pages = fresh ? 0 : self->barren_pages + 1;

  if (self->done || self->stop_error != NULL)
    return;
  if (self->barren_pages >= MAX_BARREN_PAGES)
    g_set_error (&self->stop_error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                 ngettext ("Midjourney kept paging with nothing new (%u page in a row without a job not seen "
                           "before), so the listing stopped there. Everything listed before is archived.",
                           "Midjourney kept paging with nothing new (%u pages in a row without a job not seen "
                           "before), so the listing stopped there. Everything listed before is archived.",
                           self->barren_pages), self->barren_pages);
  else if (self->pages >= self->max_pages)
    g_set_error (&self->stop_error, MJA_API_ERROR, MJA_API_ERROR_BAD_RESPONSE,
                 _("Midjourney kept paging past %u pages, far more than any account has, so the listing stopped "
                   "there. Everything listed before is archived."), self->max_pages);
  if (self->stop_error != NULL)
    self->done = TRUE;
}

/**
 * mja_listing_take_answer:
 * @self: the listing
 * @root: the parsed JSON of one answer of the listing endpoint
 * @error: where a malformed answer is described
 *
 * Takes one answer apart in the listing's era and moves the listing on
 * (cursor, checkpoint, end of the list).  Whatever the answer holds, it
 * never fails on the client's side: jobs it cannot accept are described in
 * the page's rejected list.  The fuzz target of the listing calls it with
 * arbitrary JSON.
 *
 * Returns: (transfer full) (nullable): the page, or %NULL at the end of
 * the list (no @error) or when the answer has the wrong shape (@error set)
 */
MjaPage *
mja_listing_take_answer (MjaListing  *self,
                         JsonNode    *root,
                         GError     **error)
{
  MjaPage *page;

  g_return_val_if_fail (MJA_IS_LISTING (self), NULL);
  g_return_val_if_fail (root != NULL, NULL);

  self->pages++;
  if (self->era == MJA_PROTOCOL_AUTO)
    self->era = MJA_PROTOCOL_CURRENT;
  page = self->era == MJA_PROTOCOL_LEGACY
         ? parse_legacy (self, root, error)
         : parse_current (self, root, self->update_mode ? "/api/imagine-update" : "/api/imagine", error);
  if (page != NULL)
    check_progress (self, page);
  return page;
}

static void listing_request (GTask *task);

static void
listing_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MjaListing *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  MjaPage *page;

  root = mja_api_request_finish (MJA_API (source), result, &error);
  if (root == NULL)
    {
      /* An unknown or expired checkpoint: list everything instead. */
      if (self->update_mode && g_error_matches (error, MJA_API_ERROR, MJA_API_ERROR_INVALID_REQUEST))
        {
          self->update_mode = FALSE;
          self->update_failed = TRUE;
          listing_request (g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  page = mja_listing_take_answer (self, root, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, page, (GDestroyNotify) mja_page_free);
}

static void
listing_request (GTask *task)
{
  MjaListing *self = g_task_get_source_object (task);
  MjaApi *api = self->api;
  const char *user_id = mja_credentials_get_user_id (mja_api_get_credentials (api));
  g_autofree char *user = g_uri_escape_string (user_id, NULL, TRUE);
  GString *url = g_string_new (mja_api_get_base_url (api));
  const char *endpoint;
  MjaApiRequestKind kind;

  if (self->era == MJA_PROTOCOL_LEGACY)
    {
      endpoint = "/api/app/recent-jobs";
      kind = MJA_API_REQUEST_LEGACY;
      g_string_append_printf (url, "/api/app/recent-jobs/?amount=%d", LEGACY_PAGE_SIZE);
      if (self->legacy_job_type != NULL)
        g_string_append_printf (url, "&jobType=%s", self->legacy_job_type);
      g_string_append_printf (url, "&orderBy=new&jobStatus=completed&userId=%s&dedupe=true&refreshApi=0", user);
      if (self->from_date != NULL)
        {
          g_autofree char *from = g_uri_escape_string (self->from_date, NULL, TRUE);
          g_string_append_printf (url, "&fromDate=%s", from);
        }
      g_string_append_printf (url, "&page=%u", self->pages + 1);
    }
  else
    {
      endpoint = self->update_mode ? "/api/imagine-update" : "/api/imagine";
      kind = MJA_API_REQUEST_CURRENT;
      g_string_append_printf (url, "%s?user_id=%s&page_size=%u", endpoint, user, self->page_size);
      if (self->update_mode)
        {
          g_autofree char *cp = g_uri_escape_string (self->checkpoint, NULL, TRUE);
          g_string_append_printf (url, "&checkpoint=%s", cp);
        }
      if (self->cursor != NULL)
        {
          g_autofree char *cursor = g_uri_escape_string (self->cursor, NULL, TRUE);
          g_string_append_printf (url, "&cursor=%s", cursor);
        }
    }

  mja_api_request_async (api, kind, endpoint, g_string_free (url, FALSE), NULL,
                     g_task_get_cancellable (task), listing_answer_cb, task);
}

void
mja_listing_next_async (MjaListing          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MJA_IS_LISTING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mja_listing_next_async);
  if (self->stop_error != NULL)
    {
      /* Once: it ends the listing, which then ends like any other. */
      g_task_return_error (task, g_steal_pointer (&self->stop_error));
      g_object_unref (task);
      return;
    }
  if (self->done)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }
  listing_request (task);
}

/**
 * mja_listing_next_finish:
 *
 * Returns: (transfer full) (nullable): the next page, or %NULL with no
 *   error at the end of the list
 */
MjaPage *
mja_listing_next_finish (MjaListing    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
mja_listing_get_checkpoint (MjaListing *self)
{
  g_return_val_if_fail (MJA_IS_LISTING (self), NULL);
  return self->checkpoint;
}

gboolean
mja_listing_get_cap_reached (MjaListing *self)
{
  g_return_val_if_fail (MJA_IS_LISTING (self), FALSE);
  return self->cap_reached;
}

gboolean
mja_listing_get_update_failed (MjaListing *self)
{
  g_return_val_if_fail (MJA_IS_LISTING (self), FALSE);
  return self->update_failed;
}
