// Command screenshots photographs every page type of a running demo
// portal (see internal/pagetour) at phone and desktop width, in light and
// dark colour schemes, into PNG files, and reports pages that are wider
// than the screen. `make screenshots` starts the portal and runs it.
//
//	screenshots -url http://localhost:8080 -out screenshots \
//	    -member medlem@example.se:PASSWORD -staff redaktor@example.se:PASSWORD
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/smakom/webinar-portal/internal/pagetour"
)

func main() {
	base := flag.String("url", "http://localhost:8080", "portal base URL (demo archive loaded)")
	out := flag.String("out", "screenshots", "folder for the PNG files")
	member := flag.String("member", "", "member account as EMAIL:PASSWORD")
	staff := flag.String("staff", "", "staff account as EMAIL:PASSWORD")
	widths := flag.String("widths", "390,1280", "viewport widths in CSS pixels")
	only := flag.String("only", "", "photograph only the stops whose label (e.g. \"watch en member\") matches this regular expression")
	flag.Parse()
	onlyRE, err := regexp.Compile(*only)
	if err != nil {
		fail("bad -only: %v", err)
	}

	accounts := map[pagetour.Who]pagetour.Account{}
	for who, v := range map[pagetour.Who]string{pagetour.Member: *member, pagetour.Staff: *staff} {
		email, pw, ok := strings.Cut(v, ":")
		if !ok {
			fail("-%s EMAIL:PASSWORD is required", who)
		}
		accounts[who] = pagetour.Account{Email: email, Password: pw}
	}
	var ws []int64
	for _, f := range strings.Split(*widths, ",") {
		var w int64
		if _, err := fmt.Sscan(f, &w); err != nil || w < 200 {
			fail("bad -widths %q", *widths)
		}
		ws = append(ws, w)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail("%v", err)
	}
	if _, err = pagetour.SlugByTitle(*base, pagetour.DemoTitle); err != nil {
		fail("%v (start the portal with --demo)", err)
	}

	ctx, stop := browser()
	defer stop()
	tour := &pagetour.Tour{Base: *base, Accounts: accounts}
	fixtures, err := tour.Prepare(ctx, "inbjuden@example.se")
	if err != nil {
		fail("prepare the tour: %v", err)
	}
	n, wide := 0, 0
	for _, s := range pagetour.Stops(fixtures) {
		if !onlyRE.MatchString(s.Label()) {
			continue
		}
		// Each page is loaded once at the first width (a form stop sends
		// its form once: the portal limits wrong logins and reset mails)
		// and then shown at every width and colour scheme.
		if err := pagetour.Emulate(ctx, ws[0], "light"); err != nil {
			fail("emulate: %v", err)
		}
		if err := tour.Visit(ctx, s); err != nil {
			fail("%v", err)
		}
		for _, w := range ws {
			for _, scheme := range []string{"light", "dark"} {
				if err := pagetour.Emulate(ctx, w, scheme); err != nil {
					fail("emulate %d px %s: %v", w, scheme, err)
				}
				// Two frames: the new layout and colours are painted.
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
					fail("%v", err)
				}
				// Pages must not scroll sideways (WCAG 1.4.10 Reflow).
				over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
				if err == nil && over > 0 {
					wide++
					culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowingJS))
					fmt.Printf("WIDER THAN THE SCREEN by %d px: %s at %d px: %s\n", over, s.Label(), w, strings.Join(culprits, ", "))
				}
				// Quality 100 gives a PNG; below that Chromium sends a JPEG.
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					fail("screenshot %s: %v", s.Label(), err)
				}
				name := fmt.Sprintf("%s-%s%s-%d-%s.png", s.Name, s.Lang, whoSuffix(s.Who), w, scheme)
				if err := os.WriteFile(filepath.Join(*out, name), png, 0o644); err != nil {
					fail("%v", err)
				}
				n++
			}
		}
	}
	fmt.Printf("%d screenshots in %s/\n", n, *out)
	if wide > 0 {
		fmt.Printf("%d page views are wider than the screen\n", wide)
		os.Exit(1)
	}
}

// overflowingJS names the outermost elements that reach past the right
// edge of the viewport.
const overflowingJS = `(() => {
	const w = document.documentElement.clientWidth, out = [];
	for (const e of document.body.querySelectorAll('*')) {
		if (e.getBoundingClientRect().right <= w + 1) continue;
		if (out.some(o => o.contains(e))) continue;
		out.push(e);
	}
	return out.slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
		(e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
		' (' + Math.round(e.getBoundingClientRect().width) + ' px)');
})()`

func whoSuffix(w pagetour.Who) string {
	if w == pagetour.Anonymous {
		return ""
	}
	return "-" + string(w)
}

// browser starts headless Chromium with a throw-away profile.
func browser() (context.Context, func()) {
	exe := os.Getenv("CHROMIUM")
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if exe == "" {
			exe, _ = exec.LookPath(name)
		}
	}
	if exe == "" {
		fail("no Chromium found: install it with make test-deps (apt-get install chromium) or set CHROMIUM")
	}
	tmp, err := os.MkdirTemp("", "screenshots-")
	if err != nil {
		fail("%v", err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WSURLReadTimeout(60*time.Second),
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache")),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		fail("start %s: %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 20*time.Minute)
	return ctx, func() {
		cancel()
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(tmp)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "screenshots: "+format+"\n", args...)
	os.Exit(2)
}
