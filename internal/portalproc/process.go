package portalproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/smakom/webinar-portal/internal/healthcheck"
)

// startTimeout bounds the wait for /readyz; the embedded servers start
// in well under a second on an idle machine.
const startTimeout = 2 * time.Minute

// Process is a running `portal serve`.
type Process struct {
	cmd       *exec.Cmd
	port      int
	logPath   string
	stopGrace time.Duration
	exited    chan struct{}
	stopped   sync.Once
}

// Serve starts `portal serve` on a free loopback port, its output going
// to logPath, and waits until /readyz answers 200. Stop gives it
// stopGrace after SIGTERM before killing it. The port is only free when
// looked at, so a start that loses it to another process is retried.
func (b Binary) Serve(ctx context.Context, logPath string, stopGrace time.Duration) (*Process, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		p, err := b.serveOn(ctx, port, logPath, stopGrace)
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

func (b Binary) serveOn(ctx context.Context, port int, logPath string, stopGrace time.Duration) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.Path, "serve")
	cmd.Env = append(append([]string(nil), b.Env...), "PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: Ctrl-C in the terminal reaches only the
	// tool, which stops the portal itself; Pdeathsig ends it if the tool
	// dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start portal: %w", err)
	}
	p := &Process{cmd: cmd, port: port, logPath: logPath, stopGrace: stopGrace, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%v; its log:\n%s", err, p.LogTail(4<<10))
	}
	return p, nil
}

// URL is the portal's base URL, without a trailing slash.
func (p *Process) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// Port is the loopback port the portal serves HTTP on.
func (p *Process) Port() int { return p.port }

// PID is the portal's process id (and its process group's).
func (p *Process) PID() int { return p.cmd.Process.Pid }

// LogPath is the file the portal's output goes to.
func (p *Process) LogPath() string { return p.logPath }

// LogTail is the last max bytes of the portal's log.
func (p *Process) LogTail(max int64) string { return tail(p.logPath, max) }

func (p *Process) waitReady(ctx context.Context) error {
	err := healthcheck.Wait(ctx, p.URL()+"/readyz", p.exited, startTimeout, 5*time.Second)
	if errors.Is(err, healthcheck.ErrExited) {
		return fmt.Errorf("portal exited during start (%v)", p.cmd.ProcessState)
	}
	return err
}

// Stop sends SIGTERM to the portal's process group, waits up to the
// grace given to Serve, then kills the group. Later calls do nothing.
func (p *Process) Stop() {
	p.stopped.Do(func() {
		pgid := p.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(p.stopGrace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.exited
		}
		// Anything the portal started and left behind goes too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

// RSS is the portal's resident memory now, in bytes.
func (p *Process) RSS() (int64, error) { return procStatus(p.PID(), "VmRSS") }

// PeakRSS is the portal's resident high-water mark (VmHWM), in bytes:
// since it started, or since the last ResetPeakRSS.
func (p *Process) PeakRSS() (int64, error) { return procStatus(p.PID(), "VmHWM") }

// ResetPeakRSS sets VmHWM back to the current RSS (Linux 4.0+), so the
// next PeakRSS is the peak of what follows.
func (p *Process) ResetPeakRSS() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.PID()), []byte("5"), 0)
}

// procStatus reads one "Vm..." line of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	v, err := statusField(string(b), field)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	return v, nil
}

// statusField reads a "Field:   1234 kB" line of a /proc status text.
func statusField(status, field string) (int64, error) {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %q: %w", field, line, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s", field)
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
