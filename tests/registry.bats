#!/usr/bin/env bats
# tests/registry.bats - the lab registry (labs/registry.tsv) names each lab
# once, and everything that names labs agrees with it: the folders, texts,
# quizzes, programs, labs/README.md's table (tools/lab-table), the student tree's file list,
# and the make targets that take LAB=ID.

load test_helper
bats_require_minimum_version 1.5.0

REGISTRY=$SRCDIR/labs/registry.tsv

# The registry's lines, without comments.
labs() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$REGISTRY"
}

@test "registry: seven columns, unique ids, every lab has its folder, text and built program" {
	labs | awk -F '\t' 'NF != 7 { print "line " NR ": " NF " columns"; bad = 1 } END { exit bad }'
	[ -z "$(labs | cut -f1 | sort | uniq -d)" ] || fail "ids twice: $(labs | cut -f1 | sort | uniq -d)"
	local id program graded root quizzes title shows
	while IFS=$'\t' read -r id program graded root quizzes title shows; do
		[[ $id =~ ^[a-z0-9]+(-[a-z0-9]+)*$ ]] || fail "$id: not a lab id"
		[ -d "$SRCDIR/support/$id" ] || fail "$id: no support/$id"
		[ -f "$SRCDIR/labs/$id.md" ] || fail "$id: no labs/$id.md"
		[ -x "$BUILDDIR/support/$id/$program" ] || fail "$id: $program not built in support/$id"
		[[ $graded == yes || $graded == no ]] || fail "$id: graded is '$graded'"
		[ -f "$SRCDIR/support/$id/expect.tsv" ] || fail "$id: no expectation table support/$id/expect.tsv"
		[ -n "$root" ] && [ -n "$title" ] && [ -n "$shows" ] || fail "$id: empty column"
	done < <(labs)
	# Every folder of support/ is a lab's (benchmarks are not labs).
	local dir
	for dir in "$SRCDIR"/support/*/; do
		dir=$(basename "$dir")
		labs | cut -f1 | grep -qx -- "$dir" || fail "support/$dir is no lab of the registry"
	done
	! labs | cut -f1 | grep -qx bench-copy
}

@test "registry: every quiz belongs to one lab, is named after it, and the text asks them in the registry's order" {
	local id quizzes q linked listed
	while IFS=$'\t' read -r id quizzes; do
		[ "$quizzes" = - ] && continue
		for q in ${quizzes//,/ }; do
			[ -f "$SRCDIR/quiz/$q.md" ] || fail "$id: no quiz/$q.md"
			[[ $q == "$id"-* ]] || fail "$id: quiz $q is not named $id-..."
		done
		# The quizzes the text links (it may link fewer), in the registry's order.
		linked=$(grep -o 'quiz/[a-z0-9-]*\.md' "$SRCDIR/labs/$id.md" | sed 's|quiz/||; s|\.md$||' | awk '!seen[$0]++')
		listed=$(tr ',' '\n' <<<"$quizzes" | grep -xF -f <(printf '%s\n' "$linked") || true)
		assert_equal "$linked" "$listed"
	done < <(labs | cut -f1,5)
	for q in "$SRCDIR"/quiz/*.md; do
		q=$(basename "$q" .md)
		[ "$(labs | cut -f5 | tr ',' '\n' | grep -cx -- "$q")" -eq 1 ] || fail "quiz $q is not listed once in the registry"
	done
}

@test "registry: labs/README.md's table is tools/lab-table's, from the registry (make lab-table)" {
	run sh "$SRCDIR/tools/lab-table" --check "$SRCDIR/labs/README.md"
	assert_success
	assert_output ""
	# and it holds every lab, in the registry's order
	local table
	table=$(sed -n 's/^| \([0-9]*\) | \[\([^]]*\)\](\([a-z0-9-]*\)\.md) | `support\/\([^`]*\)` |.*/\1\t\3\t\2\t\4/p' "$SRCDIR/labs/README.md")
	assert_equal "$table" "$(labs | awk -F '\t' '{ print NR "\t" $1 "\t" $6 "\t" $1 "/" $2 }')"
}

@test "lab-table: a table the registry no longer gives is stale; make lab-table's run mends it" {
	local dir=$BATS_TEST_TMPDIR/labs
	mkdir -p "$dir"
	cp "$SRCDIR/labs/README.md" "$REGISTRY" "$dir/"
	chmod u+w "$dir/README.md" "$dir/registry.tsv"	# (read-only sources in distcheck)
	# a title changed in the registry, a lab's what-it-shows with a '|'
	sed -i 's/\tvfork()\t/\tvfork() and its parent\t/; s/\tclone() flags\t\(.*\)$/\tclone() flags\tone | two/' "$dir/registry.tsv"
	run --separate-stderr sh "$SRCDIR/tools/lab-table" --check "$dir/README.md"
	assert_failure 1
	[[ $stderr == *"README.md: the table of labs is not the registry's (run make lab-table)"* ]] || fail "$stderr"
	cmp -s "$SRCDIR/labs/README.md" "$dir/README.md" || fail "--check changed the text"
	run sh "$SRCDIR/tools/lab-table" "$dir/README.md"
	assert_success
	run sh "$SRCDIR/tools/lab-table" --check "$dir/README.md"
	assert_success
	grep -qF '| 4 | [vfork() and its parent](vfork.md) | `support/vfork/vfork_demo` |' "$dir/README.md"
	grep -qF '| 5 | [clone() flags](clone.md) | `support/clone/clone_demo` | one \| two |' "$dir/README.md"
	# outside the markers nothing changed
	diff <(sed '/^<!-- lab-table: generated/,/^<!-- lab-table: end/d' "$SRCDIR/labs/README.md") \
		<(sed '/^<!-- lab-table: generated/,/^<!-- lab-table: end/d' "$dir/README.md")
	# a registry line without its seven columns is refused with its line
	printf 'nope\tprog\tno\t-\t-\tNope\n' >>"$dir/registry.tsv"
	run --separate-stderr sh "$SRCDIR/tools/lab-table" "$dir/README.md"
	assert_failure 1
	[[ $stderr == *"registry.tsv:"*": 6 columns, not 7"* ]] || fail "$stderr"
	# no markers: refused, the text untouched
	printf '# labs\n' >"$dir/README.md"
	run --separate-stderr sh "$SRCDIR/tools/lab-table" --registry "$REGISTRY" "$dir/README.md"
	assert_failure 1
	[[ $stderr == *"no lab-table marker"* ]] || fail "$stderr"
	assert_equal "$(cat "$dir/README.md")" "# labs"
}

@test "registry: the student tree's files are those of the graded labs" {
	local graded files
	graded=$(labs | awk -F '\t' '$3 == "yes" { print $1 }' | sort)
	files=$(grep -v -e '^#' -e '^$' "$SRCDIR/tools/skel/FILES" | cut -d/ -f1 | sort -u)
	assert_equal "$files" "$graded"
}

@test "registry: make demo, lab and quiz refuse a name that is no lab's id, with the list of ids" {
	local ids target name
	ids=$(labs | cut -f1 | paste -sd ' ' -)
	for target in demo lab quiz; do
		for name in fork_faults fork-faults bench-copy nope; do
			run --separate-stderr make -s -C "$BUILDDIR" "$target" LAB="$name" </dev/null
			[ "$status" -ne 0 ] || fail "make $target LAB=$name: exit status 0"
			[[ $stderr == *"$name: no such lab (the labs: $ids)"* ]] || fail "make $target LAB=$name: $stderr"
		done
	done
}

@test "registry: make quiz LAB=ID asks exactly the lab's quizzes, in the registry's order" {
	local id quizzes titles want q
	while IFS=$'\t' read -r id quizzes; do
		[ "$quizzes" = - ] && continue
		# One answer, then end of input: the runner stops after the first
		# question; its header names how many it was given.
		run make -s -C "$BUILDDIR" quiz LAB="$id" <<<"1"
		want=$(tr ',' '\n' <<<"$quizzes" | wc -l)
		assert_output --partial "== Question 1 of $want: $(sed -n 's/^# //p' "$SRCDIR/quiz/${quizzes%%,*}.md" | head -n 1)"
	done < <(labs | cut -f1,5)
}

@test "registry: README's list of the graded labs' programs is the registry's graded labs" {
	local listed graded
	# The parenthesis after "the graded labs" in README.md, its program names.
	listed=$(tr '\n' ' ' <"$SRCDIR/README.md" | sed -n 's/.*the graded labs (\([^)]*\)).*/\1/p' |
		grep -o '[a-z_]\+' | grep -xF -f <(labs | cut -f2) | sort -u)
	graded=$(labs | awk -F '\t' '$3 == "yes" { print $2 }' | sort -u)
	[ -n "$graded" ] || fail "the registry has no graded lab"
	assert_equal "$listed" "$graded"
}
