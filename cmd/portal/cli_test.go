package main

// Tests of the admin commands (user add/passwd, token create), of usage
// errors and of configuration errors, all through run() as main() calls it.
//
// How these tests share the process with the end-to-end test in
// browser_test.go: every command that opens storage starts the embedded
// FerretDB and versitygw servers and stops them before run returns, and
// versitygw allows only one gateway per process at a time (RunVersityGW
// refuses a second one while the first runs). The portal itself (`serve
// --demo`) is therefore not started in TestMain for the whole binary: the
// end-to-end test starts it at its beginning and waits for run to return at
// its end (startPortal). No test here calls t.Parallel, so the tests of this
// package run one after another and never hold two gateways at once,
// whatever their order, -run filter or -count. While the portal runs, the
// only admin command the end-to-end test runs is one against the portal's
// own DATA_DIR, which fails at the directory lock before any server starts.

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/embedded"
)

// configVars are the variables config.FromEnv reads. setCleanEnv clears
// them for one test (t.Setenv restores them after), so that a developer's
// shell or CI settings cannot change what the tests see.
var configVars = []string{
	"PORT", "DATA_DIR", "MONGODB_URI", "MONGODB_URI_FILE", "MONGODB_DATABASE",
	"S3_ENDPOINT", "S3_ACCESS_KEY", "S3_ACCESS_KEY_FILE", "S3_SECRET_KEY", "S3_SECRET_KEY_FILE",
	"S3_BUCKET", "S3_USE_SSL", "S3_REGION", "COOKIE_SECURE", "TRUSTED_PROXIES",
	"MAX_RECORDING_BYTES", "MAX_SLIDES_BYTES", "MAX_SUBTITLE_BYTES", "SEARCH_INDEX_DIR", "SESSION_TTL", "WISHES_PER_HOUR",
	"LOG_LEVEL", "DEV_TEMPLATES", "SESSION_IDLE", "INVITE_TTL", "RESET_TTL", "PUBLIC_URL",
	"SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_PASSWORD_FILE", "SMTP_FROM",
}

// setCleanEnv empties every configuration variable for the test and then
// sets the given NAME=VALUE pairs.
func setCleanEnv(t *testing.T, kv ...string) {
	t.Helper()
	for _, name := range configVars {
		t.Setenv(name, "")
	}
	for _, p := range kv {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			t.Fatalf("setCleanEnv: %q is not NAME=VALUE", p)
		}
		t.Setenv(name, value)
	}
}

// runCommand runs the portal command line as main() does, with stdin as
// standard input, and returns what the command printed on standard output.
// addUser makes an account with `portal user add`, as an operator would.
func addUser(t *testing.T, email, role, password string) {
	t.Helper()
	if _, err := runCommand(t, password+"\n", "user", "add", "--email", email, "--role", role, "--password-stdin"); err != nil {
		t.Fatalf("portal user add %s (%s): %v", email, role, err)
	}
}

func runCommand(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	defer inTempDir(t)()
	return runStdio(t, stdin, args...)
}

// inTempDir moves to a fresh temporary working directory and returns the
// function that moves back. The embedded S3 server moves the working
// directory into its object folder while it runs; starting from a
// temporary one keeps package folders clean and gives every command the
// same start.
func inTempDir(t *testing.T) (restore func()) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatalf("restore working directory %s: %v", wd, err)
		}
	}
}

// runStdio runs the command line with stdin as standard input and returns
// its standard output. It swaps os.Stdin and os.Stdout for pipes while run
// works; this is safe because no test of this package runs in parallel with
// another.
func runStdio(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = io.WriteString(inW, stdin)
		inW.Close()
	}()
	outc := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(outR)
		outc <- string(b)
	}()

	oldIn, oldOut := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = inR, outW
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	runErr := run(ctx, args)
	cancel()
	os.Stdin, os.Stdout = oldIn, oldOut

	outW.Close()
	out := <-outc
	outR.Close()
	inR.Close()
	return out, runErr
}

func isUsageError(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

// TestUsageErrors checks that wrong command lines are usage errors (main
// prints the usage and exits 2) and are found before any storage is opened:
// DATA_DIR points at a path that cannot be created, so a command that got
// as far as starting the embedded servers would fail differently.
func TestUsageErrors(t *testing.T) {
	setCleanEnv(t, "DATA_DIR=/dev/null/not-a-directory")
	cases := [][]string{
		{"serve", "--no-such-flag"},
		{"--no-such-flag"},
		{"serve", "--demo=maybe"},
		{"user"},
		{"user", "remove", "--email", "a@example.se"},
		{"user", "add", "--no-such-flag"},
		{"user", "add", "--email", "a@example.se", "--role", "staff"}, // no --password-stdin
		{"user", "add", "--role", "staff", "--password-stdin"},        // no --email
		{"user", "passwd", "--email", "a@example.se"},                 // no --password-stdin
		{"token"},
		{"token", "delete"},
		{"token", "create", "--no-such-flag"},
		{"token", "create", "--email", "a@example.se"}, // no --name
		{"token", "create", "--name", "script"},        // no --email
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, err := runCommand(t, "a-long-password\n", args...)
			if err == nil {
				t.Fatalf("run(%q) succeeded (stdout %q); want a usage error", args, out)
			}
			if !isUsageError(err) {
				t.Fatalf("run(%q) = %v (%T); want a usageError", args, err, err)
			}
			if err.Error() == "" {
				t.Fatal("usage error has no message")
			}
		})
	}

	t.Run("help prints the usage", func(t *testing.T) {
		for _, arg := range []string{"help", "-h", "--help"} {
			out, err := runCommand(t, "", arg)
			if err != nil {
				t.Fatalf("run(%q) = %v", arg, err)
			}
			for _, want := range []string{"Usage:", "portal user add", "portal token create"} {
				if !strings.Contains(out, want) {
					t.Errorf("run(%q) printed %q; want it to contain %q", arg, out, want)
				}
			}
		}
	})
}

// TestConfigErrors checks that a bad setting stops every command with an
// error that names the variable to fix.
func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name    string
		env     []string
		wantVar string
	}{
		{"port not a number", []string{"PORT=abc"}, "PORT"},
		{"port out of range", []string{"PORT=70000"}, "PORT"},
		{"mongodb uri without scheme", []string{"MONGODB_URI=127.0.0.1:1"}, "MONGODB_URI"},
		{"s3 without keys", []string{"S3_ENDPOINT=127.0.0.1:1"}, "S3_ACCESS_KEY"},
		{"s3 endpoint with scheme", []string{"MONGODB_URI=mongodb://127.0.0.1:1", "S3_ENDPOINT=http://127.0.0.1:1", "S3_ACCESS_KEY=k", "S3_SECRET_KEY=s"}, "S3_ENDPOINT"},
		{"bad log level", []string{"LOG_LEVEL=loud"}, "LOG_LEVEL"},
		{"bad session ttl", []string{"SESSION_TTL=forever"}, "SESSION_TTL"},
	}
	commands := [][]string{
		{"serve", "--demo"},
		{"user", "add", "--email", "a@example.se", "--role", "admin", "--password-stdin"},
		{"token", "create", "--email", "a@example.se", "--name", "script"},
	}
	for _, tc := range cases {
		for _, args := range commands {
			t.Run(tc.name+"/"+args[0], func(t *testing.T) {
				// A DATA_DIR that cannot be created: the command must stop
				// at the configuration, before it touches storage.
				setCleanEnv(t, append([]string{"DATA_DIR=/dev/null/not-a-directory"}, tc.env...)...)
				_, err := runCommand(t, "a-long-password\n", args...)
				if err == nil {
					t.Fatalf("run(%q) with %v succeeded; want a configuration error", args, tc.env)
				}
				if !strings.Contains(err.Error(), tc.wantVar) {
					t.Errorf("run(%q) with %v = %q; want the error to name %s", args, tc.env, err, tc.wantVar)
				}
				var ce *config.Error
				if !errors.As(err, &ce) || ce.Var != tc.wantVar {
					t.Errorf("run(%q) with %v = %v (%T); want a *config.Error for %s", args, tc.env, err, err, tc.wantVar)
				}
				if isUsageError(err) {
					t.Errorf("a configuration error must not be a usage error: %v", err)
				}
			})
		}
	}
}

// TestUserAndTokenCommands runs the admin commands against their own empty
// DATA_DIR (each command starts and stops the embedded servers), then opens
// that storage directly to check what the commands stored.
func TestUserAndTokenCommands(t *testing.T) {
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	const (
		staff    = "redaktor@smakom.example"
		member   = "medlem@smakom.example"
		password = "korrekt-häst-batteri"
	)

	t.Run("password too short", func(t *testing.T) {
		_, err := runCommand(t, "kort\n", "user", "add", "--email", staff, "--role", "staff", "--password-stdin")
		if err == nil || !strings.Contains(err.Error(), "at least 10") {
			t.Fatalf("user add with a 4-character password = %v; want an error about the minimum length", err)
		}
		if isUsageError(err) {
			t.Errorf("a weak password is not a usage error: %v", err)
		}
	})

	t.Run("add staff", func(t *testing.T) {
		// CRLF line end, as from a Windows terminal: it is not part of the password.
		out, err := runCommand(t, password+"\r\n", "user", "add", "--email", staff, "--role", "staff", "--password-stdin")
		if err != nil {
			t.Fatalf("user add: %v", err)
		}
		if out != "" {
			t.Errorf("user add printed %q on stdout; messages belong on stderr", out)
		}
	})

	t.Run("duplicate email", func(t *testing.T) {
		_, err := runCommand(t, "ett-annat-losenord\n", "user", "add", "--email", staff, "--role", "admin", "--password-stdin")
		if !errors.Is(err, account.ErrExists) {
			t.Fatalf("user add of an existing email = %v; want account.ErrExists", err)
		}
	})

	t.Run("duplicate email in other case", func(t *testing.T) {
		_, err := runCommand(t, "ett-annat-losenord\n", "user", "add", "--email", strings.ToUpper(staff), "--role", "admin", "--password-stdin")
		if !errors.Is(err, account.ErrExists) {
			t.Fatalf("user add of an existing email in upper case = %v; want account.ErrExists", err)
		}
	})

	t.Run("unknown role", func(t *testing.T) {
		_, err := runCommand(t, password+"\n", "user", "add", "--email", "x@smakom.example", "--role", "boss", "--password-stdin")
		if !isUsageError(err) {
			t.Fatalf("user add --role boss = %v (%T); want a usage error", err, err)
		}
	})

	t.Run("add member", func(t *testing.T) {
		if _, err := runCommand(t, password+"\n", "user", "add", "--email", member, "--role", "member", "--password-stdin"); err != nil {
			t.Fatalf("user add member: %v", err)
		}
	})

	var token string
	t.Run("token for staff", func(t *testing.T) {
		out, err := runCommand(t, "", "token", "create", "--email", staff, "--name", "uppladdningsskript")
		if err != nil {
			t.Fatalf("token create: %v", err)
		}
		token = strings.TrimSpace(out)
		if !strings.HasPrefix(token, "smk_") || len(token) < 40 || strings.ContainsAny(token, " \n\t") {
			t.Fatalf("token create printed %q; want one token starting with smk_", out)
		}
		if out != token+"\n" {
			t.Errorf("stdout = %q; want only the token and a newline (scripts read it with $(...))", out)
		}
	})

	t.Run("token for member", func(t *testing.T) {
		out, err := runCommand(t, "", "token", "create", "--email", member, "--name", "skript")
		if err == nil {
			t.Fatalf("token create for a member succeeded and printed %q; want an error", out)
		}
		if !strings.Contains(err.Error(), "staff") {
			t.Errorf("token create for a member = %q; want the error to say tokens are for staff", err)
		}
		if out != "" {
			t.Errorf("a failed token create printed %q on stdout", out)
		}
	})

	t.Run("token for unknown user", func(t *testing.T) {
		if _, err := runCommand(t, "", "token", "create", "--email", "ingen@smakom.example", "--name", "skript"); err == nil {
			t.Fatal("token create for an unknown email succeeded")
		}
	})

	t.Run("passwd", func(t *testing.T) {
		if _, err := runCommand(t, "kort\n", "user", "passwd", "--email", member, "--password-stdin"); err == nil {
			t.Error("user passwd with a short password succeeded")
		}
		if _, err := runCommand(t, "ett-nytt-langt-losenord\n", "user", "passwd", "--email", member, "--password-stdin"); err != nil {
			t.Errorf("user passwd: %v", err)
		}
		if _, err := runCommand(t, "ett-nytt-langt-losenord\n", "user", "passwd", "--email", "ingen@smakom.example", "--password-stdin"); err == nil {
			t.Error("user passwd for an unknown email succeeded")
		}
	})

	t.Run("stored", func(t *testing.T) {
		// Open the same storage as the commands did and check the result
		// (from a temporary working directory, as runCommand does).
		defer inTempDir(t)()
		ctx := context.Background()
		st, err := adminStack(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.close()
		u, err := st.accounts.Authenticate(ctx, staff, password)
		if err != nil {
			t.Fatalf("log in with the password given on stdin: %v", err)
		}
		if u.Role != account.RoleStaff {
			t.Errorf("role = %q; want staff", u.Role)
		}
		if _, err := st.accounts.Authenticate(ctx, member, "ett-nytt-langt-losenord"); err != nil {
			t.Errorf("log in with the password set by user passwd: %v", err)
		}
		if token != "" {
			tu, err := st.accounts.TokenUser(ctx, token)
			if err != nil || tu.Email != staff {
				t.Errorf("TokenUser(printed token) = %v, %v; want %s", tu.Email, err, staff)
			}
		}
		if has, err := st.accounts.HasAdmin(ctx); err != nil || has {
			t.Errorf("HasAdmin = %v, %v; the failed duplicate adds must not have made an admin", has, err)
		}
	})
}

// checkDataDirInUse runs an admin command against the DATA_DIR of the
// running portal: it must fail at once with an error that says the
// directory is in use and what to do, not start a second set of servers.
// It is called by the end-to-end test while the portal runs, so it leaves
// the working directory alone (the running portal's S3 server depends on
// it) and checks that the failed command did not move it either.
func checkDataDirInUse(t *testing.T) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if now, _ := os.Getwd(); now != wd {
			t.Errorf("the refused command moved the working directory from %s to %s", wd, now)
			_ = os.Chdir(wd)
		}
	}()
	start := time.Now()
	out, err := runStdio(t, "", "token", "create", "--email", "redaktor@smakom.example", "--name", "skript")
	if err == nil {
		t.Fatalf("token create against the DATA_DIR of the running portal succeeded (stdout %q)", out)
	}
	if !errors.Is(err, embedded.ErrLocked) {
		t.Errorf("error = %v; want it to wrap embedded.ErrLocked", err)
	}
	msg := err.Error()
	for _, want := range []string{"data directory is in use", os.Getenv("DATA_DIR"), "Stop the running portal first", "DATA_DIR"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if isUsageError(err) {
		t.Errorf("a locked data directory is not a usage error: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the lock error took %v; want it at once", d)
	}
	// user add reads the password first, then meets the same lock.
	_, err = runStdio(t, "a-long-password\n", "user", "add", "--email", "x@smakom.example", "--role", "admin", "--password-stdin")
	if !errors.Is(err, embedded.ErrLocked) {
		t.Errorf("user add against the running portal's DATA_DIR = %v; want embedded.ErrLocked", err)
	}
}
