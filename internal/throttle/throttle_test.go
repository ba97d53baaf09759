package throttle

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLogin(clk.now)
	for i := 1; i <= 4; i++ {
		if w := l.Attempt("a@kommun.se", "10.0.0.1"); w != 0 {
			t.Fatalf("attempt %d waits %s", i, w)
		}
	}
	// The 5th failure starts the back-off: 1 s, then doubling.
	want := time.Second
	for i := 5; i < 30; i++ {
		if w := l.Attempt("a@kommun.se", "10.0.0.1"); w != 0 {
			t.Fatalf("attempt %d after waiting: waits %s", i, w)
		}
		if w := l.Attempt("a@kommun.se", "10.0.0.2"); w != want {
			t.Fatalf("after %d failures the wait is %s, want %s", i, w, want)
		}
		clk.add(want)
		want = min(want*2, 15*time.Minute)
	}
	if want != 15*time.Minute {
		t.Fatalf("the wait never reached the cap: %s", want)
	}
	// Another account from another IP is not slowed.
	if w := l.Attempt("b@kommun.se", "10.0.0.9"); w != 0 {
		t.Errorf("another account waits %s", w)
	}
	// Success forgets the account.
	clk.add(15 * time.Minute)
	if w := l.Attempt("a@kommun.se", "10.0.0.3"); w != 0 {
		t.Fatal(w)
	}
	l.Success("a@kommun.se", "10.0.0.3")
	for i := 0; i < 4; i++ {
		if w := l.Attempt("a@kommun.se", "10.0.0.3"); w != 0 {
			t.Fatalf("after success, attempt %d waits %s", i+1, w)
		}
	}
}

func TestPerIPThreshold(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLogin(clk.now)
	// 20 different accounts from one IP pass; the 21st waits.
	for i := 0; i < 20; i++ {
		if w := l.Attempt(string(rune('a'+i))+"@kommun.se", "10.0.0.1"); w != 0 {
			t.Fatalf("account %d from one IP waits %s", i, w)
		}
	}
	if w := l.Attempt("z@kommun.se", "10.0.0.1"); w == 0 {
		t.Error("the IP was not slowed after 20 failures")
	}
	// Successful logins from a shared IP do not count as failures.
	l2 := NewLogin(clk.now)
	for i := 0; i < 100; i++ {
		if w := l2.Attempt("kontor@kommun.se", "10.0.0.5"); w != 0 {
			t.Fatalf("login %d of an office IP waits %s", i, w)
		}
		l2.Success("kontor@kommun.se", "10.0.0.5")
	}
}

func TestConcurrentAttemptsPassOnlyTheFreeOnes(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLogin(clk.now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.Attempt("a@kommun.se", "10.0.0.1") == 0 {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if passed != 5 {
		t.Errorf("%d of 1000 concurrent attempts passed, want 5", passed)
	}
}

func TestMemoryIsBounded(t *testing.T) {
	l := New(AccountPolicy, nil)
	for i := 0; i < maxKeys+10; i++ {
		l.mu.Lock()
		l.begin(string(rune(i))+"x", time.Now())
		l.mu.Unlock()
	}
	if n := l.Len(); n > maxKeys {
		t.Errorf("%d keys kept, at most %d", n, maxKeys)
	}
}

// TestIPBackoffDoublesAcrossAccounts: one IP trying many different
// accounts (each only once, so no account's own count starts) waits
// after 20 failures, and each further failure doubles the wait up to
// the cap; another IP is not slowed at any point.
func TestIPBackoffDoublesAcrossAccounts(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := NewLogin(clk.now)
	account := func(i int) string { return "konto-" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + "@kommun.se" }
	for i := 0; i < 20; i++ {
		if w := l.Attempt(account(i), "203.0.113.7"); w != 0 {
			t.Fatalf("account %d from the IP waits %s within the free attempts", i, w)
		}
	}
	want := time.Second
	var waits []time.Duration
	for i := 20; i < 60; i++ {
		w := l.Attempt(account(i), "203.0.113.7")
		if w != want {
			t.Fatalf("after %d failures from the IP the wait is %s, want %s (so far %v)", i, w, want, waits)
		}
		waits = append(waits, w)
		// Another IP (a new one each time, so its own count stays
		// low): never slowed by this IP's count.
		other := "198.51.100." + strconv.Itoa(i)
		if ow := l.Attempt(account(i+100), other); ow != 0 {
			t.Fatalf("%s waits %s after %d failures from 203.0.113.7", other, ow, i)
		}
		clk.add(w)
		if w := l.Attempt(account(i), "203.0.113.7"); w != 0 {
			t.Fatalf("after waiting, the attempt still waits %s", w)
		}
		want = min(want*2, 15*time.Minute)
	}
	if waits[len(waits)-1] != 15*time.Minute {
		t.Errorf("the wait stopped at %s, want the 15-minute cap", waits[len(waits)-1])
	}
	// The slowed IP is still slowed; a fresh one is not.
	if w := l.Attempt(account(99), "203.0.113.7"); w != 15*time.Minute {
		t.Errorf("the slowed IP waits %s, want 15m", w)
	}
	if w := l.Attempt(account(98), "192.0.2.1"); w != 0 {
		t.Errorf("a fresh IP waits %s", w)
	}
}
