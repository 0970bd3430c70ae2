noinst_PROGRAMS += support/fork-flags/fork_flags
support_fork_flags_fork_flags_SOURCES = support/fork-flags/fork_flags.c

EXTRA_DIST += labs/fork-flags.md support/fork-flags/expect.tsv
TESTS += tests/fork_flags.bats
EXTRA_DIST += tests/fork_flags.bats
