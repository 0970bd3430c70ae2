# tools/plot/copyread.gp - reads that copy: the pages a forked reader copies
# against the objects it reads, one line per layout of the reference counts
# (inside each object, or in an array of their own).
#
# Data (from prepare.awk): layout_I.dat "objects copied_pages" (one point
# per run of copy_on_read), in meta.gp the layout labels, the ranges, the
# ratio of the two layouts at the most objects read (ratiotext) and what a
# point is (whatpoint).

main_title = 'Reads that copy: pages a reader copies against the objects it reads'
@titles
set tmargin at screen 1 - title_h - 1.8 * line_h

set xlabel 'objects read (the reader uses each object once)'
set ylabel sprintf('pages the reader copied (its copy-on-write faults%s)', whatpoint)
set format x '%.0f'
set format y '%.0f'
set xrange [0 : xmax]
set yrange [0 : ymax]
set grid xtics ytics
unset key
set lmargin 14
set rmargin 6
# The ratio of the two layouts, measured, above the graph.
set label 905 ratiotext at screen 0.5, screen 1 - title_h - 0.9 * line_h center font fontspec(fontsize)

array ptype[7]
ptype[1] = 7; ptype[2] = 5; ptype[3] = 9; ptype[4] = 13; ptype[5] = 11; ptype[6] = 15; ptype[7] = 3
nleg = nlay
array leg_text[nleg]; array leg_lt[nleg]; array leg_dt[nleg]
array leg_lw[nleg]; array leg_pt[nleg]; array leg_ps[nleg]
do for [i = 1:nlay] {
	leg_text[i] = llabel[i]; leg_lt[i] = proc_lt(i); leg_dt[i] = proc_dt(i)
	leg_lw[i] = 3; leg_pt[i] = ptype[(i - 1) % 7 + 1]; leg_ps[i] = 2
}
leg_draw = 1
load 'legend.gp'
set bmargin at screen (4.3 + 1.1 * leg_rows) * line_h

plot for [i = 1:nlay] sprintf('%s/layout_%d.dat', datadir, i) using 1:2 with linespoints \
	linetype proc_lt(i) dashtype proc_dt(i) pointtype ptype[(i - 1) % 7 + 1] pointsize psize(2)
