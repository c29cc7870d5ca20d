/* mja-archive-lock.h — one writer at a time on an archive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mja-archive.h"

G_BEGIN_DECLS

typedef struct _MjaArchiveLock MjaArchiveLock;

MjaArchiveLock *mja_archive_lock_acquire (MjaArchive     *archive,
                                          GError        **error);
void            mja_archive_lock_release (MjaArchiveLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MjaArchiveLock, mja_archive_lock_release)

G_END_DECLS
