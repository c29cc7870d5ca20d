/* mja-archive.c — the archive on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the layout of shared/midjourney-protocol.md, which is also the
 * layout of the original Python scripts: an archive either one writes
 * opens in the other.  Only this room knows paths.  Every file is written
 * under a temporary name of its own process in its own folder and renamed
 * when complete, so a crash never leaves a half-written file under a final
 * name.  It never writes through a symbolic link: every folder is opened
 * from the root one name at a time without following links, and a link
 * found inside the archive is refused by name.  The app's own data lives
 * in the hidden MJA_ARCHIVE_STATE_DIR and can be rebuilt from the files.
 */
#define G_LOG_DOMAIN "mja-archive"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mja-api.h"
#include "mja-archive.h"
#include "mja-job-writer.h"

struct _MjaArchive
{
  GObject   parent_instance;

  char     *root;
  gboolean  no_flush;
};

G_DEFINE_FINAL_TYPE (MjaArchive, mja_archive, G_TYPE_OBJECT)
G_DEFINE_QUARK (mja-archive-error-quark, mja_archive_error)

static void
mja_archive_finalize (GObject *object)
{
  g_free (MJA_ARCHIVE (object)->root);
  G_OBJECT_CLASS (mja_archive_parent_class)->finalize (object);
}

static void
mja_archive_class_init (MjaArchiveClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mja_archive_finalize;
}

static void
mja_archive_init (MjaArchive *self)
{
}

char *
mja_default_archive_dir (void)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  return g_build_filename (pictures ? pictures : g_get_home_dir (), "Midjourney", NULL);
}

MjaArchive *
mja_archive_new (const char *root)
{
  MjaArchive *self = g_object_new (MJA_TYPE_ARCHIVE, NULL);

  self->root = root ? g_canonicalize_filename (root, NULL) : mja_default_archive_dir ();
  return self;
}

const char *
mja_archive_get_root (MjaArchive *self)
{
  g_return_val_if_fail (MJA_IS_ARCHIVE (self), NULL);
  return self->root;
}

static void
set_io_error (GError     **error,
              const char  *path,
              int          saved_errno)
{
  g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_IO,
               _("Could not write “%s”: %s"), path, g_strerror (saved_errno));
}

/**
 * mja_archive_set_flush:
 * @flush: whether each file is flushed to disk before it gets its name
 *
 * On (the default) a power cut never leaves an empty file under a final
 * name.  Only a bulk writer that can start again from nothing turns it
 * off: the benchmarks' archive generator.
 */
void
mja_archive_set_flush (MjaArchive *self,
                       gboolean    flush)
{
  g_return_if_fail (MJA_IS_ARCHIVE (self));
  self->no_flush = !flush;
}

/* Before a sync: an archive on a read-only disk (or one this user may not
 * write) is said to be so at once, not as a failed write deep inside. */
gboolean
mja_archive_check_writable (MjaArchive  *self,
                            GError     **error)
{
  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);

  if (g_access (self->root, W_OK) == 0 || errno == ENOENT)
    return TRUE;
  {
    int saved = errno;

    g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_IO,
                 _("The archive folder “%s” cannot be written to: %s."), self->root, g_strerror (saved));
  }
  return FALSE;
}

static void
set_symlink_error (GError     **error,
                   const char  *path)
{
  g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_SYMLINK,
               _("“%s” is a symbolic link inside the archive, and the archive is never written through one. "
                 "Replace it with a real folder or file, then sync again."), path);
}

/* Why @name in the folder @fd (the archive's @relative) could not be
 * opened as a folder: a link, a file in the way, or the disk's reason. */
static void
set_folder_error (GError     **error,
                  MjaArchive  *self,
                  int          fd,
                  const char  *name,
                  const char  *relative,
                  int          saved_errno)
{
  g_autofree char *path = mja_archive_dup_path (self, relative);
  struct stat st;

  if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
    set_symlink_error (error, path);
  else if (saved_errno == ENOTDIR || saved_errno == EEXIST)
    g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
                 _("“%s” inside the archive is a file where a folder belongs; move it away, then sync again."),
                 path);
  else
    set_io_error (error, path, saved_errno);
}

/* The folder @relative ("" for the root, else names joined by "/"), opened
 * from the root one name at a time with O_NOFOLLOW: no link inside the
 * archive is followed, however it was planted.  With @create, missing
 * folders are made on the way; without, a missing one sets *@missing (if
 * given) and returns -1 without an error.  The root itself may be a link:
 * that is where the user chose to keep the archive. */
static int
open_folder (MjaArchive  *self,
             const char  *relative,
             gboolean     create,
             gboolean    *missing,
             GError     **error)
{
  g_auto(GStrv) names = g_strsplit (relative, G_DIR_SEPARATOR_S, -1);
  g_autoptr(GString) walked = g_string_new (NULL);
  int fd;

  if (missing != NULL)
    *missing = FALSE;
  fd = open (self->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create && g_mkdir_with_parents (self->root, 0755) == 0)
    fd = open (self->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT && !create && missing != NULL)
        *missing = TRUE;
      else
        set_io_error (error, self->root, errno);
      return -1;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];
      int next;

      if (*name == '\0')
        continue;
      if (walked->len > 0)
        g_string_append_c (walked, G_DIR_SEPARATOR);
      g_string_append (walked, name);
      if (g_str_equal (name, ".") || g_str_equal (name, ".."))
        {
          g_autofree char *path = mja_archive_dup_path (self, relative);

          close (fd);
          g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_IO,
                       _("“%s” is not a place inside the archive."), path);
          return -1;
        }
      next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT && create)
        {
          if (mkdirat (fd, name, 0755) == 0 || errno == EEXIST)
            next = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        {
          int saved = errno;

          if (saved == ENOENT && !create && missing != NULL)
            *missing = TRUE;
          else
            set_folder_error (error, self, fd, name, walked->str, saved);
          close (fd);
          return -1;
        }
      close (fd);
      fd = next;
    }
  return fd;
}

/**
 * mja_archive_open_folder:
 * @relative: a folder inside the archive ("" for the root)
 * @create: whether missing folders are made
 *
 * Returns: a descriptor of the folder (the caller closes it) that was
 *   reached without following any symbolic link, or -1 with @error set
 *   (%MJA_ARCHIVE_ERROR_SYMLINK names the link).
 */
int
mja_archive_open_folder (MjaArchive  *self,
                         const char  *relative,
                         gboolean     create,
                         GError     **error)
{
  gboolean missing;
  int fd;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), -1);
  g_return_val_if_fail (relative != NULL, -1);

  fd = open_folder (self, relative, create, &missing, error);
  if (fd < 0 && missing)
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);
      set_io_error (error, path, ENOENT);
    }
  return fd;
}

/* Refuses @name in @fd when it is a link (or a folder where a file goes). */
static gboolean
check_file_at (MjaArchive  *self,
               int          fd,
               const char  *name,
               const char  *relative,
               GError     **error)
{
  struct stat st;

  if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return TRUE;
  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);
      set_symlink_error (error, path);
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);
      g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
                   _("“%s” inside the archive is a folder where a file belongs; move it away, then sync again."),
                   path);
      return FALSE;
    }
  return TRUE;
}

/* The folder of the file @relative, opened as open_folder() does; its
 * name in that folder in *@name. */
static int
open_parent (MjaArchive  *self,
             const char  *relative,
             gboolean     create,
             gboolean    *missing,
             char       **name,
             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (relative);

  *name = g_path_get_basename (relative);
  return open_folder (self, g_str_equal (dir, ".") ? "" : dir, create, missing, error);
}

/**
 * mja_archive_check_path:
 * @relative: a file inside the archive
 *
 * Before a job is taken on: whether its file could be written without
 * following a link.  Folders not there yet are fine (they will be made);
 * nothing is created.
 */
gboolean
mja_archive_check_path (MjaArchive  *self,
                        const char  *relative,
                        GError     **error)
{
  g_autofree char *name = NULL;
  gboolean missing, ok;
  int fd;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (relative != NULL, FALSE);

  fd = open_parent (self, relative, FALSE, &missing, &name, error);
  if (fd < 0)
    return missing;
  ok = check_file_at (self, fd, name, relative, error);
  close (fd);
  return ok;
}

/**
 * mja_archive_prepare_file:
 * @relative: an image file inside the archive
 *
 * Before a download starts (under the archive's lock): its folders are
 * made without following a link, its final name is checked not to be
 * one, and a "NAME.part" left there (by a killed process, or planted as a
 * link) is removed, the link itself and never what it points to.
 */
gboolean
mja_archive_prepare_file (MjaArchive  *self,
                          const char  *relative,
                          GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *part = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (relative != NULL, FALSE);

  fd = open_parent (self, relative, TRUE, NULL, &name, error);
  if (fd < 0)
    return FALSE;
  part = g_strconcat (name, MJA_ARCHIVE_PART_SUFFIX, NULL);
  ok = check_file_at (self, fd, name, relative, error);
  if (ok && unlinkat (fd, part, 0) != 0 && errno != ENOENT)
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);
      g_autofree char *part_path = g_strconcat (path, MJA_ARCHIVE_PART_SUFFIX, NULL);

      set_io_error (error, part_path, errno);
      ok = FALSE;
    }
  close (fd);
  return ok;
}

gboolean
mja_archive_ensure (MjaArchive  *self,
                    GError     **error)
{
  int fd;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);

  if (g_file_test (self->root, G_FILE_TEST_EXISTS) && !g_file_test (self->root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
                   _("“%s” is not a folder; choose another archive folder."), self->root);
      return FALSE;
    }
  /* The index and the lock live there: a link would take them elsewhere. */
  fd = mja_archive_open_folder (self, MJA_ARCHIVE_STATE_DIR, TRUE, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

char *
mja_archive_dup_state_path (MjaArchive *self,
                            const char *name)
{
  g_return_val_if_fail (MJA_IS_ARCHIVE (self), NULL);
  return g_build_filename (self->root, MJA_ARCHIVE_STATE_DIR, name, NULL);
}

char *
mja_archive_dup_path (MjaArchive *self,
                      const char *relative)
{
  g_return_val_if_fail (MJA_IS_ARCHIVE (self), NULL);
  return g_build_filename (self->root, relative, NULL);
}

/* "YYYYMMDD-HHMMSS_<id>", the stem of each of a job's files. */
char *
mja_archive_dup_base_name (MjaJob *job)
{
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (MJA_IS_JOB (job), NULL);

  stamp = g_date_time_format (mja_job_get_enqueue_time (job), "%Y%m%d-%H%M%S");
  return g_strdup_printf ("%s_%s", stamp, mja_job_get_id (job));
}

/* "YYYY/YYYY-MM/YYYY-MM-DD", the day folder of a job's files. */
char *
mja_archive_dup_date_dir (MjaJob *job)
{
  g_return_val_if_fail (MJA_IS_JOB (job), NULL);
  return g_date_time_format (mja_job_get_enqueue_time (job), "%Y/%Y-%m/%Y-%m-%d");
}

static char *
job_relative (MjaJob     *job,
              const char *suffix)
{
  g_autofree char *dir = mja_archive_dup_date_dir (job);
  g_autofree char *base = mja_archive_dup_base_name (job);
  g_autofree char *name = g_strconcat (base, suffix, NULL);

  return g_build_filename (dir, name, NULL);
}

char *
mja_archive_dup_json_path (MjaJob *job)
{
  return job_relative (job, ".json");
}

char *
mja_archive_dup_prompt_path (MjaJob *job)
{
  return job_relative (job, ".prompt.txt");
}

/* One image: "<base>.<ext>"; several: "<base>-<n>.<ext>", n from 1. */
char *
mja_archive_dup_image_path (MjaJob     *job,
                            guint       index,
                            guint       n_images,
                            const char *extension)
{
  g_autofree char *suffix = NULL;

  g_return_val_if_fail (mja_extension_is_valid (extension), NULL);

  if (n_images <= 1)
    suffix = g_strdup_printf (".%s", extension);
  else
    suffix = g_strdup_printf ("-%u.%s", index + 1, extension);
  return job_relative (job, suffix);
}

void
mja_planned_image_free (MjaPlannedImage *image)
{
  g_free (image->url);
  g_free (image->extension);
  g_free (image->path);
  g_free (image);
}

/**
 * mja_archive_plan_images:
 * @extension: the format asked for current-era stills (png, webp, jpeg)
 *
 * Returns: (transfer full) (element-type MjaPlannedImage): the files the
 *   job's images go to.  An URL whose extension is not accepted was
 *   already refused when the job was parsed.
 */
GPtrArray *
mja_archive_plan_images (MjaJob     *job,
                         const char *cdn_base_url,
                         const char *extension)
{
  g_auto(GStrv) urls = mja_api_dup_image_urls (job, cdn_base_url, extension);
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) mja_planned_image_free);
  guint n = g_strv_length (urls);

  for (guint i = 0; i < n; i++)
    {
      MjaPlannedImage *image = g_new0 (MjaPlannedImage, 1);

      image->index = i;
      image->url = g_strdup (urls[i]);
      image->extension = mja_url_dup_extension (urls[i]);
      image->path = mja_archive_dup_image_path (job, i, n, image->extension);
      g_ptr_array_add (images, image);
    }
  return images;
}

gboolean
mja_archive_has_job (MjaArchive *self,
                     MjaJob     *job)
{
  g_autofree char *relative = mja_archive_dup_json_path (job);
  g_autofree char *path = mja_archive_dup_path (self, relative);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* "<stem>.<6 random>.<extensions>.part": unique to this write, so that
 * two processes never write into each other's file, and still ending in
 * ".json.part" or ".prompt.txt.part" for the scan and verify. */
static char *
temp_name (const char *name)
{
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const char *dot = strchr (name, '.');
  gsize stem = dot ? (gsize) (dot - name) : strlen (name);
  char token[7];

  for (guint i = 0; i < 6; i++)
    token[i] = chars[g_random_int_range (0, sizeof chars - 1)];
  token[6] = '\0';
  return g_strdup_printf ("%.*s.%s%s%s", (int) stem, name, token, name + stem, MJA_ARCHIVE_PART_SUFFIX);
}

gboolean
mja_archive_write_file (MjaArchive  *self,
                        const char  *relative,
                        const char  *contents,
                        gsize        length,
                        GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *part = NULL;
  gsize written = 0;
  int dir_fd, fd = -1, saved = 0;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (relative != NULL, FALSE);

  dir_fd = open_parent (self, relative, TRUE, NULL, &name, error);
  if (dir_fd < 0)
    return FALSE;
  if (!check_file_at (self, dir_fd, name, relative, error))
    {
      close (dir_fd);
      return FALSE;
    }
  /* Written under a name of its own beside the final one (O_EXCL: never
   * an existing file, never through a link), flushed, then renamed: a
   * process that dies on the way leaves a .part file, which the next sync
   * removes and verify names, never a half-written file under the final
   * name. */
  for (guint tries = 0; fd < 0 && tries < 100; tries++)
    {
      g_free (part);
      part = temp_name (name);
      fd = openat (dir_fd, part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);

      saved = errno;
      close (dir_fd);
      set_io_error (error, path, saved);
      return FALSE;
    }
  while (written < length && saved == 0)
    {
      gssize n = write (fd, contents + written, length - written);

      if (n >= 0)
        written += (gsize) n;
      else if (errno != EINTR)
        saved = errno;
    }
  if (saved == 0 && !self->no_flush && fdatasync (fd) != 0)
    saved = errno;
  if (close (fd) != 0 && saved == 0)
    saved = errno;
  if (saved == 0 && renameat (dir_fd, part, dir_fd, name) != 0)
    saved = errno;
  if (saved != 0)
    {
      g_autofree char *path = mja_archive_dup_path (self, relative);

      unlinkat (dir_fd, part, 0);
      close (dir_fd);
      set_io_error (error, path, saved);
      return FALSE;
    }
  close (dir_fd);
  return TRUE;
}

char *
mja_archive_format_prompt_text (MjaJob *job)
{
  return mja_job_writer_format_prompt (job);
}

/**
 * mja_archive_write_job:
 * @json_indent: spaces of indentation; 0 writes one line, as json.dump without indent
 * @overwrite: replace metadata that is already archived
 * @written: (out) (optional): whether anything was written
 *
 * Writes the raw job object and its .prompt.txt.
 */
gboolean
mja_archive_write_job (MjaArchive  *self,
                       MjaJob      *job,
                       guint        json_indent,
                       gboolean     overwrite,
                       gboolean    *written,
                       GError     **error)
{
  g_autofree char *json_path = mja_archive_dup_json_path (job);
  g_autofree char *prompt_path = mja_archive_dup_prompt_path (job);
  g_autofree char *prompt = NULL;
  g_autofree char *data = NULL;
  g_autofree char *full_prompt_path = mja_archive_dup_path (self, prompt_path);
  gsize length;

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), FALSE);
  g_return_val_if_fail (MJA_IS_JOB (job), FALSE);

  if (written)
    *written = FALSE;
  if (!overwrite && mja_archive_has_job (self, job))
    {
      /* The JSON is written last; a prompt file lost to a crash between
       * the two is written again. */
      if (!g_file_test (full_prompt_path, G_FILE_TEST_IS_REGULAR))
        {
          prompt = mja_archive_format_prompt_text (job);
          return mja_archive_write_file (self, prompt_path, prompt, strlen (prompt), error);
        }
      return TRUE;
    }

  data = mja_job_writer_format_json (job, json_indent, &length);

  prompt = mja_archive_format_prompt_text (job);
  /* The JSON last: its presence means the job is archived. */
  if (!mja_archive_write_file (self, prompt_path, prompt, strlen (prompt), error) ||
      !mja_archive_write_file (self, json_path, data, length, error))
    return FALSE;
  if (written)
    *written = TRUE;
  return TRUE;
}

/* "YYYYMMDD-HHMMSS_<id>.json" */
gboolean
mja_archive_parse_json_name (const char  *filename,
                             char       **id)
{
  gsize len = strlen (filename);
  g_autofree char *candidate = NULL;

  if (len < 16 + 1 + 5 || !g_str_has_suffix (filename, ".json") || filename[8] != '-' || filename[15] != '_')
    return FALSE;
  for (guint i = 0; i < 15; i++)
    if (i != 8 && !g_ascii_isdigit (filename[i]))
      return FALSE;
  candidate = g_strndup (filename + 16, len - 16 - 5);
  if (!mja_job_id_is_valid (candidate))
    return FALSE;
  if (id)
    *id = g_steal_pointer (&candidate);
  return TRUE;
}

void
mja_archive_scan_free (MjaArchiveScan *scan)
{
  g_clear_pointer (&scan->json_files, g_ptr_array_unref);
  g_clear_pointer (&scan->part_files, g_ptr_array_unref);
  g_clear_pointer (&scan->damaged_files, g_ptr_array_unref);
  g_clear_pointer (&scan->errors, g_ptr_array_unref);
  g_clear_pointer (&scan->links, g_ptr_array_unref);
  g_free (scan);
}

/**
 * mja_archive_link_skipped:
 *
 * Returns: what the scan says of a symbolic link to a folder inside the
 *   archive (reindex after its name, verify as the problem's detail)
 */
const char *
mja_archive_link_skipped (void)
{
  return _("a symbolic link inside the archive, not followed");
}

static void
scan_dir (MjaArchive     *self,
          const char     *relative,
          guint           depth,
          MjaArchiveScan *scan,
          GCancellable   *cancellable)
{
  g_autofree char *path = mja_archive_dup_path (self, relative);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;

  if (dir == NULL)
    {
      g_ptr_array_add (scan->errors, g_strdup (error->message));
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL && !g_cancellable_is_cancelled (cancellable))
    {
      g_autofree char *child = *relative ? g_build_filename (relative, name, NULL) : g_strdup (name);

      if (name[0] == '.')
        continue;  /* our state folder, editors' and file managers' files */
      /* YYYY/YYYY-MM/YYYY-MM-DD/files: folders down to depth 3.  A link
       * to a folder is never followed (it may lead out of the archive),
       * and said: what is behind it is neither indexed nor checked. */
      if (depth < 3)
        {
          g_autofree char *child_path = mja_archive_dup_path (self, child);
          GStatBuf st;

          if (g_lstat (child_path, &st) != 0)
            continue;
          if (S_ISDIR (st.st_mode))
            scan_dir (self, child, depth + 1, scan, cancellable);
          else if (S_ISLNK (st.st_mode) && g_file_test (child_path, G_FILE_TEST_IS_DIR))
            {
              g_ptr_array_add (scan->errors, g_strdup_printf ("%s: %s", child, mja_archive_link_skipped ()));
              g_ptr_array_add (scan->links, g_steal_pointer (&child));
            }
          continue;
        }
      if (g_str_has_suffix (name, MJA_ARCHIVE_PART_SUFFIX))
        g_ptr_array_add (scan->part_files, g_steal_pointer (&child));
      else if (g_str_has_suffix (name, MJA_ARCHIVE_DAMAGED_SUFFIX))
        g_ptr_array_add (scan->damaged_files, g_steal_pointer (&child));
      else if (mja_archive_parse_json_name (name, NULL))
        g_ptr_array_add (scan->json_files, g_steal_pointer (&child));
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Every job file, unfinished download, image a repair set aside and
 * unreadable folder below the root, in name (and so date) order. */
MjaArchiveScan *
mja_archive_scan (MjaArchive    *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(MjaArchiveScan) scan = g_new0 (MjaArchiveScan, 1);

  g_return_val_if_fail (MJA_IS_ARCHIVE (self), NULL);

  if (!g_file_test (self->root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_NOT_A_FOLDER,
                   _("The archive folder “%s” does not exist."), self->root);
      return NULL;
    }
  scan->json_files = g_ptr_array_new_with_free_func (g_free);
  scan->part_files = g_ptr_array_new_with_free_func (g_free);
  scan->damaged_files = g_ptr_array_new_with_free_func (g_free);
  scan->errors = g_ptr_array_new_with_free_func (g_free);
  scan->links = g_ptr_array_new_with_free_func (g_free);
  scan_dir (self, "", 0, scan, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  g_ptr_array_sort (scan->json_files, compare_strings);
  g_ptr_array_sort (scan->part_files, compare_strings);
  g_ptr_array_sort (scan->damaged_files, compare_strings);
  return g_steal_pointer (&scan);
}
