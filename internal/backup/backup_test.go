package backup_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/audit"
	"github.com/smakom/webinar-portal/internal/backup"
	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/resume"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/views"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const password = "ett-långt-lösenord"

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// emptyStore is a fresh database and bucket on the embedded servers.
func emptyStore(t *testing.T) backup.Store {
	return backup.Store{DB: testenv.MongoDB(t), Objects: testenv.Media(t)}
}

// services builds the portal's services over a store, as cmd/portal does.
func services(t *testing.T, ctx context.Context, st backup.Store) (*webinar.Service, *account.Service) {
	t.Helper()
	acc, err := account.NewService(ctx, st.DB, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := webinar.NewStore(ctx, st.DB)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return webinar.NewService(ws, st.Objects, subtitle.NewStore(st.DB), webinar.Limits{RecordingBytes: 1 << 30,
		SlidesBytes: 100 << 20, SubtitleBytes: 5 << 20}, log), acc
}

// fill puts something in every collection the portal uses: the demo
// webinars (recordings, posters, slides, subtitles, chapters), a subtitle
// revision, wishes with supports, accounts with a token and a session,
// positions, views and audit entries.
func fill(t *testing.T, ctx context.Context, st backup.Store) {
	t.Helper()
	svc, acc := services(t, ctx, st)
	if _, err := demo.Load(ctx, svc); err != nil {
		t.Fatalf("demo: %v", err)
	}
	var slugs []string
	if err := svc.Store().ForEach(ctx, func(w *webinar.Webinar) error {
		slugs = append(slugs, w.Slug)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, track, err := svc.SubtitleTrackForStaff(ctx, slugs[0], "sv")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ShiftSubtitles(ctx, slugs[0], "sv", -100*time.Millisecond, track.Revision); err != nil {
		t.Fatalf("shift subtitles: %v", err)
	}
	admin, err := acc.AddUser(ctx, "admin@kommun.se", account.RoleAdmin, password)
	if err != nil {
		t.Fatal(err)
	}
	member, err := acc.AddUser(ctx, "medlem@kommun.se", account.RoleMember, password+"2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CreateToken(ctx, admin.Email, "uppladdning"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.StartSession(ctx, member.ID); err != nil {
		t.Fatal(err)
	}
	wishes := wish.NewStore(st.DB)
	wi, err := wishes.Create(ctx, wish.Input{Topic: "Dricksvatten i små kommuner", Details: "Reservvatten vid kris.",
		Name: "Åsa", Email: "asa@kommun.se", Municipality: "Bjurholm"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{admin.ID, member.ID} {
		if ok, err := wishes.Support(ctx, wi.ID, id); err != nil || !ok {
			t.Fatalf("support: %v %v", ok, err)
		}
	}
	w, err := svc.Get(ctx, slugs[0], webinar.Viewer{Staff: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := resume.NewStore(st.DB).Save(ctx, member.ID, w.ID, 42.5); err != nil {
		t.Fatal(err)
	}
	counter := views.New(st.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	counter.Add(w.ID)
	counter.Add(w.ID)
	if err := counter.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := audit.New(st.DB).Add(ctx, audit.Entry{Actor: audit.CommandLine, Action: "skapade testdata"}); err != nil {
		t.Fatal(err)
	}
}

// collections returns every document of every collection as canonical
// Extended JSON, sorted, for comparing two stores exactly.
func collections(t *testing.T, ctx context.Context, db *mongo.Database) map[string][]string {
	t.Helper()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		var docs []string
		for cur.Next(ctx) {
			b, err := bson.MarshalExtJSON(cur.Current, true, false)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		cur.Close(ctx)
		if len(docs) > 0 {
			sort.Strings(docs)
			out[name] = docs
		}
	}
	return out
}

// objectSums maps every key of the bucket to the SHA-256 of its bytes.
func objectSums(t *testing.T, ctx context.Context, objects *media.Store) map[string]string {
	t.Helper()
	list, err := objects.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, o := range list {
		body, _, err := objects.OpenObject(ctx, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, body); err != nil {
			t.Fatal(err)
		}
		body.Close()
		sums[o.Key] = hex.EncodeToString(h.Sum(nil))
	}
	return sums
}

func makeBackup(t *testing.T, ctx context.Context, st backup.Store, gz bool) ([]byte, *backup.Manifest) {
	t.Helper()
	var buf bytes.Buffer
	var last, total int64
	m, err := backup.Write(ctx, &buf, st, backup.Options{Gzip: gz, PortalVersion: "test", TempDir: t.TempDir(),
		Progress: func(done, tot int64) {
			if done < last {
				t.Errorf("progress went back from %d to %d", last, done)
			}
			last, total = done, tot
		}})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	// The manifest is no entry of its own, and the progress leaves it out.
	if last != total || total != m.Totals().ArchiveBytes {
		t.Errorf("progress ended at %d of %d; the entries hold %d bytes", last, total, m.Totals().ArchiveBytes)
	}
	return buf.Bytes(), m
}

func TestRoundTrip(t *testing.T) {
	ctx := testCtx(t)
	src := emptyStore(t)
	fill(t, ctx, src)
	wantDocs := collections(t, ctx, src.DB)
	wantObjects := objectSums(t, ctx, src.Objects)
	if len(wantObjects) < 9 {
		t.Fatalf("the demo store has %d objects; want recordings, posters and slides of 3 webinars", len(wantObjects))
	}
	for _, name := range []string{"webinars", "subtitles", "wishes", "wish_supporters", "users", "tokens", "sessions",
		"positions", "views", "audit"} {
		if len(wantDocs[name]) == 0 {
			t.Fatalf("the source store has no %s: the test fills too little", name)
		}
	}

	for _, gz := range []bool{false, true} {
		name := "tar"
		if gz {
			name = "tar.gz"
		}
		t.Run(name, func(t *testing.T) {
			archive, m := makeBackup(t, ctx, src, gz)
			if m.Format != backup.Format || m.FormatVersion != backup.FormatVersion || m.PortalVersion != "test" {
				t.Errorf("manifest head = %+v", m)
			}
			for _, e := range m.Entries {
				if e.Collection == "sessions" {
					t.Errorf("sessions are in the backup")
				}
			}
			dst := emptyStore(t)
			got, err := backup.Restore(ctx, bytes.NewReader(archive), dst, backup.RestoreOptions{TempDir: t.TempDir()})
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if got.Totals() != m.Totals() {
				t.Errorf("restored %+v, backed up %+v", got.Totals(), m.Totals())
			}

			gotDocs := collections(t, ctx, dst.DB)
			if len(gotDocs["sessions"]) != 0 {
				t.Errorf("sessions were restored")
			}
			delete(wantDocs, "sessions")
			for name, want := range wantDocs {
				if strings.Join(gotDocs[name], "\n") != strings.Join(want, "\n") {
					t.Errorf("collection %s differs after restore:\n got %d docs %.300s\nwant %d docs %.300s",
						name, len(gotDocs[name]), gotDocs[name], len(want), want)
				}
			}
			for name := range gotDocs {
				if _, ok := wantDocs[name]; !ok {
					t.Errorf("restore made collection %s with documents", name)
				}
			}
			gotObjects := objectSums(t, ctx, dst.Objects)
			if len(gotObjects) != len(wantObjects) {
				t.Errorf("%d objects restored, want %d", len(gotObjects), len(wantObjects))
			}
			for key, sum := range wantObjects {
				if gotObjects[key] != sum {
					t.Errorf("object %s: SHA-256 %s after restore, want %s", key, gotObjects[key], sum)
				}
			}

			// The portal works on what was restored.
			svc, acc := services(t, ctx, dst)
			if _, err := acc.Authenticate(ctx, "admin@kommun.se", password); err != nil {
				t.Errorf("admin cannot log in after restore: %v", err)
			}
			if _, err := acc.Authenticate(ctx, "admin@kommun.se", "fel"); err == nil {
				t.Errorf("a wrong password is accepted after restore")
			}
			tokens, err := acc.ListTokens(ctx)
			if err != nil || len(tokens) != 1 {
				t.Errorf("tokens after restore: %v %v", tokens, err)
			}
			srcSvc, _ := services(t, ctx, src)
			if err := srcSvc.Store().ForEach(ctx, func(w *webinar.Webinar) error {
				r, err := svc.Get(ctx, w.Slug, webinar.Viewer{Staff: true})
				if err != nil {
					return err
				}
				if r.Recording == nil || r.Recording.SHA256 != w.Recording.SHA256 || r.Recording.SHA256 != gotObjects[r.Recording.Key] {
					t.Errorf("%s: recording after restore %+v", w.Slug, r.Recording)
				}
				for _, lang := range []string{"sv", "en"} {
					want, err1 := srcSvc.Cues(ctx, w, lang)
					got, err2 := svc.Cues(ctx, r, lang)
					if (err1 == nil) != (err2 == nil) || len(got) != len(want) {
						t.Errorf("%s %s: %d cues (%v) after restore, want %d (%v)", w.Slug, lang, len(got), err2, len(want), err1)
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// flipByteIn changes one byte in the middle of an entry's content.
func flipByteIn(t *testing.T, archive []byte, entry string) []byte {
	t.Helper()
	var offset int64
	counter := &countingReader{r: bytes.NewReader(archive)}
	tr := tar.NewReader(counter)
	for {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %s not found: %v", entry, err)
		}
		if hdr.Name == entry {
			offset = counter.n // tar reads the header block by block, so this is where the content starts
			break
		}
	}
	out := bytes.Clone(archive)
	out[offset+10] ^= 0x40
	return out
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// assertEmpty fails unless the store holds no documents and no objects.
func assertEmpty(t *testing.T, ctx context.Context, st backup.Store) {
	t.Helper()
	for name, docs := range collections(t, ctx, st.DB) {
		t.Errorf("collection %s has %d documents after a failed restore", name, len(docs))
	}
	// A failed single-part upload is removed once more after 2 s (media.Store).
	objects, err := st.Objects.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		t.Errorf("object %s is left after a failed restore", o.Key)
	}
}

func TestRestoreRefusesDamagedArchive(t *testing.T) {
	ctx := testCtx(t)
	src := emptyStore(t)
	fill(t, ctx, src)
	archive, m := makeBackup(t, ctx, src, false)
	var recording, lastObject, webinars string
	for _, e := range m.Entries {
		if strings.Contains(e.Key, "recording") && recording == "" {
			recording = e.Name
		}
		if e.Key != "" {
			lastObject = e.Name
		}
		if e.Collection == "webinars" {
			webinars = e.Name
		}
	}
	cases := []struct {
		name, entry string
		archive     []byte
	}{
		{"flipped byte in a recording", recording, flipByteIn(t, archive, recording)},
		{"flipped byte in the last object", lastObject, flipByteIn(t, archive, lastObject)},
		{"flipped byte in a collection", webinars, flipByteIn(t, archive, webinars)},
		{"cut off", "", archive[:len(archive)/2]},
		{"no manifest", "manifest.json", withoutManifest(t, archive)},
	}
	compressed, _ := makeBackup(t, ctx, src, true)
	for _, at := range []int{len(compressed) / 3, len(compressed) - 12} {
		bad := bytes.Clone(compressed)
		bad[at] ^= 0x10
		cases = append(cases, struct {
			name, entry string
			archive     []byte
		}{fmt.Sprintf("flipped byte %d of %d in a gzip archive", at, len(compressed)), "", bad})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := emptyStore(t)
			_, err := backup.Restore(ctx, bytes.NewReader(tc.archive), dst, backup.RestoreOptions{TempDir: t.TempDir()})
			if err == nil {
				t.Fatal("restore of a damaged archive succeeded")
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.entry) {
				t.Errorf("error %q does not name entry %s", err, tc.entry)
			}
			if !errors.Is(err, backup.ErrDamaged) {
				t.Errorf("error %q is not ErrDamaged", err)
			}
			assertEmpty(t, ctx, dst)
		})
	}
}

// withoutManifest rebuilds the archive without its manifest.
func withoutManifest(t *testing.T, archive []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name == "manifest.json" {
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRestoreRefusesNonEmptyStore(t *testing.T) {
	ctx := testCtx(t)
	src := emptyStore(t)
	fill(t, ctx, src)
	archive, _ := makeBackup(t, ctx, src, false)

	t.Run("webinars", func(t *testing.T) {
		_, err := backup.Restore(ctx, bytes.NewReader(archive), src, backup.RestoreOptions{})
		if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "webinars: 3 documents") {
			t.Fatalf("restore into the filled store: %v; want ErrNotEmpty naming the webinars", err)
		}
	})
	t.Run("only an object", func(t *testing.T) {
		dst := emptyStore(t)
		if _, err := dst.Objects.Put(ctx, "webinars/x/poster-1.jpg", strings.NewReader("jpg"), 3, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		_, err := backup.Restore(ctx, bytes.NewReader(archive), dst, backup.RestoreOptions{})
		if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "1 objects") {
			t.Fatalf("restore into a bucket with an object: %v; want ErrNotEmpty", err)
		}
		docs := collections(t, ctx, dst.DB)
		if len(docs) != 0 {
			t.Errorf("a refused restore wrote %v", docs)
		}
	})
	t.Run("only a session", func(t *testing.T) {
		// Sessions are not backed up, so one left does not count.
		dst := emptyStore(t)
		if _, err := dst.DB.Collection("sessions").InsertOne(ctx, bson.D{{Key: "_id", Value: "s"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := backup.Restore(ctx, bytes.NewReader(archive), dst, backup.RestoreOptions{}); err != nil {
			t.Fatalf("restore next to a session: %v", err)
		}
	})
}

func TestNotAnArchive(t *testing.T) {
	ctx := testCtx(t)
	dst := emptyStore(t)
	_, err := backup.Restore(ctx, strings.NewReader(strings.Repeat("hej ", 1000)), dst, backup.RestoreOptions{})
	if !errors.Is(err, backup.ErrDamaged) {
		t.Fatalf("restore of text: %v; want ErrDamaged", err)
	}
	assertEmpty(t, ctx, dst)
}

// TestBackupNamesMissingObjects: an object the metadata names but the
// bucket lacks (deleted while a backup of a running portal read the
// collections, or lost before) is named in the manifest; an object no
// metadata names is backed up like any other.
func TestBackupNamesMissingObjects(t *testing.T) {
	ctx := testCtx(t)
	st := emptyStore(t)
	svc, _ := services(t, ctx, st)
	if _, err := demo.Load(ctx, svc); err != nil {
		t.Fatal(err)
	}
	var gone string
	if err := svc.Store().ForEach(ctx, func(w *webinar.Webinar) error {
		if gone == "" {
			gone = w.Recording.Key
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Objects.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	const orphan = "webinars/none/recording-0000000000000000.mp4"
	if _, err := st.Objects.Put(ctx, orphan, strings.NewReader("orphan"), 6, "video/mp4"); err != nil {
		t.Fatal(err)
	}
	_, m := makeBackup(t, ctx, st, false)
	if len(m.Missing) != 1 || m.Missing[0] != gone {
		t.Errorf("manifest names missing objects %v; want [%s]", m.Missing, gone)
	}
	if len(m.Vanished) != 0 {
		t.Errorf("vanished objects %v; want none", m.Vanished)
	}
	found := false
	for _, e := range m.Entries {
		found = found || (e.Key == orphan && e.ContentType == "video/mp4" && e.Size == 6)
		if e.Key == gone {
			t.Errorf("the deleted object %s has an entry", gone)
		}
	}
	if !found {
		t.Errorf("the object no metadata names is not in the archive: %+v", m.Entries)
	}
}
