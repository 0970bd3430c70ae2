# support/clone-demo: build rules (see the top Makefile.am)
