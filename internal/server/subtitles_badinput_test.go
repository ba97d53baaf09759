package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/webinar"
)

func fixtureData(t *testing.T, file string) []byte {
	t.Helper()
	for _, f := range subtitleFixtures {
		if f.File == file {
			return f.Data
		}
	}
	t.Fatalf("no fixture %s", file)
	return nil
}

// TestBadSubtitleUploads: every kind of bad file the issue lists gets a
// 400 whose message names the problem, and neither replaces the stored
// track nor creates one.
func TestBadSubtitleUploads(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("Trasiga undertexter", "public")
	expectStatus(t, api.put("/api/v1/webinars/"+slug+"/subtitles/sv", strings.NewReader(svSRT), int64(len(svSRT))), http.StatusOK)
	good := api.track(slug, "sv")

	srt := fixtureData(t, "srt-utf8-lf.srt")
	stl := fixtureData(t, "stl-25fps-open.stl")
	ttml := fixtureData(t, "ttml-utf8.ttml")
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 2000)...)
	utf32LE, _ := utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().Bytes([]byte(svSRT))
	noise := make([]byte, 3000)
	for i := range noise {
		noise[i] = byte(i*131 + i/7 + 1) // no zero bytes, not UTF-8
	}

	for _, tt := range []struct {
		name, query, contentType string
		data                     []byte
		msg                      string
	}{
		{"png image", "", "", png, "Fel i undertextfilen: Filen är inte en textfil: den är binär eller sparad i en teckenkodning som inte stöds"},
		{"binary noise", "", "", noise, "Fel i undertextfilen: Okänt undertextformat"},
		{"truncated srt", "", "", srt[:bytes.Index(srt, []byte("00:00:04,400"))+7], "Fel i undertextfilen: Rad 7: ofullständig tidskod; är filen avkortad?"},
		{"truncated ebu stl", "", "", stl[:len(stl)-100], "Fel i undertextfilen: EBU STL-filen är ofullständig"},
		{"truncated ttml", "", "", ttml[:len(ttml)-40], "filen är inte giltig XML"},
		{"negative time", "", "", []byte("1\n00:00:-1,000 --> 00:00:02,000\nEtt\n"), "Text 1: tiden är negativ"},
		{"overlapping times", "", "", []byte("1\n00:00:01,000 --> 00:00:05,000\nEtt\n\n2\n00:00:04,000 --> 00:00:06,000\nTvå\n"),
			"Text 2 börjar 00:00:04,000, innan text 1 slutar 00:00:05,000; texter får inte överlappa"},
		{"utf-32", "", "", utf32LE, "Filen är sparad som UTF-32, som inte stöds"},
		{"unknown charset in content type", "", "text/plain; charset=x-klingon", []byte(svSRT), `Okänd teckenkodning "x-klingon"`},
		{"unknown charset in query", "?charset=ebcdic-sv", "", []byte(svSRT), `Okänd teckenkodning "ebcdic-sv"`},
		{"script tags only", "", "", []byte("1\n00:00:01,000 --> 00:00:02,000\n<script></script>\n"), "Text 1: texten är tom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []string{"sv", "fi"} {
				req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/"+lang+tt.query, bytes.NewReader(tt.data))
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				r := api.do(req)
				expectStatus(t, r, http.StatusBadRequest)
				if _, msg, _ := errorBody(t, r); !strings.Contains(msg, tt.msg) {
					t.Errorf("%s: message %q lacks %q", lang, msg, tt.msg)
				}
			}
			if got := api.track(slug, "sv"); got.Revision != good.Revision || !equalCues(got.Cues, good.Cues) {
				t.Errorf("the bad file replaced the track: %+v", got)
			}
			expectStatus(t, api.get("/api/v1/webinars/"+slug+"/subtitles/fi"), http.StatusNotFound)
		})
	}
	var w struct {
		Subtitles []struct{ Lang string } `json:"subtitles"`
	}
	if err := json.Unmarshal(api.get("/api/v1/webinars/"+slug).Body, &w); err != nil || len(w.Subtitles) != 1 || w.Subtitles[0].Lang != "sv" {
		t.Errorf("tracks after the bad uploads: %+v, %v", w.Subtitles, err)
	}

	// A declared charset is honoured: Windows-1250 (Polish, Czech) is not
	// guessed from the bytes.
	cp1250, _ := charmap.Windows1250.NewEncoder().String("1\n00:00:01,000 --> 00:00:02,000\nŁódź i Żabka\n")
	req := httptest.NewRequest(http.MethodPut, "/api/v1/webinars/"+slug+"/subtitles/pl", strings.NewReader(cp1250))
	req.Header.Set("Content-Type", "application/x-subrip; charset=windows-1250")
	expectStatus(t, api.do(req), http.StatusOK)
	if got := api.track(slug, "pl"); len(got.Cues) != 1 || got.Cues[0].Text != "Łódź i Żabka" {
		t.Errorf("windows-1250 upload: %+v", got.Cues)
	}
}

// endlessSubtitle is a subtitle body of n bytes made as it is read, which
// counts how much of it was taken.
type endlessSubtitle struct {
	n, read atomic.Int64
}

func (e *endlessSubtitle) Read(p []byte) (int, error) {
	left := e.n.Load() - e.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	const cue = "00:00:01,000 --> 00:00:02,000\nEn lång undertextfil\n\n"
	for i := range p {
		p[i] = cue[(e.read.Load()+int64(i))%int64(len(cue))]
	}
	e.read.Add(int64(len(p)))
	return len(p), nil
}

// rawRequest writes a request with body to addr over its own connection
// and reads the answer, whether or not the server read the whole body
// (a refusing server closes the connection, and an HTTP client would
// report the failed write instead of the answer).
func rawRequest(t *testing.T, addr, head string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(60 * time.Second)); err != nil {
		t.Fatal(err)
	}
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		_, _ = io.Copy(conn, body) // fails once the server has refused and closed
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, b
}

// TestSubtitleUploadTooLarge sends 50 MB subtitle files (the limit is 5
// MB here, as by default): each gets a 413 naming the limit, long before
// the portal has read the body, and nothing is stored.
func TestSubtitleUploadTooLarge(t *testing.T) {
	p := newPortal(t)
	api := p.apiClient()
	slug := api.createWebinar("För stora undertexter", "public")
	addr := p.listen(t)
	staff := p.loginAs(account.RoleStaff)
	staff.get("/staff")
	const size = 50 << 20

	multipartHead := "--grans\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + staff.cookies[csrfCookie] +
		"\r\n--grans\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nsv\r\n--grans\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stor.srt\"\r\n\r\n"
	cookies := fmt.Sprintf("Cookie: %s=%s; %s=%s\r\n", sessionCookie, staff.cookies[sessionCookie], csrfCookie, staff.cookies[csrfCookie])

	for _, tt := range []struct {
		name    string
		head    func(n int64) string
		prefix  string
		chunked bool
	}{
		{"api with content-length", func(n int64) string {
			return fmt.Sprintf("PUT /api/v1/webinars/%s/subtitles/sv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", slug, api.token, n)
		}, "", false},
		{"api chunked", func(int64) string {
			return fmt.Sprintf("PUT /api/v1/webinars/%s/subtitles/sv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n", slug, api.token)
		}, "", true},
		{"staff form", func(n int64) string {
			return fmt.Sprintf("POST /staff/webinars/%s/subtitles HTTP/1.1\r\nHost: x\r\n%sAccept: application/json\r\nContent-Type: multipart/form-data; boundary=grans\r\nContent-Length: %d\r\n\r\n",
				slug, cookies, n+int64(len(multipartHead)))
		}, multipartHead, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := &endlessSubtitle{}
			body.n.Store(size)
			var r io.Reader = io.MultiReader(strings.NewReader(tt.prefix), body)
			if tt.chunked {
				r = chunked(r)
			}
			res, b := rawRequest(t, addr, tt.head(size), r)
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413; body %.300s", res.StatusCode, b)
			}
			if _, msg, _ := errorBody(t, response{Response: res, Body: b}); msg != "Filen är för stor: högst 5 MB." {
				t.Errorf("message %q", msg)
			}
			// What left the client is at most the limit plus what the
			// socket buffers took: far from the whole file.
			if sent := body.read.Load(); sent > 20<<20 {
				t.Errorf("the client could send %d MB of the 50 MB before the refusal", sent>>20)
			} else {
				t.Logf("refused after the client sent %.1f MB of 50 MB", float64(sent)/(1<<20))
			}
		})
	}
	ctx := context.Background()
	w, err := p.webinars.Get(ctx, slug, webinar.Viewer{LoggedIn: true, Staff: true})
	if err != nil || len(w.Subtitles) != 0 {
		t.Errorf("tracks after the refused uploads: %+v, %v", w, err)
	}
}

// chunked encodes r with HTTP/1.1 chunked transfer coding.
func chunked(r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := fmt.Fprintf(pw, "%x\r\n%s\r\n", n, buf[:n]); werr != nil {
					pw.CloseWithError(werr)
					return
				}
			}
			if err != nil {
				_, _ = io.WriteString(pw, "0\r\n\r\n")
				pw.Close()
				return
			}
		}
	}()
	return pr
}
