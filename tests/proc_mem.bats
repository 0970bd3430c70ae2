#!/usr/bin/env bats
# The proc-mem lab (labs/proc-mem.md): a forced write through /proc/self/mem
# into a read-only private file mapping copies the page; into a read-only
# shared mapping it is refused. The file never changes.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	PROC_MEM=$(lab_bin proc-mem)
}

# line KIND KEY=VALUE: the line "KIND: ..." of $output holding KEY=VALUE.
line() {
	printf '%s\n' "$output" | grep "^$1: .*$2" | head -n 1
}

@test "proc_mem: a forced write into a private read-only mapping copies the page; the file keeps its byte" {
	run "$PROC_MEM" --batch
	assert_success
	[[ $(line write mapping=private) != *status=ok* ]] &&
		skip "this kernel refuses forced writes: $(line write mapping=private)"
	[[ $(line page 'when=before mapping=private') == *backed_by=file*byte=A ]]
	[[ $(line page 'when=after mapping=private') == *backed_by=anonymous*byte=B ]]
	[[ $(line write mapping=private) == *file_byte=A ]]
	# One fault: the copy, taken by the kernel for the forced write.
	[[ $(line result phase=forced-write-private) == *" minor=1 major=0" ]]
}

@test "proc_mem: a forced write into a shared read-only mapping is refused (EIO) and changes nothing" {
	run "$PROC_MEM" --batch
	assert_success
	[[ $(line write mapping=shared) == *"status=EIO file_byte=A" ]]
	[[ $(line page 'when=after mapping=shared') == *backed_by=file*byte=A ]]
	[[ $(line result phase=forced-write-shared) == *" minor=0 major=0" ]]
}

@test "proc_mem: as root the copy is a new frame; the two mappings share the page-cache frame before" {
	require_root
	run "$PROC_MEM" --batch
	assert_success
	local before after shared
	before=$(line page 'when=before mapping=private' | sed 's/.*pfn=\([^ ]*\).*/\1/')
	after=$(line page 'when=after mapping=private' | sed 's/.*pfn=\([^ ]*\).*/\1/')
	shared=$(line page 'when=before mapping=shared' | sed 's/.*pfn=\([^ ]*\).*/\1/')
	[[ $before == 0x* && $after == 0x* ]] || fail "no frame numbers as root: $output"
	[ "$before" != "$after" ]
	[ "$before" = "$shared" ]
}

@test "proc_mem: as nobody the same, without frame numbers" {
	dir=$(copy_for_nobody "$PROC_MEM")
	run as_nobody "$dir/proc_mem" --batch
	assert_success
	assert_line --partial 'note: frame numbers (pfn=) need root'
	[[ $(line write mapping=shared) == *"status=EIO file_byte=A" ]]
}

@test "proc_mem: --help, and option errors in one line" {
	run "$PROC_MEM" --help
	assert_success
	assert_line --partial 'Usage: proc_mem'
	assert_usage_error "$PROC_MEM" --bogus
	assert_usage_error "$PROC_MEM" extra
}
