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

# attack TREE FILE SNIPPET...: append each attack of tests/attacks/ to FILE
# (a lab source of TREE), its @NAME@ placeholders replaced by this test's
# paths (set in setup_file).
attack() {
	local tree=$1 file=$2 snippet
	shift 2
	for snippet in "$@"; do
		sed -e "s|@KIT_SRC@|$COWLAB_SRCDIR|g" -e "s|@KIT_BUILD@|$COWLAB_BUILDDIR|g" \
			-e "s|@STUDENTS@|$BATS_FILE_TMPDIR|g" -e "s|@CANARY@|$CANARY|g" \
			-e "s|@CANARY_NEW@|$CANARY_NEW|g" -e "s|@CANARY_DIR@|$CANARY_DIR|g" \
			-e "s|/tmp/cowlab-grade\.|$GRADER_TMP/cowlab-grade.|g" \
			"$COWLAB_SRCDIR/tests/attacks/$snippet.c" >>"$BATS_FILE_TMPDIR/$tree/$file"
	done
}

# Every lab source of a tree that makes a program.
LAB_SOURCES="copy-on-write/fork_faults.c vfork/vfork_demo.c mmap-copy/mmap_copy.c shared-vs-private/shared_vs_private.c"

# The trees of the first grading run (short time limit) and of the second
# (the attacks, default time limit), which runs at the same time, with the
# same --uid-base: two graders at once.
GRADED_FIRST="reference skeleton mmap-private no-ftruncate fork-for-vfork svp-forged-seen endless-loop fork-bomb setsid-bomb segfault linked-dirs no-release
	uvm-eager uvm-never-drops uvm-frees-shared uvm-fake-results uvm-not-atomic uvm-copy-no-data"
GRADED_SECOND="forge-fds borrow snoop links fifo daemons output fill-disk forge-strace stride-1 syntax-error"
ODD_NAME=$'odd\nok 99 fake (100 points)\nscore: 99'

setup_file() {
	local t=$BATS_FILE_TMPDIR name file
	"$SKEL" "$t/skeleton" >/dev/null && "$SKEL" --reference "$t/reference" >/dev/null || return 1
	# Grading needs root (its sandbox); without, only the skeleton tests run.
	[ "$(id -u)" -eq 0 ] || return 0
	export CANARY=$t/canary CANARY_NEW=$t/canary-new CANARY_DIR=$t/canary-dir GRADER_TMP=$t/tmp
	echo "a file outside every run directory" >"$CANARY"
	chmod 0644 "$CANARY"
	mkdir -m 0777 "$CANARY_DIR" "$GRADER_TMP"
	stat -c '%U %G %a %s %Y' "$CANARY" >"$t/canary.stat"
	variant() { cp -R "$t/${2:-reference}" "$t/$1"; }
	# mmap_copy maps DST MAP_PRIVATE: the copy never reaches the file.
	variant mmap-private
	change "$t/mmap-private/mmap-copy/mmap_copy.c" 's/PROT_READ | PROT_WRITE, MAP_SHARED,/PROT_READ | PROT_WRITE, MAP_PRIVATE,/'
	# mmap_copy never sizes DST (no ftruncate): SIGBUS territory.
	variant no-ftruncate
	drop_todo "$t/no-ftruncate/mmap-copy/mmap_copy.c" 5
	# vfork_demo calls fork where vfork is asked, and fakes what a vfork
	# child leaves behind (issue 19): timestamps in vfork's order, the pages
	# written where the parent finds them; and it does posix_spawn's work
	# with fork + execve.
	variant fork-for-vfork
	change "$t/fork-for-vfork/vfork/vfork_demo.c" '0,/pid = vfork();/s//pid = fork();/'
	change "$t/fork-for-vfork/vfork/vfork_demo.c" "0,/^\(\t*\)lab_wait_child(pid);/s//&\n\1vfork_child.start_ns = called_ns + 1; vfork_child.end_ns = called_ns + 2; resumed_ns = called_ns + 3; lab_write_pages(buf, written, 'v');/"
	change "$t/fork-for-vfork/vfork/vfork_demo.c" 's/^\(\t*\)err = posix_spawn(&child, self_path, NULL, NULL,/\1child = fork();\n\1if (child == 0) { execve(self_path, lab_exec_argv("posix-spawn"), environ); _exit(127); }\n\1err = 0; if (0) posix_spawn(\&child, self_path, NULL, NULL,/'
	# shared_vs_private maps both buffers MAP_SHARED (TODO 1 ignores its
	# argument) and prints that the parent found none of the child's writes
	# in the private one, as the reference prints (issue 19).
	variant svp-forged-seen
	change "$t/svp-forged-seen/shared-vs-private/shared_vs_private.c" 's/PROT_READ | PROT_WRITE, sharing | MAP_ANONYMOUS,/PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | (sharing \& 0),/'
	change "$t/svp-forged-seen/shared-vs-private/shared_vs_private.c" 's/, in_private, lab.pages);/, 0L * in_private, lab.pages);/'
	# fork_faults' write_pages strides 1 byte instead of a page (issue 19):
	# every fault-count step but the idle parent's is wrong.
	variant stride-1
	change "$t/stride-1/copy-on-write/fork_faults.c" 's/buf\[i \* page_size\] = value;/buf[i] = value;/'
	# mmap_copy leaves out step 8 (no msync, no munmap).
	variant no-release
	drop_todo "$t/no-release/mmap-copy/mmap_copy.c" 8
	# A syntax error in mmap_copy.c: only mmap_copy is not built.
	variant syntax-error
	change "$t/syntax-error/mmap-copy/mmap_copy.c" 's/memcpy(c->dst, c->src, c->size);/memcpy(c->dst, c->src, c->size)/'
	# fork_faults' child writes for ever.
	variant endless-loop
	change "$t/endless-loop/copy-on-write/fork_faults.c" "s/^\(\t*\)write_pages(lab.buf, lab.written, 'c');/\1for (;;) write_pages(lab.buf, lab.written, 'c');/"
	# vfork_demo forks without end where it should posix_spawn.
	variant fork-bomb
	change "$t/fork-bomb/vfork/vfork_demo.c" 's/^\(\t*\)err = posix_spawn(&child, self_path,/\1for (;;) fork();\n&/'
	# The same with setsid and threads (issue 19: 59 processes outlived it).
	variant setsid-bomb
	change "$t/setsid-bomb/vfork/vfork_demo.c" 's/^\(\t*\)err = posix_spawn(&child, self_path,/\1for (;;) if (fork() == 0) { setsid(); for (;;) { pthread_t th; pthread_create(\&th, NULL, (void *(*)(void *))pause, NULL); fork(); } }\n&/'
	change "$t/setsid-bomb/vfork/vfork_demo.c" '0,/^#include/s//#include <pthread.h>\n&/'
	# fork_faults unmaps its buffer before the last step: a segfault.
	variant segfault
	change "$t/segfault/copy-on-write/fork_faults.c" "s/^\(\t*\)write_pages(lab.buf, lab.pages, 'P');/\1munmap(lab.buf, (size_t)lab.pages * page_size);\n&/"
	# Directories of the tree that are links (issue 19): to the kit's
	# sources, to another student's tree, to a mode-0700 directory of
	# another user; the files behind them are the reference's.
	variant linked-dirs skeleton
	rm -rf "$t/linked-dirs/mmap-copy" "$t/linked-dirs/vfork" "$t/linked-dirs/copy-on-write"
	ln -s "$COWLAB_SRCDIR/support/mmap-copy" "$t/linked-dirs/mmap-copy"
	ln -s "$t/reference/vfork" "$t/linked-dirs/vfork"
	mkdir -m 0700 "$t/private-of-nobody"
	cp "$t/reference/copy-on-write/fork_faults.c" "$t/private-of-nobody/"
	chown -R nobody "$t/private-of-nobody"
	ln -s "$t/private-of-nobody" "$t/linked-dirs/copy-on-write"
	# user-cow's uvm.c with one bug each (the bugs of tests/user_cow.bats):
	# copies every page at cfork (the child breaks COW at once; it runs out
	# of frames after K, which the lab's N + K frames allow) ...
	variant uvm-eager
	change "$t/uvm-eager/user-cow/uvm.c" 's/^\tpid = fork();$/\tpid = fork();\n\tif (pid == 0)\n\t\tuvm_break_cow(region, npages * page);/'
	# ... never drops a reference (kfree frees nothing) ...
	variant uvm-never-drops
	change "$t/uvm-never-drops/user-cow/uvm.c" 's/left = __atomic_sub_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/left = 1;/'
	# ... frees a frame that another process still maps (with any reference) ...
	variant uvm-frees-shared
	change "$t/uvm-frees-shared/user-cow/uvm.c" 's/left = __atomic_sub_fetch(&frames->refcount\[f\], 1, __ATOMIC_ACQ_REL);/left = 0;/'
	# ... and a hostile uvm.c (tests/attacks/fake_uvm.c) that does no
	# copy-on-write at all and makes user_cow print the expected result:
	# lines, every frame count and handler count among them.
	variant uvm-fake-results
	cp "$COWLAB_SRCDIR/tests/attacks/fake_uvm.c" "$t/uvm-fake-results/user-cow/uvm.c"
	# ... updates reference counts that are not atomic (a load, a pause, a
	# store: test_helper's NOT_ATOMIC_UVM), as a student who missed TODO 2's
	# "atomic" writes ...
	variant uvm-not-atomic
	change "$t/uvm-not-atomic/user-cow/uvm.c" "$NOT_ATOMIC_UVM"
	# ... and whose user_cow.c (a given file, no TODO in it) races one round
	# only, where a lost update is rare: the grader builds the kit's copy.
	change "$t/uvm-not-atomic/user-cow/user_cow.c" 's/racer(i, buf, n, rounds, meetings);/racer(i, buf, n, 1, meetings);/'
	# ... and a copy that leaves out the copying: the new frame keeps its zeros.
	variant uvm-copy-no-data
	change "$t/uvm-copy-no-data/user-cow/uvm.c" 's/^\tif (pwrite(memfd, page_addr(i), page, (off_t)copy \* page) != page) {$/\tif (0) {/'
	# A name that tries to be a line of TAP and a score.
	variant "$ODD_NAME"
	# The attacks of issue 12, each on the reference (its honest part gets
	# every point it earns) or, to borrow, on the skeleton.
	variant forge-fds
	for file in $LAB_SOURCES; do attack forge-fds "$file" forge_fds; done
	variant borrow skeleton
	for file in $LAB_SOURCES; do attack borrow "$file" borrow; done
	variant snoop
	for file in $LAB_SOURCES; do attack snoop "$file" snoop; done
	variant links
	for file in $LAB_SOURCES; do attack links "$file" plant_links; done
	variant fifo
	attack fifo shared-vs-private/shared_vs_private.c plant_fifo
	attack fifo mmap-copy/mmap_copy.c plant_fifo
	variant daemons
	for file in $LAB_SOURCES; do attack daemons "$file" daemons; done
	variant output
	attack output copy-on-write/fork_faults.c output
	variant fill-disk
	attack fill-disk vfork/vfork_demo.c fill_disk
	variant forge-strace
	attack forge-strace mmap-copy/mmap_copy.c forge_strace
	# A reference built in place, for the borrower to find.
	variant reference-built
	make -s -C "$t/reference-built" >/dev/null 2>&1 || return 1
	# Two grading runs at once, two lanes each; the second with --disk 64M
	# (the disk filler fills it), under GNU time (the grader's memory) and
	# with --format junit (the attackers' outputs in XML).
	# (A generous build limit: a loaded machine builds slowly. Both take the
	# same --uid-base, away from the users that graders of older versions,
	# which lock nothing, take on a shared machine.)
	cd "$t" || return 1
	local status=0 second
	# Its trees all end on their own (none loops), so a long limit costs no
	# time and only keeps a run on a very loaded machine (the sanitizer
	# build beside other work) from being cut short.
	TMPDIR=$GRADER_TMP /usr/bin/time -f '%M' -o "$t/second.maxrss" \
		"$GRADE" --jobs 2 --timeout 60 --disk 64M --format junit --build-timeout 900 --uid-base 2000000100 --cowsample "$COWSAMPLE" \
		-o "$t/reports" $GRADED_SECOND >"$t/second.out" 2>"$t/second.err" &
	second=$!
	TMPDIR=$GRADER_TMP "$GRADE" --jobs 2 --timeout 15 --build-timeout 900 --uid-base 2000000100 --cowsample "$COWSAMPLE" \
		-o "$t/reports" $GRADED_FIRST "$ODD_NAME" >"$t/grade.out" 2>"$t/grade.err" || status=$?
	echo "$status" >"$t/grade.status"
	status=0
	wait "$second" || status=$?
	echo "$status" >"$t/second.status"
}

# require_grading: skip unless setup_file graded (as root).
require_grading() {
	[ "$(id -u)" -eq 0 ] || skip "grading needs root: its sandbox gives student code a user of its own (cowlab-grade refuses otherwise)"
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
	# user_cow's first missing part is the first touch's lazy allocation.
	run --separate-stderr "$t/user-cow/user_cow" --batch
	assert_failure 1
	assert_equal "$stderr" "user_cow: TODO 6 is not written yet (see its comment in the source)"
	run --separate-stderr "$t/mmap-copy/mmap_copy" /etc/hostname "$t/copy"
	assert_failure 1
	assert_equal "$stderr" "mmap_copy: TODO 1 is not written yet (see its comment in the source)"
	[ ! -e "$t/copy" ]
}

@test "cowlab-skel: the TODO code is gone from the skeleton, kept in the reference; the README lists every TODO" {
	local s=$BATS_FILE_TMPDIR/skeleton r=$BATS_FILE_TMPDIR/reference
	! grep -q 'c->dst = mmap' "$s/mmap-copy/mmap_copy.c" || fail "the skeleton keeps TODO code"
	grep -q 'c->dst = mmap' "$r/mmap-copy/mmap_copy.c"
	! grep -q 'END TODO' "$s/mmap-copy/mmap_copy.c" || fail "the skeleton keeps an END TODO marker"
	# (the student tree's files: tools/skel/FILES; other labs have TODOs of their own)
	[ "$(grep -c 'lab_todo(' "$s"/*/*.c | awk -F: '{ n += $2 } END { print n }')" -eq \
	  "$(grep -v '^#' "$COWLAB_SRCDIR/tools/skel/FILES" | grep '\.c$' | sed "s|^|$COWLAB_SRCDIR/support/|" |
		xargs grep -c '/\* TODO [0-9]*:' | awk -F: '{ n += $2 } END { print n }')" ]
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
	require_grading
	[ "$(cat "$BATS_FILE_TMPDIR/grade.status")" -eq 0 ] || fail "$(cat "$BATS_FILE_TMPDIR/grade.err")"
	[ "$(cat "$BATS_FILE_TMPDIR/second.status")" -eq 0 ] || fail "$(cat "$BATS_FILE_TMPDIR/second.err")"
	local name
	for name in $GRADED_FIRST odd_ok_99_fake__100_points__score__99; do
		[ -f "$BATS_FILE_TMPDIR/reports/$name.txt" ] || fail "no report for $name"
		tail -n 1 "$BATS_FILE_TMPDIR/reports/$name.txt" | grep -qx 'score: [0-9]*/[0-9]*'
		grep -qx "$name: score: [0-9]*/[0-9]*" "$BATS_FILE_TMPDIR/grade.out"
	done
	for name in $GRADED_SECOND; do
		grep -qx "$name: score: [0-9]*/[0-9]*" "$BATS_FILE_TMPDIR/second.out"
	done
}

@test "cowlab-grade --format junit: each attack tree's result is well-formed XML with its report's score and failed checks" {
	require_grading
	local name xml report x
	for name in $GRADED_SECOND; do
		xml=$BATS_FILE_TMPDIR/reports/$name.xml report=$BATS_FILE_TMPDIR/reports/$name.txt
		xmllint --noout "$xml" || fail "$name.xml is not XML"
		x() { xmllint --xpath "$1" "$xml"; }
		assert_equal "score: $(x 'string(//property[@name="score"]/@value)')/$(x 'string(//property[@name="max_score"]/@value)')" \
			"$(tail -n 1 "$report")"
		assert_equal "$(x 'count(//testcase)')" "$(grep -c '^@test' "$COWLAB_SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')"
		assert_equal "$(x 'count(//testcase[failure])')" "$(failed_checks "$report" | wc -l)"
		[ "$(x 'count(//testcase[failure])')" -eq 0 ] ||
			assert_equal "$(x '//testcase[failure]/@name' | sed 's/^ name="\(.*\)"$/\1/' | sed "s/&apos;/'/g")" "$(failed_checks "$report")"
	done
}

# assert_grade NAME CHECK...: NAME failed exactly the CHECKs (each named as
# in its row of the expectation table) and scored the total less their
# points: both from the tables, never a number written here.
check_name() {
	"$COWLAB_SRCDIR/tools/cowlab-expect" graded | awk -F '\t' -v id="$1" '
		$1 == id { printf "%s: %s (%d point%s)\n", $1, $3, $2, $2 == 1 ? "" : "s" }'
}

check_points() {
	"$COWLAB_SRCDIR/tools/cowlab-expect" graded | awk -F '\t' -v id="$1" '$1 == id { print $2; found = 1 }
		END { if (!found) print "no graded row " id > "/dev/stderr" }'
}

assert_grade() {
	local name=$1
	shift
	assert_grade_report "$BATS_FILE_TMPDIR/reports/$name.txt" "$@"
}

# assert_grade_report REPORT CHECK...: the same for the report file REPORT.
assert_grade_report() {
	local report=$1 total lost=0 points id
	shift
	total=$(total_points)
	for id in "$@"; do
		[ -n "$id" ] || continue
		points=$(check_points "$id")
		[ -n "$points" ] || fail "no graded row $id"
		lost=$((lost + points))
	done
	[ "$(tail -n 1 "$report")" = "score: $((total - lost))/$total" ] ||
		fail "$(report_summary "$report"), expected score: $((total - lost))/$total"
	assert_equal "$(failed_checks "$report")" "$(for id in "$@"; do [ -z "$id" ] || check_name "$id"; done)"
}

# report_summary REPORT: on one line, the report's score, and each failed
# check's row with what it says (for CI's short excerpt of a failure).
report_summary() {
	awk '/^not ok / { row = $4; sub(/:$/, "", row); n++; printf "%s %s:", (n > 1 ? ";" : " failed:"), row; next }
		n && /^# / { line = $0; sub(/^# +/, "", line); printf " %s", substr(line, 1, 120) }
		/^score: / { score = $0 }
		END { printf " -- %s", score }' "$1" | sed 's/^/'"${1##*/}"':/'
}

# The total, and every check's name, from the graded suite.
total_points() {
	grep -ho '([0-9]* points*)" {' "$COWLAB_SRCDIR"/tests/grade/*.bats | tr -dc '0-9\n' | awk '{ t += $1 } END { print t }'
}

@test "cowlab-grade: the reference gets every point" {
	require_grading
	assert_grade reference
}

@test "cowlab-grade: the skeleton gets none" {
	require_grading
	run failed_checks "$BATS_FILE_TMPDIR/reports/skeleton.txt"
	[ "${#lines[@]}" -eq "$(grep -c '^@test' "$COWLAB_SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')" ]
	[[ $(tail -n 1 "$BATS_FILE_TMPDIR/reports/skeleton.txt") == "score: 0/"* ]]
}

@test "cowlab-grade: DST mapped MAP_PRIVATE loses the copy and the MAP_SHARED checks" {
	require_grading
	assert_grade mmap-private \
		mmap-copy/identical \
		mmap-copy/dst-shared
}

@test "cowlab-grade: no ftruncate loses the copy and the ftruncate checks, and step 8, which its crashed copy never reaches" {
	require_grading
	assert_grade no-ftruncate \
		mmap-copy/identical \
		mmap-copy/dst-sized \
		mmap-copy/released
}

@test "cowlab-grade: fork where vfork is asked loses the vfork checks, faked timestamps and writes notwithstanding; fork + exec for posix_spawn loses posix_spawn's" {
	require_grading
	assert_grade fork-for-vfork \
		vfork/child-no-fault vfork/parent-sees \
		vfork/suspended vfork/posix-spawn
	local report=$BATS_FILE_TMPDIR/reports/fork-for-vfork.txt
	grep -qx '#   measured: no: the child was made by fork() (clone without CLONE_VM and CLONE_VFORK): the parent was never suspended' "$report" ||
		fail "$(cat "$report")"
}

@test "cowlab-grade: MAP_SHARED for the private buffer loses the check that the parent does not see the child's writes, its own seen: line notwithstanding" {
	require_grading
	assert_grade svp-forged-seen shared-vs-private/private-unseen
	# the parent holds the child's byte on every page the child wrote
	local report=$BATS_FILE_TMPDIR/reports/svp-forged-seen.txt
	local k
	k=$(scenario_param shared-vs-private base K)
	# K..K is said as one number
	grep -qx "#   expected: $k" "$report" || fail "$(cat "$report")"
	grep -qx "#   measured: 0 (the parent reads the child's writes on $k of the pages the child wrote)" "$report" || fail "$(cat "$report")"
}

@test "cowlab-grade: a 1-byte stride in write_pages loses every fault-count check of fork_faults but the idle parent's" {
	require_grading
	assert_grade stride-1 \
		copy-on-write/first-touch copy-on-write/child-reads \
		copy-on-write/child-writes copy-on-write/parent-rewrites
}

@test "cowlab-grade: no msync or munmap in mmap_copy (step 8) loses that check only" {
	require_grading
	assert_grade no-release mmap-copy/released
}

@test "cowlab-grade: uvm.c copying at cfork loses the frame count after the child's reads (it runs out of frames after K copies, which its writes then reuse), and the race's (its racers run out of frames, and the processes that die of it never drop their references)" {
	require_grading
	assert_grade uvm-eager user-cow/read-lab-frames user-cow/race-lab-frames
}

@test "cowlab-grade: uvm.c never dropping a reference loses the frames after the child's exit, and the rewrite and the race, which run out of frames" {
	require_grading
	assert_grade uvm-never-drops \
		user-cow/finished user-cow/exited-lab-frames \
		user-cow/rewrite-kept-frames user-cow/rewrite-lab-frames \
		user-cow/rewrite-data user-cow/race-lab-frames
	grep -q 'out of frames for a copy' "$BATS_FILE_TMPDIR/reports/uvm-never-drops.txt"
}

@test "cowlab-grade: uvm.c freeing a frame another process still maps loses the frame counts from the child's writes on, the reuse, the parent's data (the freed frame becomes the child's next copy) and the race" {
	require_grading
	assert_grade uvm-frees-shared \
		user-cow/wrote-lab-frames user-cow/wrote-mapped-frames \
		user-cow/exited-lab-frames user-cow/rewrite-kept-frames user-cow/rewrite-lab-frames \
		user-cow/wrote-parent-data user-cow/rewrite-data user-cow/race-lab-frames
}

@test "cowlab-grade: uvm.c with reference counts that are not atomic (a load, a pause, a store) loses the race's frame count only (two CPUs), its own user_cow.c that races one round notwithstanding" {
	require_grading
	[ "$(nproc)" -ge 2 ] || skip "one CPU: the racers take turns, no update is lost"
	# A lost update needs both racers on a CPU at once. In the run above,
	# two graders of two lanes each share the two CPUs, and a run of the
	# race may lose none (CI saw it): there it loses nothing else.
	local failed race report=$BATS_TEST_TMPDIR/alone/uvm-not-atomic.txt try
	race=$(check_name user-cow/race-lab-frames)
	failed=$(failed_checks "$BATS_FILE_TMPDIR/reports/uvm-not-atomic.txt")
	[ -z "$failed" ] || [ "$failed" = "$race" ] || fail "failed: $failed"
	# Graded alone (nothing else grading), it loses the race, in one of at
	# most 3 gradings: the kit's user_cow.c races R rounds (the tree's own
	# races one, where an update is rarely lost).
	for try in 1 2 3; do
		rm -rf "$BATS_TEST_TMPDIR/alone"
		TMPDIR=$GRADER_TMP "$GRADE" --timeout 60 --build-timeout 900 --uid-base 2000000100 --cowsample "$COWSAMPLE" \
			-o "$BATS_TEST_TMPDIR/alone" "$BATS_FILE_TMPDIR/uvm-not-atomic" >/dev/null 2>&1 || fail "cowlab-grade failed"
		[ "$(failed_checks "$report")" != "$race" ] || { assert_grade_report "$report" user-cow/race-lab-frames; return 0; }
		failed=$(failed_checks "$report")
		[ -z "$failed" ] || fail "graded alone, it failed: $failed"
	done
	fail "graded alone 3 times, counts that are not atomic never lost an update in the race"
}

@test "cowlab-grade: uvm.c copying no data into the new frame loses the copies' data only" {
	require_grading
	assert_grade uvm-copy-no-data user-cow/wrote-copies-data
}

@test "cowlab-grade: a uvm.c with no copy-on-write that makes user_cow print every expected result: line scores no frame check" {
	require_grading
	assert_grade uvm-fake-results $("$COWLAB_SRCDIR/tools/cowlab-expect" graded | cut -f1 |
		grep '^user-cow/' | grep -vx 'user-cow/finished')
}

@test "cowlab-grade: a syntax error in one lab costs that lab only; the report shows that lab's own build errors" {
	require_grading
	local report=$BATS_FILE_TMPDIR/reports/syntax-error.txt
	assert_grade syntax-error $("$COWLAB_SRCDIR/tools/cowlab-expect" graded | cut -f1 | grep '^mmap-copy/')
	grep -qx '# build mmap-copy/mmap_copy: FAILED; its last lines:' "$report"
	grep -q '^#   mmap-copy/mmap_copy.c:[0-9]*:[0-9]*: error: ' "$report"
	[ "$(grep -c '^# build [a-z-]*/[a-z_]*: ok$' "$report")" -eq 5 ]
}

@test "cowlab-grade: the report a student gets: each failed check says what was expected and what was measured, without bats' trace, shell source or the grader's paths; the instructor's log keeps all" {
	require_grading
	local name report log
	for name in $GRADED_FIRST $GRADED_SECOND; do
		report=$BATS_FILE_TMPDIR/reports/$name.txt
		run grep -n 'in test file\|from function\|grade_helper\|\.bats\|^#   `\|cowlab-grade\.\|'"$COWLAB_SRCDIR"'\|'"$GRADER_TMP"'\|status 137' "$report"
		assert_failure 1
	done
	report=$BATS_FILE_TMPDIR/reports/stride-1.txt
	grep -qx '#   expected: 512..[0-9]* minor faults in the step .parent-touched. (parent)' "$report" || fail "$(cat "$report")"
	grep -qx '#   measured: [0-9]*' "$report"
	log=$BATS_FILE_TMPDIR/reports/stride-1.log
	grep -q 'in test file' "$log"
	grep -q '^== build-copy-on-write.log' "$log"
	# where the student's time went (tools/bench-grade reads it)
	grep -qx '# seconds: build [0-9]*, checks [0-9]*' "$log"
}

@test "cowlab-grade: an endless loop in the child costs the steps it stops, nothing else, and is said to be stopped at the limit" {
	require_grading
	assert_grade endless-loop \
		copy-on-write/finished \
		copy-on-write/child-writes copy-on-write/parent-idle \
		copy-on-write/parent-rewrites
	grep -q "stopped after the 15 s limit" "$BATS_FILE_TMPDIR/reports/endless-loop.txt"
	! grep -q "status 137" "$BATS_FILE_TMPDIR/reports/endless-loop.txt"
}

@test "cowlab-grade: a fork bomb, also with setsid and threads, costs its own step" {
	require_grading
	local name
	for name in fork-bomb setsid-bomb; do
		assert_grade "$name" \
			vfork/finished \
			vfork/posix-spawn
	done
}

@test "cowlab-grade: a segfault costs its own step" {
	require_grading
	assert_grade segfault \
		copy-on-write/finished \
		copy-on-write/parent-rewrites
}

@test "cowlab-grade: directories of a tree that are links are refused (kit, another student, another user's): the skeleton's score" {
	require_grading
	local report=$BATS_FILE_TMPDIR/reports/linked-dirs.txt
	[[ $(tail -n 1 "$report") == "score: 0/"* ]] || fail "$(tail -n 1 "$report")"
	grep -q 'mmap-copy/mmap_copy.c (a link: refused)' "$report"
	grep -q 'vfork/vfork_demo.c (a link: refused)' "$report"
	grep -q 'copy-on-write/fork_faults.c (a link: refused)' "$report"
}

@test "cowlab-grade: a student name with a newline and a fake TAP line is made safe in every output" {
	require_grading
	local safe=odd_ok_99_fake__100_points__score__99
	assert_grade "$safe" ""
	run grep -h '^ok 99\|^score: 99' "$BATS_FILE_TMPDIR/grade.out" "$BATS_FILE_TMPDIR/grade.err" \
		"$BATS_FILE_TMPDIR/reports/$safe.txt"
	assert_failure 1
}

@test "cowlab-grade: forging through every inherited descriptor and /proc/PPID/fd: no descriptor reaches student code, the score is the honest one" {
	require_grading
	assert_grade forge-fds ""
	local report=$BATS_FILE_TMPDIR/reports/forge-fds.txt
	[ "$(grep -c '^score:' "$report")" -eq 1 ]
	! grep -q 'injected' "$report" "$BATS_FILE_TMPDIR/second.out"
}

@test "cowlab-grade: borrowing the reference through the environment and guessed paths gets the skeleton's score" {
	require_grading
	assert_equal "$(failed_checks "$BATS_FILE_TMPDIR/reports/borrow.txt")" \
		"$(failed_checks "$BATS_FILE_TMPDIR/reports/skeleton.txt")"
	[[ $(tail -n 1 "$BATS_FILE_TMPDIR/reports/borrow.txt") == "score: 0/"* ]]
}

@test "cowlab-grade: student code cannot read the kit, another student's tree, the grader's files, or their paths in its environment" {
	require_grading
	assert_grade snoop ""
}

@test "cowlab-grade: symlinks and hard links planted under the grader's names take over nothing" {
	require_grading
	assert_grade links ""
	assert_equal "$(stat -c '%U %G %a %s %Y' "$CANARY")" "$(cat "$BATS_FILE_TMPDIR/canary.stat")"
	assert_equal "$(cat "$CANARY")" "a file outside every run directory"
	[ ! -e "$CANARY_NEW" ] && [ ! -L "$CANARY_NEW" ]
	assert_equal "$(ls -A "$CANARY_DIR")" ""
}

@test "cowlab-grade: a FIFO planted where the grader reads costs only the check of that file" {
	require_grading
	assert_grade fifo shared-vs-private/file-shared-reached
}

@test "cowlab-grade: setsid daemons neither stall grading nor outlive their run" {
	require_grading
	assert_grade daemons ""
	! grep 'stopped after' "$BATS_FILE_TMPDIR/reports/daemons.txt" || fail "a step of the daemons tree was stopped at the time limit"
	run pgrep -x cowlab-daemon
	assert_failure 1
}

# The sandbox's end of a run under strace (trace_student's tool), for a
# program that forks a daemon (tests/attacks/daemons.c) and refuses at
# once: the inner shell kills every process of the user, and strace,
# which waits for every process it traces, ends with them. (A kill pass
# that missed the daemon's grandchild, forked after the pass listed /proc,
# left strace waiting until the time limit: in CI, the refusals of the
# daemons tree stalled.) Four lanes at once, 30 runs each.
@test "the sandbox: a program that double-forks a daemon and exits at once ends its run under strace, every time" {
	require_grading
	local t=$BATS_TEST_TMPDIR lane pids=() status
	mkdir -m 0755 "$t/bin" && mkdir -m 0700 "$t/out"
	{ echo 'int main(void) { return 1; }'; cat "$COWLAB_SRCDIR/tests/attacks/daemons.c"; } >"$t/daemon.c"
	cc -o "$t/bin/refuser" "$t/daemon.c" && chmod 0755 "$t/bin/refuser"
	for lane in 0 1 2 3; do
		mkdir -m 0777 "$t/run-$lane"
		(
			export SANDBOX_UID=$((2000000300 + lane)) SANDBOX_TIMEOUT=30 SANDBOX_NPROC=64 \
				SANDBOX_AS=$((1 << 30)) SANDBOX_FSIZE=$((1 << 20)) SANDBOX_NOFILE=64 \
				SANDBOX_TMP=$((1 << 20)) SANDBOX_OUTPUT_CAP=10000 SANDBOX_RO=$t/bin/refuser
			for i in $(seq 30); do
				status=0
				bash "$COWLAB_SRCDIR/tests/grade/sandbox.bash" sandbox_run "$t/run-$lane" "$t/out" 6 \
					"$(command -v strace)" -f -qq -o "$t/out/strace-$lane.log" -- "$t/bin/refuser" \
					>/dev/null 2>&1 || status=$?
				[ "$status" -eq 1 ] || { echo "lane $lane, run $i: exit status $status, expected 1"; exit 1; }
			done
		) >"$t/lane-$lane" &
		pids+=($!)
	done
	status=0
	for lane in 0 1 2 3; do wait "${pids[$lane]}" || status=1; done
	[ $status -eq 0 ] || fail "$(cat "$t"/lane-*)"
	run pgrep -U 2000000300,2000000301,2000000302,2000000303
	assert_failure 1
}

@test "cowlab-grade: 1 GiB of output is capped in the grader's files; its memory stays bounded" {
	require_grading
	assert_grade output ""
	[ "$(stat -c %s "$BATS_FILE_TMPDIR/reports/output.txt")" -lt 1000000 ]
	# GNU time: the largest resident set of the grader and all it ran, in KiB
	[ "$(cat "$BATS_FILE_TMPDIR/second.maxrss")" -lt 300000 ] ||
		fail "the grader (or a process it ran) grew to $(cat "$BATS_FILE_TMPDIR/second.maxrss") KiB"
}

@test "cowlab-grade: filling the disk fills only the student's own room" {
	require_grading
	assert_grade fill-disk ""
	local place
	for place in /tmp /var/tmp /dev/shm "$GRADER_TMP"; do
		run compgen -G "$place/cowlab-attack-*"
		assert_failure
	done
}

@test "cowlab-grade: a forged strace.log in the run directory does not count: a read/write copier loses the mmap checks" {
	require_grading
	assert_grade forge-strace mmap-copy/dst-shared mmap-copy/dst-sized mmap-copy/released
}

@test "cowlab-grade: after both graders, no process of any lane's user is left, and no temporary file or mount" {
	require_grading
	run pgrep -a -U "$(seq -s, 2000000100 2000000109)"
	assert_failure 1
	assert_equal "$(ls -A "$GRADER_TMP")" ""
	run grep -c " $GRADER_TMP" /proc/mounts
	assert_output 0
}

@test "cowlab-grade: interrupted, it says so in one line, exits 130, and leaves no process, temporary file or mount" {
	require_grading
	local t=$BATS_TEST_TMPDIR pid status=0 deadline=$((SECONDS + 600))
	mkdir -m 0700 "$t/tmp"
	TMPDIR=$t/tmp "$GRADE" --uid-base 2000000200 --cowsample "$COWSAMPLE" -o "$t/reports" \
		"$BATS_FILE_TMPDIR/endless-loop" >"$t/out" 2>"$t/err" &
	pid=$!
	# until its checks have begun (the first record), then SIGTERM
	until compgen -G "$t/tmp/cowlab-grade.*/0/private/records/*" >/dev/null; do
		[ $SECONDS -lt $deadline ] || { kill -KILL "$pid"; fail "no check began in 600 s"; }
		sleep 0.2
	done
	kill -TERM "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 130
	assert_equal "$(cat "$t/err")" "cowlab-grade: interrupted; cleaning up"
	assert_equal "$(ls -A "$t/tmp")" ""
	run grep -c " $t/tmp" /proc/mounts
	assert_output 0
	run pgrep -U 2000000200
	assert_failure 1
	run pgrep -f "$t/tmp/"
	assert_failure 1
}

@test "cowlab-grade: without root (no sandbox) it refuses to grade unless --unsafe" {
	local refusal="cowlab-grade: cannot isolate student code: not root (the sandbox gives student code a user of its own); refusing to grade (--unsafe grades without isolation, with a warning in every report)"
	if [ "$(id -u)" -ne 0 ]; then
		# A normal user's suite: the grader refuses that user.
		run --separate-stderr "$GRADE" --cowsample "$COWSAMPLE" -o "$BATS_TEST_TMPDIR/r" "$BATS_FILE_TMPDIR/skeleton"
		assert_failure 1
		assert_equal "$stderr" "$refusal"
		return
	fi
	local kit=$BATS_TEST_TMPDIR/kit parent
	mkdir -p "$kit/tools" "$kit/tests" "$kit/support" "$kit/student" "$kit/labs"
	cp -R "$COWLAB_SRCDIR/tools/cowlab-grade" "$COWLAB_SRCDIR/tools/skel" "$COWLAB_SRCDIR/tools/findlab.sh" \
		"$COWLAB_SRCDIR/tools/cowlab-expect" "$COWLAB_SRCDIR/tools/expect.awk" "$COWLAB_SRCDIR/tools/expr.awk" \
		"$COWSAMPLE" "$kit/tools/"
	cp "$COWLAB_SRCDIR/labs/registry.tsv" "$COWLAB_SRCDIR/labs/slack.tsv" "$kit/labs/"
	cp -R "$COWLAB_SRCDIR/tests/grade" "$kit/tests/"
	cp "$COWLAB_SRCDIR/support/cowlab.h" "$kit/support/"
	chmod -R a+rX "$kit"
	parent=$kit
	while [ "$parent" != / ]; do parent=$(dirname "$parent"); chmod o+x "$parent"; done
	cd "$kit" || fail
	run --separate-stderr as_nobody "$kit/tools/cowlab-grade" -o "$kit/student" "$kit/student"
	assert_failure 1
	assert_equal "$stderr" "$refusal"
}

@test "cowlab-grade: usage errors" {
	assert_usage_error "$GRADE"
	assert_usage_error "$GRADE" --jobs 0 x
	assert_usage_error "$GRADE" --bogus x
	run --separate-stderr "$GRADE" "$BATS_TEST_TMPDIR/nothing-here"
	assert_failure 1
	assert_equal "$stderr" "cowlab-grade: $BATS_TEST_TMPDIR/nothing-here: not a directory"
}
