noinst_PROGRAMS += support/user-cow/user_cow support/user-cow/cowtest
support_user_cow_user_cow_SOURCES = support/user-cow/user_cow.c \
	support/user-cow/uvm.c support/user-cow/uvm.h
support_user_cow_cowtest_SOURCES = support/user-cow/cowtest.c \
	support/user-cow/uvm.c support/user-cow/uvm.h

EXTRA_DIST += labs/user-cow.md
TESTS += tests/user_cow.bats
EXTRA_DIST += tests/user_cow.bats
