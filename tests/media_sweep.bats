#!/usr/bin/env bats
# The figures of make media drawn from several runs of a lab
# (tools/media-sweep, tools/lines-tsv, cowplot copyread and snapshot): the
# runs at the parameters make media uses (read from the labs' local.mk)
# give both layouts at every number of objects and every write rate, with
# the lab's own bounds; the committed tables under media/ hold the same;
# the figures draw, naming what they show.
load test_helper

COWPLOT=$SRCDIR/tools/cowplot
SWEEP=$SRCDIR/tools/media-sweep

# make_var LAB NAME: the value of "NAME = value" in support/LAB/local.mk
make_var() {
	local value
	value=$(sed -n "s/^$2 = //p" "$SRCDIR/support/$1/local.mk")
	[ -n "$value" ] || { echo "make_var: no $2 in support/$1/local.mk" >&2; return 1; }
	echo "$value"
}

setup() {
	STRAY=$(slack STRAY)
	GAP=$(slack SAMPLER_GAP)
}

# check_copy_on_read TSV OBJECTS SIZE: one row per layout and number of
# objects M of OBJECTS, objects of SIZE bytes; the inline reader copies
# every page of objects, the separate one the pages of the counts (8 bytes
# each), as the lab's expectation table says; the page size is the table's.
check_copy_on_read() {
	run awk -F'\t' -v objects="$2" -v size="$3" -v stray="$STRAY" '
		function ceil(x) { return x == int(x) ? x : int(x) + 1 }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			m = $c["objects"]; l = $c["layout"]; n = $c["copied_pages"]; p = $c["page_size"]
			if ($c["object_size"] != size) { print "row " NR ": object_size " $c["object_size"] ", make media asks " size; bad = 1 }
			low = ceil(m * (l == "read-inline" ? size : 8) / p)
			if (l != "read-inline" && l != "read-separate") { print "row " NR ": layout " l; bad = 1 }
			if (n < low || n > low + stray) { print "row " NR ": " l " at M=" m ": " n " pages, not in [" low ", " low + stray "]"; bad = 1 }
			if ((m, l) in seen) { print "row " NR ": a second " l " at M=" m; bad = 1 }
			seen[m, l] = 1
		}
		END {
			k = split(objects, want, " ")
			for (i = 1; i <= k; i++)
				for (j = split("read-inline read-separate", lay, " "); j >= 1; j--)
					if (!((want[i], lay[j]) in seen)) { print "no " lay[j] " row at M=" want[i]; bad = 1 }
			if (NR - 1 != 2 * k) { print NR - 1 " rows for " k " numbers of objects"; bad = 1 }
			exit bad
		}' "$1"
	[ "$status" -eq 0 ] || fail "$1: $output"
}

# check_snapshot TSV RATES PAGES CHUNKS: every rate U of RATES, with rows
# for chunks 0..C; from chunk 0 to C the saver's Private_Dirty grows by one
# page per page the parent wrote (U x C, and what the saver itself wrote
# between the two readings: SAMPLER_GAP, as tests/snapshot.bats); the
# anonymous RSS of each process stays within STRAY pages (not in the
# sanitizer build, whose shadow memory grows with every allocation).
check_snapshot() {
	local sanitized=0
	is_sanitized "$BUILDDIR/support/snapshot/snapshot" && sanitized=1
	run awk -F'\t' -v rates="$2" -v pages="$3" -v chunks="$4" -v gap="$GAP" -v stray="$STRAY" \
		-v sanitized="$sanitized" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			u = $c["updates"]; k = $c["chunk"]; kb = $c["page_size"] / 1024
			if ($c["pages"] != pages || $c["chunks"] != chunks) { print "row " NR ": not -n " pages " -c " chunks; bad = 1 }
			if ($c["parent_written"] != u * k) { print "row " NR ": parent_written " $c["parent_written"] " after chunk " k " at U=" u; bad = 1 }
			cow[u, k] = $c["child_private_dirty_kb"]
			panon[u, k] = $c["parent_anon_kb"]; canon[u, k] = $c["child_anon_kb"]
		}
		END {
			n = split(rates, want, " ")
			for (i = 1; i <= n; i++) {
				u = want[i]
				for (k = 0; k <= chunks; k++)
					if (!((u, k) in cow)) { print "U=" u ": no row for chunk " k; bad = 1 }
				if (bad) continue
				grew = cow[u, chunks] - cow[u, 0]
				low = u * chunks * kb; high = (u * chunks + gap) * kb
				if (grew < low || grew > high) { print "U=" u ": Private_Dirty grew " grew " kB, not in [" low ", " high "]"; bad = 1 }
				if (!sanitized && (panon[u, chunks] - panon[u, 0] > stray * kb || canon[u, chunks] - canon[u, 0] > stray * kb ||
				    panon[u, chunks] < panon[u, 0] || canon[u, chunks] < canon[u, 0])) {
					print "U=" u ": the anonymous RSS moved: parent " panon[u, 0] " -> " panon[u, chunks] \
						" kB, child " canon[u, 0] " -> " canon[u, chunks] " kB"; bad = 1
				}
			}
			if (NR - 1 != n * (chunks + 1)) { print NR - 1 " rows for " n " rates of " chunks + 1 " chunks"; bad = 1 }
			exit bad
		}' "$1"
	[ "$status" -eq 0 ] || fail "$1: $output"
}

@test "media-sweep copy-on-read at make media's parameters: both layouts at every M, the lab's bounds" {
	local objects size tsv=$BATS_TEST_TMPDIR/reads.tsv
	objects=$(make_var copy-on-read MEDIA_COPY_ON_READ_OBJECTS)
	size=$(make_var copy-on-read MEDIA_COPY_ON_READ_SIZE)
	run "$SWEEP" copy-on-read --builddir "$BUILDDIR" -o "$tsv" -s "$size" $objects
	assert_success
	assert_output ""
	check_copy_on_read "$tsv" "$objects" "$size"
	# each run's output is kept beside the table
	for m in $objects; do
		[ -s "$tsv.copy-on-read-$m.out" ] || fail "no output kept for M=$m"
	done
}

@test "cowplot copyread: a real sweep draws as SVG and PNG, both layouts in the legend, the ratio from the data" {
	local tsv=$BATS_TEST_TMPDIR/reads.tsv size=128 inline separate
	run "$SWEEP" copy-on-read --builddir "$BUILDDIR" -o "$tsv" -s "$size" 1024 4096
	assert_success
	run "$COWPLOT" copyread "$tsv" -o "$BATS_TEST_TMPDIR/r.svg" --note 'test run'
	assert_success
	assert_output ""
	run xmllint --noout "$BATS_TEST_TMPDIR/r.svg"
	assert_success
	run cat "$BATS_TEST_TMPDIR/r.svg"
	assert_output --partial "counts inside the objects (read-inline)"
	assert_output --partial "counts in a separate array (read-separate)"
	# the ratio above the graph: the table's numbers at the most objects read
	inline=$(awk -F'\t' '$1 == 4096 && $4 == "read-inline" { print $5 }' "$tsv")
	separate=$(awk -F'\t' '$1 == 4096 && $4 == "read-separate" { print $5 }' "$tsv")
	assert_output --partial "4096 objects read: inline copied $inline pages, separate $separate:"
	run "$COWPLOT" copyread "$tsv" -o "$BATS_TEST_TMPDIR/r.png" --size 1200x700
	assert_success
	run file "$BATS_TEST_TMPDIR/r.png"
	assert_output --partial "1200 x 700"
	run find "$BATS_TEST_TMPDIR" -name '.*.tmp'
	assert_output ""
}

@test "media-sweep snapshot at make media's rates: the copy-on-write memory follows the pages written, RSS does not move" {
	local rates pages chunks tsv=$BATS_TEST_TMPDIR/rates.tsv
	rates=$(make_var snapshot MEDIA_SNAPSHOT_RATES)
	pages=$(make_var snapshot MEDIA_SNAPSHOT_PAGES)
	chunks=$(make_var snapshot MEDIA_SNAPSHOT_CHUNKS)
	[ "$(echo $rates | wc -w)" -eq 3 ] || fail "make media asks for $rates: the figure shows three rates"
	run "$SWEEP" snapshot --builddir "$BUILDDIR" -o "$tsv" -n "$pages" -c "$chunks" $rates
	assert_success
	check_snapshot "$tsv" "$rates" "$pages" "$chunks"
	run "$COWPLOT" snapshot "$tsv" -o "$BATS_TEST_TMPDIR/s.svg"
	assert_success
	run xmllint --noout "$BATS_TEST_TMPDIR/s.svg"
	assert_success
	run cat "$BATS_TEST_TMPDIR/s.svg"
	for u in $rates; do
		assert_output --partial "$u pages ("
	done
	assert_output --partial "Private_Dirty"
	assert_output --partial "RSS"
	run "$COWPLOT" snapshot "$tsv" -o "$BATS_TEST_TMPDIR/s.png"
	assert_success
	run file "$BATS_TEST_TMPDIR/s.png"
	assert_output --partial "PNG image data"
}

@test "the committed tables of media/ hold what make media asks for: both layouts, three rates, the labs' bounds" {
	check_copy_on_read "$SRCDIR/media/copy-on-read.tsv" "$(make_var copy-on-read MEDIA_COPY_ON_READ_OBJECTS)" \
		"$(make_var copy-on-read MEDIA_COPY_ON_READ_SIZE)"
	check_snapshot "$SRCDIR/media/snapshot-rates.tsv" "$(make_var snapshot MEDIA_SNAPSHOT_RATES)" \
		"$(make_var snapshot MEDIA_SNAPSHOT_PAGES)" "$(make_var snapshot MEDIA_SNAPSHOT_CHUNKS)"
}

@test "media-sweep: a failed run leaves no table; bad values are usage errors of one line" {
	local tsv=$BATS_TEST_TMPDIR/t.tsv
	# U x C above N: the lab refuses it
	run "$SWEEP" snapshot --builddir "$BUILDDIR" -o "$tsv" -n 64 -c 2 16 64
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "see $tsv.snapshot-64.out"
	[ ! -e "$tsv" ] && [ ! -e "$tsv.tmp" ]
	run "$SWEEP" copy-on-read --builddir "$BUILDDIR" -o "$tsv" -s 128 '1;touch x'
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$SWEEP" nosuchlab -o "$tsv" 1
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	[ ! -e "$tsv" ]
}

@test "lines-tsv: the lines of one tag as rows, --set columns first; a missing key or no line is one error line" {
	local in=$BATS_TEST_TMPDIR/in.txt
	printf '%s\n' 'result: phase=a role=child minor=3 major=0' 'other: phase=b minor=9' \
		'result: phase=b role=child minor=5 major=1' > "$in"
	run "$SRCDIR/tools/lines-tsv" --set 'run=x y' result: phase=layout minor < "$in"
	assert_success
	assert_output "$(printf 'run\tlayout\tminor\nx y\ta\t3\nx y\tb\t5')"
	run "$SRCDIR/tools/lines-tsv" --no-header result major < "$in"
	assert_output "$(printf '0\n1')"
	run "$SRCDIR/tools/lines-tsv" result nosuchkey < "$in"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no nosuchkey="
	run "$SRCDIR/tools/lines-tsv" memory chunk < "$in"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial 'no line starting "memory: "'
}
