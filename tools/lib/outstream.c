/*
 * outstream.c - standard output that remembers why a write failed (see
 * outstream.h). A glibc cookie stream: its write function is the only
 * place that sees the write's errno.
 */
#include "outstream.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int stdout_first_error;	/* errno of the first failed write, or 0 */
static int stdout_tracked;

static ssize_t write_fd1(void *cookie, const char *buf, size_t size)
{
	ssize_t n;

	(void)cookie;
	do
		n = write(STDOUT_FILENO, buf, size);
	while (n < 0 && errno == EINTR);
	if (n < 0 && stdout_first_error == 0)
		stdout_first_error = errno;
	return n < 0 ? -1 : n;
}

static int close_fd1(void *cookie)
{
	(void)cookie;
	if (close(STDOUT_FILENO) != 0 && errno != EINTR) {
		if (stdout_first_error == 0)
			stdout_first_error = errno;
		return -1;
	}
	return 0;
}

int outstream_track_stdout(void)
{
	cookie_io_functions_t io = { .write = write_fd1, .close = close_fd1 };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return -1;
	if (setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ) != 0) {
		fclose(f);
		return -1;
	}
	stdout = f;
	stdout_tracked = 1;
	return 0;
}

int outstream_stdout_error(void)
{
	if (stdout_first_error != 0)
		return stdout_first_error;
	if (!stdout_tracked && ferror(stdout))
		return errno ? errno : EIO;
	return ferror(stdout) ? EIO : 0;
}

int outstream_close_stdout(void)
{
	int err;

	errno = 0;
	if (fflush(stdout) != 0 && stdout_first_error == 0 && !stdout_tracked)
		stdout_first_error = errno ? errno : EIO;
	err = outstream_stdout_error();
	if (fclose(stdout) != 0 && err == 0)
		err = stdout_first_error ? stdout_first_error : (errno ? errno : EIO);
	return err;
}
