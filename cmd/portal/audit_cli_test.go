package main

import (
	"context"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/audit"
)

// TestCommandLineChangesAreLogged: accounts, roles and tokens given with
// the portal command appear in the staff's audit log.
func TestCommandLineChangesAreLogged(t *testing.T) {
	dataDir := t.TempDir()
	setCleanEnv(t, "DATA_DIR="+dataDir, "LOG_LEVEL=error")
	const email = "redaktor@smakom.example"
	if _, err := runCommand(t, "ett-långt-lösenord\n", "user", "add", "--email", email, "--role", "staff", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCommand(t, "", "token", "create", "--email", email, "--name", "uppladdningsskript"); err != nil {
		t.Fatal(err)
	}
	list, err := runCommand(t, "", "token", "list")
	if err != nil || !strings.Contains(list, "uppladdningsskript") || !strings.Contains(list, email) {
		t.Fatalf("token list: %q, %v", list, err)
	}
	ref := strings.Fields(strings.Split(strings.TrimSpace(list), "\n")[1])[0]
	if _, err := runCommand(t, "", "token", "revoke", "--ref", ref); err != nil {
		t.Fatalf("token revoke --ref %s: %v", ref, err)
	}
	if list, _ := runCommand(t, "", "token", "list"); strings.Contains(list, "uppladdningsskript") {
		t.Errorf("the revoked token is still listed: %q", list)
	}
	if _, err := runCommand(t, "", "token", "revoke"); !isUsageError(err) {
		t.Errorf("token revoke without --ref: %v", err)
	}
	var entries []audit.Entry
	withStack(t, func(ctx context.Context, st *stack) {
		var err error
		if entries, err = audit.New(st.db).Recent(ctx, 10); err != nil {
			t.Fatal(err)
		}
	})
	var got []string
	for _, e := range entries {
		if e.Actor != audit.CommandLine {
			t.Errorf("actor %q", e.Actor)
		}
		if strings.Contains(e.Request, "lösenord") {
			t.Errorf("the log holds a password: %q", e.Request)
		}
		got = append(got, e.Action)
	}
	want := []string{`drog in API-nyckeln "uppladdningsskript" för ` + email, `skapade API-nyckeln "uppladdningsskript" för ` + email,
		"skapade kontot " + email + " med rollen staff"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit log %q, want %q", got, want)
	}
}
