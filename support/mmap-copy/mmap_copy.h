/*
 * mmap_copy.h - what the three files of mmap_copy share.
 *   mmap_copy.c     the eight steps of the assignment, options, main
 *   copy_safety.c   what makes it safe on real files: same-file check,
 *                   the temporary file and its rename, catching SIGBUS
 *   copy_methods.c  the other ways to copy (read, copy_file_range, sendfile)
 */
#ifndef MMAP_COPY_H
#define MMAP_COPY_H

#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum method { METHOD_MMAP, METHOD_READ, METHOD_COPY_FILE_RANGE, METHOD_SENDFILE };

struct options {
	int method;		/* enum method */
	off_t max_size;		/* refuse larger sources */
	size_t window;		/* mmap method: bytes copied per window */
	int plain;		/* mmap method: one memcpy, no madvise */
	int populate;		/* mmap method: MADV_POPULATE_READ/WRITE */
	int thp;		/* mmap method: MADV_HUGEPAGE */
	int reserve;		/* keep the blocks posix_fallocate reserved */
	int sync;		/* flush to disk before the rename */
	int verbose;
	int interactive;
};

struct copy {
	struct options opt;
	const char *src_path;	/* as given, for messages */
	const char *dst_path;
	int src_fd;
	int dst_fd;		/* the temporary file that becomes DST */
	off_t size;		/* SRC's size, from fstat */
	mode_t mode;		/* SRC's mode bits */
	unsigned char *src;	/* mappings (mmap method), NULL otherwise */
	unsigned char *dst;
	char target[PATH_MAX];	/* the file DST names (symlinks resolved) */
	char dir[PATH_MAX];	/* its directory */
	int anonymous_temp;	/* 1: O_TMPFILE (no name until step 8) */
};

/* copy_safety.c */
void die(const char *file, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void refuse_same_file(struct copy *c, const struct stat *src_st);
void open_temporary(struct copy *c, char *temp_name, size_t temp_size);
void install_temporary(struct copy *c, char *temp_name);
extern sigjmp_buf sigbus_jump;
void catch_sigbus(void);
void release_sigbus(void);
void die_after_sigbus(struct copy *c) __attribute__((noreturn));

/* copy_methods.c */
int method_by_name(const char *name);
const char *method_name(int method);
void copy_by_method(struct copy *c);

#endif
