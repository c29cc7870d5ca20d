/* mja-archive-lock.c — one writer at a time on an archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns MJA_ARCHIVE_STATE_DIR/lock: an exclusive flock(2) held by whatever
 * writes the archive's files (a sync, a download, a reindex, the app while
 * it syncs), with the holder's pid written inside (and cleared as it lets
 * go) so that the second one can say who it waits for.  The kernel drops the lock when its holder
 * exits, however it dies, so a stale lock never blocks the archive.  It
 * never waits for the lock (the caller says so and decides), never removes
 * the file (a removed lock file lets two holders in), and never opens it
 * through a symbolic link.
 */
#define G_LOG_DOMAIN "mja-archive"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "mja-archive-lock.h"

#define LOCK_NAME "lock"

struct _MjaArchiveLock
{
  int fd;
};

/* The pid the holder wrote, or 0 when it cannot be read. */
static long
read_holder (int fd)
{
  char text[32] = { 0 };
  gssize n = pread (fd, text, sizeof text - 1, 0);
  char *end = NULL;
  long pid;

  if (n <= 0)
    return 0;
  pid = strtol (text, &end, 10);
  return end != text && pid > 0 ? pid : 0;
}

/**
 * mja_archive_lock_acquire:
 *
 * Takes the archive's lock, or fails at once with
 * %MJA_ARCHIVE_ERROR_BUSY naming the process that holds it.
 *
 * Returns: (transfer full) (nullable): the lock, held until
 *   mja_archive_lock_release()
 */
MjaArchiveLock *
mja_archive_lock_acquire (MjaArchive  *archive,
                          GError     **error)
{
  g_autofree char *pid = NULL;
  MjaArchiveLock *lock;
  int dir_fd, fd, saved;

  g_return_val_if_fail (MJA_IS_ARCHIVE (archive), NULL);

  if (!mja_archive_ensure (archive, error))
    return NULL;
  dir_fd = mja_archive_open_folder (archive, MJA_ARCHIVE_STATE_DIR, TRUE, error);
  if (dir_fd < 0)
    return NULL;
  fd = openat (dir_fd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  saved = errno;
  close (dir_fd);
  if (fd < 0)
    {
      g_autofree char *path = mja_archive_dup_state_path (archive, LOCK_NAME);

      g_set_error (error, MJA_ARCHIVE_ERROR, saved == ELOOP ? MJA_ARCHIVE_ERROR_SYMLINK : MJA_ARCHIVE_ERROR_IO,
                   _("Could not open the archive's lock “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      long holder;

      if (errno == EINTR)
        continue;
      saved = errno;
      holder = read_holder (fd);
      close (fd);
      if (saved != EWOULDBLOCK)
        {
          g_autofree char *path = mja_archive_dup_state_path (archive, LOCK_NAME);

          g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_IO,
                       _("Could not lock the archive “%s”: %s"), path, g_strerror (saved));
        }
      else if (holder > 0)
        g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY,
                     _("Another sync is running on this archive (pid %ld)."), holder);
      else
        g_set_error (error, MJA_ARCHIVE_ERROR, MJA_ARCHIVE_ERROR_BUSY,
                     _("Another sync is running on this archive."));
      return NULL;
    }

  /* Ours: the pid for whoever comes second.  Not being able to write it
   * only makes that message vaguer. */
  pid = g_strdup_printf ("%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("Could not write the pid into the archive's lock: %s", g_strerror (errno));

  lock = g_new0 (MjaArchiveLock, 1);
  lock->fd = fd;
  return lock;
}

/* Lets the next writer in.  The pid is cleared first, while the lock is
 * still ours, so that nobody reading the file later (a process refused a
 * moment before the next holder writes its own, a person) takes a pid
 * that is gone for the holder's.  A holder that dies leaves its pid; the
 * next one overwrites it. */
void
mja_archive_lock_release (MjaArchiveLock *lock)
{
  if (lock == NULL)
    return;
  if (ftruncate (lock->fd, 0) != 0)
    g_debug ("Could not clear the pid from the archive's lock: %s", g_strerror (errno));
  close (lock->fd);
  g_free (lock);
}
