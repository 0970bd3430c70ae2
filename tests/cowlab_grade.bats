#!/usr/bin/env bats
# The student skeletons (cowlab-skel) and the grader (cowlab-grade), graded:
# the reference gets every point, the skeleton none, and each deliberately
# broken tree loses exactly the checks that its bug breaks, within the time
# limits, while a fork bomb or an endless loop costs only its own checks.

load test_helper
bats_require_minimum_version 1.5.0

SKEL=$COWLAB_SRCDIR/tools/cowlab-skel
GRADE=$COWLAB_SRCDIR/tools/cowlab-grade

# failed_checks REPORT: the names of the checks that failed, one per line.
failed_checks() {
	sed -n 's/^not ok [0-9]* //p' "$1"
}

# change FILE SED-SCRIPT: apply a sed script that must change FILE.
change() {
	local before
	before=$(cksum <"$1")
	sed -i "$2" "$1"
	[ "$(cksum <"$1")" != "$before" ] || fail "$2 changed nothing in $1"
}

# drop_todo FILE N: a student who left TODO N empty (and no lab_todo either).
drop_todo() {
	local before
	before=$(cksum <"$1")
	awk -v n="$2" '
		$0 ~ "/\\* TODO " n ":" { todo = 1 }
		todo && /END TODO/ { todo = 0; code = 0 }
		todo && code { next }
		todo && index($0, "*/") { code = 1 }
		{ print }' "$1" >"$1.new" && mv "$1.new" "$1"
	[ "$(cksum <"$1")" != "$before" ] || fail "no TODO $2 in $1"
}

setup_file() {
	local t=$BATS_FILE_TMPDIR
	"$SKEL" "$t/skeleton" >/dev/null && "$SKEL" --reference "$t/reference" >/dev/null || return 1
	variant() { cp -R "$t/reference" "$t/$1"; }
	# mmap_copy maps DST MAP_PRIVATE: the copy never reaches the file.
	variant mmap-private
	change "$t/mmap-private/mmap-copy/mmap_copy.c" 's/PROT_READ | PROT_WRITE, MAP_SHARED,/PROT_READ | PROT_WRITE, MAP_PRIVATE,/'
	# mmap_copy never sizes DST (no ftruncate): SIGBUS territory.
	variant no-ftruncate
	drop_todo "$t/no-ftruncate/mmap-copy/mmap_copy.c" 5
	# vfork_demo calls fork where vfork is asked.
	variant fork-for-vfork
	change "$t/fork-for-vfork/vfork/vfork_demo.c" '0,/pid = vfork();/s//pid = fork();/'
	# fork_faults' child writes for ever.
	variant endless-loop
	change "$t/endless-loop/copy-on-write/fork_faults.c" "s/^\(\t*\)write_pages(lab.buf, lab.written, 'c');/\1for (;;) write_pages(lab.buf, lab.written, 'c');/"
	# vfork_demo forks without end where it should posix_spawn.
	variant fork-bomb
	change "$t/fork-bomb/vfork/vfork_demo.c" 's/^\(\t*\)err = posix_spawn(&child, self_path,/\1for (;;) fork();\n&/'
	# fork_faults unmaps its buffer before the last step: a segfault.
	variant segfault
	change "$t/segfault/copy-on-write/fork_faults.c" "s/^\(\t*\)write_pages(lab.buf, lab.pages, 'P');/\1munmap(lab.buf, (size_t)lab.pages * page_size);\n&/"
	# One grading run for all of them, two at a time, short time limits.
	cd "$t" && "$GRADE" --jobs 2 --timeout 5 --cowsample "$COWSAMPLE" -o "$t/reports" \
		reference skeleton mmap-private no-ftruncate fork-for-vfork endless-loop fork-bomb segfault \
		>"$t/grade.out" 2>"$t/grade.err"
	echo $? >"$t/grade.status"
}

@test "cowlab-skel: the skeleton builds, and each program stops at its first missing part" {
	local t=$BATS_FILE_TMPDIR/skeleton-build prog
	cp -R "$BATS_FILE_TMPDIR/skeleton" "$t"
	run make -C "$t"
	assert_success
	refute_output --partial "warning:"
	for prog in copy-on-write/fork_faults vfork/vfork_demo shared-vs-private/shared_vs_private; do
		run --separate-stderr "$t/$prog" --batch
		assert_failure 1
		assert_equal "$stderr" "$(basename "$prog"): TODO 1 is not written yet (see its comment in the source)"
	done
	run --separate-stderr "$t/mmap-copy/mmap_copy" /etc/hostname "$t/copy"
	assert_failure 1
	assert_equal "$stderr" "mmap_copy: TODO 1 is not written yet (see its comment in the source)"
	[ ! -e "$t/copy" ]
}

@test "cowlab-skel: the TODO code is gone from the skeleton, kept in the reference; the README lists every TODO" {
	local s=$BATS_FILE_TMPDIR/skeleton r=$BATS_FILE_TMPDIR/reference
	! grep -q 'c->dst = mmap' "$s/mmap-copy/mmap_copy.c"
	grep -q 'c->dst = mmap' "$r/mmap-copy/mmap_copy.c"
	! grep -q 'END TODO' "$s/mmap-copy/mmap_copy.c"
	[ "$(grep -c 'lab_todo(' "$s"/*/*.c | awk -F: '{ n += $2 } END { print n }')" -eq \
	  "$(grep -c '/\* TODO [0-9]*:' "$COWLAB_SRCDIR"/support/*/*.c | awk -F: '{ n += $2 } END { print n }')" ]
	[ "$(grep -c '^- `.*TODO [0-9]*:' "$s/README.md")" -eq "$(grep -c 'lab_todo(' "$s"/*/*.c | awk -F: '{ n += $2 } END { print n }')" ]
	# In the reference the markers are comments and nothing else.
	! grep -h 'TODO [0-9]*:\|END TODO' "$COWLAB_SRCDIR"/support/*/*.c | grep -v '^[[:space:]]*/\* \(TODO [0-9]*:\|END TODO \*/$\)'
}

@test "cowlab-skel: bad markers and an existing DEST are errors that write nothing" {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	cp -R "$COWLAB_SRCDIR/support" "$COWLAB_SRCDIR/tools" "$COWLAB_SRCDIR/labs" "$src/"
	chmod -R u+w "$src"
	sed -i '0,/END TODO/{/END TODO/d}' "$src/support/copy-on-write/fork_faults.c"
	run --separate-stderr "$src/tools/cowlab-skel" "$BATS_TEST_TMPDIR/out"
	assert_failure 1
	[[ $stderr == *"fork_faults.c:"*"has no END TODO"* ]] || fail "$stderr"
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.cowlab-skel')" ]
	run --separate-stderr "$SKEL" "$BATS_FILE_TMPDIR/skeleton"
	assert_failure 1
	assert_equal "$stderr" "cowlab-skel: $BATS_FILE_TMPDIR/skeleton: exists already (give a new directory; nothing is overwritten)"
	assert_usage_error "$SKEL"
	assert_usage_error "$SKEL" --bogus x
}

@test "cowlab-grade: every tree was graded, with a report each and one score line each" {
	[ "$(cat "$BATS_FILE_TMPDIR/grade.status")" -eq 0 ] || fail "$(cat "$BATS_FILE_TMPDIR/grade.err")"
	local name
	for name in reference skeleton mmap-private no-ftruncate fork-for-vfork endless-loop fork-bomb segfault; do
		[ -f "$BATS_FILE_TMPDIR/reports/$name.txt" ] || fail "no report for $name"
		tail -n 1 "$BATS_FILE_TMPDIR/reports/$name.txt" | grep -qx 'score: [0-9]*/[0-9]*'
		grep -qx "$name: score: [0-9]*/[0-9]*" "$BATS_FILE_TMPDIR/grade.out"
	done
}

# check_name ID/ROW: the name of a graded check: "ID/ROW: WHAT (P points)",
# from the row of the expectation table.
check_name() {
	"$COWLAB_SRCDIR/tools/cowlab-expect" graded | awk -F '\t' -v id="$1" '
		$1 == id { printf "%s: %s (%d point%s)\n", $1, $3, $2, $2 == 1 ? "" : "s" }'
}

# assert_grade NAME SCORE ID/ROW...: NAME scored SCORE and failed exactly the
# checks of the rows ID/ROW (in the order of the report).
assert_grade() {
	local report=$BATS_FILE_TMPDIR/reports/$1.txt score=$2 id
	shift 2
	assert_equal "$(tail -n 1 "$report")" "score: $score"
	assert_equal "$(failed_checks "$report")" "$(for id in "$@"; do check_name "$id"; done)"
}

@test "cowlab-grade: the reference gets every point" {
	total=$(grep -ho '([0-9]* points*)" {' "$COWLAB_SRCDIR"/tests/grade/*.bats | tr -dc '0-9\n' | awk '{ t += $1 } END { print t }')
	assert_grade reference "$total/$total"
}

@test "cowlab-grade: the skeleton gets none" {
	run failed_checks "$BATS_FILE_TMPDIR/reports/skeleton.txt"
	[ "${#lines[@]}" -eq "$(grep -c '^@test' "$COWLAB_SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')" ]
	[[ $(tail -n 1 "$BATS_FILE_TMPDIR/reports/skeleton.txt") == "score: 0/"* ]]
}

@test "cowlab-grade: DST mapped MAP_PRIVATE loses the copy and the MAP_SHARED checks" {
	assert_grade mmap-private 32/36 mmap-copy/identical mmap-copy/dst-shared
}

@test "cowlab-grade: no ftruncate loses the copy and the ftruncate checks" {
	assert_grade no-ftruncate 32/36 mmap-copy/identical mmap-copy/dst-sized
}

@test "cowlab-grade: fork where vfork is asked loses the two vfork checks" {
	assert_grade fork-for-vfork 30/36 vfork/child-no-fault vfork/parent-sees vfork/suspended
}

@test "cowlab-grade: an endless loop in the child costs the steps it stops, nothing else" {
	assert_grade endless-loop 30/36 copy-on-write/finished copy-on-write/child-writes \
		copy-on-write/parent-idle copy-on-write/parent-rewrites
}

@test "cowlab-grade: a fork bomb costs its own step, and leaves no process behind" {
	assert_grade fork-bomb 34/36 vfork/finished vfork/posix-spawn
	if [ "$(id -u)" -eq 0 ]; then
		# the lanes' users (uid base + lane) have no process left
		run pgrep -U 2000000000,2000000001
		assert_failure 1
	fi
}

@test "cowlab-grade: a segfault costs its own step" {
	assert_grade segfault 33/36 copy-on-write/finished copy-on-write/parent-rewrites
}

@test "cowlab-grade: usage errors" {
	assert_usage_error "$GRADE"
	assert_usage_error "$GRADE" --jobs 0 x
	assert_usage_error "$GRADE" --bogus x
	run --separate-stderr "$GRADE" "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 1
	assert_equal "$stderr" "cowlab-grade: $BATS_TEST_TMPDIR/nothing-here: not a directory"
}
