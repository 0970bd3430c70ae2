# support/demand-paging: build rules (see the top Makefile.am)
