package testenv

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/media"
)

// minioStartTimeout bounds how long MinIO may take to answer its liveness
// check; it is ready in about half a second on an idle machine, much more
// on two busy cores under -race.
const minioStartTimeout = 60 * time.Second

// MinIO starts a real MinIO server (a separate process: MinIO is AGPL and is
// never imported) on loopback with its data in a temporary directory, and
// returns its settings with a fresh bucket name. The server is killed when
// the test ends. The binary comes from $MINIO_BIN, else `minio` on PATH, else
// the module's .tools/minio; when none exists the test fails and says to run
// `make test-deps`, which builds it.
func MinIO(t testing.TB) media.Config {
	t.Helper()
	bin, err := minioBinary()
	if err != nil {
		t.Fatalf("MinIO server: %v; run `make test-deps` to build it into .tools/ (or set MINIO_BIN)", err)
	}
	dir := t.TempDir()
	user, password := "portal-"+randomHex(4), randomHex(20)

	// Another process may take a port between freePort and MinIO's bind;
	// try again with new ports when that happens.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		srv, err := startMinIO(bin, filepath.Join(dir, fmt.Sprintf("run%d", attempt)), user, password)
		if err != nil {
			lastErr = err
			if errors.Is(err, errPortInUse) {
				continue
			}
			break
		}
		t.Cleanup(srv.stop)
		return media.Config{
			Endpoint:  srv.addr,
			AccessKey: user,
			SecretKey: password,
			Bucket:    "t" + randomHex(6),
			Region:    "us-east-1",
		}
	}
	t.Fatalf("MinIO server %s: %v", bin, lastErr)
	return media.Config{}
}

// minioBinary finds the MinIO server binary.
func minioBinary() (string, error) {
	var tried []string
	if bin := os.Getenv("MINIO_BIN"); bin != "" {
		if isExecutable(bin) {
			return bin, nil
		}
		tried = append(tried, "MINIO_BIN="+bin)
	}
	if bin, err := exec.LookPath("minio"); err == nil {
		return bin, nil
	}
	tried = append(tried, "minio on PATH")
	// The Makefile exports MINIO_BIN, but a plain `go test` does not; the
	// source path (not the working directory, which the embedded S3 server
	// moves) finds the module's .tools/ then.
	if _, file, _, ok := runtime.Caller(0); ok {
		bin := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "minio")
		if isExecutable(bin) {
			return filepath.Clean(bin), nil
		}
		tried = append(tried, filepath.Clean(bin))
	}
	return "", fmt.Errorf("no MinIO server binary (tried %s)", strings.Join(tried, ", "))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

var errPortInUse = errors.New("port in use")

type minioServer struct {
	addr   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been reaped
	output *tailBuffer
}

func startMinIO(bin, dir, user, password string) (*minioServer, error) {
	dataDir := filepath.Join(dir, "data")
	certsDir := filepath.Join(dir, "certs") // keeps MinIO out of ~/.minio
	for _, d := range []string{dataDir, certsDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	consolePort, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	cmd := exec.Command(bin, "server",
		"--address", addr,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		"--certs-dir", certsDir,
		"--quiet",
		dataDir)
	cmd.Env = append(environWithoutMinIO(),
		"MINIO_ROOT_USER="+user,
		"MINIO_ROOT_PASSWORD="+password,
		"MINIO_UPDATE=off",
	)
	out := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so stop can kill MinIO and anything it
	// starts; Pdeathsig kills it if the test binary dies without cleanup
	// (a panic or a -timeout).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	srv := &minioServer{addr: addr, cmd: cmd, exited: make(chan struct{}), output: out}
	go func() {
		_ = cmd.Wait()
		close(srv.exited)
	}()
	if err := srv.waitLive(); err != nil {
		srv.stop()
		log := out.String()
		if strings.Contains(log, "address already in use") {
			return nil, fmt.Errorf("%w: %v\n%s", errPortInUse, err, log)
		}
		return nil, fmt.Errorf("%v; its output:\n%s", err, log)
	}
	return srv, nil
}

func (s *minioServer) waitLive() error {
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + s.addr + "/minio/health/live"
	deadline := time.Now().Add(minioStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited during start (%v)", s.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s within %v", url, minioStartTimeout)
}

// stop kills the process group and waits for MinIO to be reaped, so its
// data directory can be removed after.
func (s *minioServer) stop() {
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
	// Children that ignored SIGTERM go with the group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// environWithoutMinIO is the test's environment minus MINIO_* settings a
// developer may have exported for another server.
func environWithoutMinIO() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it; MinIO writes from its
// own goroutines while the test may read.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
