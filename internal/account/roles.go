package account

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var (
	// ErrLastAdmin: the change would leave no active admin.
	ErrLastAdmin = errors.New("the portal must keep at least one active admin")
	// ErrSameRole: the account has that role already.
	ErrSameRole = errors.New("the account has that role already")
)

// SetRole gives an account a new role and returns it as it was before.
// Every session of the account ends, so nobody keeps the old role's
// rights in an open browser; a member keeps no API tokens. The last
// active admin cannot be demoted.
func (s *Service) SetRole(ctx context.Context, userID string, role Role) (User, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	u, err := s.userByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	if u.Role == role {
		return u, ErrSameRole
	}
	if u.Role == RoleAdmin {
		others, err := s.users.CountDocuments(ctx, bson.M{"role": RoleAdmin, "_id": bson.M{"$ne": u.ID}, "disabled": bson.M{"$ne": true}})
		if err != nil {
			return User{}, fmt.Errorf("count admins: %w", err)
		}
		if others == 0 {
			return User{}, ErrLastAdmin
		}
	}
	// Only the request that still sees the old role changes it.
	res, err := s.users.UpdateOne(ctx, bson.M{"_id": u.ID, "role": u.Role}, bson.M{"$set": bson.M{"role": role}})
	if err != nil {
		return User{}, fmt.Errorf("set role: %w", err)
	}
	if res.ModifiedCount != 1 {
		return User{}, errors.New("the account changed meanwhile: try again")
	}
	if u.Role == RoleAdmin {
		// Two admins demoted at the same moment could each have counted
		// the other: check again, and undo if no admin is left.
		left, err := s.users.CountDocuments(ctx, bson.M{"role": RoleAdmin, "disabled": bson.M{"$ne": true}})
		if err != nil {
			return User{}, fmt.Errorf("count admins: %w", err)
		}
		if left == 0 {
			if _, err := s.users.UpdateByID(ctx, u.ID, bson.M{"$set": bson.M{"role": RoleAdmin}}); err != nil {
				return User{}, fmt.Errorf("restore admin: %w", err)
			}
			return User{}, ErrLastAdmin
		}
	}
	if err := s.EndUserSessions(ctx, u.ID, ""); err != nil {
		return User{}, err
	}
	if !role.IsStaff() {
		if _, err := s.tokens.DeleteMany(ctx, bson.M{"user_id": u.ID}); err != nil {
			return User{}, fmt.Errorf("delete tokens: %w", err)
		}
	}
	return u, nil
}
