# support/shared-vs-private: the shared-vs-private mappings lab (see the top Makefile.am)
noinst_PROGRAMS += support/shared-vs-private/shared_vs_private
support_shared_vs_private_shared_vs_private_SOURCES = support/shared-vs-private/shared_vs_private.c
TESTS += tests/shared_vs_private.bats
EXTRA_DIST += tests/shared_vs_private.bats labs/shared-vs-private.md
