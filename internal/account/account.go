// Package account keeps users, their roles, login sessions and staff API
// tokens. Secrets (passwords, session ids, tokens) are stored only hashed.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Role is what a user may do.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleStaff  Role = "staff"
	RoleMember Role = "member"
)

// ParseRole accepts admin, staff or member.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleStaff, RoleMember:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: use admin, staff or member", s)
}

// IsStaff reports whether the role may manage webinars and wishes.
func (r Role) IsStaff() bool { return r == RoleAdmin || r == RoleStaff }

// User is a person who can log in.
type User struct {
	ID    string `bson:"_id"`
	Email string `bson:"email"`
	Role  Role   `bson:"role"`
	// PasswordHash is empty for an invited member who has not yet set a
	// password; such an account cannot log in.
	PasswordHash string `bson:"password_hash"`
	// Municipality is the member's kommun.
	Municipality string `bson:"municipality,omitempty"`
	// Disabled accounts cannot log in; their sessions and API tokens
	// stop working at once.
	Disabled  bool      `bson:"disabled,omitempty"`
	LastLogin time.Time `bson:"last_login,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
}

// Status is how an account stands, for the staff list.
type Status string

const (
	StatusActive   Status = "active"
	StatusInvited  Status = "invited"
	StatusDisabled Status = "disabled"
)

// Status derives the account's status.
func (u User) Status() Status {
	switch {
	case u.Disabled:
		return StatusDisabled
	case u.PasswordHash == "":
		return StatusInvited
	}
	return StatusActive
}

// Session is a login, stored under the hash of its cookie value.
type Session struct {
	ID        string    `bson:"_id"` // sha256 of the cookie value
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"` // absolute end, CreatedAt + SESSION_TTL
	// LastSeen slides the idle expiry; written at most once a minute.
	LastSeen time.Time `bson:"last_seen"`
}

// Token is a staff API token, stored under its hash.
type Token struct {
	ID        string    `bson:"_id"` // sha256 of the token
	UserID    string    `bson:"user_id"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"created_at"`
	// LastUsed is written at most once a minute, like a session's.
	LastUsed time.Time `bson:"last_used,omitempty"`
}

var (
	ErrNotFound       = errors.New("not found")
	ErrExists         = errors.New("a user with this email already exists")
	ErrBadCredentials = errors.New("wrong email or password")
	// ErrPasswordTooShort: passwords have at least MinPasswordLength characters.
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d characters", MaxPasswordLength)
)

// Password length limits, in characters.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 1000
)

// DefaultSessionIdle ends a session nobody has used for this long.
const DefaultSessionIdle = 2 * time.Hour

// lastSeenEvery bounds the writes that slide the idle expiry.
const lastSeenEvery = time.Minute

// ValidatePassword checks the password rules.
func ValidatePassword(password string) error {
	switch n := len([]rune(password)); {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	}
	return nil
}

// Service manages users, sessions and tokens.
type Service struct {
	users, sessions, tokens, links *mongo.Collection
	// linkUses holds one marker per used link, under the link's id.
	linkUses                *mongo.Collection
	sessionTTL, sessionIdle time.Duration
	now                     func() time.Time
	// dummyHash makes a login for an unknown email cost as much as a real one.
	dummyHash string
}

// NewService opens the collections and makes sure the unique index on
// email exists.
func NewService(ctx context.Context, db *mongo.Database, sessionTTL time.Duration) (*Service, error) {
	s := &Service{
		users:       db.Collection("users"),
		sessions:    db.Collection("sessions"),
		tokens:      db.Collection("tokens"),
		links:       db.Collection("account_links"),
		linkUses:    db.Collection("account_link_uses"),
		sessionTTL:  sessionTTL,
		sessionIdle: DefaultSessionIdle,
		now:         func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
	}
	_, err := s.users.Indexes().CreateOne(ctx, mongo.IndexModel{
		Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true),
	})
	if err != nil {
		return nil, fmt.Errorf("users index: %w", err)
	}
	s.dummyHash, _ = HashPassword("no such user")
	return s, nil
}

// SetSessionIdle sets how long an unused session lives (SESSION_IDLE).
func (s *Service) SetSessionIdle(d time.Duration) { s.sessionIdle = d }

// SetClock replaces the time source (tests of expiry).
func (s *Service) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC().Truncate(time.Millisecond) }
}

// NormalizeEmail lower-cases and validates an email address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email, "@") {
		return "", fmt.Errorf("invalid email address %q", email)
	}
	return email, nil
}

// AddUser creates a user. Passwords must be at least 10 characters.
func (s *Service) AddUser(ctx context.Context, email string, role Role, password string) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	if err := ValidatePassword(password); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, err
	}
	u := User{ID: randomID(), Email: email, Role: role, PasswordHash: hash, CreatedAt: s.now()}
	if _, err := s.users.InsertOne(ctx, u); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return User{}, ErrExists
		}
		return User{}, fmt.Errorf("insert user: %w", err)
	}
	return u, nil
}

// SetPassword replaces a user's password and ends all their sessions.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, password, "")
}

// setPassword stores a new password hash and ends every session of the
// user but keep (a session secret, may be empty).
func (s *Service) setPassword(ctx context.Context, userID, password, keep string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if _, err := s.users.UpdateByID(ctx, userID, bson.M{"$set": bson.M{"password_hash": hash}}); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	// A link made before the change must not undo it.
	if err := s.expireLinks(ctx, userID); err != nil {
		return err
	}
	return s.EndUserSessions(ctx, userID, keep)
}

// UserByEmail finds a user.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var u User
	err := s.users.FindOne(ctx, bson.M{"email": email}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, fmt.Errorf("user %s: %w", email, ErrNotFound)
	}
	return u, err
}

// UserByID finds a user by id.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) { return s.userByID(ctx, id) }

func (s *Service) userByID(ctx context.Context, id string) (User, error) {
	var u User
	err := s.users.FindOne(ctx, bson.M{"_id": id}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, fmt.Errorf("user: %w", ErrNotFound)
	}
	return u, err
}

// HasAdmin reports whether any admin exists.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	n, err := s.users.CountDocuments(ctx, bson.M{"role": RoleAdmin})
	return n > 0, err
}

// Authenticate checks an email and password. Unknown, invited and
// disabled accounts get the same error, at the same cost, as a wrong
// password. A successful login is recorded as the last login.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) || (err == nil && u.PasswordHash == "") {
		CheckPassword(s.dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !CheckPassword(u.PasswordHash, password) || u.Disabled {
		return User{}, ErrBadCredentials
	}
	u.LastLogin = s.now()
	if _, err := s.users.UpdateByID(ctx, u.ID, bson.M{"$set": bson.M{"last_login": u.LastLogin}}); err != nil {
		return User{}, fmt.Errorf("record login: %w", err)
	}
	return u, nil
}

// StartSession creates a session and returns the cookie value.
func (s *Service) StartSession(ctx context.Context, userID string) (string, error) {
	secret := randomSecret()
	now := s.now()
	sess := Session{ID: hashSecret(secret), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL), LastSeen: now}
	if _, err := s.sessions.InsertOne(ctx, sess); err != nil {
		return "", fmt.Errorf("insert session: %w", err)
	}
	return secret, nil
}

// RotateSession starts a new session at login and ends the one the
// browser presented before (previous, may be empty): a session id that
// was known before login, planted by someone else or left from another
// user, never carries the new login (session fixation).
func (s *Service) RotateSession(ctx context.Context, previous, userID string) (string, error) {
	if previous != "" {
		if err := s.EndSession(ctx, previous); err != nil {
			return "", fmt.Errorf("end previous session: %w", err)
		}
	}
	return s.StartSession(ctx, userID)
}

// SessionUser returns the user of a live session. Both expiries are
// checked here, because the embedded store has no TTL indexes: the
// absolute one (SESSION_TTL after login) and the idle one (SESSION_IDLE
// after the last request). Last-seen is written at most once a minute.
func (s *Service) SessionUser(ctx context.Context, secret string) (User, error) {
	if secret == "" {
		return User{}, ErrNotFound
	}
	var sess Session
	err := s.sessions.FindOne(ctx, bson.M{"_id": hashSecret(secret)}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	now := s.now()
	lastSeen := sess.LastSeen
	if lastSeen.IsZero() { // a session from before idle expiry existed
		lastSeen = sess.CreatedAt
	}
	if now.After(sess.ExpiresAt) || (s.sessionIdle > 0 && now.Sub(lastSeen) > s.sessionIdle) {
		_, _ = s.sessions.DeleteOne(ctx, bson.M{"_id": sess.ID})
		return User{}, ErrNotFound
	}
	u, err := s.userByID(ctx, sess.UserID)
	if err != nil {
		return User{}, err
	}
	if u.Disabled {
		return User{}, ErrNotFound
	}
	if now.Sub(lastSeen) >= lastSeenEvery {
		if _, err := s.sessions.UpdateByID(ctx, sess.ID, bson.M{"$set": bson.M{"last_seen": now}}); err != nil {
			return User{}, fmt.Errorf("session last seen: %w", err)
		}
	}
	return u, nil
}

// EndUserSessions ends every session of a user except keep (a session
// secret, may be empty): "log out everywhere", and after a password change.
func (s *Service) EndUserSessions(ctx context.Context, userID, keep string) error {
	filter := bson.M{"user_id": userID}
	if keep != "" {
		filter["_id"] = bson.M{"$ne": hashSecret(keep)}
	}
	if _, err := s.sessions.DeleteMany(ctx, filter); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// EndSession deletes a session.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	_, err := s.sessions.DeleteOne(ctx, bson.M{"_id": hashSecret(secret)})
	return err
}

// DeleteExpiredSessions removes sessions past either expiry, and
// one-time links that expired more than a month ago (until then a used
// or expired link is still told apart from a mistyped one).
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := s.now()
	filter := bson.M{"expires_at": bson.M{"$lt": now}}
	if s.sessionIdle > 0 {
		filter = bson.M{"$or": bson.A{filter, bson.M{"last_seen": bson.M{"$lt": now.Add(-s.sessionIdle)}}}}
	}
	res, err := s.sessions.DeleteMany(ctx, filter)
	if err != nil {
		return 0, err
	}
	if _, err := s.links.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lt": now.Add(-30 * 24 * time.Hour)}}); err != nil {
		return res.DeletedCount, fmt.Errorf("delete old links: %w", err)
	}
	// A used link's marker outlives its link's longest lifetime.
	if _, err := s.linkUses.DeleteMany(ctx, bson.M{"at": bson.M{"$lt": now.Add(-90 * 24 * time.Hour)}}); err != nil {
		return res.DeletedCount, fmt.Errorf("delete old link uses: %w", err)
	}
	return res.DeletedCount, nil
}

// CreateToken makes an API token for a staff or admin user and returns it;
// only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, email, name string) (string, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	secret, _, err := s.CreateTokenFor(ctx, u.ID, name)
	return secret, err
}

// CreateTokenFor makes an API token for the staff or admin user userID
// and returns it with its description; only its hash is stored.
func (s *Service) CreateTokenFor(ctx context.Context, userID, name string) (string, TokenInfo, error) {
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return "", TokenInfo{}, err
	}
	if !u.Role.IsStaff() {
		return "", TokenInfo{}, fmt.Errorf("user %s has role %s: API tokens are for staff and admin", u.Email, u.Role)
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > MaxTokenName {
		return "", TokenInfo{}, ErrTokenName
	}
	secret := "smk_" + randomSecret()
	t := Token{ID: hashSecret(secret), UserID: u.ID, Name: name, CreatedAt: s.now()}
	if _, err := s.tokens.InsertOne(ctx, t); err != nil {
		return "", TokenInfo{}, fmt.Errorf("insert token: %w", err)
	}
	info := TokenInfo{Ref: t.ID[:refLen], Name: t.Name, Email: u.Email, UserID: u.ID, CreatedAt: t.CreatedAt}
	return secret, info, nil
}

// TokenUser returns the user an API token belongs to.
func (s *Service) TokenUser(ctx context.Context, secret string) (User, error) {
	var t Token
	err := s.tokens.FindOne(ctx, bson.M{"_id": hashSecret(secret)}).Decode(&t)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.userByID(ctx, t.UserID)
	if err == nil && u.Disabled {
		return User{}, ErrNotFound
	}
	if err == nil {
		if now := s.now(); now.Sub(t.LastUsed) >= lastSeenEvery {
			if _, err := s.tokens.UpdateByID(ctx, t.ID, bson.M{"$set": bson.M{"last_used": now}}); err != nil {
				return User{}, fmt.Errorf("token last used: %w", err)
			}
		}
	}
	return u, err
}

func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
