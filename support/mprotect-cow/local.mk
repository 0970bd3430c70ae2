# support/mprotect-cow: mprotect and munmap on copy-on-write pages (see the top Makefile.am)
noinst_PROGRAMS += support/mprotect-cow/mprotect_cow
support_mprotect_cow_mprotect_cow_SOURCES = support/mprotect-cow/mprotect_cow.c
TESTS += tests/mprotect_cow.bats
EXTRA_DIST += tests/mprotect_cow.bats labs/mprotect-cow.md
