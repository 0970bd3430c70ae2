/*
 * procevents.c - process events and final counters over netlink (see
 * procevents.h for what and why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include "procevents.h"

/*
 * Receive buffers: every fork, exec and exit of the whole machine comes
 * through, not only ours, and a burst (a build starting 100 compilers)
 * must not overflow them while the sampler writes rows. SO_RCVBUFFORCE
 * (root) sets them for our sockets only; where it is refused, the
 * system's limit for SO_RCVBUF applies and overruns are counted.
 */
#ifndef RCVBUF_BYTES			/* (-D: a small one shows the losses) */
#define RCVBUF_BYTES (16 << 20)
#endif

/*
 * Taskstats records read but not yet matched with their exit message: the
 * most recent ones, oldest overwritten first. A record waits only until
 * the connector's exit message of the same task is read, a few messages
 * later; a record stays unmatched only when that message was lost.
 */
#define PENDING_RECORDS 4096

struct task_record {
	pid_t pid;			/* 0: free or matched */
	unsigned long min_flt, maj_flt;
	char comm[16];
};

struct procevents {
	int cn_fd;			/* the proc connector */
	int ts_fd;			/* taskstats */
	int ts_family;			/* its generic netlink id */
	char cpumask[256];		/* the CPUs registered for */
	unsigned long lost_events, lost_counts;
	struct task_record records[PENDING_RECORDS];
	size_t next_record;
	char buf[65536] __attribute__((aligned(8)));
};

/*
 * Our sockets stay out of the low descriptor numbers: the sampler opens
 * them before the mark pipe that the command inherits, which must get a
 * low one (a shell script writes its marks with >&N, and dash takes no N
 * above 9). Returns the new descriptor (the old one closed), or fd.
 */
#define FIRST_HIGH_FD 64

static int move_high(int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, FIRST_HIGH_FD);

	if (high < 0)
		return fd;
	close(fd);
	return high;
}

static void set_rcvbuf(int fd)
{
	int size = RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

/*
 * Are our PIDs the kernel's? The connector and taskstats speak in the PIDs
 * of the first PID namespace; in another one (a container) they would
 * name other processes. /proc/self/status lists one NSpid per level.
 */
static int in_initial_pid_ns(void)
{
	char line[256], *field, *save;
	FILE *f = fopen("/proc/self/status", "re");
	int levels = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "NSpid:", 6) == 0)
			for (field = strtok_r(line + 6, " \t\n", &save); field != NULL;
			     field = strtok_r(NULL, " \t\n", &save))
				levels++;
	fclose(f);
	return levels <= 1;	/* no NSpid line (old kernels): no namespaces */
}

/* ---- the proc connector ---- */

/* PROC_CN_MCAST_LISTEN or _IGNORE, for this socket alone. */
static int cn_send_op(int fd, enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) msg;

	memset(&msg, 0, sizeof msg);
	msg.nl.nlmsg_len = sizeof msg;
	msg.nl.nlmsg_type = NLMSG_DONE;
	msg.nl.nlmsg_pid = 0;
	msg.cn.id.idx = CN_IDX_PROC;
	msg.cn.id.val = CN_VAL_PROC;
	msg.cn.len = sizeof msg.op;
	msg.op = op;
	return send(fd, &msg, sizeof msg, 0) == (ssize_t)sizeof msg ? 0 : -errno;
}

static int cn_open(int *out)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	int rc;

	if (fd < 0)
		return -errno;
	fd = move_high(fd);
	/* Binding to the group is what needs CAP_NET_ADMIN. */
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	set_rcvbuf(fd);
	rc = cn_send_op(fd, PROC_CN_MCAST_LISTEN);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/* ---- taskstats ---- */

/* One generic netlink request with one string attribute; 0 or -errno. */
static int genl_request(int fd, int family, int cmd, int attr, const char *value, unsigned seq)
{
	struct {
		struct nlmsghdr nl;
		struct genlmsghdr genl;
		char attrs[512];
	} req;
	struct nlattr *a = (struct nlattr *)req.attrs;
	size_t len = strlen(value) + 1;

	if (NLA_HDRLEN + len > sizeof req.attrs)
		return -EINVAL;
	memset(&req, 0, sizeof req);
	req.nl.nlmsg_type = (unsigned short)family;
	req.nl.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nl.nlmsg_seq = seq;
	req.genl.cmd = (unsigned char)cmd;
	req.genl.version = 1;
	a->nla_type = (unsigned short)attr;
	a->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, value, len);
	req.nl.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	return send(fd, &req, req.nl.nlmsg_len, 0) == (ssize_t)req.nl.nlmsg_len ? 0 : -errno;
}

/* The attribute of type `type` among len bytes of attributes, or NULL. */
static const struct nlattr *find_attr(const char *p, size_t len, int type)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			return NULL;
		len -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

#define ATTR_DATA(a) ((const char *)(a) + NLA_HDRLEN)
#define ATTR_LEN(a) ((size_t)(a)->nla_len - NLA_HDRLEN)

/* Keep the record of one exiting task (a TASKSTATS_TYPE_AGGR_PID). */
static void keep_record(struct procevents *pe, const struct nlattr *aggr)
{
	const struct nlattr *pid = find_attr(ATTR_DATA(aggr), ATTR_LEN(aggr), TASKSTATS_TYPE_PID);
	const struct nlattr *st = find_attr(ATTR_DATA(aggr), ATTR_LEN(aggr), TASKSTATS_TYPE_STATS);
	const size_t need = offsetof(struct taskstats, ac_majflt) + sizeof(__u64);
	struct task_record *r;
	struct taskstats ts;

	if (pid == NULL || st == NULL || ATTR_LEN(pid) < sizeof(__u32) || ATTR_LEN(st) < need)
		return;
	/* The kernel's struct may be longer (newer) than ours: its fields
	 * are only ever appended, so ours are at the same offsets. */
	memset(&ts, 0, sizeof ts);
	memcpy(&ts, ATTR_DATA(st), ATTR_LEN(st) < sizeof ts ? ATTR_LEN(st) : sizeof ts);
	r = &pe->records[pe->next_record++ % PENDING_RECORDS];
	memcpy(&r->pid, ATTR_DATA(pid), sizeof r->pid);
	r->min_flt = (unsigned long)ts.ac_minflt;
	r->maj_flt = (unsigned long)ts.ac_majflt;
	snprintf(r->comm, sizeof r->comm, "%.*s", (int)sizeof r->comm - 1, ts.ac_comm);
}

/*
 * Read every taskstats message now queued. With ack_seq != 0, also wait
 * (blocking) for the answer to that request: returns its error (0 or
 * -errno). The per-process (TGID) record of a multi-threaded process
 * holds no fault counters: only the per-task ones are kept.
 */
static int ts_drain(struct procevents *pe, unsigned ack_seq)
{
	for (;;) {
		ssize_t n = recv(pe->ts_fd, pe->buf, sizeof pe->buf, ack_seq ? 0 : MSG_DONTWAIT);
		const struct nlmsghdr *h;
		size_t left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			pe->lost_counts++;
			continue;
		}
		if (n <= 0)
			return ack_seq ? -EIO : 0;
		left = (size_t)n;
		for (h = (const struct nlmsghdr *)pe->buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlattr *aggr;
			size_t len;

			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (ack_seq && h->nlmsg_seq == ack_seq)
					return e->error;
				continue;
			}
			if (h->nlmsg_type != pe->ts_family || h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				continue;
			len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
			aggr = find_attr((const char *)NLMSG_DATA(h) + GENL_HDRLEN, len,
					 TASKSTATS_TYPE_AGGR_PID);
			if (aggr != NULL)
				keep_record(pe, aggr);
		}
	}
}

/* The family id of "TASKSTATS" from the generic netlink controller. */
static int ts_family_id(int fd)
{
	char buf[4096];
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	const struct nlattr *id;
	ssize_t n;
	int rc = genl_request(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME,
			      TASKSTATS_GENL_NAME, 1);

	if (rc < 0)
		return rc;
	do
		n = recv(fd, buf, sizeof buf, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(h, (size_t)n))
		return -EIO;
	if (h->nlmsg_type == NLMSG_ERROR)
		return ((const struct nlmsgerr *)NLMSG_DATA(h))->error ?: -EIO;
	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return -EIO;
	id = find_attr((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
		       h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), CTRL_ATTR_FAMILY_ID);
	if (id == NULL || ATTR_LEN(id) < sizeof(__u16))
		return -ENOENT;
	return *(const __u16 *)ATTR_DATA(id);
}

/* The CPUs that can exist ("0-1"): an exit is reported for the CPU it
 * happens on, and a CPU brought online later must be covered too. */
static int possible_cpus(char *mask, size_t size)
{
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, mask, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	mask[n] = '\0';
	mask[strcspn(mask, "\n")] = '\0';
	return 0;
}

static int ts_open(struct procevents *pe)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), rc;

	if (fd < 0)
		return -errno;
	fd = move_high(fd);
	pe->ts_fd = fd;
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		return -errno;
	set_rcvbuf(fd);
	rc = ts_family_id(fd);
	if (rc < 0)
		return rc;
	pe->ts_family = rc;
	rc = possible_cpus(pe->cpumask, sizeof pe->cpumask);
	if (rc < 0)
		return rc;
	/* Registering needs CAP_NET_ADMIN. */
	rc = genl_request(fd, pe->ts_family, TASKSTATS_CMD_GET,
			  TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, pe->cpumask, 2);
	if (rc == 0)
		rc = ts_drain(pe, 2);
	if (rc < 0)
		return rc;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* ---- the interface ---- */

int procevents_open(struct procevents **out, char *why, size_t why_size)
{
	struct procevents *pe;
	int rc;

	*out = NULL;
	if (!in_initial_pid_ns()) {
		snprintf(why, why_size, "in a PID namespace: the kernel's process ids are not ours");
		return -EXDEV;
	}
	pe = calloc(1, sizeof *pe);
	if (pe == NULL)
		return -ENOMEM;
	pe->cn_fd = pe->ts_fd = -1;
	/* taskstats first: the connector's events then always find their
	 * record listener in place. */
	rc = ts_open(pe);
	if (rc < 0) {
		snprintf(why, why_size, "taskstats: %s", strerror(-rc));
		procevents_close(pe);
		return rc;
	}
	rc = cn_open(&pe->cn_fd);
	if (rc < 0) {
		snprintf(why, why_size, "proc connector: %s", strerror(-rc));
		procevents_close(pe);
		return rc;
	}
	*out = pe;
	return 0;
}

size_t procevents_fds(const struct procevents *pe, int *fds, size_t max)
{
	size_t n = 0;

	if (pe == NULL)
		return 0;
	if (n < max)
		fds[n++] = pe->cn_fd;
	if (n < max)
		fds[n++] = pe->ts_fd;
	return n;
}

/* The newest unmatched record of pid, taken out; NULL if none. */
static const struct task_record *take_record(struct procevents *pe, pid_t pid)
{
	size_t i, n = pe->next_record < PENDING_RECORDS ? pe->next_record : PENDING_RECORDS;

	for (i = 1; i <= n; i++) {
		struct task_record *r = &pe->records[(pe->next_record - i) % PENDING_RECORDS];

		if (r->pid == pid) {
			r->pid = 0;
			return r;
		}
	}
	return NULL;
}

int procevents_next(struct procevents *pe, struct procevent *ev)
{
	for (;;) {
		ssize_t n = recv(pe->cn_fd, pe->buf, sizeof pe->buf, MSG_DONTWAIT);
		const struct nlmsghdr *h = (const struct nlmsghdr *)pe->buf;
		const struct cn_msg *cn;
		struct proc_event event, *e = &event;
		const struct task_record *r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			pe->lost_events++;
			continue;
		}
		if (n <= 0) {
			/* Nothing more: take the records queued meanwhile too,
			 * so that the taskstats socket is not left readable
			 * (a poll on it would return at once, again and again). */
			ts_drain(pe, 0);
			return 0;
		}
		/* The connector sends one event per message. */
		if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_DONE ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof *cn + sizeof *e))
			continue;
		cn = NLMSG_DATA(h);
		if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
			continue;
		/* A copy: in the message it is 4-byte aligned, its type wants 8. */
		memcpy(&event, cn->data, sizeof event);
		memset(ev, 0, sizeof *ev);
		switch (e->what) {
		case PROC_EVENT_FORK:
			ev->kind = PROCEVENT_FORK;
			ev->pid = e->event_data.fork.child_pid;
			ev->tgid = e->event_data.fork.child_tgid;
			ev->parent_tgid = e->event_data.fork.parent_tgid;
			return 1;
		case PROC_EVENT_EXEC:
			ev->kind = PROCEVENT_EXEC;
			ev->pid = e->event_data.exec.process_pid;
			ev->tgid = e->event_data.exec.process_tgid;
			return 1;
		case PROC_EVENT_EXIT:
			ev->kind = PROCEVENT_EXIT;
			ev->pid = e->event_data.exit.process_pid;
			ev->tgid = e->event_data.exit.process_tgid;
			/* Its record was queued before this message: read it. */
			ts_drain(pe, 0);
			r = take_record(pe, ev->pid);
			if (r != NULL) {
				ev->have_counts = 1;
				ev->min_flt = r->min_flt;
				ev->maj_flt = r->maj_flt;
				memcpy(ev->comm, r->comm, sizeof ev->comm);
			}
			return 1;
		default:
			continue;	/* uid, gid, sid, comm, ptrace, coredump, acks */
		}
	}
}

unsigned long procevents_lost_events(const struct procevents *pe)
{
	return pe != NULL ? pe->lost_events : 0;
}

unsigned long procevents_lost_counts(const struct procevents *pe)
{
	return pe != NULL ? pe->lost_counts : 0;
}

void procevents_close(struct procevents *pe)
{
	if (pe == NULL)
		return;
	if (pe->cn_fd >= 0) {
		/* For this socket only (the kernel keeps each socket's state):
		 * another sampler's listening is not touched. */
		cn_send_op(pe->cn_fd, PROC_CN_MCAST_IGNORE);
		close(pe->cn_fd);
	}
	if (pe->ts_fd >= 0) {
		if (pe->ts_family > 0)
			genl_request(pe->ts_fd, pe->ts_family, TASKSTATS_CMD_GET,
				     TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, pe->cpumask, 3);
		close(pe->ts_fd);
	}
	free(pe);
}
