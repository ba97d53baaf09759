package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// LinkKind is what a one-time link does.
type LinkKind string

const (
	// LinkInvite lets an invited member set the first password.
	LinkInvite LinkKind = "invite"
	// LinkReset lets a user set a new password.
	LinkReset LinkKind = "reset"
)

// Default lifetimes of one-time links.
const (
	DefaultInviteTTL = 7 * 24 * time.Hour
	DefaultResetTTL  = 24 * time.Hour
)

// link is a one-time invite or password-reset link, stored under the hash
// of its secret. A used link is kept (marked) so that a second use can be
// told apart from a mistyped one.
type link struct {
	ID        string    `bson:"_id"` // sha256 of the secret
	UserID    string    `bson:"user_id"`
	Kind      LinkKind  `bson:"kind"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	Used      bool      `bson:"used"`
}

var (
	// ErrLinkUnknown: no such link (mistyped or cut short).
	ErrLinkUnknown = errors.New("unknown link")
	// ErrLinkExpired: the link is past its expiry.
	ErrLinkExpired = errors.New("the link has expired")
	// ErrLinkUsed: the link was used already (or the account is disabled).
	ErrLinkUsed = errors.New("the link has been used")
	// ErrWrongPassword: the current password given to change it is wrong.
	ErrWrongPassword = errors.New("the current password is wrong")
)

// NormalizeMunicipality trims a municipality name and checks its length.
func NormalizeMunicipality(m string) (string, error) {
	m = strings.Join(strings.Fields(m), " ")
	if m == "" {
		return "", errors.New("municipality must not be empty")
	}
	if len([]rune(m)) > 100 {
		return "", errors.New("municipality must be at most 100 characters")
	}
	return m, nil
}

// Invite creates a member account without a password for email in
// municipality and returns it with the secret of its invite link, valid
// for ttl. Inviting an address that is invited but has not answered yet
// replaces the old link; an active account gives ErrExists.
func (s *Service) Invite(ctx context.Context, email, municipality string, ttl time.Duration) (User, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", err
	}
	if municipality, err = NormalizeMunicipality(municipality); err != nil {
		return User{}, "", err
	}
	u, err := s.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, ErrNotFound):
		u = User{ID: randomID(), Email: email, Role: RoleMember, Municipality: municipality, CreatedAt: s.now()}
		if _, err := s.users.InsertOne(ctx, u); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return User{}, "", ErrExists
			}
			return User{}, "", fmt.Errorf("insert user: %w", err)
		}
	case err != nil:
		return User{}, "", err
	case u.Status() != StatusInvited:
		return User{}, "", ErrExists
	default:
		if _, err := s.users.UpdateByID(ctx, u.ID, bson.M{"$set": bson.M{"municipality": municipality}}); err != nil {
			return User{}, "", fmt.Errorf("update invite: %w", err)
		}
		u.Municipality = municipality
	}
	secret, err := s.newLink(ctx, u.ID, LinkInvite, ttl)
	return u, secret, err
}

// SetMunicipality sets a user's municipality (kommun).
func (s *Service) SetMunicipality(ctx context.Context, userID, municipality string) error {
	m, err := NormalizeMunicipality(municipality)
	if err != nil {
		return err
	}
	if _, err := s.users.UpdateByID(ctx, userID, bson.M{"$set": bson.M{"municipality": m}}); err != nil {
		return fmt.Errorf("set municipality: %w", err)
	}
	return nil
}

// ResetLink makes a password-reset link for a user, valid for ttl. Older
// unused reset links of the user stop working.
func (s *Service) ResetLink(ctx context.Context, userID string, ttl time.Duration) (User, string, error) {
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return User{}, "", err
	}
	if u.Disabled {
		return User{}, "", errors.New("the account is disabled: enable it first")
	}
	kind := LinkReset
	if u.Status() == StatusInvited {
		kind = LinkInvite // no password yet: the invite sets the first one
	}
	secret, err := s.newLink(ctx, u.ID, kind, ttl)
	return u, secret, err
}

func (s *Service) newLink(ctx context.Context, userID string, kind LinkKind, ttl time.Duration) (string, error) {
	if _, err := s.links.DeleteMany(ctx, bson.M{"user_id": userID, "kind": kind}); err != nil {
		return "", fmt.Errorf("replace links: %w", err)
	}
	secret := randomSecret()
	now := s.now()
	l := link{ID: hashSecret(secret), UserID: userID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := s.links.InsertOne(ctx, l); err != nil {
		return "", fmt.Errorf("insert link: %w", err)
	}
	return secret, nil
}

// expireLinks ends every unused link of a user: a link made before a
// password change or before the account was disabled must not work
// afterwards. Expired rather than deleted, so the page says "expired"
// and housekeeping removes them later.
func (s *Service) expireLinks(ctx context.Context, userID string) error {
	past := s.now().Add(-time.Millisecond)
	_, err := s.links.UpdateMany(ctx, bson.M{"user_id": userID, "used": false, "expires_at": bson.M{"$gt": past}},
		bson.M{"$set": bson.M{"expires_at": past}})
	if err != nil {
		return fmt.Errorf("expire links: %w", err)
	}
	return nil
}

// CheckLink returns the user a link of kind is for, without using it.
func (s *Service) CheckLink(ctx context.Context, kind LinkKind, secret string) (User, error) {
	_, u, err := s.liveLink(ctx, kind, secret)
	return u, err
}

func (s *Service) liveLink(ctx context.Context, kind LinkKind, secret string) (link, User, error) {
	if secret == "" || len(secret) > 100 {
		return link{}, User{}, ErrLinkUnknown
	}
	var l link
	err := s.links.FindOne(ctx, bson.M{"_id": hashSecret(secret)}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && l.Kind != kind) {
		return link{}, User{}, ErrLinkUnknown
	}
	if err != nil {
		return link{}, User{}, err
	}
	if l.Used {
		return link{}, User{}, ErrLinkUsed
	}
	if s.now().After(l.ExpiresAt) {
		return link{}, User{}, ErrLinkExpired
	}
	u, err := s.userByID(ctx, l.UserID)
	if errors.Is(err, ErrNotFound) {
		return link{}, User{}, ErrLinkUnknown
	}
	if err != nil {
		return link{}, User{}, err
	}
	if u.Disabled {
		return link{}, User{}, ErrLinkUsed
	}
	return l, u, nil
}

// UseLink sets the password through a one-time link and ends every
// session of the user. The link works once: a password that breaks the
// rules leaves it unused; a second use gives ErrLinkUsed.
func (s *Service) UseLink(ctx context.Context, kind LinkKind, secret, password string) (User, error) {
	if err := ValidatePassword(password); err != nil {
		return User{}, err
	}
	l, u, err := s.liveLink(ctx, kind, secret)
	if err != nil {
		return User{}, err
	}
	// Only the request whose marker goes in first goes on: an insert
	// under the link's id is atomic on the unique _id, where a
	// conditional update is not on the embedded FerretDB (two
	// concurrent updates of {used: false} can both succeed there).
	if _, err := s.linkUses.InsertOne(ctx, bson.M{"_id": l.ID, "at": s.now()}); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return User{}, ErrLinkUsed
		}
		return User{}, fmt.Errorf("use link: %w", err)
	}
	if _, err := s.links.UpdateOne(ctx, bson.M{"_id": l.ID}, bson.M{"$set": bson.M{"used": true}}); err != nil {
		return User{}, fmt.Errorf("use link: %w", err)
	}
	if err := s.setPassword(ctx, u.ID, password, ""); err != nil {
		return User{}, err
	}
	return u, nil
}

// ChangePassword replaces the password of a logged-in user who knows the
// current one, and ends their other sessions (keep is this session).
func (s *Service) ChangePassword(ctx context.Context, userID, current, password, keep string) error {
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return err
	}
	if !CheckPassword(u.PasswordHash, current) {
		return ErrWrongPassword
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, password, keep)
}

// SetDisabled disables or enables an account. Disabling ends its
// sessions at once; its API tokens are refused while it is disabled.
func (s *Service) SetDisabled(ctx context.Context, userID string, disabled bool) (User, error) {
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if _, err := s.users.UpdateByID(ctx, userID, bson.M{"$set": bson.M{"disabled": disabled}}); err != nil {
		return User{}, fmt.Errorf("disable account: %w", err)
	}
	u.Disabled = disabled
	if disabled {
		if err := s.expireLinks(ctx, userID); err != nil {
			return User{}, err
		}
		if err := s.EndUserSessions(ctx, userID, ""); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// ListUsers lists every account by email.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	cur, err := s.users.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []User
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// StaffEmails are the addresses of active staff and admin accounts (for
// notifications).
func (s *Service) StaffEmails(ctx context.Context) ([]string, error) {
	users, err := s.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range users {
		if u.Role.IsStaff() && u.Status() == StatusActive {
			out = append(out, u.Email)
		}
	}
	return out, nil
}
