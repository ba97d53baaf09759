package upload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/apperr"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// Every test runs against both S3 servers the portal meets: the embedded
// versitygw and MinIO (standing in for production S3).
var backends = []struct {
	name   string
	config func(testing.TB) media.Config
}{
	{"versitygw", testenv.S3Config},
	{"minio", testenv.MinIO},
}

func forBackends(t *testing.T, test func(t *testing.T, objects *media.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			objects, err := media.Open(ctx, b.config(t))
			if err != nil {
				t.Fatal(err)
			}
			test(t, objects)
		})
	}
}

// target stands in for the webinar service: it takes MP4s and PDFs and
// records what it was asked to commit.
type target struct {
	mu        sync.Mutex
	committed []media.Object
	commitErr error
}

func (tg *target) BeginUpload(_ context.Context, slug, kind string, head []byte) (string, media.Kind, error) {
	k, ok := media.Sniff(head)
	if !ok || (k != media.MP4 && k != media.PDF) {
		return "", media.Kind{}, apperr.New(http.StatusUnsupportedMediaType, "wrong_type", "Fel filtyp.")
	}
	return media.NewKey("w"+slug, kind, k.Ext), k, nil
}

func (tg *target) CommitUpload(_ context.Context, _, _, _ string, obj media.Object) error {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.commitErr != nil {
		return tg.commitErr
	}
	tg.committed = append(tg.committed, obj)
	return nil
}

func (tg *target) objects() []media.Object {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]media.Object(nil), tg.committed...)
}

// env is a store on a real S3 server, with the smallest parts S3 allows.
type env struct {
	t       *testing.T
	dir     string
	objects *media.Store
	target  *target
	store   *Store
}

func newEnv(t *testing.T, objects *media.Store) *env {
	e := &env{t: t, dir: t.TempDir(), objects: objects, target: &target{}}
	e.restart()
	return e
}

// restart opens a new store on the same folder, as a restarted portal.
func (e *env) restart() {
	e.t.Helper()
	s, err := NewStore(e.dir, Options{Objects: e.objects, Target: e.target, PartSize: media.MinPartSize})
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = s
}

func (e *env) create(length int) Info {
	e.t.Helper()
	info, err := e.store.Create(Info{Slug: "vatten", Kind: "recording", Filename: "film.mp4", Length: int64(length)})
	if err != nil {
		e.t.Fatal(err)
	}
	return info
}

func (e *env) append(id string, offset int, chunk []byte) (Info, error) {
	return e.store.Append(e.t.Context(), id, int64(offset), bytes.NewReader(chunk), int64(len(chunk)), nil)
}

func (e *env) mustAppend(id string, offset int, chunk []byte) Info {
	e.t.Helper()
	info, err := e.append(id, offset, chunk)
	if err != nil || info.Offset != int64(offset+len(chunk)) {
		e.t.Fatalf("chunk of %d bytes at %d: offset %d, %v", len(chunk), offset, info.Offset, err)
	}
	return info
}

func (e *env) record(id string) record {
	e.t.Helper()
	rec, err := e.store.read(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// checkStored: the committed object holds data, whole, with its SHA-256;
// its S3 upload is complete and only the description is left on disk.
func (e *env) checkStored(id string, data []byte) {
	e.t.Helper()
	objs := e.target.objects()
	if len(objs) != 1 {
		e.t.Fatalf("committed %d objects; want 1", len(objs))
	}
	obj := objs[0]
	sum := sha256.Sum256(data)
	if obj.Size != int64(len(data)) || obj.SHA256 != hex.EncodeToString(sum[:]) || obj.ContentType != "video/mp4" {
		e.t.Errorf("committed %+v; want %d bytes, SHA-256 %x, video/mp4", obj, len(data), sum)
	}
	body, err := e.objects.Get(e.t.Context(), obj.Key, 0, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	got, err := io.ReadAll(body)
	body.Close()
	if err != nil || !bytes.Equal(got, data) {
		e.t.Fatalf("stored object: %d bytes, %v; want the %d bytes sent", len(got), err, len(data))
	}
	e.checkNoUnfinished()
	info, err := e.store.Get(id)
	if err != nil || !info.Finished || !info.Complete() {
		e.t.Errorf("after the last chunk: %+v, %v; want finished", info, err)
	}
	if files := e.files(); len(files) != 1 || files[0] != id+".json" {
		e.t.Errorf("files left: %v; want only the description", files)
	}
}

func (e *env) checkNoUnfinished() {
	e.t.Helper()
	ups, err := e.objects.IncompleteUploads(e.t.Context(), "")
	if err != nil || len(ups) != 0 {
		e.t.Errorf("unfinished multipart uploads: %+v, %v; want none", ups, err)
	}
}

func (e *env) files() []string {
	entries, _ := os.ReadDir(e.dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	sort.Strings(names)
	return names
}

// fakeMP4 is n bytes that sniff as an MP4, different from place to place.
func fakeMP4(n int, seed uint64) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	binary.BigEndian.PutUint32(b, 24)
	copy(b[4:], "ftypisom")
	return b
}

func TestPartsAndTail(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		mib := 1 << 20
		data := fakeMP4(23*mib+123, 1)
		info := e.create(len(data))
		// 300 bytes: too few to tell the kind; they wait in the tail.
		off := 0
		for _, n := range []int{300, 3 * mib, 8 * mib, 1, 6 * mib} {
			e.mustAppend(info.ID, off, data[off:off+n])
			off += n
		}
		rec := e.record(info.ID)
		if rec.UploadID == "" || rec.ContentType != "video/mp4" || !strings.Contains(rec.Key, "/recording-") {
			t.Fatalf("S3 upload not started from the first bytes: %+v", rec)
		}
		for i, p := range rec.Parts {
			if p.Number != i+1 || p.Size != media.MinPartSize {
				t.Errorf("part %d: %+v; want full parts of %d bytes", i+1, p, media.MinPartSize)
			}
		}
		if len(rec.Parts) != 3 || rec.TailLen != int64(off-3*media.MinPartSize) {
			t.Fatalf("after %d bytes: %d parts and %d tail bytes; want 3 and %d", off, len(rec.Parts), rec.TailLen, off-3*media.MinPartSize)
		}
		e.mustAppend(info.ID, off, data[off:])
		e.checkStored(info.ID, data)
		// A client that lost the answer to its last chunk asks again.
		if again, err := e.append(info.ID, len(data), nil); err != nil || !again.Finished {
			t.Errorf("retried last chunk: %+v, %v", again, err)
		}
		if n := len(e.target.objects()); n != 1 {
			t.Errorf("committed %d times", n)
		}
	})
}

// TestSmallFile: a file below the smallest part and below the sniffing
// length is one part.
func TestSmallFile(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		data := fakeMP4(200, 2)
		info := e.create(len(data))
		e.mustAppend(info.ID, 0, data[:100])
		if rec := e.record(info.ID); rec.UploadID != "" {
			t.Fatalf("started an S3 upload from 100 of 200 bytes: %+v", rec)
		}
		e.mustAppend(info.ID, 100, data[100:])
		e.checkStored(info.ID, data)
	})
}

// brokenReader yields data, then fails like a dropped connection.
type brokenReader struct{ data []byte }

func (b *brokenReader) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

// TestResumeAfterDisconnectAndRestart: a chunk that breaks off keeps the
// parts S3 stored and the tail bytes that arrived; a restarted store
// resumes from there.
func TestResumeAfterDisconnectAndRestart(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		data := fakeMP4(17<<20, 3)
		info := e.create(len(data))
		// 12 MiB announced; the connection drops after 8 MiB: one part is
		// stored, the second breaks off.
		got, err := e.store.Append(t.Context(), info.ID, 0, &brokenReader{data: data[:8<<20]}, 12<<20, nil)
		if !errors.Is(err, ErrInterrupted) || got.Offset != media.MinPartSize {
			t.Fatalf("chunk cut in its second part: offset %d, %v; want %d and ErrInterrupted", got.Offset, err, media.MinPartSize)
		}
		// 2 MiB more, cut after 1 MiB: those go to the tail and count.
		off := media.MinPartSize
		got, err = e.store.Append(t.Context(), info.ID, int64(off), &brokenReader{data: data[off : off+1<<20]}, 2<<20, nil)
		if !errors.Is(err, ErrInterrupted) || got.Offset != int64(off+1<<20) {
			t.Fatalf("chunk cut in the tail: offset %d, %v; want %d", got.Offset, err, off+1<<20)
		}
		e.restart()
		again, err := e.store.Get(info.ID)
		if err != nil || again.Offset != int64(off+1<<20) {
			t.Fatalf("after restart: %+v, %v", again, err)
		}
		if _, err := e.append(info.ID, 0, data); !errors.Is(err, ErrOffset) {
			t.Fatalf("wrong offset: %v", err)
		}
		off += 1 << 20
		e.mustAppend(info.ID, off, data[off:])
		e.checkStored(info.ID, data)
	})
}

// TestWholeChunks: with a checksum a chunk counts only whole and matching;
// one spanning parts that fails leaves the upload as it was, and the parts
// sent again replace the ones it stored.
func TestWholeChunks(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		data := fakeMP4(20<<20+7, 4)
		info := e.create(len(data))
		off := 7 << 20
		e.mustAppend(info.ID, 0, data[:off]) // a part and 2 MiB of tail
		before := e.record(info.ID)

		withSum := func(chunk []byte, sum []byte) (Info, error) {
			c := &Checksum{Hash: sha256.New(), Want: sum}
			return e.store.Append(t.Context(), info.ID, int64(off), bytes.NewReader(chunk), int64(len(chunk)), c)
		}
		// 8 MiB with a wrong checksum: the tail and 3 MiB make part 2, 5
		// MiB part 3; then the checksum fails.
		chunk := data[off : off+8<<20]
		wrong := sha256.Sum256([]byte("något annat"))
		if got, err := withSum(chunk, wrong[:]); !errors.Is(err, ErrChecksum) || got.Offset != int64(off) {
			t.Fatalf("wrong checksum: offset %d, %v", got.Offset, err)
		}
		// Other bytes with their own checksum but broken off.
		other := fakeMP4(len(chunk), 9)
		c := &Checksum{Hash: sha256.New(), Want: make([]byte, 32)}
		if got, err := e.store.Append(t.Context(), info.ID, int64(off), &brokenReader{data: other[:6<<20]}, int64(len(chunk)), c); !errors.Is(err, ErrInterrupted) || got.Offset != int64(off) {
			t.Fatalf("broken chunk with checksum: offset %d, %v", got.Offset, err)
		}
		after := e.record(info.ID)
		if len(after.Parts) != len(before.Parts) || after.TailLen != before.TailLen || after.TailGen != before.TailGen {
			t.Fatalf("refused chunks changed the upload: %+v -> %+v", before, after)
		}
		if files := e.files(); len(files) != 2 {
			t.Errorf("files after refused chunks: %v; want the description and one tail", files)
		}
		good := sha256.Sum256(chunk)
		if got, err := withSum(chunk, good[:]); err != nil || got.Offset != int64(off+len(chunk)) {
			t.Fatalf("good checksum: offset %d, %v", got.Offset, err)
		}
		off += len(chunk)
		e.mustAppend(info.ID, off, data[off:])
		e.checkStored(info.ID, data)
	})
}

// TestTooLong: a chunk running past the declared length is refused whole,
// whether its length is announced or found out while reading.
func TestTooLong(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		data := fakeMP4(12<<20, 5)
		info := e.create(len(data))
		e.mustAppend(info.ID, 0, data[:1000])
		long := append(bytes.Clone(data[1000:]), 'x')
		if got, err := e.append(info.ID, 1000, long); !errors.Is(err, ErrTooLong) || got.Offset != 1000 {
			t.Fatalf("announced too long: %+v, %v", got, err)
		}
		if got, err := e.store.Append(t.Context(), info.ID, 1000, bytes.NewReader(long), -1, nil); !errors.Is(err, ErrTooLong) || got.Offset != 1000 {
			t.Fatalf("unknown length, too long: %+v, %v", got, err)
		}
		if rec := e.record(info.ID); len(rec.Parts) != 0 || rec.TailLen != 1000 {
			t.Fatalf("refused chunks were kept: %+v", rec)
		}
		// Unknown lengths that fit are taken: whole parts as they fill up.
		off := 1000
		for _, n := range []int{6 << 20, len(data) - 1000 - 6<<20} {
			got, err := e.store.Append(t.Context(), info.ID, int64(off), bytes.NewReader(data[off:off+n]), -1, nil)
			if err != nil || got.Offset != int64(off+n) {
				t.Fatalf("unknown length at %d: %+v, %v", off, got, err)
			}
			off += n
		}
		e.checkStored(info.ID, data)
	})
}

// TestRefusedKind: the kind is told from the first bytes; a refused file
// starts no S3 upload.
func TestRefusedKind(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		exe := append([]byte("MZ\x90\x00"), make([]byte, 7<<20)...)
		info := e.create(len(exe))
		_, err := e.append(info.ID, 0, exe[:6<<20])
		if ae, ok := apperr.As(err); !ok || ae.Status != http.StatusUnsupportedMediaType {
			t.Fatalf("not a video: %v; want 415", err)
		}
		if got, _ := e.store.Get(info.ID); got.Offset != 0 {
			t.Errorf("refused bytes counted: offset %d", got.Offset)
		}
		e.checkNoUnfinished()
		if err := e.store.Delete(t.Context(), info.ID); err != nil {
			t.Fatal(err)
		}
		if files := e.files(); len(files) != 0 {
			t.Errorf("files left: %v", files)
		}
	})
}

// TestDeleteAbortsTheS3Upload: cancelling aborts the multipart upload and
// removes the files; a request still writing is stopped.
func TestDeleteAbortsTheS3Upload(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		data := fakeMP4(30<<20, 6)
		info := e.create(len(data))
		e.mustAppend(info.ID, 0, data[:12<<20])
		// A chunk still arriving when the cancel comes.
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			_, err := e.store.Append(context.Background(), info.ID, 12<<20, pr, 10<<20, nil)
			done <- err
		}()
		if _, err := pw.Write(data[12<<20 : 13<<20]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.append(info.ID, 12<<20, data[12<<20:13<<20]); !errors.Is(err, ErrBusy) {
			t.Fatalf("second writer: %v; want ErrBusy", err)
		}
		deleted := make(chan error, 1)
		go func() { deleted <- e.store.Delete(context.Background(), info.ID) }()
		// The writer gives up once its client is gone too.
		time.Sleep(100 * time.Millisecond)
		pw.CloseWithError(io.ErrClosedPipe)
		if err := <-done; err == nil {
			t.Error("the cancelled chunk succeeded")
		}
		if err := <-deleted; err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Get(info.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if _, err := e.append(info.ID, 0, data[:10]); !errors.Is(err, ErrNotFound) {
			t.Errorf("chunk after delete: %v", err)
		}
		e.checkNoUnfinished()
		if files := e.files(); len(files) != 0 {
			t.Errorf("files left: %v", files)
		}
	})
}

// failingObjects lets one call fail, as an S3 server going away or a
// portal killed between two steps would.
type failingObjects struct {
	*media.Store
	failComplete      bool // fail before completing
	failAfterComplete bool // complete, then fail (the portal died)
}

var errS3Down = errors.New("S3 is not answering")

func (f *failingObjects) CompleteMultipart(ctx context.Context, key, uploadID string, parts []media.Part) (media.Object, error) {
	if f.failComplete {
		return media.Object{}, errS3Down
	}
	obj, err := f.Store.CompleteMultipart(ctx, key, uploadID, parts)
	if err == nil && f.failAfterComplete {
		err = errS3Down
	}
	return obj, err
}

// TestFinishAfterFailure: when the last part is stored but the object is
// not committed (S3 failed, or the portal stopped, before or after the
// completion), Finish completes and commits it later.
func TestFinishAfterFailure(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		for _, after := range []bool{false, true} {
			e := newEnv(t, objects)
			data := fakeMP4(6<<20, 7)
			info := e.create(len(data))
			s, err := NewStore(e.dir, Options{Objects: &failingObjects{Store: objects, failComplete: !after, failAfterComplete: after},
				Target: e.target, PartSize: media.MinPartSize})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Append(t.Context(), info.ID, 0, bytes.NewReader(data), int64(len(data)), nil)
			if !errors.Is(err, errS3Down) || !got.Complete() || got.Finished {
				t.Fatalf("failed completion (after: %v): %+v, %v", after, got, err)
			}
			if n := len(e.target.objects()); n != 0 {
				t.Fatalf("committed %d objects after a failed completion", n)
			}
			e.restart()
			if got, err := e.store.Finish(t.Context(), info.ID); err != nil || !got.Finished {
				t.Fatalf("Finish (after: %v): %+v, %v", after, got, err)
			}
			e.checkStored(info.ID, data)
		}
	})
}

// TestCommitRefused: an upload its target refuses at the end is gone.
func TestCommitRefused(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		e.target.commitErr = apperr.New(http.StatusUnprocessableEntity, "damaged", "Filen är skadad.")
		data := fakeMP4(1<<20, 8)
		info := e.create(len(data))
		if _, err := e.append(info.ID, 0, data); !errors.Is(err, e.target.commitErr) {
			t.Fatalf("refused commit: %v", err)
		}
		if _, err := e.store.Get(info.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("refused upload still there: %v", err)
		}
		e.checkNoUnfinished()
	})
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	s, err := NewStore(filepath.Join(dir, "uploads"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ups, err := s.List(); err != nil || len(ups) != 0 {
		t.Fatalf("List before the first upload: %v, %v", ups, err)
	}
	info, err := s.Create(Info{Slug: "w", Kind: "slides", Length: 10})
	if err != nil {
		t.Fatal(err)
	}
	// A tail without a description: half-created by a killed portal.
	orphan := strings.Repeat("ab", 16)
	if err := os.WriteFile(s.tailPath(orphan, 0), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	_ = os.Chtimes(s.tailPath(orphan, 0), old, old)
	ups, err := s.List()
	if err != nil || len(ups) != 2 {
		t.Fatalf("List = %+v, %v; want 2", ups, err)
	}
	for _, u := range ups {
		switch u.ID {
		case info.ID:
			if u.Slug != "w" || time.Since(u.Touched) > time.Minute {
				t.Errorf("upload %+v", u)
			}
		case orphan:
			if !u.Touched.Equal(old) {
				t.Errorf("orphan touched %v; want %v", u.Touched, old)
			}
		default:
			t.Errorf("unexpected %+v", u)
		}
	}
	if err := s.Delete(t.Context(), orphan); err != nil {
		t.Fatal(err)
	}
	if ups, _ := s.List(); len(ups) != 1 {
		t.Errorf("after deleting the orphan: %+v", ups)
	}
}

// TestPartLeftInFlight: a chunk ending on a part boundary is answered
// with its last part in flight; it is committed by the next chunk, by a
// HEAD (Get), or by itself when it lands.
func TestPartLeftInFlight(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		p := media.MinPartSize
		data := fakeMP4(3*p+1000, 10)
		info := e.create(len(data))
		e.mustAppend(info.ID, 0, data[:p]) // one whole part
		// Answered with the whole part counted; Get waits for it.
		if got, err := e.store.Get(info.ID); err != nil || got.Offset != int64(p) {
			t.Fatalf("Get after a chunk of one part: %+v, %v", got, err)
		}
		if rec := e.record(info.ID); len(rec.Parts) != 1 {
			t.Fatalf("after Get the description has %d parts; want 1", len(rec.Parts))
		}
		// The next chunk joins the part the one before left in flight.
		e.mustAppend(info.ID, p, data[p:2*p])
		e.mustAppend(info.ID, 2*p, data[2*p:3*p])
		// With no request after it, the part commits itself.
		for i := 0; i < 600 && e.store.handoffOf(info.ID) != nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if rec := e.record(info.ID); len(rec.Parts) != 3 {
			t.Fatalf("a part left in flight did not commit itself: %d parts", len(rec.Parts))
		}
		e.restart()
		if got, _ := e.store.Get(info.ID); got.Offset != int64(3*p) {
			t.Fatalf("after restart: offset %d; want %d", got.Offset, 3*p)
		}
		e.mustAppend(info.ID, 3*p, data[3*p:])
		e.checkStored(info.ID, data)
	})
}

// lossyObjects reads a part's bytes and then fails it, as an S3 server
// that took the bytes but could not store them.
type lossyObjects struct {
	*media.Store
	mu   sync.Mutex
	fail map[int]bool // part numbers to fail, once each
}

func (l *lossyObjects) PutPart(ctx context.Context, key, uploadID string, n int, r io.Reader, size int64) (media.Part, error) {
	l.mu.Lock()
	fail := l.fail[n]
	delete(l.fail, n)
	l.mu.Unlock()
	if fail {
		_, _ = io.Copy(io.Discard, io.LimitReader(r, size))
		return media.Part{}, errS3Down
	}
	return l.Store.PutPart(ctx, key, uploadID, n, r, size)
}

// TestPartInFlightLost: when S3 fails the part a chunk was answered with,
// the next chunk is told the committed offset (409) and the client sends
// those bytes again.
func TestPartInFlightLost(t *testing.T) {
	forBackends(t, func(t *testing.T, objects *media.Store) {
		e := newEnv(t, objects)
		lossy := &lossyObjects{Store: objects, fail: map[int]bool{2: true}}
		s, err := NewStore(e.dir, Options{Objects: lossy, Target: e.target, PartSize: media.MinPartSize})
		if err != nil {
			t.Fatal(err)
		}
		e.store = s
		p := media.MinPartSize
		data := fakeMP4(3*p, 11)
		info := e.create(len(data))
		e.mustAppend(info.ID, 0, data[:p])
		e.mustAppend(info.ID, p, data[p:2*p]) // part 2: answered, then lost
		got, err := e.append(info.ID, 2*p, data[2*p:])
		if !errors.Is(err, ErrOffset) || got.Offset != int64(p) {
			t.Fatalf("chunk after a lost part: offset %d, %v; want %d and ErrOffset", got.Offset, err, p)
		}
		e.mustAppend(info.ID, p, data[p:2*p])
		e.mustAppend(info.ID, 2*p, data[2*p:])
		e.checkStored(info.ID, data)
	})
}
