# support/mmap-copy: build rules (see the top Makefile.am)
