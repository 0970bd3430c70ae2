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
bottom = 5.2 * line_h
gap = 1.2 * line_h
panel_h = (graph_top - bottom - 2 * gap) / 3

# Processes often have the same RSS (that is the lesson): earlier processes
# get wider lines so that a later one drawn over them leaves them visible.
width_of(i) = 3 + 3 * (nproc - i)

set multiplot
set lmargin 25
set rmargin 4
set xrange [xmin:xmax]
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set format y '%g'
set grid ytics
set ytics nomirror
set style data lines

do for [panel = 1:3] {
	top = graph_top - (panel - 1) * (panel_h + gap)
	set tmargin at screen top
	set bmargin at screen top - panel_h
	with_labels = (panel == 1)
	load gpdir.'/marks.gp'
	if (panel == 3) {
		set format x '%g'
		set xlabel sprintf('time since the sampler started (%s)', tunit)
		set key at screen 0.5, screen 0.4 * line_h center bottom horizontal width 1 samplen 2
	} else {
		set format x ''
		unset xlabel
		unset key
	}
	if (panel == 1) {
		set ylabel sprintf("RSS\n(%s)", munit) norotate offset -3, 0
		set ytics rss_step
		plot for [i = 1:nproc] sprintf('%s/rss_%d.dat', datadir, i) using 1:2 with lines linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i)
		@untitles
	}
	if (panel == 2) {
		set ylabel sprintf("Shared_Dirty\n(%s)", munit) norotate offset -3, 0
		set ytics sd_step
		plot for [i = 1:nproc] sprintf('%s/smaps_%d.dat', datadir, i) using 1:2 \
			linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i)
	}
	if (panel == 3) {
		set ylabel sprintf("Private_Dirty\n(%s)", munit) norotate offset -3, 0
		set ytics pd_step
		plot for [i = 1:nproc] sprintf('%s/smaps_%d.dat', datadir, i) using 1:3 \
			linetype proc_lt(i) dashtype proc_dt(i) linewidth width_of(i) title plabel[i]
	}
}
unset multiplot
