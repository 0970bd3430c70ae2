# tools/plot/snapshot.gp - the memory cost of a fork() snapshot at several
# write rates: left, the copy-on-write memory (the saver's Private_Dirty,
# what Redis reports) through the save; right, beside it, the anonymous
# part of both processes' RSS, which does not move.
#
# Data (from prepare.awk): rate_I.dat "chunk cow parent_anon child_anon"
# (in munit) for the I-th write rate, in meta.gp the rate labels, the unit,
# the last chunk and the panels' tops.

main_title = 'The memory cost of a fork() snapshot, at three write rates'
@titles

# The legend: one colour per write rate, then the two processes of the
# right panel (the parent solid and wide, the saver dashed over it).
nleg = nrate + 2
array leg_text[nleg]; array leg_lt[nleg]; array leg_dt[nleg]
array leg_lw[nleg]; array leg_pt[nleg]; array leg_ps[nleg]
do for [i = 1:nrate] {
	leg_text[i] = rlabel[i]; leg_lt[i] = proc_lt(i); leg_dt[i] = proc_dt(i)
	leg_lw[i] = 3; leg_pt[i] = 7; leg_ps[i] = 1.2
}
leg_text[nrate + 1] = 'RSS: the parent (wide)'; leg_lt[nrate + 1] = 7; leg_dt[nrate + 1] = 1
leg_lw[nrate + 1] = 8; leg_pt[nrate + 1] = 0; leg_ps[nrate + 1] = 0
leg_text[nleg] = 'RSS: the saver (dashed)'; leg_lt[nleg] = 7; leg_dt[nleg] = 2
leg_lw[nleg] = 3; leg_pt[nleg] = 0; leg_ps[nleg] = 0
leg_draw = 1
load 'legend.gp'

set multiplot
set tmargin at screen 1 - title_h - 2.3 * line_h
set bmargin at screen (4.5 + 1.1 * leg_rows) * line_h
set xrange [0 : xmax]
set format x '%g'
set format y '%g'
set grid xtics ytics
unset key
set xlabel 'time: chunks of the save written (the saver writes at a fixed rate)'

# Left: what the snapshot costs.
set lmargin at screen 0.08
set rmargin at screen 0.58
set title sprintf('copy-on-write memory: the saver''s Private_Dirty (%s)', munit)
set yrange [0 : cow_top]
plot for [i = 1:nrate] sprintf('%s/rate_%d.dat', datadir, i) using 1:2 with linespoints \
	linetype proc_lt(i) dashtype proc_dt(i) pointtype 7 pointsize psize(1.2)
@untitles

# Right: what ps and top show. The lines of all rates lie on each other:
# the first rate's is the widest, so that every colour stays visible.
set lmargin at screen 0.66
set rmargin at screen 0.97
set title sprintf('RSS, its anonymous part (%s)', munit)
set yrange [0 : rss_top]
# (a little room at the ends: a wide line is cut square at the border)
set xrange [-0.02 * xmax : 1.02 * xmax]
set xlabel 'time: chunks of the save written'
plot for [i = 1:nrate] sprintf('%s/rate_%d.dat', datadir, i) using 1:3 with lines \
		linetype proc_lt(i) dashtype proc_dt(i) linewidth 4 + 5 * (nrate - i), \
	for [i = 1:nrate] sprintf('%s/rate_%d.dat', datadir, i) using 1:4 with lines \
		linetype 7 dashtype 2 linewidth 3
unset multiplot
