#!/usr/bin/env bats
# cowsample --pagemap and --snapshot-dir: page-map counts per process, and
# per-page pictures taken at the phase marks. The subject is faulter -W:
# the parent writes N pages, forks, and the child writes the first K of
# them (copy-on-write), with marks child-begin (before) and child-wrote
# (after). Counts inside the buffer are exact (4 KiB pages only); counts
# of the whole anonymous memory get the PROCESS slack for the program's own pages.

load test_helper
bats_require_minimum_version 1.5.0

FAULTER=$BUILDDIR/tests/progs/faulter
N=400
K=150

# snapshot_file DIR PHASE ROLE: the file of ROLE's picture at PHASE
snapshot_file() {
	awk -F'\t' -v phase="$2" -v role="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["phase"] == phase && $h["role"] == role { print $h["file"] }' "$1/snapshots.tsv"
}

# index_field DIR PHASE ROLE COL
index_field() {
	awk -F'\t' -v phase="$2" -v role="$3" -v col="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["phase"] == phase && $h["role"] == role { print $h[col] }' "$1/snapshots.tsv"
}

# in_buffer FILE: the rows of FILE inside the faulter's buffer (needs
# $BUF_START, the address from its "buffer 0xADDR pages N" line)
in_buffer() {
	local page i
	page=$(getconf PAGESIZE)
	for ((i = 0; i < N; i++)); do
		printf '0x%x\n' $((BUF_START + i * page))
	done | awk -F'\t' 'NR == FNR { want[$1]; next } FNR > 1 && ($1 in want)' - "$1"
}

# exclusive_in_buffer FILE: how many pages of the buffer are exclusive
exclusive_in_buffer() {
	in_buffer "$1" | awk -F'\t' '$3 == 1 { n++ } END { print n + 0 }'
}

# same_frames FILE1 FILE2: "S C": pages of the buffer on the same frame
# in both, and on different frames
same_frames() {
	join -t $'\t' <(in_buffer "$1" | cut -f1,4 | sort) <(in_buffer "$2" | cut -f1,4 | sort) |
		awk -F'\t' '$2 == $3 { s++ } $2 != $3 { c++ } END { print s + 0, c + 0 }'
}

# run faulter -W under cowsample with ARGS (as PREFIX, e.g. as_nobody):
# sets DIR, OUT, BUF_START
run_cow() {
	local prefix=$1 sampler=$2 faulter=$3 dir=$4
	shift 4
	DIR=$dir/snaps
	OUT=$dir/out.tsv
	run --separate-stderr $prefix "$sampler" "$@" --snapshot-dir "$DIR" -o "$OUT" -- \
		$(traced_env) "$faulter" -n "$N" -c "$K" -W -m
	assert_success
	if [[ $stderr == *"ptrace not permitted"* ]]; then
		skip "ptrace not permitted here: marks are not synchronous"
	fi
	BUF_START=$(awk '$1 == "buffer" { print $2 }' <<<"$output")
	[ -n "$BUF_START" ] || fail "no buffer line in: $output"
}

@test "cowsample --snapshot-dir (root): all frames shared after fork, exactly K copied after the child wrote" {
	require_root
	run_cow "" "$COWSAMPLE" "$FAULTER" "$BATS_TEST_TMPDIR"
	local p c
	# right after fork (the child's first mark): every page of the buffer
	# present in both, on the same frame
	p=$DIR/$(snapshot_file "$DIR" child-begin parent)
	c=$DIR/$(snapshot_file "$DIR" child-begin child)
	[ -f "$p" ] && [ -f "$c" ] || fail "no child-begin snapshots in $DIR"
	assert_equal "$(in_buffer "$c" | wc -l)" "$N"
	assert_equal "$(same_frames "$p" "$c")" "$N 0"
	assert_equal "$(exclusive_in_buffer "$c")" 0
	# after the child wrote K: those K have a frame of their own, the
	# rest is still shared; on both sides exactly K frames are mapped once
	p=$DIR/$(snapshot_file "$DIR" child-wrote parent)
	c=$DIR/$(snapshot_file "$DIR" child-wrote child)
	assert_equal "$(same_frames "$p" "$c")" "$((N - K)) $K"
	assert_equal "$(exclusive_in_buffer "$c")" "$K"
	assert_equal "$(exclusive_in_buffer "$p")" "$K"
	# the marking process was held at its mark; figures from kpagecount
	assert_equal "$(index_field "$DIR" child-wrote child held)" 1
	assert_equal "$(index_field "$DIR" child-wrote child exclusive_from)" kpagecount
	# the file is what cowmap --tsv writes
	run head -n 1 "$c"
	assert_output $'vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea'
}

@test "cowsample --snapshot-dir as nobody: no frames, but exactly K exclusive pages on each side" {
	local dir
	dir=$(copy_for_nobody "$COWSAMPLE" "$FAULTER")
	chmod 777 "$dir"
	run_cow as_nobody "$dir/cowsample" "$dir/faulter" "$dir"
	local p c
	p=$DIR/$(snapshot_file "$DIR" child-wrote parent)
	c=$DIR/$(snapshot_file "$DIR" child-wrote child)
	assert_equal "$(in_buffer "$c" | wc -l)" "$N"
	assert_equal "$(exclusive_in_buffer "$c")" "$K"
	assert_equal "$(exclusive_in_buffer "$p")" "$K"
	# PFNs read as 0 without CAP_SYS_ADMIN: written as "-"
	run awk -F'\t' 'NR > 1 && $4 != "-"' "$c"
	assert_output ""
	assert_equal "$(index_field "$DIR" child-wrote child shared)" -
	assert_equal "$(index_field "$DIR" child-wrote child exclusive_from)" pagemap-bit-56
	rm -rf "$dir"
}

@test "cowsample --pagemap: the child's exclusive pages grow by K when it writes K shared ones" {
	run_cow "" "$COWSAMPLE" "$FAULTER" "$BATS_TEST_TMPDIR" --pagemap
	run head -n 1 "$OUT"
	assert_output --partial $'\tpresent\texclusive\tshared'
	# col PHASE NAME: the child's value at its mark PHASE
	col() {
		awk -F'\t' -v phase="$1" -v col="$2" '
			NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
			$h["event"] == "mark" && $h["role"] == "child" && $h["phase"] == phase { print $h[col] }' "$OUT"
	}
	local before after
	[ "$(col child-wrote present)" -ge "$N" ] || fail "present: $(col child-wrote present)"
	before=$(col child-begin exclusive)
	after=$(col child-wrote exclusive)
	[ $((after - before)) -ge "$K" ] && [ $((after - before)) -le $((K + $(slack PROCESS))) ] ||
		fail "exclusive: $before at child-begin, $after at child-wrote"
	if [ "$(id -u)" -eq 0 ]; then
		before=$(col child-begin shared)
		after=$(col child-wrote shared)
		[ $((before - after)) -ge "$K" ] && [ $((before - after)) -le $((K + $(slack PROCESS))) ] ||
			fail "shared: $before at child-begin, $after at child-wrote"
	else
		assert_equal "$(col child-wrote shared)" -
	fi
	# the same figures as the snapshot taken at that mark
	assert_equal "$(col child-wrote exclusive)" "$(index_field "$DIR" child-wrote child exclusive)"
}

@test "cowsample --snapshot-dir: a directory that cannot be used fails before running anything" {
	local t=$BATS_TEST_TMPDIR
	: >"$t/file"
	run --separate-stderr "$COWSAMPLE" --snapshot-dir "$t/file" -- touch "$t/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: --snapshot-dir: $t/file: Not a directory"
	run --separate-stderr "$COWSAMPLE" --snapshot-dir "$t/no/such" -- touch "$t/ran"
	assert_failure 1
	assert_equal "$stderr" "cowsample: --snapshot-dir: $t/no/such: No such file or directory"
	[ ! -e "$t/ran" ]
	assert_usage_error "$COWSAMPLE" --snapshot-dir "" -- true
	assert_usage_error "$COWSAMPLE" --snapshot-dir
	# a missing DIR (with its parent there) is made
	run "$COWSAMPLE" --snapshot-dir "$t/new" -o "$t/out.tsv" -- $(traced_env) true
	assert_success
	[ -f "$t/new/snapshots.tsv" ]
}

@test "cowsample --snapshot-dir: phase names cannot leave DIR; a repeated phase gets its own file" {
	local t=$BATS_TEST_TMPDIR
	mkdir "$t/d"
	# a program that marks "../x" twice (a lab_mark by hand: line, SIGSTOP)
	run "$COWSAMPLE" --snapshot-dir "$t/d/snaps" -o "$t/out.tsv" -- sh -c '
		for i in 1 2; do
			echo "$$ ../x" >&"$COWLAB_MARK_FD"
			[ "$COWLAB_MARK_SYNC" = 1 ] && kill -STOP $$
		done
		true'
	assert_success
	run ls "$t/d"
	assert_output snaps
	run ls "$t/d/snaps"
	assert_line --regexp '^_\._x-[0-9]+\.tsv$'
	assert_line --regexp '^_\._x\.2-[0-9]+\.tsv$'
	assert_line snapshots.tsv
	assert_equal "${#lines[@]}" 3
}
