package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

type result int

const (
	info    result = iota // no target
	passed                // target met
	failed                // target missed
	errored               // could not be measured
)

func (r result) String() string {
	switch r {
	case passed:
		return "pass"
	case failed:
		return "FAIL"
	case errored:
		return "ERROR"
	}
	return "—"
}

// row is one measure on one backend.
type row struct {
	backend, measure              string
	portal, direct, ratio, target string
	result                        result
}

type direction bool

const (
	higher direction = true  // throughput: the portal should reach target× direct
	lower  direction = false // latency: the portal should stay within target× direct
)

// ratioRow compares a portal figure with the direct one; target 0 means
// informational.
func ratioRow(backend, measure string, portal, direct float64, format func(float64) string, dir direction, target float64) row {
	r := row{backend: backend, measure: measure, portal: format(portal), direct: format(direct), ratio: "—", target: "—"}
	if direct > 0 {
		r.ratio = fmt.Sprintf("%.2f×", portal/direct)
		// A ratio that rounds onto the target shows the digit that decides.
		if target > 0 && math.Abs(math.Round(portal/direct*100)/100-target) < 1e-9 {
			r.ratio = fmt.Sprintf("%.3f×", portal/direct)
		}
	}
	if target == 0 {
		return r
	}
	if dir == higher {
		r.target = fmt.Sprintf("≥ %.1f×", target)
	} else {
		r.target = fmt.Sprintf("≤ %.1f×", target)
	}
	switch {
	case direct <= 0 || portal <= 0:
		r.result = errored
	case dir == higher && portal/direct >= target, dir == lower && portal/direct <= target:
		r.result = passed
	default:
		r.result = failed
	}
	return r
}

func fmtMBps(v float64) string { return fmt.Sprintf("%.0f MB/s", v) }
func fmtMs(v float64) string   { return fmt.Sprintf("%.2f ms", v) }
func fmtMiB(v int64) string    { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }

func fmtList(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, ", ")
}

var header = []string{"Backend", "Measure", "Portal", "Direct", "Ratio", "Target", "Result"}

func (r row) cells() []string {
	return []string{r.backend, r.measure, r.portal, r.direct, r.ratio, r.target, r.result.String()}
}

// writeTable prints the rows aligned for a terminal.
func writeTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r.cells(), "\t"))
	}
	tw.Flush()
}

// writeMarkdown writes the same table as Markdown.
func writeMarkdown(w io.Writer, rows []row) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(header)))
	for _, r := range rows {
		cells := r.cells()
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// humanSize prints sizes as the flags take them: 1GiB, 64MiB.
func humanSize(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.unit)
		}
	}
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}
