# tools/expect.mk: the expectation tables of the labs (support/ID/expect.tsv),
# the one slack policy (labs/slack.tsv), their reader cowlab-expect and its
# awk core, and the driver that checks every row on the running kernel.
dist_noinst_SCRIPTS += tools/cowlab-expect
EXTRA_DIST += tools/expect.awk labs/slack.tsv \
	support/demand-paging/expect.tsv support/copy-on-write/expect.tsv \
	support/shared-vs-private/expect.tsv support/vfork/expect.tsv \
	support/clone/expect.tsv support/mprotect-cow/expect.tsv \
	support/mmap-copy/expect.tsv support/fork-cost/expect.tsv

# Does this kernel map the shared zero page? (the requirements zero-page and
# no-zero-page of the tables)
noinst_PROGRAMS += tools/zero_page
tools_zero_page_SOURCES = tools/zero_page.c

# The driver: every scenario of every table once, one TAP test per row.
TESTS += tests/expect.sh tests/cowlab_expect.bats
EXTRA_DIST += tests/expect.sh tests/cowlab_expect.bats
