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
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Role         Role      `bson:"role"`
	PasswordHash string    `bson:"password_hash"`
	CreatedAt    time.Time `bson:"created_at"`
}

// Session is a login, stored under the hash of its cookie value.
type Session struct {
	ID        string    `bson:"_id"` // sha256 of the cookie value
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Token is a staff API token, stored under its hash.
type Token struct {
	ID        string    `bson:"_id"` // sha256 of the token
	UserID    string    `bson:"user_id"`
	Name      string    `bson:"name"`
	CreatedAt time.Time `bson:"created_at"`
}

var (
	ErrNotFound       = errors.New("not found")
	ErrExists         = errors.New("a user with this email already exists")
	ErrBadCredentials = errors.New("wrong email or password")
)

// Service manages users, sessions and tokens.
type Service struct {
	users, sessions, tokens *mongo.Collection
	sessionTTL              time.Duration
	now                     func() time.Time
	// dummyHash makes a login for an unknown email cost as much as a real one.
	dummyHash string
}

// NewService opens the collections and makes sure the unique index on
// email exists.
func NewService(ctx context.Context, db *mongo.Database, sessionTTL time.Duration) (*Service, error) {
	s := &Service{
		users:      db.Collection("users"),
		sessions:   db.Collection("sessions"),
		tokens:     db.Collection("tokens"),
		sessionTTL: sessionTTL,
		now:        func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
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
	if len([]rune(password)) < 10 {
		return User{}, errors.New("password must be at least 10 characters")
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

// SetPassword replaces a user's password.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if len([]rune(password)) < 10 {
		return errors.New("password must be at least 10 characters")
	}
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.users.UpdateByID(ctx, u.ID, bson.M{"$set": bson.M{"password_hash": hash}})
	return err
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

// Authenticate checks an email and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		CheckPassword(s.dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !CheckPassword(u.PasswordHash, password) {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// StartSession creates a session and returns the cookie value.
func (s *Service) StartSession(ctx context.Context, userID string) (string, error) {
	secret := randomSecret()
	now := s.now()
	sess := Session{ID: hashSecret(secret), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
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

// SessionUser returns the user of a live session. Expiry is checked here
// because the embedded store has no TTL indexes.
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
	if s.now().After(sess.ExpiresAt) {
		_, _ = s.sessions.DeleteOne(ctx, bson.M{"_id": sess.ID})
		return User{}, ErrNotFound
	}
	return s.userByID(ctx, sess.UserID)
}

// EndSession deletes a session.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	_, err := s.sessions.DeleteOne(ctx, bson.M{"_id": hashSecret(secret)})
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.sessions.DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lt": s.now()}})
	if err != nil {
		return 0, err
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
	if !u.Role.IsStaff() {
		return "", fmt.Errorf("user %s has role %s: API tokens are for staff and admin", u.Email, u.Role)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("token name must not be empty")
	}
	secret := "smk_" + randomSecret()
	t := Token{ID: hashSecret(secret), UserID: u.ID, Name: name, CreatedAt: s.now()}
	if _, err := s.tokens.InsertOne(ctx, t); err != nil {
		return "", fmt.Errorf("insert token: %w", err)
	}
	return secret, nil
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
	return s.userByID(ctx, t.UserID)
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
