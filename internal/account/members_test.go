package account

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func withClock(s *Service) *clock {
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s.SetClock(c.now)
	return c
}

// TestSessionIdleAndAbsoluteExpiry: a session ends after SESSION_IDLE
// without use, slides while used, and ends at SESSION_TTL however busy.
func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	s, _ := newService(t) // sessionTTL 2 h
	s.SetSessionIdle(30 * time.Minute)
	clk := withClock(s)
	ctx := testCtx(t)
	u := addUser(t, s, "idle@kommun.se", RoleMember, "ett långt lösenord")

	idle, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(29 * time.Minute)
	if _, err := s.SessionUser(ctx, idle); err != nil {
		t.Fatalf("used after 29 min of 30: %v", err)
	}
	clk.add(29 * time.Minute) // 58 min after login, 29 after last use: still alive (sliding)
	if _, err := s.SessionUser(ctx, idle); err != nil {
		t.Fatalf("idle expiry does not slide: %v", err)
	}
	clk.add(31 * time.Minute)
	if _, err := s.SessionUser(ctx, idle); !errors.Is(err, ErrNotFound) {
		t.Fatalf("31 min unused: %v, want ErrNotFound", err)
	}
	clk.add(-31 * time.Minute) // even back in time the session is gone
	if _, err := s.SessionUser(ctx, idle); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an idle-expired session was not deleted: %v", err)
	}

	// Used every 20 minutes, the session still ends 2 h after login.
	busy, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	start := clk.now()
	for clk.now().Sub(start) < 2*time.Hour-20*time.Minute {
		clk.add(20 * time.Minute)
		if _, err := s.SessionUser(ctx, busy); err != nil {
			t.Fatalf("busy session ended %s after login: %v", clk.now().Sub(start), err)
		}
	}
	clk.add(21 * time.Minute)
	if _, err := s.SessionUser(ctx, busy); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session alive %s after login (TTL 2h): %v", clk.now().Sub(start), err)
	}
}

// TestLastSeenWrittenAtMostOncePerMinute keeps idle expiry cheap.
func TestLastSeenWrittenAtMostOncePerMinute(t *testing.T) {
	s, db := newService(t)
	clk := withClock(s)
	ctx := testCtx(t)
	u := addUser(t, s, "seen@kommun.se", RoleMember, "ett långt lösenord")
	secret, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	lastSeen := func() time.Time {
		var sess Session
		if err := db.Collection("sessions").FindOne(ctx, map[string]string{"_id": hashSecret(secret)}).Decode(&sess); err != nil {
			t.Fatal(err)
		}
		return sess.LastSeen
	}
	login := lastSeen()
	clk.add(59 * time.Second)
	if _, err := s.SessionUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastSeen(); !got.Equal(login) {
		t.Errorf("last seen written after 59 s: %v -> %v", login, got)
	}
	clk.add(time.Second)
	if _, err := s.SessionUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastSeen(); !got.Equal(clk.now()) {
		t.Errorf("last seen %v after a minute, want %v", got, clk.now())
	}
}

func TestInviteLinks(t *testing.T) {
	s, _ := newService(t)
	clk := withClock(s)
	ctx := testCtx(t)
	u, secret, err := s.Invite(ctx, " Ny@Kommun.se ", "  Dals-Ed ", 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ny@kommun.se" || u.Municipality != "Dals-Ed" || u.Role != RoleMember || u.Status() != StatusInvited {
		t.Errorf("invited %+v (status %s)", u, u.Status())
	}
	if _, err := s.Authenticate(ctx, "ny@kommun.se", ""); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("an invited account logged in without a password: %v", err)
	}
	if _, err := s.UseLink(ctx, LinkInvite, secret, "kort"); !errors.Is(err, ErrPasswordTooShort) {
		t.Errorf("short password: %v", err)
	}
	if _, err := s.UseLink(ctx, LinkReset, secret, "ett långt lösenord"); !errors.Is(err, ErrLinkUnknown) {
		t.Errorf("an invite used as a reset link: %v", err)
	}
	if _, err := s.UseLink(ctx, LinkInvite, secret, "ett långt lösenord"); err != nil {
		t.Fatalf("use invite: %v", err)
	}
	if _, err := s.Authenticate(ctx, "ny@kommun.se", "ett långt lösenord"); err != nil {
		t.Errorf("login after invite: %v", err)
	}
	if _, err := s.UseLink(ctx, LinkInvite, secret, "ett annat långt lösenord"); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("reused invite: %v", err)
	}
	if _, err := s.Authenticate(ctx, "ny@kommun.se", "ett annat långt lösenord"); err == nil {
		t.Error("the reused invite changed the password")
	}
	if _, _, err := s.Invite(ctx, "ny@kommun.se", "Ydre", time.Hour); !errors.Is(err, ErrExists) {
		t.Errorf("inviting an active account: %v", err)
	}

	// Expired: nothing changes.
	_, late, err := s.Invite(ctx, "sen@kommun.se", "Ydre", 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(7*24*time.Hour + time.Second)
	if _, err := s.CheckLink(ctx, LinkInvite, late); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("expired invite: %v", err)
	}
	if _, err := s.UseLink(ctx, LinkInvite, late, "ett långt lösenord"); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("expired invite used: %v", err)
	}
	if v, _ := s.UserByEmail(ctx, "sen@kommun.se"); v.Status() != StatusInvited {
		t.Errorf("an expired invite changed the account: %s", v.Status())
	}
	// A new invite replaces the old link.
	_, again, err := s.Invite(ctx, "sen@kommun.se", "Ydre", time.Hour)
	if err != nil || again == late {
		t.Fatalf("re-invite: %v", err)
	}
	if _, err := s.CheckLink(ctx, LinkInvite, again); err != nil {
		t.Errorf("re-invite link: %v", err)
	}
}

func TestResetEndsSessionsAndDisable(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	u := addUser(t, s, "glomsk@kommun.se", RoleStaff, "ett långt lösenord")
	sess1, _ := s.StartSession(ctx, u.ID)
	sess2, _ := s.StartSession(ctx, u.ID)
	token, err := s.CreateToken(ctx, u.Email, "skript")
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.ResetLink(ctx, u.ID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseLink(ctx, LinkReset, secret, "ett nytt långt lösenord"); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []string{sess1, sess2} {
		if _, err := s.SessionUser(ctx, sess); !errors.Is(err, ErrNotFound) {
			t.Errorf("a session survived the reset: %v", err)
		}
	}
	if _, err := s.UseLink(ctx, LinkReset, secret, "ett tredje långt lösenord"); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("reset link used twice: %v", err)
	}

	// Change password: keeps the given session, ends the others.
	keep, _ := s.StartSession(ctx, u.ID)
	other, _ := s.StartSession(ctx, u.ID)
	if err := s.ChangePassword(ctx, u.ID, "fel", "ett fjärde långt lösenord", keep); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong current password: %v", err)
	}
	if err := s.ChangePassword(ctx, u.ID, "ett nytt långt lösenord", "ett fjärde långt lösenord", keep); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, keep); err != nil {
		t.Errorf("the own session ended: %v", err)
	}
	if _, err := s.SessionUser(ctx, other); !errors.Is(err, ErrNotFound) {
		t.Errorf("another session survived: %v", err)
	}

	// Disabled: sessions end, token and login refused; enabled again the
	// token works (sessions stay ended).
	if _, err := s.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, keep); !errors.Is(err, ErrNotFound) {
		t.Errorf("session of a disabled account: %v", err)
	}
	if _, err := s.TokenUser(ctx, token); !errors.Is(err, ErrNotFound) {
		t.Errorf("token of a disabled account: %v", err)
	}
	if _, err := s.Authenticate(ctx, u.Email, "ett fjärde långt lösenord"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("login of a disabled account: %v", err)
	}
	if _, _, err := s.ResetLink(ctx, u.ID, time.Hour); err == nil {
		t.Error("a reset link for a disabled account")
	}
	if _, err := s.SetDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUser(ctx, token); err != nil {
		t.Errorf("token after enabling: %v", err)
	}
	got, err := s.Authenticate(ctx, u.Email, "ett fjärde långt lösenord")
	if err != nil || got.LastLogin.IsZero() {
		t.Errorf("login after enabling: %v, last login %v", err, got.LastLogin)
	}
}

// TestHousekeepingDeletesIdleSessions: the hourly clean-up removes
// sessions past the idle expiry too, not only those past the TTL.
func TestHousekeepingDeletesIdleSessions(t *testing.T) {
	s, db := newService(t)
	s.SetSessionIdle(30 * time.Minute)
	clk := withClock(s)
	ctx := testCtx(t)
	u := addUser(t, s, "stadning@kommun.se", RoleMember, "ett långt lösenord")
	idle, _ := s.StartSession(ctx, u.ID)
	clk.add(20 * time.Minute)
	busy, _ := s.StartSession(ctx, u.ID)
	clk.add(11 * time.Minute) // idle: 31 min unused; busy: 11 min
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if ids := idsIn(t, db.Collection("sessions")); len(ids) != 1 || ids[0] != hashSecret(busy) {
		t.Errorf("sessions left %v, want only the busy one", ids)
	}
	_ = idle
}
