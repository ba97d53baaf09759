// Package mailtest is a tiny SMTP server for tests: it listens on
// loopback, speaks enough SMTP (EHLO, optional STARTTLS with its own
// certificate, AUTH PLAIN, MAIL, RCPT, DATA) for net/smtp, and hands every
// message it receives to the test, decoded.
package mailtest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one mail as received.
type Message struct {
	From, To   string
	Subject    string
	Body       string // decoded text
	TLS        bool   // sent after STARTTLS
	AuthPlain  string // the decoded AUTH PLAIN credentials, if any
	RawHeaders mail.Header
}

// Server is a running test SMTP server.
type Server struct {
	Host string
	Port int
	// Messages receives each message as it arrives.
	Messages chan Message
	// ClientTLS trusts the server's certificate (for STARTTLS).
	ClientTLS *tls.Config

	ln      net.Listener
	tlsConf *tls.Config
	wg      sync.WaitGroup
}

// Start runs a server until the test ends; withTLS offers STARTTLS.
func Start(t testing.TB, withTLS bool) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln, Messages: make(chan Message, 100), Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	if withTLS {
		cert, pool := selfSigned(t)
		s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.ClientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// Wait returns the next message, or fails the test when none comes
// within limit (a mail that never arrives).
func (s *Server) Wait(t testing.TB, limit time.Duration) Message {
	t.Helper()
	select {
	case m := <-s.Messages:
		return m
	case <-time.After(limit):
		t.Fatalf("no mail arrived at the test SMTP server within %s", limit)
	}
	return Message{}
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.session(conn) }()
	}
}

func (s *Server) session(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	r, w := bufio.NewReader(conn), conn
	say := func(line string) { _, _ = io.WriteString(w, line+"\r\n") }
	say("220 mailtest ESMTP")
	var msg Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			if s.tlsConf != nil && !msg.TLS {
				say("250-mailtest")
				say("250-AUTH PLAIN")
				say("250 STARTTLS")
			} else {
				say("250-mailtest")
				say("250 AUTH PLAIN")
			}
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(conn, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn = tc
			r, w = bufio.NewReader(tc), tc
			msg.TLS = true
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				msg.AuthPlain = decodePlain(parts[2])
			}
			say("235 ok")
		case "MAIL":
			msg.From = addrOf(line)
			say("250 ok")
		case "RCPT":
			msg.To = addrOf(line)
			say("250 ok")
		case "DATA":
			say("354 send it")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, ".")) // undo dot-stuffing
			}
			s.deliver(msg, b.String())
			say("250 queued")
			msg = Message{TLS: msg.TLS}
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

func (s *Server) deliver(m Message, raw string) {
	if parsed, err := mail.ReadMessage(strings.NewReader(raw)); err == nil {
		m.RawHeaders = parsed.Header
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		body, _ := io.ReadAll(parsed.Body)
		if strings.EqualFold(parsed.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body, _ = io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(body))))
		}
		m.Body = strings.ReplaceAll(string(body), "\r\n", "\n")
	} else {
		m.Body = raw
	}
	s.Messages <- m
}

func addrOf(line string) string {
	i, j := strings.Index(line, "<"), strings.LastIndex(line, ">")
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}

func decodePlain(b64 string) string {
	dec, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(dec), "\x00", " ")
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mailtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
