# tools/plot/copy.gp - copying one file by each method: wall time (left) and
# page faults (right), one row per method, one bar per cache state.
#
# Data (from prepare.awk): copy_J.dat "method_index wall_s ratio_to_cp
# min_flt maj_flt" for cache state J (medians of the paired runs; the
# right panel's bars from minor_J.dat and major_J.dat), in meta.gp the
# method and cache names, the file size and what a bar is (whatbar:
# empty for one row per bar, as bench-copy writes them).

main_title = sprintf('Copying %s: wall time and page faults per method', sizetext)
@titles

# Rows: methods top to bottom, cp first; within a row one bar per cache
# state (and per fault kind on the right).
row_y(i) = nmeth - i + 1
nfault = ncache
do for [j = 1:ncache] { nfault = nfault + cmajor[j] }
bar_h(n) = 0.8 / n
bar_y(i, k, n) = row_y(i) + ((n + 1) / 2.0 - k) * bar_h(n)

set style fill solid 0.85 border rgb '#000000'
set yrange [0.5 : nmeth + 0.5]
set ytics () scale 0
do for [i = 1:nmeth] { set ytics add (mname[i] row_y(i)) }
set grid xtics
# One legend row across the bottom, drawn by hand (gnuplot's key does not
# keep to one row beside fixed margins): cache states by colour, then the
# fault kinds by fill.
nlegend = ncache + 1 + (nfault > ncache)
array leg_text[nlegend]
array leg_color[nlegend]
array leg_pattern[nlegend]
do for [j = 1:ncache] { leg_text[j] = cname[j]; leg_color[j] = okabe[j]; leg_pattern[j] = 0 }
leg_text[ncache + 1] = 'minor faults'; leg_color[ncache + 1] = '#777777'; leg_pattern[ncache + 1] = 0
if (nfault > ncache) { leg_text[nlegend] = 'major faults'; leg_color[nlegend] = '#777777'; leg_pattern[nlegend] = 4 }
char_w = 0.78 * fontsize / width
leg_total = 0
do for [j = 1:nlegend] { leg_total = leg_total + (strlen(leg_text[j]) + 6) * char_w }
leg_x = 0.5 - leg_total / 2
leg_y = 0.9 * line_h
do for [j = 1:nlegend] {
	if (leg_pattern[j]) {
		set object 800 + j rectangle from screen leg_x, screen leg_y - 0.3 * line_h to screen leg_x + 2.5 * char_w, screen leg_y + 0.3 * line_h \
			fillcolor rgb leg_color[j] fillstyle pattern leg_pattern[j] border rgb '#000000' front
	} else {
		set object 800 + j rectangle from screen leg_x, screen leg_y - 0.3 * line_h to screen leg_x + 2.5 * char_w, screen leg_y + 0.3 * line_h \
			fillcolor rgb leg_color[j] fillstyle solid 0.85 border rgb '#000000' front
	}
	set label 800 + j leg_text[j] at screen leg_x + 3.2 * char_w, screen leg_y left
	leg_x = leg_x + (strlen(leg_text[j]) + 6) * char_w
}

set multiplot
graph_top = 1 - title_h - 0.5 * line_h
set tmargin at screen graph_top
set bmargin at screen 5.3 * line_h

# Left: wall time, labelled with the ratio to cp measured in the same run.
set lmargin at screen 0.19
set rmargin at screen 0.55
set xlabel (whatbar eq '' ? 'wall time (s)' : sprintf('wall time (s; %s)', whatbar))
# Room right of the longest bar for its label (about 20 characters).
label_frac = 20 * 0.78 * fontsize / ((0.55 - 0.19) * width)
set xrange [0 : wall_max / (1 - label_frac)]
plot for [j = 1:ncache] sprintf('%s/copy_%d.dat', datadir, j) \
		using (0):(bar_y($1, j, ncache)):(0):2:(bar_y($1, j, ncache) - bar_h(ncache) / 2):(bar_y($1, j, ncache) + bar_h(ncache) / 2) \
		with boxxyerror linetype j, \
	for [j = 1:ncache] sprintf('%s/copy_%d.dat', datadir, j) \
		using 2:(bar_y($1, j, ncache)):(sprintf(' %.2f s (%.2f× cp)', $2, $3)) with labels left
@untitles
do for [j = 1:nlegend] { unset object 800 + j; unset label 800 + j }

# Right: minor and major faults of the copying process, log scale.
set lmargin at screen 0.58
set rmargin at screen 0.97
unset ytics
set logscale x
set format x '%.0s%c'
set xlabel 'page faults (log scale)'
# bars start at 0.5, so that a count of 1 still shows as a bar
set xrange [0.5 : fault_max * 30]
# slot k of nfault: the minor bar of cache j is slot j; major bars follow.
array slot_major[ncache]
k = ncache
do for [j = 1:ncache] { if (cmajor[j]) { k = k + 1; slot_major[j] = k } else { slot_major[j] = 0 } }
# minor_J.dat and major_J.dat hold only the bars there are (a count of at
# least 1): "method_index count".
plot for [j = 1:ncache] sprintf('%s/minor_%d.dat', datadir, j) \
		using (1):(bar_y($1, j, nfault)):(0.5):2:(bar_y($1, j, nfault) - bar_h(nfault) / 2):(bar_y($1, j, nfault) + bar_h(nfault) / 2) \
		with boxxyerror linetype j, \
	for [j = 1:ncache] sprintf('%s/minor_%d.dat', datadir, j) \
		using 2:(bar_y($1, j, nfault)):(sprintf(' %d', $2)) with labels left, \
	for [j = 1:ncache] sprintf('%s/major_%d.dat', datadir, j) \
		using (1):(bar_y($1, slot_major[j], nfault)):(0.5):2:(bar_y($1, slot_major[j], nfault) - bar_h(nfault) / 2):(bar_y($1, slot_major[j], nfault) + bar_h(nfault) / 2) \
		with boxxyerror linetype j fillstyle pattern 4 border, \
	for [j = 1:ncache] sprintf('%s/major_%d.dat', datadir, j) \
		using 2:(bar_y($1, slot_major[j], nfault)):(sprintf(' %d', $2)) with labels left, \
	-1 notitle	# (below the range: the panel draws even when no bar has a count)
unset multiplot
