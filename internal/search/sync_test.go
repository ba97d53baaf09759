package search_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func ptr[T any](v T) *T { return &v }

func find(t *testing.T, ix *search.Index, q string) []string {
	t.Helper()
	res, err := ix.Search(search.Request{Query: q, Visibilities: webinar.Visibilities})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

// TestSyncFollowsMongoDB changes webinars and tracks in the embedded
// MongoDB-wire server and checks that rebuild, sync and a reopened index
// see exactly what is there.
func TestSyncFollowsMongoDB(t *testing.T) {
	ctx := context.Background()
	db := testenv.MongoDB(t)
	store, err := webinar.NewStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tracks := subtitle.NewStore(db)
	svc := webinar.NewService(store, testenv.Media(t), tracks, webinar.Limits{RecordingBytes: 1 << 20, SlidesBytes: 1 << 20}, quiet)
	w, err := svc.Create(ctx, webinar.Fields{Title: ptr("Dricksvatten i glesbygd"), Visibility: ptr("public"), HeldAt: ptr("2024-05-06")})
	if err != nil {
		t.Fatal(err)
	}
	srt := "1\n00:12:34,000 --> 00:12:38,000\nLedningsnätet behöver förnyas.\n"
	if _, _, err := svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: "sv", Filename: "sv.srt", Data: []byte(srt)}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "search")
	ix, fresh, err := search.Open(dir)
	if err != nil || !fresh {
		t.Fatalf("open: fresh %v, err %v", fresh, err)
	}
	src := search.Source{Webinars: store, Tracks: tracks}
	syncer := search.NewSyncer(ix, src, quiet)
	var last [2]int
	if err := syncer.Rebuild(ctx, func(done, total int) { last = [2]int{done, total} }); err != nil {
		t.Fatal(err)
	}
	if last != [2]int{1, 1} {
		t.Errorf("progress ended at %v", last)
	}
	res, err := ix.Search(search.Request{Query: "Ledningsnätet", Visibilities: webinar.Visibilities})
	if err != nil || len(res.Hits) != 1 || len(res.Hits[0].Moments) != 1 || res.Hits[0].Moments[0].StartMS != 754000 {
		t.Fatalf("after rebuild: %+v, %v", res, err)
	}

	// Nothing changed: a sync does nothing.
	if up, rm, err := syncer.Sync(ctx); err != nil || up+rm != 0 {
		t.Errorf("idle sync: %d updated, %d removed, %v", up, rm, err)
	}
	// A second portal on the same database keeps its own index.
	other, _, err := search.Open(filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherSyncer := search.NewSyncer(other, src, quiet)
	if _, _, err := otherSyncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	// A new title and a new webinar are picked up.
	if _, err := svc.Update(ctx, w.Slug, webinar.Fields{Title: ptr("Avloppsrening i glesbygd")}, nil); err != nil {
		t.Fatal(err)
	}
	w2, err := svc.Create(ctx, webinar.Fields{Title: ptr("Räddningstjänst"), Visibility: ptr("public")})
	if err != nil {
		t.Fatal(err)
	}
	if up, _, err := syncer.Sync(ctx); err != nil || up != 2 {
		t.Fatalf("sync after two changes: %d updated, %v", up, err)
	}
	if got := find(t, ix, "avloppsrening"); len(got) != 1 {
		t.Errorf("new title not found: %v", got)
	}
	if up, _, err := otherSyncer.Sync(ctx); err != nil || up != 2 {
		t.Errorf("the other portal's sync: %d updated, %v", up, err)
	}
	if got := find(t, other, "avloppsrening"); len(got) != 1 {
		t.Errorf("the other portal does not find the new title: %v", got)
	}
	if got := find(t, ix, "dricksvatten"); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	// A replaced track: the old words go, the new ones come.
	srt2 := "1\n00:01:00,000 --> 00:01:04,000\nSlamhanteringen är dyr.\n"
	if _, _, err := svc.SetSubtitles(ctx, w.Slug, webinar.SubtitleInput{Lang: "sv", Filename: "sv.srt", Data: []byte(srt2)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := syncer.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := find(t, ix, "slamhantering"); len(got) != 1 {
		t.Errorf("new cue not found: %v", got)
	}
	if got := find(t, ix, "ledningsnätet"); len(got) != 0 {
		t.Errorf("replaced cue still found: %v", got)
	}
	// A deleted webinar disappears.
	if err := svc.Delete(ctx, w2.Slug); err != nil {
		t.Fatal(err)
	}
	if _, rm, err := syncer.Sync(ctx); err != nil || rm != 1 {
		t.Fatalf("sync after delete: %d removed, %v", rm, err)
	}
	if got := find(t, ix, "räddningstjänst"); len(got) != 0 {
		t.Errorf("deleted webinar found: %v", got)
	}

	// Reopened, the index remembers what it holds.
	ix.Close()
	ix, fresh, err = search.Open(dir)
	if err != nil || fresh {
		t.Fatalf("reopen: fresh %v, err %v", fresh, err)
	}
	defer ix.Close()
	if up, rm, err := search.NewSyncer(ix, src, quiet).Sync(ctx); err != nil || up+rm != 0 {
		t.Errorf("sync after reopening: %d updated, %d removed, %v", up, rm, err)
	}
}
