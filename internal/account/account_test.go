package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const sessionTTL = 2 * time.Hour

func newService(t *testing.T) (*Service, *mongo.Database) {
	t.Helper()
	db := testenv.MongoDB(t)
	s, err := NewService(testCtx(t), db, sessionTTL)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return s, db
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func addUser(t *testing.T, s *Service, email string, role Role, password string) User {
	t.Helper()
	u, err := s.AddUser(testCtx(t), email, role, password)
	if err != nil {
		t.Fatalf("AddUser(%q, %s): %v", email, role, err)
	}
	return u
}

// idsIn returns the _id of every document in a collection.
func idsIn(t *testing.T, coll *mongo.Collection) []string {
	t.Helper()
	ctx := testCtx(t)
	cur, err := coll.Find(ctx, bson.M{})
	if err != nil {
		t.Fatalf("find in %s: %v", coll.Name(), err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatalf("read %s: %v", coll.Name(), err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

func TestPasswordHash(t *testing.T) {
	const password = "rätt häst batteri häftklammer"
	hash, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Errorf("hash %q does not start with $argon2id$", hash)
	}
	if strings.Contains(hash, password) {
		t.Errorf("hash %q contains the password", hash)
	}
	again, err := HashPassword(password)
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if again == hash {
		t.Errorf("two hashes of the same password are equal (%q): the salt is not random", hash)
	}

	// tamper flips one character of the derived key at the end of the hash.
	tamper := func(h string) string {
		b := []byte(h)
		i := len(b) - 2
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	parts := strings.Split(hash, "$")
	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
	}{
		{"right password", hash, password, true},
		{"right password, second hash", again, password, true},
		{"wrong password", hash, "rätt häst batteri häftklammer!", false},
		{"empty password", hash, "", false},
		{"password in other case", hash, strings.ToUpper(password), false},
		{"tampered key", tamper(hash), password, false},
		{"other salt", strings.Join([]string{"", parts[1], parts[2], parts[3], strings.Split(again, "$")[4], parts[5]}, "$"), password, false},
		{"more passes than used", strings.Replace(hash, "t=2,", "t=3,", 1), password, false},
		{"empty hash", "", password, false},
		{"garbage", "not a hash at all", password, false},
		{"dollar garbage", "$$$$$", password, false},
		{"argon2i, not argon2id", strings.Replace(hash, "$argon2id$", "$argon2i$", 1), password, false},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", password, false},
		{"zero memory", strings.Replace(hash, "m=19456,", "m=0,", 1), password, false},
		{"absurd memory", strings.Replace(hash, "m=19456,", "m=99999999,", 1), password, false},
		{"params not numbers", strings.Replace(hash, "m=19456,t=2,p=1", "m=a,t=b,p=c", 1), password, false},
		{"salt not base64", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"), password, false},
		{"empty key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$"), password, false},
		{"extra field", hash + "$x", password, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Errorf("CheckPassword(%q, %q) = %v, want %v", tt.hash, tt.password, got, tt.want)
			}
		})
	}
}

func TestAddUser(t *testing.T) {
	s, db := newService(t)
	ctx := testCtx(t)

	u := addUser(t, s, "  Anna.Svensson@Kommun.SE ", RoleStaff, "långt lösenord")
	if u.Email != "anna.svensson@kommun.se" {
		t.Errorf("Email = %q, want it trimmed and lower-cased", u.Email)
	}
	if u.ID == "" || u.Role != RoleStaff || u.CreatedAt.IsZero() {
		t.Errorf("AddUser returned %+v", u)
	}
	if u.PasswordHash == "långt lösenord" || !CheckPassword(u.PasswordHash, "långt lösenord") {
		t.Errorf("PasswordHash %q is not a hash of the password", u.PasswordHash)
	}
	var stored User
	if err := db.Collection("users").FindOne(ctx, bson.M{"_id": u.ID}).Decode(&stored); err != nil {
		t.Fatalf("read stored user: %v", err)
	}
	if stored.Email != "anna.svensson@kommun.se" || stored.PasswordHash != u.PasswordHash {
		t.Errorf("stored user = %+v", stored)
	}

	tests := []struct {
		name     string
		email    string
		password string
		wantErr  error // nil: any error
	}{
		{"same email", "anna.svensson@kommun.se", "ett annat lösenord", ErrExists},
		{"same email in other case", "ANNA.SVENSSON@KOMMUN.SE", "ett annat lösenord", ErrExists},
		{"no at sign", "anna.svensson", "långt lösenord", nil},
		{"empty email", "", "långt lösenord", nil},
		{"display name", "Anna <anna@kommun.se>", "långt lösenord", nil},
		{"two addresses", "a@kommun.se, b@kommun.se", "långt lösenord", nil},
		{"password of 9 characters", "bertil@kommun.se", "123456789", nil},
		{"password of 9 runes, more bytes", "bertil@kommun.se", "åäöåäöåäö", nil},
		{"empty password", "bertil@kommun.se", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddUser(ctx, tt.email, RoleMember, tt.password)
			if err == nil {
				t.Fatalf("AddUser(%q, %q): no error", tt.email, tt.password)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("AddUser(%q) = %v, want %v", tt.email, err, tt.wantErr)
			}
		})
	}
	n, err := db.Collection("users").CountDocuments(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d users stored after refused additions, want 1", n)
	}

	t.Run("password of 10 runes", func(t *testing.T) {
		if _, err := s.AddUser(ctx, "cecilia@kommun.se", RoleMember, "åäöåäöåäöå"); err != nil {
			t.Errorf("AddUser with a 10-character password: %v", err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	u := addUser(t, s, "anna@kommun.se", RoleMember, "korrekt lösenord")
	addUser(t, s, "bertil@kommun.se", RoleMember, "bertils lösenord")

	tests := []struct {
		name, email, password string
		wantErr               error
	}{
		{"right password", "anna@kommun.se", "korrekt lösenord", nil},
		{"email in other case and spaces", "  ANNA@Kommun.se ", "korrekt lösenord", nil},
		{"wrong password", "anna@kommun.se", "fel lösenord!!", ErrBadCredentials},
		{"another user's password", "anna@kommun.se", "bertils lösenord", ErrBadCredentials},
		{"empty password", "anna@kommun.se", "", ErrBadCredentials},
		{"unknown email", "okand@kommun.se", "korrekt lösenord", ErrBadCredentials},
		{"empty email", "", "korrekt lösenord", ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Authenticate(ctx, tt.email, tt.password)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Authenticate = %+v, %v; want %v", got, err, tt.wantErr)
				}
				if got.ID != "" {
					t.Errorf("Authenticate returned user %+v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if got.ID != u.ID {
				t.Errorf("Authenticate = user %q, want %q", got.ID, u.ID)
			}
		})
	}
}

func TestSetPassword(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	addUser(t, s, "anna@kommun.se", RoleMember, "gammalt lösenord")
	if err := s.SetPassword(ctx, "anna@kommun.se", "kort"); err == nil {
		t.Error("SetPassword with a short password: no error")
	}
	if err := s.SetPassword(ctx, "ingen@kommun.se", "nytt långt lösenord"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword for an unknown email = %v, want ErrNotFound", err)
	}
	if err := s.SetPassword(ctx, "anna@kommun.se", "nytt långt lösenord"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, err := s.Authenticate(ctx, "anna@kommun.se", "gammalt lösenord"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after SetPassword: %v, want ErrBadCredentials", err)
	}
	if _, err := s.Authenticate(ctx, "anna@kommun.se", "nytt långt lösenord"); err != nil {
		t.Errorf("new password after SetPassword: %v", err)
	}
}

func TestSessions(t *testing.T) {
	s, db := newService(t)
	ctx := testCtx(t)
	u := addUser(t, s, "anna@kommun.se", RoleMember, "korrekt lösenord")

	secret, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	if len(secret) < 40 {
		t.Errorf("session secret %q is short", secret)
	}
	got, err := s.SessionUser(ctx, secret)
	if err != nil {
		t.Fatalf("SessionUser: %v", err)
	}
	if got.ID != u.ID || got.Email != u.Email {
		t.Errorf("SessionUser = %+v, want user %s", got, u.ID)
	}

	t.Run("stored hashed", func(t *testing.T) {
		ids := idsIn(t, db.Collection("sessions"))
		if len(ids) != 1 {
			t.Fatalf("sessions collection holds %d documents, want 1", len(ids))
		}
		for _, id := range ids {
			if id == secret || strings.Contains(id, secret) {
				t.Errorf("session stored under its cookie value %q", secret)
			}
		}
	})

	other, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatalf("second StartSession: %v", err)
	}
	if other == secret {
		t.Fatal("two sessions got the same secret")
	}

	unknown := []struct{ name, secret string }{
		{"empty", ""},
		{"made up", "bm90IGEgc2Vzc2lvbg"},
		{"prefix of a real one", secret[:len(secret)-1]},
	}
	for _, tt := range unknown {
		t.Run("unknown "+tt.name, func(t *testing.T) {
			if u, err := s.SessionUser(ctx, tt.secret); !errors.Is(err, ErrNotFound) {
				t.Errorf("SessionUser(%q) = %+v, %v; want ErrNotFound", tt.secret, u, err)
			}
		})
	}

	t.Run("EndSession", func(t *testing.T) {
		if err := s.EndSession(ctx, secret); err != nil {
			t.Fatalf("EndSession: %v", err)
		}
		if _, err := s.SessionUser(ctx, secret); !errors.Is(err, ErrNotFound) {
			t.Errorf("SessionUser after EndSession = %v, want ErrNotFound", err)
		}
		if _, err := s.SessionUser(ctx, other); err != nil {
			t.Errorf("the other session ended too: %v", err)
		}
		if err := s.EndSession(ctx, secret); err != nil {
			t.Errorf("EndSession of an ended session: %v", err)
		}
	})
}

func TestRotateSession(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	attacker := addUser(t, s, "mallory@kommun.se", RoleMember, "korrekt lösenord")
	victim := addUser(t, s, "vera@smakom.se", RoleStaff, "korrekt lösenord")
	planted, err := s.StartSession(ctx, attacker.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.RotateSession(ctx, planted, victim.ID)
	if err != nil {
		t.Fatalf("RotateSession: %v", err)
	}
	if fresh == planted {
		t.Fatal("the session id was not changed at login")
	}
	if u, err := s.SessionUser(ctx, fresh); err != nil || u.ID != victim.ID {
		t.Errorf("new session: %+v, %v; want the victim", u, err)
	}
	if _, err := s.SessionUser(ctx, planted); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session presented before login still works: %v", err)
	}
	// A made-up id or none at all: just a new session.
	for _, prev := range []string{"", "bm90IGEgc2Vzc2lvbg"} {
		if sec, err := s.RotateSession(ctx, prev, victim.ID); err != nil || sec == prev || sec == "" {
			t.Errorf("RotateSession(%q) = %q, %v", prev, sec, err)
		}
	}
}

func TestSessionExpiry(t *testing.T) {
	s, db := newService(t)
	ctx := testCtx(t)
	u := addUser(t, s, "anna@kommun.se", RoleMember, "korrekt lösenord")

	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := start
	s.now = func() time.Time { return clock }

	expiring, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}

	clock = start.Add(sessionTTL) // the last moment it is valid
	if _, err := s.SessionUser(ctx, expiring); err != nil {
		t.Fatalf("SessionUser at exactly the TTL: %v", err)
	}
	clock = start.Add(sessionTTL + time.Second)
	if _, err := s.SessionUser(ctx, expiring); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SessionUser after the TTL = %v, want ErrNotFound", err)
	}
	if n := len(idsIn(t, db.Collection("sessions"))); n != 1 {
		t.Errorf("%d sessions stored after an expired one was read, want 1 (it is deleted on read)", n)
	}

	fresh, err := s.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartSession(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil {
		t.Fatalf("DeleteExpiredSessions: %v", err)
	}
	if n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, want 1 (the second session of the first login)", n)
	}
	if _, err := s.SessionUser(ctx, second); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session after DeleteExpiredSessions: %v, want ErrNotFound", err)
	}
	if _, err := s.SessionUser(ctx, fresh); err != nil {
		t.Errorf("fresh session after DeleteExpiredSessions: %v", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx); err != nil || n != 0 {
		t.Errorf("second DeleteExpiredSessions = %d, %v; want 0", n, err)
	}
	if n := len(idsIn(t, db.Collection("sessions"))); n != 2 {
		t.Errorf("%d sessions left, want the 2 fresh ones", n)
	}
}

func TestTokens(t *testing.T) {
	s, db := newService(t)
	ctx := testCtx(t)
	staff := addUser(t, s, "redaktor@kommun.se", RoleStaff, "korrekt lösenord")
	admin := addUser(t, s, "admin@kommun.se", RoleAdmin, "korrekt lösenord")
	addUser(t, s, "medlem@kommun.se", RoleMember, "korrekt lösenord")

	issued := map[string]string{} // token → user id
	for _, u := range []User{staff, admin} {
		t.Run("create for "+string(u.Role), func(t *testing.T) {
			tok, err := s.CreateToken(ctx, strings.ToUpper(u.Email), " uppladdning ")
			if err != nil {
				t.Fatalf("CreateToken: %v", err)
			}
			if !strings.HasPrefix(tok, "smk_") || len(tok) < 40 {
				t.Errorf("token %q: want smk_ and a long random part", tok)
			}
			got, err := s.TokenUser(ctx, tok)
			if err != nil {
				t.Fatalf("TokenUser: %v", err)
			}
			if got.ID != u.ID {
				t.Errorf("TokenUser = %s, want %s", got.ID, u.ID)
			}
			issued[tok] = u.ID
		})
	}

	refused := []struct{ name, email, tokenName string }{
		{"member", "medlem@kommun.se", "uppladdning"},
		{"unknown email", "ingen@kommun.se", "uppladdning"},
		{"empty name", "redaktor@kommun.se", "  "},
	}
	for _, tt := range refused {
		t.Run("refused "+tt.name, func(t *testing.T) {
			if tok, err := s.CreateToken(ctx, tt.email, tt.tokenName); err == nil {
				t.Errorf("CreateToken(%q, %q) = %q, want an error", tt.email, tt.tokenName, tok)
			}
		})
	}

	t.Run("stored hashed", func(t *testing.T) {
		ids := idsIn(t, db.Collection("tokens"))
		if len(ids) != len(issued) {
			t.Fatalf("tokens collection holds %d documents, want %d", len(ids), len(issued))
		}
		for _, id := range ids {
			for tok := range issued {
				if id == tok || strings.Contains(id, strings.TrimPrefix(tok, "smk_")) {
					t.Errorf("token stored under its own value %q", tok)
				}
			}
		}
	})

	unknown := []string{"", "smk_", "smk_nonexistent", "not-a-token"}
	for tok := range issued {
		unknown = append(unknown, strings.TrimPrefix(tok, "smk_"), tok+"x")
	}
	for i, tok := range unknown {
		t.Run(fmt.Sprintf("unknown %d", i), func(t *testing.T) {
			if u, err := s.TokenUser(ctx, tok); !errors.Is(err, ErrNotFound) {
				t.Errorf("TokenUser(%q) = %+v, %v; want ErrNotFound", tok, u, err)
			}
		})
	}

	t.Run("session secret is not a token", func(t *testing.T) {
		secret, err := s.StartSession(ctx, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenUser(ctx, secret); !errors.Is(err, ErrNotFound) {
			t.Errorf("TokenUser(session secret) = %v, want ErrNotFound", err)
		}
	})
}

func TestHasAdmin(t *testing.T) {
	s, _ := newService(t)
	ctx := testCtx(t)
	steps := []struct {
		add  Role
		want bool
	}{
		{"", false},
		{RoleMember, false},
		{RoleStaff, false},
		{RoleAdmin, true},
	}
	for i, st := range steps {
		if st.add != "" {
			addUser(t, s, string(st.add)+"@kommun.se", st.add, "korrekt lösenord")
		}
		got, err := s.HasAdmin(ctx)
		if err != nil {
			t.Fatalf("step %d: HasAdmin: %v", i, err)
		}
		if got != st.want {
			t.Errorf("HasAdmin after adding %q = %v, want %v", st.add, got, st.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
		staff   bool
	}{
		{in: "admin", want: RoleAdmin, staff: true},
		{in: "staff", want: RoleStaff, staff: true},
		{in: "member", want: RoleMember},
		{in: " Staff ", want: RoleStaff, staff: true},
		{in: "ADMIN", want: RoleAdmin, staff: true},
		{in: "", wantErr: true},
		{in: "root", wantErr: true},
		{in: "members", wantErr: true},
		{in: "redaktör", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRole(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("ParseRole(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRole(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRole(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got.IsStaff() != tt.staff {
				t.Errorf("%q.IsStaff() = %v, want %v", got, got.IsStaff(), tt.staff)
			}
		})
	}
}
