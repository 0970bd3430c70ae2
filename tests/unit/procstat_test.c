/*
 * procstat_test.c - unit tests of the /proc/PID/stat parser. Prints TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"

static int test_number;
static int failures;

static void ok(int condition, const char *name)
{
	test_number++;
	if (!condition)
		failures++;
	printf("%sok %d - %s\n", condition ? "" : "not ", test_number, name);
}

/* A stat line with the given comm and fixed, distinct field values. */
static int make_line(char *buf, size_t size, const char *comm)
{
	return snprintf(buf, size,
		"4242 (%s) S 17 4242 4242 0 -1 4194304 "
		"1001 1002 1003 1004 5 6 7 8 20 0 3 0 "
		"987654 123456789 321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		comm);
}

static void check_comm(const char *comm, const char *expected_comm)
{
	char line[512], name[128];
	struct proc_stat st;
	int len = make_line(line, sizeof line, comm);
	int rc = procstat_parse(line, (size_t)len, &st);

	snprintf(name, sizeof name, "comm \"%s\" parses", comm);
	ok(rc == 0, name);
	snprintf(name, sizeof name, "comm \"%s\": name kept", comm);
	ok(rc == 0 && strcmp(st.comm, expected_comm) == 0, name);
	snprintf(name, sizeof name, "comm \"%s\": fields after the last ')'", comm);
	ok(rc == 0 && st.pid == 4242 && st.state == 'S' && st.ppid == 17 &&
	   st.min_flt == 1001 && st.cmin_flt == 1002 && st.maj_flt == 1003 &&
	   st.cmaj_flt == 1004 && st.num_threads == 3 && st.starttime == 987654 &&
	   st.rss_pages == 321, name);
}

static void check_truncated(void)
{
	char line[512];
	struct proc_stat st;
	int len = make_line(line, sizeof line, "sleep");
	size_t cut;
	int all_rejected = 1;

	/* Every cut that ends before the rss field is complete must fail. */
	for (cut = 0; cut < (size_t)len; cut++) {
		const char *rss = strstr(line, " 321 ");
		if (line + cut > rss + 4)
			break;
		if (procstat_parse(line, cut, &st) != -EINVAL)
			all_rejected = 0;
	}
	ok(all_rejected, "every truncated line is rejected with -EINVAL");
	ok(procstat_parse("", 0, &st) == -EINVAL, "empty text is rejected");
	ok(procstat_parse("12 (x", 5, &st) == -EINVAL, "line without ')' is rejected");
}

/*
 * Numbers the kernel never writes: more digits than 64 bits hold, a
 * 64-digit negative number (its negation overflowed: undefined behaviour,
 * found by libFuzzer), negative fault counters, a PID beyond int. Each is
 * refused, never wrapped into a plausible value.
 */
static void check_out_of_range(void)
{
	static const char *const lines[] = {
		/* min_flt with 21 digits (wrapped to a small number before) */
		"4242 (x) S 17 4242 4242 0 -1 4194304 123456789012345678901 0 0 0 5 6 7 8 20 0 3 0 987654 1 321 1\n",
		/* rss: a 64-digit negative number */
		"4242 (x) S 17 4242 4242 0 -1 4194304 1 0 0 0 5 6 7 8 20 0 3 0 987654 1 "
		"-1234567890123456789012345678901234567890123456789012345678901234 1\n",
		/* a negative fault counter */
		"4242 (x) S 17 4242 4242 0 -1 4194304 -5 0 0 0 5 6 7 8 20 0 3 0 987654 1 321 1\n",
		/* a ppid and a pid beyond int */
		"4242 (x) S 4294967313 4242 4242 0 -1 4194304 1 0 0 0 5 6 7 8 20 0 3 0 987654 1 321 1\n",
		"4294967296 (x) S 17 4242 4242 0 -1 4194304 1 0 0 0 5 6 7 8 20 0 3 0 987654 1 321 1\n",
	};
	static const char *const names[] = {
		"a 21-digit fault counter is refused, not wrapped",
		"a 64-digit negative rss is refused (no signed overflow)",
		"a negative fault counter is refused",
		"a ppid beyond int is refused",
		"a pid beyond int is refused",
	};
	struct proc_stat st;
	struct proc_sched ps;
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
		ok(procstat_parse(lines[i], strlen(lines[i]), &st) == -EINVAL, names[i]);
	ok(procstat_parse("4242 (x) S 17 4242 4242 0 -1 4194304 18446744073709551615 0 0 0 5 6 7 8 -20 -5 3 0 "
			  "18446744073709551615 1 -3 1\n", 111, &st) == 0 &&
	   st.min_flt == 18446744073709551615UL && st.rss_pages == -3 &&
	   st.starttime == 18446744073709551615ULL,
	   "the largest 64-bit counter and a negative rss are read exactly");
	ok(procstat_sched_parse("99999999999999999999999 1 1\n", 28, &ps) == -EINVAL,
	   "schedstat: a 23-digit run time is refused");
	ok(procstat_sched_parse("-1 1 1\n", 7, &ps) == -EINVAL, "schedstat: a negative run time is refused");
}

static void check_self(void)
{
	struct proc_stat st;
	int rc = procstat_read_pid(getpid(), &st);

	ok(rc == 0 && st.pid == getpid() && st.ppid == getppid(), "reads its own /proc/PID/stat");
	ok(procstat_read_pid(0x3fffffff, &st) == -ENOENT, "a PID that does not exist gives -ENOENT");
}

/* /proc/PID/schedstat: "run_ns run_delay_ns switched_in" */
static void check_schedstat(void)
{
	static const char good[] = "1946033 17 12\n";
	struct proc_sched ps;
	int fd;

	ok(procstat_sched_parse(good, sizeof good - 1, &ps) == 0 &&
	   ps.run_ns == 1946033 && ps.switched_in == 12, "schedstat: run time and switch-ins read");
	ok(procstat_sched_parse("0 0 0\n", 6, &ps) == -ENOTSUP,
	   "schedstat: all zeros (no statistics, or never run) is not usable");
	ok(procstat_sched_parse(good, 8, &ps) == -EINVAL, "schedstat: a truncated line is rejected");
	ok(procstat_sched_parse("12 x 3\n", 7, &ps) == -EINVAL, "schedstat: garbage is rejected");
	fd = procstat_sched_open(getpid());
	ok(fd >= 0 && procstat_sched_read_fd(fd, &ps) == 0 && ps.switched_in >= 1,
	   "schedstat: our own, read through a held fd (we run: switched in at least once)");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	printf("1..36\n");
	check_comm("sleep", "sleep");
	check_comm("a) b (c", "a) b (c");
	check_comm(")", ")");
	check_comm("x y z)", "x y z)");
	check_comm("fifteen_chars15", "fifteen_chars15");
	check_comm("12 (34) S 5", "12 (34) S 5");
	check_truncated();
	check_schedstat();
	check_out_of_range();
	check_self();
	return failures == 0 ? 0 : 1;
}
