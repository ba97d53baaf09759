package portalproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a fake portal when fakeEnv is set, so
// Run, StaffToken, Serve and Stop are tested on a real child process.
const fakeEnv = "PORTALPROC_FAKE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(fakePortal(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func fakePortal(mode string, args []string) int {
	command := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case command == "user add":
		pw, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if strings.TrimSpace(pw) == "" {
			fmt.Fprintln(os.Stderr, "no password on stdin")
			return 1
		}
		return 0
	case command == "token create":
		fmt.Println("tok-" + args[len(args)-1])
		return 0
	case command == "serve" && mode == "fail":
		fmt.Fprintln(os.Stderr, "fake start failure")
		return 3
	case command == "serve":
		if mode == "ignore-term" {
			signal.Ignore(syscall.SIGTERM)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/readyz", func(http.ResponseWriter, *http.Request) {})
		_ = http.Serve(ln, mux)
	}
	return 2
}

func fake(mode string) Binary {
	return Binary{Path: os.Args[0], Env: append(os.Environ(), fakeEnv+"="+mode)}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs("../.."); root != want {
		t.Errorf("ModuleRoot() = %s, want %s", root, want)
	}
	t.Chdir(t.TempDir())
	if root, err := ModuleRoot(); err == nil {
		t.Errorf("outside the module: ModuleRoot() = %s, no error", root)
	}
}

func TestEnvLeavesOutUnsetAndAddsSettings(t *testing.T) {
	for k, v := range map[string]string{
		"PORT": "1", "DATA_DIR": "/x", "S3_ENDPOINT": "s3:9000", "MONGODB_URI_FILE": "/run/uri", "LOG_LEVEL_FILE": "/run/l",
		"PORTAL_KEEP": "yes", "PORTX": "kept", "MAX_SLIDES_BYTES": "9",
	} {
		t.Setenv(k, v)
	}
	env := Env(Unset{Names: []string{"PORT", "DATA_DIR", "LOG_LEVEL"}, Prefixes: []string{"MONGODB_", "S3_"}}, "DATA_DIR=/mine", "PORTAL_KEEP=no")
	for _, gone := range []string{"PORT=1", "DATA_DIR=/x", "S3_ENDPOINT=s3:9000", "MONGODB_URI_FILE=/run/uri", "LOG_LEVEL_FILE=/run/l"} {
		if slices.Contains(env, gone) {
			t.Errorf("%s was not left out", gone)
		}
	}
	for _, kept := range []string{"PORTX=kept", "MAX_SLIDES_BYTES=9", "PORTAL_KEEP=yes", "PATH=" + os.Getenv("PATH")} {
		if !slices.Contains(env, kept) {
			t.Errorf("%s was left out", kept)
		}
	}
	if got := env[len(env)-2:]; !slices.Equal(got, []string{"DATA_DIR=/mine", "PORTAL_KEEP=no"}) {
		t.Errorf("settings do not come last: %q", got)
	}
}

func TestStatusField(t *testing.T) {
	status := "Name:\tportal\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nVmBad:\t x kB\n"
	for field, want := range map[string]int64{"VmRSS": 100 << 20, "VmHWM": 200 << 20} {
		if got, err := statusField(status, field); err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", field, got, err, want)
		}
	}
	for _, field := range []string{"VmBad", "VmSwap"} {
		if _, err := statusField(status, field); err == nil {
			t.Errorf("%s: no error", field)
		}
	}
	if rss, err := procStatus(os.Getpid(), "VmRSS"); err != nil || rss <= 0 {
		t.Errorf("this process's VmRSS = %d, %v", rss, err)
	}
}

func TestStaffToken(t *testing.T) {
	token, err := fake("ok").StaffToken(context.Background(), "t@smakom.se", "pw", "tester")
	if err != nil || token != "tok-tester" {
		t.Errorf("StaffToken = %q, %v", token, err)
	}
	if _, err := fake("ok").StaffToken(context.Background(), "t@smakom.se", "", "tester"); err == nil ||
		!strings.Contains(err.Error(), "no password on stdin") {
		t.Errorf("a failing user add: %v, want its stderr in the error", err)
	}
}

func TestServeAndStop(t *testing.T) {
	for _, mode := range []string{"ok", "ignore-term"} {
		t.Run(mode, func(t *testing.T) {
			p, err := fake(mode).Serve(context.Background(), filepath.Join(t.TempDir(), "portal.log"), 200*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.Get(p.URL() + "/readyz")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("GET /readyz after Serve: %v, %v", res, err)
			}
			res.Body.Close()
			if rss, err := p.RSS(); err != nil || rss <= 0 {
				t.Errorf("RSS = %d, %v", rss, err)
			}
			p.Stop()
			p.Stop() // a second call must not block or panic
			if err := syscall.Kill(p.PID(), 0); !errors.Is(err, syscall.ESRCH) {
				t.Errorf("after Stop, signal 0 to the portal: %v, want ESRCH", err)
			}
		})
	}
}

func TestServeReportsTheLogOfAFailedStart(t *testing.T) {
	_, err := fake("fail").Serve(context.Background(), filepath.Join(t.TempDir(), "portal.log"), time.Second)
	if err == nil || !strings.Contains(err.Error(), "fake start failure") {
		t.Errorf("Serve of a portal that exits: %v, want its log in the error", err)
	}
}
