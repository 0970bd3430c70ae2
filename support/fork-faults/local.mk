# support/fork-faults: build rules (see the top Makefile.am)
