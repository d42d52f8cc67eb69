/* storage.h: the state of docket's storage, for the server. Whether the
 * database can be written (checked at start-up, and read-only mode for a
 * copy that must not be), what /healthz reports (writable, free space,
 * the last write that failed and why, damage), and the background
 * checkpointer that keeps the WAL bounded off the writers' path.
 * Implemented in storage.c; registry.c calls into it when it opens a
 * connection, maps an SQLite error and commits. */
#ifndef DOCKET_STORAGE_H
#define DOCKET_STORAGE_H

#include "err.h"
#include "registry.h"

#include <stdint.h>

/* Read-only mode (`docket serve --read-only`), process-wide. From the call
 * on, registry_open opens every connection read-only (with SQLite's
 * immutable flag when neither the database's directory can be written nor
 * a -wal file with changes exists, e.g. a copy on read-only media),
 * registry_begin refuses with ERR_READONLY ("this server is read-only"),
 * and registry_writer_start starts no thread. Call before any thread
 * starts. */
void registry_read_only_set(int on);
int registry_read_only_get(void);

/* Checks that the database at path can be written: the file and its -wal
 * and -shm (those that exist) may be written (access(2), so SQLite's locks
 * on open files are never disturbed), and its directory lets
 * SQLite create and remove them. ERR_READONLY naming the file and the
 * system's reason (read-only file system, permission denied, immutable
 * file), 0 when all can be written. A missing database only needs its
 * directory. */
int registry_check_writable(const char *path, errmsg *err);

/* What /healthz reports about the storage. */
typedef struct registry_health {
    int read_only;      /* read-only mode: writes are refused by design */
    int writable;       /* the files and the directory can be written */
    char why_not[160];  /* when not writable: which file, the reason */
    int64_t free_bytes; /* free space of the database's file system; -1
                           when unknown */
    int64_t wal_bytes;  /* size of the -wal file, 0 when there is none */
    int64_t failed_at;  /* unix time of the last failed write that no
                           write succeeded after; 0 when none */
    char failure[128];  /* its kind: "out of disk space", "I/O error", ... */
    int64_t damaged_at; /* unix time SQLite first reported the database
                           damaged (SQLITE_CORRUPT, SQLITE_NOTADB) in this
                           process, 0 when never; stays until a restart */
    int ok;             /* nothing below is wrong */
    char reason[400];   /* when not ok: every problem, "; " between them */
} registry_health;

/* Fills out for the database of reg. min_free_bytes: less free space than
 * this is a problem (0: never). Never fails; a value that cannot be read
 * is reported as unknown. */
void registry_health_get(registry *reg, int64_t min_free_bytes,
                         registry_health *out);

/* Gives back the memory of reg's page cache (SQLite's, up to 2 MB a
 * connection), for a connection used once in a while (the server's
 * minute clock): its next query reads the pages again. */
void registry_release_memory(registry *reg);

/* The background checkpointer of the server, process-wide. Connections
 * opened while it runs never checkpoint themselves (SQLite's automatic
 * checkpoint on commit is replaced by a hook that only counts commits
 * and wakes this thread), and the WAL file is cut back to wal_limit bytes
 * when it restarts (journal_size_limit). When a commit leaves wal_limit
 * bytes or more in the WAL, the thread runs PASSIVE checkpoints (they
 * never wait for readers or writers: the writer keeps committing
 * meanwhile), each copying what was committed during the one before,
 * and a last, small one between two transactions under the process's
 * write lock (registry_begin's), so the next transaction starts the WAL
 * over: the writer waits for a few pages and a sync, not for the WAL.
 * A reader holding an older snapshot stops checkpoints short: then
 * nothing is locked and the WAL grows until the reader is done. If the
 * thread falls behind, the writer's registry_wal_bound catches up at 4 x
 * wal_limit. After interval_ms without a commit the WAL is checkpointed
 * in full and truncated to nothing (TRUNCATE, giving up at once, to be
 * tried again, when a reader or another process is in the way).
 * Failures (disk full) are recorded for registry_health_get. ERR_DB when
 * the database cannot be opened, ERR_INTERNAL when the thread cannot
 * start. */
int registry_checkpointer_start(const char *path, int interval_ms,
                                int64_t wal_limit, errmsg *err);
/* Stops the thread and closes its connection; nothing when not running. */
void registry_checkpointer_stop(void);

/* The WAL's bound, for a connection that writes continuously (the
 * submissions' writer, writer.c), called between its transactions: when
 * the last commit of the process left 4 x wal_limit bytes or more in the
 * WAL (the checkpointer fell behind), checkpoints on reg itself (PASSIVE,
 * what is not copied yet), so its next transaction starts the WAL over.
 * Nothing otherwise, or without the checkpointer. */
void registry_wal_bound(registry *reg);

#endif
