/*
 * mmap_copy.h - what the two files of mmap_copy share.
 *   mmap_copy.c     the assignment: eight steps, one function each
 *   copy_safety.c   what makes it safe on real files: the refusals of
 *                   step 2 (same file, no size to map), the temporary file
 *                   and its rename, catching SIGBUS, one-line errors; and
 *                   the command line (options, --help)
 * (tools/copy_bench.c, the benchmark's copy program, uses copy_safety.c too.)
 */
#ifndef MMAP_COPY_H
#define MMAP_COPY_H

#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct copy {
	const char *src_path;	/* as given, for messages */
	const char *dst_path;
	int src_fd;
	int dst_fd;		/* the temporary file that becomes DST */
	off_t size;		/* SRC's size, from fstat */
	mode_t mode;		/* SRC's mode bits */
	unsigned char *src;	/* the mappings, NULL when not mapped */
	unsigned char *dst;
	off_t max_size;		/* refuse larger sources (--max-size) */
	int reserve;		/* keep the blocks posix_fallocate reserved */
	int sync;		/* flush to disk before the rename */
	int verbose;
	int interactive;	/* wait for Enter before each step */
	char target[PATH_MAX];	/* the file DST names (symlinks resolved) */
	char dir[PATH_MAX];	/* its directory */
	int anonymous_temp;	/* 1: O_TMPFILE (no name until step 8) */
};

/* copy_safety.c */
void copy_failed(const char *file, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void remove_temporary_on_signals(void);
off_t parse_size(const char *text);
void refuse_unsafe_source(struct copy *c, const struct stat *src_st);
void open_temporary(struct copy *c);
void give_back_reservation(struct copy *c);
void install_temporary(struct copy *c);
extern sigjmp_buf sigbus_jump;
void catch_sigbus(void);
void release_sigbus(void);
void copy_failed_after_sigbus(struct copy *c) __attribute__((noreturn));
void parse_command_line(struct copy *c, int argc, char **argv);

#endif
