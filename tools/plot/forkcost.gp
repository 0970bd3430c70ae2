# tools/plot/forkcost.gp - latency of fork() and its relatives against the
# memory the parent has touched, log-log, one line per method.
#
# Data (from prepare.awk): method_I.dat "size_mib latency_s" (the median per
# size), in meta.gp the method labels and the sizes measured.

main_title = 'What fork() costs as the parent''s touched memory grows'
@titles
set tmargin at screen 1 - title_h - 0.3 * line_h

set logscale xy
set xlabel 'memory touched by the parent before the call'
set ylabel 'latency of the call (median)'
set format y '%.0s %cs'
set xtics ()
do for [j = 1:nsizes] {
	set xtics add (size_text[j] size_mib[j])
}
set xrange [size_mib[1] / 1.4 : size_mib[nsizes] * 1.4]
set offsets 0, 0, 0, 0
set grid xtics ytics
set key outside bottom center horizontal maxrows 2 samplen 2

array ptype[7]
ptype[1] = 7; ptype[2] = 5; ptype[3] = 9; ptype[4] = 13; ptype[5] = 11; ptype[6] = 15; ptype[7] = 3
plot for [i = 1:nmeth] sprintf('%s/method_%d.dat', datadir, i) using 1:2 with linespoints \
	linetype i pointtype ptype[(i - 1) % 7 + 1] pointsize psize(2) title mlabel[i]
