/*
 * copy_safety.c - what makes mmap_copy safe to use on real files.
 *
 * The assignment's eight steps (mmap_copy.c) copy a file when all goes
 * well. This file handles what can go wrong, so that nothing is lost:
 *   copy_failed          one line "mmap_copy: FILE: why", exit 1, and the
 *                        temporary file (if it has a name) removed
 *   parse_size           --max-size, the largest file it agrees to copy
 *   refuse_unsafe_source step 2: SRC must be a regular file whose size the
 *                        kernel reports, not too large, and not DST itself
 *                        (truncating DST would destroy SRC)
 *   open_temporary       step 4: the copy is written to a new file in DST's
 *   install_temporary    directory and renamed over DST only when complete
 *                        (step 8)
 *   give_back_reservation  --no-reserve, step 5: the full-disk experiment
 *   catch_sigbus ...     step 7: a page of a mapping that no longer exists
 *                        in its file (SRC shrank, or DST's disk failed) is
 *                        SIGBUS; we turn it into an error message.
 * and, last, the command line (parse_command_line): mmap_copy's options
 * and --help, by the table of cowlab.h that every lab uses.
 */
#define _GNU_SOURCE 1
#include "cowlab.h"
#include "mmap_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/vfs.h>

/*
 * The temporary file's name while it has one (only when the filesystem
 * has no O_TMPFILE, see open_temporary). copy_failed() and the signal
 * handlers remove it, so a refused or interrupted copy leaves nothing.
 */
static char temp_name[PATH_MAX];

void copy_failed(const char *file, const char *fmt, ...)
{
	va_list ap;

	if (temp_name[0] != '\0')
		unlink(temp_name);
	fflush(stdout);
	fprintf(stderr, "%s: %s: ", program_invocation_short_name, file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void remove_temp_and_exit(int sig)
{
	if (temp_name[0] != '\0')
		unlink(temp_name);	/* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

void remove_temporary_on_signals(void)
{
	signal(SIGINT, remove_temp_and_exit);
	signal(SIGTERM, remove_temp_and_exit);
	signal(SIGHUP, remove_temp_and_exit);
}

/* --max-size: "64M" -> 67108864; a usage error when TEXT is not a size. */
off_t parse_size(const char *text)
{
	char *end;
	unsigned long long n;
	int shift = 0;
	char why[96];

	errno = 0;
	n = strtoull(text, &end, 10);
	switch (*end) {
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10; end++; break;
	}
	if (text[0] < '0' || text[0] > '9' || errno != 0 || *end != '\0' ||
	    n > (unsigned long long)INT64_MAX >> shift) {
		snprintf(why, sizeof why, "'%.40s' is not a size in bytes", text);
		lab_usage_error("--max-size", why);
	}
	return (off_t)(n << shift);
}

/*
 * Files whose size fstat does not give: the kernel makes their content
 * when they are read. A proc file says 0 bytes (mmap_copy would copy
 * nothing: an empty DST), a sysfs file 4096 whatever its content, and
 * neither can be mapped. mmap copies exactly the size fstat gives, so we
 * refuse these and say so (cp and cat copy them by reading).
 */
static const struct { long magic; const char *name; } sizeless_fs[] = {
	{ 0x9fa0, "proc" }, { 0x62656572, "sysfs" }, { 0x64626720, "debugfs" },
	{ 0x74726163, "tracefs" }, { 0x73636673, "securityfs" },
	{ 0x62656570, "configfs" }, { 0x27e0eb, "cgroup" }, { 0x63677270, "cgroup2" },
};

static void refuse_unreported_size(struct copy *c, const struct stat *st)
{
	struct statfs fs;
	char byte;
	size_t i;

	if (fstatfs(c->src_fd, &fs) == 0)
		for (i = 0; i < sizeof sizeless_fs / sizeof sizeless_fs[0]; i++)
			if ((long)fs.f_type == sizeless_fs[i].magic)
				copy_failed(c->src_path, "a %s file: the kernel does not report "
					    "its size (fstat says %lld bytes); refused, mmap can only "
					    "copy the size fstat gives (copy it by reading: cat, cp)",
					    sizeless_fs[i].name, (long long)st->st_size);
	/* Elsewhere too: "0 bytes", and yet there is something to read. */
	if (st->st_size == 0 && pread(c->src_fd, &byte, 1, 0) > 0)
		copy_failed(c->src_path, "fstat says 0 bytes but it has content: the "
			    "kernel does not report its size; refused, mmap can only copy "
			    "the size fstat gives (copy it by reading: cat, cp)");
}

/*
 * Step 2's checks, before DST is touched at all. SRC must be a regular
 * file (a FIFO, device or socket has no size to map), with a size the
 * kernel reports, no larger than --max-size, and not DST itself.
 *
 * stat() follows symlinks, and /proc/self/fd/N is a symlink to the open
 * file, so comparing (device, inode) catches every way of naming SRC
 * twice: the same path, a hard link, a symlink, a /proc/self/fd path.
 */
void refuse_unsafe_source(struct copy *c, const struct stat *src_st)
{
	struct stat dst_st;

	if (S_ISDIR(src_st->st_mode))
		copy_failed(c->src_path, "is a directory");
	if (!S_ISREG(src_st->st_mode))
		copy_failed(c->src_path, "not a regular file (a FIFO, device or socket has no size to map)");
	refuse_unreported_size(c, src_st);
	if (src_st->st_size > c->max_size)
		copy_failed(c->src_path, "too large: %lld bytes, more than --max-size %lld",
			    (long long)src_st->st_size, (long long)c->max_size);
	if (stat(c->dst_path, &dst_st) == 0 && dst_st.st_dev == src_st->st_dev &&
	    dst_st.st_ino == src_st->st_ino)
		copy_failed(c->src_path, "SRC and DST are the same file (%s): refused, "
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
			copy_failed(c->dst_path, "symlink to a missing file: not writing through it");
	} else if (snprintf(c->target, sizeof c->target, "%s", c->dst_path) >=
		   (int)sizeof c->target) {
		copy_failed(c->dst_path, "name too long");
	}
	if (stat(c->target, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			copy_failed(c->dst_path, "is a directory (give the name of the copy)");
		if (!S_ISREG(st.st_mode))
			copy_failed(c->dst_path, "exists and is not a regular file: refused");
		/* We will replace it by rename, which only needs the right to
		 * write the directory; cp would need the right to write the
		 * file, and so do we. */
		if (access(c->target, W_OK) < 0)
			copy_failed(c->dst_path, "cannot write: %s", strerror(errno));
	}
	snprintf(path, sizeof path, "%s", c->target);
	snprintf(c->dir, sizeof c->dir, "%s", dirname(path));
}

/*
 * Step 4's file. Best: O_TMPFILE, a file with no name at all, so that if
 * we are killed (even by SIGKILL) it simply disappears. Filesystems
 * without O_TMPFILE get a hidden name ".DST.XXXXXX", which copy_failed() and the
 * signal handlers remove. Permissions: SRC's mode bits, less the umask,
 * like cp without -p.
 */
void open_temporary(struct copy *c)
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
		copy_failed(c->dst_path, "cannot create a file in %s: %s", c->dir, strerror(errno));
	snprintf(path, sizeof path, "%s", c->target);
	if (snprintf(temp_name, sizeof temp_name, "%s/.%s.XXXXXX", c->dir,
		     basename(path)) >= (int)sizeof temp_name)
		copy_failed(c->dst_path, "name too long");
	c->dst_fd = mkostemp(temp_name, O_CLOEXEC);
	if (c->dst_fd < 0) {
		temp_name[0] = '\0';
		copy_failed(c->dst_path, "cannot create a file in %s: %s", c->dir, strerror(errno));
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(c->dst_fd, c->mode & 0777 & ~mask) < 0)
		copy_failed(c->dst_path, "fchmod: %s", strerror(errno));
}

/*
 * --no-reserve: the lab's full-disk experiment (step 5). Give the blocks
 * that posix_fallocate reserved back (FALLOC_FL_PUNCH_HOLE makes the whole
 * file a hole again and keeps its size), as if step 5 were ftruncate
 * alone. A disk that fills up after this is only found out when the copy
 * writes, in step 7: the kernel cannot give DST's page a block, SIGBUS.
 * It is reported, and DST is left as it was.
 */
void give_back_reservation(struct copy *c)
{
	if (fallocate(c->dst_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      0, c->size) < 0 && c->verbose)
		printf("        --no-reserve: cannot punch a hole here (%s): the "
		       "blocks stay reserved\n", strerror(errno));
}

/* Give the anonymous (O_TMPFILE) file a hidden name beside DST. */
static void name_anonymous_temp(struct copy *c)
{
	char fd_path[64], path[PATH_MAX];
	int attempt;

	snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", c->dst_fd);
	snprintf(path, sizeof path, "%s", c->target);
	for (attempt = 0; attempt < 100; attempt++) {
		if (snprintf(temp_name, PATH_MAX, "%s/.%s.%d.%d", c->dir,
			     basename(path), (int)getpid(), attempt) >= PATH_MAX) {
			temp_name[0] = '\0';
			copy_failed(c->dst_path, "name too long");
		}
		if (linkat(AT_FDCWD, fd_path, AT_FDCWD, temp_name, AT_SYMLINK_FOLLOW) == 0)
			return;
		/* Without /proc, AT_EMPTY_PATH does the same (needs privilege). */
		if (errno == ENOENT &&
		    linkat(c->dst_fd, "", AT_FDCWD, temp_name, AT_EMPTY_PATH) == 0)
			return;
		if (errno != EEXIST) {
			temp_name[0] = '\0';
			copy_failed(c->dst_path, "cannot name the copy in %s: %s", c->dir,
			    strerror(errno));
		}
	}
	temp_name[0] = '\0';
	copy_failed(c->dst_path, "cannot name the copy in %s: too many leftovers", c->dir);
}

/*
 * Step 8's end: the copy is complete. Flush it (unless --no-sync), give it
 * DST's name with rename (atomic: anyone opening DST sees either the old
 * file or the complete copy, never half of it), flush the directory.
 */
void install_temporary(struct copy *c)
{
	int dir_fd;

	if (c->sync && fsync(c->dst_fd) < 0)
		copy_failed(c->dst_path, "fsync: %s", strerror(errno));
	if (c->anonymous_temp)
		name_anonymous_temp(c);
	if (rename(temp_name, c->target) < 0)
		copy_failed(c->dst_path, "rename: %s", strerror(errno));
	temp_name[0] = '\0';	/* it is DST now: never remove it */
	if (close(c->dst_fd) < 0)
		copy_failed(c->dst_path, "close: %s", strerror(errno));
	if (c->sync) {
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
 * reports it (copy_failed_after_sigbus).
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

void copy_failed_after_sigbus(struct copy *c)
{
	struct stat st;
	const unsigned char *addr = sigbus_address;

	if (inside(c->dst, c->size, addr))
		copy_failed(c->dst_path, "SIGBUS writing the copy at offset %lld "
		    "(disk full or I/O error); DST left as it was",
		    (long long)(addr - c->dst));
	if (fstat(c->src_fd, &st) == 0 && st.st_size < c->size)
		copy_failed(c->src_path, "file shrank while being copied (%lld bytes, "
		    "was %lld; SIGBUS); DST left as it was",
		    (long long)st.st_size, (long long)c->size);
	copy_failed(c->src_path, "SIGBUS reading the file (it changed or an I/O "
	    "error happened); DST left as it was");
}

/* ---------------------------------------------------------------------- */
/* The command line.                                                       */

static int verbose, interactive, batch, no_reserve, no_sync;
static const char *max_size = "1G";

static const struct lab_option options[] = {
	{ 'v', "verbose", LAB_FLAG, &verbose, 0, 0, NULL, NULL,
	  "print each step with its page faults" },
	{ 'i', "interactive", LAB_FLAG, &interactive, 0, 0, NULL, NULL,
	  "wait for Enter before each step (to watch ps)" },
	{ 'b', "batch", LAB_FLAG, &batch, 0, 0, NULL, NULL, "never wait (the default)" },
	{ 0, "max-size", LAB_TEXT, &max_size, 0, 0, NULL, "N",
	  "refuse sources larger than N bytes (default 1G;\nsuffixes K, M, G, T)" },
	{ 0, "no-reserve", LAB_FLAG, &no_reserve, 0, 0, NULL, NULL,
	  "check the space, then give the reserved blocks\nback (as if only ftruncate had been called)" },
	{ 0, "no-sync", LAB_FLAG, &no_sync, 0, 0, NULL, NULL,
	  "do not flush the copy to disk before the rename" },
	{ 0 }
};

static const struct lab_usage usage = {
	"[options] SRC DST",
	"Copy SRC to DST through mmap (open, fstat, mmap, create, ftruncate,\n"
	"mmap MAP_SHARED, memcpy, close), safely: DST is replaced only by a\n"
	"complete copy.\n",
	"Refused: a SRC that is not a regular file, or whose size the kernel does\n"
	"not report (proc and sysfs files: use cat or cp), or that is DST itself.\n"
	"A full disk leaves DST as it was. Holes in SRC are not kept.\n"
	"-v prints for scripts: result: phase=P role=copy pid=N minor=N major=N\n"
	"Other ways to copy, and their benchmark: tools/bench-copy (make bench).\n"
	"Exit status: 0 copied, 1 refused or failed (DST unchanged), 2 usage.\n",
	2, 2
};

/* mmap_copy [options] SRC DST into c; usage errors and --help exit here. */
void parse_command_line(struct copy *c, int argc, char **argv)
{
	int operands = lab_parse_options(argc, argv, &usage, options);

	c->src_path = argv[operands];
	c->dst_path = argv[operands + 1];
	c->max_size = parse_size(max_size);
	c->verbose = verbose;
	c->interactive = interactive && lab_interactive(batch);
	c->reserve = !no_reserve;
	c->sync = !no_sync;
}
