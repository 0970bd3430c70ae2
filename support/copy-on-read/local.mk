noinst_PROGRAMS += support/copy-on-read/copy_on_read
support_copy_on_read_copy_on_read_SOURCES = support/copy-on-read/copy_on_read.c

EXTRA_DIST += labs/copy-on-read.md support/copy-on-read/expect.tsv
TESTS += tests/copy_on_read.bats
EXTRA_DIST += tests/copy_on_read.bats

# make media: copied pages against objects read, both layouts: the lab run
# once per number of objects M (tools/media-sweep), S bytes per object (a
# multiple of 8; tests/media_sweep.bats reads these lines).
MEDIA_COPY_ON_READ_SIZE = 128
MEDIA_COPY_ON_READ_OBJECTS = 8192 16384 24576 32768 40960 49152 57344 65536
media_copy_on_read_note = 'copy_on_read -m M -s $(MEDIA_COPY_ON_READ_SIZE): one run per M; objects of $(MEDIA_COPY_ON_READ_SIZE) bytes'
MEDIA_TARGETS += media-copy-on-read
media-copy-on-read: support/copy-on-read/copy_on_read
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(srcdir)/tools/media-sweep copy-on-read --builddir . -o $(MEDIA_RUN)/copy-on-read.tsv \
		-s $(MEDIA_COPY_ON_READ_SIZE) $(MEDIA_COPY_ON_READ_OBJECTS)
	$(call media_draw,copyread,$(MEDIA_RUN)/copy-on-read.tsv,copy-on-read,$(media_copy_on_read_note))
	$(call media_keep,$(MEDIA_RUN)/copy-on-read.tsv,copy-on-read)
EXTRA_DIST += media/copy-on-read.svg media/copy-on-read.png media/copy-on-read.tsv

# Python's reference counts (labs/copy-on-read.md, "Try it in Python"); the
# test runs it where python3 is installed.
dist_noinst_SCRIPTS += support/copy-on-read/refcounts.py
