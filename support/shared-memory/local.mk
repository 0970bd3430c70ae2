# support/shared-memory: build rules (see the top Makefile.am)
