#!/usr/bin/env bats
# The proc-mem lab (labs/proc-mem.md): a forced write through /proc/self/mem
# into a read-only private file mapping copies the page; into a read-only
# shared mapping it is refused. The file never changes (rows of
# support/proc-mem/expect.tsv). Here: frame numbers as root, nobody.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	PROC_MEM=$(lab_bin proc-mem)
}

# line KIND KEY=VALUE: the line "KIND: ..." of $output holding KEY=VALUE.
line() {
	printf '%s\n' "$output" | grep "^$1: .*$2" | head -n 1
}

@test "proc_mem: as root the copy is a new frame; the two mappings share the page-cache frame before" {
	require_root
	run "$PROC_MEM" --batch
	assert_success
	local before after shared
	before=$(line page at=private-before | sed 's/.*pfn=\([^ ]*\).*/\1/')
	after=$(line page at=private-after | sed 's/.*pfn=\([^ ]*\).*/\1/')
	shared=$(line page at=shared-before | sed 's/.*pfn=\([^ ]*\).*/\1/')
	[[ $before == 0x* && $after == 0x* ]] || fail "no frame numbers as root: $output"
	[ "$before" != "$after" ]
	[ "$before" = "$shared" ]
}

@test "proc_mem: as nobody the same, without frame numbers" {
	dir=$(copy_for_nobody "$PROC_MEM")
	run as_nobody "$dir/proc_mem" --batch
	assert_success
	assert_line --partial 'note: frame numbers (pfn=) need root'
	[[ $(line write mapping=shared) == *"refused=yes error=EIO file_changed=no" ]]
	[[ $(line page at=private-after) == *"file_backed=no pfn=0 byte=B" ]]
}

@test "proc_mem: --help, and option errors in one line" {
	run "$PROC_MEM" --help
	assert_success
	assert_line --partial 'Usage: proc_mem'
	assert_usage_error "$PROC_MEM" --bogus
	assert_usage_error "$PROC_MEM" extra
}
