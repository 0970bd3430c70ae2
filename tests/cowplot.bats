#!/usr/bin/env bats
# cowplot: every kind renders from a small TSV made here by the real tools
# (cowsample, fork_faults, fork_bench, bench-copy); the SVG is valid XML, the
# PNG has the asked size and is not blank, the PDF is a PDF; the figure
# shows the run's own data (PIDs, phases); bad input gives one line on
# stderr, exit 1 and no output file.

load test_helper

COWPLOT=$SRCDIR/tools/cowplot
FORK_FAULTS=$BUILDDIR/support/copy-on-write/fork_faults
FORK_COST=$BUILDDIR/tools/fork_bench
COPY_BENCH=$BUILDDIR/tools/copy_bench
BENCH_COPY=$SRCDIR/tools/bench-copy

# Small runs: N pages, the child writes K.
N=256
K=100

# The TSVs come from real runs, made once for the whole file.
setup_file() {
	local dir=$BATS_FILE_TMPDIR
	"$COWSAMPLE" --smaps -o "$dir/fork.tsv" -- $(traced_env) "$FORK_FAULTS" --batch -n "$N" -w "$K" \
		> "$dir/fork.out"
	if [ -x "$FORK_COST" ]; then
		"$FORK_COST" --batch --sizes 1,2 --repeat 1 --fault-pages 64 \
			-o "$dir/forkcost.tsv" --fault-cost-o "$dir/faultcost.tsv" > "$dir/forkcost.out" 2>&1
	fi
	"$BENCH_COPY" --copy-bench "$COPY_BENCH" --size 1M --runs 1 --cold-runs 0 \
		--methods mmap,read --dir "$dir/copy" -o "$dir/copy.tsv" > "$dir/copy.out"
}

# fork_cost is part of the kit; if it was not built, its plots are skipped
# with a message rather than failing on a missing table.
need_fork_cost() {
	[ -x "$FORK_COST" ] || skip "fork_cost is not in this tree yet"
}

# PNG width x height, as file(1) reports it
png_size() {
	file "$1" | sed -n 's/.*PNG image data, \([0-9]*\) x \([0-9]*\),.*/\1x\2/p'
}

# Number of distinct colours among every third pixel of a PNG (gnuplot
# reads the PNG back and lists its pixels); a blank image has 1.
png_colours() {
	local table=$BATS_TEST_TMPDIR/pixels.txt
	gnuplot -e "set table '$table'; plot '$1' binary filetype=png every 3:3 with rgbimage" 2>/dev/null
	awk 'NF >= 5 && $1 !~ /^#/ { seen[$3 " " $4 " " $5] = 1 } END { n = 0; for (c in seen) n++; print n }' "$table"
}

# Render KIND from TSV as svg and png (and pdf for the timeline) and check
# each output.
render_all() {
	local kind=$1 tsv=$2 out=$BATS_TEST_TMPDIR/$1
	run "$COWPLOT" "$kind" "$tsv" -o "$out.svg" --note "test run"
	assert_success
	assert_output ""
	run xmllint --noout "$out.svg"
	assert_success
	run "$COWPLOT" "$kind" "$tsv" -o "$out.png" --size 1200x700
	assert_success
	run png_size "$out.png"
	assert_output "1200x700"
	run png_colours "$out.png"
	[ "$output" -gt 8 ]
	if [ "$kind" = timeline ]; then	# one PDF is enough: the same path
		run "$COWPLOT" "$kind" "$tsv" -o "$out.pdf"
		assert_success
		run head -c 4 "$out.pdf"
		assert_output "%PDF"
	fi
	# no temporary file left beside the outputs
	run find "$BATS_TEST_TMPDIR" -name '.*.tmp'
	assert_output ""
}

# value of column COL in the first row where column KEY equals VALUE
tsv_value() {
	awk -F'\t' -v key="$2" -v val="$3" -v col="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h[key] == val { print $h[col]; exit }' "$1"
}

@test "cowplot: --help names every kind; usage errors exit 2 with one line" {
	run "$COWPLOT" --help
	assert_success
	for kind in timeline memory forkcost faultcost copy faultmap copyread snapshot; do
		assert_output --partial "$kind"
	done
	run "$COWPLOT"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWPLOT" nosuchkind "$BATS_FILE_TMPDIR/fork.tsv" -o "$BATS_TEST_TMPDIR/x.svg"
	assert_failure 2
	assert_output --partial "unknown kind"
	assert_equal "${#lines[@]}" 1
	run "$COWPLOT" timeline "$BATS_FILE_TMPDIR/fork.tsv"
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run "$COWPLOT" timeline "$BATS_FILE_TMPDIR/fork.tsv" -o "$BATS_TEST_TMPDIR/x.gif"
	assert_failure 2
	assert_output --partial "x.gif"
	assert_equal "${#lines[@]}" 1
	run "$COWPLOT" timeline "$BATS_FILE_TMPDIR/fork.tsv" -o "$BATS_TEST_TMPDIR/x.svg" --size 10x10
	assert_failure 2
	assert_equal "${#lines[@]}" 1
	run ls "$BATS_TEST_TMPDIR"
	assert_output ""
}

@test "cowplot timeline: a real fork_faults run renders as SVG, PNG and PDF" {
	render_all timeline "$BATS_FILE_TMPDIR/fork.tsv"
}

@test "cowplot timeline: the figure shows the run's processes, phases and machine" {
	local tsv=$BATS_FILE_TMPDIR/fork.tsv svg=$BATS_TEST_TMPDIR/t.svg parent child
	parent=$(tsv_value "$tsv" role parent pid)
	child=$(tsv_value "$tsv" role child pid)
	[ -n "$parent" ] || fail "no parent row in $tsv"
	[ -n "$child" ] || fail "no child row in $tsv"
	run "$COWPLOT" timeline "$tsv" -o "$svg" --note "N=$N K=$K"
	assert_success
	run cat "$svg"
	assert_output --partial "parent (pid $parent)"
	assert_output --partial "child (pid $child)"
	assert_output --partial "child-wrote"
	assert_output --partial "parent-touched"
	assert_output --partial "$(uname -r)"
	assert_output --partial "N=$N K=$K"
}

@test "cowplot timeline: columns are found by name, CSV and standard input work" {
	local tsv=$BATS_FILE_TMPDIR/fork.tsv child
	child=$(tsv_value "$tsv" role child pid)
	# the same table with its columns in reverse order
	awk -F'\t' -v OFS='\t' '{ s = $NF; for (i = NF - 1; i >= 1; i--) s = s OFS $i; print s }' \
		"$tsv" > "$BATS_TEST_TMPDIR/reversed.tsv"
	run "$COWPLOT" timeline "$BATS_TEST_TMPDIR/reversed.tsv" -o "$BATS_TEST_TMPDIR/r.svg"
	assert_success
	run grep -c "child (pid $child)" "$BATS_TEST_TMPDIR/r.svg"
	assert_output 1
	tr '\t' , < "$tsv" > "$BATS_TEST_TMPDIR/run.csv"
	run "$COWPLOT" timeline "$BATS_TEST_TMPDIR/run.csv" -o "$BATS_TEST_TMPDIR/c.svg"
	assert_success
	run "$COWPLOT" timeline - -o "$BATS_TEST_TMPDIR/s.svg" < "$tsv"
	assert_success
	run xmllint --noout "$BATS_TEST_TMPDIR/s.svg"
	assert_success
}

@test "cowplot memory: a real cowsample --smaps run renders; without --smaps a clear error" {
	render_all memory "$BATS_FILE_TMPDIR/fork.tsv"
	run grep -c "Private_Dirty" "$BATS_TEST_TMPDIR/memory.svg"
	[ "$output" -ge 1 ]
	"$COWSAMPLE" -o "$BATS_TEST_TMPDIR/plain.tsv" -- $(traced_env) "$FORK_FAULTS" --batch -n 16 -w 8 >/dev/null
	run "$COWPLOT" memory "$BATS_TEST_TMPDIR/plain.tsv" -o "$BATS_TEST_TMPDIR/m.png"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "--smaps"
	[ ! -e "$BATS_TEST_TMPDIR/m.png" ]
}

@test "cowplot forkcost: a real fork_cost table renders, one line per method" {
	need_fork_cost
	render_all forkcost "$BATS_FILE_TMPDIR/forkcost.tsv"
	run cat "$BATS_TEST_TMPDIR/forkcost.svg"
	assert_output --partial "vfork()"
	assert_output --partial "posix_spawn()"
	assert_output --partial "2 MiB"
}

@test "cowplot faultcost: a real fork_cost --fault-cost table renders" {
	need_fork_cost
	render_all faultcost "$BATS_FILE_TMPDIR/faultcost.tsv"
	run cat "$BATS_TEST_TMPDIR/faultcost.svg"
	assert_output --partial "copy-on-write"
	assert_output --partial "demand-zero"
	# fork_cost --repeat 1 measured each kind once: no "median" on the axis.
	assert_output --partial "one run"
	refute_output --partial "median"
}

@test "cowplot faultcost: the axis says what a bar is, from the table's runs column" {
	local tsv=$BATS_TEST_TMPDIR/fc.tsv
	printf 'kind\tpages\tfaults\tns_per_fault\truns\n' > "$tsv"
	printf '%s\t64\t64\t%s\t9\n' demand-zero 1500.0 cow 2800.5 reuse 800.0 >> "$tsv"
	run "$COWPLOT" faultcost "$tsv" -o "$BATS_TEST_TMPDIR/fc.svg"
	assert_success
	run cat "$BATS_TEST_TMPDIR/fc.svg"
	assert_output --partial "median of 9 runs"
	# the bars' values come from the table
	assert_output --partial "2.8 µs"
	printf 'demand-zero\t64\t64\t1500.0\t0\n' >> "$tsv"
	run "$COWPLOT" faultcost "$tsv" -o "$BATS_TEST_TMPDIR/fc2.svg"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "runs"
	[ ! -e "$BATS_TEST_TMPDIR/fc2.svg" ]
}

# A table of N rows after its header, with field NAME of data row ROW set
# to VALUE: bad.tsv in the test's directory.
with_field() {
	awk -F'\t' -v OFS='\t' -v name="$2" -v row="$3" -v value="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i }
		NR == row + 1 { $c = value } { print }' "$1" > "$BATS_TEST_TMPDIR/bad.tsv"
}

@test "cowplot: a negative time, count or size is refused with one line, and no output file" {
	local out=$BATS_TEST_TMPDIR/neg.png kind tsv name
	for spec in "copy copy wall_s" "copy copy min_flt" "copy copy size_bytes" \
		"timeline fork min_flt" "timeline fork time_s" "memory fork shared_dirty_kb" \
		"memory fork rss_kb"; do
		set -- $spec
		kind=$1 tsv=$BATS_FILE_TMPDIR/$2.tsv name=$3
		with_field "$tsv" "$name" 2 -0.5
		run "$COWPLOT" "$kind" "$BATS_TEST_TMPDIR/bad.tsv" -o "$out"
		[ "$status" -eq 1 ] || fail "$kind with $name = -0.5: status $status ($output)"
		[ "${#lines[@]}" -eq 1 ] || fail "$kind with $name = -0.5: $output"
		[[ $output == *"$name is negative"* ]] || fail "$kind with $name = -0.5: $output"
		[ ! -e "$out" ] || fail "$kind with $name = -0.5 wrote $out"
	done
	run find "$BATS_TEST_TMPDIR" -name '.*.tmp'
	assert_output ""
}

# Points (gnuplot's filled circles, pointtype 7) drawn in an SVG.
svg_points() {
	grep -o "xlink:href='#gpPt6'" "$1" | wc -l
}

@test "cowplot memory: only real readings of smaps_rollup are drawn, not the repeats between them" {
	local tsv=$BATS_TEST_TMPDIR/m.tsv
	# One process. cowsample reads smaps_rollup at every event row and on a
	# sample row at most every 100 ms; rows in between repeat the last
	# reading. Readings here: start, the mark, the sample 150 ms after the
	# mark (changed) and the exit: four. The repeats at 0.01, 0.02 and 0.06
	# must not be drawn.
	printf 'time_s\tpid\tppid\tcomm\tevent\tmin_flt\tmaj_flt\trss_kb\tphase\trole\tpss_kb\tshared_dirty_kb\tprivate_dirty_kb\n' > "$tsv"
	printf '%s\t100\t1\tlab\t%s\t%s\t0\t%s\t%s\tparent\t0\t%s\t%s\n' \
		0.000 start 10 100 - 0 100 \
		0.010 sample 20 200 - 0 100 \
		0.020 sample 30 300 - 0 100 \
		0.050 mark 40 400 step 0 400 \
		0.060 sample 50 500 step 0 400 \
		0.200 sample 60 600 step 0 600 \
		0.300 exit 70 700 step 0 600 >> "$tsv"
	run "$COWPLOT" memory "$tsv" -o "$BATS_TEST_TMPDIR/m.svg"
	assert_success
	# 4 readings in each of the two smaps panels, and the legend's two
	# samples (the process and "a reading").
	assert_equal "$(svg_points "$BATS_TEST_TMPDIR/m.svg")" $((4 * 2 + 2))
	run cat "$BATS_TEST_TMPDIR/m.svg"
	assert_output --partial "a reading of smaps_rollup"
}

@test "cowplot copy: a real bench-copy table renders" {
	render_all copy "$BATS_FILE_TMPDIR/copy.tsv"
	run cat "$BATS_TEST_TMPDIR/copy.svg"
	assert_output --partial "mmap"
	assert_output --partial "1 MiB"
}

@test "cowplot: an empty or header-only TSV gives one line, exit 1, no output file" {
	local kind
	: > "$BATS_TEST_TMPDIR/empty.tsv"
	for kind in timeline memory forkcost faultcost copy faultmap copyread snapshot; do
		run "$COWPLOT" "$kind" "$BATS_TEST_TMPDIR/empty.tsv" -o "$BATS_TEST_TMPDIR/out.png"
		assert_failure 1
		assert_equal "${#lines[@]}" 1
		assert_output --partial "empty"
		[ ! -e "$BATS_TEST_TMPDIR/out.png" ]
	done
	for tsv in fork forkcost faultcost copy; do
		[ -f "$BATS_FILE_TMPDIR/$tsv.tsv" ] || continue
		head -n 1 "$BATS_FILE_TMPDIR/$tsv.tsv" > "$BATS_TEST_TMPDIR/header.tsv"
		case $tsv in fork) kind=timeline ;; *) kind=$tsv ;; esac
		run "$COWPLOT" "$kind" "$BATS_TEST_TMPDIR/header.tsv" -o "$BATS_TEST_TMPDIR/out.svg"
		assert_failure 1
		assert_equal "${#lines[@]}" 1
		assert_output --partial "no data rows"
		[ ! -e "$BATS_TEST_TMPDIR/out.svg" ]
	done
}

@test "cowplot: a malformed TSV names the line and the column; an older figure stays as it was" {
	local tsv=$BATS_FILE_TMPDIR/fork.tsv bad=$BATS_TEST_TMPDIR/bad.tsv out=$BATS_TEST_TMPDIR/keep.svg
	echo "an older figure" > "$out"
	# a number that is not a number, in min_flt of the third data row
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "min_flt") c = i }
		NR == 4 { $c = "12x" } { print }' "$tsv" > "$bad"
	run "$COWPLOT" timeline "$bad" -o "$out"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "line 4"
	assert_output --partial "min_flt"
	run cat "$out"
	assert_output "an older figure"
	# a row with a field missing
	awk 'NR == 3 { sub(/\t[^\t]*$/, "") } { print }' "$tsv" > "$bad"
	run "$COWPLOT" timeline "$bad" -o "$out"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "line 3"
	# a table of another kind
	printf 'size_kib\tmethod\tpages\tlatency_us\n1024\tfork\t256\t90\n' > "$bad"
	run "$COWPLOT" timeline "$bad" -o "$out"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --partial "no time_s column"
	run "$COWPLOT" copy "$tsv" -o "$out"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	# an unknown event
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "event") c = i }
		NR == 2 { $c = "explode" } { print }' "$tsv" > "$bad"
	run "$COWPLOT" timeline "$bad" -o "$out"
	assert_failure 1
	assert_output --partial "explode"
	# a missing input file
	run "$COWPLOT" timeline "$BATS_TEST_TMPDIR/nothere.tsv" -o "$out"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	run cat "$out"
	assert_output "an older figure"
	run find "$BATS_TEST_TMPDIR" -name '.*.tmp'
	assert_output ""
}
