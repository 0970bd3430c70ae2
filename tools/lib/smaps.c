/*
 * smaps.c - read /proc/PID/smaps_rollup (see smaps.h).
 *
 * Format: a header line "ADDR-ADDR ---p 00000000 00:00 0  [rollup]", then
 * one "Key:   value kB" line per counter, summed over all mappings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smaps.h"

struct rollup_key {
	const char *name;
	size_t offset;
};

static const struct rollup_key rollup_keys[] = {
	{ "Rss:", offsetof(struct smaps_rollup, rss_kb) },
	{ "Pss:", offsetof(struct smaps_rollup, pss_kb) },
	{ "Shared_Clean:", offsetof(struct smaps_rollup, shared_clean_kb) },
	{ "Shared_Dirty:", offsetof(struct smaps_rollup, shared_dirty_kb) },
	{ "Private_Clean:", offsetof(struct smaps_rollup, private_clean_kb) },
	{ "Private_Dirty:", offsetof(struct smaps_rollup, private_dirty_kb) },
	{ "Anonymous:", offsetof(struct smaps_rollup, anonymous_kb) },
};

/* Parse "   1234 kB" at p (before end) into *value. */
static int parse_kb(const char *p, const char *end, unsigned long *value)
{
	unsigned long v = 0;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (unsigned long)(*p++ - '0');
	*value = v;
	return 0;
}

int smaps_rollup_parse(const char *text, size_t len, struct smaps_rollup *out)
{
	const char *p = text, *end = text + len;
	int found = 0;

	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t i;

		if (eol == NULL)
			eol = end;
		for (i = 0; i < sizeof rollup_keys / sizeof rollup_keys[0]; i++) {
			size_t klen = strlen(rollup_keys[i].name);
			unsigned long *field = (unsigned long *)
				((char *)out + rollup_keys[i].offset);

			if ((size_t)(eol - p) > klen && memcmp(p, rollup_keys[i].name, klen) == 0 &&
			    parse_kb(p + klen, eol, field) == 0) {
				found |= 1 << i;
				break;
			}
		}
		p = eol + 1;
	}
	/* Rss and Pss are always there in a real file. */
	return (found & 3) == 3 ? 0 : -EINVAL;
}

int smaps_rollup_read(pid_t pid, struct smaps_rollup *out)
{
	char path[64], buf[4096];
	ssize_t n = 0;
	size_t len = 0;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof buf - 1 &&
	       (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	if (len == 0 && n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	if (len == 0) {		/* no memory: a zombie, or a kernel thread */
		memset(out, 0, sizeof *out);
		return -ESRCH;
	}
	return smaps_rollup_parse(buf, len, out);
}
