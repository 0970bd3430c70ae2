# tools/plot/faultcost.gp - the cost of one page fault, by kind of fault.
#
# Data (from prepare.awk): bars.dat "index microseconds" (one per kind: its
# row's value, a median of runs when fork_bench measured several), in meta.gp
# the kind labels, what a bar is (whatbar) and how many pages were measured.

main_title = 'What one page fault costs, by kind'.(pagestext ne '' ? ' ('.pagestext.')' : '')
@titles
set tmargin at screen 1 - title_h - 0.6 * line_h
set lmargin 12
set rmargin 4
set bmargin 5

# whatbar (from the data): what one bar is, e.g. the median of 9 runs.
set ylabel sprintf('time per fault (µs; %s)', whatbar) offset -1, 0
set xrange [0.4 : nkind + 0.6]
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set xtics () scale 0 offset 0, -0.3
do for [i = 1:nkind] {
	set xtics add ((knote[i] eq '' ? klabel[i] : klabel[i]."\n".knote[i]) i)
}
set grid ytics
set boxwidth 0.6
set style fill solid 0.85 border rgb '#000000'

plot datadir.'/bars.dat' using 1:2:1 with boxes linecolor variable, \
	'' using 1:2:(sprintf('%.1f µs', $2)) with labels offset 0, 1 font fontspec(fontsize + 2)
