// Package mail sends plain-text mail over SMTP (net/smtp), with STARTTLS
// whenever the server offers it. It is optional: without SMTP_HOST the
// portal shows links to copy instead of mailing them.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Config is how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int
	User     string // empty: no authentication
	Password string
	From     string // the sender address
	// TLSConfig, when set, is used for STARTTLS (tests trust their own CA).
	TLSConfig *tls.Config
}

// Sender sends mail through one SMTP server.
type Sender struct {
	cfg Config
}

// New checks the configuration and returns a sender.
func New(cfg Config) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("SMTP host is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("sender address %q: %w", cfg.From, err)
	}
	return &Sender{cfg: cfg}, nil
}

// Report is how a mail went out.
type Report struct {
	Server   string // host:port
	STARTTLS bool   // the connection was encrypted
	Auth     bool   // the sender logged in
}

// Send mails a plain-text message to one address.
func (s *Sender) Send(ctx context.Context, to, subject, body string) error {
	_, err := s.SendReport(ctx, to, subject, body)
	return err
}

// SendReport is Send that also says how the mail went out.
func (s *Sender) SendReport(ctx context.Context, to, subject, body string) (Report, error) {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	rep := Report{Server: addr}
	rcpt, err := mail.ParseAddress(to)
	if err != nil || strings.ContainsAny(to, "\r\n") {
		return rep, fmt.Errorf("recipient %q is not an e-mail address", to)
	}
	msg, err := s.message(rcpt.Address, subject, body)
	if err != nil {
		return rep, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return rep, fmt.Errorf("connect to SMTP server %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return rep, fmt.Errorf("SMTP server %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return rep, fmt.Errorf("SMTP EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := s.cfg.TLSConfig
		if tc == nil {
			tc = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			return rep, fmt.Errorf("SMTP STARTTLS: %w", err)
		}
		rep.STARTTLS = true
	}
	if s.cfg.User != "" {
		// PlainAuth refuses to send the password unencrypted except to
		// localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.cfg.Host)); err != nil {
			return rep, fmt.Errorf("SMTP login as %s: %w", s.cfg.User, err)
		}
		rep.Auth = true
	}
	from, _ := mail.ParseAddress(s.cfg.From)
	if err := c.Mail(from.Address); err != nil {
		return rep, fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return rep, fmt.Errorf("SMTP RCPT TO %s: %w", rcpt.Address, err)
	}
	w, err := c.Data()
	if err != nil {
		return rep, fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return rep, fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return rep, fmt.Errorf("SMTP message refused: %w", err)
	}
	return rep, c.Quit()
}

// message builds the headers and a quoted-printable UTF-8 body.
func (s *Sender) message(to, subject, body string) ([]byte, error) {
	subject = strings.Join(strings.Fields(subject), " ") // no header injection
	var b strings.Builder
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "localhost"
	if from, err := mail.ParseAddress(s.cfg.From); err == nil {
		if _, d, ok := strings.Cut(from.Address, "@"); ok {
			domain = d
		}
	}
	fmt.Fprintf(&b, "From: %s\r\n", s.cfg.From)
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return []byte(b.String()), nil
}
