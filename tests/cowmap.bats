#!/usr/bin/env bats
# cowmap: which frames parent and child share, from /proc/PID/pagemap.
# Expected values come from the subject's parameters: N pages mapped and
# touched before fork(), K of them written by the child.

bats_require_minimum_version 1.5.0
load test_helper
load cowmap_helper

PROGS=$BUILDDIR/tests/progs
N=512
K=200

teardown() {
	stop_subject
}

@test "cowmap --diff: all shared after fork, K copied after the child writes, all exclusive at the end" {
	require_root
	start_cowpages "$PROGS/cowpages" $N $K

	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	assert_output --partial "frames compared by PFN"
	[ "$(diff_count shared)" -eq $N ]
	[ "$(diff_count copied)" -eq 0 ]
	[ "$(diff_count absent)" -eq 0 ]

	step
	assert_equal "$LINE" "child-wrote $K"
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[ "$(diff_count copied)" -eq $K ]
	[ "$(diff_count shared)" -eq $((N - K)) ]
	[ "$(diff_count only-parent)" -eq 0 ]
	[ "$(diff_count only-child)" -eq 0 ]
	# kpagecount: the K pages now have a frame each side to themselves.
	[ "$(map_column exclusive "$CHILD")" -eq $K ]
	[ "$(map_column shared "$CHILD")" -eq $((N - K)) ]
	[ "$(map_column exclusive "$PARENT")" -eq $K ]

	step
	assert_equal "$LINE" "child-exited $CHILD"
	step
	assert_equal "$LINE" "parent-rewrote $N"
	run "$COWMAP" --map "$ADDR" "$PARENT"
	assert_success
	assert_output --partial "kpagecount"
	[ "$(map_column present "$PARENT")" -eq $N ]
	[ "$(map_column exclusive "$PARENT")" -eq $N ]
	[ "$(map_column shared "$PARENT")" -eq 0 ]
}

@test "cowmap --diff with transparent huge pages: the child's writes copy 4 KiB pages, exactly K" {
	require_root
	# Two whole huge pages; the child writes K pages of the first. K is not
	# a multiple of a huge page: if a write copied 2 MiB, we would see a
	# whole huge page copied instead of K pages.
	local page huge n k
	page=$(getconf PAGESIZE)
	huge=$(( $(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size 2>/dev/null || echo 0) / page ))
	[ "$huge" -gt 1 ] || skip "no transparent huge pages in this kernel"
	n=$((2 * huge))
	k=$((huge / 5))
	# khugepaged could collapse the child's partly copied huge page into a
	# new one (copying the rest) if few enough of its pages stay shared.
	[ "$(cat /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared 2>/dev/null || echo 0)" \
		-lt $((huge - k)) ] || skip "khugepaged's max_ptes_shared lets it collapse the pages under test"
	start_cowpages "$PROGS/cowpages" --thp $n $k
	[ "$(map_column thp "$PARENT")" -eq $n ] ||
		skip "the kernel gave no huge pages for the buffer (THP mode: $(cat /sys/kernel/mm/transparent_hugepage/enabled))"
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[ "$(diff_count shared)" -eq $n ]
	[ "$(diff_count copied)" -eq 0 ]

	step
	assert_equal "$LINE" "child-wrote $k"
	run "$COWMAP" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[ "$(diff_count copied)" -eq $k ]
	[ "$(diff_count shared)" -eq $((n - k)) ]
	[ "$(diff_count only-parent)" -eq 0 ]
	[ "$(diff_count only-child)" -eq 0 ]
	# The parent still maps two whole huge pages; the child's K copies are
	# 4 KiB frames, its other pages still the parent's huge-page frames.
	[ "$(map_column thp "$PARENT")" -eq $n ]
	[ "$(map_column thp "$CHILD")" -eq $((n - k)) ]
	# kpagecount is exact per 4 KiB page: K of the parent's pages are its
	# alone, although they sit in a huge page the child still maps in part
	# (pagemap bit 56 reports one value for the whole huge page).
	[ "$(map_column exclusive "$PARENT")" -eq $k ]
	[ "$(map_column exclusive "$CHILD")" -eq $k ]

	step
	assert_equal "$LINE" "child-exited $CHILD"
	step
	assert_equal "$LINE" "parent-rewrote $n"
	[ "$(map_column present "$PARENT")" -eq $n ]
	[ "$(map_column exclusive "$PARENT")" -eq $n ]
	[ "$(map_column thp "$PARENT")" -eq $n ]
}

@test "cowmap as nobody: frames are not compared, the exclusive bit still counts" {
	dir=$(copy_for_nobody "$COWMAP" "$PROGS/cowpages")
	start_cowpages as_nobody "$dir/cowpages" $N $K
	step
	run --separate-stderr as_nobody "$dir/cowmap" --diff --map "$ADDR" "$PARENT" "$CHILD"
	assert_success
	[[ "$stderr" == *"frames cannot be compared without CAP_SYS_ADMIN"* ]]
	assert_output --partial "frames NOT compared"
	refute_output --regexp '^  (shared|copied) '
	[ "$(diff_count both-present)" -eq $N ]
	assert_output --regexp "exclusive in parent +$K, in child +$K +\(from pagemap bit 56"
	CM="as_nobody $dir/cowmap"
	[ "$(map_column exclusive "$CHILD")" -eq $K ]
	[ "$(map_column shared "$CHILD")" = "-" ]

	run --separate-stderr as_nobody "$dir/cowmap" --diff --map "$ADDR" --svg "$BATS_TEST_TMPDIR/x.svg" "$PARENT" "$CHILD"
	assert_failure 1
	assert_equal "$stderr" "cowmap: $BATS_TEST_TMPDIR/x.svg: the diagram needs the frame numbers, which only root can read"
	[ ! -e "$BATS_TEST_TMPDIR/x.svg" ]
}

@test "cowmap --map and --range select what they name" {
	start_cowpages "$PROGS/cowpages" $N 0
	run "$COWMAP" --tsv=maps --map heap "$PARENT"
	assert_success
	assert_line --regexp $'\t\\[heap\\]\t'
	run "$COWMAP" --tsv=maps --map stack "$PARENT"
	assert_line --regexp $'\t\\[stack\\]\t'
	# Pages 10..29 of the buffer, given by an address range.
	start=$(printf '0x%x' $((ADDR + 10 * 4096)))
	end=$(printf '0x%x' $((ADDR + 30 * 4096)))
	run "$COWMAP" --tsv=maps --range "$start-$end" "$PARENT"
	assert_success
	assert_equal "${lines[1]}" "$(printf '%s\t%s\t[anon]\t20\t20\t' "$start" "$end")$(cut -f6- <<<"${lines[1]}")"
	# --tsv: one row per present page, the columns of the spec.
	run "$COWMAP" --tsv --map "$ADDR" "$PARENT"
	assert_success
	assert_equal "${lines[0]}" $'vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea'
	[ "${#lines[@]}" -eq $((N + 1)) ]
}

@test "cowmap: a range that is not mapped, a missing process, bad usage" {
	start_cowpages "$PROGS/cowpages" 16 0
	run --separate-stderr "$COWMAP" --range 0x1000-0x3000 "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: range 0x1000-0x3000 is not mapped"
	run --separate-stderr "$COWMAP" --map no-such-mapping "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: no mapping matches no-such-mapping"

	stop_subject
	run --separate-stderr "$COWMAP" "$PARENT"
	assert_failure 1
	assert_equal "$stderr" "cowmap: process $PARENT: no such process"

	for args in "" "12x" "--range 5-3 1" "--map heap --range 1-2 1" "--svg x.svg 1" "--diff 1" "--tsv=foo 1" "--bogus 1" \
		"--when now 1" "--diff --when now 1 2"; do
		run --separate-stderr "$COWMAP" $args
		echo "cowmap $args" >&2
		assert_failure 2
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == cowmap:* ]]
	done
}

@test "cowmap: a process that exits in the middle of the scan" {
	start_cowpages "$PROGS/cowpages" 64 0
	# The hook stops cowmap after it has read the maps and opened the
	# pagemap; the process then exits; cowmap goes on.
	COWMAP_STOP_AFTER_MAPS=1 "$COWMAP" --diff "$PARENT" "$CHILD" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- 5>&- 6<&- &
	cowmap_pid=$!
	for _ in $(seq 3000); do
		[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ] && break
		sleep 0.01
	done
	[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ]
	stop_subject
	kill -CONT $cowmap_pid
	status=0
	wait $cowmap_pid || status=$?
	[ "$status" -eq 1 ]
	grep -Eq "^cowmap: process ($PARENT|$CHILD): exited during the scan$" "$BATS_TEST_TMPDIR/err"
	# One error line (and, without root, the note that frames are not compared).
	[ "$(grep -vc 'frames cannot be compared without CAP_SYS_ADMIN' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
}

@test "cowmap: a process that exits in the middle of the scan gets one error line, no header before it" {
	start_cowpages "$PROGS/cowpages" 64 0
	COWMAP_STOP_AFTER_MAPS=1 "$COWMAP" "$PARENT" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- 5>&- 6<&- &
	cowmap_pid=$!
	for _ in $(seq 3000); do
		[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ] && break
		sleep 0.01
	done
	[ "$(awk '{ print $3 }' /proc/$cowmap_pid/stat)" = T ]
	stop_subject
	kill -CONT $cowmap_pid
	status=0
	wait $cowmap_pid || status=$?
	[ "$status" -eq 1 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ] || fail "cowmap printed before its error: $(cat "$BATS_TEST_TMPDIR/out")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "cowmap: process $PARENT: exited during the scan"
}

# The number in "...; N pagemap entries read" of a --stats line (in $stderr).
entries_read() {
	sed -n 's/.*; \([0-9]*\) pagemap entr[a-z]* read$/\1/p' <<<"$stderr"
}

@test "cowmap: a 64 GiB PROT_NONE reservation with a few touched pages: PAGEMAP_SCAN reads only those" {
	local touched=8 gib=64 per_gib areas
	per_gib=$(( (1 << 30) / $(getconf PAGESIZE) ))
	start_subject "$PROGS/sparse_reserve" $gib $touched
	next_line
	start=$(field addr)
	end=$(field end)
	for method in "" --pread; do
		run --separate-stderr "$COWMAP" $method --stats --tsv=maps --range "$start-$end" "$SUBJECT"
		assert_success
		[ "$(awk -F'\t' 'NR > 1 { p += $4; s += $5 } END { print p, s }' <<<"$output")" = \
			"$((gib * per_gib)) $touched" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" != *"no PAGEMAP_SCAN in this kernel"* ]] || skip "this kernel has no PAGEMAP_SCAN (Linux 6.7+)"
		areas=$(( ${#lines[@]} - 1 ))	# one row per mapping (mprotect split it)
		if [ -z "$method" ]; then
			# The ioctl found the runs: the entries of the touched pages
			# are read, plus one per mapping (is the process still there?),
			# not the 16 million entries of the reservation.
			[[ "$stderr" == *"found by: PAGEMAP_SCAN ioctl ("* ]]
			[ "$(entries_read)" -eq $((touched + areas)) ]
		else
			[[ "$stderr" == *"found by: pread of every pagemap entry (--pread)"* ]]
			[ "$(entries_read)" -eq $((gib * per_gib + touched)) ]
		fi
	done
	run "$COWMAP" --range "$start-$end" "$SUBJECT"
	assert_output --regexp "present runs found by: PAGEMAP_SCAN ioctl \($areas calls, $touched regions\); $((touched + areas)) pagemap entries read"
}

@test "cowmap: more present runs than one PAGEMAP_SCAN call returns (512): resumed, none lost or twice" {
	local touched=3000
	start_subject "$PROGS/sparse_reserve" --rw 1 $touched
	next_line
	range=$(field addr)-$(field end)
	run --separate-stderr "$COWMAP" --stats --tsv --range "$range" "$SUBJECT"
	assert_success
	[[ "$stderr" != *"no PAGEMAP_SCAN in this kernel"* ]] || skip "this kernel has no PAGEMAP_SCAN (Linux 6.7+)"
	# One mapping, 3000 one-page runs: at least 6 calls of at most 512.
	assert_equal "$stderr" "cowmap: process $SUBJECT: present runs found by: PAGEMAP_SCAN ioctl ($(( (touched + 511) / 512 )) calls, $touched regions); $((touched + 1)) pagemap entries read"
	[ "${#lines[@]}" -eq $((touched + 1)) ]
	[ -z "$(cut -f1 <<<"$output" | sort | uniq -d)" ]
	scanned=$output
	run --separate-stderr "$COWMAP" --pread --tsv --range "$range" "$SUBJECT"
	assert_success
	if [ "$(id -u)" -eq 0 ]; then
		assert_equal "$output" "$scanned"
	else
		# Without root, pread cannot tell huge pages (/proc/kpageflags is
		# root's): its thp column says '-' where PAGEMAP_SCAN knows 0.
		assert_equal "$(cut -f1-5,7 <<<"$output")" "$(cut -f1-5,7 <<<"$scanned")"
		assert_equal "$(cut -f6 <<<"$output" | LC_ALL=C sort -u | tr '\n' ' ')" "- thp "
	fi
}

@test "cowmap on a zombie: its memory is gone, and cowmap says so" {
	start_cowpages "$PROGS/cowpages" 16 4
	step
	step
	assert_equal "$LINE" "child-exited $CHILD"
	for args in "$CHILD" "--diff $PARENT $CHILD" "--map heap $CHILD"; do
		run --separate-stderr "$COWMAP" $args
		assert_failure 1
		assert_equal "$stderr" "cowmap: process $CHILD has exited (a zombie): its memory is gone"
	done
}

# The PID of a kernel thread (PF_KTHREAD in the flags of /proc/PID/stat).
kernel_thread() {
	local stat
	for stat in /proc/[0-9]*/stat; do
		sed -n 's/^\([0-9]*\) .*) . [-0-9]* [-0-9]* [-0-9]* [-0-9]* [-0-9]* \([0-9]*\) .*/\1 \2/p' \
			"$stat" 2>/dev/null
	done | awk '{ if (int($2 / 2097152) % 2 == 1) { print $1; exit } }'
}

@test "cowmap on a kernel thread: it has no user memory, and cowmap says so" {
	kthread=$(kernel_thread)
	[ -n "$kthread" ] || skip "no kernel thread visible (a PID namespace?)"
	for args in "$kthread" "--map heap $kthread" "--diff $kthread $kthread"; do
		run --separate-stderr "$COWMAP" $args
		assert_failure 1
		assert_equal "$stderr" "cowmap: process $kthread is a kernel thread: it has no user memory"
	done
}

@test "cowmap: an error writing standard output is an error" {
	start_cowpages "$PROGS/cowpages" 16 0
	local cases=("--tsv $PARENT" "$PARENT" "--tsv=maps $PARENT" "--help")
	# (Without root --diff also says on stderr that frames are not compared.)
	[ "$(id -u)" -ne 0 ] || cases+=("--diff $PARENT $CHILD" "--diff --tsv $PARENT $CHILD")
	for args in "${cases[@]}"; do
		run --separate-stderr sh -c '"$@" >/dev/full' sh "$COWMAP" $args
		assert_failure 1
		assert_equal "$stderr" "cowmap: writing standard output: No space left on device"
	done
}
