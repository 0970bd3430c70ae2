/*
 * sampler_output.c - what the sampler writes: TSV/CSV rows (to -o's file,
 * complete or not at all: outfile.h), the --summary table and the --live
 * terminal view.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "procevents.h"
#include "sampler_internal.h"

#define ROWS_BUFFER 65536

static const char *const fixed_headers[] = {
	"time_s", "pid", "ppid", "comm", "event", "min_flt", "maj_flt", "rss_kb",
	"phase", "role",
};

static void fail(const struct sampler *s, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", s->o->progname, what, strerror(err));
}

int sampler_output_open(struct sampler *s)
{
	const struct sampler_options *o = s->o;
	int rc;

	if (o->output != NULL) {
		/* Now, before COMMAND runs: a directory, a missing directory or
		 * no permission is told before any work is done. A descriptor
		 * we were started without (`-o /dev/stdout >&-`) is closed,
		 * although /dev/null holds its number meanwhile. */
		int which = outfile_descriptor(o->output);

		if (which >= 0 && which <= 2 && (s->closed_std_fds >> which) & 1) {
			fail(s, o->output, EBADF);
			return -1;
		}
		rc = outfile_open(&s->outfile, o->output);
		if (rc < 0) {
			fail(s, o->output, -rc);
			return -1;
		}
		s->out = s->outfile.f;
	} else if (!o->live) {
		if (s->stdout_closed) {
			/* `>&-`: say so now, before the command runs, rather
			 * than fail to write every row after it. */
			fail(s, "standard output", EBADF);
			return -1;
		}
		s->out = stdout;
	}
	/* Rows come by the thousand: write them in large blocks (a terminal
	 * keeps its line buffering, so rows show as they come). */
	if (s->out != NULL && !isatty(fileno(s->out)))
		setvbuf(s->out, NULL, _IOFBF, ROWS_BUFFER);
	if (o->live && o->live_file != NULL) {
		int fd = open(o->live_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);

		if (fd < 0 || (s->live = fdopen(fd, "w")) == NULL) {
			fail(s, o->live_file, errno);
			if (fd >= 0)
				close(fd);
			sampler_output_close(s, 0);
			return -1;
		}
	} else if (o->live) {
		if (s->stdout_closed) {
			fail(s, "--live: standard output", EBADF);
			sampler_output_close(s, 0);
			return -1;
		}
		s->live = stdout;
		s->live_is_stdout = 1;
	}
	if (o->summary && s->out != stdout && !s->live_is_stdout && s->stdout_closed) {
		fail(s, "--summary: standard output", EBADF);
		sampler_output_close(s, 0);
		return -1;
	}
	return 0;
}

int sampler_output_close(struct sampler *s, int ok)
{
	int rc = 0;

	if (s->live != NULL && !s->live_is_stdout)
		fclose(s->live);
	else if (s->live != NULL)
		fflush(stdout);
	s->live = NULL;
	if (s->out == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fail(s, "writing standard output", errno ? errno : EIO);
			rc = -1;
		}
	} else if (s->out != NULL && !ok) {
		outfile_discard(&s->outfile);
	} else if (s->out != NULL) {
		int err = outfile_commit(&s->outfile);

		if (err != 0) {
			fail(s, s->o->output, -err);
			rc = -1;
		}
	}
	s->out = NULL;
	return rc;
}

/*
 * A row is built in memory and written with one fwrite. At 1 kHz on 100
 * processes that is 100,000 rows a second: printf's parsing of its format
 * and its floating-point conversion of time_s would cost more than the
 * reading of the processes does.
 */
struct row {
	char text[4096];	/* far more than the longest row */
	size_t len;
};

static void row_char(struct row *r, char c)
{
	if (r->len < sizeof r->text)
		r->text[r->len++] = c;
}

static void row_unsigned(struct row *r, unsigned long long v)
{
	char digits[24];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		row_char(r, digits[--n]);
}

static void row_signed(struct row *r, long long v)
{
	if (v < 0) {
		row_char(r, '-');
		row_unsigned(r, -(unsigned long long)v);
	} else {
		row_unsigned(r, (unsigned long long)v);
	}
}

/* Seconds with six decimals, as printf's "%.6f" writes them. */
static void row_seconds(struct row *r, double t)
{
	unsigned long long us = t > 0 ? (unsigned long long)(t * 1e6 + 0.5) : 0;
	unsigned long frac = (unsigned long)(us % 1000000), unit;

	row_unsigned(r, us / 1000000);
	row_char(r, '.');
	for (unit = 100000; unit > 0; unit /= 10)
		row_char(r, (char)('0' + frac / unit % 10));
}

/* One text field; CSV quotes it when needed, TSV keeps it tab-free. */
static void row_text(struct row *r, int csv, const char *text)
{
	const char *p;

	if (csv && strpbrk(text, ",\"\n\r") != NULL) {
		row_char(r, '"');
		for (p = text; *p; p++) {
			if (*p == '"')
				row_char(r, '"');
			row_char(r, *p);
		}
		row_char(r, '"');
		return;
	}
	for (p = text; *p; p++)
		row_char(r, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

void sampler_write_header(struct sampler *s)
{
	char sep = s->o->csv ? ',' : '\t';
	size_t i, k;

	if (s->out == NULL || s->header_written)
		return;
	s->header_written = 1;
	for (i = 0; i < sizeof fixed_headers / sizeof fixed_headers[0]; i++)
		fprintf(s->out, "%s%s", i ? (sep == ',' ? "," : "\t") : "", fixed_headers[i]);
	for (i = 0; i < s->o->ncolumns; i++)
		for (k = 0; k < s->o->columns[i]->ncolumns; k++)
			fprintf(s->out, "%c%s", sep, s->o->columns[i]->headers[k]);
	putc('\n', s->out);
}

void sampler_write_row(struct sampler *s, struct proc_entry *p, enum sampler_event ev, double t)
{
	static long page_kb;
	char sep = s->o->csv ? ',' : '\t';
	int csv = s->o->csv;
	struct row r;
	char buf[64];
	size_t i, k;

	p->emitted_min_flt = p->last.min_flt;
	p->emitted_maj_flt = p->last.maj_flt;
	p->have_emitted = 1;
	if (s->out == NULL)
		return;
	sampler_write_header(s);	/* first row: nothing is written before */
	if (page_kb == 0)
		page_kb = sysconf(_SC_PAGESIZE) / 1024;
	r.len = 0;
	row_seconds(&r, t);
	row_char(&r, sep);
	row_signed(&r, p->id.pid);
	row_char(&r, sep);
	row_signed(&r, p->last.ppid);
	row_char(&r, sep);
	row_text(&r, csv, p->last.comm);
	row_char(&r, sep);
	row_text(&r, 0, sampler_event_name(ev));
	row_char(&r, sep);
	row_unsigned(&r, p->last.min_flt);
	row_char(&r, sep);
	row_unsigned(&r, p->last.maj_flt);
	row_char(&r, sep);
	row_signed(&r, (long long)p->last.rss_pages * page_kb);
	row_char(&r, sep);
	row_text(&r, csv, p->phase);
	row_char(&r, sep);
	row_text(&r, 0, proctable_role(p->depth));
	for (i = 0; i < s->o->ncolumns; i++) {
		const struct sampler_columns *c = s->o->columns[i];

		if (c->update != NULL)
			c->update(c, p, (int)i, ev, t);
		for (k = 0; k < c->ncolumns; k++) {
			c->format(p, (int)i, k, buf, sizeof buf);
			row_char(&r, sep);
			row_text(&r, csv, buf);
		}
	}
	row_char(&r, '\n');
	fwrite(r.text, 1, r.len, s->out);
}

/*
 * text as it may reach a terminal: a process name is whatever the program
 * set (prctl), and an escape sequence in it would be run by the terminal
 * of whoever reads --summary or --live. Control characters (C0, DEL, C1)
 * and bytes that are not UTF-8 become '?'; valid UTF-8 stays.
 */
static const char *term_safe(const char *text, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t o = 0, len, k;
	unsigned cp;

	while (*p && o + 5 < size) {
		len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		      (*p & 0xf8) == 0xf0 ? 4 : 0;
		cp = len == 1 ? *p : len == 2 ? *p & 0x1f : len == 3 ? *p & 0x0f : *p & 0x07;
		for (k = 1; k < len; k++) {
			if ((p[k] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[k] & 0x3f);
		}
		if (len == 0 || k < len || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp < 0xe000)) {
			buf[o++] = '?';
			p++;
			continue;
		}
		memcpy(buf + o, p, len);
		o += len;
		p += len;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- --summary ---- */

struct summary_row {
	const struct proc_entry *p;
	const struct phase_step *step;
};

static int by_time(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;

	if (x->step->time_s != y->step->time_s)
		return x->step->time_s < y->step->time_s ? -1 : 1;
	return x->p->id.pid - y->p->id.pid;
}

int sampler_print_summary(struct sampler *s)
{
	FILE *f = s->out == stdout || s->live_is_stdout ? stderr : stdout;
	struct summary_row *rows;
	size_t i, k, n = 0;
	int err;

	if (f == stdout && s->stdout_closed) {
		fail(s, "--summary: standard output", EBADF);
		return -1;
	}
	for (i = 0; i < s->table.n; i++)
		n += s->table.procs[i]->nsteps;
	rows = calloc(n ? n : 1, sizeof *rows);
	if (rows == NULL)
		return -1;
	n = 0;
	for (i = 0; i < s->table.n; i++)
		for (k = 0; k < s->table.procs[i]->nsteps; k++) {
			rows[n].p = s->table.procs[i];
			rows[n++].step = &s->table.procs[i]->steps[k];
		}
	qsort(rows, n, sizeof *rows, by_time);
	fprintf(f, "\nPage faults per phase (each counted from the previous mark of the same process;\n"
		"the \"exit\" row is the part after its last mark):\n\n");
	fprintf(f, "%-10s %8s  %-16s %-22s %9s %9s %10s\n",
		"role", "pid", "comm", "phase", "min_flt", "maj_flt", "time_s");
	for (i = 0; i < n; i++) {
		char comm[4 * PROCSTAT_COMM_MAX + 8], phase[4 * PROCTABLE_PHASE_MAX + 8];

		fprintf(f, "%-10s %8d  %-16s %-22s %9lu %9lu %10.4f\n",
			proctable_role(rows[i].p->depth), (int)rows[i].p->id.pid,
			term_safe(rows[i].p->last.comm, comm, sizeof comm),
			term_safe(rows[i].step->phase, phase, sizeof phase),
			rows[i].step->d_min_flt, rows[i].step->d_maj_flt, rows[i].step->time_s);
	}
	free(rows);
	fprintf(f, "\nEvents: %s\n", sampler_events_used(s));
	if (s->procevents != NULL)
		fprintf(f, "Lost netlink messages (times a buffer overflowed, one message or more "
			"each): events %lu, exit counters %lu%s\n",
			procevents_lost_events(s->procevents), procevents_lost_counts(s->procevents),
			procevents_lost_events(s->procevents) + procevents_lost_counts(s->procevents)
			? " (see the warnings above)" : "");
	sampler_faults_summary(s, f);	/* --faults: the kinds, reconciled */
	/* A summary that cannot be written (stdout on a full disk) is an
	 * output error like any other: exit status 1, one line. */
	errno = 0;
	if (fflush(f) != 0 || ferror(f)) {
		err = errno ? errno : EIO;
		fail(s, f == stdout ? "--summary: writing standard output" :
		     "--summary: writing standard error", err);
		return -1;
	}
	return 0;
}

/* ---- --live ---- */

/* The step that ended at p's latest mark (not its exit), or NULL. */
static const struct phase_step *last_mark_step(const struct proc_entry *p)
{
	size_t i;

	if (!p->seen_mark)
		return NULL;
	for (i = p->nsteps; i > 0; i--)
		if (strcmp(p->steps[i - 1].phase, "exit") != 0 &&
		    strcmp(p->steps[i - 1].phase, "running") != 0)
			return &p->steps[i - 1];
	return NULL;
}

/* The width of the live table's terminal, or 0 when it is not one. */
static int live_columns(FILE *f)
{
	struct winsize ws;

	if (ioctl(fileno(f), TIOCGWINSZ, &ws) != 0)
		return 0;
	return ws.ws_col;
}

/* The first line: the program's name (not its whole path, which a build
 * directory makes long), the time and the state, cut to the terminal's
 * width so that it never wraps and pushes the table down. */
static void live_title(FILE *f, int cols, const char *command, double t, int final)
{
	const char *slash = strrchr(command, '/');
	char line[320];
	int n;

	if (slash != NULL && slash[1] != '\0')
		command = slash + 1;
	n = snprintf(line, sizeof line, "cowsample: %s   t=%.1f s   %s", command, t,
		     final ? "finished" : "running");
	if (cols > 1 && n >= cols)
		line[cols - 1] = '\0';
	fprintf(f, "%s\033[K\n", line);
}

/* The full table's width without its PHASE column (its widest row,
 * "exited" included); terminals narrower than that plus PHASE get the
 * narrow form, which drops PPID, COMM, MAJ_FLT and +MAJ and fits 80
 * columns when phase names fit 18. PHASE is as wide as the longest phase
 * name shown, at least 16. */
#define LIVE_WIDE_COLUMNS_BUT_PHASE 108
#define LIVE_PHASE_MIN 16

void sampler_live_draw(struct sampler *s, double t, int final)
{
	static long page_kb;
	FILE *f = s->live;
	char name[256];
	size_t i;
	int cols, narrow, phase_w;

	if (f == NULL)
		return;
	if (page_kb == 0)
		page_kb = sysconf(_SC_PAGESIZE) / 1024;
	if (!s->live_started) {
		fputs("\033[H\033[2J", f);	/* clear the screen once */
		s->live_started = 1;
	}
	phase_w = LIVE_PHASE_MIN;
	for (i = 0; i < s->table.n; i++)
		if ((int)strlen(s->table.procs[i]->phase) > phase_w)
			phase_w = (int)strlen(s->table.procs[i]->phase);
	cols = live_columns(f);
	narrow = cols > 0 && cols < LIVE_WIDE_COLUMNS_BUT_PHASE + phase_w;
	fputs("\033[H", f);			/* then redraw in place */
	live_title(f, cols, s->o->command != NULL ? term_safe(s->o->command[0], name, sizeof name) : "attached",
		   t, final);
	if (narrow)
		fprintf(f, "%7s %-10s %-*s %8s %8s %7s %8s %s\033[K\n",
			"PID", "ROLE", phase_w, "PHASE", "MIN_FLT", "STEP_MIN", "+MIN", "RSS_KB", "");
	else
		fprintf(f, "%7s %7s %-10s %-15s %-*s %9s %8s %9s %8s %8s %9s %s\033[K\n",
			"PID", "PPID", "ROLE", "COMM", phase_w, "PHASE", "MIN_FLT", "MAJ_FLT",
			"STEP_MIN", "+MIN", "+MAJ", "RSS_KB", "");
	for (i = 0; i < s->table.n; i++) {
		const struct proc_entry *p = s->table.procs[i];
		unsigned long d_min = p->last.min_flt - p->phase_min_flt;
		unsigned long d_maj = p->last.maj_flt - p->phase_maj_flt;
		const struct phase_step *step = last_mark_step(p);
		char step_text[24] = "-";
		char comm[4 * PROCSTAT_COMM_MAX + 8], phase[4 * PROCTABLE_PHASE_MAX + 8];

		if (p->exited && p->nsteps > 0) {	/* since the mark before its exit */
			d_min = p->steps[p->nsteps - 1].d_min_flt;
			d_maj = p->steps[p->nsteps - 1].d_maj_flt;
		}
		if (step != NULL)
			snprintf(step_text, sizeof step_text, "%lu", step->d_min_flt);
		if (narrow)
			fprintf(f, "%7d %-10s %-*s %8lu %8s %7lu %8ld %s\033[K\n",
				(int)p->id.pid, proctable_role(p->depth), phase_w,
				term_safe(p->phase, phase, sizeof phase),
				p->last.min_flt, step_text, d_min,
				p->last.rss_pages * page_kb, p->exited ? "exited" : "");
		else
			fprintf(f, "%7d %7d %-10s %-15s %-*s %9lu %8lu %9s %8lu %8lu %9ld %s\033[K\n",
				(int)p->id.pid, (int)p->last.ppid, proctable_role(p->depth),
				term_safe(p->last.comm, comm, sizeof comm), phase_w,
				term_safe(p->phase, phase, sizeof phase), p->last.min_flt, p->last.maj_flt, step_text,
				d_min, d_maj, p->last.rss_pages * page_kb, p->exited ? "exited" : "");
	}
	sampler_faults_live(s, f);	/* --faults: the kinds of those steps */
	/* What STEP_MIN counts, and why it can be above the result: line. */
	fputs("STEP_MIN: faults from the process's previous mark to PHASE: the step, and\033[K\n"
	      "what the lab did around it (printing, waiting), so it can be above the\033[K\n"
	      "step's result: line, which counts the step alone.\033[K\n", f);
	fputs(narrow ? "+MIN: faults since PHASE. (Narrow form: a wider pane shows all columns.)\033[K\n\033[J"
		     : "+MIN, +MAJ: faults since that process's last phase mark.\033[K\n\033[J", f);
	fflush(f);
	s->live_drawn_at = t;
	s->live_dirty = 0;
}
