/*
 * copy_safety.c - what makes mmap_copy safe to use on real files.
 *
 * The assignment's eight steps copy a file when all goes well. These
 * helpers handle what can go wrong without losing anything:
 *   refuse_same_file    SRC and DST are one file: truncating DST would
 *                       destroy SRC.
 *   open_temporary      the copy is written to a new file in DST's
 *   install_temporary   directory and renamed over DST only when complete.
 *   catch_sigbus ...    a page of a mapping that no longer exists in its
 *                       file (SRC shrank, or DST's disk failed) is SIGBUS;
 *                       we turn it into an error message.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * stat() follows symlinks, and /proc/self/fd/N is a symlink to the open
 * file, so comparing (device, inode) catches every way of naming SRC
 * twice: the same path, a hard link, a symlink, a /proc/self/fd path.
 */
void refuse_same_file(struct copy *c, const struct stat *src_st)
{
	struct stat dst_st;

	if (stat(c->dst_path, &dst_st) == 0 && dst_st.st_dev == src_st->st_dev &&
	    dst_st.st_ino == src_st->st_ino)
		die(c->src_path, "SRC and DST are the same file (%s): refused, "
		    "copying would destroy it", c->dst_path);
}

/*
 * Decide which file DST really names. If DST is a symlink to a file, the
 * copy replaces that file (as cp writes through the link), not the link.
 */
static void find_target(struct copy *c)
{
	struct stat st;
	char path[PATH_MAX];

	if (lstat(c->dst_path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (realpath(c->dst_path, c->target) == NULL)
			die(c->dst_path, "symlink to a missing file: not writing through it");
	} else if (snprintf(c->target, sizeof c->target, "%s", c->dst_path) >=
		   (int)sizeof c->target) {
		die(c->dst_path, "name too long");
	}
	if (stat(c->target, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			die(c->dst_path, "is a directory (give the name of the copy)");
		if (!S_ISREG(st.st_mode))
			die(c->dst_path, "exists and is not a regular file: refused");
		/* We will replace it by rename, which only needs the right to
		 * write the directory; cp would need the right to write the
		 * file, and so do we. */
		if (access(c->target, W_OK) < 0)
			die(c->dst_path, "cannot write: %s", strerror(errno));
	}
	snprintf(path, sizeof path, "%s", c->target);
	snprintf(c->dir, sizeof c->dir, "%s", dirname(path));
}

/*
 * Step 4's file. Best: O_TMPFILE, a file with no name at all, so that if
 * we are killed (even by SIGKILL) it simply disappears. Filesystems
 * without O_TMPFILE get a hidden name ".DST.XXXXXX", which die() and the
 * signal handlers remove. Permissions: SRC's mode bits, less the umask,
 * like cp without -p.
 */
void open_temporary(struct copy *c, char *temp_name, size_t temp_size)
{
	char path[PATH_MAX];
	mode_t mask;

	find_target(c);
	c->dst_fd = open(c->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, c->mode & 0777);
	if (c->dst_fd >= 0) {
		c->anonymous_temp = 1;
		return;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		die(c->dst_path, "cannot create a file in %s: %s", c->dir, strerror(errno));
	snprintf(path, sizeof path, "%s", c->target);
	if (snprintf(temp_name, temp_size, "%s/.%s.XXXXXX", c->dir,
		     basename(path)) >= (int)temp_size)
		die(c->dst_path, "name too long");
	c->dst_fd = mkostemp(temp_name, O_CLOEXEC);
	if (c->dst_fd < 0) {
		temp_name[0] = '\0';
		die(c->dst_path, "cannot create a file in %s: %s", c->dir, strerror(errno));
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(c->dst_fd, c->mode & 0777 & ~mask) < 0)
		die(c->dst_path, "fchmod: %s", strerror(errno));
}

/* Give the anonymous (O_TMPFILE) file a hidden name beside DST. */
static void name_anonymous_temp(struct copy *c, char *temp_name)
{
	char fd_path[64], path[PATH_MAX];
	int attempt;

	snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", c->dst_fd);
	snprintf(path, sizeof path, "%s", c->target);
	for (attempt = 0; attempt < 100; attempt++) {
		if (snprintf(temp_name, PATH_MAX, "%s/.%s.%d.%d", c->dir,
			     basename(path), (int)getpid(), attempt) >= PATH_MAX) {
			temp_name[0] = '\0';
			die(c->dst_path, "name too long");
		}
		if (linkat(AT_FDCWD, fd_path, AT_FDCWD, temp_name, AT_SYMLINK_FOLLOW) == 0)
			return;
		/* Without /proc, AT_EMPTY_PATH does the same (needs privilege). */
		if (errno == ENOENT &&
		    linkat(c->dst_fd, "", AT_FDCWD, temp_name, AT_EMPTY_PATH) == 0)
			return;
		if (errno != EEXIST) {
			temp_name[0] = '\0';
			die(c->dst_path, "cannot name the copy in %s: %s", c->dir,
			    strerror(errno));
		}
	}
	temp_name[0] = '\0';
	die(c->dst_path, "cannot name the copy in %s: too many leftovers", c->dir);
}

/*
 * Step 8's end: the copy is complete. Flush it (unless --no-sync), give it
 * DST's name with rename (atomic: anyone opening DST sees either the old
 * file or the complete copy, never half of it), flush the directory.
 */
void install_temporary(struct copy *c, char *temp_name)
{
	int dir_fd;

	if (c->opt.sync && fsync(c->dst_fd) < 0)
		die(c->dst_path, "fsync: %s", strerror(errno));
	if (c->anonymous_temp)
		name_anonymous_temp(c, temp_name);
	if (rename(temp_name, c->target) < 0)
		die(c->dst_path, "rename: %s", strerror(errno));
	temp_name[0] = '\0';	/* it is DST now: never remove it */
	if (close(c->dst_fd) < 0)
		die(c->dst_path, "close: %s", strerror(errno));
	if (c->opt.sync) {
		dir_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd >= 0) {
			fsync(dir_fd);
			close(dir_fd);
		}
	}
}

/*
 * SIGBUS. A mapping may be longer than its file: if SRC shrinks after we
 * mapped it, its pages past the new end have nothing behind them, and
 * touching one raises SIGBUS (the default action kills us, with a core
 * dump). The handler notes the address and jumps back to step 7, which
 * reports it (die_after_sigbus).
 */
sigjmp_buf sigbus_jump;
static void *volatile sigbus_address;

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	sigbus_address = info->si_addr;
	siglongjmp(sigbus_jump, 1);
}

void catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

void release_sigbus(void)
{
	signal(SIGBUS, SIG_DFL);
}

static int inside(const unsigned char *map, off_t size, const void *addr)
{
	uintptr_t a = (uintptr_t)addr, start = (uintptr_t)map;

	return map != NULL && a >= start && a < start + (uintptr_t)size;
}

void die_after_sigbus(struct copy *c)
{
	struct stat st;
	const unsigned char *addr = sigbus_address;

	if (inside(c->dst, c->size, addr))
		die(c->dst_path, "SIGBUS writing the copy at offset %lld "
		    "(disk full or I/O error); DST left as it was",
		    (long long)(addr - c->dst));
	if (fstat(c->src_fd, &st) == 0 && st.st_size < c->size)
		die(c->src_path, "file shrank while being copied (%lld bytes, "
		    "was %lld; SIGBUS); DST left as it was",
		    (long long)st.st_size, (long long)c->size);
	die(c->src_path, "SIGBUS reading the file (it changed or an I/O "
	    "error happened); DST left as it was");
}
