// Package throttle slows password guessing with a growing back-off per
// key (an account's email, a client IP). It lives in memory: each portal
// instance counts on its own, and a restart forgets.
package throttle

import (
	"strings"
	"sync"
	"time"
)

// Policy is when the back-off starts and how it grows.
type Policy struct {
	// Free is how many attempts in a row may fail before waiting starts.
	Free int
	// First is the first wait; each further failure doubles it up to Max.
	First, Max time.Duration
	// Forget drops a key whose last failure is this old.
	Forget time.Duration
}

// AccountPolicy and IPPolicy are the login defaults: 5 failures per
// account, 20 per IP (many people may share one), then 1 s doubling to
// 15 min. An account is never locked for longer than Max.
var (
	AccountPolicy = Policy{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: time.Hour}
	IPPolicy      = Policy{Free: 20, First: time.Second, Max: 15 * time.Minute, Forget: time.Hour}
)

// maxKeys bounds memory against floods of made-up emails: when the map
// is full, forgotten keys are swept and, if that is not enough, the whole
// map of one kind is cleared (the back-off is then lost, never wrong).
const maxKeys = 100_000

type entry struct {
	failures int
	until    time.Time // no attempt before this
	last     time.Time
}

// Limiter counts attempts for one kind of key.
type Limiter struct {
	policy Policy
	now    func() time.Time
	mu     sync.Mutex
	keys   map[string]*entry
}

// New makes a limiter; now is the clock (time.Now when nil).
func New(p Policy, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{policy: p, now: now, keys: map[string]*entry{}}
}

// Wait is how long key must still wait (0: it may try now).
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wait(key, l.now())
}

func (l *Limiter) wait(key string, now time.Time) time.Duration {
	e := l.keys[key]
	if e == nil || !now.Before(e.until) {
		return 0
	}
	return e.until.Sub(now)
}

// begin counts an attempt as failed before it is checked, so that many
// concurrent attempts cannot all pass before the first one fails; Success
// takes it back.
func (l *Limiter) begin(key string, now time.Time) {
	e := l.keys[key]
	if e != nil && now.Sub(e.last) > l.policy.Forget {
		e = nil
	}
	if e == nil {
		if len(l.keys) >= maxKeys {
			l.sweep(now)
		}
		e = &entry{}
		// Callers may pass strings that alias a reused request buffer
		// (Fiber): keep a copy.
		l.keys[strings.Clone(key)] = e
	}
	e.failures++
	e.last = now
	e.until = now.Add(l.backoff(e.failures))
}

// backoff is the wait after n failures in a row.
func (l *Limiter) backoff(n int) time.Duration {
	over := n - l.policy.Free
	if over < 0 {
		return 0
	}
	d := l.policy.First
	for i := 0; i < over && d < l.policy.Max; i++ {
		d *= 2
	}
	return min(d, l.policy.Max)
}

// undo takes back one attempt counted by begin.
func (l *Limiter) undo(key string) {
	e := l.keys[key]
	if e == nil {
		return
	}
	if e.failures--; e.failures <= 0 {
		delete(l.keys, key)
		return
	}
	e.until = e.last.Add(l.backoff(e.failures))
}

func (l *Limiter) sweep(now time.Time) {
	for k, e := range l.keys {
		if now.Sub(e.last) > l.policy.Forget || (e.failures < l.policy.Free && now.Sub(e.last) > time.Hour) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= maxKeys {
		clear(l.keys)
	}
}

// Success forgets key's failures.
func (l *Limiter) Success(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// Len is the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// Login throttles logins by account and by client IP together.
type Login struct {
	Account, IP *Limiter
	mu          sync.Mutex // makes checking and counting both keys one step
}

// NewLogin uses the default policies with clock now (nil: time.Now).
func NewLogin(now func() time.Time) *Login {
	return &Login{Account: New(AccountPolicy, now), IP: New(IPPolicy, now)}
}

// Attempt reports how long to wait before trying account from ip; 0
// means go ahead, and the attempt is counted as a failure until Success.
func (t *Login) Attempt(account, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Account.mu.Lock()
	t.IP.mu.Lock()
	defer t.Account.mu.Unlock()
	defer t.IP.mu.Unlock()
	now := t.Account.now()
	if w := max(t.Account.wait(account, now), t.IP.wait(ip, now)); w > 0 {
		return w
	}
	t.Account.begin(account, now)
	t.IP.begin(ip, now)
	return 0
}

// Success forgets the account's failures and takes back the IP's count
// of this attempt (only that: one good password must not unlock guessing
// at other accounts from the same address).
func (t *Login) Success(account, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Account.Success(account)
	t.IP.mu.Lock()
	defer t.IP.mu.Unlock()
	t.IP.undo(ip)
}
