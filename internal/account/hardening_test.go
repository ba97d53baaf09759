package account

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// TestLinkWorksOnceUnderConcurrency: 20 requests using the same invite
// or reset link at once on the embedded FerretDB; exactly one sets the
// password, the others are told it was used.
func TestLinkWorksOnceUnderConcurrency(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	_, invite, err := s.Invite(ctx, "samtidig@kommun.se", "Ydre", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	u := addUser(t, s, "aterstall@kommun.se", RoleMember, "ett långt lösenord")
	_, reset, err := s.ResetLink(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind   LinkKind
		secret string
	}{{LinkInvite, invite}, {LinkReset, reset}} {
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.UseLink(ctx, tc.kind, tc.secret, "lösenord nummer "+string(rune('a'+i)))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ErrLinkUsed):
				t.Errorf("%s: a loser got %v, want ErrLinkUsed", tc.kind, err)
			}
		}
		if won != 1 {
			t.Errorf("%s link: %d of %d concurrent uses succeeded, want exactly 1", tc.kind, won, n)
		}
	}
}

// TestOldResetLinkDiesWithPasswordChange: a reset link made before the
// password changes (by the user, on the command line, or another link),
// or before the account is disabled and enabled again, no longer works.
func TestOldResetLinkDiesWithPasswordChange(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	u := addUser(t, s, "gammal-lank@kommun.se", RoleMember, "ett långt lösenord")
	fresh := func() string {
		t.Helper()
		_, secret, err := s.ResetLink(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	dead := func(how, secret string) {
		t.Helper()
		if _, err := s.UseLink(ctx, LinkReset, secret, "angriparens lösenord"); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("after %s the old reset link gives %v, want ErrLinkExpired", how, err)
		}
		if _, err := s.Authenticate(ctx, u.Email, "angriparens lösenord"); err == nil {
			t.Errorf("after %s the old link set the password", how)
		}
	}

	old := fresh()
	if err := s.ChangePassword(ctx, u.ID, "ett långt lösenord", "ett nytt långt lösenord", ""); err != nil {
		t.Fatal(err)
	}
	dead("a password change", old)

	old = fresh()
	if err := s.SetPassword(ctx, u.Email, "ett tredje långt lösenord"); err != nil {
		t.Fatal(err)
	}
	dead("portal user passwd", old)

	old = fresh()
	if _, err := s.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	dead("disable and enable", old)

	// A link made afterwards works, once.
	if _, err := s.UseLink(ctx, LinkReset, fresh(), "ett fjärde långt lösenord"); err != nil {
		t.Errorf("a new link after all that: %v", err)
	}
}

func TestSetRole(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	admin := addUser(t, s, "chef@kommun.se", RoleAdmin, "ett långt lösenord")
	m := addUser(t, s, "medlem@kommun.se", RoleMember, "ett långt lösenord")
	sess, err := s.StartSession(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	old, err := s.SetRole(ctx, m.ID, RoleStaff)
	if err != nil || old.Role != RoleMember {
		t.Fatalf("member to staff: %v (old %s)", err, old.Role)
	}
	if _, err := s.SessionUser(ctx, sess); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session lived through the role change: %v", err)
	}
	if _, err := s.SetRole(ctx, m.ID, RoleStaff); !errors.Is(err, ErrSameRole) {
		t.Errorf("same role: %v", err)
	}
	if _, err := s.SetRole(ctx, m.ID, Role("kung")); err == nil {
		t.Error("an unknown role was accepted")
	}
	tok, err := s.CreateToken(ctx, m.Email, "skript")
	if err != nil {
		t.Fatal(err)
	}
	// The only admin stays.
	if _, err := s.SetRole(ctx, admin.ID, RoleStaff); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demoting the last admin: %v", err)
	}
	if _, err := s.SetRole(ctx, m.ID, RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRole(ctx, admin.ID, RoleStaff); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
	// Back to member: no API tokens left.
	if _, err := s.SetRole(ctx, admin.ID, RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRole(ctx, m.ID, RoleMember); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUser(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("a member's old API token still works: %v", err)
	}
}

func TestTokensOfOneUserAndOwnership(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	a := addUser(t, s, "a@kommun.se", RoleStaff, "ett långt lösenord")
	b := addUser(t, s, "b@kommun.se", RoleStaff, "ett långt lösenord")
	secretA, infoA, err := s.CreateTokenFor(ctx, a.ID, "a:s skript")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateTokenFor(ctx, b.ID, "b:s skript"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateTokenFor(ctx, a.ID, "   "); !errors.Is(err, ErrTokenName) {
		t.Errorf("empty name: %v", err)
	}
	mine, err := s.ListTokensOf(ctx, a.ID)
	if err != nil || len(mine) != 1 || mine[0].Ref != infoA.Ref || mine[0].Email != a.Email {
		t.Fatalf("a's tokens: %+v %v", mine, err)
	}
	if !mine[0].LastUsed.IsZero() {
		t.Errorf("an unused token has a last use: %v", mine[0].LastUsed)
	}
	if _, err := s.TokenUser(ctx, secretA); err != nil {
		t.Fatal(err)
	}
	if mine, _ = s.ListTokensOf(ctx, a.ID); mine[0].LastUsed.IsZero() {
		t.Error("the use was not recorded")
	}
	if _, err := s.RevokeTokenOf(ctx, infoA.Ref, b.ID); !errors.Is(err, ErrNotOwner) {
		t.Errorf("b revoked a's token: %v", err)
	}
	if _, err := s.RevokeTokenOf(ctx, infoA.Ref, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUser(ctx, secretA); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked token: %v", err)
	}
}

// TestTwoAdminsDemotedAtOnce: two admins demoted at the same moment never
// leave the portal without an admin.
func TestTwoAdminsDemotedAtOnce(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	for round := range 10 {
		a := addUser(t, s, "a"+string(rune('a'+round))+"@kommun.se", RoleAdmin, "ett långt lösenord")
		b := addUser(t, s, "b"+string(rune('a'+round))+"@kommun.se", RoleAdmin, "ett långt lösenord")
		var wg sync.WaitGroup
		for _, id := range []string{a.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = s.SetRole(ctx, id, RoleStaff)
			}()
		}
		wg.Wait()
		if ok, err := s.HasAdmin(ctx); err != nil || !ok {
			t.Fatalf("round %d: no admin left (%v)", round, err)
		}
		// Next round starts without admins.
		if _, err := s.users.UpdateMany(ctx, map[string]any{"_id": map[string]any{"$in": []string{a.ID, b.ID}}},
			map[string]any{"$set": map[string]any{"role": RoleStaff}}); err != nil {
			t.Fatal(err)
		}
	}
}
