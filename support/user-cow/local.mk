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
	@$(AWK) -F '\t' 'NR > 1 { ns[$$1, $$2] = $$4 } \
		END { printf "user-cow/kernel: cow-copy %.1fx, reuse %.1fx\n", \
			ns["user-cow", "cow-copy"] / ns["kernel", "cow-copy"], \
			ns["user-cow", "reuse"] / ns["kernel", "reuse"] }' bench-usercow.tsv

check_PROGRAMS += tests/progs/usercow_pair
tests_progs_usercow_pair_SOURCES = tests/progs/usercow_pair.c support/user-cow/uvm.c support/user-cow/uvm.h
