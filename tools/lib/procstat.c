/*
 * procstat.c - parse /proc/PID/stat.
 *
 * Format (proc(5)): "pid (comm) state ppid pgrp session tty_nr tpgid flags
 * minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
 * num_threads itrealvalue starttime vsize rss ...". comm is whatever the
 * program set (prctl, or its file name), so it may contain ") (" and digits:
 * the only safe anchor is the last ')' of the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"

/* Field numbers from proc(5); field 3 (state) is the first after comm. */
enum {
	FIELD_STATE = 3,
	FIELD_PPID = 4,
	FIELD_MINFLT = 10,
	FIELD_CMINFLT = 11,
	FIELD_MAJFLT = 12,
	FIELD_CMAJFLT = 13,
	FIELD_NUM_THREADS = 20,
	FIELD_STARTTIME = 22,
	FIELD_RSS = 24,
};

/*
 * Parse one decimal number at *p (stopping at end). A '-' is taken only
 * where allow_negative (some fields are signed: tpgid is -1 without a
 * terminal, nice may be negative); *negative then says so. A number that
 * does not fit in 64 bits is -ERANGE, never wrapped: the kernel writes
 * none, so such text is not a stat line.
 */
static int parse_number(const char **p, const char *end, int allow_negative,
			unsigned long long *value, int *negative_out)
{
	const char *s = *p;
	unsigned long long v = 0, digit;
	int negative = 0;

	if (allow_negative && s < end && *s == '-') {
		negative = 1;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	while (s < end && *s >= '0' && *s <= '9') {
		digit = (unsigned long long)(*s++ - '0');
		if (v > (ULLONG_MAX - digit) / 10)
			return -ERANGE;
		v = v * 10 + digit;
	}
	if (negative && v > (unsigned long long)LLONG_MAX)
		return -ERANGE;
	/* Unsigned negation: defined for every v (no signed overflow). */
	*value = negative ? 0ULL - v : v;
	if (negative_out != NULL)
		*negative_out = negative;
	*p = s;
	return 0;
}

/* Does v (as parse_number gave it) fit in the type of the field we keep? */
static int fits(int field, unsigned long long v, int negative)
{
	long long sv = (long long)v;

	switch (field) {
	case FIELD_PPID:
		return !negative && v <= (unsigned long long)INT_MAX;
	case FIELD_NUM_THREADS:
	case FIELD_RSS:
		return negative ? sv >= LONG_MIN : v <= (unsigned long long)LONG_MAX;
	case FIELD_MINFLT:
	case FIELD_CMINFLT:
	case FIELD_MAJFLT:
	case FIELD_CMAJFLT:
		return !negative && v <= ULONG_MAX;
	case FIELD_STARTTIME:
		return !negative;
	default:
		return 1;	/* not kept */
	}
}

static void store_field(int field, unsigned long long v, struct proc_stat *out)
{
	switch (field) {
	case FIELD_PPID:	out->ppid = (pid_t)v; break;
	case FIELD_MINFLT:	out->min_flt = (unsigned long)v; break;
	case FIELD_CMINFLT:	out->cmin_flt = (unsigned long)v; break;
	case FIELD_MAJFLT:	out->maj_flt = (unsigned long)v; break;
	case FIELD_CMAJFLT:	out->cmaj_flt = (unsigned long)v; break;
	case FIELD_NUM_THREADS:	out->num_threads = (long)v; break;
	case FIELD_STARTTIME:	out->starttime = v; break;
	case FIELD_RSS:		out->rss_pages = (long)v; break;
	default:		break;
	}
}

int procstat_parse(const char *text, size_t len, struct proc_stat *out)
{
	const char *end = text + len;
	const char *open_paren = memchr(text, '(', len);
	const char *close_paren;
	const char *p;
	unsigned long long v;
	size_t comm_len;
	int field, negative;

	memset(out, 0, sizeof *out);
	if (open_paren == NULL)
		return -EINVAL;
	close_paren = memrchr(open_paren, ')', (size_t)(end - open_paren));
	if (close_paren == NULL)
		return -EINVAL;

	p = text;
	if (parse_number(&p, open_paren, 0, &v, NULL) != 0 || v > (unsigned long long)INT_MAX)
		return -EINVAL;
	out->pid = (pid_t)v;

	comm_len = (size_t)(close_paren - open_paren - 1);
	if (comm_len >= PROCSTAT_COMM_MAX)
		comm_len = PROCSTAT_COMM_MAX - 1;
	memcpy(out->comm, open_paren + 1, comm_len);
	out->comm[comm_len] = '\0';

	/* After ") " comes the state letter, then numeric fields. */
	p = close_paren + 1;
	if (end - p < 3 || p[0] != ' ' || p[2] != ' ')
		return -EINVAL;
	out->state = p[1];
	p += 3;
	for (field = FIELD_PPID; field <= FIELD_RSS; field++) {
		if (parse_number(&p, end, 1, &v, &negative) != 0 || !fits(field, v, negative))
			return -EINVAL;
		store_field(field, v, out);
		/* Every field up to rss is followed by a space (more fields
		 * follow rss): a line cut inside a number is rejected. */
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
	}
	return 0;
}

/* Open /proc/PID/NAME for reading: the fd, or -errno. */
static int open_proc_file(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Read a held /proc file from its start: the length, or -errno (-ESRCH
 * when the process is gone and the file reads empty). */
static ssize_t pread_proc(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size, 0);

	if (n < 0)
		return -errno;
	return n == 0 ? -ESRCH : n;
}

int procstat_open(pid_t pid)
{
	return open_proc_file(pid, "stat");
}

int procstat_read_fd(int fd, struct proc_stat *out)
{
	char buf[1024];
	ssize_t n = pread_proc(fd, buf, sizeof buf);

	return n < 0 ? (int)n : procstat_parse(buf, (size_t)n, out);
}

int procstat_read_pid(pid_t pid, struct proc_stat *out)
{
	int fd = procstat_open(pid);
	int rc;

	if (fd < 0)
		return fd;
	rc = procstat_read_fd(fd, out);
	close(fd);
	return rc;
}

int procstat_sched_open(pid_t pid)
{
	return open_proc_file(pid, "schedstat");
}

int procstat_sched_parse(const char *text, size_t len, struct proc_sched *out)
{
	const char *p = text, *end = text + len;
	unsigned long long run_delay;

	/* "run_ns run_delay_ns switched_in\n" */
	if (parse_number(&p, end, 0, &out->run_ns, NULL) != 0 || p >= end || *p++ != ' ' ||
	    parse_number(&p, end, 0, &run_delay, NULL) != 0 || p >= end || *p++ != ' ' ||
	    parse_number(&p, end, 0, &out->switched_in, NULL) != 0 || p >= end || *p != '\n')
		return -EINVAL;
	/* Never switched in: not run yet, or no statistics (all zeros). */
	if (out->switched_in == 0)
		return -ENOTSUP;
	return 0;
}

int procstat_sched_read_fd(int fd, struct proc_sched *out)
{
	char buf[128];
	ssize_t n = pread_proc(fd, buf, sizeof buf);

	return n < 0 ? (int)n : procstat_sched_parse(buf, (size_t)n, out);
}

int procstat_cpus_tick_when_busy(void)
{
	char buf[256];
	int fd = open("/sys/devices/system/cpu/nohz_full", O_RDONLY | O_CLOEXEC);
	ssize_t n, i;

	if (fd < 0)
		return errno == ENOENT;		/* a kernel without nohz_full */
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return 0;
	/* "(null)" or an empty line when no CPU is nohz_full, else "1-3". */
	for (i = 0; i < n; i++)
		if (buf[i] >= '0' && buf[i] <= '9')
			return 0;
	return 1;
}

/* Read a small /proc file whole into buf (terminated). Returns length or -errno. */
static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

pid_t procstat_tgid(pid_t tid)
{
	char path[64], buf[2048];
	const char *line;
	ssize_t len;

	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	len = read_small_file(path, buf, sizeof buf);
	if (len < 0)
		return (pid_t)len;
	line = strstr(buf, "\nTgid:");
	if (line == NULL)
		return -EINVAL;
	return (pid_t)strtol(line + 6, NULL, 10);
}

/* Appends pid to a growing list. 0 or -ENOMEM. */
static int pids_append(struct pid_list *list, pid_t pid)
{
	pid_t *grown;

	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 64;

		grown = realloc(list->v, cap * sizeof *grown);
		if (grown == NULL)
			return -ENOMEM;
		list->v = grown;
		list->cap = cap;
	}
	list->v[list->n++] = pid;
	return 0;
}

void procstat_pid_list_free(struct pid_list *list)
{
	free(list->v);
	list->v = NULL;
	list->n = list->cap = 0;
}

/* The numbers in /proc/PID/task/TID/children, read whole whatever its
 * length (a process may have thousands of children), appended to list. */
static int append_children_of_task(pid_t pid, pid_t tid, struct pid_list *list)
{
	char path[64], buf[4096], digits[16];
	size_t have = 0;
	ssize_t n, i;
	int fd, err = 0;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (err == 0 && (n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n && err == 0; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				if (have < sizeof digits - 1)
					digits[have++] = buf[i];
				continue;
			}
			if (have > 0) {
				digits[have] = '\0';
				err = pids_append(list, (pid_t)strtol(digits, NULL, 10));
				have = 0;
			}
		}
	}
	if (err == 0 && n < 0)
		err = -errno;
	if (err == 0 && have > 0) {
		digits[have] = '\0';
		err = pids_append(list, (pid_t)strtol(digits, NULL, 10));
	}
	close(fd);
	return err;
}

int procstat_threads_list(pid_t pid, struct pid_list *list)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	list->n = 0;
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	while (err == 0 && (d = readdir(dir)) != NULL)
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9')
			err = pids_append(list, (pid_t)strtol(d->d_name, NULL, 10));
	closedir(dir);
	return err;
}

int procstat_children_list(pid_t pid, struct pid_list *list)
{
	struct pid_list threads = { 0 };
	size_t i;
	int err;

	list->n = 0;
	err = procstat_threads_list(pid, &threads);
	/* A child belongs to the thread that forked it: ask every thread. */
	for (i = 0; err == 0 && i < threads.n; i++) {
		err = append_children_of_task(pid, threads.v[i], list);
		if (err == -ENOENT && threads.v[i] != pid)
			err = 0;	/* that thread has just exited */
	}
	procstat_pid_list_free(&threads);
	return err;
}

/* The old fixed-size interface, on top of the lists. */
static int copy_out(struct pid_list *list, int err, pid_t *out, int max)
{
	size_t i;
	int n = (int)list->n;

	for (i = 0; err == 0 && i < list->n && (int)i < max; i++)
		out[i] = list->v[i];
	procstat_pid_list_free(list);
	return err != 0 ? err : n;
}

int procstat_children(pid_t pid, pid_t *out, int max)
{
	struct pid_list list = { 0 };
	int err = procstat_children_list(pid, &list);

	return copy_out(&list, err, out, max);
}

int procstat_threads(pid_t pid, pid_t *out, int max)
{
	struct pid_list list = { 0 };
	int err = procstat_threads_list(pid, &list);

	return copy_out(&list, err, out, max);
}
