package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/webinar"
)

// TestReindexCommand fills an embedded store with the demo archive, then
// rebuilds the search index from it with "portal reindex", also over a
// damaged index.
func TestReindexCommand(t *testing.T) {
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	withStack(t, func(ctx context.Context, st *stack) {
		if _, err := demo.Load(ctx, st.webinars); err != nil {
			t.Fatal(err)
		}
	})

	indexDir := filepath.Join(dataDir, "search")
	for round, damage := range []bool{false, true} {
		if damage {
			err := filepath.Walk(indexDir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					return os.WriteFile(p, []byte("trasig"), 0o600)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		out, err := runCommand(t, "", "reindex")
		if err != nil {
			t.Fatalf("round %d: reindex: %v", round, err)
		}
		if !strings.Contains(out, "Sökindexet byggdes om: 3 webbinarier") {
			t.Fatalf("round %d: reindex printed %q", round, out)
		}
		ix, fresh, err := search.Open(indexDir)
		if err != nil || fresh {
			t.Fatalf("round %d: the rebuilt index does not open as it is: fresh %v, %v", round, fresh, err)
		}
		res, err := ix.Search(search.Request{Query: "vattenförsörjningen", Visibilities: webinar.Visibilities})
		ix.Close()
		if err != nil || res.Total != 1 || len(res.Hits[0].Moments) == 0 {
			t.Fatalf("round %d: search after reindex: %+v, %v", round, res, err)
		}
	}
	if _, err := runCommand(t, "", "reindex", "extra"); !isUsageError(err) {
		t.Errorf("reindex with an argument: %v", err)
	}
}
