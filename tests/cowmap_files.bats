#!/usr/bin/env bats
# cowmap --diff of two per-page files (cowmap --tsv, cowsample
# --snapshot-dir): hand-written files whose every count is known, and
# hostile ones. Needs no root: the frame numbers are in the files.

bats_require_minimum_version 1.5.0
load test_helper
load cowmap_helper

HEADER=$'vaddr\tpresent\texclusive\tpfn\tmapcount\tthp\tarea'
HEAP=0x1000-0x5000			# 4 pages
STACK=0x7ff000000000-0x7ff000004000	# 4 pages, terabytes away

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	# parent: two heap pages and one stack page
	printf '%s\n' "$HEADER" \
		$'0x1000\t1\t0\t0x10\t2\t0\t'$HEAP \
		$'0x2000\t1\t1\t0x11\t1\t0\t'$HEAP \
		$'0x7ff000000000\t1\t1\t0x20\t1\t0\t'$STACK >P.tsv
	# child: the first heap page shared, the second copied, another stack page
	printf '%s\n' "$HEADER" \
		$'0x1000\t1\t0\t0x10\t2\t0\t'$HEAP \
		$'0x2000\t1\t1\t0x99\t1\t0\t'$HEAP \
		$'0x7ff000001000\t1\t1\t0x30\t1\t0\t'$STACK >C.tsv
}

@test "cowmap --diff FILES: only the mapped ranges are counted, not the gap between heap and stack" {
	run --separate-stderr "$COWMAP" --diff P.tsv C.tsv
	assert_success
	assert_line --index 0 "parent 0, child 0: 8 pages in 2 mapped ranges (0x1000-0x7ff000004000)"
	[ "$(diff_count shared)" -eq 1 ]
	[ "$(diff_count copied)" -eq 1 ]
	[ "$(diff_count only-parent)" -eq 1 ]
	[ "$(diff_count only-child)" -eq 1 ]
	[ "$(diff_count absent)" -eq 4 ]
	# --range cuts the mapped ranges: the heap only
	run "$COWMAP" --diff --range 0x0-0x100000 P.tsv C.tsv
	assert_success
	assert_line --index 0 "parent 0, child 0: 4 pages in 1 mapped range (0x1000-0x5000)"
	[ "$(diff_count absent)" -eq 2 ]
}

@test "cowmap --diff FILES: reversed or repeated rows are refused with their line number" {
	printf '%s\n' "$HEADER" $'0x2000\t1\t1\t0x11\t1\t0\t'$HEAP $'0x1000\t1\t0\t0x10\t2\t0\t'$HEAP >R.tsv
	run --separate-stderr "$COWMAP" --diff R.tsv C.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: R.tsv: line 3: not after the row before it (the rows of a per-page table are in increasing address order, each page once)"
	printf '%s\n' "$HEADER" $'0x1000\t1\t0\t0x10\t2\t0\t'$HEAP $'0x1000\t1\t0\t0x10\t2\t0\t'$HEAP >D.tsv
	run --separate-stderr "$COWMAP" --diff P.tsv D.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: D.tsv: line 3: not after the row before it (the rows of a per-page table are in increasing address order, each page once)"
	# a page outside its area, an unaligned address
	printf '%s\n' "$HEADER" $'0x9000\t1\t0\t0x10\t2\t0\t'$HEAP >O.tsv
	run --separate-stderr "$COWMAP" --diff P.tsv O.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: O.tsv: line 2: not a per-page table (cowmap --tsv)"
	printf '%s\n' "$HEADER" $'0x1001\t1\t0\t0x10\t2\t0\t'$HEAP >U.tsv
	run --separate-stderr "$COWMAP" --diff P.tsv U.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: U.tsv: line 2: not a per-page table (cowmap --tsv)"
}

@test "cowmap --diff FILES: files without mapped ranges (6 columns) say the absent pages are not known" {
	cut -f1-6 P.tsv >P6.tsv
	cut -f1-6 C.tsv >C6.tsv
	run --separate-stderr "$COWMAP" --diff P6.tsv C6.tsv
	assert_success
	assert_line --index 0 --regexp '^parent 0, child 0: 4 pages present on either side '
	assert_line --regexp '^  absent +- +present in neither: not known'
	[ "$(diff_count copied)" -eq 1 ]
	# with --range the range is taken as given
	run "$COWMAP" --diff --range 0x1000-0x5000 P6.tsv C6.tsv
	[ "$(diff_count absent)" -eq 2 ]
}

@test "cowmap --diff: a directory, a device, a numeric file name, an --svg that is an input" {
	mkdir dir
	run --separate-stderr "$COWMAP" --diff dir C.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: dir: Is a directory"
	# /dev/zero: refused at its first line, not read as one endless line
	run --separate-stderr "$COWMAP" --diff /dev/zero C.tsv
	assert_failure 1
	assert_equal "$stderr" "cowmap: /dev/zero: line 1: not a per-page table (cowmap --tsv)"
	# files named like PIDs are files
	cp P.tsv 123 && cp C.tsv 456
	run "$COWMAP" --diff 123 456
	assert_success
	[ "$(diff_count copied)" -eq 1 ]
	run --separate-stderr "$COWMAP" --diff 123 1
	assert_failure 2
	# --svg onto an input: refused, the input kept
	cp P.tsv keep.tsv
	run --separate-stderr "$COWMAP" --diff --svg P.tsv P.tsv C.tsv
	assert_failure 2
	cmp P.tsv keep.tsv
}

@test "cowmap --svg: --when with bytes that are not UTF-8 and control characters still gives valid SVG" {
	local when
	when=$'bad \xff\xfe utf8 \x01\x1b[31m ctl <&> "q" \xc3\xa9t\xc3\xa9 \xe2\x82 cut \xed\xa0\x80 surrogate'
	run "$COWMAP" --diff --svg x.svg --when "$when" P.tsv C.tsv
	assert_success
	xmllint --noout x.svg
	rsvg-convert x.svg -o x.png
	[ -s x.png ]
	grep -q 'été' x.svg
	grep -q '&lt;&amp;&gt; &quot;q&quot;' x.svg
}

@test "cowmap --svg /dev/stdout: written into the pipe or the file stdout appends to" {
	run --separate-stderr sh -c '"$@" | cat' sh "$COWMAP" --diff --tsv --svg /dev/stdout P.tsv C.tsv
	assert_success
	assert_line --index 0 '<?xml version="1.0" encoding="UTF-8"?>'
	echo keep >log
	"$COWMAP" --diff --svg /dev/stdout P.tsv C.tsv >>log
	assert_equal "$(head -n 1 log)" keep
	sed -n '/^<?xml/,/^<\/svg>/p' log | xmllint --noout -
	run ls -A
	refute_output --partial cowlab-partial
}
