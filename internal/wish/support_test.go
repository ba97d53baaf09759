package wish

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/smakom/webinar-portal/internal/apperr"
)

func listed(t *testing.T, s *Store, status Status) map[string]Wish {
	t.Helper()
	list, err := s.List(testCtx(t), status)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Wish{}
	for _, w := range list {
		out[w.ID] = w
	}
	return out
}

// Many members at once, each clicking several times: every member counts
// exactly once, none is lost.
func TestSupportConcurrent(t *testing.T) {
	s := newStore(t)
	ctx := testCtx(t)
	w, err := s.Create(ctx, Input{Topic: "Krisberedskap"})
	if err != nil {
		t.Fatal(err)
	}
	const members, clicks = 24, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := map[string]int{}
	errs := make(chan error, members*clicks)
	for m := range members {
		for range clicks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acct := fmt.Sprintf("konto-%02d", m)
				ok, err := s.Support(ctx, w.ID, acct)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					mu.Lock()
					added[acct]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Support: %v", err)
	}
	if got := listed(t, s, "")[w.ID].Supporters; got != members {
		t.Errorf("supporters = %d, want %d", got, members)
	}
	for acct, n := range added {
		if n != 1 {
			t.Errorf("%s: Support reported a new vote %d times, want 1", acct, n)
		}
	}
	if len(added) != members {
		t.Errorf("%d members got a new vote, want %d", len(added), members)
	}
}

func TestSupportRules(t *testing.T) {
	s := newStore(t)
	ctx := testCtx(t)
	w, _ := s.Create(ctx, Input{Topic: "Avböjt ämne"})
	if err := s.SetStatus(ctx, w.ID, Declined); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, acct string
		want           int
	}{
		{"declined", w.ID, "a", http.StatusConflict},
		{"unknown wish", "000000000000000000000000", "a", http.StatusNotFound},
		{"no account", w.ID, "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Support(ctx, tt.id, tt.acct)
			ae, ok := apperr.As(err)
			if !ok || ae.Status != tt.want {
				t.Fatalf("Support = %v, want status %d", err, tt.want)
			}
		})
	}
}

// Merging a duplicate adds its supporters to the target; a member who
// supported both counts once, and votes on the duplicate after the merge
// go to the target.
func TestMerge(t *testing.T) {
	s := newStore(t)
	ctx := testCtx(t)
	target, _ := s.Create(ctx, Input{Topic: "Vattenförsörjning"})
	dup, _ := s.Create(ctx, Input{Topic: "Dricksvatten"})
	dup2, _ := s.Create(ctx, Input{Topic: "VA-frågor"})
	for _, v := range []struct{ wish, acct string }{
		{target.ID, "anna"}, {target.ID, "bo"},
		{dup.ID, "bo"}, {dup.ID, "cecilia"},
		{dup2.ID, "anna"}, {dup2.ID, "david"},
	} {
		if _, err := s.Support(ctx, v.wish, v.acct); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Merge(ctx, dup.ID, target.ID); err != nil {
		t.Fatalf("Merge: %v", err)
	}
	// dup2 is merged into the already-merged dup: it lands on the target.
	if err := s.Merge(ctx, dup2.ID, dup.ID); err != nil {
		t.Fatalf("Merge into a merged wish: %v", err)
	}
	got := listed(t, s, "")
	if _, ok := got[dup.ID]; ok {
		t.Error("the merged wish is still listed on its own")
	}
	if _, ok := got[dup2.ID]; ok {
		t.Error("the second merged wish is still listed on its own")
	}
	if n := got[target.ID].Supporters; n != 4 { // anna, bo, cecilia, david
		t.Errorf("target supporters = %d, want 4", n)
	}
	if len(got[target.ID].Merged) != 2 {
		t.Errorf("target names merged %v, want both duplicates", got[target.ID].Merged)
	}
	if w, _ := s.Get(ctx, dup2.ID); w.MergedInto != target.ID {
		t.Errorf("dup2 points to %q, want the target %q", w.MergedInto, target.ID)
	}
	// A vote on the duplicate now counts for the target, once.
	if added, err := s.Support(ctx, dup.ID, "anna"); err != nil || added {
		t.Errorf("Support(dup, anna) = %v, %v; want a repeat", added, err)
	}
	if added, err := s.Support(ctx, dup.ID, "erik"); err != nil || !added {
		t.Errorf("Support(dup, erik) = %v, %v; want a new vote", added, err)
	}
	if n := listed(t, s, "")[target.ID].Supporters; n != 5 {
		t.Errorf("target supporters = %d, want 5", n)
	}
	mine, err := s.SupportedBy(ctx, "cecilia")
	if err != nil || !mine[target.ID] || len(mine) != 1 {
		t.Errorf("SupportedBy(cecilia) = %v, %v; want the target only", mine, err)
	}
	if n, err := s.CountNew(ctx); err != nil || n != 1 {
		t.Errorf("CountNew = %d, %v; want 1 (merged wishes do not wait)", n, err)
	}

	bad := []struct {
		name, id, target string
		want             int
	}{
		{"into itself", target.ID, target.ID, http.StatusBadRequest},
		{"target into its own duplicate", target.ID, dup.ID, http.StatusBadRequest},
		{"already merged", dup.ID, target.ID, http.StatusConflict},
		{"unknown target", target.ID, "nope", http.StatusBadRequest},
		{"unknown wish", "nope", target.ID, http.StatusNotFound},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			ae, ok := apperr.As(s.Merge(ctx, tt.id, tt.target))
			if !ok || ae.Status != tt.want {
				t.Fatalf("Merge = %v, want status %d", ae, tt.want)
			}
		})
	}
	if w, _ := s.Get(ctx, target.ID); w.MergedInto != "" {
		t.Error("a refused merge changed the target")
	}
}

func TestSetTriage(t *testing.T) {
	s := newStore(t)
	ctx := testCtx(t)
	w, _ := s.Create(ctx, Input{Topic: "Upphandling"})
	if err := s.SetTriage(ctx, w.ID, Triage{Status: Done, Reply: "  Se webbinariet.\r\nVälkomna!  ", WebinarSlug: "upphandling-2025", WebinarTitle: "Upphandling 2025"}); err != nil {
		t.Fatal(err)
	}
	got := listed(t, s, Done)[w.ID]
	if got.Reply != "Se webbinariet.\nVälkomna!" || got.WebinarSlug != "upphandling-2025" || got.WebinarTitle != "Upphandling 2025" {
		t.Errorf("after triage: %+v", got)
	}
	if err := s.SetTriage(ctx, w.ID, Triage{Status: Planned, Reply: ""}); err != nil {
		t.Fatal(err)
	}
	got = listed(t, s, Planned)[w.ID]
	if got.Reply != "" || got.WebinarSlug != "" || got.WebinarTitle != "" {
		t.Errorf("clearing reply and webinar left %+v", got)
	}
	bad := []struct {
		name string
		t    Triage
		want int
	}{
		{"long reply", Triage{Status: Done, Reply: strings.Repeat("å", MaxReply+1)}, http.StatusUnprocessableEntity},
		{"bad UTF-8", Triage{Status: Done, Reply: "\xff"}, http.StatusUnprocessableEntity},
		{"bad status", Triage{Status: "archived"}, http.StatusBadRequest},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			ae, ok := apperr.As(s.SetTriage(ctx, w.ID, tt.t))
			if !ok || ae.Status != tt.want {
				t.Fatalf("SetTriage = %v, want %d", ae, tt.want)
			}
		})
	}
	if listed(t, s, Planned)[w.ID].ID == "" {
		t.Error("a refused triage changed the wish")
	}
}
