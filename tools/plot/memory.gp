# tools/plot/memory.gp - the same run seen as memory: RSS, Shared_Dirty and
# Private_Dirty per process over time (from /proc/PID/smaps_rollup), three
# panels over one time axis.
#
# Data (from prepare.awk): rss_I.dat "time rss" and smaps_I.dat
# "time shared_dirty private_dirty" for process I, in meta.gp the unit
# (munit), the process labels and the placed phase marks.

main_title = sprintf('Memory of %s and its children: RSS, Shared_Dirty, Private_Dirty', progname)
@titles

# Layout in screen coordinates: titles, label strip, three panels, and below
# them the time axis and the key.
graph_top = 1 - title_h - (nlanes > 0 ? (nlanes * 1.15 + 0.4) * line_h : 0)

# The legend (drawn with the last panel): the processes, and the points
# that are readings of smaps_rollup.
nleg = nproc + 1
array leg_text[nleg]; array leg_lt[nleg]; array leg_dt[nleg]
array leg_lw[nleg]; array leg_pt[nleg]; array leg_ps[nleg]
do for [i = 1:nproc] {
	leg_text[i] = plabel[i]; leg_lt[i] = proc_lt(i); leg_dt[i] = proc_dt(i)
	leg_lw[i] = 3 + 3 * (nproc - i); leg_pt[i] = 7; leg_ps[i] = 0.6 + 0.4 * (nproc - i)
}
leg_text[nleg] = 'a reading of smaps_rollup'; leg_lt[nleg] = 7; leg_dt[nleg] = 1
leg_lw[nleg] = 0; leg_pt[nleg] = 7; leg_ps[nleg] = 1
leg_draw = 0
load 'legend.gp'
bottom = (4.5 + 1.1 * leg_rows) * line_h
gap = 1.2 * line_h
panel_h = (graph_top - bottom - 2 * gap) / 3

# Processes often have the same RSS (that is the lesson): earlier processes
# get wider lines so that a later one drawn over them leaves them visible.
width_of(i) = 3 + 3 * (nproc - i)

# The left column: each panel's name (and unit) at a fixed place, left of
# the tic labels, which get room for 6 characters; a character is about
# 0.62 font sizes wide.
char_w = 0.62 * fontsize / width
name_x = 0.012
left = name_x + (13 + 2 + 6 + 1) * char_w
panel_name(n) = sprintf("%s\n(%s)", n, munit)

set multiplot
set lmargin at screen left
set rmargin at screen 1 - 0.03
set xrange [xmin:xmax]
unset offsets
set format y '%g'
set grid ytics
set ytics nomirror
set style data lines

do for [panel = 1:3] {
	top = graph_top - (panel - 1) * (panel_h + gap)
	set tmargin at screen top
	set bmargin at screen top - panel_h
	with_labels = (panel == 1)
	load 'marks.gp'
	unset ylabel
	unset key
	if (panel == 3) {
		set format x '%g'
		set xlabel sprintf('time since the sampler started (%s)', tunit)
		leg_draw = 1
		load 'legend.gp'
	} else {
		set format x ''
		unset xlabel
	}
	if (panel == 1) {
		set label 950 panel_name('RSS') at screen name_x, screen top - panel_h / 2 left
		set yrange [0:rss_top]
		set ytics rss_step
		plot for [i = 1:nproc] sprintf('%s/rss_%d.dat', datadir, i) using 1:2 with lines linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i)
		@untitles
	}
	if (panel == 2) {
		set label 950 panel_name('Shared_Dirty') at screen name_x, screen top - panel_h / 2 left
		set yrange [0:sd_top]
		set ytics sd_step
		plot for [i = 1:nproc] sprintf('%s/smaps_%d.dat', datadir, i) using 1:2 with linespoints \
			linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i) pointtype 7 pointsize psize(0.6 + 0.4 * (nproc - i))
	}
	if (panel == 3) {
		set label 950 panel_name('Private_Dirty') at screen name_x, screen top - panel_h / 2 left
		set yrange [0:pd_top]
		set ytics pd_step
		plot for [i = 1:nproc] sprintf('%s/smaps_%d.dat', datadir, i) using 1:3 with linespoints \
			linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i) pointtype 7 pointsize psize(0.6 + 0.4 * (nproc - i))
	}
}
unset multiplot
