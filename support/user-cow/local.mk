noinst_PROGRAMS += support/user-cow/user_cow support/user-cow/cowtest
support_user_cow_user_cow_SOURCES = support/user-cow/user_cow.c \
	support/user-cow/uvm.c support/user-cow/uvm.h
support_user_cow_cowtest_SOURCES = support/user-cow/cowtest.c \
	support/user-cow/cowtest_vm.c support/user-cow/cowtest.h \
	support/user-cow/uvm.c support/user-cow/uvm.h

EXTRA_DIST += labs/user-cow.md support/user-cow/expect.tsv
TESTS += tests/user_cow.bats
EXTRA_DIST += tests/user_cow.bats

# make bench: one copy-on-write fault in the kernel against one in uvm.c.
noinst_PROGRAMS += tools/usercow_bench
tools_usercow_bench_SOURCES = tools/usercow_bench.c support/user-cow/uvm.c support/user-cow/uvm.h
BENCH_TARGETS += bench-usercow
CLEANFILES += bench-usercow.tsv
bench-usercow: tools/usercow_bench
	@echo "== user-cow: ns per fault, the kernel's copy-on-write against uvm.c's (median of 7 rounds)"
	@tools/usercow_bench -n 4096 -r 7 >bench-usercow.tsv
	@cat bench-usercow.tsv
	@$(AWK) -F '\t' 'NR > 1 && $$1 == "user-cow" { r[$$2] = $$7 } \
		END { printf "user-cow/kernel (median of the rounds'"'"' ratios): cow-copy %.1fx, reuse %.1fx\n", \
			r["cow-copy"], r["reuse"] }' bench-usercow.tsv

check_PROGRAMS += tests/progs/usercow_pair
tests_progs_usercow_pair_SOURCES = tests/progs/usercow_pair.c support/user-cow/uvm.c support/user-cow/uvm.h

# make media: the same benchmark, drawn (cowplot faultcost: one bar per
# manager and fault) and kept as media/usercow-cost.tsv, whose ratio column
# labs/user-cow.md quotes.
MEDIA_USERCOW_PAGES = 4096
MEDIA_USERCOW_ROUNDS = 15
MEDIA_TARGETS += media-usercow
media_usercow_note = 'usercow_bench -n $(MEDIA_USERCOW_PAGES) -r $(MEDIA_USERCOW_ROUNDS): medians of the rounds$(media_timing_note)'
media-usercow: tools/usercow_bench
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(MEDIA_TIMING_PREFIX) tools/usercow_bench -n $(MEDIA_USERCOW_PAGES) -r $(MEDIA_USERCOW_ROUNDS) \
		> $(MEDIA_RUN)/usercow-cost.tsv
	$(call media_draw,faultcost --title 'One copy-on-write fault: the kernel against uvm.c (user space)',$(MEDIA_RUN)/usercow-cost.tsv,usercow-cost,$(media_usercow_note))
	$(call media_keep,$(MEDIA_RUN)/usercow-cost.tsv,usercow-cost)
.PHONY: media-usercow
EXTRA_DIST += media/usercow-cost.tsv media/usercow-cost.svg media/usercow-cost.png
