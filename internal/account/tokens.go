package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TokenInfo describes an API token without anything usable as one: Ref is
// the start of the stored hash, enough to name it when revoking.
type TokenInfo struct {
	Ref       string
	Name      string
	Email     string // the owner's
	UserID    string // the owner's
	CreatedAt time.Time
	LastUsed  time.Time // zero: never used (or not since it was recorded)
}

// MaxTokenName is the longest name a token may have, in characters.
const MaxTokenName = 100

// ErrTokenName: a token needs a name of at most MaxTokenName characters.
var ErrTokenName = fmt.Errorf("token name must not be empty and at most %d characters", MaxTokenName)

// ErrBadRef: a reference is at least 8 hex digits.
var ErrBadRef = errors.New("give at least 8 characters of the token's reference (portal token list)")

// ErrNotOwner: the token belongs to someone else.
var ErrNotOwner = errors.New("the token belongs to another user")

// refLen is how much of a token's hash names it.
const refLen = 12

// ErrAmbiguous: a reference matches more than one token.
var ErrAmbiguous = errors.New("the reference matches more than one token; give more of it")

// ListTokens lists every API token, oldest first.
func (s *Service) ListTokens(ctx context.Context) ([]TokenInfo, error) {
	return s.ListTokensOf(ctx, "")
}

// ListTokensOf lists the API tokens of userID (every token when empty),
// oldest first.
func (s *Service) ListTokensOf(ctx context.Context, userID string) ([]TokenInfo, error) {
	tokens, err := s.allTokens(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]TokenInfo, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, s.describe(ctx, t))
	}
	return out, nil
}

// RevokeToken deletes the token whose hash starts with ref (at least 8
// characters); the token stops working at once.
func (s *Service) RevokeToken(ctx context.Context, ref string) (TokenInfo, error) {
	return s.RevokeTokenOf(ctx, ref, "")
}

// RevokeTokenOf revokes the token named by ref if it belongs to ownerID
// (any token when ownerID is empty); someone else's gives ErrNotOwner.
func (s *Service) RevokeTokenOf(ctx context.Context, ref, ownerID string) (TokenInfo, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if len(ref) < 8 || strings.Trim(ref, "0123456789abcdef") != "" {
		return TokenInfo{}, ErrBadRef
	}
	tokens, err := s.allTokens(ctx, "")
	if err != nil {
		return TokenInfo{}, err
	}
	var match []Token
	for _, t := range tokens {
		if strings.HasPrefix(t.ID, ref) {
			match = append(match, t)
		}
	}
	switch len(match) {
	case 0:
		return TokenInfo{}, ErrNotFound
	case 1:
	default:
		return TokenInfo{}, ErrAmbiguous
	}
	if ownerID != "" && match[0].UserID != ownerID {
		return TokenInfo{}, ErrNotOwner
	}
	if _, err := s.tokens.DeleteOne(ctx, bson.M{"_id": match[0].ID}); err != nil {
		return TokenInfo{}, fmt.Errorf("revoke token: %w", err)
	}
	return s.describe(ctx, match[0]), nil
}

func (s *Service) allTokens(ctx context.Context, userID string) ([]Token, error) {
	filter := bson.M{}
	if userID != "" {
		filter["user_id"] = userID
	}
	cur, err := s.tokens.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	var tokens []Token
	if err := cur.All(ctx, &tokens); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return tokens, nil
}

func (s *Service) describe(ctx context.Context, t Token) TokenInfo {
	info := TokenInfo{Ref: t.ID[:refLen], Name: t.Name, UserID: t.UserID, CreatedAt: t.CreatedAt, LastUsed: t.LastUsed}
	if u, err := s.userByID(ctx, t.UserID); err == nil {
		info.Email = u.Email
	}
	return info
}
