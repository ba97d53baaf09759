package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserTab is a Chromium tab for one test with the page problems
// (script errors, console errors, failed requests) it collects.
type browserTab struct {
	ctx      context.Context
	problems *pageProblems
}

// openTab starts Chromium for the test; the tab lives for at most timeout.
// It is nil without Chromium outside CI (newBrowser logged it; in CI the
// test fails instead).
func openTab(t *testing.T, timeout time.Duration) *browserTab {
	t.Helper()
	bctx := newBrowser(t)
	if bctx == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancel)
	problems := &pageProblems{allowed: map[string]bool{}}
	if err := chromedp.Listen(ctx, problems.listen); err != nil {
		t.Fatal(err)
	}
	return &browserTab{ctx: ctx, problems: problems}
}

// checkProblems fails the test for every page problem seen since the
// last check.
func (b *browserTab) checkProblems(t *testing.T) {
	t.Helper()
	for _, pr := range b.problems.take() {
		t.Errorf("page problem: %s", pr)
	}
}

// pollState evaluates js, an expression giving a T, until cond holds; each
// evaluation may take 5 s, all of them timeout.
func pollState[T any](t *testing.T, ctx context.Context, js, what string, timeout time.Duration, cond func(T) bool) T {
	t.Helper()
	var last T
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := chromedp.Run(ectx, chromedp.Evaluate[T](js))
		cancel()
		if err == nil {
			last = st
			if cond(st) {
				return st
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last state %+v", what, timeout, last)
	return last
}
