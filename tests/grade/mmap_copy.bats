#!/usr/bin/env bats
# Graded: mmap_copy (labs/mmap-copy.md), 12 points. Each check is a graded row
# of support/mmap-copy/expect.tsv (name, points and bounds come from there;
# tools/cowlab-expect graded lists them). Its counters are measured here:
# the copies are compared byte by byte (never through a link); how DST was
# sized and mapped is read from strace, whose log lies out of the student's
# reach. Each measure prints 1 or 0 (and why, on stderr).
load grade_helper

setup() {
	MMAP_COPY=$GRADE_TREE/mmap-copy/mmap_copy
	require_built "$MMAP_COPY"
	DIR=$(new_scratch "mmap_copy-$BATS_TEST_NUMBER")
	TRACE_LOG=$(grader_dir "mmap_copy-$BATS_TEST_NUMBER")/strace.log	# out of the student's reach
	cd "$DIR" || fail "no scratch directory"
}

# no WHY: say why a measure is 0 (on stderr, shown with the failed check).
no() {
	echo "$*" >&2
	return 1
}

# make_file NAME BYTES: BYTES random bytes, owned by the student's user.
# Whatever an earlier run left under NAME (a link, a FIFO) is removed first,
# and the file is created new (noclobber: O_EXCL).
make_file() {
	rm -rf -- "$1"
	(set -C; head -c "$2" /dev/urandom >"$1")
	[ -z "${GRADE_UID:-}" ] || chown "$GRADE_UID:$GRADE_UID" "$1"
}

# refused SRC DST WHAT: a refusal as the lab asks for it: non-zero exit,
# one line on stderr, SRC as it was, nothing opened for writing, and SRC
# looked at first (so a program that refuses everything gets nothing).
# Returns 1, saying why, when it is not.
refused() {
	local src=$1 dst=$2 what=$3 before="" after=""
	before=$(checksum_of "$src")
	trace_student "$TRACE_LOG" "$MMAP_COPY" "$src" "$dst"
	[ "$status" -ne 0 ] || { no "$what: exit status 0, expected a refusal"; return 1; }
	[ "$status" -ne 124 ] && [ "$status" -lt 128 ] || { no "$what: $(status_text "$status")"; return 1; }
	[ -n "$stderr" ] && [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
		{ no "$what: expected one line on stderr, got: $stderr"; return 1; }
	after=$(checksum_of "$src")
	[ "$before" = "$after" ] || { no "$what: SRC changed"; return 1; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" "$src" src_opened)" = 1 ] ||
		{ no "$what: SRC was never opened (refused without looking at it)"; return 1; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" "$src" opened_to_write)" = 0 ] ||
		{ no "$what: a file was opened for writing before the refusal"; return 1; }
}


# measure_identical: copies of 1, 4095, 4097 and 1 MiB + 1 bytes are
# byte-identical.
measure_identical() {
	local size
	for size in 1 4095 4097 $((1024 * 1024 + 1)); do
		make_file "src-$size" "$size"
		run_student "$MMAP_COPY" "src-$size" "dst-$size"
		[ "$status" -eq 0 ] || { no "$size bytes: $(status_text "$status"): $stderr"; echo 0; return; }
		same_bytes "src-$size" "dst-$size" || { no "$size bytes: the copy differs from SRC"; echo 0; return; }
	done
	echo 1
}

# measure_empty_copy: an empty SRC gives an empty DST.
measure_empty_copy() {
	make_file empty 0
	run_student "$MMAP_COPY" empty copy
	[ "$status" -eq 0 ] || { no "$(status_text "$status"): $stderr"; echo 0; return; }
	[ -f copy ] && [ ! -s copy ] || { no "DST is not an empty file"; echo 0; return; }
	echo 1
}

# measure_refuses_same_file: the same file by its name, a hard link, a symlink.
measure_refuses_same_file() {
	make_file src 10000
	ln src hardlink
	ln -s src symlink
	refused src src "the same name" && refused src hardlink "a hard link to SRC" &&
		refused src symlink "a symlink to SRC" && echo 1 || echo 0
}

# measure_refuses_bad_source: a missing SRC and a directory, and no DST made.
measure_refuses_bad_source() {
	mkdir adir
	[ -z "${GRADE_UID:-}" ] || chown "$GRADE_UID:$GRADE_UID" adir
	refused missing copy1 "a missing SRC" || { echo 0; return; }
	[ ! -e copy1 ] || { no "a missing SRC: DST was created"; echo 0; return; }
	refused adir copy2 "a directory as SRC" || { echo 0; return; }
	[ ! -e copy2 ] || { no "a directory as SRC: DST was created"; echo 0; return; }
	echo 1
}

# trace_a_copy: strace a copy of 1 MiB + 1 bytes; DST must have been mapped
# (returns 1, saying so, when it was not).
trace_a_copy() {
	make_file src $((1024 * 1024 + 1))
	trace_student "$TRACE_LOG" "$MMAP_COPY" src dst
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_mapped)" = 1 ] ||
		no "DST (a file opened for writing) was never mapped writable"
}

# measure_dst_shared: DST is mapped MAP_SHARED, so the stores reach the file.
measure_dst_shared() {
	trace_a_copy || { echo 0; return; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_shared)" = 1 ] ||
		{ no "DST was mapped without MAP_SHARED: the stores never reach the file"; echo 0; return; }
	echo 1
}

# measure_dst_sized: DST is long enough (ftruncate) before it is mapped.
measure_dst_sized() {
	trace_a_copy || { echo 0; return; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_sized)" = 1 ] ||
		{ no "DST was mapped before ftruncate made it long enough (SIGBUS beyond its end)"; echo 0; return; }
	echo 1
}

# measure_released: step 8 (TODO 8): DST's mapping msync'd with MS_SYNC,
# then both mappings unmapped. (close is the kit's code, not graded.)
measure_released() {
	trace_a_copy || { echo 0; return; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_synced)" = 1 ] ||
		{ no "DST's mapping was not msync'd (MS_SYNC, all of it) before munmap: the copy may not be on disk"; echo 0; return; }
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src unmapped)" = 1 ] ||
		{ no "a mapping of SRC or DST was never unmapped (munmap)"; echo 0; return; }
	echo 1
}

@test "mmap-copy/identical: mmap_copy copies files byte for byte: 1, 4095, 4097 and 1 MiB + 1 bytes. (2 points)" {
	grade_row mmap-copy/identical
}

@test "mmap-copy/empty: An empty SRC gives an empty DST. (1 point)" {
	grade_row mmap-copy/empty
}

@test "mmap-copy/same-file: mmap_copy refuses to copy a file onto itself: same name, hard link, symlink. (2 points)" {
	grade_row mmap-copy/same-file
}

@test "mmap-copy/bad-source: mmap_copy refuses a missing SRC and a directory, and creates no DST. (1 point)" {
	grade_row mmap-copy/bad-source
}

@test "mmap-copy/dst-shared: mmap_copy maps DST with MAP_SHARED, so the stores reach the file. (2 points)" {
	grade_row mmap-copy/dst-shared
}

@test "mmap-copy/dst-sized: mmap_copy makes DST long enough (ftruncate) before mapping it. (2 points)" {
	grade_row mmap-copy/dst-sized
}

@test "mmap-copy/released: mmap_copy msyncs DST's mapping (MS_SYNC) and then unmaps both mappings (step 8). (2 points)" {
	grade_row mmap-copy/released
}
