package main

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/portalproc"
)

// Targets of the load test (issue 8).
const (
	targetRatio = 0.5
	targetP99   = 100 * time.Millisecond
	// RSS counts as flat when its average over the last quarter of the
	// mixed phase is at most this much above the first quarter's.
	targetRSSGrowth = 0.10
)

type report struct {
	opts      options
	seeded    *seeded
	pageBytes int
	version   string

	mixed, catalogue, baseline *phaseResult
	rss                        []int64
}

func (r *report) markdown() (string, bool) {
	var b strings.Builder
	o, s := r.opts, r.seeded
	missed := false
	fmt.Fprintf(&b, "# Load test\n\n")
	fmt.Fprintf(&b, "%s, %s, %d CPU cores", time.Now().Format("2006-01-02 15:04"), r.version, runtime.NumCPU())
	if o.machineNote != "" {
		fmt.Fprintf(&b, "; %s", o.machineNote)
	}
	fmt.Fprintf(&b, ". The portal runs as its own process on the embedded default (fresh data folder); the load "+
		"generator and the baseline run in another process on the same machine.\n\n")
	fmt.Fprintf(&b, "Archive: %d published webinars seeded through the staff API in %v (%d with a short Swedish "+
		"subtitle track, %d with a %s MP4 recording); the search index had them all %v later. "+
		"The first catalogue page is %.1f KiB.\n\n",
		s.webinars, s.took.Round(100*time.Millisecond), s.subtitled, len(s.withVideo), human(s.videoBytes),
		s.indexWait.Round(100*time.Millisecond), float64(r.pageBytes)/1024)

	fmt.Fprintf(&b, "## Mixed workload\n\n%d connections (keep-alive, one request at a time each) for %v after a %v warm-up: "+
		"70%% catalogue and search pages (first page, later pages, searches, facet filters; one in five in English), "+
		"20%% watch pages each followed by a 256 KiB range of the recording, 10%% API reads "+
		"(`/api/v1/webinars`, `/api/v1/search`); %d raw API uploads of %s recordings to fresh draft webinars "+
		"running throughout.\n\n", o.conns, o.duration, o.warmup, o.uploads, human(o.uploadSize))
	if r.mixed != nil {
		b.WriteString(phaseTable(r.mixed, true))
		if up := r.mixed.classes[classUpload]; up != nil && len(up.lat) > 0 {
			fmt.Fprintf(&b, "\nUploads: %d finished, %.1f MB/s together.\n", len(up.lat)-up.errors,
				float64(up.bytes)/r.mixed.elapsed.Seconds()/1e6)
		}
		b.WriteString(errorExamples(r.mixed))
	}

	flat, growth := true, 0.0
	if len(r.rss) >= 4 {
		q := len(r.rss) / 4
		first, last := avg(r.rss[:q]), avg(r.rss[len(r.rss)-q:])
		growth = (last - first) / first
		flat = growth <= targetRSSGrowth
		lo, hi := r.rss[0], r.rss[0]
		for _, v := range r.rss {
			lo, hi = min(lo, v), max(hi, v)
		}
		fmt.Fprintf(&b, "\nPortal RSS (VmRSS each second, %d samples): min %s, max %s; average of the first quarter %s, "+
			"of the last quarter %s (%+.1f%%).\nEvery 5 s (MiB): %s\n",
			len(r.rss), mib(float64(lo)), mib(float64(hi)), mib(first), mib(last), growth*100, rssEvery(r.rss, 5))
	} else {
		fmt.Fprintf(&b, "\nPortal RSS: too few samples (%d).\n", len(r.rss))
	}

	ratio := 0.0
	if r.catalogue != nil && r.baseline != nil {
		fmt.Fprintf(&b, "\n## Catalogue pages alone: portal and baseline\n\nThe catalogue URL mix above, alone, at %d connections "+
			"for %v each: against the portal, then against a bare Fiber handler (default settings) that serves the "+
			"portal's first catalogue page (fetched once) from memory for every URL.\n\n", o.conns, o.duration)
		b.WriteString("| | requests | per s | p50 | p95 | p99 | errors |\n|---|---:|---:|---:|---:|---:|---:|\n")
		b.WriteString(row("portal", r.catalogue, classCatalogue))
		b.WriteString(row("baseline", r.baseline, classCatalogue))
		ratio = rate(r.catalogue, classCatalogue) / max(rate(r.baseline, classCatalogue), 1e-9)
		fmt.Fprintf(&b, "\nThroughput portal/baseline: **%.2f×**.\n", ratio)
		b.WriteString(errorExamples(r.catalogue))
		b.WriteString(errorExamples(r.baseline))
	}

	b.WriteString("\n## Targets\n\n| target | result | met |\n|---|---|---|\n")
	check := func(name, result string, ok bool) {
		mark := "yes"
		if !ok {
			mark, missed = "**no**", true
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, result, mark)
	}
	if r.catalogue != nil && r.baseline != nil {
		check(fmt.Sprintf("catalogue throughput ≥ %.1f× the baseline", targetRatio), fmt.Sprintf("%.2f×", ratio), ratio >= targetRatio)
	}
	for _, ph := range []*phaseResult{r.mixed, r.catalogue} {
		if ph == nil || ph.classes[classCatalogue] == nil {
			continue
		}
		p99 := percentile(sortedLat(ph.classes[classCatalogue]), 0.99)
		check(fmt.Sprintf("catalogue p99 ≤ %v at %d connections (%s)", targetP99, o.conns, ph.name), ms(p99), p99 <= targetP99)
	}
	errs := 0
	for _, ph := range []*phaseResult{r.mixed, r.catalogue, r.baseline} {
		if ph != nil {
			for _, c := range ph.classes {
				errs += c.errors
			}
		}
	}
	check("no errors (any status ≥ 400 or transport error, all phases)", fmt.Sprint(errs), errs == 0)
	check(fmt.Sprintf("RSS flat (last quarter ≤ first + %.0f%%)", targetRSSGrowth*100), fmt.Sprintf("%+.1f%%", growth*100), flat && len(r.rss) >= 4)
	for _, ph := range []*phaseResult{r.mixed, r.catalogue, r.baseline} {
		if ph != nil && ph.capped {
			fmt.Fprintf(&b, "\nThe %s phase reached -max-requests %d before its time was up.\n", ph.name, o.maxRequests)
		}
	}
	return b.String(), missed
}

func phaseTable(ph *phaseResult, total bool) string {
	var b strings.Builder
	b.WriteString("| class | requests | per s | p50 | p95 | p99 | errors |\n|---|---:|---:|---:|---:|---:|---:|\n")
	n, e := 0, 0
	for _, c := range classOrder {
		if s := ph.classes[c]; s != nil {
			b.WriteString(row(c, ph, c))
			n += len(s.lat)
			e += s.errors
		}
	}
	if total {
		fmt.Fprintf(&b, "| all | %d | %.0f | | | | %d |\n", n, float64(n)/ph.elapsed.Seconds(), e)
	}
	return b.String()
}

func row(name string, ph *phaseResult, class string) string {
	s := ph.classes[class]
	if s == nil {
		return fmt.Sprintf("| %s | 0 | | | | | |\n", name)
	}
	l := sortedLat(s)
	perS := fmt.Sprintf("%.0f", rate(ph, class))
	if class == classUpload {
		perS = fmt.Sprintf("%.2f", rate(ph, class))
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %d |\n", name, len(l), perS,
		ms(percentile(l, 0.5)), ms(percentile(l, 0.95)), ms(percentile(l, 0.99)), s.errors)
}

func rate(ph *phaseResult, class string) float64 {
	s := ph.classes[class]
	if s == nil || ph.elapsed <= 0 {
		return 0
	}
	return float64(len(s.lat)) / ph.elapsed.Seconds()
}

func errorExamples(ph *phaseResult) string {
	var b strings.Builder
	for _, c := range classOrder {
		if s := ph.classes[c]; s != nil && s.errors > 0 {
			fmt.Fprintf(&b, "\nErrors, %s (%s): %d, for example:\n", c, ph.name, s.errors)
			for _, e := range s.examples {
				fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(e, "`", "'"))
			}
		}
	}
	return b.String()
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func mib(v float64) string { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }

func avg(v []int64) float64 {
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	return sum / float64(len(v))
}

func rssEvery(v []int64, step int) string {
	var parts []string
	for i := 0; i < len(v); i += step {
		parts = append(parts, fmt.Sprintf("%.0f", float64(v[i])/(1<<20)))
	}
	return strings.Join(parts, " ")
}

// sourceVersion names the commit measured, and says so when files
// outside the load test's own (cmd/load, internal/portalproc) differ
// from it.
func sourceVersion(ctx context.Context) string {
	root, err := portalproc.ModuleRoot()
	if err != nil {
		return "unknown version"
	}
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	commit := git("rev-parse", "--short", "HEAD")
	if commit == "" {
		return "unknown version"
	}
	dirty := git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!cmd/load", ":!internal/portalproc", ":!*.md", ":!Makefile")
	if dirty != "" {
		return "commit " + commit + " with uncommitted changes"
	}
	return "commit " + commit
}
