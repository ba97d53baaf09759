package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/audit"
)

// TestUserRoleCommand: portal user role changes a role, ends the
// account's sessions, records the change in the audit log, refuses
// unknown roles and never demotes the last admin.
func TestUserRoleCommand(t *testing.T) {
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	const (
		admin    = "chef@smakom.example"
		member   = "medlem@smakom.example"
		password = "ett-langt-losenord"
	)
	for _, u := range [][2]string{{admin, "admin"}, {member, "member"}} {
		if _, err := runCommand(t, password+"\n", "user", "add", "--email", u[0], "--role", u[1], "--password-stdin"); err != nil {
			t.Fatal(err)
		}
	}
	var ue usageError
	if _, err := runCommand(t, "", "user", "role", "--email", member, "--role", "kung"); !errors.As(err, &ue) {
		t.Errorf("an unknown role: %v, want a usage error", err)
	}
	if _, err := runCommand(t, "", "user", "role", "--email", member); !errors.As(err, &ue) {
		t.Errorf("no --role: %v, want a usage error", err)
	}
	if _, err := runCommand(t, "", "user", "role", "--email", "ingen@smakom.example", "--role", "staff"); err == nil {
		t.Error("an unknown account got a role")
	}

	// A session of the member, opened before the change.
	var session string
	func() {
		defer inTempDir(t)()
		ctx := context.Background()
		st, err := adminStack(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.close()
		u, err := st.accounts.UserByEmail(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		if session, err = st.accounts.StartSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}()

	if _, err := runCommand(t, "", "user", "role", "--email", member, "--role", "staff"); err != nil {
		t.Fatalf("user role: %v", err)
	}
	if _, err := runCommand(t, "", "user", "role", "--email", admin, "--role", "staff"); err == nil || !strings.Contains(err.Error(), "at least one active admin") {
		t.Errorf("demoting the last admin: %v", err)
	}

	defer inTempDir(t)()
	ctx := context.Background()
	st, err := adminStack(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	u, err := st.accounts.UserByEmail(ctx, member)
	if err != nil || u.Role != account.RoleStaff {
		t.Fatalf("role %q, %v; want staff", u.Role, err)
	}
	if a, _ := st.accounts.UserByEmail(ctx, admin); a.Role != account.RoleAdmin {
		t.Errorf("the last admin became %s", a.Role)
	}
	if _, err := st.accounts.SessionUser(ctx, session); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the member's session lived through the role change: %v", err)
	}
	entries, err := audit.New(st.db).Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "ändrade rollen för "+member+" från member till staff" && e.Actor == audit.CommandLine {
			found = true
		}
	}
	if !found {
		t.Errorf("the role change is not in the audit log: %+v", entries)
	}
}
