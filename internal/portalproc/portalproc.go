// Package portalproc runs a built portal binary as a child process for
// the benchmark and load tools (cmd/bench, cmd/load): it builds the
// binary from the module, gives it a clean environment, runs one-off
// commands such as `user add`, starts `portal serve` on a free port and
// stops it, and reads the process's memory use.
package portalproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

const modulePath = "github.com/smakom/webinar-portal"

// ModuleRoot finds the portal's module folder from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module "+modulePath)) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run this inside the portal's module (no go.mod of " + modulePath + " above the working directory)")
		}
		dir = parent
	}
}

// Build compiles cmd/portal into dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	root, err := ModuleRoot()
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

// Unset names portal settings a developer may have exported that a
// measured run must not inherit (an external MongoDB or S3 would not be
// a fresh store; a changed limit would change what is measured).
type Unset struct {
	// Names are left out, and so is NAME_FILE for each (the portal reads
	// secrets from such files).
	Names []string
	// Prefixes leave out every setting that starts with one.
	Prefixes []string
}

func (u Unset) drops(key string) bool {
	for _, p := range u.Prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	name := strings.TrimSuffix(key, "_FILE")
	for _, n := range u.Names {
		if key == n || name == n {
			return true
		}
	}
	return false
}

// Env is this process's environment without what unset names, plus
// settings ("KEY=value"), which come last and so win.
func Env(unset Unset, settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if unset.drops(k) {
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// Binary is a built portal and the environment it runs with.
type Binary struct {
	Path string
	Env  []string
}

// Run runs a short portal command (user add, token create) with stdin
// as its input and returns its standard output.
func (b Binary) Run(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.Path, args...)
	cmd.Env = b.Env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// As for serve: Ctrl-C reaches only the tool, which cancels ctx.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("portal %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// StaffToken adds a staff user and returns an API token for it. The
// portal must not be serving: the data folder is locked while it does.
func (b Binary) StaffToken(ctx context.Context, email, password, tokenName string) (string, error) {
	if _, err := b.Run(ctx, password+"\n", "user", "add", "--email", email, "--role", "staff", "--password-stdin"); err != nil {
		return "", err
	}
	out, err := b.Run(ctx, "", "token", "create", "--email", email, "--name", tokenName)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		return "", fmt.Errorf("portal token create printed %q, not a token", out)
	}
	return token, nil
}
