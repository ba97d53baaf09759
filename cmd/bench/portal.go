package main

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// portalStartTimeout bounds the wait for /readyz; the embedded servers
// start in well under a second on an idle machine.
const portalStartTimeout = 2 * time.Minute

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
			return "", errors.New("run the benchmark inside the portal's module (no go.mod of github.com/smakom/webinar-portal above the working directory)")
		}
		dir = parent
	}
}

// sourceVersion names what the portal is built from: the commit and any
// uncommitted changes outside the benchmark's own files.
func sourceVersion(ctx context.Context) string {
	root, err := moduleRoot()
	if err != nil {
		return "unknown"
	}
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		out, _ := cmd.Output()
		return strings.TrimRight(string(out), "\n") // porcelain lines start with a space
	}
	commit := git("rev-parse", "--short", "HEAD")
	if commit == "" {
		return "unknown (no git)"
	}
	var changed []string
	for _, line := range strings.Split(git("status", "--porcelain"), "\n") {
		if len(line) < 4 {
			continue
		}
		path := line[3:]
		if strings.HasPrefix(path, "cmd/bench/") || path == "Makefile" || strings.HasSuffix(path, ".md") && !strings.Contains(path, "/") {
			continue
		}
		changed = append(changed, path)
	}
	if len(changed) == 0 {
		return "commit " + commit
	}
	return fmt.Sprintf("commit %s with uncommitted changes in %s", commit, strings.Join(changed, ", "))
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

// portalEnv is this process's environment without any portal setting a
// developer may have exported, plus the given ones.
func portalEnv(settings ...string) []string {
	drop := map[string]bool{"PORT": true, "DATA_DIR": true, "LOG_LEVEL": true, "MEDIA_DELIVERY": true,
		"PRESIGN_TTL": true, "MAX_RECORDING_BYTES": true, "MAX_SLIDES_BYTES": true, "MAX_SUBTITLE_BYTES": true, "COOKIE_SECURE": true,
		"TRUSTED_PROXIES": true, "DEV_TEMPLATES": true, "SESSION_TTL": true, "WISHES_PER_HOUR": true}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if drop[strings.TrimSuffix(k, "_FILE")] || strings.HasPrefix(k, "MONGODB_") || strings.HasPrefix(k, "S3_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// portalCommand runs a short portal command (user add, token create) and
// returns its standard output.
func portalCommand(ctx context.Context, bin string, env []string, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("portal %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// staffToken adds a staff user and returns an API token for it. The
// portal must not be serving: the data folder is locked while it does.
func staffToken(ctx context.Context, bin string, env []string) (string, error) {
	const email = "bench@smakom.se"
	if _, err := portalCommand(ctx, bin, env, "bench-password-"+randomHex(8)+"\n",
		"user", "add", "--email", email, "--role", "staff", "--password-stdin"); err != nil {
		return "", err
	}
	out, err := portalCommand(ctx, bin, env, "", "token", "create", "--email", email, "--name", "bench")
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return "", fmt.Errorf("portal token create printed %q, not a token", out)
	}
	return token, nil
}

// portalProcess is a running `portal serve`.
type portalProcess struct {
	cmd     *exec.Cmd
	port    int
	logPath string
	exited  chan struct{}
	stopped sync.Once
}

// startPortal starts `portal serve` on a free port and waits until
// /readyz answers 200. The port is only free when looked at, so a start
// that loses it to another process is retried.
func startPortal(ctx context.Context, bin string, env []string, logPath string) (*portalProcess, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		p, err := startPortalOn(ctx, bin, append(env, "PORT="+strconv.Itoa(port)), port, logPath)
		if err == nil {
			return p, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func startPortalOn(ctx context.Context, bin string, env []string, port int, logPath string) (*portalProcess, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: Ctrl-C in the terminal reaches only the
	// benchmark, which stops the portal itself; Pdeathsig ends it if the
	// benchmark dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start portal: %w", err)
	}
	p := &portalProcess{cmd: cmd, port: port, logPath: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return nil, fmt.Errorf("%v; its log:\n%s", err, tail(logPath, 4<<10))
	}
	return p, nil
}

func (p *portalProcess) baseURL() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

func (p *portalProcess) pid() int { return p.cmd.Process.Pid }

func (p *portalProcess) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(portalStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("portal exited during start (%v)", p.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		res, err := client.Get(p.baseURL() + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("portal not ready within %v", portalStartTimeout)
}

// stop asks the portal to shut down and kills it if it does not.
func (p *portalProcess) stop() {
	p.stopped.Do(func() { stopGroup(p.cmd, p.exited, 25*time.Second) })
}

// stopGroup sends SIGTERM to a process group, waits, then kills it.
func stopGroup(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// procStatus reads one "Vm..." line of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %q: %w", field, line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// resetPeakRSS sets the process's VmHWM back to its current RSS (Linux
// 4.0+), so the next reading is the peak of what follows.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// rssSampler records the largest VmRSS seen while it runs, in case the
// high-water mark cannot be reset.
type rssSampler struct {
	max  int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := procStatus(pid, "VmRSS"); err == nil && v > s.max {
				s.max = v
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) finish() int64 {
	close(s.stop)
	<-s.done
	return s.max
}

// embeddedS3Endpoint finds the portal's embedded S3 server: from its log
// line "embedded storage started" when the log level shows it, otherwise
// by trying the loopback ports the process listens on with the
// credentials.
func (p *portalProcess) embeddedS3Endpoint(ctx context.Context, accessKey, secretKey, bucket string) (string, error) {
	if ep := endpointFromLog(p.logPath); ep != "" {
		return ep, nil
	}
	ports, err := listeningPorts(p.pid())
	if err != nil {
		return "", err
	}
	var tried []string
	for _, port := range ports {
		if port == p.port {
			continue
		}
		ep := fmt.Sprintf("127.0.0.1:%d", port)
		tried = append(tried, ep)
		client, err := newDirect(ep, accessKey, secretKey, 4)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
		ok, err := client.BucketExists(cctx, bucket)
		cancel()
		if err == nil && ok {
			return ep, nil
		}
	}
	return "", fmt.Errorf("no S3 server with bucket %q among the portal's listening ports %v", bucket, tried)
}

func endpointFromLog(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			S3  string `json:"s3"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "embedded storage started" && line.S3 != "" {
			return line.S3
		}
	}
	return ""
}

// listeningPorts lists the TCP ports a process listens on, from its
// socket inodes and its network namespace's /proc/net/tcp tables.
func listeningPorts(pid int) ([]int, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	var ports []int
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] { // 0A: LISTEN
				continue
			}
			_, portHex, _ := strings.Cut(f[1], ":")
			if port, err := strconv.ParseInt(portHex, 16, 32); err == nil {
				ports = append(ports, int(port))
			}
		}
	}
	return ports, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := crand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
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
