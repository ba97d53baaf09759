package embedded_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/embedded"
)

// TestRunFile: the lock holder's run file names its servers, is readable
// by the owner only, and is gone after Stop; a file a crashed process
// left is removed by the next lock holder before it could mislead.
func TestRunFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, embedded.RunFileName)
	if _, err := embedded.ReadRunFile(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadRunFile of a fresh folder = %v; want ErrNotExist", err)
	}

	s := start(t, dir)
	if err := s.WriteRunFile(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("run file mode %v; want 0600", info.Mode().Perm())
	}
	rf, err := embedded.ReadRunFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rf.PID != os.Getpid() || rf.MongoURI != s.MongoURI || rf.S3Endpoint != s.S3Endpoint ||
		rf.S3AccessKey != s.S3AccessKey || rf.S3SecretKey != s.S3SecretKey || time.Since(rf.Started) > time.Hour {
		t.Errorf("run file %+v does not describe the servers %s %s", rf, s.MongoURI, s.S3Endpoint)
	}
	stopWithin(t, s, 30*time.Second)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("run file after Stop: %v; want it removed", err)
	}

	// A crash leaves the file (planted here); the next holder of the lock
	// removes it at once, whether or not it serves.
	stale := `{"pid": 1, "mongodb_uri": "mongodb://127.0.0.1:1/", "s3_endpoint": "127.0.0.1:1"}`
	if err := os.WriteFile(path, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := embedded.ReadRunFile(dir); err != nil {
		t.Fatalf("the planted file does not read: %v", err)
	}
	s = start(t, dir)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale run file survived a new lock holder: %v", err)
	}
	stopWithin(t, s, 30*time.Second)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stop of a holder that wrote no run file created one: %v", err)
	}
}
