package integrity

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/upload"
)

// demoClip is a real MP4, read before the embedded S3 server moves the
// working directory.
var demoClip = func() []byte {
	b, err := os.ReadFile("../demo/assets/vattenforsorjning.mp4")
	if err != nil {
		panic(err)
	}
	return b
}()

// paddedClip is the demo clip followed by a "free" box: a playable MP4 of
// size bytes.
func paddedClip(size int) []byte {
	b := make([]byte, size)
	copy(b, demoClip)
	pad := b[len(demoClip):]
	binary.BigEndian.PutUint32(pad, uint32(len(pad)))
	copy(pad[4:], "free")
	return b
}

// testSweepResumable: resumable uploads not written to within the grace
// period are removed and their multipart uploads aborted; the multipart
// upload of one still going on is left alone however old it is, and the
// upload can finish after the sweep.
func testSweepResumable(t *testing.T, a *archive) {
	w := a.loadDemo(t)[0]
	dir := t.TempDir()
	store, err := upload.NewStore(dir, upload.Options{Objects: a.objects, Target: a.svc, PartSize: media.MinPartSize})
	if err != nil {
		t.Fatal(err)
	}
	data := paddedClip(12 << 20)
	start := func() upload.Info {
		t.Helper()
		info, err := store.Create(upload.Info{Slug: w.Slug, Kind: "recording", Filename: "film.mp4", Length: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		// One part in S3, 1 MiB in the tail.
		if got, err := store.Append(testCtx(t), info.ID, 0, bytes.NewReader(data[:6<<20]), 6<<20, nil); err != nil || got.Offset != 6<<20 {
			t.Fatalf("first chunk: %+v, %v", got, err)
		}
		return info
	}
	touch := func(id string, at time.Time) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, id+".*"))
		for _, f := range files {
			if err := os.Chtimes(f, at, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	abandoned, live := start(), start()
	half := strings.Repeat("0f", 16) // a tail without a description
	if err := os.WriteFile(filepath.Join(dir, half+".0.tail"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := media.NewKey(w.ID, "recording", "mp4") // a multipart upload no resumable upload owns
	foreignID := a.startUpload(t, foreign)
	liveUpload := a.uploadIDs(t)

	// The sweep runs "in two hours": the abandoned upload was last written
	// two days before, the live one (by its clock) just now; every S3
	// upload was started before the cutoff.
	now := time.Now().Add(2 * time.Hour)
	touch(abandoned.ID, now.Add(-48*time.Hour))
	touch(half, now.Add(-48*time.Hour))
	touch(live.ID, now.Add(-time.Minute))
	a.checker.WithResumable(store).now = func() time.Time { return now }

	rep := a.sweep(t, SweepOptions{Grace: time.Hour, DryRun: true})
	var removed []string
	for _, u := range rep.Resumable {
		removed = append(removed, u.ID)
	}
	slices.Sort(removed)
	if want := []string{abandoned.ID, half}; !slices.Equal(removed, sorted(want...)) || rep.YoungResumable != 1 {
		t.Fatalf("dry run: would remove %v, %d young; want %v, 1 young", removed, rep.YoungResumable, want)
	}
	if len(rep.Uploads) != 1 || rep.Uploads[0].UploadID != foreignID {
		t.Errorf("dry run: would abort %+v; want only the foreign upload %s", rep.Uploads, foreignID)
	}
	text := reportText(t, rep.Write)
	if want := "would remove resumable upload " + abandoned.ID + " for webinar \"" + w.Slug + "\" (6291456 of 12582912 bytes"; !strings.Contains(text, want) {
		t.Errorf("report lacks %q:\n%s", want, text)
	}
	if !strings.Contains(text, "would remove (dry run) 2 resumable uploads, 1 unfinished uploads") {
		t.Errorf("report summary:\n%s", text)
	}
	if ids := a.uploadIDs(t); len(ids) != len(liveUpload) {
		t.Fatalf("the dry run aborted uploads: %v left of %v", ids, liveUpload)
	}

	rep = a.sweep(t, SweepOptions{Grace: time.Hour})
	if len(rep.Resumable) != 2 || rep.YoungResumable != 1 || len(rep.Uploads) != 1 {
		t.Fatalf("sweep: removed %+v, %d young, aborted %+v", rep.Resumable, rep.YoungResumable, rep.Uploads)
	}
	if _, err := store.Get(abandoned.ID); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("abandoned upload after the sweep: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, half+".*")); len(files) != 0 {
		t.Errorf("half-created upload left %v", files)
	}
	ups, err := a.objects.IncompleteUploads(testCtx(t), "")
	if err != nil || len(ups) != 1 {
		t.Fatalf("unfinished uploads after the sweep: %+v, %v; want the live one", ups, err)
	}
	// The live upload goes on to the end.
	got, err := store.Append(testCtx(t), live.ID, 6<<20, bytes.NewReader(data[6<<20:]), int64(len(data)-6<<20), nil)
	if err != nil || !got.Finished {
		t.Fatalf("finishing the live upload: %+v, %v", got, err)
	}
	if ids := a.uploadIDs(t); len(ids) != 0 {
		t.Errorf("unfinished uploads at the end: %v", ids)
	}
	if rep := a.verify(t); len(rep.Problems) != 0 {
		t.Errorf("Verify after the sweep and the upload: %v", rep.Problems)
	}
}
