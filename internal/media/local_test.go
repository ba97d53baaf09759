package media_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/smakom/webinar-portal/internal/media"
)

func TestLocalFilesOpen(t *testing.T) {
	root := t.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	if err := os.MkdirAll(filepath.Join(root, "b", "webinars", "w1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "b", "webinars", "w1", "rec.mp4"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	lf, err := media.NewLocalFiles(root, "b")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := media.NewLocalFiles("relative", "b"); err == nil {
		t.Error("a relative folder was accepted")
	}

	for _, tc := range []struct {
		name                 string
		key                  string
		size, offset, length int64
	}{
		{"size differs from the metadata", "webinars/w1/rec.mp4", int64(len(data)) + 1, 0, 10},
		{"range past the end", "webinars/w1/rec.mp4", int64(len(data)), 10, int64(len(data))},
		{"missing", "webinars/w1/other.mp4", 10, 0, 10},
		{"outside the bucket", "../b/webinars/w1/rec.mp4", int64(len(data)), 0, 10},
		{"absolute", "/etc/passwd", 10, 0, 10},
		{"a folder", "webinars/w1", 4096, 0, 1},
	} {
		if _, err := lf.Open(tc.key, tc.size, tc.offset, tc.length); !errors.Is(err, media.ErrNotLocal) {
			t.Errorf("%s: got %v, want ErrNotLocal", tc.name, err)
		}
	}

	// Read and WriteTo over a real TCP connection (the sendfile path)
	// give exactly the range.
	fr, err := lf.Open("webinars/w1/rec.mp4", int64(len(data)), 1000, 20000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(fr)
	fr.Close()
	if err != nil || !bytes.Equal(got, data[1000:21000]) {
		t.Fatalf("Read: %d bytes, err %v", len(got), err)
	}

	fr, err = lf.Open("webinars/w1/rec.mp4", int64(len(data)), 5000, 50000)
	if err != nil {
		t.Fatal(err)
	}
	n, b := sendOverSocket(t, "HEAD\n", fr)
	fr.Close()
	if n != 50000 {
		t.Fatalf("WriteTo: %d bytes", n)
	}
	want := append([]byte("HEAD\n"), data[5000:55000]...)
	if !bytes.Equal(b, want) {
		t.Fatalf("received %d bytes, want %d (the buffered head, then the range)", len(b), len(want))
	}
}
