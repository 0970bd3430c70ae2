# tools/lib: /proc/PID/maps, /proc/PID/pagemap, PAGEMAP_SCAN, kpagecount,
# kpageflags (pagemap.c), parent/child comparison (pagediff.c) and the
# copy-on-write diagram (cowsvg.c).
tools_lib_libcowlab_a_SOURCES += \
	tools/lib/pagemap.c tools/lib/pagemap.h \
	tools/lib/pagediff.c tools/lib/pagediff.h \
	tools/lib/cowsvg.c tools/lib/cowsvg.h
