# tools/plot/timeline.gp - cumulative page faults per process over time.
#
# Data (from prepare.awk): proc_I.dat "time min_flt maj_flt" for process I,
# ev_fork.dat, ev_exec.dat, ev_exit.dat "time min_flt" for the event rows,
# and in meta.gp the process labels and the placed phase marks.

main_title = sprintf('Page faults of %s and its children, per process', progname)
@titles

# Layout: title block, then the strip of phase labels, then the graph.
graph_top = 1 - title_h - (nlanes > 0 ? (nlanes * 1.15 + 0.4) * line_h : 0)
set tmargin at screen graph_top

set xlabel sprintf('time since the sampler started (%s)', tunit)
set ylabel 'minor page faults (cumulative)' offset -1, 0
set xrange [xmin:xmax]
set yrange [0:*]
set offsets 0, 0, graph 0.04, 0
set format y '%.0f'
set grid ytics
# The legend under the graph: the processes, their major faults, events.
nleg = nproc + nmaj + (nfork > 0) + (nexec > 0) + (nexit > 0)
array leg_text[nleg]; array leg_lt[nleg]; array leg_dt[nleg]
array leg_lw[nleg]; array leg_pt[nleg]; array leg_ps[nleg]
k = 0
do for [i = 1:nproc] {
	k = k + 1
	leg_text[k] = plabel[i]; leg_lt[k] = proc_lt(i); leg_dt[k] = proc_dt(i)
	leg_lw[k] = 3; leg_pt[k] = 0; leg_ps[k] = 0
}
do for [j = 1:nmaj] {
	k = k + 1
	leg_text[k] = 'major faults, '.plabel[majidx[j]]; leg_lt[k] = proc_lt(majidx[j]); leg_dt[k] = 3
	leg_lw[k] = 3; leg_pt[k] = 0; leg_ps[k] = 0
}
do for [e = 1:3] {
	if ((e == 1 && nfork > 0) || (e == 2 && nexec > 0) || (e == 3 && nexit > 0)) {
		k = k + 1
		leg_text[k] = word('fork exec exit', e); leg_lt[k] = 7; leg_dt[k] = 1
		leg_lw[k] = 0; leg_pt[k] = word('8 12 2', e) + 0; leg_ps[k] = 2.5
	}
}
leg_draw = 1
load 'legend.gp'
# Room below the graph: tic labels, the time axis label, the legend rows.
set bmargin at screen (4.3 + 1.1 * leg_rows) * line_h
unset key

with_labels = 1
graph_top_screen = graph_top
load 'marks.gp'

j = 1
plot for [i = 1:nproc] sprintf('%s/proc_%d.dat', datadir, i) using 1:2 with lines linetype proc_lt(i) dashtype proc_dt(i) title plabel[i], \
	for [j = 1:nmaj] sprintf('%s/proc_%d.dat', datadir, majidx[j]) using 1:3 with lines linetype proc_lt(majidx[j]) dashtype 3 \
		title 'major faults, '.plabel[majidx[j]], \
	for [j = 1:(nfork > 0)] datadir.'/ev_fork.dat' using 1:2 with points pointtype 8 pointsize psize(2.5) \
		linewidth 2 linecolor rgb '#000000' title 'fork', \
	for [j = 1:(nexec > 0)] datadir.'/ev_exec.dat' using 1:2 with points pointtype 12 pointsize psize(2.5) \
		linewidth 2 linecolor rgb '#000000' title 'exec', \
	for [j = 1:(nexit > 0)] datadir.'/ev_exit.dat' using 1:2 with points pointtype 2 pointsize psize(2.5) \
		linewidth 2 linecolor rgb '#000000' title 'exit'
