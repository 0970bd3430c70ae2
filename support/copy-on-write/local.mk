# support/copy-on-write: the copy-on-write lab (see labs/copy-on-write.md).
# Lab programs are standalone: they include support/cowlab.h and link
# nothing of tools/lib.
noinst_PROGRAMS += support/copy-on-write/fork_faults
support_copy_on_write_fork_faults_SOURCES = support/copy-on-write/fork_faults.c

EXTRA_DIST += labs/copy-on-write.md
TESTS += tests/fork_faults.bats
EXTRA_DIST += tests/fork_faults.bats
