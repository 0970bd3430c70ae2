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
#include <unistd.h>

#include "outfile.h"

/* As many links as the kernel follows in one path (MAXSYMLINKS). */
#define MAX_LINKS 40

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
 * Follows path while it is a symbolic link (a dangling link gives the
 * missing file it names, which is then created, as the shell's `>` does).
 * *out is malloc'ed. 0 or -errno.
 */
static int follow_links(const char *path, char **out)
{
	char target[PATH_MAX], *cur = strdup(path), *next, *dir;
	struct stat st;
	ssize_t len;
	int hops;

	for (hops = 0; cur != NULL; hops++) {
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			break;
		len = hops < MAX_LINKS ? readlink(cur, target, sizeof target - 1) : -1;
		if (len < 0) {
			int err = hops < MAX_LINKS ? errno : ELOOP;

			free(cur);
			return -err;
		}
		target[len] = '\0';
		/* A relative target is relative to the link's directory. */
		dir = target[0] == '/' ? NULL : dir_of(cur);
		if (target[0] != '/' && dir == NULL)
			next = NULL;
		else if (dir == NULL)
			next = strdup(target);
		else if (asprintf(&next, "%s/%s", dir, target) < 0)
			next = NULL;
		free(dir);
		free(cur);
		cur = next;
	}
	if (cur == NULL)
		return -ENOMEM;
	*out = cur;
	return 0;
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
	int ok = 1;

	if (dir == NULL)
		return -ENOMEM;
	if (access(path, W_OK) != 0)
		ok = -errno;		/* as the shell: no writing to a read-only file */
	else if (stat(dir, &dst) == 0 && (dst.st_mode & S_ISVTX) && me != 0 &&
		 st->st_uid != me && dst.st_uid != me)
		ok = -EPERM;
	free(dir);
	return ok < 0 ? ok : 0;
}

/* Writes straight into something that is not a regular file. */
static int open_direct(struct outfile *out, char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || (out->f = fdopen(fd, "w")) == NULL) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		free(path);
		return -err;
	}
	out->path = path;
	return 0;
}

int outfile_open(struct outfile *out, const char *path)
{
	struct stat st;
	mode_t mode, mask;
	int fd, err, exists;

	memset(out, 0, sizeof *out);
	err = follow_links(path, &out->path);
	if (err != 0)
		return err;
	exists = stat(out->path, &st) == 0;
	if (!exists && errno != ENOENT) {
		err = -errno;
		goto fail;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto fail;
	}
	if (exists && !S_ISREG(st.st_mode))
		return open_direct(out, out->path);
	if (exists && (err = may_replace(out->path, &st)) != 0)
		goto fail;

	if (asprintf(&out->tmp, "%s.XXXXXX", out->path) < 0) {
		out->tmp = NULL;
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
	free(out->tmp);
	free(out->path);
	memset(out, 0, sizeof *out);
}
