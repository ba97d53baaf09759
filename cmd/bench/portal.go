package main

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/smakom/webinar-portal/internal/portalproc"
)

// portalSettings are the settings a developer may have exported that the
// benchmark's portal must not inherit: its store, port, log level,
// delivery mode and limits are the benchmark's own.
var portalSettings = portalproc.Unset{
	Names: []string{"PORT", "DATA_DIR", "LOG_LEVEL", "MEDIA_DELIVERY", "PRESIGN_TTL", "MAX_RECORDING_BYTES",
		"MAX_SLIDES_BYTES", "MAX_SUBTITLE_BYTES", "COOKIE_SECURE", "TRUSTED_PROXIES", "DEV_TEMPLATES", "SESSION_TTL", "WISHES_PER_HOUR"},
	Prefixes: []string{"MONGODB_", "S3_"},
}

// sourceVersion names what the portal is built from: the commit and any
// uncommitted changes outside the benchmark's own files (cmd/bench and
// internal/portalproc, which runs the portal for it).
func sourceVersion(ctx context.Context) string {
	root, err := portalproc.ModuleRoot()
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
		if strings.HasPrefix(path, "cmd/bench/") || strings.HasPrefix(path, "internal/portalproc/") || path == "Makefile" || strings.HasSuffix(path, ".md") && !strings.Contains(path, "/") {
			continue
		}
		changed = append(changed, path)
	}
	if len(changed) == 0 {
		return "commit " + commit
	}
	return fmt.Sprintf("commit %s with uncommitted changes in %s", commit, strings.Join(changed, ", "))
}

// rssSampler records the largest VmRSS seen while it runs, in case the
// high-water mark cannot be reset.
type rssSampler struct {
	max  int64
	stop chan struct{}
	done chan struct{}
}

func sampleRSS(p *portalproc.Process) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := p.RSS(); err == nil && v > s.max {
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
func embeddedS3Endpoint(ctx context.Context, p *portalproc.Process, accessKey, secretKey, bucket string) (string, error) {
	if ep := endpointFromLog(p.LogPath()); ep != "" {
		return ep, nil
	}
	ports, err := listeningPorts(p.PID())
	if err != nil {
		return "", err
	}
	var tried []string
	for _, port := range ports {
		if port == p.Port() {
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

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := crand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
