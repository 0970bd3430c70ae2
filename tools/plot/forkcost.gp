# tools/plot/forkcost.gp - latency of fork() and its relatives against the
# memory the parent has touched, log-log, one line per method.
#
# Data (from prepare.awk): method_I.dat "size_mib latency_s" (per size: the
# row's latency, itself a median of fork_bench's runs; the median of the rows
# when there are several), in meta.gp the method labels, the sizes measured
# and what a point is (whatpoint).

main_title = 'What fork() costs as the parent''s touched memory grows'
@titles
set tmargin at screen 1 - title_h - 0.3 * line_h

set logscale xy
set xlabel 'memory touched by the parent before the call'
set ylabel sprintf('latency of the call (%s)', whatpoint)
set format y '%.0s %cs'
set xtics ()
do for [j = 1:nsizes] {
	set xtics add (size_text[j] size_mib[j])
}
set xrange [size_mib[1] / 1.4 : size_mib[nsizes] * 1.4]
set offsets 0, 0, 0, 0
set grid xtics ytics
unset key

array ptype[7]
ptype[1] = 7; ptype[2] = 5; ptype[3] = 9; ptype[4] = 13; ptype[5] = 11; ptype[6] = 15; ptype[7] = 3
# The legend under the graph: one entry per method, line and point.
nleg = nmeth
array leg_text[nleg]; array leg_lt[nleg]; array leg_dt[nleg]
array leg_lw[nleg]; array leg_pt[nleg]; array leg_ps[nleg]
do for [i = 1:nmeth] {
	leg_text[i] = mlabel[i]; leg_lt[i] = (i - 1) % 7 + 1; leg_dt[i] = 1
	leg_lw[i] = 3; leg_pt[i] = ptype[(i - 1) % 7 + 1]; leg_ps[i] = 2
}
leg_draw = 1
load 'legend.gp'
set bmargin at screen (4.3 + 1.1 * leg_rows) * line_h

plot for [i = 1:nmeth] sprintf('%s/method_%d.dat', datadir, i) using 1:2 with linespoints \
	linetype i pointtype ptype[(i - 1) % 7 + 1] pointsize psize(2)
