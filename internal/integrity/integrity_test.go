package integrity

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/subtitle"
	"github.com/smakom/webinar-portal/internal/testenv"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// A backend is an S3 server the checks must work against: the embedded
// versitygw and MinIO (standing in for production S3).
type backend struct {
	name   string
	config func(t testing.TB) media.Config
}

var backends = []backend{
	{"versitygw", testenv.S3Config},
	{"minio", testenv.MinIO},
}

// archive is a webinar archive on real servers: FerretDB and one S3 bucket.
type archive struct {
	cfg      media.Config
	objects  *media.Store
	raw      *minio.Client // the same bucket, without the store
	db       *mongo.Database
	store    *webinar.Store
	svc      *webinar.Service
	subtitle *subtitle.Store
	checker  *Checker
}

func newArchive(t *testing.T, cfg media.Config) *archive {
	t.Helper()
	ctx := testCtx(t)
	objects, err := media.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open media store: %v", err)
	}
	raw, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.UseSSL, Region: cfg.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.MongoDB(t)
	store, err := webinar.NewStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tracks := subtitle.NewStore(db)
	svc := webinar.NewService(store, objects, tracks, webinar.Limits{RecordingBytes: 1 << 30, SlidesBytes: 1 << 28},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	return &archive{cfg: cfg, objects: objects, raw: raw, db: db, store: store, svc: svc, subtitle: tracks,
		checker: New(objects, store, SubtitleTracks(db))}
}

// fresh is a new, empty archive on the same S3 server: a new bucket and a
// new database.
func (a *archive) fresh(t *testing.T) *archive {
	t.Helper()
	cfg := a.cfg
	cfg.Bucket = "t" + randomHex()
	return newArchive(t, cfg)
}

func randomHex() string {
	const digits = "0123456789abcdef"
	b := make([]byte, 12)
	for i := range b {
		b[i] = digits[rand.IntN(16)]
	}
	return string(b)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// loadDemo fills the archive with the three demo webinars: a recording,
// slides and a poster each, and four subtitle tracks.
func (a *archive) loadDemo(t *testing.T) []*webinar.Webinar {
	t.Helper()
	if _, err := demo.Load(testCtx(t), a.svc); err != nil {
		t.Fatalf("load demo archive: %v", err)
	}
	var all []*webinar.Webinar
	if err := a.store.ForEach(testCtx(t), func(w *webinar.Webinar) error {
		all = append(all, w)
		return nil
	}); err != nil {
		t.Fatalf("ForEach: %v", err)
	}
	slices.SortFunc(all, func(x, y *webinar.Webinar) int { return strings.Compare(x.Slug, y.Slug) })
	if len(all) != 3 {
		t.Fatalf("demo archive has %d webinars, want 3", len(all))
	}
	for _, w := range all {
		if w.Recording == nil || w.Poster == nil || len(w.Slides) != 1 {
			t.Fatalf("demo webinar %s lacks a recording, poster or slides: %+v", w.Slug, w)
		}
	}
	return all
}

func (a *archive) put(t *testing.T, key string, data []byte) media.Object {
	t.Helper()
	obj, err := a.objects.Put(testCtx(t), key, bytes.NewReader(data), int64(len(data)), "application/octet-stream")
	if err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
	return obj
}

func (a *archive) keys(t *testing.T) []string {
	t.Helper()
	keys, err := a.objects.Keys(testCtx(t), "")
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	return keys
}

func (a *archive) verify(t *testing.T) VerifyReport {
	t.Helper()
	rep, err := a.checker.Verify(testCtx(t))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func (a *archive) sweep(t *testing.T, opts SweepOptions) Report {
	t.Helper()
	rep, err := a.checker.Sweep(testCtx(t), opts)
	if err != nil {
		t.Fatalf("Sweep(%+v): %v", opts, err)
	}
	return rep
}

// problemSet is "kind key" for each problem, sorted.
func problemSet(rep VerifyReport) []string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, string(p.Kind)+" "+p.Key)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func reportText(t *testing.T, write func(io.Writer) error) string {
	t.Helper()
	var b strings.Builder
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestIntegrity(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			a := newArchive(t, b.config(t))
			t.Run("VerifyClean", func(t *testing.T) { testVerifyClean(t, a.fresh(t)) })
			t.Run("VerifyFindsProblems", func(t *testing.T) { testVerifyFindsProblems(t, a.fresh(t)) })
			t.Run("SweepIncompleteUploads", func(t *testing.T) { testSweepUploads(t, a.fresh(t)) })
			t.Run("SweepResumableUploads", func(t *testing.T) { testSweepResumable(t, a.fresh(t)) })
			t.Run("SweepOrphans", func(t *testing.T) { testSweepOrphans(t, a.fresh(t)) })
			t.Run("SweepEmptyDatabase", func(t *testing.T) { testSweepEmptyDatabase(t, a.fresh(t)) })
		})
	}
}

func testVerifyClean(t *testing.T, a *archive) {
	a.loadDemo(t)
	rep := a.verify(t)
	if rep.Verified != 9 || len(rep.Problems) != 0 {
		t.Fatalf("Verify of the demo archive: %d verified, problems %v; want 9 and none", rep.Verified, rep.Problems)
	}
	if rep.Bytes < 500_000 {
		t.Errorf("Verify read %d bytes; the three demo clips alone are over 500 kB", rep.Bytes)
	}
	if got := reportText(t, rep.Write); got != "verified 9 objects, 0 problems\n" {
		t.Errorf("report = %q", got)
	}
}

func testVerifyFindsProblems(t *testing.T, a *archive) {
	all := a.loadDemo(t)
	ctx := testCtx(t)
	w1, w2 := all[0], all[1]

	// Same size, other bytes: only the checksum can tell.
	corrupt := bytes.Clone(mustRead(t, a, w1.Recording.Key))
	corrupt[len(corrupt)/2] ^= 0xFF
	a.put(t, w1.Recording.Key, corrupt)
	// A truncated deck.
	a.put(t, w2.Slides[0].Key, mustRead(t, a, w2.Slides[0].Key)[:100])
	// Missing slides and poster.
	for _, key := range []string{w1.Slides[0].Key, w2.Poster.Key} {
		if err := a.objects.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	// An object no webinar refers to.
	orphan := media.NewKey(w1.ID, "recording", "mp4")
	a.put(t, orphan, []byte("left behind by a crash"))
	// Outside the portal's prefix: not the portal's to judge.
	a.put(t, "elsewhere/readme.txt", []byte("hello"))

	rep := a.verify(t)
	want := sorted(
		"checksum "+w1.Recording.Key,
		"size "+w2.Slides[0].Key,
		"missing "+w1.Slides[0].Key,
		"missing "+w2.Poster.Key,
		"orphan "+orphan,
	)
	if got := problemSet(rep); !slices.Equal(got, want) {
		t.Errorf("Verify problems:\n got %q\nwant %q", got, want)
	}
	if rep.Verified != 9 {
		t.Errorf("Verified = %d, want 9", rep.Verified)
	}
	text := reportText(t, rep.Write)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 6 || lines[5] != "verified 9 objects, 5 problems" {
		t.Errorf("report has %d lines, last %q; want 5 problem lines and the summary:\n%s", len(lines), lines[len(lines)-1], text)
	}
	for _, want := range []string{w1.Slug, "the metadata says", "no webinar refers to it", "no such object"} {
		if !strings.Contains(text, want) {
			t.Errorf("report does not mention %q:\n%s", want, text)
		}
	}
}

func mustRead(t *testing.T, a *archive, key string) []byte {
	t.Helper()
	body, err := a.objects.Get(testCtx(t), key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startUpload starts a multipart upload, stores one part and leaves it
// unfinished, as a crashed portal would.
func (a *archive) startUpload(t *testing.T, key string) string {
	t.Helper()
	ctx := testCtx(t)
	core := minio.Core{Client: a.raw}
	id, err := core.NewMultipartUpload(ctx, a.cfg.Bucket, key, minio.PutObjectOptions{ContentType: "video/mp4"})
	if err != nil {
		t.Fatalf("NewMultipartUpload: %v", err)
	}
	part := bytes.Repeat([]byte("x"), 5<<20)
	if _, err := core.PutObjectPart(ctx, a.cfg.Bucket, key, id, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
		t.Fatalf("PutObjectPart: %v", err)
	}
	return id
}

func (a *archive) uploadIDs(t *testing.T) []string {
	t.Helper()
	ups, err := a.objects.IncompleteUploads(testCtx(t), "")
	if err != nil {
		t.Fatalf("IncompleteUploads: %v", err)
	}
	var ids []string
	for _, u := range ups {
		ids = append(ids, u.UploadID)
	}
	return ids
}

func testSweepUploads(t *testing.T, a *archive) {
	a.loadDemo(t)
	key := media.NewKey("w"+randomHex(), "recording", "mp4")
	id := a.startUpload(t, key)

	ups, err := a.objects.IncompleteUploads(testCtx(t), "webinars/")
	if err != nil || len(ups) != 1 || ups[0].Key != key || ups[0].UploadID != id {
		t.Fatalf("IncompleteUploads(webinars/) = %+v, %v; want the upload of %s", ups, err, key)
	}
	if age := time.Since(ups[0].Initiated); age < -2*time.Second || age > time.Minute {
		t.Errorf("upload initiated %v ago; want about now", age)
	}
	if ups, err := a.objects.IncompleteUploads(testCtx(t), "elsewhere/"); err != nil || len(ups) != 0 {
		t.Errorf("IncompleteUploads(elsewhere/) = %+v, %v; want none", ups, err)
	}

	rep := a.sweep(t, SweepOptions{Grace: time.Hour})
	if len(rep.Uploads) != 0 || rep.YoungUploads != 1 {
		t.Fatalf("Sweep with a grace of 1h: aborted %+v, %d young; want none aborted, 1 young", rep.Uploads, rep.YoungUploads)
	}
	rep = a.sweep(t, SweepOptions{Grace: 0, DryRun: true})
	if len(rep.Uploads) != 1 || rep.Uploads[0].UploadID != id {
		t.Fatalf("dry run: would abort %+v; want upload %s", rep.Uploads, id)
	}
	if text := reportText(t, rep.Write); !strings.Contains(text, "would abort unfinished upload of "+key) {
		t.Errorf("dry-run report does not name the upload:\n%s", text)
	}
	if ids := a.uploadIDs(t); !slices.Equal(ids, []string{id}) {
		t.Fatalf("after the dry run the uploads are %v; want %s still there", ids, id)
	}

	rep = a.sweep(t, SweepOptions{Grace: 0})
	if len(rep.Uploads) != 1 || rep.Uploads[0].UploadID != id || rep.DryRun {
		t.Fatalf("Sweep with grace 0: aborted %+v; want upload %s", rep.Uploads, id)
	}
	if ids := a.uploadIDs(t); len(ids) != 0 {
		t.Fatalf("after the sweep the uploads are %v; want none", ids)
	}
	// The server has freed the parts: the upload id is gone.
	_, err = minio.Core{Client: a.raw}.ListObjectParts(testCtx(t), a.cfg.Bucket, key, id, 0, 0)
	if code := minio.ToErrorResponse(err).Code; code != "NoSuchUpload" {
		t.Errorf("ListObjectParts of the aborted upload = %v (code %q); want NoSuchUpload", err, code)
	}
	// Aborting again is harmless.
	if err := a.objects.AbortUpload(testCtx(t), key, id); err != nil {
		t.Errorf("AbortUpload of an aborted upload: %v", err)
	}
	// Nothing else went, and the archive still verifies.
	if rep := a.verify(t); len(rep.Problems) != 0 {
		t.Errorf("Verify after the sweep: %v", rep.Problems)
	}
}

func testSweepOrphans(t *testing.T, a *archive) {
	all := a.loadDemo(t)
	before := a.keys(t)

	// Two orphans with clearly different modification times: the old one
	// from a crash, the young one as from an upload about to commit.
	old := media.NewKey(all[0].ID, "recording", "mp4")
	a.put(t, old, []byte("an upload whose metadata never came"))
	time.Sleep(1100 * time.Millisecond) // S3 times have whole seconds
	young := media.NewKey(all[1].ID, "slides", "pdf")
	a.put(t, young, []byte("an upload in progress"))
	outside := "elsewhere/readme.txt"
	a.put(t, outside, []byte("not under webinars/"))

	listed, err := a.objects.List(testCtx(t), ObjectPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var oldAt, youngAt time.Time
	for _, o := range listed {
		switch o.Key {
		case old:
			oldAt = o.LastModified
		case young:
			youngAt = o.LastModified
			if o.Size != int64(len("an upload in progress")) {
				t.Errorf("List gives %s a size of %d", young, o.Size)
			}
		}
	}
	if !oldAt.Before(youngAt) {
		t.Fatalf("List: modified %v and %v; want the first orphan older", oldAt, youngAt)
	}
	if len(listed) != len(before)+2 {
		t.Errorf("List(%s) has %d objects, want %d", ObjectPrefix, len(listed), len(before)+2)
	}
	// The clock stands an hour after the midpoint of the two: with a grace
	// of an hour, the old orphan is past it and the young one is not.
	mid := oldAt.Add(youngAt.Sub(oldAt) / 2)
	a.checker.now = func() time.Time { return mid.Add(time.Hour) }

	rep := a.sweep(t, SweepOptions{Grace: time.Hour, DryRun: true})
	if len(rep.Objects) != 1 || rep.Objects[0].Key != old || rep.YoungObjects != 1 {
		t.Fatalf("dry run: would remove %+v, %d young; want only %s, 1 young", rep.Objects, rep.YoungObjects, old)
	}
	if got, want := a.keys(t), sorted(append(slices.Clone(before), old, young, outside)...); !slices.Equal(got, want) {
		t.Fatalf("the dry run changed the bucket:\n got %v\nwant %v", got, want)
	}
	text := reportText(t, rep.Write)
	if !strings.Contains(text, "would remove orphaned object "+old) || strings.Contains(text, young) {
		t.Errorf("dry-run report:\n%s", text)
	}

	rep = a.sweep(t, SweepOptions{Grace: time.Hour})
	if len(rep.Objects) != 1 || rep.Objects[0].Key != old {
		t.Fatalf("Sweep removed %+v; want only %s", rep.Objects, old)
	}
	if got, want := a.keys(t), sorted(append(slices.Clone(before), young, outside)...); !slices.Equal(got, want) {
		t.Fatalf("after the sweep the bucket holds\n %v\nwant %v", got, want)
	}
	// Referenced objects are older than the grace period too, and stay.
	if rep := a.verify(t); !slices.Equal(problemSet(rep), []string{"orphan " + young}) {
		t.Errorf("Verify after the sweep: %v; want only the young orphan", rep.Problems)
	}
}

func testSweepEmptyDatabase(t *testing.T, a *archive) {
	// A database without webinars next to a bucket with objects looks like
	// a wrong MONGODB_DATABASE: nothing may be removed.
	empty := testenv.MongoDB(t)
	store, err := webinar.NewStore(testCtx(t), empty)
	if err != nil {
		t.Fatal(err)
	}
	a.checker = New(a.objects, store, SubtitleTracks(empty))
	key := media.NewKey("w"+randomHex(), "recording", "mp4")
	a.put(t, key, []byte("a recording of a webinar in another database"))
	rep := a.sweep(t, SweepOptions{Grace: 0})
	if len(rep.Objects) != 0 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "MONGODB_DATABASE") {
		t.Fatalf("Sweep against an empty database: removed %+v, warnings %q; want nothing removed and a warning", rep.Objects, rep.Warnings)
	}
	if keys := a.keys(t); !slices.Equal(keys, []string{key}) {
		t.Fatalf("bucket holds %v; want %s kept", keys, key)
	}
	if text := reportText(t, rep.Write); !strings.Contains(text, "warning: the database has no webinars") {
		t.Errorf("report does not show the warning:\n%s", text)
	}
}

// TestSweepTracks runs against the embedded servers only: subtitle tracks
// live in the database, whatever the S3 server.
func TestSweepTracks(t *testing.T) {
	a := newArchive(t, testenv.S3Config(t))
	all := a.loadDemo(t)
	ctx := testCtx(t)
	gone, recent := "deleted"+randomHex(), "deleted"+randomHex()
	cue := []subtitle.Cue{{Start: 0, End: time.Second, Text: "Hej"}}
	for _, tr := range []subtitle.Track{
		{WebinarID: gone, Lang: "sv", Cues: cue, UpdatedAt: time.Now().Add(-2 * time.Hour)},
		{WebinarID: gone, Lang: "en", Cues: cue, UpdatedAt: time.Now().Add(-3 * time.Hour)},
		{WebinarID: recent, Lang: "sv", Cues: cue, UpdatedAt: time.Now()},
	} {
		if err := a.subtitle.Put(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	tracks, err := SubtitleTracks(a.db).List(ctx)
	if err != nil || len(tracks) != 7 {
		t.Fatalf("List = %d tracks, %v; want the demo's 4 and 3 more", len(tracks), err)
	}

	rep := a.sweep(t, SweepOptions{Grace: time.Hour, DryRun: true})
	if len(rep.Tracks) != 2 || rep.YoungTracks != 1 {
		t.Fatalf("dry run: would remove %+v, %d young; want the 2 tracks of %s, 1 young", rep.Tracks, rep.YoungTracks, gone)
	}
	if got, _ := SubtitleTracks(a.db).List(ctx); len(got) != 7 {
		t.Fatalf("the dry run removed tracks: %d left", len(got))
	}

	rep = a.sweep(t, SweepOptions{Grace: time.Hour})
	if len(rep.Tracks) != 2 || rep.Tracks[0].WebinarID != gone || rep.Tracks[1].WebinarID != gone {
		t.Fatalf("Sweep removed tracks %+v; want the 2 of %s", rep.Tracks, gone)
	}
	for _, lang := range []string{"sv", "en"} {
		if _, err := a.subtitle.Get(ctx, gone, lang); !errors.Is(err, subtitle.ErrNotFound) {
			t.Errorf("track %s of the deleted webinar: %v; want it removed", lang, err)
		}
	}
	if _, err := a.subtitle.Get(ctx, recent, "sv"); err != nil {
		t.Errorf("young track of a missing webinar: %v; want it kept", err)
	}
	for _, w := range all {
		for _, tr := range w.Subtitles {
			if _, err := a.subtitle.Get(ctx, w.ID, tr.Lang); err != nil {
				t.Errorf("track %s of %s: %v; want it kept", tr.Lang, w.Slug, err)
			}
		}
	}
}

// fakeWebinars fails to list, as an unreachable database does.
type fakeWebinars struct{ err error }

func (f fakeWebinars) ForEach(context.Context, func(*webinar.Webinar) error) error { return f.err }
func (f fakeWebinars) ByID(context.Context, string) (*webinar.Webinar, error)      { return nil, f.err }

func TestSweepWithoutMetadataRemovesNothing(t *testing.T) {
	a := newArchive(t, testenv.S3Config(t))
	key := media.NewKey("w"+randomHex(), "recording", "mp4")
	a.put(t, key, []byte("a recording"))
	errDown := errors.New("database unreachable")
	c := New(a.objects, fakeWebinars{errDown}, SubtitleTracks(a.db))
	rep, err := c.Sweep(testCtx(t), SweepOptions{Grace: 0})
	if !errors.Is(err, errDown) {
		t.Fatalf("Sweep = %v; want the database error", err)
	}
	if rep.Removed() != 0 || !slices.Equal(a.keys(t), []string{key}) {
		t.Fatalf("Sweep without metadata removed %+v; bucket %v", rep, a.keys(t))
	}
	if _, err := c.Verify(testCtx(t)); !errors.Is(err, errDown) {
		t.Fatalf("Verify = %v; want the database error", err)
	}
}

func TestVerifyPosterAndSharedKey(t *testing.T) {
	a := newArchive(t, testenv.S3Config(t))
	all := a.loadDemo(t)
	// An empty poster object, and a second webinar claiming the first one's
	// recording (set through the store's own collection).
	a.put(t, all[0].Poster.Key, nil)
	_, err := a.db.Collection("webinars").UpdateOne(testCtx(t),
		bson.M{"_id": all[1].ID}, bson.M{"$set": bson.M{"recording": all[0].Recording}})
	if err != nil {
		t.Fatal(err)
	}
	rep := a.verify(t)
	want := sorted(
		"empty "+all[0].Poster.Key,
		"shared "+all[0].Recording.Key,
		"orphan "+all[1].Recording.Key,
	)
	if got := problemSet(rep); !slices.Equal(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

// TestObjectRefsCoversEveryKey guards the sweep against a new kind of
// file in the webinar model: an object key the metadata holds but
// ObjectRefs does not return would look orphaned and be deleted.
func TestObjectRefsCoversEveryKey(t *testing.T) {
	var w webinar.Webinar
	var want []string
	n := 0
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.Type().Elem().Kind() == reflect.Struct && v.Type().Elem() != reflect.TypeFor[time.Time]() {
				v.Set(reflect.New(v.Type().Elem()))
				fill(v.Elem(), path)
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Struct {
				v.Set(reflect.MakeSlice(v.Type(), 2, 2))
				for i := range 2 {
					fill(v.Index(i), path+"[]")
				}
			}
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Type.Kind() == reflect.String && strings.HasSuffix(f.Name, "Key") {
					n++
					key := "webinars/x/" + path + "." + f.Name + "-" + string(rune('a'+n))
					v.Field(i).SetString(key)
					want = append(want, key)
					continue
				}
				fill(v.Field(i), path+"."+f.Name)
			}
		}
	}
	fill(reflect.ValueOf(&w).Elem(), "")
	var got []string
	for _, ref := range w.ObjectRefs() {
		got = append(got, ref.Key)
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) < 4 || !slices.Equal(got, want) {
		t.Fatalf("ObjectRefs returns keys\n %q\nthe model holds\n %q\nAdd the new object to webinar.(*Webinar).ObjectRefs.", got, want)
	}
}

// fakeSweeper counts sweeps and reports one removal each time.
type fakeSweeper struct {
	mu    sync.Mutex
	opts  []SweepOptions
	swept chan struct{}
}

func (f *fakeSweeper) Sweep(_ context.Context, opts SweepOptions) (Report, error) {
	f.mu.Lock()
	f.opts = append(f.opts, opts)
	n := len(f.opts)
	f.mu.Unlock()
	f.swept <- struct{}{}
	rep := Report{Grace: opts.Grace, Objects: []media.Object{{Key: "webinars/x/recording-1.mp4", Size: 5}}}
	if n == 2 {
		return rep, errors.New("S3 unreachable")
	}
	return rep, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunPeriodically(t *testing.T) {
	f := &fakeSweeper{swept: make(chan struct{}, 10)}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		RunPeriodically(ctx, f, 20*time.Millisecond, 0, log)
		close(done)
	}()
	for i := range 3 {
		select {
		case <-f.swept:
		case <-time.After(10 * time.Second):
			t.Fatalf("sweep %d did not happen", i+1)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunPeriodically did not return after ctx ended")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.opts {
		if o != (SweepOptions{Grace: DefaultGrace}) {
			t.Errorf("swept with %+v; want the default grace and no dry run", o)
		}
	}
	text := logs.String()
	for _, want := range []string{"orphaned object removed", "webinars/x/recording-1.mp4", "S3 unreachable"} {
		if !strings.Contains(text, want) {
			t.Errorf("log does not contain %q:\n%s", want, text)
		}
	}
}

// TestRunPeriodicallyGrace: a grace given (SWEEP_GRACE) is the one every
// sweep uses.
func TestRunPeriodicallyGrace(t *testing.T) {
	f := &fakeSweeper{swept: make(chan struct{}, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		RunPeriodically(ctx, f, 20*time.Millisecond, 5*time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	for i := range 2 {
		select {
		case <-f.swept:
		case <-time.After(10 * time.Second):
			t.Fatalf("sweep %d did not happen", i+1)
		}
	}
	cancel()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.opts {
		if o != (SweepOptions{Grace: 5 * time.Minute}) {
			t.Errorf("swept with %+v; want a grace of 5m", o)
		}
	}
}
