package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// bucket is the portal's default S3_BUCKET.
const bucket = "webinars"

// newDirect is the baseline client: minio-go as the portal configures it
// (static V4 credentials, region us-east-1, plain HTTP on loopback), with
// room for conns idle connections so concurrent viewers reuse theirs.
func newDirect(endpoint, accessKey, secretKey string, conns int) (*minio.Client, error) {
	return newDirectWith(endpoint, accessKey, secretKey, benchTransport(conns))
}

func newDirectWith(endpoint, accessKey, secretKey string, tr *http.Transport) (*minio.Client, error) {
	return minio.New(endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(accessKey, secretKey, ""),
		Region:    "us-east-1",
		Transport: tr,
	})
}

// benchTransport is minio-go's default transport with conns idle
// connections per host; the portal client uses the same.
func benchTransport(conns int) *http.Transport {
	tr, _ := minio.DefaultTransport(false)
	tr.MaxIdleConns = conns + 16
	tr.MaxIdleConnsPerHost = conns + 16
	// A portal upload answers after the body is stored and probed.
	tr.ResponseHeaderTimeout = 15 * time.Minute
	return tr
}

// minioBinary finds the MinIO server: $MINIO_BIN, else the module's
// .tools/minio (what `make test-deps` builds).
func minioBinary() (string, error) {
	if bin := os.Getenv("MINIO_BIN"); bin != "" {
		if isExecutable(bin) {
			return bin, nil
		}
		return "", fmt.Errorf("MINIO_BIN=%s is not an executable file", bin)
	}
	tried := []string{}
	if root, err := moduleRoot(); err == nil {
		bin := filepath.Join(root, ".tools", "minio")
		if isExecutable(bin) {
			return bin, nil
		}
		tried = append(tried, bin)
	}
	if bin, err := filepath.Abs(filepath.Join(".tools", "minio")); err == nil && isExecutable(bin) {
		return bin, nil
	}
	return "", fmt.Errorf("no MinIO server binary (set MINIO_BIN, or run `make test-deps` to build %s)", strings.Join(append(tried, ".tools/minio"), ", "))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// minioProcess is a MinIO server on loopback with its own data folder.
type minioProcess struct {
	addr, user, password string
	cmd                  *exec.Cmd
	exited               chan struct{}
	output               *tailBuffer
	stopped              sync.Once
}

var errPortInUse = errors.New("port in use")

// startMinIO starts MinIO as internal/testenv does, retrying with other
// ports if one is taken between looking and binding.
func startMinIO(ctx context.Context, bin, dir string) (*minioProcess, error) {
	user, password := "bench-"+randomHex(4), randomHex(20)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		m, err := startMinIOIn(ctx, bin, filepath.Join(dir, fmt.Sprintf("run%d", attempt)), user, password)
		if err == nil {
			return m, nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) {
			break
		}
	}
	return nil, fmt.Errorf("MinIO server %s: %w", bin, lastErr)
}

func startMinIOIn(ctx context.Context, bin, dir, user, password string) (*minioProcess, error) {
	dataDir, certsDir := filepath.Join(dir, "data"), filepath.Join(dir, "certs") // certs: keeps MinIO out of ~/.minio
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
	cmd := exec.Command(bin, "server", "--address", addr,
		"--console-address", fmt.Sprintf("127.0.0.1:%d", consolePort),
		"--certs-dir", certsDir, "--quiet", dataDir)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MINIO_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "MINIO_ROOT_USER="+user, "MINIO_ROOT_PASSWORD="+password, "MINIO_UPDATE=off")
	out := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	m := &minioProcess{addr: addr, user: user, password: password, cmd: cmd, exited: make(chan struct{}), output: out}
	go func() {
		_ = cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitLive(ctx); err != nil {
		m.stop()
		if strings.Contains(out.String(), "address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortInUse, err)
		}
		return nil, fmt.Errorf("%v; its output:\n%s", err, out.String())
	}
	return m, nil
}

func (m *minioProcess) waitLive(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	url := "http://" + m.addr + "/minio/health/live"
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-m.exited:
			return fmt.Errorf("exited during start (%v)", m.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if res, err := client.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s within a minute", url)
}

func (m *minioProcess) stop() {
	m.stopped.Do(func() { stopGroup(m.cmd, m.exited, 5*time.Second) })
}

// tailBuffer keeps the last max bytes written to it.
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
