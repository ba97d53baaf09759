package throttle

import (
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
