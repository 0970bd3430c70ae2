noinst_PROGRAMS += support/snapshot/snapshot
support_snapshot_snapshot_SOURCES = support/snapshot/snapshot.c

EXTRA_DIST += labs/snapshot.md support/snapshot/expect.tsv
TESTS += tests/snapshot.bats
EXTRA_DIST += tests/snapshot.bats

# make media: the snapshot as memory over time (cowsample --smaps).
MEDIA_SNAPSHOT_ARGS = -n 32768 -u 1024 -c 16
media_snapshot_note = 'snapshot $(MEDIA_SNAPSHOT_ARGS): N pages of 4 KiB; the parent writes U pages after each of C chunks of the save'
MEDIA_TARGETS += media-snapshot
media-snapshot: tools/cowsample support/snapshot/snapshot
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	tools/cowsample --smaps -o $(MEDIA_RUN)/snapshot.tsv -- \
		support/snapshot/snapshot --batch $(MEDIA_SNAPSHOT_ARGS) > $(MEDIA_RUN)/snapshot.out
	$(call media_draw,memory,$(MEDIA_RUN)/snapshot.tsv,snapshot-memory,$(media_snapshot_note))
EXTRA_DIST += media/snapshot-memory.svg media/snapshot-memory.png
