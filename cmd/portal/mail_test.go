package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/mail/mailtest"
)

// TestMailTestCommand sends a test mail through a real SMTP dialogue and
// reports how it went; without settings, or with a dead server, it says
// what is wrong.
func TestMailTestCommand(t *testing.T) {
	smtpd := mailtest.Start(t, false)
	setCleanEnv(t, "SMTP_HOST="+smtpd.Host, fmt.Sprintf("SMTP_PORT=%d", smtpd.Port), "SMTP_USER=portal", "SMTP_PASSWORD=hemligt",
		"SMTP_FROM=SmåKom <arkiv@smakom.example>", "PUBLIC_URL=https://arkiv.smakom.example")
	out, err := runCommand(t, "", "mail", "test", "--to", "du@kommun.example")
	if err != nil {
		t.Fatalf("mail test: %v", err)
	}
	want := fmt.Sprintf("Test mail sent to du@kommun.example via %s:%d, without encryption (the server offered no STARTTLS), logged in as portal.", smtpd.Host, smtpd.Port)
	if strings.TrimSpace(out) != want {
		t.Errorf("output %q, want %q", out, want)
	}
	m := smtpd.Wait(t, time.Minute)
	if m.To != "du@kommun.example" || m.Subject != "Testmejl från SmåKoms webbinariearkiv" || !strings.Contains(m.Body, "https://arkiv.smakom.example") || m.AuthPlain != " portal hemligt" {
		t.Errorf("test mail %+v", m)
	}

	if _, err := runCommand(t, "", "mail", "test"); err == nil || !strings.Contains(err.Error(), "--to is required") {
		t.Errorf("without --to: %v", err)
	}
	setCleanEnv(t, "SMTP_HOST=127.0.0.1", "SMTP_PORT=1", "SMTP_FROM=a@b.example", "PUBLIC_URL=https://a.example")
	if _, err := runCommand(t, "", "mail", "test", "--to", "du@kommun.example"); err == nil ||
		!strings.Contains(err.Error(), "test mail to du@kommun.example NOT sent: connect to SMTP server 127.0.0.1:1") {
		t.Errorf("dead server: %v", err)
	}
	setCleanEnv(t)
	if _, err := runCommand(t, "", "mail", "test", "--to", "du@kommun.example"); err == nil || !strings.Contains(err.Error(), "mail is off: set SMTP_HOST") {
		t.Errorf("no settings: %v", err)
	}
}

// TestUserAddWithMunicipality: accounts made on the command line can
// carry their municipality too.
func TestUserAddWithMunicipality(t *testing.T) {
	setCleanEnv(t, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	if _, err := runCommand(t, "ett långt lösenord\n", "user", "add", "--email", "kommun@ydre.example", "--role", "member",
		"--municipality", " Ydre ", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	withStack(t, func(ctx context.Context, st *stack) {
		u, err := st.accounts.UserByEmail(ctx, "kommun@ydre.example")
		if err != nil || u.Municipality != "Ydre" {
			t.Errorf("user %+v, %v; want municipality Ydre", u, err)
		}
	})
}
