noinst_PROGRAMS += support/snapshot/snapshot
support_snapshot_snapshot_SOURCES = support/snapshot/snapshot.c

EXTRA_DIST += labs/snapshot.md support/snapshot/expect.tsv
TESTS += tests/snapshot.bats
EXTRA_DIST += tests/snapshot.bats

# make media: the snapshot as memory over time (cowsample --smaps), and the
# snapshot at three write rates (tests/media_sweep.bats reads these lines).
MEDIA_SNAPSHOT_PAGES = 32768
MEDIA_SNAPSHOT_CHUNKS = 16
MEDIA_SNAPSHOT_RATES = 256 512 1024
MEDIA_SNAPSHOT_ARGS = -n $(MEDIA_SNAPSHOT_PAGES) -u $(lastword $(MEDIA_SNAPSHOT_RATES)) -c $(MEDIA_SNAPSHOT_CHUNKS)
media_snapshot_note = 'snapshot $(MEDIA_SNAPSHOT_ARGS): N pages of 4 KiB; the parent writes U pages after each of C chunks of the save'
MEDIA_TARGETS += media-snapshot
media-snapshot: tools/cowsample support/snapshot/snapshot
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	tools/cowsample --smaps -o $(MEDIA_RUN)/snapshot.tsv -- \
		support/snapshot/snapshot --batch $(MEDIA_SNAPSHOT_ARGS) > $(MEDIA_RUN)/snapshot.out
	$(call media_draw,memory,$(MEDIA_RUN)/snapshot.tsv,snapshot-memory,$(media_snapshot_note))
EXTRA_DIST += media/snapshot-memory.svg media/snapshot-memory.png

# The snapshot at each write rate: its memory: lines, one per chunk
# (tools/media-sweep), drawn with cowplot snapshot: the copy-on-write
# memory (the saver's Private_Dirty) through the save, and RSS beside it.
media_snapshot_rates_note = 'snapshot -n $(MEDIA_SNAPSHOT_PAGES) -c $(MEDIA_SNAPSHOT_CHUNKS) -u U for U = $(MEDIA_SNAPSHOT_RATES): the parent writes U pages after each of C chunks of the save'
MEDIA_TARGETS += media-snapshot-rates
media-snapshot-rates: support/snapshot/snapshot
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(srcdir)/tools/media-sweep snapshot --builddir . -o $(MEDIA_RUN)/snapshot-rates.tsv \
		-n $(MEDIA_SNAPSHOT_PAGES) -c $(MEDIA_SNAPSHOT_CHUNKS) $(MEDIA_SNAPSHOT_RATES)
	$(call media_draw,snapshot,$(MEDIA_RUN)/snapshot-rates.tsv,snapshot-rates,$(media_snapshot_rates_note))
	$(call media_keep,$(MEDIA_RUN)/snapshot-rates.tsv,snapshot-rates)
EXTRA_DIST += media/snapshot-rates.svg media/snapshot-rates.png media/snapshot-rates.tsv
