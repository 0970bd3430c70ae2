/*
 * outfile.h - an output file that is complete or not there at all.
 *
 * What `-o PATH` means, for every tool of the kit:
 *   - a regular file (or a new one): written to a temporary file in the
 *     same directory and renamed over PATH only when complete, so a reader
 *     never sees half a file and an error leaves the old one;
 *   - a symbolic link: followed; the file it points to is replaced (or
 *     created), the link stays;
 *   - anything else that exists (a device such as /dev/null, a FIFO, a
 *     terminal): written directly; renaming over it would replace the
 *     device node itself by a regular file;
 *   - a directory, a missing parent directory, no permission: refused by
 *     outfile_open(), so a tool can say so before doing any work.
 */
#ifndef COWLAB_OUTFILE_H
#define COWLAB_OUTFILE_H

#include <stdio.h>

struct outfile {
	char *path;	/* the file written: PATH with its symbolic links followed */
	char *tmp;	/* the temporary file renamed to path, or NULL (direct) */
	FILE *f;	/* write here */
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

/* Gives up: closes the file and removes a temporary one (PATH untouched). */
void outfile_discard(struct outfile *out);

#endif
