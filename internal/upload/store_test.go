package upload

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
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

func TestResumeAfterDisconnect(t *testing.T) {
	s := newStore(t)
	data := bytes.Repeat([]byte("vattenförsörjning "), 5000)
	info, err := s.Create(Info{Slug: "w", Kind: "recording", Length: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	// The first chunk breaks off after 30,000 bytes.
	got, err := s.Append(info.ID, 0, &brokenReader{data: data[:30000]}, nil)
	if err == nil || got.Offset != 30000 {
		t.Fatalf("interrupted chunk: offset %d, err %v", got.Offset, err)
	}
	// A new store on the same folder (a restart) sees the same offset.
	s2, err := NewStore(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s2.Get(info.ID)
	if err != nil || again.Offset != 30000 {
		t.Fatalf("after restart: %+v %v", again, err)
	}
	if _, err := s2.Append(info.ID, 0, bytes.NewReader(data), nil); !errors.Is(err, ErrOffset) {
		t.Fatalf("wrong offset: %v", err)
	}
	done, err := s2.Append(info.ID, 30000, bytes.NewReader(data[30000:]), nil)
	if err != nil || !done.Complete() {
		t.Fatalf("resumed chunk: %+v %v", done, err)
	}
	f, err := s2.Open(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(stored, data) {
		t.Fatal("resumed upload differs from the original")
	}
	if err := s2.Delete(info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Get(info.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestRefusedChunksKeepNothing(t *testing.T) {
	s := newStore(t)
	info, err := s.Create(Info{Slug: "w", Kind: "slides", Length: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(info.ID, 0, bytes.NewReader(make([]byte, 60)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(info.ID, 60, bytes.NewReader(make([]byte, 41)), nil); !errors.Is(err, ErrTooLong) {
		t.Fatalf("chunk past the length: %v", err)
	}
	bad := &Checksum{Hash: sha256.New(), Want: make([]byte, 32)}
	if _, err := s.Append(info.ID, 60, bytes.NewReader(make([]byte, 40)), bad); !errors.Is(err, ErrChecksum) {
		t.Fatalf("checksum mismatch: %v", err)
	}
	if got, _ := s.Get(info.ID); got.Offset != 60 {
		t.Fatalf("refused chunks changed the offset to %d", got.Offset)
	}
	chunk := bytes.Repeat([]byte{7}, 40)
	sum := sha256.Sum256(chunk)
	good := &Checksum{Hash: sha256.New(), Want: sum[:]}
	if got, err := s.Append(info.ID, 60, bytes.NewReader(chunk), good); err != nil || !got.Complete() {
		t.Fatalf("good chunk: %+v %v", got, err)
	}
	for _, id := range []string{"", "../../etc/passwd", "zz"} {
		if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v", id, err)
		}
	}
}

func TestStale(t *testing.T) {
	s := newStore(t)
	old, _ := s.Create(Info{Slug: "w", Kind: "recording", Length: 10})
	fresh, _ := s.Create(Info{Slug: "w", Kind: "recording", Length: 10})
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(s.dataPath(old.ID), past, past); err != nil {
		t.Fatal(err)
	}
	ids, err := s.Stale(24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != old.ID {
		t.Fatalf("stale = %v, want only %s (not %s)", ids, old.ID, fresh.ID)
	}
}

func TestFinishKeepsANote(t *testing.T) {
	s := newStore(t)
	info, _ := s.Create(Info{Slug: "w", Kind: "recording", Length: 5})
	if _, err := s.Append(info.ID, 0, bytes.NewReader([]byte("hallå")[:5]), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(info.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(info.ID)
	if err != nil || !got.Finished || got.Offset != 5 {
		t.Fatalf("after Finish: %+v %v", got, err)
	}
	if _, err := os.Stat(s.dataPath(info.ID)); !os.IsNotExist(err) {
		t.Error("Finish kept the data file")
	}
	if again, err := s.Append(info.ID, 5, bytes.NewReader(nil), nil); err != nil || !again.Finished {
		t.Errorf("retried last chunk: %+v %v", again, err)
	}
}
