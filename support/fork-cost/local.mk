# support/fork-cost: build rules (see the top Makefile.am)
