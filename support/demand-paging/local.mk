# support/demand-paging: the demand-paging lab (see the top Makefile.am)
noinst_PROGRAMS += support/demand-paging/demand_paging
support_demand_paging_demand_paging_SOURCES = support/demand-paging/demand_paging.c
TESTS += tests/demand_paging.bats
EXTRA_DIST += tests/demand_paging.bats labs/demand-paging.md
