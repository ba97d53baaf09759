// Package embedded runs the in-process MongoDB-wire server (FerretDB on
// SQLite) and S3 server (versitygw on plain files) used when the portal is
// started without external MONGODB_URI and S3_ENDPOINT. The rest of the
// portal only sees a MongoDB URI and an S3 endpoint.
package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/versity/versitygw/backend/meta"
	"github.com/versity/versitygw/backend/posix"
	"github.com/versity/versitygw/embedgw"
)

// Servers are the running embedded servers.
type Servers struct {
	MongoURI    string
	S3Endpoint  string // host:port, plain HTTP on loopback
	S3AccessKey string
	S3SecretKey string
	// ObjectsDir holds one folder per bucket, each object a plain file.
	ObjectsDir string

	cancel   context.CancelFunc
	wg       sync.WaitGroup
	lockFile *os.File
	stopOnce sync.Once
	dataDir  string // absolute
	wroteRun bool   // this process wrote dataDir/run.json
}

// ErrLocked is returned when another process already uses the data directory.
var ErrLocked = errors.New("datakatalogen används redan av en annan process (data directory is in use by another process)")

// ferretMu guards ferretdb.New, which writes a package global.
var ferretMu sync.Mutex

// Start takes an exclusive lock on dataDir and starts both servers on
// loopback. Data lives in dataDir/db (SQLite) and dataDir/objects (one
// folder per bucket). Stop must be called to release the lock.
func Start(ctx context.Context, dataDir string, logger *slog.Logger) (*Servers, error) {
	return StartOnly(ctx, dataDir, logger, true, true)
}

// StartOnly starts the MongoDB-wire server, the S3 server or both, for a
// portal that uses an external server for the other.
func StartOnly(ctx context.Context, dataDir string, logger *slog.Logger, mongo, s3 bool) (*Servers, error) {
	// versitygw's posix backend changes the process working directory, so
	// every path must be absolute before it starts.
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %q: %w", dataDir, err)
	}
	dbDir := filepath.Join(abs, "db")
	objDir := filepath.Join(abs, "objects")
	// The side-car folder must not share a prefix with objDir (versitygw).
	metaDir := filepath.Join(abs, "sidecar-meta")
	for _, d := range []string{abs, dbDir, objDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}

	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}
	// A run file left by a portal that crashed names servers that are
	// gone; the lock's new holder removes it before anyone reads it.
	if err := removeRunFile(abs); err != nil {
		lock.Close()
		return nil, fmt.Errorf("remove stale run file: %w", err)
	}
	s := &Servers{lockFile: lock, dataDir: abs}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel

	if mongo {
		if err := s.startFerret(runCtx, dbDir, logger); err != nil {
			s.Stop()
			return nil, err
		}
	}
	if s3 {
		if err := s.startS3(runCtx, objDir, metaDir, abs); err != nil {
			s.Stop()
			return nil, err
		}
		s.ObjectsDir = objDir
	}
	return s, nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
	}
	return f, nil
}

func (s *Servers) startFerret(ctx context.Context, dbDir string, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.Default()
	}
	// FerretDB is very chatty below error level.
	quiet := slog.New(logger.Handler().WithGroup("ferretdb"))
	quiet = slog.New(levelFilter{Handler: quiet.Handler(), min: slog.LevelError})

	ferretMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    quiet,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dbDir + "/",
	})
	ferretMu.Unlock()
	if err != nil {
		return fmt.Errorf("start embedded MongoDB-wire server: %w", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = f.Run(ctx)
	}()
	s.MongoURI = f.MongoDBURI()
	return nil
}

func (s *Servers) startS3(ctx context.Context, objDir, metaDir, dataDir string) error {
	var store meta.MetadataStorer = meta.XattrMeta{}
	if err := (meta.XattrMeta{}).Test(objDir); err != nil {
		// Filesystems without user xattrs (some container overlays, tmpfs)
		// keep metadata in a side-car folder instead.
		if err := os.MkdirAll(metaDir, 0o750); err != nil {
			return fmt.Errorf("create %s: %w", metaDir, err)
		}
		sc, err := meta.NewSideCar(metaDir)
		if err != nil {
			return fmt.Errorf("object metadata store: %w", err)
		}
		store = sc
	}
	// posix.New moves the process's working directory into objDir, and the
	// gateway then resolves buckets relative to it: it must stay there.
	// Every path the portal uses is made absolute before this point.
	be, err := posix.New(objDir, store, posix.PosixOpts{CopyObjectThreshold: 5 << 30})
	if err != nil {
		return fmt.Errorf("start embedded S3 server: %w", err)
	}

	port, err := freePort()
	if err != nil {
		return err
	}
	s.S3Endpoint = fmt.Sprintf("127.0.0.1:%d", port)
	s.S3AccessKey = "portal"
	s.S3SecretKey, err = secretFor(dataDir)
	if err != nil {
		return err
	}
	// versitygw prints a banner line to stdout at start; commands such as
	// "portal token create" print their result there, so keep it clean.
	restore := silenceStdout()
	defer restore()
	errc := make(chan error, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		errc <- embedgw.RunVersityGW(ctx, be, &embedgw.Config{
			RootUserAccess:    s.S3AccessKey,
			RootUserSecret:    s.S3SecretKey,
			Region:            "us-east-1",
			Ports:             []string{s.S3Endpoint},
			MaxConnections:    250000,
			MaxRequests:       100000,
			MultipartMaxParts: 10000,
			KeepAlive:         true,
			Quiet:             true,
		})
	}()
	return waitHTTP(s.S3Endpoint, errc)
}

// silenceStdout sends os.Stdout to /dev/null until the returned func runs.
func silenceStdout() func() {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	orig := os.Stdout
	os.Stdout = devnull
	return func() {
		os.Stdout = orig
		devnull.Close()
	}
}

// secretFor returns the embedded S3 secret, created once per data directory
// so objects stay reachable across restarts.
func secretFor(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "s3-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 16 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 20)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitHTTP(addr string, errc <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			return fmt.Errorf("embedded S3 server stopped: %v", err)
		default:
		}
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("embedded S3 server did not answer on %s", addr)
}

// Stop stops both servers, waits for them and releases the data lock.
// Disconnect MongoDB clients first: FerretDB waits for open connections.
func (s *Servers) Stop() {
	s.stopOnce.Do(func() {
		// First, so no command connects to servers that are stopping.
		if s.wroteRun {
			_ = removeRunFile(s.dataDir)
		}
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		if s.lockFile != nil {
			_ = syscall.Flock(int(s.lockFile.Fd()), syscall.LOCK_UN)
			s.lockFile.Close()
		}
	})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool { return l >= h.min }
func (h levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{h.Handler.WithAttrs(a), h.min}
}
func (h levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{h.Handler.WithGroup(n), h.min}
}
