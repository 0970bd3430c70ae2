/*
 * outfile.c - an output file that is complete or not there at all
 * (see outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "outfile.h"

/* Temporary files are named NAME.cowlab-partial.XXXXXX: a run killed
 * before its end (SIGKILL) leaves one, and the name says what it is. */
#define PARTIAL_SUFFIX ".cowlab-partial.XXXXXX"

/* "dir/name" -> "dir" (malloc'ed); "name" -> "." */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	dir = malloc((size_t)(slash - path) + 1);
	if (dir != NULL) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	return dir;
}

/*
 * DIR/NAME.cowlab-partial.XXXXXX for path DIR/NAME (malloc'ed), with NAME
 * shortened so that the temporary name fits in NAME_MAX: a NAME of 250
 * characters is fine (only the suffix would not fit).
 */
static char *partial_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dir_len = (size_t)(base - path), base_len = strlen(base);
	size_t room = NAME_MAX - (sizeof PARTIAL_SUFFIX - 1);
	char *name;

	if (base_len > room)
		base_len = room;
	if (asprintf(&name, "%.*s%.*s%s", (int)dir_len, path, (int)base_len, base,
		     PARTIAL_SUFFIX) < 0)
		return NULL;
	return name;
}

/*
 * Is path a name of one of our own open descriptors (/dev/stdout,
 * /dev/fd/N, /proc/self/fd/N, ...)? Returns N, or -1. Such a name is a
 * "magic link" of /proc: opening it opens the file again from its start
 * (or fails, for a pipe's "pipe:[N]" or a deleted file's "x (deleted)"),
 * and renaming over what it points to would replace the file the shell
 * opened for us (`>> log`). So the descriptor itself is written.
 */
int outfile_descriptor(const char *path)
{
	static const char *const prefixes[] = {
		"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/",
	};
	char pid_prefix[64], *end;
	const char *digits = NULL;
	size_t i;
	long fd;

	if (strcmp(path, "/dev/stdout") == 0)
		return 1;
	if (strcmp(path, "/dev/stderr") == 0)
		return 2;
	if (strcmp(path, "/dev/stdin") == 0)
		return 0;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0] && digits == NULL; i++)
		if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
			digits = path + strlen(prefixes[i]);
	snprintf(pid_prefix, sizeof pid_prefix, "/proc/%d/fd/", (int)getpid());
	if (digits == NULL && strncmp(path, pid_prefix, strlen(pid_prefix)) == 0)
		digits = path + strlen(pid_prefix);
	if (digits == NULL || *digits < '0' || *digits > '9')
		return -1;
	errno = 0;
	fd = strtol(digits, &end, 10);
	return errno == 0 && *end == '\0' && fd <= INT_MAX ? (int)fd : -1;
}

/*
 * Does the kernel reach path only through a magic link of /proc (another
 * process's /proc/PID/fd/N, or a symlink to one)? openat2 with
 * RESOLVE_NO_MAGICLINKS refuses exactly those (ELOOP). 0 where openat2 is
 * missing (Linux < 5.6): the path is then taken as a path.
 */
static int through_magic_link(const char *path)
{
#ifdef SYS_openat2
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ELOOP;
#else
	(void)path;
	return 0;
#endif
}

/*
 * The path of the file open on fd, as the kernel resolved it (symbolic
 * links followed by the kernel, with its protections: fs.protected_symlinks
 * refuses a link planted by another user in a sticky directory), checked
 * to name that same file now. malloc'ed, or NULL with errno set.
 */
static char *resolved_path(int fd, const struct stat *st)
{
	char link[64], *path;
	struct stat now;
	ssize_t len;

	path = malloc(PATH_MAX);
	if (path == NULL)
		return NULL;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	len = readlink(link, path, PATH_MAX - 1);
	if (len < 0) {
		free(path);
		return NULL;
	}
	path[len] = '\0';
	if (path[0] != '/' || stat(path, &now) != 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		free(path);
		errno = ESTALE;		/* moved or deleted meanwhile */
		return NULL;
	}
	return path;
}

/*
 * Could we rename over the existing file st in its directory? In a sticky
 * directory (/tmp) only the owner of the file or of the directory (or
 * root) may: otherwise the rename would fail at the end, after the work.
 */
static int may_replace(const char *path, const struct stat *st)
{
	char *dir = dir_of(path);
	struct stat dst;
	uid_t me = geteuid();
	int err = 0;

	if (dir == NULL)
		return -ENOMEM;
	if (stat(dir, &dst) == 0 && (dst.st_mode & S_ISVTX) && me != 0 &&
	    st->st_uid != me && dst.st_uid != me)
		err = -EPERM;
	free(dir);
	return err;
}

/* Writes straight into fd (not a regular path: a device, a pipe, a
 * terminal, a file already open). Takes fd and path. */
static int use_direct(struct outfile *out, int fd, char *path)
{
	out->f = fdopen(fd, "w");
	if (out->f == NULL || path == NULL) {
		int err = path == NULL ? ENOMEM : errno;

		if (out->f != NULL)
			fclose(out->f);
		else
			close(fd);
		out->f = NULL;
		free(path);
		return -err;
	}
	out->path = path;
	return 0;
}

/* One of our descriptors, shared: its offset and O_APPEND stay as the
 * shell set them, so rows land where the command's own output does. */
static int open_own_descriptor(struct outfile *out, int which, const char *path)
{
	int fd = fcntl(which, F_DUPFD_CLOEXEC, 3), flags;

	if (fd < 0)
		return errno == EBADF ? -EBADF : -errno;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
		close(fd);
		return -EBADF;		/* open for reading only */
	}
	return use_direct(out, fd, strdup(path));
}

int outfile_open(struct outfile *out, const char *path)
{
	struct stat st;
	mode_t mode, mask;
	int fd, err = 0, exists, which;

	memset(out, 0, sizeof *out);
	which = outfile_descriptor(path);
	if (which >= 0)
		return open_own_descriptor(out, which, path);

	/* The kernel follows the links (never we, by hand: that would skip
	 * fs.protected_symlinks). No O_CREAT: a missing file is made by the
	 * temporary file; no O_TRUNC: an existing one is replaced at the end. */
	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	exists = fd >= 0;
	if (!exists && errno != ENOENT)
		return -errno;		/* EISDIR, EACCES, ELOOP, ENXIO (a socket), ... */
	if (exists && fstat(fd, &st) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (exists && !S_ISREG(st.st_mode))
		return use_direct(out, fd, strdup(path));	/* device, FIFO, tty */
	if (exists && through_magic_link(path)) {
		/* Another process's open file: written in place, appended. */
		if (fcntl(fd, F_SETFL, O_APPEND) != 0) {
			err = -errno;
			close(fd);
			return err;
		}
		return use_direct(out, fd, strdup(path));
	}
	if (exists) {
		out->path = resolved_path(fd, &st);
		err = out->path == NULL ? -errno : may_replace(out->path, &st);
		close(fd);
		if (err != 0)
			goto fail;
	} else {
		struct stat lst;

		/* Missing. A dangling symbolic link names the file to create:
		 * the kernel creates it (with its protections) and says where. */
		if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, 0666);
			if (fd < 0)
				return -errno;
			out->placeholder = 1;
			if (fstat(fd, &st) != 0 || (out->path = resolved_path(fd, &st)) == NULL)
				err = -errno;
			close(fd);
			if (err != 0)
				goto fail;
			exists = 0;	/* the empty file we made: new mode, ours */
		} else {
			out->path = strdup(path);
			if (out->path == NULL) {
				err = -ENOMEM;
				goto fail;
			}
		}
	}

	out->tmp = partial_name(out->path);
	if (out->tmp == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	fd = mkostemp(out->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;	/* ENOENT: no such directory; EACCES: not ours */
		goto fail;
	}
	/* The new file gets the old one's mode (and owner, where we may give
	 * it: root can), or what a new file gets from the umask. */
	mask = umask(0);
	umask(mask);
	mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
	if (fchmod(fd, mode) != 0) {
		/* mkstemp's 0600 stays: safe, only less readable */
	}
	if (exists && fchown(fd, st.st_uid, st.st_gid) != 0) {
		/* not root: the file is ours, as any file we create */
	}
	out->f = fdopen(fd, "w");
	if (out->f == NULL) {
		err = -errno;
		close(fd);
		unlink(out->tmp);
		goto fail;
	}
	return 0;
fail:
	if (out->placeholder && out->path != NULL)
		unlink(out->path);
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof *out);
	return err;
}

int outfile_commit(struct outfile *out)
{
	int err = 0;

	if (out->f == NULL)
		return -EBADF;
	errno = 0;
	if (fflush(out->f) != 0)
		err = -(errno ? errno : EIO);
	else if (ferror(out->f))
		err = -EIO;	/* an earlier write failed */
	if (fclose(out->f) != 0 && err == 0)
		err = -errno;
	out->f = NULL;
	if (out->tmp != NULL) {
		if (err == 0 && rename(out->tmp, out->path) != 0)
			err = -errno;
		if (err != 0)
			unlink(out->tmp);
		if (err != 0 && out->placeholder)
			unlink(out->path);	/* the empty file a dangling link got */
	}
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof *out);
	return err;
}

void outfile_discard(struct outfile *out)
{
	if (out->f != NULL)
		fclose(out->f);
	if (out->tmp != NULL)
		unlink(out->tmp);
	if (out->placeholder)
		unlink(out->path);
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof *out);
}
