#!/usr/bin/env bats
# cowmap --svg: the copy-on-write diagram is valid, renders, and shows
# exactly the counts that the diff measured.

bats_require_minimum_version 1.5.0
load test_helper
load cowmap_helper

PROGS=$BUILDDIR/tests/progs

teardown() {
	stop_subject
}

# Pages drawn in blocks of class CLASS (sum of their data-pages).
drawn() {
	xmllint --xpath "sum(//*[local-name()='rect'][@class='$2']/@data-pages)" "$1"
}

@test "cowmap --svg: valid, renders, colour counts match the diff, deterministic" {
	require_root
	start_cowpages "$PROGS/cowpages" 1024 300
	svg=$BATS_TEST_TMPDIR/fork.svg
	run "$COWMAP" --diff --map "$ADDR" --svg "$svg" --when "right after fork()" "$PARENT" "$CHILD"
	assert_success
	xmllint --noout "$svg"
	[ "$(drawn "$svg" 'frame shared')" -eq 1024 ]
	[ "$(drawn "$svg" 'frame copied child')" -eq 0 ]
	grep -q "Copy-on-write: parent $PARENT and child $CHILD<" "$svg"
	grep -q ">right after fork()<" "$svg"

	step
	run "$COWMAP" --diff --map "$ADDR" --svg "$svg" "$PARENT" "$CHILD"
	assert_success
	xmllint --noout "$svg"
	[ "$(drawn "$svg" 'frame shared')" -eq "$(diff_count shared)" ]
	[ "$(drawn "$svg" 'frame copied child')" -eq "$(diff_count copied)" ]
	[ "$(drawn "$svg" 'frame copied parent')" -eq "$(diff_count copied)" ]
	[ "$(diff_count copied)" -eq 300 ]
	rsvg-convert "$svg" -o "$BATS_TEST_TMPDIR/fork.png"
	[ -s "$BATS_TEST_TMPDIR/fork.png" ]

	"$COWMAP" --diff --map "$ADDR" --svg "$BATS_TEST_TMPDIR/again.svg" "$PARENT" "$CHILD"
	cmp "$svg" "$BATS_TEST_TMPDIR/again.svg"
}

@test "cowmap --svg: many runs are drawn as a readable number of blocks" {
	require_root
	# Every 3rd page written: about N/3 runs of each state.
	start_cowpages "$PROGS/cowpages" 3000 1000 3
	step
	svg=$BATS_TEST_TMPDIR/many.svg
	run "$COWMAP" --diff --map "$ADDR" --svg "$svg" "$PARENT" "$CHILD"
	assert_success
	xmllint --noout "$svg"
	[ "$(diff_count copied)" -eq 1000 ]
	[ "$(drawn "$svg" 'frame copied child')" -eq 1000 ]
	[ "$(drawn "$svg" 'frame shared')" -eq 2000 ]
	blocks=$(xmllint --xpath "count(//*[local-name()='rect'][starts-with(@class, 'frame')])" "$svg")
	[ "$blocks" -le 40 ]
}

@test "cowmap --svg: an unwritable output leaves nothing behind" {
	require_root
	start_cowpages "$PROGS/cowpages" 16 0
	run --separate-stderr "$COWMAP" --diff --svg "$BATS_TEST_TMPDIR/no/such/dir/x.svg" "$PARENT" "$CHILD"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "cowmap: $BATS_TEST_TMPDIR/no/such/dir/x.svg: No such file or directory" ]]
	[ ! -e "$BATS_TEST_TMPDIR/no" ]
}

@test "cowmap-media: both figures from a real fork_faults run, counts from its parameters" {
	require_root
	out=$BATS_TEST_TMPDIR/media
	run "$SRCDIR/tools/cowmap-media" --builddir "$BUILDDIR" --outdir "$out" -n 64 -w 16
	assert_success
	for f in copy-on-write-initial copy-on-write-final; do
		xmllint --noout "$out/$f.svg"
		[ -s "$out/$f.png" ]
	done
	[ "$(drawn "$out/copy-on-write-initial.svg" 'frame shared')" -eq 64 ]
	[ "$(drawn "$out/copy-on-write-initial.svg" 'frame copied child')" -eq 0 ]
	[ "$(drawn "$out/copy-on-write-final.svg" 'frame shared')" -eq 48 ]
	[ "$(drawn "$out/copy-on-write-final.svg" 'frame copied child')" -eq 16 ]
	grep -q 'right after fork()' "$out/copy-on-write-initial.svg"
	grep -q 'after the child wrote 16 of 64 pages' "$out/copy-on-write-final.svg"
}
