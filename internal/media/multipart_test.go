package media_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/smakom/webinar-portal/internal/media"
)

// testMultipart: parts streamed from a longer reader, a part sent again
// replaces the first, a part whose stream ends early fails, and the object
// holds only the parts the completion lists. Abort frees the upload.
func (s suite) testMultipart(t *testing.T) {
	ctx := testContext(t)
	key := media.NewKey(owner(), "recording", "mp4")
	id, err := s.st.NewMultipart(ctx, key, "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	one, two := randomBytes(media.MinPartSize, 1), randomBytes(1000, 2)
	// The reader goes on past the part: only the part's bytes are read.
	stream := onlyReader{io.MultiReader(bytes.NewReader(one), bytes.NewReader([]byte("next part")))}
	p1, err := s.st.PutPart(ctx, key, id, 1, stream, int64(len(one)))
	if err != nil || p1.Number != 1 || p1.Size != int64(len(one)) || p1.ETag == "" {
		t.Fatalf("PutPart 1 = %+v, %v", p1, err)
	}
	if rest, _ := io.ReadAll(stream); string(rest) != "next part" {
		t.Fatalf("PutPart read past its part: %q left", rest)
	}
	if _, err := s.st.PutPart(ctx, key, id, 2, onlyReader{bytes.NewReader(two[:10])}, int64(len(two))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("PutPart of a short stream: %v; want io.ErrUnexpectedEOF", err)
	}
	if _, err := s.st.PutPart(ctx, key, id, 2, onlyReader{bytes.NewReader(randomBytes(3000, 9))}, 3000); err != nil {
		t.Fatal(err)
	}
	p2, err := s.st.PutPart(ctx, key, id, 2, onlyReader{bytes.NewReader(two)}, int64(len(two)))
	if err != nil {
		t.Fatal(err)
	}
	// A third part is sent but not listed: it is dropped.
	if _, err := s.st.PutPart(ctx, key, id, 3, onlyReader{bytes.NewReader(two)}, int64(len(two))); err != nil {
		t.Fatal(err)
	}
	obj, err := s.st.CompleteMultipart(ctx, key, id, []media.Part{p1, p2})
	if err != nil || obj.Key != key {
		t.Fatalf("CompleteMultipart = %+v, %v", obj, err)
	}
	want := append(bytes.Clone(one), two...)
	if got := s.get(t, key, 0, -1); !bytes.Equal(got, want) {
		t.Fatalf("object is %d bytes (SHA-256 %s); want %d (%s)", len(got), sha256Hex(got), len(want), sha256Hex(want))
	}
	st, err := s.st.Stat(ctx, key)
	if err != nil || st.ContentType != "video/mp4" {
		t.Errorf("Stat = %+v, %v; want video/mp4", st, err)
	}
	// Completing again (a retried finish) succeeds on versitygw and
	// reports ErrNoUpload on MinIO; either way the object stays.
	if _, err := s.st.CompleteMultipart(ctx, key, id, []media.Part{p1, p2}); err != nil && !errors.Is(err, media.ErrNoUpload) {
		t.Errorf("completing twice: %v; want success or ErrNoUpload", err)
	}
	if got := s.get(t, key, 0, -1); !bytes.Equal(got, want) {
		t.Fatalf("after completing twice the object is %d bytes; want %d", len(got), len(want))
	}

	// Aborted: its parts are gone, and it cannot take more.
	key2 := media.NewKey(owner(), "slides", "pdf")
	id2, err := s.st.NewMultipart(ctx, key2, "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.PutPart(ctx, key2, id2, 1, bytes.NewReader(two), int64(len(two))); err != nil {
		t.Fatal(err)
	}
	if err := s.st.AbortUpload(ctx, key2, id2); err != nil {
		t.Fatal(err)
	}
	if err := s.st.AbortUpload(ctx, key2, id2); err != nil {
		t.Errorf("aborting twice: %v", err)
	}
	if _, err := s.st.PutPart(ctx, key2, id2, 2, bytes.NewReader(two), int64(len(two))); !errors.Is(err, media.ErrNoUpload) {
		t.Errorf("PutPart after abort: %v; want ErrNoUpload", err)
	}
	ups, err := s.st.IncompleteUploads(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if u.UploadID == id || u.UploadID == id2 {
			t.Errorf("upload %s of %s is still listed as unfinished", u.UploadID, u.Key)
		}
	}
	if _, err := s.st.Stat(ctx, key2); !errors.Is(err, media.ErrNotFound) {
		t.Errorf("aborted upload left an object: %v", err)
	}
}

// testPartLandingAfterAbort: a part whose body the server is still
// reading when the upload is aborted can be stored after the abort
// (versitygw links it into a fresh folder of the upload id). The store
// aborts once more a little later, so none of its bytes are kept.
func (s suite) testPartLandingAfterAbort(t *testing.T) {
	ctx := testContext(t)
	key := media.NewKey(owner(), "recording", "mp4")
	id, err := s.st.NewMultipart(ctx, key, "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(media.MinPartSize, 3)
	body, w := io.Pipe()
	sent := make(chan error, 1)
	go func() {
		_, err := s.st.PutPart(ctx, key, id, 1, body, int64(len(data)))
		sent <- err
	}()
	// All but the last byte: the server is past its check that the
	// upload exists and waits for the rest.
	if _, err := w.Write(data[:len(data)-1]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := s.st.AbortUpload(ctx, key, id); err != nil {
		t.Fatal(err)
	}
	w.Write(data[len(data)-1:])
	w.Close()
	err = <-sent
	t.Logf("the part finished after the abort: %v", err)

	parts := func() (int, error) {
		res, err := minio.Core{Client: s.raw}.ListObjectParts(ctx, s.cfg.Bucket, key, id, 0, 100)
		return len(res.ObjectParts), err
	}
	n, err := parts()
	t.Logf("right after the abort the server lists %d parts (%v)", n, err)
	deadline := time.Now().Add(media.ReabortAfter + 5*time.Second)
	for ; err == nil && time.Now().Before(deadline); n, err = parts() {
		time.Sleep(100 * time.Millisecond)
	}
	if err == nil {
		t.Errorf("%s after the abort the upload still holds %d parts", media.ReabortAfter+5*time.Second, n)
	}
}
