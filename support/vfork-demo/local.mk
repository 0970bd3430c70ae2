# support/vfork-demo: build rules (see the top Makefile.am)
