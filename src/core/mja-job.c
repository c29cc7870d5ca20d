/* mja-job.c — one Midjourney job, parsed from either API era's JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MjaJob owns the raw JSON object exactly as the server sent it (the
 * archive stores it untouched) and derives everything else from it.  All
 * validation of server-supplied strings that could end up in a path or a
 * request happens here: ids, extensions and URLs.  A job that fails it is
 * a GError naming the field, never a crash and never a file.
 */
#define G_LOG_DOMAIN "mja-job"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mja-job.h"
#include "mja-json.h"

#define MAX_ID_LENGTH    64
/* A legacy grid lists 4 images, an upscale 1; 16 leaves room for what
 * was never seen. */
#define MAX_IMAGE_PATHS  16

struct _MjaJob
{
  GObject     parent_instance;

  JsonObject *json;
  MjaJobEra   era;
  char       *id;
  GDateTime  *enqueue_time;
  char       *job_type;
  char       *event_type;
  MjaJobKind  kind;
  char       *prompt;
  char       *full_command;
  char       *parent_id;
  guint       width;
  guint       height;
  guint       batch_size;
  guint       rating;
  gboolean    liked;
};

G_DEFINE_FINAL_TYPE (MjaJob, mja_job, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-job-error-quark, mja_job_error)

static const char * const valid_extensions[] = { "png", "jpg", "jpeg", "webp", "mp4", NULL };

static void
mja_job_finalize (GObject *object)
{
  MjaJob *self = MJA_JOB (object);

  g_clear_pointer (&self->json, json_object_unref);
  g_clear_pointer (&self->enqueue_time, g_date_time_unref);
  g_free (self->id);
  g_free (self->job_type);
  g_free (self->event_type);
  g_free (self->prompt);
  g_free (self->full_command);
  g_free (self->parent_id);

  G_OBJECT_CLASS (mja_job_parent_class)->finalize (object);
}

static void
mja_job_class_init (MjaJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_job_finalize;
}

static void
mja_job_init (MjaJob *self)
{
  self->batch_size = 1;
}

gboolean
mja_job_id_is_valid (const char *id)
{
  gsize len;
  gboolean all_digits = TRUE;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > MAX_ID_LENGTH)
    return FALSE;
  for (const char *p = id; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        continue;
      all_digits = FALSE;
      if ((*p >= 'a' && *p <= 'f') || *p == '-')
        continue;
      return FALSE;
    }
  /* Digits alone are the oldest legacy ids; otherwise it must look like a
   * UUID: hex groups separated by dashes, never starting with a dash. */
  return all_digits || (id[0] != '-' && id[len - 1] != '-');
}

gboolean
mja_extension_is_valid (const char *extension)
{
  return extension != NULL && g_strv_contains (valid_extensions, extension);
}

char *
mja_url_dup_extension (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *path;
  const char *slash;
  const char *dot;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;
  path = g_uri_get_path (uri);
  slash = strrchr (path, '/');
  dot = strrchr (slash ? slash : path, '.');
  if (dot == NULL || dot[1] == '\0')
    return NULL;
  return g_ascii_strdown (dot + 1, -1);
}

gboolean
mja_url_check (const char  *url,
               const char  *field,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *extension = NULL;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_URL,
                   _("Field “%s” is not an http(s) address"), field);
      return FALSE;
    }

  extension = mja_url_dup_extension (url);
  if (!mja_extension_is_valid (extension))
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_EXTENSION,
                   _("Field “%s” names a file type that is not accepted (only png, jpg, jpeg, webp and mp4 are)"),
                   field);
      return FALSE;
    }

  return TRUE;
}

/* Both eras' time formats: "2022-09-07 06:58:02.200753" (UTC, no offset,
 * microseconds sometimes absent) and "2026-05-01T10:56:23.355955+00:00". */
GDateTime *
mja_parse_enqueue_time (const char *text)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *copy = NULL;
  gsize len;

  if (text == NULL)
    return NULL;
  len = strlen (text);
  /* Shortest accepted is "YYYY-MM-DD HH:MM:SS". */
  if (len < 19 || len > 40 || (text[10] != ' ' && text[10] != 'T'))
    return NULL;

  copy = g_strdup (text);
  copy[10] = 'T';
  utc = g_time_zone_new_utc ();
  parsed = g_date_time_new_from_iso8601 (copy, utc);
  if (parsed == NULL)
    return NULL;
  return g_date_time_to_utc (parsed);
}

/* The prompt is the full command without its trailing "--param value"
 * list.  Parameters always come last, so the prompt ends where the first
 * " --name" begins. */
char *
mja_prompt_from_command (const char *full_command)
{
  const char *p;

  if (full_command == NULL)
    return g_strdup ("");

  for (p = full_command; (p = strstr (p, "--")) != NULL; p += 2)
    {
      if ((p == full_command || g_ascii_isspace (p[-1])) && g_ascii_isalpha (p[2]))
        {
          g_autofree char *prompt = g_strndup (full_command, p - full_command);
          return g_strdup (g_strstrip (prompt));
        }
    }

  return g_strstrip (g_strdup (full_command));
}

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
get_string (JsonObject  *object,
            const char  *name,
            const char  *field,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    {
      if (required)
        {
          g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_MISSING_FIELD,
                       _("Field “%s” is missing"), field);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
                   _("Field “%s” should be text"), field);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_uint (JsonObject  *object,
          const char  *name,
          const char  *field,
          guint        max,
          guint       *out,
          GError     **error)
{
  JsonNode *node = get_member (object, name);
  gint64 value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    goto wrong_type;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double number = json_node_get_double (node);

      /* Only a number in range may be converted (found by fuzz-job: 1e300
       * does not fit a gint64); 4.0 counts as whole, 4.5 does not. */
      if (number != number)
        goto wrong_type;
      if (number < 0)
        value = -1;
      else if (number > (double) max)
        value = (gint64) max + 1;
      else if (number != (double) (gint64) number)
        goto wrong_type;
      else
        value = (gint64) number;
    }
  else
    goto wrong_type;

  if (value < 0 || value > max)
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE,
                   _("Field “%s” is out of range"), field);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;

wrong_type:
  g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
               _("Field “%s” should be a whole number"), field);
  return FALSE;
}

static gboolean
get_bool (JsonObject  *object,
          const char  *name,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
                   _("Field “%s” should be true or false"), name);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static MjaJobKind
kind_from_types (const char *job_type,
                 const char *event_type)
{
  const char *types[] = { event_type, job_type };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (types[i] == NULL)
        continue;
      if (strstr (types[i], "video") != NULL)
        return MJA_JOB_KIND_VIDEO;
      if (strstr (types[i], "upscale") != NULL)
        return MJA_JOB_KIND_UPSCALE;
    }
  return MJA_JOB_KIND_GRID;
}

static gboolean
parse_legacy (MjaJob      *self,
              JsonObject  *object,
              GError     **error)
{
  JsonNode *event_node;
  JsonNode *paths;

  if (!get_string (object, "type", "type", FALSE, &self->job_type, error) ||
      !get_string (object, "prompt", "prompt", FALSE, &self->prompt, error) ||
      !get_uint (object, "ranking_by_user", "ranking_by_user", 5, &self->rating, error))
    return FALSE;

  event_node = get_member (object, "event");
  if (event_node != NULL)
    {
      JsonObject *event;

      if (!JSON_NODE_HOLDS_OBJECT (event_node))
        {
          g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
                       _("Field “%s” should be an object"), "event");
          return FALSE;
        }
      event = json_node_get_object (event_node);
      if (!get_uint (event, "width", "event.width", G_MAXINT, &self->width, error) ||
          !get_uint (event, "height", "event.height", G_MAXINT, &self->height, error) ||
          !get_uint (event, "batchSize", "event.batchSize", 64, &self->batch_size, error) ||
          !get_string (event, "eventType", "event.eventType", FALSE, &self->event_type, error))
        return FALSE;
    }

  paths = get_member (object, "image_paths");
  if (paths != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (paths))
        {
          g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
                       _("Field “%s” should be a list"), "image_paths");
          return FALSE;
        }
      array = json_node_get_array (paths);
      if (json_array_get_length (array) > MAX_IMAGE_PATHS)
        {
          g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE,
                       ngettext ("Field “%s” lists %u image; a job has at most %u",
                                 "Field “%s” lists %u images; a job has at most %u",
                                 json_array_get_length (array)),
                       "image_paths", json_array_get_length (array), MAX_IMAGE_PATHS);
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *field = g_strdup_printf ("image_paths[%u]", i);

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            {
              g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_WRONG_TYPE,
                           _("Field “%s” should be text"), field);
              return FALSE;
            }
          if (!mja_url_check (json_node_get_string (item), field, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_current (MjaJob      *self,
               JsonObject  *object,
               GError     **error)
{
  return get_string (object, "job_type", "job_type", FALSE, &self->job_type, error) &&
         get_string (object, "event_type", "event_type", FALSE, &self->event_type, error) &&
         get_uint (object, "width", "width", G_MAXINT, &self->width, error) &&
         get_uint (object, "height", "height", G_MAXINT, &self->height, error) &&
         get_uint (object, "batch_size", "batch_size", 64, &self->batch_size, error) &&
         get_uint (object, "rating", "rating", 5, &self->rating, error);
}

static gboolean
refuse_text (const char  *text,
             const char  *path,
             GError     **error)
{
  if (strstr (text, MJA_JSON_NUL_MARK) != NULL)
    g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE,
                 _("Field “%s” holds a NUL character, which no text may hold"), path);
  else
    g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_VALUE,
                 _("Field “%s” is not valid UTF-8 text"), path);
  return FALSE;
}

/* Walks every string of the job once.  json-glib reads the non-standard
 * escape "\3" as an octal byte, so a string it hands out may not be
 * UTF-8; mja-json marks an escaped NUL the same way, so that it is refused
 * rather than cut short.  Such a job is refused rather than written into
 * the archive, the index or a label.  json-glib has no depth limit of its
 * own: a tree that did not come through mja-json (the fuzz targets, a
 * caller's) is bounded here too, in depth and in size. */
static gboolean
check_utf8 (JsonNode    *node,
            const char  *path,
            guint        depth,
            guint       *values,
            GError     **error)
{
  if (++*values > MJA_JSON_MAX_JOB_VALUES)
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON,
                   _("The job holds more than %u JSON values, far more than any job holds"),
                   MJA_JSON_MAX_JOB_VALUES);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_utf8_validate (json_node_get_string (node), -1, NULL) ||
           refuse_text (json_node_get_string (node), path, error);
  if (depth >= MJA_JSON_MAX_DEPTH && (JSON_NODE_HOLDS_ARRAY (node) || JSON_NODE_HOLDS_OBJECT (node)))
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON,
                   _("Field “%s” nests deeper than %u levels, which no job needs"), path[0] ? path : "{}",
                   MJA_JSON_MAX_DEPTH);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);

          if (!check_utf8 (json_array_get_element (array, i), child, depth + 1, values, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_autofree char *child = NULL;

          if (!g_utf8_validate (name, -1, NULL))
            return refuse_text (name, path[0] ? path : "{}", error);
          child = path[0] ? g_strconcat (path, ".", name, NULL) : g_strdup (name);
          if (!check_utf8 (member, child, depth + 1, values, error))
            return FALSE;
        }
    }
  return TRUE;
}

MjaJob *
mja_job_new_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(MjaJob) self = NULL;
  g_autofree char *time_text = NULL;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), object);
    guint values = 0;

    if (!check_utf8 (root, "", 0, &values, error))
      return NULL;
  }

  self = g_object_new (MJA_TYPE_JOB, NULL);
  self->json = json_object_ref (object);

  /* "job_type"/"event_type" only exist in the current era; the legacy era
   * has "type", "event" and "image_paths". */
  self->era = (json_object_has_member (object, "job_type") ||
               json_object_has_member (object, "event_type")) &&
              !json_object_has_member (object, "type")
              ? MJA_JOB_ERA_CURRENT : MJA_JOB_ERA_LEGACY;

  if (!get_string (object, "id", "id", TRUE, &self->id, error))
    return NULL;
  if (!mja_job_id_is_valid (self->id))
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_ID,
                   _("Field “%s” is not a valid job id"), "id");
      return NULL;
    }

  if (!get_string (object, "enqueue_time", "enqueue_time", TRUE, &time_text, error))
    return NULL;
  self->enqueue_time = mja_parse_enqueue_time (time_text);
  if (self->enqueue_time == NULL)
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_TIME,
                   _("Field “%s” is not a date and time"), "enqueue_time");
      return NULL;
    }

  if (!get_string (object, "full_command", "full_command", FALSE, &self->full_command, error) ||
      !get_string (object, "parent_id", "parent_id", FALSE, &self->parent_id, error) ||
      !get_bool (object, "liked_by_user", &self->liked, error))
    return NULL;

  if (self->parent_id != NULL && !mja_job_id_is_valid (self->parent_id))
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_ID,
                   _("Field “%s” is not a valid job id"), "parent_id");
      return NULL;
    }

  if (self->era == MJA_JOB_ERA_LEGACY ? !parse_legacy (self, object, error)
                                      : !parse_current (self, object, error))
    return NULL;

  if (self->full_command == NULL)
    self->full_command = g_strdup (self->prompt ? self->prompt : "");
  if (self->prompt == NULL)
    self->prompt = mja_prompt_from_command (self->full_command);
  if (self->job_type == NULL)
    self->job_type = g_strdup (self->event_type ? self->event_type : "unknown");
  if (self->batch_size == 0)
    self->batch_size = 1;
  self->kind = kind_from_types (self->job_type, self->event_type);

  return g_steal_pointer (&self);
}

MjaJob *
mja_job_new_from_data (const char  *data,
                       gssize       length,
                       GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = mja_json_parse (data, length < 0 ? strlen (data) : (gsize) length, MJA_JSON_MAX_JOB_VALUES,
                         _("The job"), &local_error);
  if (root == NULL)
    {
      g_set_error_literal (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON, local_error->message);
      return NULL;
    }
  return mja_job_new_from_node (root, error);
}

/**
 * mja_job_new_from_node:
 * @root: what mja-json read from a job file or an answer
 *
 * Returns: (transfer full) (nullable): the job, or %NULL with @error set
 */
MjaJob *
mja_job_new_from_node (JsonNode  *root,
                       GError   **error)
{
  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, MJA_JOB_ERROR, MJA_JOB_ERROR_INVALID_JSON,
                   _("A job must be a JSON object"));
      return NULL;
    }
  return mja_job_new_from_json (json_node_get_object (root), error);
}

JsonObject *
mja_job_get_json (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->json;
}

MjaJobEra
mja_job_get_era (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), MJA_JOB_ERA_LEGACY);
  return self->era;
}

const char *
mja_job_get_id (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->id;
}

GDateTime *
mja_job_get_enqueue_time (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->enqueue_time;
}

const char *
mja_job_get_job_type (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->job_type;
}

const char *
mja_job_get_event_type (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->event_type;
}

MjaJobKind
mja_job_get_kind (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), MJA_JOB_KIND_GRID);
  return self->kind;
}

const char *
mja_job_get_prompt (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->prompt;
}

const char *
mja_job_get_full_command (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->full_command;
}

guint
mja_job_get_width (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), 0);
  return self->width;
}

guint
mja_job_get_height (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), 0);
  return self->height;
}

guint
mja_job_get_batch_size (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), 1);
  return self->batch_size;
}

guint
mja_job_get_rating (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), 0);
  return self->rating;
}

gboolean
mja_job_get_liked (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), FALSE);
  return self->liked;
}

const char *
mja_job_get_parent_id (MjaJob *self)
{
  g_return_val_if_fail (MJA_IS_JOB (self), NULL);
  return self->parent_id;
}

/**
 * mja_job_dup_listed_urls:
 *
 * The image URLs the job lists itself: a legacy job's "image_paths",
 * validated when it was parsed (a null list gives none).  A current-era
 * job lists none; MjaApi builds its URLs from the id.
 *
 * Returns: (transfer full): the URLs, maybe none
 */
GStrv
mja_job_dup_listed_urls (MjaJob *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *paths;

  g_return_val_if_fail (MJA_IS_JOB (self), NULL);

  paths = self->era == MJA_JOB_ERA_LEGACY ? get_member (self->json, "image_paths") : NULL;
  if (paths != NULL)
    {
      JsonArray *array = json_node_get_array (paths);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (builder, json_array_get_string_element (array, i));
    }
  return g_strv_builder_end (builder);
}

const char *
mja_job_kind_to_string (MjaJobKind kind)
{
  switch (kind)
    {
    case MJA_JOB_KIND_UPSCALE:
      return "upscale";
    case MJA_JOB_KIND_VIDEO:
      return "video";
    case MJA_JOB_KIND_GRID:
    default:
      return "grid";
    }
}

gboolean
mja_job_kind_from_string (const char *name,
                          MjaJobKind *kind)
{
  static const MjaJobKind kinds[] = { MJA_JOB_KIND_GRID, MJA_JOB_KIND_UPSCALE, MJA_JOB_KIND_VIDEO };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_strcmp0 (name, mja_job_kind_to_string (kinds[i])) == 0)
        {
          *kind = kinds[i];
          return TRUE;
        }
    }
  return FALSE;
}
