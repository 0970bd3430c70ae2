# tools/plot/faultmap.gp - every page fault of one mapping: x its time, y
# its page index, one panel per process, colour by kind (cowsample --faults).
#
# Data (from prepare.awk): fm_J_K.dat "time page" for panel J and kind K;
# in meta.gp mapname and mappages (the mapping drawn and its extent in
# pages), npan and plabel[] (the panels' processes), nfk and klabel[] (the
# kinds), npk[J] and pkind[(J-1)*nfk+1..] (the kinds present in panel J),
# and the phase marks mk_t[], mk_s[], mk_p[] (the time of each step's last
# fault, its phase, its panel).

main_title = sprintf('Every page fault in %s (%d pages), by kind, per process', mapname, mappages)
@titles

# One colour per kind: the kinds a lab compares get the most distinct ones.
array kc[12]
kc[1] = '#0072B2'; kc[2] = '#56B4E9'; kc[3] = '#D55E00'; kc[4] = '#009E73'
kc[5] = '#CC79A7'; kc[6] = '#000000'; kc[7] = '#E69F00'; kc[8] = '#003F63'
kc[9] = '#8A3C00'; kc[10] = '#999999'; kc[11] = '#444444'; kc[12] = '#777777'

top = 1 - title_h - 0.8 * line_h
bottom = 4.0 * line_h
gap = 1.2 * line_h
panel_h = (top - bottom - (npan - 1) * gap) / npan

set multiplot
set lmargin 16
set rmargin 22
set xrange [xmin:xmax]
set yrange [0:mappages]
set format y '%.0f'
set grid xtics ytics
set key outside right top Left reverse samplen 1
set style textbox opaque noborder margins 0.3, 0.1
do for [j = 1:npan] {
	set tmargin at screen top - (j - 1) * (panel_h + gap)
	set bmargin at screen top - (j - 1) * (panel_h + gap) - panel_h
	set ylabel plabel[j]."\npage index" offset -1, 0
	if (j < npan) {
		set format x ''
		unset xlabel
	} else {
		set format x '%g'
		set xlabel sprintf('time since the sampler started (%s)', tunit)
	}
	do for [m = 1:nmk] {
		if (mk_p[m] == j) {
			set arrow 700 + m from first mk_t[m], graph 0 to first mk_t[m], graph 1 \
				nohead dashtype 2 linecolor rgb '#555555' linewidth 2 back
			if (mk_s[m] ne '') {
				set label 700 + m mk_s[m] at first mk_t[m], graph 0.97 right rotate by 90 \
					offset character -0.3, 0 textcolor rgb '#222222' boxed back font fontspec(fontsize * 0.8)
			}
		}
	}
	b = (j - 1) * nfk
	plot for [m = 1:npk[j]] sprintf('%s/fm_%d_%d.dat', datadir, j, pkind[b + m]) using 1:2 \
		with points pointtype 7 pointsize psize(0.35) linecolor rgb kc[pkind[b + m]] \
		title klabel[pkind[b + m]]
	do for [m = 1:nmk] {
		unset arrow 700 + m
		unset label 700 + m
	}
	@untitles
}
unset multiplot
