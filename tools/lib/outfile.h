/*
 * outfile.h - an output file that is complete or not there at all.
 *
 * What `-o PATH` means, for every tool of the kit:
 *   - a regular file (or a new one): written to a temporary file
 *     PATH.cowlab-partial.XXXXXX in the same directory and renamed over
 *     PATH only when complete, so a reader never sees half a file and an
 *     error leaves the old one (a run killed with SIGKILL leaves the
 *     temporary file, which its name makes easy to recognise and remove);
 *   - a symbolic link: followed by the kernel (so with its protections:
 *     fs.protected_symlinks refuses a link another user planted in /tmp);
 *     the file it points to is replaced (or created), the link stays;
 *   - a file that is already open: /dev/stdout, /dev/stderr, /dev/fd/N,
 *     /proc/self/fd/N name our own descriptor N, which is written as it
 *     is (a file the shell opened with >>, a pipe, a deleted file); a
 *     /proc/PID/fd/N of another process is appended to;
 *   - anything else that exists (a device such as /dev/null, a FIFO, a
 *     terminal): written directly; renaming over it would replace the
 *     device node itself by a regular file;
 *   - a directory, a missing parent directory, no permission, a closed
 *     descriptor: refused by outfile_open(), so a tool can say so before
 *     doing any work.
 */
#ifndef COWLAB_OUTFILE_H
#define COWLAB_OUTFILE_H

#include <stdio.h>

struct outfile {
	char *path;	/* the file written: PATH with its symbolic links followed */
	char *tmp;	/* the temporary file renamed to path, or NULL (direct) */
	FILE *f;	/* write here */
	int placeholder;	/* path is an empty file we created (dangling link) */
};

/*
 * Opens PATH for writing as described above (a FIFO blocks until it has a
 * reader, as in the shell). Returns 0, or -errno (-EISDIR for a directory,
 * -ENOENT for a missing parent, -EACCES, -ELOOP, ...): then nothing is
 * created and *out needs no cleanup.
 */
int outfile_open(struct outfile *out, const char *path);

/*
 * Flushes and closes the file; a temporary file is renamed into place.
 * Returns 0, or -errno when something could not be written: then a
 * temporary file is removed and PATH is left as it was.
 */
int outfile_commit(struct outfile *out);

/* N when path names our own descriptor N (/dev/stdout, /dev/fd/N,
 * /proc/self/fd/N, ...), else -1. */
int outfile_descriptor(const char *path);

/* Gives up: closes the file and removes a temporary one (PATH untouched). */
void outfile_discard(struct outfile *out);

#endif
