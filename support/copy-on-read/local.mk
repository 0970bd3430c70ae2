noinst_PROGRAMS += support/copy-on-read/copy_on_read
support_copy_on_read_copy_on_read_SOURCES = support/copy-on-read/copy_on_read.c

EXTRA_DIST += labs/copy-on-read.md support/copy-on-read/expect.tsv
TESTS += tests/copy_on_read.bats
EXTRA_DIST += tests/copy_on_read.bats
