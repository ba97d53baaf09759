package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// portal is a `portal serve` process of its own on a fresh data folder
// with the embedded default (FerretDB and versitygw in-process).
type portal struct {
	cmd    *exec.Cmd
	port   int
	log    string
	exited chan struct{}
}

// moduleRoot finds the portal's module folder from the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/smakom/webinar-portal")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the load test inside the portal's module")
		}
		dir = parent
	}
}

// buildPortal compiles cmd/portal into dir.
func buildPortal(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "portal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/portal")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/portal: %v\n%s", err, out)
	}
	return bin, nil
}

// portalEnv is this environment without portal settings a developer may
// have exported (an external MongoDB or S3 would not be a fresh store),
// plus the given ones.
func portalEnv(settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "MONGODB_"), strings.HasPrefix(k, "S3_"), strings.HasPrefix(k, "MAX_"),
			k == "PORT", k == "DATA_DIR", k == "SEARCH_INDEX_DIR", k == "LOG_LEVEL", k == "MEDIA_DELIVERY", k == "DEV_TEMPLATES":
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// run runs a short portal command (user add, token create) and returns
// its standard output.
func run(ctx context.Context, bin string, env []string, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("portal %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// staffToken adds a staff user and returns an API token for it, before
// the portal serves (the data folder is locked while it does).
func staffToken(ctx context.Context, bin string, env []string) (string, error) {
	const email = "load@smakom.se"
	if _, err := run(ctx, bin, env, "load-password-123\n", "user", "add", "--email", email, "--role", "staff", "--password-stdin"); err != nil {
		return "", err
	}
	out, err := run(ctx, bin, env, "", "token", "create", "--email", email, "--name", "load")
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return "", fmt.Errorf("portal token create printed %q, not a token", out)
	}
	return token, nil
}

// startPortal runs `portal serve` on a free port and waits for /readyz.
func startPortal(ctx context.Context, bin string, env []string, logPath string) (*portal, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so Ctrl-C reaches only this tool, which
	// stops the portal; Pdeathsig ends it if this tool dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start portal: %w", err)
	}
	p := &portal{cmd: cmd, port: port, log: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("portal exited during start; its log:\n%s", tail(logPath, 4<<10))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		default:
		}
		if res, err := client.Get(p.url() + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, errors.New("portal not ready within 2 minutes")
}

func (p *portal) url() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

func (p *portal) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM to the portal's group and kills it if it lingers.
func (p *portal) stop() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}

// rss reads VmRSS of a process from /proc, in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmRSS", pid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last max bytes of a file.
func tail(path string, max int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if int64(len(b)) > max {
		b = b[int64(len(b))-max:]
	}
	return string(b)
}
