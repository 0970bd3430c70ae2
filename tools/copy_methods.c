/*
 * copy_methods.c - step 7 done without mappings, for comparison (copy_bench,
 * the benchmark's copy program; not part of the lab).
 *
 *   read             read() into a 128 KiB buffer, write() it out: the
 *                    data crosses into our memory and back (two copies).
 *   copy_file_range  the kernel copies from file to file (one copy, no
 *                    trip through our memory; some filesystems even share
 *                    the blocks). This is what cp uses.
 *   sendfile         the kernel copies from SRC's page cache to DST.
 *
 * None of them maps the files, so none of them faults on the data: the
 * page faults of these methods are those of the program itself.
 * A SRC that shrinks shows up as an early end of file: an error, as in
 * the mmap method, and DST is left as it was.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap-copy/mmap_copy.h"
#include "copy_bench.h"

#include <errno.h>
#include <sys/sendfile.h>

#define BUFFER_SIZE (128 * 1024)

static const char *const method_names[] = {
	[METHOD_MMAP] = "mmap",
	[METHOD_READ] = "read",
	[METHOD_COPY_FILE_RANGE] = "copy_file_range",
	[METHOD_SENDFILE] = "sendfile",
};

int method_by_name(const char *name)
{
	int m;

	for (m = 0; m < (int)(sizeof method_names / sizeof method_names[0]); m++)
		if (strcmp(name, method_names[m]) == 0)
			return m;
	return -1;
}

const char *method_name(int method)
{
	return method_names[method];
}

static void die_shrank(struct copy *c, off_t done)
{
	copy_failed(c->src_path, "file shrank while being copied (end of file after "
	    "%lld of %lld bytes); DST left as it was",
	    (long long)done, (long long)c->size);
}

static void write_all(struct copy *c, const char *buf, size_t length)
{
	ssize_t n;

	while (length > 0) {
		n = write(c->dst_fd, buf, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			copy_failed(c->dst_path, "write: %s", strerror(errno));
		buf += n;
		length -= (size_t)n;
	}
}

static void copy_with_read(struct copy *c, off_t done)
{
	static char buf[BUFFER_SIZE];
	size_t want;
	ssize_t n;

	while (done < c->size) {
		want = BUFFER_SIZE;
		if ((off_t)want > c->size - done)
			want = (size_t)(c->size - done);
		n = read(c->src_fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			copy_failed(c->src_path, "read: %s", strerror(errno));
		if (n == 0)
			die_shrank(c, done);
		write_all(c, buf, (size_t)n);
		done += n;
	}
}

/*
 * copy_file_range between two filesystems of different kinds is refused
 * by the kernel (EXDEV, or EINVAL/EOPNOTSUPP on some): then the rest of
 * the copy is done with read/write.
 */
static void copy_with_copy_file_range(struct copy *c)
{
	off_t done = 0;
	ssize_t n;

	while (done < c->size) {
		n = copy_file_range(c->src_fd, NULL, c->dst_fd, NULL,
				    (size_t)(c->size - done), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL ||
			      errno == EOPNOTSUPP || errno == ENOSYS)) {
			if (c->verbose)
				printf("        copy_file_range: %s; going on with read/write\n",
				       strerror(errno));
			copy_with_read(c, done);
			return;
		}
		if (n < 0)
			copy_failed(c->dst_path, "copy_file_range: %s", strerror(errno));
		if (n == 0)
			die_shrank(c, done);
		done += n;
	}
}

static void copy_with_sendfile(struct copy *c)
{
	off_t done = 0;
	ssize_t n;

	while (done < c->size) {
		n = sendfile(c->dst_fd, c->src_fd, NULL, (size_t)(c->size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			copy_failed(c->dst_path, "sendfile: %s", strerror(errno));
		if (n == 0)
			die_shrank(c, done);
		done += n;
	}
}

void copy_by_method(struct copy *c, int method)
{
	switch (method) {
	case METHOD_READ: copy_with_read(c, 0); break;
	case METHOD_COPY_FILE_RANGE: copy_with_copy_file_range(c); break;
	case METHOD_SENDFILE: copy_with_sendfile(c); break;
	}
}
