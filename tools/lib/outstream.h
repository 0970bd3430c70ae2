/*
 * outstream.h - standard output that remembers why a write failed.
 *
 * stdio keeps only an error flag. The errno of the write that failed is
 * the errno of that moment: when the buffer is flushed at the end, the
 * failed write may be long past (a full disk in the middle of a long
 * listing) and errno says something else, or nothing. A tool that calls
 * outstream_track_stdout() first can say "No space left on device" at the
 * end, whenever the write failed.
 */
#ifndef COWLAB_OUTSTREAM_H
#define COWLAB_OUTSTREAM_H

/* Replaces stdout by a stream over descriptor 1 that records the errno of
 * its first failed write (line-buffered on a terminal, else fully
 * buffered, as stdout was). Call before anything is printed. 0, or -1
 * (out of memory: stdout stays as it was). */
int outstream_track_stdout(void);

/* Why writing stdout failed: the errno of its first failed write; else,
 * when stdio says an error happened (untracked stdout), errno or EIO;
 * else 0. */
int outstream_stdout_error(void);

/* Flushes and closes stdout: 0, or why it could not be written. */
int outstream_close_stdout(void);

#endif
