# support/mprotect-cow: build rules (see the top Makefile.am)
