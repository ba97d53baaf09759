// Package minioserver runs a real MinIO server as a separate process (MinIO
// is AGPL and is never imported) on loopback, for the tests and the
// benchmark.
package minioserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/smakom/webinar-portal/internal/healthcheck"
)

// minioStartTimeout bounds how long MinIO may take to answer its liveness
// check; it is ready in about half a second on an idle machine, much more
// on two busy cores under -race.
const minioStartTimeout = 60 * time.Second

// minioBinary finds the MinIO server binary.
func Binary() (string, error) {
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

// Server is a MinIO server process on loopback with its own data folder.
type Server struct {
	Addr, User, Password string

	bin, dir string // to start it again on the same address and data
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the process has been reaped
	output   *tailBuffer
	stopped  sync.Once
}

// Start runs MinIO from bin with its data under dir and random root
// credentials, trying other ports when one is taken between looking for
// it and MinIO binding it. ctx bounds the wait for it to answer.
func Start(ctx context.Context, bin, dir string) (*Server, error) {
	user, password := "portal-"+randomHex(4), randomHex(20)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		srv, err := start(ctx, bin, filepath.Join(dir, fmt.Sprintf("run%d", attempt)), user, password, "")
		if err == nil {
			return srv, nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	return nil, fmt.Errorf("MinIO server %s: %w", bin, lastErr)
}

// DataDir is the folder MinIO keeps its objects and unfinished uploads in.
func (s *Server) DataDir() string { return filepath.Join(s.dir, "data") }

// Output is the tail of what MinIO printed.
func (s *Server) Output() string { return s.output.String() }

// Restart starts a stopped server again on its address, with its data
// and credentials (the server coming back after an outage).
func (s *Server) Restart(ctx context.Context) (*Server, error) {
	return start(ctx, s.bin, s.dir, s.User, s.Password, s.Addr)
}

// start runs MinIO on addr, or on a free port when addr is empty.
func start(ctx context.Context, bin, dir, user, password, addr string) (*Server, error) {
	dataDir := filepath.Join(dir, "data")
	certsDir := filepath.Join(dir, "certs") // keeps MinIO out of ~/.minio
	for _, d := range []string{dataDir, certsDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, err
		}
	}
	if addr == "" {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr = fmt.Sprintf("127.0.0.1:%d", port)
	}
	consolePort, err := freePort()
	if err != nil {
		return nil, err
	}

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
	srv := &Server{Addr: addr, User: user, Password: password, bin: bin, dir: dir, cmd: cmd, exited: make(chan struct{}), output: out}
	go func() {
		_ = cmd.Wait()
		close(srv.exited)
	}()
	if err := srv.waitLive(ctx); err != nil {
		srv.Stop()
		log := out.String()
		if strings.Contains(log, "address already in use") {
			return nil, fmt.Errorf("%w: %v\n%s", errPortInUse, err, log)
		}
		return nil, fmt.Errorf("%v; its output:\n%s", err, log)
	}
	return srv, nil
}

func (s *Server) waitLive(ctx context.Context) error {
	err := healthcheck.Wait(ctx, "http://"+s.Addr+"/minio/health/live", s.exited, minioStartTimeout, 2*time.Second)
	if errors.Is(err, healthcheck.ErrExited) {
		return fmt.Errorf("exited during start (%v)", s.cmd.ProcessState)
	}
	return err
}

// Stop kills the process group and waits for MinIO to be reaped, so its
// data directory can be removed after. It may be called more than once.
func (s *Server) Stop() { s.stopped.Do(s.stop) }

// Kill ends MinIO at once with SIGKILL, as a crash would.
func (s *Server) Kill() {
	s.stopped.Do(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	})
}

func (s *Server) stop() {
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

// environWithoutMinIO is the environment minus MINIO_* settings a
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

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
