package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// A backend is an S3 server the store must work against: the embedded
// versitygw the portal runs by default, and MinIO, which stands in for the
// production S3.
type backend struct {
	name string
	open func(t testing.TB) (*media.Store, media.Config)
}

var backends = []backend{
	{name: "versitygw", open: func(t testing.TB) (*media.Store, media.Config) {
		st := testenv.Media(t)
		cfg := testenv.S3Config(t)
		cfg.Bucket = st.Bucket()
		return st, cfg
	}},
	{name: "minio", open: func(t testing.TB) (*media.Store, media.Config) {
		cfg := testenv.MinIO(t)
		return openStore(t, cfg), cfg
	}},
}

func openStore(t testing.TB, cfg media.Config) *media.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := media.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open media store: %v", err)
	}
	return st
}

// rawClient talks to the same bucket as the store, without the store, to
// check what the store left on the server.
func rawClient(t testing.TB, cfg media.Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return c
}

type suite struct {
	st  *media.Store
	cfg media.Config
	raw *minio.Client
}

func TestStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, cfg := b.open(t)
			s := suite{st: st, cfg: cfg, raw: rawClient(t, cfg)}
			t.Run("Ping", s.testPing)
			t.Run("OpenExistingBucket", s.testOpenExistingBucket)
			t.Run("RoundTripKnownSize", s.testRoundTripKnownSize)
			t.Run("RoundTripUnknownSizeMultipart", s.testRoundTripUnknownSize)
			t.Run("RoundTripEmpty", s.testRoundTripEmpty)
			t.Run("RangedGet", s.testRangedGet)
			t.Run("Stat", s.testStat)
			t.Run("Missing", s.testMissing)
			t.Run("DeleteIdempotent", s.testDeleteIdempotent)
			t.Run("FailingReaderLeavesNothing", s.testFailingReader)
			t.Run("ShortReaderLeavesNothing", s.testShortReader)
			t.Run("LongReaderLeavesNothing", s.testLongReader)
			t.Run("Keys", s.testKeys)
			t.Run("Multipart", s.testMultipart)
			t.Run("PartLandingAfterAbort", s.testPartLandingAfterAbort)
		})
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// owner gives each test its own key prefix in the shared bucket.
func owner() string { return fmt.Sprintf("u%016x", rand.Uint64()) }

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// onlyReader hides ReadAt and Seek, as an HTTP request body does, so
// minio-go streams instead of reading at offsets.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func (s suite) put(t *testing.T, key string, data []byte, size int64, contentType string) media.Object {
	t.Helper()
	obj, err := s.st.Put(testContext(t), key, onlyReader{bytes.NewReader(data)}, size, contentType)
	if err != nil {
		t.Fatalf("Put(%s, %d bytes, size %d): %v", key, len(data), size, err)
	}
	return obj
}

func (s suite) get(t *testing.T, key string, offset, length int64) []byte {
	t.Helper()
	body, err := s.st.Get(testContext(t), key, offset, length)
	if err != nil {
		t.Fatalf("Get(%s, %d, %d): %v", key, offset, length, err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("Get(%s, %d, %d): read: %v", key, offset, length, err)
	}
	return got
}

// checkRoundTrip puts data and reads it back whole, byte for byte.
func (s suite) checkRoundTrip(t *testing.T, data []byte, size int64) media.Object {
	t.Helper()
	key := media.NewKey(owner(), "recording", "mp4")
	obj := s.put(t, key, data, size, "video/mp4")
	want := sha256Hex(data)
	if obj.Key != key || obj.Size != int64(len(data)) || obj.SHA256 != want || obj.ContentType != "video/mp4" {
		t.Errorf("Put returned %+v, want key %s, size %d, SHA-256 %s, type video/mp4", obj, key, len(data), want)
	}
	if obj.ETag == "" {
		t.Errorf("Put returned no ETag")
	}
	got := s.get(t, key, 0, -1)
	if !bytes.Equal(got, data) {
		t.Fatalf("Get returned %d bytes (SHA-256 %s), want the %d bytes put (SHA-256 %s)", len(got), sha256Hex(got), len(data), want)
	}
	if sum := sha256Hex(got); sum != obj.SHA256 {
		t.Fatalf("stored object has SHA-256 %s, Put reported %s", sum, obj.SHA256)
	}
	t.Cleanup(func() { _ = s.st.Delete(context.Background(), key) })
	return obj
}

func (s suite) testPing(t *testing.T) {
	if err := s.st.Ping(testContext(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if s.st.Bucket() != s.cfg.Bucket {
		t.Fatalf("Bucket() = %q, want %q", s.st.Bucket(), s.cfg.Bucket)
	}
}

func (s suite) testOpenExistingBucket(t *testing.T) {
	st := openStore(t, s.cfg)
	if err := st.Ping(testContext(t)); err != nil {
		t.Fatalf("Ping after opening an existing bucket: %v", err)
	}
}

func (s suite) testRoundTripKnownSize(t *testing.T) {
	data := randomBytes(3<<20+7, 1)
	s.checkRoundTrip(t, data, int64(len(data)))
}

func (s suite) testRoundTripUnknownSize(t *testing.T) {
	// 40 MiB and a bit: six parts of the store's 8 MiB, sent two at a time.
	data := randomBytes(40<<20+12345, 2)
	obj := s.checkRoundTrip(t, data, -1)
	if !strings.HasSuffix(obj.ETag, "-6") {
		t.Errorf("ETag %q: want a multipart ETag of 6 parts", obj.ETag)
	}
}

func (s suite) testRoundTripEmpty(t *testing.T) {
	for _, size := range []int64{0, -1} {
		t.Run(fmt.Sprintf("size %d", size), func(t *testing.T) {
			s.checkRoundTrip(t, nil, size)
		})
	}
}

func (s suite) testRangedGet(t *testing.T) {
	data := randomBytes(1<<20+17, 3)
	size := int64(len(data))
	key := media.NewKey(owner(), "recording", "webm")
	s.put(t, key, data, size, "video/webm")
	t.Cleanup(func() { _ = s.st.Delete(context.Background(), key) })

	tests := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"whole", 0, -1, data},
		{"first byte", 0, 1, data[:1]},
		{"start", 0, 4096, data[:4096]},
		{"middle", size / 2, 100_000, data[size/2 : size/2+100_000]},
		{"end", size - 10, 10, data[size-10:]},
		{"last byte", size - 1, 1, data[size-1:]},
		{"open-ended", size - 70_000, -1, data[size-70_000:]},
		{"open-ended from 1", 1, -1, data[1:]},
		{"length past the end", size - 5, 100, data[size-5:]},
		{"zero length", 123, 0, []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.get(t, key, tc.offset, tc.length)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("Get(%d, %d) returned %d bytes (SHA-256 %s), want %d (SHA-256 %s)",
					tc.offset, tc.length, len(got), sha256Hex(got), len(tc.want), sha256Hex(tc.want))
			}
		})
	}
}

func (s suite) testStat(t *testing.T) {
	data := randomBytes(123_456, 4)
	key := media.NewKey(owner(), "slides", "pdf")
	before := time.Now().Add(-time.Minute)
	put := s.put(t, key, data, int64(len(data)), "application/pdf")
	t.Cleanup(func() { _ = s.st.Delete(context.Background(), key) })

	obj, err := s.st.Stat(testContext(t), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if obj.Key != key || obj.Size != int64(len(data)) || obj.ContentType != "application/pdf" {
		t.Errorf("Stat = %+v, want key %s, size %d, type application/pdf", obj, key, len(data))
	}
	if obj.ETag == "" || obj.ETag != put.ETag {
		t.Errorf("Stat ETag %q, Put ETag %q: want the same, not empty", obj.ETag, put.ETag)
	}
	if obj.LastModified.Before(before) || obj.LastModified.After(time.Now().Add(time.Minute)) {
		t.Errorf("Stat LastModified %v, want about now", obj.LastModified)
	}
}

func (s suite) testMissing(t *testing.T) {
	key := media.NewKey(owner(), "recording", "mp4")
	ctx := testContext(t)
	if _, err := s.st.Stat(ctx, key); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("Stat of a missing object: error %v, want ErrNotFound", err)
	}
	for _, r := range [][2]int64{{0, -1}, {10, 5}, {10, -1}} {
		body, err := s.st.Get(ctx, key, r[0], r[1])
		if body != nil {
			body.Close()
		}
		if !errors.Is(err, media.ErrNotFound) {
			t.Errorf("Get(%d, %d) of a missing object: error %v, want ErrNotFound", r[0], r[1], err)
		}
	}
}

func (s suite) testDeleteIdempotent(t *testing.T) {
	ctx := testContext(t)
	key := media.NewKey(owner(), "poster", "jpg")
	s.put(t, key, []byte("\xFF\xD8\xFFposter"), 9, "image/jpeg")
	for i := range 2 {
		if err := s.st.Delete(ctx, key); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		if _, err := s.st.Stat(ctx, key); !errors.Is(err, media.ErrNotFound) {
			t.Fatalf("Stat after Delete #%d: error %v, want ErrNotFound", i+1, err)
		}
	}
	if err := s.st.Delete(ctx, media.NewKey(owner(), "poster", "jpg")); err != nil {
		t.Errorf("Delete of a key never written: %v", err)
	}
	if err := s.st.Delete(ctx, ""); err != nil {
		t.Errorf("Delete of the empty key: %v", err)
	}
}

var errBroken = errors.New("connection to uploader lost")

// failingReader yields its data, then fails instead of ending.
type failingReader struct {
	r io.Reader
}

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errBroken
	}
	return n, err
}

// checkNothingLeft asserts that nothing under prefix exists: no object and
// no unfinished multipart upload holding parts on the server's disk. A
// server may still be writing a cut-off body when the store's first
// delete arrives (the store deletes once more ReabortAfter later), so the
// check allows until a little after that second delete.
func (s suite) checkNothingLeft(t *testing.T, prefix string) {
	t.Helper()
	ctx := testContext(t)
	deadline := time.Now().Add(media.ReabortAfter + 3*time.Second)
	for {
		left, err := s.leftUnder(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s after the failed upload, still stored under %s: %v", media.ReabortAfter+3*time.Second, prefix, left)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leftUnder lists the objects and unfinished multipart uploads under
// prefix.
func (s suite) leftUnder(ctx context.Context, prefix string) ([]string, error) {
	keys, err := s.st.Keys(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("Keys(%s): %w", prefix, err)
	}
	// MinIO lists unfinished uploads only for an empty prefix or an exact
	// key; IncompleteUploads lists them all and filters.
	ups, err := s.st.IncompleteUploads(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list unfinished uploads under %s: %w", prefix, err)
	}
	left := keys
	for _, up := range ups {
		left = append(left, "unfinished multipart upload "+up.UploadID+" of "+up.Key)
	}
	return left, nil
}

func (s suite) testFailingReader(t *testing.T) {
	tests := []struct {
		name      string
		failAfter int   // bytes read before the failure
		size      int64 // size declared to Put
	}{
		{"known size single put", 512 << 10, 1 << 20},
		{"known size multipart", 20 << 20, 40 << 20},
		{"unknown size in the first part", 1 << 20, -1},
		{"unknown size after a part", 20 << 20, -1},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "webinars/" + owner() + "/"
			key := prefix + "recording-failing.mp4"
			data := randomBytes(tc.failAfter, byte(10+i))
			obj, err := s.st.Put(testContext(t), key, failingReader{bytes.NewReader(data)}, tc.size, "video/mp4")
			if !errors.Is(err, errBroken) {
				t.Fatalf("Put from a failing reader = %+v, error %v; want the reader's error %v", obj, err, errBroken)
			}
			s.checkNothingLeft(t, prefix)
		})
	}
}

func (s suite) testShortReader(t *testing.T) {
	tests := []struct {
		name string
		have int   // bytes the reader holds
		size int64 // size declared to Put
	}{
		{"single put", 500, 1000},
		{"single put, empty reader", 0, 1000},
		{"multipart, short inside a part", 17 << 20, 20 << 20},
		{"multipart, short on a part boundary", 16 << 20, 32 << 20},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "webinars/" + owner() + "/"
			key := prefix + "recording-short.mp4"
			data := randomBytes(tc.have, byte(20+i))
			obj, err := s.st.Put(testContext(t), key, onlyReader{bytes.NewReader(data)}, tc.size, "video/mp4")
			// io.ErrUnexpectedEOF is what callers test to tell an
			// interrupted upload (a 400) from a storage failure.
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("Put of %d bytes declared as %d = %+v, error %v; want io.ErrUnexpectedEOF", tc.have, tc.size, obj, err)
			}
			s.checkNothingLeft(t, prefix)
		})
	}
}

func (s suite) testLongReader(t *testing.T) {
	tests := []struct {
		name string
		have int   // bytes the reader holds
		size int64 // size declared to Put
	}{
		{"single put", 1500, 1000},
		{"declared empty", 100, 0},
		{"multipart", 21 << 20, 20 << 20},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "webinars/" + owner() + "/"
			key := prefix + "recording-long.mp4"
			data := randomBytes(tc.have, byte(30+i))
			obj, err := s.st.Put(testContext(t), key, onlyReader{bytes.NewReader(data)}, tc.size, "video/mp4")
			if err == nil {
				t.Fatalf("Put of %d bytes declared as %d succeeded: %+v", tc.have, tc.size, obj)
			}
			s.checkNothingLeft(t, prefix)
		})
	}
}

func (s suite) testKeys(t *testing.T) {
	ctx := testContext(t)
	mine, other := owner(), owner()
	want := []string{
		media.NewKey(mine, "recording", "mp4"),
		media.NewKey(mine, "slides", "pdf"),
		"webinars/" + mine + "/subtitles/sv.vtt",
	}
	for _, key := range append(slices.Clone(want), media.NewKey(other, "recording", "mp4")) {
		s.put(t, key, []byte(key), int64(len(key)), "application/octet-stream")
		t.Cleanup(func() { _ = s.st.Delete(context.Background(), key) })
	}
	slices.Sort(want)

	got, err := s.st.Keys(ctx, "webinars/"+mine+"/")
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Keys(webinars/%s/) = %v, want %v", mine, got, want)
	}
	got, err = s.st.Keys(ctx, "webinars/"+owner()+"/")
	if err != nil || len(got) != 0 {
		t.Errorf("Keys of an unused prefix = %v, %v; want none", got, err)
	}
}

func TestNewKey(t *testing.T) {
	tests := []struct {
		owner, kind, ext string
		want             string // pattern
	}{
		{"u123", "recording", "mp4", `^webinars/u123/recording-[0-9a-f]{16}\.mp4$`},
		{"u123", "recording", ".MP4", `^webinars/u123/recording-[0-9a-f]{16}\.mp4$`},
		{"665f1c2e9b1d4a0012345678", "slides", "PDF", `^webinars/665f1c2e9b1d4a0012345678/slides-[0-9a-f]{16}\.pdf$`},
		{"u1", "poster", ".jpg", `^webinars/u1/poster-[0-9a-f]{16}\.jpg$`},
	}
	for _, tc := range tests {
		t.Run(tc.kind+" "+tc.ext, func(t *testing.T) {
			key := media.NewKey(tc.owner, tc.kind, tc.ext)
			if !regexp.MustCompile(tc.want).MatchString(key) {
				t.Fatalf("NewKey(%q, %q, %q) = %q, want a match of %s", tc.owner, tc.kind, tc.ext, key, tc.want)
			}
		})
	}
	t.Run("unique", func(t *testing.T) {
		seen := make(map[string]bool)
		for range 10_000 {
			key := media.NewKey("u1", "recording", "mp4")
			if seen[key] {
				t.Fatalf("NewKey returned %q twice", key)
			}
			seen[key] = true
		}
	})
}

// zipHead is the start of a ZIP local file header naming the first entry.
func zipHead(name string) []byte {
	h := []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	h = append(h, byte(len(name)), 0, 0, 0)
	return append(h, name...)
}

// ebmlHead is an EBML header with the given DocType.
func ebmlHead(docType string) []byte {
	body := []byte{0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81, 0x04, 0x42, 0xF3, 0x81, 0x08}
	body = append(body, 0x42, 0x82, 0x80|byte(len(docType)))
	body = append(body, docType...)
	body = append(body, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02)
	return append([]byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | byte(len(body))}, body...)
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want media.Kind
		ok   bool
	}{
		{"mp4 ftyp isom", append([]byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"), make([]byte, 16)...), media.MP4, true},
		{"mp4 ftyp mp42", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), media.MP4, true},
		{"webm", ebmlHead("webm"), media.WebM, true},
		{"matroska is not webm", ebmlHead("matroska"), media.Kind{}, false},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), media.PDF, true},
		{"pptx content types first", zipHead("[Content_Types].xml"), media.PPTX, true},
		{"pptx slide first", zipHead("ppt/slides/slide1.xml"), media.PPTX, true},
		{"zip without office parts", zipHead("photos/beach.jpg"), media.Kind{}, false},
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), media.JPEG, true},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), media.PNG, true},
		{"exe renamed to mp4", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00"), make([]byte, 100)...), media.Kind{}, false},
		{"empty", nil, media.Kind{}, false},
		{"text", []byte("Hej! Det här är bara text, inget webbinarium.\n"), media.Kind{}, false},
		{"too short for ftyp", []byte("\x00\x00\x00\x08ftyp"), media.Kind{}, false},
		{"html", []byte("<!DOCTYPE html><html><body>ftyp webm</body></html>"), media.Kind{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := media.Sniff(tc.head)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("Sniff(%q) = %+v, %v; want %+v, %v", tc.head, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPeek(t *testing.T) {
	for _, n := range []int{0, 1, media.SniffLen - 1, media.SniffLen, media.SniffLen + 1, 100_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			data := randomBytes(n, 5)
			head, r, err := media.Peek(onlyReader{bytes.NewReader(data)})
			if err != nil {
				t.Fatalf("Peek: %v", err)
			}
			if want := data[:min(n, media.SniffLen)]; !bytes.Equal(head, want) {
				t.Fatalf("head has %d bytes, want the first %d", len(head), len(want))
			}
			all, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(all, data) {
				t.Fatalf("reader gave %d bytes (err %v), want the %d bytes of the stream", len(all), err, n)
			}
		})
	}
	t.Run("read error", func(t *testing.T) {
		if _, _, err := media.Peek(failingReader{bytes.NewReader([]byte("abc"))}); !errors.Is(err, errBroken) {
			t.Fatalf("Peek of a failing reader: error %v, want %v", err, errBroken)
		}
	})
}

// BenchmarkPut uploads 64 MiB through Store.Put and, as a baseline, through
// a bare minio-go PutObject with the same options, on each backend: the
// difference is what the store's hashing and counting cost.
func BenchmarkPut(b *testing.B) {
	const size = 64 << 20
	data := randomBytes(size, 6)
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			st, cfg := be.open(b)
			raw := rawClient(b, cfg)
			ctx := context.Background()
			benchOwner := owner()

			b.Run("store", func(b *testing.B) {
				b.SetBytes(size)
				for b.Loop() {
					key := media.NewKey(benchOwner, "recording", "mp4")
					if _, err := st.Put(ctx, key, onlyReader{bytes.NewReader(data)}, size, "video/mp4"); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					_ = st.Delete(ctx, key)
					b.StartTimer()
				}
			})
			b.Run("minio-go", func(b *testing.B) {
				b.SetBytes(size)
				opts := minio.PutObjectOptions{ContentType: "video/mp4", DisableContentSha256: true}
				for b.Loop() {
					key := media.NewKey(benchOwner, "recording", "mp4")
					if _, err := raw.PutObject(ctx, cfg.Bucket, key, onlyReader{bytes.NewReader(data)}, size, opts); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					_ = raw.RemoveObject(ctx, cfg.Bucket, key, minio.RemoveObjectOptions{})
					b.StartTimer()
				}
			})
		})
	}
}
