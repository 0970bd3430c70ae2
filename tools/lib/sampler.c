/*
 * sampler.c - follow a process tree and record its page faults (sampler.h).
 *
 * One loop does everything:
 *   1. collect ptrace stops and exits (waitid), writing fork/exec/exit
 *      rows while the process is stopped at that event, and mark rows
 *      while a lab is stopped at its SIGSTOP after lab_mark();
 *   2. every interval, read each live process's held /proc/PID/stat fd
 *      (one pread) and write `sample` rows;
 *   3. sleep in ppoll() on a signalfd (SIGCHLD, Ctrl-C, SIGTERM) and the
 *      mark pipe until the next sample is due.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sampler_internal.h"
#include "trace.h"

/* After Ctrl-C, a signal or -d: how long processes get before the next signal. */
#define STOP_GRACE_S 1.0
/* Untraced: how often to look for new children (a /proc read per process). */
#define CHILDREN_SCAN_S 0.01

/*
 * Skipping processes that have not run (the cost of a sample is mostly the
 * kernel formatting the 52 fields of /proc/PID/stat, about 1.5 us; a
 * sleeping process's counters cannot change, and most processes sleep).
 *
 * The fault counters min_flt and maj_flt are charged to the thread that
 * faults, while it runs. So if a single-threaded process has not run since
 * its last reading, that reading is still exact. /proc/PID/schedstat (a
 * third of the cost) tells whether it ran: its run time and the number of
 * times it was switched onto a CPU. The run time alone is not enough: it
 * is brought up to date only at a scheduler tick or switch, so a thread
 * that is on a CPU shows the same run time for up to a tick. Hence:
 *   - a switch-in after our schedstat reading changes switched_in;
 *   - a thread that stays on a CPU takes a tick at least every 1/HZ (HZ is
 *     100 at least; procstat_cpus_tick_when_busy() checks that no CPU is
 *     nohz_full, where the tick stops), and the tick adds to its run time;
 *   - a switch-out adds to its run time too.
 * So when schedstat has not changed for QUIET_S (two ticks at HZ=100)
 * since a reading taken before the latest /proc/PID/stat reading, the
 * process has run not at all since that stat reading: its counters are
 * the same, and the sample reuses it. Until then, and whenever schedstat
 * changes, stat is read as usual. Only for single-threaded processes
 * (num_threads 1; a second thread appears only after the first one ran):
 * schedstat is the main thread's.
 * rss_kb and ppid can change without the process running (reclaim, a
 * CLONE_VM sibling's faults, a parent's exit): stat is re-read at least
 * every REFRESH_S for them. --changes looks at the fault counters only,
 * so it writes the same rows as without the skipping.
 */
#define QUIET_S 0.02
#define REFRESH_S 0.1

static const char *const event_names[] = {
	"start", "sample", "fork", "exec", "exit", "mark",
};

const char *sampler_event_name(enum sampler_event ev)
{
	return event_names[ev];
}

double sampler_now(const struct sampler *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - s->t0.tv_sec) + (double)(now.tv_nsec - s->t0.tv_nsec) / 1e9;
}

static void warn(const struct sampler *s, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", s->o->progname, what, strerror(err));
}

/* ---- reading one process ---- */

/*
 * Read p's counters through the chosen backend into p->last. Returns 0 or
 * -errno; -ESRCH means the process is gone (or its PID now names another
 * process). Permission problems are reported once per process.
 */
static int read_proc(struct sampler *s, struct proc_entry *p)
{
	struct proc_stat st;
	int rc;

	if (s->o->backend == SAMPLER_LIBPROC2) {
		rc = procstat_libproc2_read(s->libproc2, p->id.pid, &st);
	} else {
		if (p->stat_fd < 0) {
			rc = procstat_open(p->id.pid);
			if (rc >= 0)
				p->stat_fd = rc;
		}
		rc = p->stat_fd < 0 ? p->stat_fd : procstat_read_fd(p->stat_fd, &st);
		if (rc == -ENOENT)
			rc = -ESRCH;
	}
	if (rc == 0 && p->have_last && st.starttime != p->id.starttime)
		rc = -ESRCH;		/* the PID was reused: ours is gone */
	if (rc == 0) {
		p->id.starttime = st.starttime;
		p->last = st;
		p->have_last = 1;
		p->read_at = sampler_now(s);
	} else if (rc != -ESRCH && !p->read_error_reported) {
		char what[64];

		snprintf(what, sizeof what, "reading process %d", (int)p->id.pid);
		warn(s, what, -rc);
		p->read_error_reported = 1;
	}
	return rc;
}

/*
 * Is p's latest reading still exact because p has not run since (see
 * QUIET_S above)? 0 means: read it. Costs one pread of schedstat.
 */
static int quiet_since_read(struct sampler *s, struct proc_entry *p, double t)
{
	struct proc_sched now;
	int rc;

	if (!s->quiet_check || !p->have_last || p->last.num_threads != 1 ||
	    p->last.state == 'Z' || p->last.state == 'X')
		return 0;
	if (p->sched_fd < 0) {
		rc = procstat_sched_open(p->id.pid);
		if (rc < 0)
			return 0;
		p->sched_fd = rc;
	}
	if (procstat_sched_read_fd(p->sched_fd, &now) != 0)
		return 0;		/* gone, or never run yet: read stat */
	if (!p->have_quiet || now.run_ns != p->quiet.run_ns ||
	    now.switched_in != p->quiet.switched_in) {
		/* It ran. The time is taken after the read: on the safe side. */
		p->quiet = now;
		p->quiet_since = sampler_now(s);
		p->have_quiet = 1;
		return 0;
	}
	if (t - p->quiet_since < QUIET_S || p->read_at < p->quiet_since)
		return 0;		/* not long enough, or stat not read since */
	return t - p->read_at < REFRESH_S;
}

/* Start following a process: table entry, held stat fd, first row. */
static struct proc_entry *discover(struct sampler *s, pid_t pid, int depth,
				   enum sampler_event ev, double t)
{
	struct proc_entry *p = proctable_add(&s->table, pid, depth);

	p->traced = s->traced && s->command_pid != 0;
	/* --faults: a traced process is held here (at its exec, or at its
	 * first stop after fork), so its faults are seen from its first
	 * instruction on. */
	sampler_faults_follow(s, pid, 0);
	if (read_proc(s, p) == 0) {
		p->phase_min_flt = p->last.min_flt;
		p->phase_maj_flt = p->last.maj_flt;
	}
	sampler_write_row(s, p, ev, t);
	s->live_dirty = 1;
	return p;
}

/* ---- phase marks ---- */

static void record_mark(struct sampler *s, struct proc_entry *p, const char *phase,
			int stopped, double t)
{
	size_t i;

	sampler_faults_drain(s);	/* its faults so far are of the phase ending */
	read_proc(s, p);
	snprintf(p->phase, sizeof p->phase, "%s", phase);
	p->seen_mark = 1;
	proctable_phase_step(p, t, phase);
	sampler_faults_step(s, p);
	for (i = 0; i < s->o->ncolumns; i++) {
		const struct sampler_columns *c = s->o->columns[i];

		if (c->at_mark != NULL)
			c->at_mark(c, p, (int)i, phase, stopped, t);
	}
	sampler_write_row(s, p, SAMPLER_MARK, t);
	sampler_snapshot_mark(s, p, phase, stopped, t);
	s->live_dirty = 1;
	if (s->live != NULL)
		sampler_live_draw(s, t, 0);
}

/* Marks of pid that wait for its SIGSTOP; record them (stopped or not). */
static int flush_pending(struct sampler *s, struct proc_entry *p, int stopped, double t)
{
	size_t i, kept = 0;
	int found = 0;

	for (i = 0; i < s->npending; i++) {
		if (s->pending[i].pid == p->id.pid) {
			record_mark(s, p, s->pending[i].phase, stopped, t);
			found = 1;
		} else {
			s->pending[kept++] = s->pending[i];
		}
	}
	s->npending = kept;
	return found;
}

/* Keep a phase name printable and free of column separators. */
static void clean_phase(char *phase)
{
	for (; *phase; phase++)
		if (*phase == '\t' || *phase == ',' || *phase == '"' ||
		    (unsigned char)*phase < ' ' || (unsigned char)*phase == 0x7f)
			*phase = '_';
}

/*
 * A mark line that is not "PID PHASE" is answered all the same: the lab
 * that wrote it stops itself next (COWLAB_MARK_SYNC=1), and a stop nobody
 * answers is a lab stopped forever. Said on stderr (its bytes made safe
 * for a terminal), counted, and the next self-sent SIGSTOP of a process
 * that has no mark pending is taken as its stop (handle_stop).
 */
static void malformed_mark(struct sampler *s, const char *line, const char *why)
{
	char shown[64];
	size_t i;

	snprintf(shown, sizeof shown, "%s", line);
	for (i = 0; shown[i]; i++)
		if ((unsigned char)shown[i] < ' ' || (unsigned char)shown[i] >= 0x7f)
			shown[i] = '?';
	fprintf(stderr, "%s: a malformed phase mark \"%s%s\" (%s): ignored, the process is resumed\n",
		s->o->progname, shown, strlen(line) >= sizeof shown ? "..." : "", why);
	s->unmatched_marks++;
}

static void handle_mark_line(struct sampler *s, char *line, double t)
{
	struct pending_mark m;
	struct proc_entry *p;
	char *end;
	long pid;

	errno = 0;
	pid = strtol(line, &end, 10);
	if (end == line || *end != ' ' || errno != 0 || pid <= 0 || pid > INT_MAX ||
	    line[0] < '0' || line[0] > '9') {
		malformed_mark(s, line, "not PID PHASE");
		return;
	}
	if (end[1] == '\0') {
		malformed_mark(s, line, "no phase name");
		return;
	}
	m.pid = (pid_t)pid;
	snprintf(m.phase, sizeof m.phase, "%s", end + 1);
	clean_phase(m.phase);
	p = proctable_find(&s->table, m.pid);
	if (p == NULL) {
		/* Untraced and not seen yet: a descendant the last scan missed.
		 * Marks from unknown processes are otherwise ignored. */
		struct proc_stat st;
		struct proc_entry *parent;

		if (s->traced || procstat_read_pid(m.pid, &st) != 0 ||
		    (parent = proctable_find(&s->table, st.ppid)) == NULL) {
			malformed_mark(s, line, "not a process cowsample follows");
			return;
		}
		p = discover(s, m.pid, parent->depth + 1, SAMPLER_START, t);
	}
	if (s->sync_marks && p->traced) {
		/* Its SIGSTOP follows: measure then, exactly at the boundary. */
		if (s->npending == s->pending_cap) {
			s->pending_cap = s->pending_cap ? 2 * s->pending_cap : 8;
			s->pending = realloc(s->pending, s->pending_cap * sizeof *s->pending);
			if (s->pending == NULL)
				abort();
		}
		s->pending[s->npending++] = m;
	} else {
		record_mark(s, p, m.phase, 0, t);
	}
}

/* Read every complete mark line now in the pipe (non-blocking). */
static void drain_marks(struct sampler *s)
{
	ssize_t n;
	char *line, *nl;

	if (s->mark_fd < 0)
		return;
	for (;;) {
		n = read(s->mark_fd, s->markbuf + s->marklen, sizeof s->markbuf - 1 - s->marklen);
		if (n <= 0)
			break;
		s->marklen += (size_t)n;
		s->markbuf[s->marklen] = '\0';
		line = s->markbuf;
		while ((nl = memchr(line, '\n', s->marklen - (size_t)(line - s->markbuf))) != NULL) {
			*nl = '\0';
			if (memchr(line, '\0', (size_t)(nl - line)) != NULL)
				malformed_mark(s, line, "a NUL byte in the line");
			else
				handle_mark_line(s, line, sampler_now(s));
			line = nl + 1;
		}
		s->marklen -= (size_t)(line - s->markbuf);
		memmove(s->markbuf, line, s->marklen);
		if (s->marklen == sizeof s->markbuf - 1) {
			s->markbuf[40] = '\0';
			malformed_mark(s, s->markbuf, "a line longer than 4 KiB");
			s->marklen = 0;		/* an absurd line: drop it */
			s->skip_to_newline = 1;
		}
		if (s->skip_to_newline) {
			/* The rest of that absurd line, up to its newline. */
			nl = memchr(s->markbuf, '\n', s->marklen);
			if (nl == NULL) {
				s->marklen = 0;
			} else {
				s->marklen -= (size_t)(nl + 1 - s->markbuf);
				memmove(s->markbuf, nl + 1, s->marklen);
				s->skip_to_newline = 0;
			}
		}
	}
}

/*
 * Did tid stop itself (raise(SIGSTOP), kill -STOP $$), as a lab does at a
 * mark? A stop sent by someone else (a user's kill -STOP) is a real stop.
 */
static int stopped_itself(pid_t tid, pid_t tgid)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) != 0)
		return 0;
	return (si.si_code == SI_USER || si.si_code == SI_TKILL) && si.si_pid == tgid;
}

/* ---- exits ---- */

/* p has exited (or is about to): final reading, exit row. */
static void finish_process(struct sampler *s, struct proc_entry *p, double t)
{
	if (p->exited)
		return;
	flush_pending(s, p, 0, t);
	sampler_faults_drain(s);	/* held at its exit: its maps still readable */
	sampler_faults_release(s, p->id.pid);
	read_proc(s, p);
	proctable_phase_step(p, t, "exit");
	sampler_faults_step(s, p);
	sampler_write_row(s, p, SAMPLER_EXIT, t);
	p->exited = 1;
	if (p->stat_fd >= 0) {
		close(p->stat_fd);
		p->stat_fd = -1;
	}
	if (p->sched_fd >= 0) {
		close(p->sched_fd);
		p->sched_fd = -1;
	}
	s->live_dirty = 1;
}

/* ---- ptrace events ---- */

/* The process a traced thread belongs to (0 when unknown). */
static pid_t tgid_of(struct sampler *s, pid_t tid)
{
	pid_t tgid;

	if (proctable_find(&s->table, tid) != NULL)
		return tid;
	tgid = proctable_thread_tgid(&s->table, tid);
	return tgid;
}

/*
 * A tracee we have not heard of: a new thread or process auto-attached
 * by a fork/clone whose event we have not processed yet. Returns its tgid.
 */
static pid_t adopt_tracee(struct sampler *s, pid_t tid, struct proc_entry *parent,
			  enum sampler_event ev, double t)
{
	pid_t tgid = procstat_tgid(tid);
	struct proc_entry *owner;
	struct proc_stat st;

	if (tgid <= 0)
		return 0;
	if (tgid != tid) {		/* a thread */
		owner = proctable_find(&s->table, tgid);
		if (owner != NULL && proctable_thread_tgid(&s->table, tid) == 0) {
			sampler_faults_follow(s, tid, 0);
			proctable_add_thread(&s->table, tid, tgid);
			owner->threads++;
		}
		return tgid;
	}
	if (parent == NULL && procstat_read_pid(tid, &st) == 0)
		parent = proctable_find(&s->table, st.ppid);
	discover(s, tid, parent != NULL ? parent->depth + 1 : 1, ev, t);
	return tid;
}

/*
 * Has the process PID already run its whole life in our table? A short-lived
 * child can stop, run, exit and be waited for by us before its parent's fork
 * event is collected. It is then still a zombie (for its real parent, which
 * is stopped in that event) but no longer traced: adopting it again would
 * follow a process that can send no more events.
 */
static int already_finished(struct sampler *s, pid_t pid)
{
	struct proc_stat st;
	size_t i;

	for (i = 0; i < s->table.n; i++) {
		const struct proc_entry *p = s->table.procs[i];

		if (p->id.pid != pid || !p->exited)
			continue;
		if (procstat_read_pid(pid, &st) != 0 || st.starttime == p->id.starttime)
			return 1;	/* the same process (or gone altogether) */
	}
	return 0;
}

static void handle_new_tracee(struct sampler *s, pid_t tid, pid_t tgid, double t)
{
	unsigned long msg = 0;
	pid_t child;

	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg) < 0)
		return;
	child = (pid_t)msg;
	if (tgid_of(s, child) != 0 || already_finished(s, child))
		return;		/* its own first stop came first */
	adopt_tracee(s, child, proctable_find(&s->table, tgid), SAMPLER_FORK, t);
}

static void handle_exec(struct sampler *s, pid_t tid, pid_t tgid, double t)
{
	struct proc_entry *p = proctable_find(&s->table, tgid);
	size_t i;

	if (p == NULL)
		return;
	/* exec leaves one thread, with the process's pid. */
	for (i = s->table.nthreads; i > 0; i--)
		if (s->table.threads[i - 1].tgid == tgid)
			proctable_remove_thread(&s->table, s->table.threads[i - 1].tid);
	p->threads = 1;
	(void)tid;
	sampler_faults_exec(s, p);
	read_proc(s, p);
	sampler_write_row(s, p, SAMPLER_EXEC, t);
	s->live_dirty = 1;
}

static void handle_exit_event(struct sampler *s, pid_t tid, pid_t tgid, double t)
{
	struct proc_entry *p = proctable_find(&s->table, tgid);

	if (tid != tgid) {
		proctable_remove_thread(&s->table, tid);
		sampler_faults_drain(s);
		sampler_faults_release(s, tid);
	}
	if (p == NULL)
		return;
	/* The last thread: memory not yet released, counters final. */
	if (--p->threads <= 0)
		finish_process(s, p, t);
}

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void handle_stop(struct sampler *s, pid_t tid, int status)
{
	int event = status >> 16, sig = WSTOPSIG(status);
	double t = sampler_now(s);
	pid_t tgid = tgid_of(s, tid);
	struct proc_entry *p;

	if (tgid == 0)
		tgid = adopt_tracee(s, tid, NULL, SAMPLER_FORK, t);
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		handle_new_tracee(s, tid, tgid, t);
		break;
	case PTRACE_EVENT_EXEC:
		handle_exec(s, tid, tgid, t);
		break;
	case PTRACE_EVENT_EXIT:
		handle_exit_event(s, tid, tgid, t);
		break;
	case PTRACE_EVENT_STOP:
		if (is_stop_signal(sig)) {	/* a real group-stop (Ctrl-Z, kill -STOP) */
			trace_listen(tid);
			return;
		}
		break;
	case 0:				/* a signal is about to be delivered */
		if (sig == SIGSTOP && s->sync_marks) {
			drain_marks(s);
			p = proctable_find(&s->table, tgid);
			if (p != NULL && flush_pending(s, p, 1, t)) {
				sig = 0;	/* the lab's mark stop: measured, suppress */
			} else if (s->unmatched_marks > 0 && stopped_itself(tid, tgid)) {
				/* the stop after a malformed mark line: answer it */
				s->unmatched_marks--;
				sig = 0;
			}
		}
		trace_resume(tid, sig);
		return;
	default:
		break;
	}
	trace_resume(tid, 0);
}

/*
 * A process we follow is a zombie, not yet reaped by us: if no exit stop
 * ended it (killed by SIGKILL, untraced, or an exit stop that did not bring
 * its thread count to zero), its /proc/PID/stat still holds its final
 * counters. Once we reap a child of ours, it is gone.
 */
static void finish_zombie(struct sampler *s, pid_t pid)
{
	struct proc_entry *p;

	if (proctable_thread_tgid(&s->table, pid) == 0 &&
	    (p = proctable_find(&s->table, pid)) != NULL)
		finish_process(s, p, sampler_now(s));
}

/* A traced or child process has ended and has been reaped by us. */
static void handle_exited(struct sampler *s, pid_t tid, int status)
{
	if (proctable_thread_tgid(&s->table, tid) != 0)
		proctable_remove_thread(&s->table, tid);
	else
		finish_zombie(s, tid);	/* when the look before reaping missed it */
	if (tid == s->command_pid) {
		s->command_status = status;
		s->command_done = 1;
	}
}

/* Collect every pending stop and exit, without blocking. */
static void handle_wait_events(struct sampler *s)
{
	siginfo_t si;
	int status;
	pid_t pid;

	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) < 0 ||
		    si.si_pid == 0)
			return;
		pid = si.si_pid;
		if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
			/* Look before reaping: the zombie is still readable. */
			finish_zombie(s, pid);
			if (waitpid(pid, &status, __WALL | WNOHANG) != pid)
				continue;
			handle_exited(s, pid, status);
		} else {
			/* WUNTRACED: an untraced child's stop is consumed too. */
			if (waitpid(pid, &status, __WALL | WNOHANG | WUNTRACED) != pid)
				continue;
			if (WIFSTOPPED(status) && s->traced)
				handle_stop(s, pid, status);
		}
	}
}

/* ---- periodic sampling ---- */

/* Untraced: find new children of the processes we follow. */
static void scan_children(struct sampler *s, double t)
{
	struct pid_list kids = { 0 };
	size_t i, k, n = s->table.n;

	for (i = 0; i < n; i++) {
		struct proc_entry *p = s->table.procs[i];

		if (p->exited || p->traced)
			continue;
		if (procstat_children_list(p->id.pid, &kids) != 0)
			continue;
		for (k = 0; k < kids.n; k++)
			if (proctable_find(&s->table, kids.v[k]) == NULL)
				discover(s, kids.v[k], p->depth + 1, SAMPLER_START, t);
	}
	procstat_pid_list_free(&kids);
}

static void sample_all(struct sampler *s, double t)
{
	size_t i;

	if (s->untraced_live && t - s->children_scan_at >= CHILDREN_SCAN_S) {
		scan_children(s, t);
		s->children_scan_at = t;
	}
	s->untraced_live = 0;
	for (i = 0; i < s->table.n; i++) {
		struct proc_entry *p = s->table.procs[i];
		int rc;

		s->untraced_live |= !p->exited && !p->traced;
		if (p->exited)
			continue;
		rc = quiet_since_read(s, p, t) ? 0 : read_proc(s, p);
		if (!p->traced && (rc == -ESRCH || (rc == 0 && (p->last.state == 'Z' ||
								  p->last.state == 'X')))) {
			finish_process(s, p, t);	/* untraced: seen gone */
			continue;
		}
		if (p->traced && rc == -ESRCH) {
			/* A tracee is waited for by us before it is gone, so its
			 * exit was handled already; should one ever be missed,
			 * say so and end it rather than wait for it forever. */
			fprintf(stderr, "cowsample: process %d ended without an exit event: "
				"its exit row holds its last sample\n", (int)p->id.pid);
			finish_process(s, p, t);
			continue;
		}
		if (rc != 0)
			continue;
		if (s->o->changes_only && p->have_emitted &&
		    p->last.min_flt == p->emitted_min_flt && p->last.maj_flt == p->emitted_maj_flt)
			continue;
		sampler_write_row(s, p, SAMPLER_SAMPLE, t);
	}
	s->live_dirty = 1;
}

/* ---- starting and stopping ---- */

static int start_command(struct sampler *s, const sigset_t *orig_mask)
{
	int mark_pipe[2], rc;
	struct trace_spawn_result r;
	struct proc_entry *p;

	if (pipe2(mark_pipe, O_CLOEXEC) < 0) {
		warn(s, "mark pipe", errno);
		return 1;
	}
	fcntl(mark_pipe[0], F_SETFL, O_NONBLOCK);
	/* Rows on our stdout: the command's own output goes to stderr, so
	 * stdout is TSV only, header first, no row cut by a line of the lab. */
	rc = trace_spawn(s->o->command, mark_pipe[1], s->out == stdout ? STDERR_FILENO : -1,
			 orig_mask, &r);
	close(mark_pipe[1]);
	if (rc < 0) {
		close(mark_pipe[0]);
		warn(s, s->o->command[0], -rc);
		return rc == -ENOENT ? 127 : 126;
	}
	s->mark_fd = mark_pipe[0];
	s->command_pid = r.pid;
	s->traced = r.traced;
	s->sync_marks = r.traced;
	s->untraced_live = !r.traced;
	if (!r.traced)
		fprintf(stderr, "%s: warning: ptrace not permitted (%s): periodic sampling only, "
			"exit rows show the last sample\n", s->o->progname, strerror(r.seize_errno));
	p = discover(s, r.pid, 0, SAMPLER_START, sampler_now(s));
	(void)p;
	return 0;
}

/*
 * -p: follow pid and its descendants, seizing every thread where ptrace is
 * allowed (root, or our own processes); where not, sample only.
 */
static void attach_tree(struct sampler *s, pid_t pid, int depth, double t)
{
	struct pid_list ids = { 0 };
	struct proc_entry *p;
	size_t i;
	int rc;

	if (proctable_find(&s->table, pid) != NULL)
		return;
	rc = trace_attach(pid);
	if (rc != 0 && !s->attach_warned) {
		fprintf(stderr, "%s: warning: cannot trace process %d (%s): periodic sampling only, "
			"exit rows show the last sample\n", s->o->progname, (int)pid, strerror(-rc));
		s->attach_warned = 1;
	}
	if (rc == 0)
		s->traced = 1;
	p = discover(s, pid, depth, SAMPLER_START, t);
	p->traced = rc == 0;
	s->untraced_live |= !p->traced;
	/* Every thread and every child, however many (no fixed limit). */
	if (p->traced && procstat_threads_list(pid, &ids) == 0) {
		for (i = 0; i < ids.n; i++) {
			if (ids.v[i] == pid || trace_attach(ids.v[i]) != 0)
				continue;
			sampler_faults_follow(s, ids.v[i], 0);
			proctable_add_thread(&s->table, ids.v[i], pid);
			p->threads++;
		}
	}
	if (procstat_children_list(pid, &ids) == 0)
		for (i = 0; i < ids.n; i++)
			attach_tree(s, ids.v[i], depth + 1, t);
	procstat_pid_list_free(&ids);
}

/*
 * -p: check every PID before following any. A thread's TID stands for its
 * process (given beside it, the process is followed once); a PID that
 * does not exist or is a zombie (it has exited: nothing left to follow)
 * is an error. Returns 0, or SAMPLER_EXIT_NO_PROCESS after one line.
 */
static int attach_pids(struct sampler *s)
{
	pid_t *tgids;
	size_t i, k, n = 0;
	int rc;

	tgids = calloc(s->o->npids ? s->o->npids : 1, sizeof *tgids);
	if (tgids == NULL)
		abort();
	for (i = 0; i < s->o->npids; i++) {
		struct proc_stat st;
		pid_t pid = s->o->pids[i], tgid = procstat_tgid(pid);

		rc = tgid > 0 ? procstat_read_pid(tgid, &st) : (int)tgid;
		if (rc != 0) {
			char what[64];

			snprintf(what, sizeof what, "process %d", (int)pid);
			warn(s, what, rc == -ENOENT ? ESRCH : -rc);
			free(tgids);
			return SAMPLER_EXIT_NO_PROCESS;
		}
		if (st.state == 'Z' || st.state == 'X') {
			fprintf(stderr, "%s: process %d has exited (a zombie): nothing to follow\n",
				s->o->progname, (int)pid);
			free(tgids);
			return SAMPLER_EXIT_NO_PROCESS;
		}
		for (k = 0; k < n && tgids[k] != tgid; k++)
			;
		if (k == n)
			tgids[n++] = tgid;	/* a process once, however named */
	}
	for (i = 0; i < n; i++)
		attach_tree(s, tgids[i], 0, sampler_now(s));
	free(tgids);
	return 0;
}

/*
 * Ctrl-C, SIGTERM or -d: end the run, still writing everything. With a
 * COMMAND, its processes get the signal (a terminal's Ctrl-C reached them
 * already), then SIGTERM and SIGKILL if they do not exit within
 * STOP_GRACE_S each, so that their exit rows are written too.
 */
static void signal_all(struct sampler *s, int sig)
{
	size_t i;

	for (i = 0; i < s->table.n; i++)
		if (!s->table.procs[i]->exited)
			kill(s->table.procs[i]->id.pid, sig);
}

static void begin_stop(struct sampler *s, int sig)
{
	if (s->command_pid == 0) {	/* -p: leave the processes alone */
		s->stopping = 2;
		return;
	}
	if (s->stopping)
		sig = SIGKILL;		/* asked twice: now */
	s->stopping = 1;
	s->stop_signal = sig;
	s->stop_deadline = sampler_now(s) + STOP_GRACE_S;
	signal_all(s, sig);
}

/* The grace time is over: escalate to SIGTERM, then SIGKILL. */
static void escalate_stop(struct sampler *s)
{
	s->stop_signal = s->stop_signal == SIGTERM || s->stop_signal == SIGKILL ? SIGKILL : SIGTERM;
	s->stop_deadline = sampler_now(s) + STOP_GRACE_S;
	signal_all(s, s->stop_signal);
}

static void read_signals(struct sampler *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			s->child_events = 1;
		else
			begin_stop(s, (int)si.ssi_signo);
	}
}

static int finished(const struct sampler *s)
{
	if (s->stopping == 2)
		return 1;
	if (s->command_pid != 0 && !s->command_done)
		return 0;
	return proctable_live(&s->table) == 0;
}

static void wait_for_events(struct sampler *s, double until)
{
	struct pollfd fds[2 + 64];
	struct timespec timeout;
	double wait_s = until - sampler_now(s);
	nfds_t n = 1, nfaults;

	if (wait_s < 0)
		wait_s = 0;
	timeout.tv_sec = (time_t)wait_s;
	timeout.tv_nsec = (long)((wait_s - (double)timeout.tv_sec) * 1e9);
	fds[0].fd = s->sigfd;
	fds[0].events = POLLIN;
	if (s->mark_fd >= 0) {
		fds[1].fd = s->mark_fd;
		fds[1].events = POLLIN;
		n = 2;
	}
	/* --faults: a buffer half full wakes us up to read it. */
	nfaults = sampler_faults_fds(s, fds + 2, 64);
	if (nfaults > 0 && n == 1) {
		fds[1].fd = -1;		/* poll ignores it */
		fds[1].events = 0;
		n = 2;
	}
	if (ppoll(fds, n + nfaults, &timeout, NULL) <= 0)
		return;
	if (nfaults > 0)
		sampler_faults_drain(s);
	if (fds[0].revents)
		read_signals(s);
	if (n == 2 && fds[1].fd >= 0 && (fds[1].revents & POLLIN))
		drain_marks(s);
	else if (n == 2 && fds[1].fd >= 0 && (fds[1].revents & (POLLHUP | POLLERR))) {
		close(s->mark_fd);	/* every writer is gone */
		s->mark_fd = -1;
	}
}

static void run_loop(struct sampler *s)
{
	double interval = s->o->interval_ms / 1000.0;
	double next_sample = sampler_now(s) + interval;
	double live_period = 0.1, t, until;

	for (;;) {
		/* Every stop and exit of a child or tracee raises SIGCHLD: look
		 * with waitid only then (with 100 tracees, each look at them all
		 * costs). SIGCHLD is consumed before the look, so an event during
		 * the look raises it again. */
		if (s->child_events) {
			s->child_events = 0;
			handle_wait_events(s);
		}
		if (finished(s))
			break;
		t = sampler_now(s);
		if (s->o->duration_s > 0 && t >= s->o->duration_s && !s->stopping)
			begin_stop(s, SIGTERM);
		if (s->stopping == 1 && t >= s->stop_deadline)
			escalate_stop(s);
		if (t >= next_sample) {
			sampler_faults_drain(s);	/* --faults rows as they come */
			sample_all(s, t);
			next_sample += interval;
			if (next_sample < t)
				next_sample = t + interval;	/* fell behind: skip */
		}
		if (s->live != NULL && s->live_dirty && t - s->live_drawn_at >= live_period)
			sampler_live_draw(s, t, 0);
		until = next_sample;
		if (s->o->duration_s > 0 && !s->stopping && s->o->duration_s < until)
			until = s->o->duration_s;
		wait_for_events(s, until);
	}
}

/* Free the columns' per-process data. */
static const struct sampler_options *free_opts;
static void free_ext(struct proc_entry *p)
{
	size_t i;

	for (i = 0; i < free_opts->ncolumns; i++) {
		if (free_opts->columns[i]->free_ext != NULL) {
			free_opts->columns[i]->free_ext(p, (int)i);
		} else {
			free(p->ext[i]);
			p->ext[i] = NULL;
		}
	}
}

/* Does this kernel keep schedstat? We run, so we were switched in once. */
static int sched_stats_work(void)
{
	struct proc_sched self;
	int fd = procstat_sched_open(getpid()), rc;

	if (fd < 0)
		return 0;
	rc = procstat_sched_read_fd(fd, &self);
	close(fd);
	return rc == 0;
}

static int exit_status(const struct sampler *s)
{
	if (s->command_pid == 0 || !s->command_done)
		return 0;
	if (WIFEXITED(s->command_status))
		return WEXITSTATUS(s->command_status);
	if (WIFSIGNALED(s->command_status))
		return 128 + WTERMSIG(s->command_status);
	return 1;
}

/*
 * Descriptors 0, 1 and 2 that we were started without (`>&-`) are taken
 * by /dev/null, close-on-exec: otherwise the next file we open would get
 * that number, and rows, the summary or the command's output would land
 * in the mark pipe or an output file. The command still finds them
 * closed. Returns a mask of the closed ones (bit N: fd N).
 */
static unsigned hold_closed_std_fds(void)
{
	unsigned closed = 0;
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			closed |= 1u << fd;
	for (fd = 0; fd <= 2; fd++) {
		if (!(closed & (1u << fd)))
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC) != fd)
			break;	/* only ever the lowest free number: it is fd */
	}
	return closed;
}

int sampler_run(const struct sampler_options *o)
{
	struct sampler s;
	sigset_t mask, orig_mask;
	int rc, status, ok;

	memset(&s, 0, sizeof s);
	s.closed_std_fds = hold_closed_std_fds();
	s.stdout_closed = (s.closed_std_fds >> STDOUT_FILENO) & 1;
	s.o = o;
	s.mark_fd = -1;
	s.sigfd = -1;
	s.child_events = 1;	/* look at once: trace_spawn may have read the exec stop's SIGCHLD */
	proctable_init(&s.table);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);

	if (o->backend == SAMPLER_LIBPROC2 && (rc = procstat_libproc2_new(&s.libproc2)) < 0) {
		warn(&s, "libproc2", -rc);
		return 1;
	}
	s.quiet_check = o->backend == SAMPLER_PREAD && sched_stats_work() &&
			procstat_cpus_tick_when_busy();
	if (sampler_output_open(&s) != 0) {
		procstat_libproc2_free(s.libproc2);
		return 1;
	}
	if (sampler_snapshots_open(&s) != 0) {
		sampler_output_close(&s, 0);
		procstat_libproc2_free(s.libproc2);
		return 1;
	}
	if (sampler_faults_open(&s) != 0) {
		sampler_snapshots_close(&s, 0);
		sampler_output_close(&s, 0);
		procstat_libproc2_free(s.libproc2);
		return 1;
	}

	/* Signals arrive through a signalfd, so the loop can sleep in ppoll. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &orig_mask);
	s.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	rc = o->command != NULL ? start_command(&s, &orig_mask) : attach_pids(&s);
	if (rc == 0)
		run_loop(&s);
	else
		status = rc;
	if (s.live != NULL)
		sampler_live_draw(&s, sampler_now(&s), 1);
	if (rc == 0) {
		/* -p after Ctrl-C or -d: note where the live ones were. */
		size_t i;

		for (i = 0; i < s.table.n; i++)
			if (!s.table.procs[i]->exited) {
				sampler_faults_drain(&s);
				proctable_phase_step(s.table.procs[i], sampler_now(&s), "running");
				sampler_faults_step(&s, s.table.procs[i]);
			}
		status = exit_status(&s);
	}
	if (rc == 0)
		sampler_write_header(&s);
	ok = sampler_faults_close(&s, rc == 0);
	if (sampler_output_close(&s, rc == 0) != 0)
		ok = -1;
	if (sampler_snapshots_close(&s, rc == 0) != 0)
		ok = -1;
	if (rc == 0 && o->summary && ok == 0 && sampler_print_summary(&s) != 0)
		ok = -1;
	if (ok != 0)
		status = 1;

	close(s.sigfd);
	if (s.mark_fd >= 0)
		close(s.mark_fd);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	free_opts = o;
	proctable_free(&s.table, free_ext);
	free(s.pending);
	sampler_faults_free(&s);
	procstat_libproc2_free(s.libproc2);
	return status;
}
