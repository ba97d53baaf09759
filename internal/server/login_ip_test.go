package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/throttle"
)

// TestLoginBackoffPerIP: 50 accounts tried from one IP (each a different
// address, so no account's own count starts): after 20 failures the IP
// gets 429 with a Retry-After that doubles with each further failure,
// while attempts from another IP are not slowed.
func TestLoginBackoffPerIP(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	// The test connection comes from 0.0.0.0; trusting it lets each
	// request name its client IP in X-Forwarded-For.
	p := newPortal(t, func(d *Deps) {
		d.LoginThrottle = throttle.NewLogin(clock)
		d.TrustedProxies = []string{"0.0.0.0"}
	})
	attacker := p.anonymous()
	attacker.get("/login")
	try := func(c *client, email, ip string) response {
		t.Helper()
		form := url.Values{"email": {email}, "password": {"en gissning"}, "_csrf": {c.cookies[csrfCookie]}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		return c.do(req)
	}
	other := p.anonymous()
	other.get("/login")

	var retryAfters []int
	wantWait := 1
	for i := 0; i < 50; i++ {
		email := fmt.Sprintf("konto-%02d@kommun.se", i)
		r := try(attacker, email, "203.0.113.7")
		if i < 20 {
			expectStatus(t, r, http.StatusUnauthorized)
			continue
		}
		expectStatus(t, r, http.StatusTooManyRequests)
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs != wantWait {
			t.Fatalf("account %d: Retry-After %q, want %d (so far %v)", i, r.Header.Get("Retry-After"), wantWait, retryAfters)
		}
		retryAfters = append(retryAfters, secs)
		// Another IP is not slowed (a new one each time, so that its own
		// count stays within the free attempts).
		expectStatus(t, try(other, fmt.Sprintf("annan-%02d@kommun.se", i), "198.51.100."+strconv.Itoa(i)), http.StatusUnauthorized)
		mu.Lock()
		now = now.Add(time.Duration(secs) * time.Second)
		mu.Unlock()
		// After the wait, this account's attempt is checked (and fails).
		expectStatus(t, try(attacker, email, "203.0.113.7"), http.StatusUnauthorized)
		wantWait = min(wantWait*2, 900)
	}
	t.Logf("Retry-After from one IP over 50 accounts: %v", retryAfters)
	if len(retryAfters) != 30 || retryAfters[len(retryAfters)-1] != 900 {
		t.Errorf("Retry-After %v: want 30 doubling waits up to 900 s", retryAfters)
	}
}
