#!/usr/bin/env bats
# Graded: mmap_copy (labs/mmap-copy.md), 10 points. The copies are compared
# with cmp; how DST was sized and mapped is read from strace.
load grade_helper

setup() {
	MMAP_COPY=$GRADE_TREE/mmap-copy/mmap_copy
	require_built "$MMAP_COPY"
	DIR=$(new_scratch "mmap_copy-$BATS_TEST_NUMBER")
	TRACE_LOG=$(grader_dir "mmap_copy-$BATS_TEST_NUMBER")/strace.log	# out of the student's reach
	cd "$DIR" || fail "no scratch directory"
}

# make_file NAME BYTES: BYTES random bytes, owned by the student's user.
# Whatever an earlier run left under NAME (a link, a FIFO) is removed first,
# and the file is created new (noclobber: O_EXCL).
make_file() {
	rm -rf -- "$1"
	(set -C; head -c "$2" /dev/urandom >"$1")
	[ -z "${GRADE_UID:-}" ] || chown "$GRADE_UID:$GRADE_UID" "$1"
}

# assert_refused SRC DST WHAT: a refusal as the lab asks for it: non-zero
# exit, one line on stderr, SRC as it was, nothing opened for writing, and
# SRC looked at first (so a program that refuses everything gets nothing).
assert_refused() {
	local src=$1 dst=$2 what=$3 before="" after=""
	before=$(checksum_of "$src")
	trace_student "$TRACE_LOG" "$MMAP_COPY" "$src" "$dst"
	[ "$status" -ne 0 ] || fail "$what: exit status 0, expected a refusal"
	[ "$status" -ne 124 ] && [ "$status" -lt 128 ] || fail "$what: $(status_text "$status")"
	[ -n "$stderr" ] && [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] ||
		fail "$what: expected one line on stderr, got: $stderr"
	after=$(checksum_of "$src")
	[ "$before" = "$after" ] || fail "$what: SRC changed"
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" "$src" src_opened)" = 1 ] ||
		fail "$what: SRC was never opened (refused without looking at it)"
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" "$src" opened_to_write)" = 0 ] ||
		fail "$what: a file was opened for writing before the refusal"
}

@test "mmap_copy: copies files byte for byte: 1, 4095, 4097 and 1 MiB + 1 bytes (2 points)" {
	local size
	for size in 1 4095 4097 $((1024 * 1024 + 1)); do
		make_file "src-$size" "$size"
		run_student "$MMAP_COPY" "src-$size" "dst-$size"
		[ "$status" -eq 0 ] || fail "$size bytes: $(status_text "$status"): $stderr"
		same_bytes "src-$size" "dst-$size" || fail "$size bytes: the copy differs from SRC"
	done
}

@test "mmap_copy: an empty SRC gives an empty DST (1 point)" {
	make_file empty 0
	run_student "$MMAP_COPY" empty copy
	[ "$status" -eq 0 ] || fail "$(status_text "$status"): $stderr"
	[ -f copy ] && [ ! -s copy ] || fail "DST is not an empty file"
}

@test "mmap_copy: refuses to copy a file onto itself: same name, hard link, symlink (2 points)" {
	make_file src 10000
	ln src hardlink
	ln -s src symlink
	assert_refused src src "the same name"
	assert_refused src hardlink "a hard link to SRC"
	assert_refused src symlink "a symlink to SRC"
}

@test "mmap_copy: refuses a missing SRC and a directory, and creates no DST (1 point)" {
	mkdir adir
	[ -z "${GRADE_UID:-}" ] || chown "$GRADE_UID:$GRADE_UID" adir
	assert_refused missing copy1 "a missing SRC"
	[ ! -e copy1 ] || fail "a missing SRC: DST was created"
	assert_refused adir copy2 "a directory as SRC"
	[ ! -e copy2 ] || fail "a directory as SRC: DST was created"
}

# trace_a_copy: strace a copy of 1 MiB + 1 bytes; DST must have been mapped.
trace_a_copy() {
	make_file src $((1024 * 1024 + 1))
	trace_student "$TRACE_LOG" "$MMAP_COPY" src dst
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_mapped)" = 1 ] ||
		fail "DST (a file opened for writing) was never mapped writable"
}

@test "mmap_copy: maps DST with MAP_SHARED, so the stores reach the file (2 points)" {
	trace_a_copy
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_shared)" = 1 ] ||
		fail "DST was mapped without MAP_SHARED: the stores never reach the file"
}

@test "mmap_copy: makes DST long enough (ftruncate) before mapping it (2 points)" {
	trace_a_copy
	[ "$(strace_fact "$TRACE_LOG" "$MMAP_COPY" src dst_sized)" = 1 ] ||
		fail "DST was mapped before ftruncate made it long enough (SIGBUS beyond its end)"
}
