package subtitle

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/smakom/webinar-portal/internal/testenv"
)

// testStore opens a store on a fresh database. Starting the embedded
// servers moves the working directory (versitygw chdirs; embedded.Start
// moves to the data directory's parent, not back to where it was), which
// would hide testdata/ from the tests and fuzz seeds that run later, so
// the directory is restored.
func testStore(t *testing.T) (*Store, context.Context) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.MongoDB(t)
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return NewStore(db), ctx
}

func TestStorePutGet(t *testing.T) {
	s, ctx := testStore(t)
	updated := time.Date(2025, 3, 14, 9, 26, 53, 589_793_238, time.FixedZone("CET", 3600))
	in := Track{WebinarID: "w1", Lang: "sv", Kind: KindCaptions, Format: FormatSRT, Cues: wantCues, UpdatedAt: updated}
	if err := s.Put(ctx, in); err != nil {
		t.Fatalf("Put: %v", err)
	}
	got, err := s.Get(ctx, "w1", "sv")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := in
	want.ID = "w1:sv"
	want.Label = "Svenska"
	want.UpdatedAt = updated.UTC().Truncate(time.Millisecond)
	want.Revision = 1
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Get:\n got %+v\nwant %+v", got, want)
	}

	// Uploading the same language again replaces the track.
	in.Cues = wantCues[:1]
	in.Label = "Svenska (textning)"
	in.UpdatedAt = time.Time{}
	if err := s.Put(ctx, in); err != nil {
		t.Fatalf("Put again: %v", err)
	}
	got, err = s.Get(ctx, "w1", "sv")
	if err != nil {
		t.Fatalf("Get again: %v", err)
	}
	if len(got.Cues) != 1 || got.Label != "Svenska (textning)" || time.Since(got.UpdatedAt) > time.Minute || got.Revision != 2 {
		t.Errorf("replaced track = %+v", got)
	}
	if n, err := s.coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Errorf("documents after replace = %d, %v; want 1", n, err)
	}
}

// TestStoreCueMilliseconds checks the stored shape, which other tools
// reading the collection rely on.
func TestStoreCueMilliseconds(t *testing.T) {
	s, ctx := testStore(t)
	if err := s.Put(ctx, Track{WebinarID: "w1", Lang: "en", Kind: KindSubtitles, Cues: wantCues}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	var raw struct {
		Cues []bson.M `bson:"cues"`
	}
	if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: "w1:en"}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	first := raw.Cues[0]
	if first["start_ms"] != int64(1000) || first["end_ms"] != int64(4000) || first["text"] != wantCues[0].Text {
		t.Errorf("stored cue = %#v", first)
	}
}

func TestStoreNotFound(t *testing.T) {
	s, ctx := testStore(t)
	_, err := s.Get(ctx, "saknas", "sv")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Get = %v, want ErrNotFound", err)
	}
}

func TestStoreDeleteAll(t *testing.T) {
	s, ctx := testStore(t)
	for _, tr := range []Track{
		{WebinarID: "w1", Lang: "sv"}, {WebinarID: "w1", Lang: "en"},
		// A webinar whose id starts like the other's keeps its track.
		{WebinarID: "w1:x", Lang: "sv"}, {WebinarID: "w2", Lang: "sv"},
	} {
		tr.Cues = wantCues
		if err := s.Put(ctx, tr); err != nil {
			t.Fatalf("Put %s/%s: %v", tr.WebinarID, tr.Lang, err)
		}
	}
	if err := s.DeleteAll(ctx, "w1"); err != nil {
		t.Fatalf("DeleteAll: %v", err)
	}
	for _, k := range []struct {
		webinar, lang string
		exists        bool
	}{{"w1", "sv", false}, {"w1", "en", false}, {"w1:x", "sv", true}, {"w2", "sv", true}} {
		_, err := s.Get(ctx, k.webinar, k.lang)
		if exists := err == nil; exists != k.exists {
			t.Errorf("%s/%s exists = %v (%v), want %v", k.webinar, k.lang, exists, err, k.exists)
		}
	}
	if err := s.DeleteAll(ctx, "inget"); err != nil {
		t.Errorf("DeleteAll of a webinar without tracks: %v", err)
	}
}

func TestStorePutRejectsBadTracks(t *testing.T) {
	s, ctx := testStore(t)
	for name, tr := range map[string]Track{
		"no webinar":     {Lang: "sv"},
		"bad language":   {WebinarID: "w1", Lang: "svenska"},
		"upper case":     {WebinarID: "w1", Lang: "SV"},
		"bad kind":       {WebinarID: "w1", Lang: "sv", Kind: "chapters"},
		"mismatching id": {ID: "w2:sv", WebinarID: "w1", Lang: "sv"},
	} {
		if err := s.Put(ctx, tr); err == nil {
			t.Errorf("%s: Put accepted %+v", name, tr)
		}
	}
}

// TestStoreRevisions checks what the caption editor relies on: every
// change gives a new revision, and a save based on an old one is refused
// without changing the stored track.
func TestStoreRevisions(t *testing.T) {
	s, ctx := testStore(t)
	if err := s.Put(ctx, Track{WebinarID: "w1", Lang: "sv", Cues: wantCues}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	read, err := s.Get(ctx, "w1", "sv")
	if err != nil || read.Revision != 1 {
		t.Fatalf("Get after Put = revision %d, %v; want 1", read.Revision, err)
	}

	// Editor A saves first, based on revision 1.
	a := read
	a.Cues = append([]Cue{}, read.Cues...)
	a.Cues[0].Text = "Rättad av A"
	saved, err := s.Update(ctx, a, read.Revision)
	if err != nil {
		t.Fatalf("Update from revision 1: %v", err)
	}
	if saved.Revision != 2 || saved.Cues[0].Text != "Rättad av A" {
		t.Errorf("Update returned revision %d, text %q", saved.Revision, saved.Cues[0].Text)
	}

	// Editor B read revision 1 too: its save is a conflict.
	b := read
	b.Cues = wantCues[:1]
	if _, err := s.Update(ctx, b, read.Revision); !errors.Is(err, ErrConflict) {
		t.Fatalf("Update from stale revision 1 = %v; want ErrConflict", err)
	}
	got, err := s.Get(ctx, "w1", "sv")
	if err != nil || got.Revision != 2 || len(got.Cues) != 3 || got.Cues[0].Text != "Rättad av A" {
		t.Errorf("after the refused update: revision %d, %d cues, %v; want A's revision 2 unchanged", got.Revision, len(got.Cues), err)
	}

	// A new upload (Put) moves the revision on, so an editor that read
	// revision 2 cannot overwrite the uploaded file either.
	if err := s.Put(ctx, Track{WebinarID: "w1", Lang: "sv", Cues: wantCues[1:]}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, a, 2); !errors.Is(err, ErrConflict) {
		t.Errorf("Update from revision 2 after an upload = %v; want ErrConflict", err)
	}
	if got, _ := s.Get(ctx, "w1", "sv"); got.Revision != 3 || len(got.Cues) != 2 {
		t.Errorf("after upload: revision %d, %d cues; want 3 and the uploaded 2", got.Revision, len(got.Cues))
	}

	// A deleted track is not found, not a conflict.
	if err := s.Delete(ctx, "w1", "sv"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, a, 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of a deleted track = %v; want ErrNotFound", err)
	}
	if n, _ := s.coll.CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("Update of a deleted track stored %d documents", n)
	}
}

// TestStoreRevisionOfOldTracks: tracks stored before revisions existed
// have no revision field; they count as revision 0.
func TestStoreRevisionOfOldTracks(t *testing.T) {
	s, ctx := testStore(t)
	old := bson.D{{Key: "_id", Value: "w1:sv"}, {Key: "webinar_id", Value: "w1"}, {Key: "lang", Value: "sv"},
		{Key: "label", Value: "Svenska"}, {Key: "kind", Value: KindSubtitles}, {Key: "source_format", Value: FormatSRT},
		{Key: "cues", Value: bson.A{bson.D{{Key: "start_ms", Value: int64(1000)}, {Key: "end_ms", Value: int64(2000)}, {Key: "text", Value: "Hej"}}}},
		{Key: "updated_at", Value: time.Now()}}
	if _, err := s.coll.InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "w1", "sv")
	if err != nil || got.Revision != 0 || len(got.Cues) != 1 {
		t.Fatalf("Get old track = %+v, %v", got, err)
	}
	if _, err := s.Update(ctx, got, 1); !errors.Is(err, ErrConflict) {
		t.Errorf("Update of an old track from revision 1 = %v; want ErrConflict", err)
	}
	got.Cues[0].Text = "Hej då"
	saved, err := s.Update(ctx, got, 0)
	if err != nil || saved.Revision != 1 {
		t.Fatalf("Update of an old track from revision 0 = %d, %v; want revision 1", saved.Revision, err)
	}
	if err := s.Put(ctx, Track{WebinarID: "w1", Lang: "sv", Cues: wantCues}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "w1", "sv"); got.Revision != 2 {
		t.Errorf("Put after the edit: revision %d, want 2", got.Revision)
	}
}
