# tools/lib: build rules (see the top Makefile.am)
