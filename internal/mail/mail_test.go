package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/mail/mailtest"
)

// TestSendOverSMTP sends through a real SMTP dialogue: with STARTTLS and
// login when the server offers them, in the clear when it does not.
func TestSendOverSMTP(t *testing.T) {
	for _, withTLS := range []bool{true, false} {
		name := map[bool]string{true: "STARTTLS", false: "plain"}[withTLS]
		t.Run(name, func(t *testing.T) {
			srv := mailtest.Start(t, withTLS)
			s, err := New(Config{Host: srv.Host, Port: srv.Port, User: "portal", Password: "hemligt",
				From: "SmåKom <arkiv@smakom.example>", TLSConfig: srv.ClientTLS})
			if err != nil {
				t.Fatal(err)
			}
			body := "Hej!\n\nÖppna länken: https://arkiv.example/invite?token=abc_DEF-123&x=1\n" + strings.Repeat("lång rad ", 20) + "\n.\nSlut."
			rep, err := s.SendReport(context.Background(), "medlem@kommun.example", "Inbjudan till SmåKoms arkiv\r\nBcc: evil@example", body)
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			if rep.STARTTLS != withTLS || !rep.Auth {
				t.Errorf("report %+v, want STARTTLS=%v and Auth", rep, withTLS)
			}
			m := srv.Wait(t, 30*time.Second)
			if m.To != "medlem@kommun.example" || m.From != "arkiv@smakom.example" || m.TLS != withTLS {
				t.Errorf("envelope %q -> %q (TLS %v)", m.From, m.To, m.TLS)
			}
			if m.AuthPlain != " portal hemligt" {
				t.Errorf("auth %q", m.AuthPlain)
			}
			if m.Subject != "Inbjudan till SmåKoms arkiv Bcc: evil@example" || m.RawHeaders.Get("Bcc") != "" {
				t.Errorf("subject %q, Bcc %q: a newline in the subject must not start a header", m.Subject, m.RawHeaders.Get("Bcc"))
			}
			if m.Body != body+"\n" {
				t.Errorf("body\n%q\nwant\n%q", m.Body, body+"\n")
			}
		})
	}
}

func TestRefusesBadAddresses(t *testing.T) {
	if _, err := New(Config{Host: "localhost", From: "not an address"}); err == nil {
		t.Error("a bad sender address was accepted")
	}
	s, err := New(Config{Host: "127.0.0.1", Port: 1, From: "a@b.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), "x@y.example\r\nRCPT TO:<z@z>", "s", "b"); err == nil || !strings.Contains(err.Error(), "not an e-mail address") {
		t.Errorf("a recipient with a newline: %v", err)
	}
	if err := s.Send(context.Background(), "x@y.example", "s", "b"); err == nil || !strings.Contains(err.Error(), "connect to SMTP server 127.0.0.1:1") {
		t.Errorf("no server: %v", err)
	}
}
